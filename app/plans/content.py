"""A plan's content: its canonical JSON, its SHA-256, the checks a priority must pass, and the
suggestions drawn from the LA's signed self-evaluation. Pure: no database.

The content is {"adopted": {"title", "document"} or null, "priorities": [...]}, each priority
as its input (app.plans.schemas.PriorityInput) with a `source` linking back to where it came
from (an area for development in the self-evaluation), or null for one the DCS wrote.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from app.errors import InvalidInput
from app.plans.schemas import ActionInput, MeasureKind, PriorityInput
from app.reference.models import Indicator, Polarity
from app.reference.sef import SefTemplate
from app.self_evaluation.drafting.content import paragraphs
from app.structured_text import canonical_json

Content = dict[str, Any]
DIRECTIONAL = frozenset({Polarity.HIGHER_BETTER, Polarity.LOWER_BETTER})
_NOTHING = re.compile(r"^\s*(none|no|nil|n/a|not applicable)\b", re.IGNORECASE)
_TITLE_LIMIT = 300


def empty() -> Content:
    return {"adopted": None, "priorities": []}


def loads(raw: str) -> Content:
    found: Content = json.loads(raw)
    return found


def dumps(content: Content) -> str:
    return canonical_json(content)


def content_hash(content: Content) -> str:
    """SHA-256 of the plan's exact content: what a signature is bound to."""
    return hashlib.sha256(dumps(content).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Suggestion:
    """An area for development the signed self-evaluation names: a priority the DCS may keep."""

    key: str
    label: str
    title: str


def suggestions(template: SefTemplate, sef_content: dict[str, dict[str, str]]) -> list[Suggestion]:
    """Each area for development, chapter by chapter, in the order it was written."""
    found = []
    for chapter in template.chapters:
        text = sef_content.get(chapter.id, {}).get("areas_for_development", "")
        for n, paragraph in enumerate(paragraphs(text), start=1):
            if _NOTHING.match(paragraph):
                continue
            title = " ".join(paragraph.split())
            if len(title) > _TITLE_LIMIT:
                title = title[: _TITLE_LIMIT - 1].rsplit(" ", 1)[0] + "…"
            label = f"Self-evaluation, {chapter.title}: area for development {n}"
            found.append(Suggestion(f"area_for_development:{chapter.id}:{n}", label, title))
    return found


def priority_from(data: PriorityInput, source: dict[str, str] | None) -> dict[str, Any]:
    """A priority as the content holds it."""
    written = data.model_dump(mode="json", exclude={"base_version"})
    return {**written, "source": source}


def priority_from_suggestion(found: Suggestion) -> dict[str, Any]:
    return {
        "title": found.title,
        "theory_of_change": None,
        "actions": [],
        "source": {"key": found.key, "label": found.label},
    }


def _measure_problem(measure: Any, indicators: dict[str, Indicator]) -> str | None:
    if measure.kind == MeasureKind.DESCRIBED:
        if not measure.description:
            return "describe the measure, or choose a core indicator"
        return None
    indicator = indicators.get(measure.indicator_id or "")
    if indicator is None:
        return "choose a core indicator from the list"
    values = [v for v in (measure.baseline, measure.target) if v is not None]
    if any(not indicator.valid_min <= v <= indicator.valid_max for v in values):
        return (
            f"a baseline or target for {indicator.name} must lie between "
            f"{indicator.valid_min:g} and {indicator.valid_max:g}"
        )
    if indicator.polarity not in DIRECTIONAL:
        if measure.target is not None:
            kind = "contextual" if indicator.polarity == Polarity.CONTEXTUAL else "two-sided"
            return (
                f"{indicator.name} is a {kind} indicator: it is monitored without a target, so "
                "leave the target blank"
            )
        return None
    if measure.baseline is None or measure.target is None:
        return f"give {indicator.name} a baseline and a target"
    higher = indicator.polarity == Polarity.HIGHER_BETTER
    if (measure.target <= measure.baseline) if higher else (measure.target >= measure.baseline):
        better = "higher" if higher else "lower"
        return f"for {indicator.name} {better} is better, so the target must be {better} than the baseline"
    return None


def _action_problems(n: int, action: ActionInput, indicators: dict[str, Indicator]) -> list[str]:
    problems = []
    if action.due_on < action.starts_on:
        problems.append(f"Action {n}: the due date must be on or after the start date")
    for m, measure in enumerate(action.measures, start=1):
        problem = _measure_problem(measure, indicators)
        if problem:
            problems.append(f"Action {n}, success measure {m}: {problem}")
    return problems


def check_priority(data: PriorityInput, indicators: dict[str, Indicator]) -> None:
    """InvalidInput, in plain words, for the first thing wrong with a priority's actions."""
    for n, action in enumerate(data.actions, start=1):
        problems = _action_problems(n, action, indicators)
        if problems:
            raise InvalidInput(problems[0] + ".", field="actions")


def missing_for_sign_off(content: Content) -> list[str]:
    """What a plan needs before it is submitted: a priority, and actions under each."""
    priorities = content["priorities"]
    if not priorities:
        return ["at least one priority"]
    return [
        f"priority {n} ('{p['title']}') needs at least one action"
        for n, p in enumerate(priorities, start=1)
        if not p["actions"]
    ]
