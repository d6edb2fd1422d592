"""MoU pack: content, tagging and a fetcher that refuses everything but bundled assets."""

import dataclasses
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import BooleanObject

from app.mou.pack_document import (
    MouPack,
    MouPackOrganisation,
    MouPackSignatureRow,
    MouPackSupersededVersion,
    pack_input_hash,
    render_mou_pack,
)
from app.pack.environment import pack_env
from app.pack.render import BUNDLED_ASSETS, html_to_pdf, url_fetcher
from app.structured_text import content_hash, parse
from app.uk_dates import datetime_uk

MOU_SOURCE = """# Purpose
The East Midlands councils agree to take part in the 2026-27 sector-led improvement cycle.

# Commitments
- complete a self-evaluation by the agreed date
- take part in peer challenge with <b>candour</b> & openness
"""
TITLE = "East Midlands RIIA Memorandum of Understanding"
BLOCKS = parse(MOU_SOURCE)
VERSION_HASH = content_hash(TITLE, BLOCKS)
AUDIT_HASH = "ab" * 32
SIGNED_AT = datetime(2026, 5, 14, 14, 2, tzinfo=UTC)

COUNCILS = (
    ("Derby City Council", "E06000015"),
    ("Derbyshire County Council", "E10000007"),
    ("Leicester City Council", "E06000016"),
    ("Leicestershire County Council", "E10000018"),
    ("Lincolnshire County Council", "E10000019"),
    ("Nottingham City Council", "E06000018"),
    ("Nottinghamshire County Council", "E10000024"),
    ("Rutland County Council", "E06000017"),
    ("Northamptonshire Children's Trust", "NCT"),
)


def signed(role: str, name: str) -> MouPackSignatureRow:
    return MouPackSignatureRow(
        role_label=role,
        status="signed",
        name=name,
        at=SIGNED_AT,
        content_hash=VERSION_HASH,
        statement=f"I sign on behalf of my organisation as {role}.",
        reason=None,
    )


def organisation(name: str, code: str) -> MouPackOrganisation:
    if code == "E06000017":
        rows = (
            signed("Director of Children's Services", "Priya Sharma"),
            MouPackSignatureRow("Lead Member", "outstanding", None, None, None, None, None),
        )
        return MouPackOrganisation(name, code, "Unitary authority", False, rows)
    first = name.split()[0]
    rows = (
        signed("Director of Children's Services", f"Alex {first}"),
        signed("Lead Member", f"Councillor Sam {first}"),
    )
    return MouPackOrganisation(name, code, "Local authority", True, rows)


