"""No demonstration text states an inspection outcome about a real council (issue 10).

The played demonstration's stored text is scanned too, in test_demo_notice_packs.py.
"""

import ast
from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT
from tests.inspection_claims import inspection_claims

DEMO_MODULES = sorted((PROJECT_ROOT / "app").glob("demo*.py"))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Ofsted judged us Good in 2023. We have kept it since.", ["Ofsted judged us Good in 2023."]),
        ("Our inspection found practice requires improvement", ["Our inspection found practice "
         "requires improvement"]),
        ("The 2024 ILACS rated help and protection inadequate.", ["The 2024 ILACS rated help and "
         "protection inadequate."]),
        ("Practice here is consistently good, with pockets we are still lifting.", []),
        ("We read the evidence in this chapter as good rather than outstanding.", []),
        ("Grades are the authority's own judgement on the Ofsted scale.", []),
    ],
)  # fmt: skip
def test_a_sentence_naming_an_inspection_and_a_grade_is_a_claim(
    text: str, found: list[str]
) -> None:
    assert inspection_claims(text) == found


def _strings(path: Path) -> list[str]:
    """Every string constant in a module, f-strings' literal parts included (docstrings too)."""
    return [
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_no_demonstration_module_writes_an_inspection_outcome() -> None:
    assert len(DEMO_MODULES) >= 9
    claims = {
        f"{path.name}: {claim}"
        for path in DEMO_MODULES
        for text in _strings(path)
        for claim in inspection_claims(text)
    }
    assert claims == set()
