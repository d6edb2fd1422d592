"""Cycle years such as 2026-27, checked the same way by every stage's schemas."""

import re

YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def check_year(value: str) -> str:
    """A cycle year such as 2026-27: April of the first year to March of the next."""
    match = YEAR_PATTERN.match(value.strip())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError("Enter the cycle year like 2026-27")
    if not 2019 <= int(match.group(1)) <= 2100:
        raise ValueError("Enter a cycle year from 2019-20 onwards")
    return value.strip()
