"""The MoU's plain structured text: parsed, written back, and hashed exactly."""

from hypothesis import given
from hypothesis import strategies as st

from app.structured_text import Block, content_hash, from_dicts, parse, to_source

SOURCE = """# Purpose

This memorandum sets out
how we work together.

- first item
  continues here
- second item

<script>alert(1)</script>
"""


def test_parse_headings_paragraphs_and_lists() -> None:
    assert parse(SOURCE) == (
        Block("heading", "Purpose"),
        Block("paragraph", "This memorandum sets out how we work together."),
        Block("list", items=("first item continues here", "second item")),
        Block("paragraph", "<script>alert(1)</script>"),
    )


def test_round_trip_through_the_editor_is_stable() -> None:
    blocks = parse(SOURCE)
    assert parse(to_source(blocks)) == blocks
    assert from_dicts([b.as_dict() for b in blocks]) == blocks


def test_hash_is_bound_to_exact_text_but_not_to_spacing() -> None:
    a = content_hash("MoU", parse("# A\n\nSome   text"))
    assert a == content_hash("MoU", parse("# A\r\n\r\nSome text\n\n"))
    assert a != content_hash("MoU", parse("# A\n\nSome text."))
    assert a != content_hash("MoU v2", parse("# A\n\nSome text"))
    assert len(a) == 64 and int(a, 16) >= 0


@given(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40), max_size=12)
)
def test_any_text_round_trips(lines: list[str]) -> None:
    blocks = parse("\n".join(lines))
    assert parse(to_source(blocks)) == blocks
