"""The MoU's data terms, written from the region file: the signed text says what is enforced.

What the RISL may see, and when, is agreed in the MoU (seed 002_d98c8bcad6f8fe4d.txt:2493: RISLs
"access data each quarter ... as per the agreements set out in their MoUs"); members are wary of
how what they share will be used (002_d98c8bcad6f8fe4d.txt:2489). So these sentences are
generated from `data_terms` and from the rules that enforce them (app/returns/visibility.py,
app/self_evaluation/access.py: risl_may_read, can_see_scrutiny; app/challenge/record_access.py:
level), never typed by hand.
"""

from typing import TYPE_CHECKING

from app.structured_text import canonical_json

if TYPE_CHECKING:  # models imports this module to render the MoU template
    from app.reference.models import DataTerms, Region

RISL = "The Department for Education's Regional Improvement and Support Lead (RISL)"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def release_sentence(terms: "DataTerms") -> str:
    """app/returns/windows.py: region_release_on and risl_release_on."""
    days = terms.risl_release_days
    when = "on the same day" if days == 0 else f"{_days(days)} later (the release period)"
    return (
        "Other members of the region see an authority's quarterly figures from the day after "
        f"the quarter's return closes. {RISL} sees them {when}."
    )


def self_evaluation_sentence(terms: "DataTerms") -> str:
    """app/self_evaluation/access.py: risl_may_read."""
    if terms.risl_sees_signed_self_evaluations:
        return (
            "The RISL may read each self-evaluation once it has been signed off, "
            "but not while it is a draft."
        )
    return "The RISL may not read self-evaluations, signed off or not."


def challenge_sentence(region: "Region") -> str:
    """app/self_evaluation/access.py: can_see_scrutiny (is_scrutineer follows the region's scrutiny)."""
    peers = (
        "the region's moderators"
        if region.scrutiny == "moderation"
        else "the Directors of Children's Services of the other members of its triad"
    )
    return (
        "The challenge on each self-evaluation, its questions and answers, is seen only by "
        f"the authority concerned, {peers} and the regional coordinator. The RISL does not see it."
    )


def record_sentence(terms: "DataTerms") -> str:
    """app/challenge/record_access.py: level and shared_parts (the triad's record), and
    app/challenge/summary.py: whether the triad summary report names authorities."""
    named = (
        "names the authorities concerned"
        if terms.name_authorities_in_triad_summary
        else "names no authority"
    )
    return (
        "The record of each triad's challenge conversation, its key lines of enquiry included, "
        "is seen only by the triad's Directors of Children's Services and the triad reviewers "
        "named to it until all its members agree it; until then the regional coordinator sees "
        "only whether it is agreed. Once agreed, the coordinator and the other members of the "
        "alliance see its agreed summary: actions by improvement area, and support asked for "
        "and offered. The RISL does not see a record unless an authority shares its own part, "
        "which it may take back. The triad summary report to the alliance's board "
        f"{named}."
    )


def data_terms_source(region: "Region") -> str:
    """The data-terms list items, in the structured-text notation."""
    terms = region.data_terms
    return f"- {release_sentence(terms)}\n- {self_evaluation_sentence(terms)}"


def placeholders(region: "Region") -> dict[str, str]:
    """What the MoU template's {data_terms} and {triad_records} become for this region."""
    triad_records = f"{challenge_sentence(region)} {record_sentence(region.data_terms)}"
    return {"data_terms": data_terms_source(region), "triad_records": triad_records}


def terms_json(terms: "DataTerms") -> str:
    """The canonical form recorded with a published version (and compared at review)."""
    return canonical_json(terms.model_dump(mode="json"))
