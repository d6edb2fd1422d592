"""An existing self-evaluation (DOCX) is cut into sections at its headings and matched to chapters."""

import pytest

from app.errors import InvalidInput
from app.reference import get_reference
from app.self_evaluation.documents import docx_import
from tests.sef_document_files import docx_bytes, zip_bytes

TEMPLATE = get_reference().sef_templates["sef-east-midlands"]
OFSTED_SEF = docx_bytes(
    ("Title", "Derby children's services self-evaluation"),
    ("", "Written for our Ofsted annual engagement meeting."),
    ("Heading 1", "Children in care"),
    ("", "Placement stability has improved."),
    ("", "Fewer children move school."),
    ("Heading 2", "Strengths"),
    ("", "Stable foster carers."),
    ("Heading 2", "Areas for development"),
    ("", "Sufficiency of local homes."),
    ("Heading 1", "Our workforce"),
    ("", "Agency use is down to 9%."),
    ("Heading 1", "Finance"),
    ("", "Spending is within budget."),
)


def test_headings_cut_the_document_into_sections_with_their_parts() -> None:
    sections = docx_import.read_sections(OFSTED_SEF)
    assert [(s.heading, s.fields) for s in sections] == [
        (
            "Derby children's services self-evaluation",
            {"narrative": "Written for our Ofsted annual engagement meeting."},
        ),
        (
            "Children in care",
            {
                "narrative": "Placement stability has improved.\n\nFewer children move school.",
                "strengths": "Stable foster carers.",
                "areas_for_development": "Sufficiency of local homes.",
            },
        ),
        ("Our workforce", {"narrative": "Agency use is down to 9%."}),
        ("Finance", {"narrative": "Spending is within budget."}),
    ]


def test_each_section_is_proposed_the_chapter_most_like_its_heading() -> None:
    sections = docx_import.read_sections(OFSTED_SEF)
    assert docx_import.propose(TEMPLATE, sections) == ["", "children-in-care", "workforce", ""]


def test_without_heading_styles_bold_lines_are_the_headings() -> None:
    body = docx_bytes(
        ("bold", "Care leavers"),
        ("", "Most care leavers are in touch."),
        ("bold", "Strengths:"),
        ("", "Personal advisers know them well."),
    )
    sections = docx_import.read_sections(body)
    assert [(s.heading, s.fields) for s in sections] == [
        (
            "Care leavers",
            {
                "narrative": "Most care leavers are in touch.",
                "strengths": "Personal advisers know them well.",
            },
        )
    ]
    assert docx_import.propose(TEMPLATE, sections) == ["care-leavers"]


@pytest.mark.parametrize(
    "body",
    [
        b"not a zip at all",
        zip_bytes({"[Content_Types].xml": b"<Types/>"}),
        zip_bytes({"[Content_Types].xml": b"<Types", "word/document.xml": b"<broken"}),
    ],
)
def test_a_malformed_docx_is_refused_plainly(body: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        docx_import.read_sections(body)
    assert refused.value.message == (
        "The selected file could not be read as a Word document. Open it in Word, save it as a "
        "Word document (.docx) and upload that."
    )


def test_a_document_without_text_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        docx_import.read_sections(docx_bytes(("Heading 1", "Only a heading")))
    assert refused.value.message == "The selected document has no text to import"
