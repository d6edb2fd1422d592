"""Whole numbers that name a row (version numbers, ids), bounded to what the database can hold.

Every integer a route takes from its path, query string or body uses `Identifier`, so a number
past what the column holds is refused as input before any SQL is sent, instead of overflowing in
the driver as a 500 (issue 9). tests/integration/test_identifiers.py walks every route and fails
on an integer parameter that is not bounded.

A path identifier out of range names nothing, so it is a 404 (app.error_responses); a query or
body one is a 422 naming the field.
"""

from typing import Annotated

from annotated_types import Ge, Le

# Every id and number column is INTEGER (migrations/versions): signed 32-bit in PostgreSQL, the
# smaller of the two databases (SQLite's is 64-bit). Schemathesis found 2**63 - 2 failing there.
MAX_IDENTIFIER = 2**31 - 1

Identifier = Annotated[int, Ge(1), Le(MAX_IDENTIFIER)]

# What a path identifier names, for the 404 when it is out of range or not a number at all.
NOT_FOUND_BY_PARAMETER = {
    "number": "There is no such version.",
    "comment_id": "There is no such comment on this self-evaluation.",
    "contributor_id": "That person is not assigned to a chapter of this self-evaluation.",
    "token_id": "There is no such API token among yours.",
}
NOT_FOUND = "There is nothing at this address. If you typed the web address, check it is correct."
