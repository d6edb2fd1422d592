"""Reading and checking a returns file: every rule, with its exact message, row and column."""

import io
import zipfile

import openpyxl
import pytest

from app.errors import FileRejected, InvalidInput, PayloadTooLarge, RowProblem
from app.reference import get_reference
from app.returns import parsing, row_checks
from app.returns.periods import Quarter
from app.returns.template_files import csv_template, xlsx_template
from app.spreadsheet_safety import formula_safe

Q1 = Quarter(2026, 1)
DERBY = "E06000015"
LEICESTER = "E06000016"
REGION = get_reference().regions["east-midlands"]
IDS = list(get_reference().indicators)
NAME = {i: indicator.name for i, indicator in get_reference().indicators.items()}


def long_csv(
    rows: dict[str, str] | None = None, la: str = DERBY, header: str = "la_code,indicator_id,value"
) -> bytes:
    """A complete plain long CSV for one LA: every indicator 1, with `rows` replacing values."""
    lines = [header]
    for indicator_id in IDS:
        lines.append(f"{la},{indicator_id},{(rows or {}).get(indicator_id, '1')}")
    return ("\n".join(lines) + "\n").encode()


def check(content: bytes, name: str = "r.csv", may: str | None = None) -> dict[str, list[object]]:
    table = parsing.read_table(name, content)
    return row_checks.check_rows(  # type: ignore[return-value]
        table, Q1, REGION, lambda code: may is None or code == may
    )


def problems(content: bytes, name: str = "r.csv", may: str | None = None) -> list[RowProblem]:
    with pytest.raises(FileRejected) as caught:
        check(content, name, may)
    return caught.value.problems


def test_a_complete_long_csv_gives_each_value() -> None:
    by_la = check(long_csv({IDS[0]: "12.5", IDS[1]: "C"}))
    values = by_la[DERBY]
    assert len(values) == 20
    assert (values[0].value, values[0].missing_code) == (12.5, None)  # type: ignore[attr-defined]
    assert (values[1].value, values[1].missing_code) == (None, "c")  # type: ignore[attr-defined]


def test_an_empty_value_cell_is_an_error() -> None:
    assert problems(long_csv({IDS[0]: ""})) == [
        RowProblem(2, "value", f"{NAME[IDS[0]]}: enter a value or a DfE code (c, x, z or u)")
    ]


def test_a_value_outside_the_valid_range() -> None:
    assert problems(long_csv({"rereferrals_within_12m_pct": "100.5"})) == [
        RowProblem(
            3,
            "value",
            "100.5 is outside the range for Re-referrals within 12 months: "
            "enter a number from 0 to 100",
        )
    ]


def test_too_many_decimal_places() -> None:
    found = problems(long_csv({"referrals_rate_per_10k": "1.25"}))
    assert found == [
        RowProblem(
            2,
            "value",
            "1.25 has too many decimal places: give Rate of referrals to children's social care "
            "to 1 decimal place",
        )
    ]


def test_text_that_is_neither_number_nor_code() -> None:
    assert problems(long_csv({IDS[0]: "n/a"})) == [
        RowProblem(
            2,
            "value",
            f"{NAME[IDS[0]]}: “n/a” is not a number or a DfE code: enter a number like 12.5, "
            "or c, x, z or u",
        )
    ]


def test_an_old_dfe_code_is_named_with_its_ons_code() -> None:
    assert problems(long_csv(la="925"))[0] == RowProblem(
        2, "la_code", "925 looks like an old DfE code: use the ONS code E10000019"
    )


def test_an_unknown_la_code() -> None:
    assert problems(long_csv(la="E99999999"))[0] == RowProblem(
        2, "la_code", "E99999999 is not an LA code we know: use the LA's ONS code, like E06000015"
    )


def test_an_la_of_another_region() -> None:
    assert problems(long_csv(la="E08000025"))[0] == RowProblem(
        2,
        "la_code",
        "Birmingham (E08000025) is not in East Midlands: a file can only hold East Midlands's returns",
    )


def test_an_la_the_person_may_not_submit_for() -> None:
    assert problems(long_csv(la=LEICESTER), may=DERBY)[0] == RowProblem(
        2,
        "la_code",
        "You cannot submit Leicester's return: you can submit only for your own authority",
    )


def test_an_unknown_indicator() -> None:
    content = long_csv() + f"{DERBY},made_up,1\n".encode()
    assert problems(content) == [
        RowProblem(
            22,
            "indicator_id",
            "made_up is not a core indicator: use an indicator_id from the template",
        )
    ]


def test_a_duplicate_row() -> None:
    content = long_csv() + f"{DERBY},{IDS[0]},2\n".encode()
    assert problems(content) == [
        RowProblem(
            22, "indicator_id", f"Derby has “{NAME[IDS[0]]}” ({IDS[0]}) twice: see also row 2"
        )
    ]


def test_a_missing_indicator_row() -> None:
    content = b"\n".join(long_csv().splitlines()[:-1]) + b"\n"
    assert problems(content) == [
        RowProblem(
            None,
            "indicator_id",
            f"Derby has no row for “{NAME[IDS[-1]]}” ({IDS[-1]}): add it, with a DfE code "
            "(c, x, z or u) if there is no value",
        )
    ]


