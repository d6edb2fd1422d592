"""The quarterly returns of the demonstration: every quarter whose window has opened by today.

Windows follow the calendar (app/returns/windows.py: a quarter's return opens the day after it
ends and is due `returns_due_days` later). Last cycle's returns came in one regional file from
the coordinator; this cycle's from each data lead. Three mishaps are told once each, in the
latest closed quarters: Derby resubmits with a reason, Leicester's return is late, and
Lincolnshire's first file is refused whole before the fixed one goes in. While a window is open
today, three authorities have not submitted yet.
"""

from datetime import date, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy.orm import Session

from app import clock
from app.benchmarks import pack as indicator_pack
from app.benchmarks.published import import_published
from app.demo import PROFILED_LA, PUBLISHED_FILE, REGION, _email, _principal, _slug
from app.demo_indicators import as_long_csv, demo_values
from app.demo_play import Play, start_year
from app.errors import FileRejected
from app.reference import get_reference
from app.returns.periods import Quarter, quarters_of
from app.returns.schemas import ValueInput
from app.returns.service import import_file, submit_return

COORDINATOR = "coordinator@demo.riia.example"
DERBY, LEICESTER, LINCOLNSHIRE = "E06000015", "E06000016", "E10000019"
RESUBMIT_REASON = "Referrals corrected after a data cleanse removed duplicate contacts."


def window_of(quarter: Quarter) -> tuple[date, date]:
    """When the region's return for the quarter opens and closes (as create_windows sets it)."""
    due = get_reference().regions[REGION].data_terms.returns_due_days
    return quarter.ends_on + timedelta(days=1), quarter.ends_on + timedelta(days=due)


def _values_for(by_indicator: dict[str, float | str]) -> list[ValueInput]:
    return [
        ValueInput.model_validate(
            {"indicator_id": i, "missing_code": v}
            if isinstance(v, str)
            else {"indicator_id": i, "value": v}
        )
        for i, v in by_indicator.items()
    ]


class _Values:
    """The demo's values for both cycles' eight quarters, drawn once the published values are in
    (so a trend runs on across the year boundary)."""

    def __init__(self, session: Session, quarters: list[Quarter]) -> None:
        self.session, self.quarters = session, quarters
        self._drawn: dict[str, dict[str, dict[str, float | str]]] | None = None

    def of(self, quarter: Quarter) -> dict[str, dict[str, float | str]]:
        if self._drawn is None:
            self._drawn = demo_values(self.session, REGION, self.quarters)
        return self._drawn[str(quarter)]


def mishap_quarters(play: Play, last: str | None, this: str) -> dict[str, Quarter]:
    """Which quarter each mishap happens in: this cycle's closed quarters first, then last
    cycle's, latest first, so whichever day the demo runs the three stories are there once."""
    closed = [q for q in quarters_of(this) if window_of(q)[1] < play.today]
    slots = closed + (list(reversed(quarters_of(last)[:3])) if last else [])
    return dict(zip(("resubmitted", "late", "refused"), slots, strict=False))


def schedule_returns(play: Play, last: str | None, this: str, log: list[str]) -> None:
    """Both cycles' returns (only this cycle's when `last` is None, as the benchmarks seed)."""
    session = play.session
    earlier = quarters_of(last) if last else []
    region = get_reference().regions[REGION]

    def published() -> None:
        if PUBLISHED_FILE.exists():
            summary = import_published(session, PUBLISHED_FILE)
            log.append(
                f"Loaded {summary.total:,} DfE published values ({', '.join(summary.periods)}) "
                "as annual comparators"
            )
        else:
            log.append(f"DfE published values not found at {PUBLISHED_FILE}: no comparisons")

    play.add(date(start_year(last or this), 3, 3), published)
    values = _Values(session, earlier + quarters_of(this))
    mishaps = mishap_quarters(play, last, this)
    for quarter in earlier + quarters_of(this):
        opens, closes = window_of(quarter)
        left_out = set()
        if mishaps.get("late") == quarter:
            left_out.add(LEICESTER)
            _late(play, quarter, values, min(closes + timedelta(days=4), play.today), log)
        if mishaps.get("refused") == quarter:
            left_out.add(LINCOLNSHIRE)
            _refused_then_fixed(play, quarter, values, opens, log)
        if quarter in earlier:
            # Last cycle is complete: in the first days of April its Q4 file goes in at once.
            play.add(
                max(opens, min(opens + timedelta(days=5), play.today)),
                partial(_file, session, quarter, values, left_out, log),
            )
        else:
            for n, la in enumerate(region.local_authorities):
                if la.code in left_out:
                    continue
                # While a window is open, the last three authorities have not submitted yet.
                day = opens + timedelta(days=3 + n) if n < 7 else closes - timedelta(days=2)
                play.add(
                    day,
                    partial(_form_from, session, quarter, la.code, values),
                    9 + n % 8,
                )
        if mishaps.get("resubmitted") == quarter:
            play.add(opens + timedelta(days=12), partial(_resubmit, session, quarter, values, log))


