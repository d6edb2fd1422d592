"""Finds sentences that state an inspection outcome: an Ofsted grade word beside an inspection.

The demonstration writes invented text about real councils, so it may never say what an
inspection found (issue 10). A chapter's self-assessed grade is the authority's own view and
carries no inspection word; "Ofsted judged us Good in 2023" does, and is refused.
"""

import re

_GRADE = re.compile(r"\b(outstanding|good|requires improvement|inadequate)\b", re.I)
_INSPECTION = re.compile(
    r"\b(ofsted|inspect\w*|ilacs|jtai|judged|rated|monitoring visits?|focused visits?)\b", re.I
)
# Sentences end at a full stop, question or exclamation mark, or a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def inspection_claims(text: str) -> list[str]:
    """Each sentence of `text` naming both an inspection and a grade on Ofsted's scale."""
    return [
        " ".join(sentence.split())
        for sentence in _SENTENCE_END.split(text)
        if _GRADE.search(sentence) and _INSPECTION.search(sentence)
    ]