def make_pack(**changes: object) -> MouPack:
    pack = MouPack(
        region_name="East Midlands",
        riia="East Midlands RIIA",
        cycle_year="2026-27",
        title=TITLE,
        blocks=BLOCKS,
        version_number=2,
        content_hash=VERSION_HASH,
        published_at=datetime(2026, 5, 1, 9, 30, tzinfo=UTC),
        published_by="Jo Coordinator",
        in_force=False,
        status_text="Not in force: 1 signature outstanding",
        organisations=tuple(organisation(name, code) for name, code in COUNCILS),
        outstanding=("Rutland County Council: Lead Member",),
        superseded_versions=(
            MouPackSupersededVersion(1, "cd" * 32, datetime(2026, 4, 2, 11, 0, tzinfo=UTC), 7),
        ),
        review_text="Revised: version 2 published on 1 May 2026 by Jo Coordinator",
        changeover_on=date(2026, 6, 30),
        audit_head_sequence=412,
        audit_head_hash=AUDIT_HASH,
        rendered_at=datetime(2026, 5, 20, 8, 0, tzinfo=UTC),
    )
    return dataclasses.replace(pack, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def mou_pdf() -> bytes:
    return render_mou_pack(make_pack())


@pytest.fixture(scope="module")
def mou_text(mou_pdf: bytes) -> str:
    return pdf_text(mou_pdf)


def pdf_text(pdf: bytes) -> str:
    # Words only, single-spaced: table cells wrap names and titles across lines.
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pack_text_has_title_status_and_every_organisation(mou_text: str) -> None:
    assert "Memorandum of Understanding" in mou_text
    assert "East Midlands RIIA" in mou_text
    assert TITLE in mou_text
    assert "Not in force: 1 signature outstanding" in mou_text
    for name, _code in COUNCILS:
        assert name in mou_text
    assert "Priya Sharma" in mou_text
    assert "Councillor Sam Derbyshire" in mou_text
    assert "Rutland County Council: Lead Member" in mou_text
    assert "14 May 2026 at 3:02pm" in mou_text
    assert "Earlier versions" in mou_text
    # The MoU's lifetime: which version binds, this cycle's review, the changeover date.
    assert "Which version binds each organisation" in mou_text
    assert "Changeover date 30 June 2026: until then an organisation" in mou_text
    assert "Revised: version 2 published on 1 May 2026 by Jo Coordinator" in mou_text


def test_user_text_is_printed_as_text_not_markup(mou_text: str) -> None:
    assert "with <b>candour</b> & openness" in mou_text


def test_pack_prints_full_version_hash_and_audit_head(mou_text: str) -> None:
    flat = squashed(mou_text)
    assert VERSION_HASH in flat
    assert "cd" * 32 in flat
    assert AUDIT_HASH in flat
    assert "Entry 412" in mou_text


def test_in_force_status_is_printed() -> None:
    pack = make_pack(
        in_force=True, status_text="In force since 14 May 2026 at 3:02pm", outstanding=()
    )
    text = pdf_text(render_mou_pack(pack))
    assert "In force since 14 May 2026 at 3:02pm" in text
    assert "Nothing is outstanding." in text


def test_pack_is_tagged_with_title_and_language(mou_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(mou_pdf))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata is not None
    assert reader.metadata.title == "East Midlands RIIA: Memorandum of Understanding 2026-27"
    assert b"/EmbeddedFile" not in mou_pdf


def test_pack_pages_are_numbered(mou_text: str, mou_pdf: bytes) -> None:
    pages = len(PdfReader(io.BytesIO(mou_pdf)).pages)
    assert pages >= 3
    assert f"Page 1 of {pages}" in mou_text
    assert f"Page {pages} of {pages}" in mou_text


def test_fetcher_refuses_files_outside_assets() -> None:
    with pytest.raises(ValueError, match="not a bundled asset"):
        url_fetcher("file:///etc/hostname")


def test_fetcher_refuses_network_urls() -> None:
    for url in ("http://example.com/x.png", "https://example.com/x.png", "ftp://example.com/x"):
        with pytest.raises(ValueError, match="may not fetch"):
            url_fetcher(url)


def test_fetcher_refuses_dot_dot_escape() -> None:
    escape = BUNDLED_ASSETS.resolve().as_uri() + "/../render.py"
    with pytest.raises(ValueError, match="not a bundled asset"):
        url_fetcher(escape)


def test_fetcher_refuses_symlink_out_of_assets(tmp_path: Path) -> None:
    link = BUNDLED_ASSETS / f"test-link-{tmp_path.name}.txt"
    link.symlink_to("/etc/hostname")
    try:
        with pytest.raises(ValueError, match="not a bundled asset"):
            url_fetcher(link.as_uri())
    finally:
        link.unlink()


def test_fetcher_reads_data_urls() -> None:
    response = url_fetcher("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"
    assert response.content_type == "text/plain"
    response = url_fetcher("data:text/css,p%20%7B%7D")
    assert response.read() == b"p {}"
    assert response.content_type == "text/css"


def test_fetcher_reads_bundled_assets() -> None:
    response = url_fetcher((BUNDLED_ASSETS / "pack.css").resolve().as_uri())
    assert response.read() == (BUNDLED_ASSETS / "pack.css").read_bytes()
    assert response.content_type == "text/css"


def test_hostile_html_renders_without_fetching_anything(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # /etc/hostname may be two letters, which compressed streams can contain by chance, so a
    # long unique secret of our own stands beside it for the byte check.
    secret = b"SECRET-" + tmp_path.name.encode() + b"-do-not-embed"
    secret_file = tmp_path / "secret.txt"
    secret_file.write_bytes(secret)
    html = (
        '<html lang="en-GB"><head><title>Hostile</title>'
        '<link rel="attachment" href="file:///etc/hostname">'
        f'<link rel="attachment" href="{secret_file.as_uri()}">'
        f'<link rel="stylesheet" href="{secret_file.as_uri()}"></head>'
        '<body><p>Text</p><img src="http://127.0.0.1:9/x.png" alt="x">'
        '<img src="../render.py" alt="y"></body></html>'
    )
    pdf = html_to_pdf(html, title="Hostile")
    assert pdf.startswith(b"%PDF-")
    assert b"/EmbeddedFile" not in pdf
    assert b"/EmbeddedFiles" not in pdf
    assert b"/Filespec" not in pdf
    assert secret not in pdf
    # The refused images fall back to their alt text.
    assert pdf_text(pdf) == "Text xy"
    assert f"Failed to load stylesheet at {secret_file.as_uri()}" in caplog.text
    assert "Failed to load image at 'http://127.0.0.1:9/x.png'" in caplog.text


def test_input_hash_ignores_rendered_at() -> None:
    first = make_pack()
    later = make_pack(rendered_at=datetime(2027, 1, 1, tzinfo=UTC))
    assert pack_input_hash(first) == pack_input_hash(later)
    assert re.fullmatch(r"[0-9a-f]{64}", pack_input_hash(first))


def test_input_hash_changes_when_one_signature_changes() -> None:
    pack = make_pack()
    rutland = pack.organisations[7]
    declined = dataclasses.replace(
        rutland.rows[1], status="declined", name="Councillor Lee Rutland", reason="Not agreed"
    )
    changed_org = dataclasses.replace(rutland, rows=(rutland.rows[0], declined))
    changed = dataclasses.replace(
        pack, organisations=(*pack.organisations[:7], changed_org, *pack.organisations[8:])
    )
    assert pack_input_hash(changed) != pack_input_hash(pack)


def test_packs_and_pages_write_times_alike_in_london_time() -> None:
    # One formatter for pages and packs, so a pack never says "12:00pm" where the page said
    # "midday" (they disagreed before).
    assert datetime_uk(datetime(2026, 5, 14, 14, 2, tzinfo=UTC)) == "14 May 2026 at 3:02pm"
    assert datetime_uk(datetime(2026, 1, 5, 0, 7, tzinfo=UTC)) == "5 January 2026 at 12:07am"
    assert datetime_uk(datetime(2026, 7, 1, 11, 0)) == "1 July 2026 at midday"
    assert datetime_uk(datetime(2026, 1, 1, 0, 0)) == "1 January 2026 at midnight"
    assert datetime_uk(None) == ""
    page = pack_env().from_string("{{ moment | datetime_uk }}")
    assert page.render(moment=datetime(2026, 7, 1, 11, 0)) == "1 July 2026 at midday"


def test_declined_signature_prints_status_word_and_reason() -> None:
    pack = make_pack()
    rutland = pack.organisations[7]
    declined = dataclasses.replace(
        rutland.rows[1],
        status="declined",
        name="Councillor Lee Rutland",
        at=SIGNED_AT,
        content_hash=VERSION_HASH,
        reason="The timetable is not agreed",
    )
    changed_org = dataclasses.replace(rutland, rows=(rutland.rows[0], declined))
    text = pdf_text(
        render_mou_pack(
            dataclasses.replace(
                pack,
                organisations=(*pack.organisations[:7], changed_org, *pack.organisations[8:]),
            )
        )
    )
    # The cell says declined (shaded, and in words); the reason is listed once, under the matrix.
    assert (
        "Rutland County Council Unitary authority, E06000017; incomplete "
        "SIGNED Priya Sharma 14 May 2026 at 3:02pm "
        "DECLINED Councillor Lee Rutland 14 May 2026 at 3:02pm"
    ) in text
    assert (
        "Declined Rutland County Council, Lead Member (Councillor Lee Rutland), "
        "14 May 2026 at 3:02pm: The timetable is not agreed"
    ) in text
    assert text.count("The timetable is not agreed") == 1
