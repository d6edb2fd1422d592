"""The self-evaluation pack's data appendix: each indicator once, and what each chapter cites.

The data profile used to be printed beside every chapter, so an indicator shown beside two
chapters was printed twice and every chapter carried the same note, strengths and risks
(packs.md rule 5: say each thing once). The appendix numbers each indicator (A1, A2, ...) in the
order the chapters first cite it; a chapter lists the numbers it relies on. Everything here is
derived from the pack's profile, which its cache key already hashes, so nothing new is hashed.
"""

from dataclasses import dataclass

from app.benchmarks.charts import NO_VALUE
from app.benchmarks.flags import Flag
from app.benchmarks.pack import IndicatorProfile
from app.self_evaluation.profile import SefDataProfile


@dataclass(frozen=True)
class TrendTable:
    """The chart's data, quarters across: only quarters and series with a figure."""

    caption: str
    quarters: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (series label, a value per quarter)
    quarters_left_out: int


@dataclass(frozen=True)
class AppendixIndicator:
    ref: str  # "A1"
    item: IndicatorProfile
    chapter_numbers: tuple[int, ...]  # the chapters that cite it, numbered as printed
    strength: str | None  # why it is a strength this quarter, if it is one
    flags: tuple[Flag, ...]  # its signatures of risk this quarter
    table: TrendTable


@dataclass(frozen=True)
class ChapterCitation:
    ref: str
    name: str
    note: str  # "strength", "signature of risk", both, or ""


@dataclass(frozen=True)
class Appendix:
    indicators: tuple[AppendixIndicator, ...]
    citations: dict[str, tuple[ChapterCitation, ...]]  # by chapter id
    # Flags on no indicator of the chapters (late returns, disengagement): listed once, apart.
    other_flags: tuple[Flag, ...]
    quarters_left_out: int  # the most quarters any indicator left out, to say so once

    def ref_of(self, name: str) -> str | None:
        """The appendix number of the indicator with this name (strengths carry names)."""
        return next((a.ref for a in self.indicators if a.item.name == name), None)


def _common_unit(cells: list[str]) -> str:
    """ " per 10,000 children" when every figure ends with it, so the caption says it once."""
    units = {cell.partition(" ")[2] for cell in cells if cell != NO_VALUE}
    unit = units.pop() if len(units) == 1 else ""
    return f" {unit}" if unit else ""


def trend_table(item: IndicatorProfile) -> TrendTable:
    """The chart's table turned quarters-across, without the quarters or series with no figure."""
    table = item.chart.table
    labels = table.headers[1:]
    kept = [row for row in table.rows if any(cell != NO_VALUE for cell in row[1:])]
    unit = _common_unit([cell for row in kept for cell in row[1:]])
    series = tuple(
        (label, tuple(row[i + 1].removesuffix(unit) for row in kept))
        for i, label in enumerate(labels)
        if any(row[i + 1] != NO_VALUE for row in kept)
    )
    return TrendTable(
        caption=f"{table.caption} ({unit.strip()})" if unit else table.caption,
        quarters=tuple(row[0] for row in kept),
        rows=series,
        quarters_left_out=len(table.rows) - len(kept),
    )


def _note(strength: bool, flagged: bool) -> str:
    if strength and flagged:
        return "strength and signature of risk"
    return "strength" if strength else "signature of risk" if flagged else ""


def build_appendix(profile: SefDataProfile, chapter_ids: tuple[str, ...]) -> Appendix:
    """Number each indicator once, in the order the chapters first cite it."""
    strengths = dict(profile.strengths)
    order: list[str] = []
    items: dict[str, IndicatorProfile] = {}
    cited_by: dict[str, list[int]] = {}
    for number, chapter_id in enumerate(chapter_ids, start=1):
        for item in profile.chapters[chapter_id].indicators:
            if item.indicator_id not in items:
                order.append(item.indicator_id)
                items[item.indicator_id] = item
            cited_by.setdefault(item.indicator_id, []).append(number)
    flags_of: dict[str, list[Flag]] = {}
    for flag in profile.flags:
        if flag.indicator_id in items:
            flags_of.setdefault(flag.indicator_id, []).append(flag)
    indicators = tuple(
        AppendixIndicator(
            ref=f"A{n}",
            item=items[i],
            chapter_numbers=tuple(cited_by[i]),
            strength=strengths.get(items[i].name),
            flags=tuple(flags_of.get(i, ())),
            table=trend_table(items[i]),
        )
        for n, i in enumerate(order, start=1)
    )
    by_id = {a.item.indicator_id: a for a in indicators}
    citations = {
        chapter_id: tuple(
            ChapterCitation(
                ref=by_id[item.indicator_id].ref,
                name=item.name,
                note=_note(
                    by_id[item.indicator_id].strength is not None,
                    bool(by_id[item.indicator_id].flags),
                ),
            )
            for item in profile.chapters[chapter_id].indicators
        )
        for chapter_id in chapter_ids
    }
    return Appendix(
        indicators=indicators,
        citations=citations,
        other_flags=tuple(f for f in profile.flags if f.indicator_id not in items),
        quarters_left_out=max((a.table.quarters_left_out for a in indicators), default=0),
    )
