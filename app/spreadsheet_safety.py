"""Keeping spreadsheet cells we write from being run as formulas (CSV or formula injection)."""

# Excel, LibreOffice and Google Sheets treat a cell that starts with one of these as a formula;
# tab and carriage return are on OWASP's list too, as they can hide such a start.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading quote; other values pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
