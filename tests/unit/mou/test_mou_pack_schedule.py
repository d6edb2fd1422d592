"""The MoU pack's signature schedule: a matrix of organisation by role, each hash printed once."""

from app.mou.pack_document import render_mou_pack
from tests.unit.test_pack import VERSION_HASH, make_pack, pdf_text, squashed

EARLIER_HASH = "cd" * 32


def test_the_schedule_is_a_matrix_of_organisation_by_role() -> None:
    text = pdf_text(render_mou_pack(make_pack()))
    assert (
        "Signatures on version 2, by organisation and role "
        "Organisation Director of Children's Services Lead Member"
    ) in text
    # One row per organisation: each role's cell holds its state, name and time.
    assert (
        "Derby City Council Local authority, E06000015; complete "
        "SIGNED Alex Derby 14 May 2026 at 3:02pm "
        "SIGNED Councillor Sam Derby 14 May 2026 at 3:02pm"
    ) in text
    assert (
        "Rutland County Council Unitary authority, E06000017; incomplete "
        "SIGNED Priya Sharma 14 May 2026 at 3:02pm OUTSTANDING"
    ) in text
    # The statement's words are shown once, not beside every signature.
    assert text.count("I sign on behalf of my organisation") == 1


def test_each_version_hash_is_printed_exactly_once() -> None:
    flat = squashed(pdf_text(render_mou_pack(make_pack())))
    assert flat.count(VERSION_HASH) == 1  # on the cover, not beside each of 17 signatures
    assert flat.count(EARLIER_HASH) == 1  # in the table of earlier versions