def test_a_wrong_period() -> None:
    rows = csv_template("east-midlands", Quarter(2026, 2), [DERBY]).decode("utf-8-sig")
    filled = rows.replace(",,\r\n", ",1,\r\n")
    found = problems(filled.encode())
    assert len(found) == 20
    assert found[0] == RowProblem(
        2,
        "period",
        "The period is “2026-27 Q2” but you are importing 2026-27 Q1: use the template for 2026-27 Q1",
    )


def test_missing_required_columns() -> None:
    assert problems(b"la_code,indicator\nE06000015,x\n") == [
        RowProblem(
            1,
            "indicator_id",
            "There is no indicator_id column: the first row must name the columns la_code, "
            "indicator_id and value",
        ),
        RowProblem(
            1,
            "value",
            "There is no value column: the first row must name the columns la_code, "
            "indicator_id and value",
        ),
    ]


def test_commentary_longer_than_500_characters() -> None:
    content = long_csv(header="la_code,indicator_id,value,commentary").replace(
        b"\n" + f"{DERBY},{IDS[0]},1".encode() + b"\n",
        b"\n" + f"{DERBY},{IDS[0]},1,{'a' * 501}".encode() + b"\n",
    )
    assert problems(content) == [
        RowProblem(
            2,
            "commentary",
            f"The commentary on “{NAME[IDS[0]]}” is 501 characters: keep it to 500 or fewer",
        )
    ]


def test_every_problem_is_reported_at_once() -> None:
    found = problems(long_csv({IDS[0]: "", IDS[1]: "x1", IDS[2]: "-1"}))
    assert [(p.row, p.column) for p in found] == [(2, "value"), (3, "value"), (4, "value")]


def test_a_bom_and_windows_line_endings_are_read() -> None:
    content = b"\xef\xbb\xbf" + long_csv().replace(b"\n", b"\r\n")
    assert len(check(content)[DERBY]) == 20


def test_a_file_that_is_not_utf8() -> None:
    with pytest.raises(InvalidInput) as caught:
        parsing.read_table("r.csv", "la_code,indicator_id,value\nCaf\xe9,a,1\n".encode("latin-1"))
    assert caught.value.message == (
        "The file is not saved as UTF-8 text, so it could not be read. In Excel, choose "
        "Save As and then “CSV UTF-8 (Comma delimited)”."
    )


def test_semicolons_are_named() -> None:
    with pytest.raises(InvalidInput) as caught:
        parsing.read_table("r.csv", b"la_code;indicator_id;value\nE06000015;a;1\n")
    assert caught.value.message == (
        "The columns are separated by semicolons: save the file as CSV with commas"
    )


def test_a_file_over_2_mb_is_not_read() -> None:
    with pytest.raises(PayloadTooLarge) as caught:
        parsing.read_table("r.csv", b"x" * (parsing.MAX_FILE_BYTES + 1))
    assert caught.value.status_code == 413


def test_more_than_5000_rows_are_refused() -> None:
    content = b"la_code,indicator_id,value\n" + b"E06000015,a,1\n" * 5001
    with pytest.raises(InvalidInput) as caught:
        parsing.read_table("r.csv", content)
    assert (
        caught.value.message
        == "The file has more than 5,000 rows of values, the most one file may hold"
    )


def test_a_zip_bomb_is_refused_before_opening() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (30 * 1024 * 1024))
    assert len(out.getvalue()) < parsing.MAX_FILE_BYTES
    with pytest.raises(InvalidInput) as caught:
        parsing.read_table("r.xlsx", out.getvalue())
    assert caught.value.message.startswith("The spreadsheet unpacks to far more")


def test_a_file_named_xlsx_that_is_not_a_zip() -> None:
    with pytest.raises(InvalidInput) as caught:
        parsing.read_table("r.xlsx", b"la_code,indicator_id,value\n")
    assert caught.value.message.startswith("The file could not be opened as an XLSX spreadsheet")


def test_the_xlsx_template_round_trips() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_template("east-midlands", Q1, [DERBY])))
    assert book.sheetnames == ["Return", "Guidance"]
    sheet = book["Return"]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=7, value=3)
    sheet.cell(row=2, column=7, value="u")
    out = io.BytesIO()
    book.save(out)
    values = check(out.getvalue(), "filled.xlsx")[DERBY]
    assert [v.missing_code for v in values[:2]] == ["u", None]  # type: ignore[attr-defined]
    assert values[1].value == 3.0  # type: ignore[attr-defined]


def test_the_guidance_sheet_explains_each_indicator_and_code() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_template("east-midlands", Q1, [DERBY])))
    rows = list(book["Guidance"].iter_rows(values_only=True))
    assert rows[0][:7] == (
        "indicator_id",
        "indicator_name",
        "definition",
        "unit",
        "which way is better",
        "valid range",
        "decimal places",
    )
    assert rows[1][0] == IDS[0] and rows[1][5] == "0 to 10000" and rows[1][6] == "1"
    assert [r[0] for r in rows[-4:]] == ["c", "x", "z", "u"]


def test_formula_safe_neutralises_formula_starts() -> None:
    assert [formula_safe(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "Derby", 5)] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "Derby",
        5,
    ]