def _file(
    session: Session, quarter: Quarter, values: _Values, left_out: set[str], log: list[str]
) -> None:
    rows = {c: v for c, v in values.of(quarter).items() if c not in left_out}
    result = import_file(
        session,
        _principal(session, COORDINATOR),
        REGION,
        quarter,
        f"east-midlands-{quarter.slug}.csv",
        as_long_csv(rows),
        demonstration=True,
    )
    log.append(f"{clock.today():%-d %B %Y}, {quarter}: {result.message}")


def _form(
    session: Session,
    quarter: Quarter,
    la_code: str,
    by_indicator: dict[str, float | str],
    reason: str | None = None,
) -> None:
    la = get_reference().regions[REGION].local_authority(la_code)
    submit_return(
        session,
        _principal(session, _email("data-lead", la.name)),
        REGION,
        quarter,
        la_code,
        _values_for(by_indicator),
        source="form",
        reason=reason,
        demonstration=True,
    )


def _form_from(session: Session, quarter: Quarter, la_code: str, values: _Values) -> None:
    _form(session, quarter, la_code, values.of(quarter)[la_code])


def _resubmit(session: Session, quarter: Quarter, values: _Values, log: list[str]) -> None:
    corrected = dict(values.of(quarter)[DERBY])
    corrected["referrals_rate_per_10k"] = round(
        float(corrected["referrals_rate_per_10k"]) * 0.96, 1
    )
    _form(session, quarter, DERBY, corrected, RESUBMIT_REASON)
    log.append(
        f"{clock.today():%-d %B %Y}, {quarter}: Derby resubmitted its return with a reason (version 2)"
    )


def _late(play: Play, quarter: Quarter, values: _Values, day: date, log: list[str]) -> None:
    def act() -> None:
        _form(play.session, quarter, LEICESTER, values.of(quarter)[LEICESTER])
        log.append(f"{clock.today():%-d %B %Y}, {quarter}: Leicester's return was late")

    play.add(day, act, 16)


def _refused_then_fixed(
    play: Play, quarter: Quarter, values: _Values, opens: date, log: list[str]
) -> None:
    session = play.session

    def upload(name: str, by_indicator: dict[str, float | str]) -> None:
        lincolnshire = get_reference().regions[REGION].local_authority(LINCOLNSHIRE)
        import_file(
            session,
            _principal(session, _email("data-lead", lincolnshire.name)),
            REGION,
            quarter,
            name,
            as_long_csv({LINCOLNSHIRE: by_indicator}),
            la_code=LINCOLNSHIRE,
            demonstration=True,
        )

    def refused() -> None:
        bad = dict(values.of(quarter)[LINCOLNSHIRE])
        bad["sw_agency_rate_fte_pct"] = 140.0
        bad["cla_rate_per_10k"] = "n/a"
        try:
            upload("lincolnshire.csv", bad)
        except FileRejected as refusal:
            log.append(
                f"{clock.today():%-d %B %Y}, {quarter}: Lincolnshire's first file was refused "
                f"whole, {len(refusal.problems)} problems, e.g. “{refusal.problems[0].message}”"
            )

    def fixed() -> None:
        upload("lincolnshire-fixed.csv", values.of(quarter)[LINCOLNSHIRE])
        log.append(f"{clock.today():%-d %B %Y}, {quarter}: Lincolnshire's corrected file went in")

    play.add(opens + timedelta(days=5), refused, 11)
    play.add(opens + timedelta(days=6), fixed, 11)


def latest_closed(play: Play, year: str) -> Quarter | None:
    closed = [q for q in quarters_of(year) if window_of(q)[1] < play.today]
    return closed[-1] if closed else None


def write_indicator_packs(play: Play, quarter: Quarter, out: Path, log: list[str]) -> list[Path]:
    """The region's data pack and Nottingham's profile for the quarter, read today."""
    session = play.session
    region = get_reference().regions[REGION]
    with play.now():
        coordinator = _principal(session, COORDINATOR)
        pack_path = out / f"data-pack-{REGION}-{quarter.slug}.pdf"
        pack_path.write_bytes(indicator_pack.data_pack_pdf(session, coordinator, REGION, quarter))
        name = _slug(region.local_authority(PROFILED_LA).name)
        profile_path = out / f"la-profile-{name}-{quarter.slug}.pdf"
        profile_path.write_bytes(
            indicator_pack.profile_pdf(session, coordinator, REGION, PROFILED_LA, quarter)
        )
    log.append(f"Wrote the {quarter} data pack and Nottingham's data profile to {out}")
    return [pack_path, profile_path]
