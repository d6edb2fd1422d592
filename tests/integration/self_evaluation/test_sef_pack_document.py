"""The self-evaluation pack as a document: within its page budget, the data profile said once.

A full East Midlands self-evaluation (every chapter written as the demo writes it, eight quarters
of figures for every LA of the region, scrutiny comments with responses) must print in at most
30 pages (packs.md rule 7), with each indicator's figures once, in an appendix the chapters cite.
"""

import io
import re
from dataclasses import replace

from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.demo_indicators import demo_values
from app.demo_sef_text import QUESTIONS, chapter_text
from app.pack.environment import pack_env
from app.reference import get_reference
from app.returns.periods import Quarter
from app.self_evaluation import pack
from app.self_evaluation.drafting import service
from app.self_evaluation.profile import sef_data_profile
from app.self_evaluation.schemas import CommentInput, ResponseInput
from app.self_evaluation.scrutiny import service as scrutiny
from tests import factories as f
from tests.indicator_factories import add_return
from tests.sef_factories import (
    DERBY,
    form_proposed_triads,
    sign_as,
    signatories,
    submit_latest,
)

REGION = "east-midlands"
QUARTERS = [Quarter.parse(p) for p in ("2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4")]
QUARTERS += [Quarter.parse(p) for p in ("2026-27 Q1", "2026-27 Q2", "2026-27 Q3", "2026-27 Q4")]


def _full_pack(session: Session) -> pack.SefPack:
    """Derby's self-evaluation as the demo writes it, over eight quarters of the region's data."""
    cycle = f.open_cycle(session)
    groups = form_proposed_triads(session, cycle)
    peer_code = next(code for g in groups if DERBY in g for code in g if code != DERBY)
    by = f.make_user(session)
    for period, by_la in demo_values(session, REGION, QUARTERS).items():
        for la_code, values in by_la.items():
            add_return(session, la_code, period, values, submitted_by=by)
    people = signatories(session, DERBY)
    dcs = people[Role.DCS]
    region = get_reference().regions[REGION]
    template = get_reference().sef_templates["sef-east-midlands"]
    # The coordinator sees every figure, so the text answers the same data the pack prints.
    profile = sef_data_profile(session, f.coordinator(session), REGION, DERBY, template)
    latest = None
    for chapter in template.chapters:
        data = chapter_text(region.local_authority(DERBY), chapter, profile)
        data = data.model_copy(update={"base_version": latest.number if latest else None})
        latest = service.save_chapter(session, dcs, cycle, DERBY, chapter.id, data)
    signed = submit_latest(session, cycle, DERBY, dcs)
    for role, who in people.items():
        sign_as(session, cycle, DERBY, who, role, signed.content_hash)
    peer = f.signatory(session, peer_code, Role.DCS)
    for chapter_id, (question, reply) in QUESTIONS.items():
        made = scrutiny.comment(
            session, peer, cycle, DERBY, CommentInput(chapter_id=chapter_id, body=question)
        )
        scrutiny.respond(session, dcs, cycle, DERBY, made.id, ResponseInput(body=reply))
    return pack.build_pack(session, f.coordinator(session), cycle, DERBY)


def _html(built: pack.SefPack) -> str:
    env = pack_env()
    return env.get_template("pdf/sef.html").render(**pack.template_context(built))


def test_a_full_self_evaluation_fits_its_page_budget_with_the_data_once(session: Session) -> None:
    built = _full_pack(session)
    names = {
        item.indicator_id: item.name
        for chapter in built.profile.chapters.values()
        for item in chapter.indicators
    }
    assert len(names) >= 15  # the template's indicators, with figures: a full data profile
    pdf = pack.render_pack(built)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) <= 30
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    # Each indicator's figures are printed once, whichever chapters cite it.
    for name in names.values():
        assert text.count(f"{name}: values by quarter") == 1, name
    # Once the period and its status; once the strengths and the signatures of risk.
    assert text.count("Quarterly figures are provisional management information") == 1
    assert text.count("Strengths in the figures") == 1
    assert text.count("Signatures of risk in the figures") == 1
    # The appendix numbers each indicator, and every chapter cites it by that number.
    html = _html(built)
    headings = re.findall(r'<div class="sef-ind" id="indicator-(A\d+)">', html)
    assert headings == [f"A{n}" for n in range(1, len(names) + 1)]
    cites = [c for c in built.chapters if built.profile.chapters[c.chapter_id].indicators]
    assert len(cites) == 5  # the leadership chapter has no indicators, and says so
    assert html.count("<strong>The data for this chapter:</strong> see appendix") == len(cites)
    assert html.count("The template sets no core indicators beside this chapter.") == 1
    first = built.chapters[0]
    cited = [f"A{n}" for n, _ in enumerate(built.profile.chapters[first.chapter_id].indicators, 1)]
    block = html.split(f'id="chapter-{first.chapter_id}"')[1].split("sef-chapter")[0]
    assert re.findall(r"<li>(A\d+) ", block) == cited


def test_signatures_of_risk_print_as_a_list(session: Session) -> None:
    built = _full_pack(session)
    html = _html(built)
    appendix = html.split('id="appendix"')[1]
    assert built.profile.flags
    for flag in built.profile.flags:
        # A flag on an indicator cites it; a missed sign-off or return prints with its title.
        ref = r"A\d+ " if flag.indicator_id else re.escape(str(_escaped(flag.title))) + r"\. "
        assert re.search(rf"<li>{ref}{re.escape(str(_escaped(flag.explanation)))}</li>", appendix)

    # A chapter's signatures of risk, written one to a paragraph, print one to a bullet. Derby's
    # demo figures now raise at most one flag a chapter (issue 10), so a second paragraph is
    # written into the first chapter with one.
    def risks(chapter: pack.PackChapter) -> tuple[str, ...]:
        return next(s.paragraphs for s in chapter.sections if s.name == "signatures_of_risk")

    first = next(c for c in built.chapters if "signature of risk" not in risks(c)[0])
    two = (*risks(first), "Re-referrals are rising as we rebuild the front door.")
    risky = replace(
        first,
        sections=tuple(
            replace(s, paragraphs=two) if s.name == "signatures_of_risk" else s
            for s in first.sections
        ),
    )
    html = _html(
        replace(
            built,
            chapters=tuple(risky if c is first else c for c in built.chapters),
        )
    )
    chapter = html.split(f'id="chapter-{risky.chapter_id}"')[1].split("Evidence references")[0]
    section = chapter.split("<h2>Signatures of risk</h2>")[1]
    assert section.lstrip().startswith("<ul>")
    assert section.split("</ul>")[0].count("<li>") == 2


def _escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
