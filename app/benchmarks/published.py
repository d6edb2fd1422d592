"""DfE published annual values (England, regions, LAs) loaded as comparators.

The file's LA rows are matched on the ONS code (`new_la_code`); where DfE used a code we do not
hold (a new code after a boundary change, or a county's code before it became a unitary with the
same DfE number) the three-digit DfE code finds the LA. Rows for authorities that no longer exist
(Cumbria, Northamptonshire) are skipped. A joint row ("314 / 318") is stored for each LA it covers,
each pointing at the other through `joint_with`.
"""

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.audit.chain import record
from app.auth.accounts import SYSTEM
from app.models import PublishedValue
from app.reference import get_reference
from app.returns.periods import published_year

ENGLAND = "E92000001"
MISSING_CODES = frozenset({"c", "x", "z", "u", "low"})
# A blank cell in a DfE file means the figure is not available.
BLANK_CODE = "x"
_LEVELS = {"National": "national", "Regional": "regional", "Local authority": "la"}
REQUIRED_COLUMNS = ("indicator_id", "time_period", "geographic_level", "code", "new_la_code")


class PublishedFileError(ValueError):
    """The file is not a DfE published values file we can read."""


@dataclass(frozen=True)
class ImportSummary:
    stored: dict[str, int]  # level (national, regional, la) -> rows stored
    skipped: dict[str, int]  # reason -> rows skipped
    periods: tuple[str, ...]
    matched_on_dfe_code: int = 0
    unknown_indicators: tuple[str, ...] = field(default=())

    @property
    def total(self) -> int:
        return sum(self.stored.values())


def _value(text: str) -> tuple[float | None, str | None]:
    cleaned = text.strip()
    if cleaned == "":
        return None, BLANK_CODE
    if cleaned.lower() in MISSING_CODES:
        return None, cleaned.lower()
    return float(cleaned), None


class _Resolver:
    """LA codes in the file -> ONS codes we hold, counting how each row was matched."""

    def __init__(self) -> None:
        las = get_reference().local_authorities
        self.ons = {la.code for la in las}
        self.by_dfe = {la.dfe_code: la.code for la in las}
        self.by_dfe_used = 0

    def resolve(self, ons_text: str, dfe_text: str) -> list[str]:
        ons_parts = [p.strip() for p in ons_text.split("/") if p.strip()]
        dfe_parts = [p.strip() for p in dfe_text.split("/") if p.strip()]
        found: list[str] = []
        for index, ons in enumerate(ons_parts):
            if ons in self.ons:
                found.append(ons)
                continue
            dfe = dfe_parts[index] if index < len(dfe_parts) else ""
            if dfe in self.by_dfe:
                self.by_dfe_used += 1
                found.append(self.by_dfe[dfe])
        return found if len(found) == len(ons_parts) else []


def read_published(path: Path) -> tuple[list[dict[str, object]], ImportSummary]:
    """Rows ready to insert, and what was stored and skipped, without touching the database."""
    indicators = get_reference().indicators
    by_published_id = {pid: i.id for i in indicators.values() for pid in i.published_ids}
    resolver = _Resolver()
    rows: dict[tuple[str, str, str], dict[str, object]] = {}
    stored: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    unknown: set[str] = set()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise PublishedFileError(f"{path.name} has no column {', '.join(missing)}")
        for line in reader:
            indicator_id = by_published_id.get(line["indicator_id"].strip())
            if indicator_id is None:
                unknown.add(line["indicator_id"].strip())
                skipped["unknown indicator id"] += 1
                continue
            level = _LEVELS.get(line["geographic_level"].strip())
            if level is None:
                skipped["unknown geographic level"] += 1
                continue
            period = published_year(int(line["time_period"]))
            value, missing_code = _value(line.get("value") or "")
            if level == "la":
                codes = resolver.resolve(line["new_la_code"], line["code"])
                if not codes:
                    skipped["legacy or unknown LA"] += 1
                    continue
            else:
                codes = [line["code"].strip()]
            for code in codes:
                key = (indicator_id, period, code)
                if key in rows:
                    skipped["duplicate row"] += 1
                    continue
                joint = [c for c in codes if c != code]
                rows[key] = {
                    "indicator_id": indicator_id,
                    "period": period,
                    "level": level,
                    "code": code,
                    "value": value,
                    "missing_code": missing_code,
                    "joint_with": joint[0] if joint else None,
                }
                stored[level] += 1
    summary = ImportSummary(
        stored=dict(stored),
        skipped=dict(skipped),
        periods=tuple(sorted({k[1] for k in rows})),
        matched_on_dfe_code=resolver.by_dfe_used,
        unknown_indicators=tuple(sorted(unknown)),
    )
    return list(rows.values()), summary


def import_published(session: Session, path: Path) -> ImportSummary:
    """Replace the published values of every period in the file; typed missing values, never 0."""
    rows, summary = read_published(path)
    if summary.periods:
        # Replacing whole periods keeps a re-import idempotent and drops rows DfE withdrew.
        session.execute(delete(PublishedValue).where(PublishedValue.period.in_(summary.periods)))
    if rows:
        session.execute(insert(PublishedValue), rows)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    record(
        session,
        actor=SYSTEM,
        action="published.imported",
        summary=f"Loaded {summary.total} DfE published values for {', '.join(summary.periods)}",
        subject_type="published_values",
        subject_id=digest[:16],
        payload={
            "file": path.name,
            "sha256": digest,
            "stored": summary.stored,
            "skipped": summary.skipped,
            "periods": list(summary.periods),
        },
    )
    session.flush()
    return summary


def published_series(
    session: Session, code: str, indicator_id: str
) -> list[tuple[str, float | None, str | None]]:
    """(period, value, missing_code) of one area's published values, oldest first."""
    result = session.execute(
        select(PublishedValue.period, PublishedValue.value, PublishedValue.missing_code)
        .where(PublishedValue.code == code, PublishedValue.indicator_id == indicator_id)
        .order_by(PublishedValue.period)
    )
    return [(p, v, m) for p, v, m in result]
