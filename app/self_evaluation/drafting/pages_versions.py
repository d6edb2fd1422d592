"""HTML pages for reading a self-evaluation's history: every version, one version, two compared.

The history is the LA's and its coordinator's: scrutineers and the RISL, who read a signed
self-evaluation, see only its signed version here, and no comparison of drafts.

Also the read-only view of a chapter's text that every self-evaluation page shows through the
macro in templates/sef/_chapter_text.html.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app import forms
from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import DbSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CYCLE, CurrentCycle, in_cycle
from app.identifiers import Identifier
from app.models import Cycle, SelfEvaluation
from app.self_evaluation import access
from app.self_evaluation.drafting import carry, content, service
from app.self_evaluation.drafting import versions as sef_versions
from app.self_evaluation.schemas import MESSAGES, CompareInput
from app.self_evaluation.signoff import service as signoff
from app.web import render, render_form

router = APIRouter(include_in_schema=False)
SEF = CYCLE + "/self-evaluations"
ONE = SEF + "/{la_code}"


@dataclass(frozen=True)
class ReadableChapter:
    """One chapter's text as the pages show it: the grade in words (None where the chapter carries
    no grade, so no page mentions one), each section in paragraphs."""

    grade: str | None
    sections: tuple[content.Section, ...]


def readable(text: Mapping[str, str], *, graded: bool = True) -> ReadableChapter:
    return ReadableChapter(
        content.grade_label(text.get("grade", "")) if graded else None,
        content.sections_of(text),
    )


def readable_all(sef: SelfEvaluation, text: content.Content) -> dict[str, ReadableChapter]:
    """Every chapter of the template, by id, blank where the version has nothing."""
    template = service.template_of(sef)
    return {
        c.id: readable(text.get(c.id, {}), graded=template.graded(c.id)) for c in template.chapters
    }


def sef_url(cycle: Cycle, la_code: str) -> str:
    return f"/regions/{cycle.region_id}/cycles/{cycle.year}/self-evaluations/{la_code}"


def common(cycle: Cycle, sef: SelfEvaluation) -> dict[str, object]:
    """What every page about one self-evaluation shows: where it is, and whose it is."""
    return {
        **in_cycle(cycle),
        "sef": sef,
        "la": service.local_authority(cycle, sef.la_code),
        "template": service.template_of(sef),
        "home": sef_url(cycle, sef.la_code),
        "index": f"/regions/{cycle.region_id}/cycles/{cycle.year}/self-evaluations",
    }


def _versions_view(
    request: Request,
    session: DbSession,
    principal: Principal,
    cycle: Cycle,
    sef: SelfEvaluation,
    values: dict[str, str] | None = None,
    errors: forms.FormErrors | None = None,
) -> Response:
    found = sef_versions.readable_versions(session, principal, cycle, sef)
    status = signoff.build_status(session, cycle, sef)
    titles = {c.id: c.title for c in service.template_of(sef).chapters}
    if values is None:
        numbers = [str(v.number) for v in found]
        values = {"a": numbers[1] if len(numbers) > 1 else "", "b": numbers[0] if numbers else ""}
    return render_form(
        request,
        "sef/versions.html",
        errors or forms.FormErrors(),
        {
            **common(cycle, sef),
            "versions": found,
            "titles": titles,
            # The version a self-evaluation started from last year's with, and that year.
            "carried": {
                v.number: carry.year_label(y)
                for v in found
                if v.carried_from_version_id and (y := carry.source_year(session, v))
            },
            "void_numbers": {number for _, number in status.void},
            "shared": sef.state in access.SHARED_STATES,
            "can_read_history": access.can_read_history(principal, cycle, sef),
            "values": values,
        },
    )


@router.get(ONE + "/versions", response_class=HTMLResponse)
def versions_page(
    request: Request,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_SEF)],
    cycle: CurrentCycle,
) -> Response:
    sef = service.get_sef(session, principal, cycle, la_code)
    return _versions_view(request, session, principal, cycle, sef)


@router.get(ONE + "/versions/{number}", response_class=HTMLResponse)
def version_page(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    number: Identifier,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_SEF)],
) -> Response:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    sef = service.get_sef(session, principal, cycle, la_code)
    found = sef_versions.readable_version(session, principal, cycle, sef, number)
    titles = {c.id: c.title for c in service.template_of(sef).chapters}
    return render(
        request,
        "sef/version.html",
        {
            **common(cycle, sef),
            "version": found,
            "changed_title": titles.get(found.chapter_id or ""),
            "chapters": readable_all(sef, service.content_of(sef, found)),
            "latest": service.latest_version(session, sef),
            "shared": sef.state in access.SHARED_STATES,
            "can_read_history": access.can_read_history(principal, cycle, sef),
        },
    )


def _compare_input(a: str, b: str) -> tuple[CompareInput | None, forms.FormErrors]:
    data, errors = forms.parse(CompareInput, {"a": a.strip(), "b": b.strip()}, MESSAGES)
    if data is not None and data.a == data.b:
        errors.add("b", "Choose two different versions to compare")
        return None, errors
    return data, errors


@router.get(ONE + "/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_SEF)],
    cycle: CurrentCycle,
    a: str = "",
    b: str = "",
) -> Response:
    sef = service.get_sef(session, principal, cycle, la_code)
    if not access.can_read_history(principal, cycle, sef):
        raise sef_versions.history_refusal(
            cycle, sef
        )  # before the form is checked: no drafts at all
    data, errors = _compare_input(a, b)
    if data is None:
        return _versions_view(request, session, principal, cycle, sef, {"a": a, "b": b}, errors)
    comparison = sef_versions.compare_for(session, principal, cycle, sef, data.a, data.b)
    return render(
        request,
        "sef/compare.html",
        {
            **common(cycle, sef),
            "comparison": comparison,
            "changed": [c for c in comparison.chapters if c.changed],
            "unchanged": [c for c in comparison.chapters if not c.changed],
        },
    )
