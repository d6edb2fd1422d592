"""Every kind of history entry the service writes has a visibility rule, or belongs to no cycle."""

import re
from pathlib import Path

from app.history.visibility import CYCLE_SUBJECTS, OUTSIDE_CYCLES

APP = Path(__file__).resolve().parents[2] / "app"


def test_every_subject_the_service_records_has_a_rule() -> None:
    # Written as subject_type="kind", or as a (kind, id) subject (app/audit/entries.py).
    pattern = r'subject_type="([a-z_]+)"|\(\s*"([a-z_]+)",\s*[a-z_]+\.id\)'
    written = {
        first or second
        for path in APP.rglob("*.py")
        for first, second in re.findall(pattern, path.read_text(encoding="utf-8"))
    }
    assert written == CYCLE_SUBJECTS | OUTSIDE_CYCLES
    assert not CYCLE_SUBJECTS & OUTSIDE_CYCLES
