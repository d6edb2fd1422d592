"""Whether the MoU in force still says what the region file's data terms make the service do.

The data terms are enforced from the region file (app/returns/visibility.py,
app/self_evaluation/access.py). A version's text was written from the terms of its day
(app/reference/terms_text.py), so if the region file changes, the signed text no longer
describes the service: the coordinator is told to publish a new version for signature.
"""

import json

from app import structured_text
from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.models import MouVersion
from app.mou.status import MouStatus
from app.reference import get_reference
from app.reference.models import Region
from app.reference.terms_text import (
    challenge_sentence,
    record_sentence,
    release_sentence,
    self_evaluation_sentence,
)
from app.structured_text import Block


def _text(blocks: tuple[Block, ...]) -> str:
    return " ".join(" ".join((b.text, *b.items)) for b in blocks)


def _wanted(region: Region) -> tuple[str, ...]:
    terms = region.data_terms
    return (
        release_sentence(terms),
        self_evaluation_sentence(terms),
        challenge_sentence(region),
        record_sentence(terms),
    )


def says_current_terms(blocks: tuple[Block, ...], region: Region) -> bool:
    """The version's text contains every sentence the current data terms produce."""
    text = _text(blocks)
    return all(sentence in text for sentence in _wanted(region))


def terms_warning(
    version: MouVersion | None, blocks: tuple[Block, ...], region: Region, in_force: bool
) -> str | None:
    """The coordinator's warning when the region file's terms differ from the version's."""
    if version is None or says_current_terms(blocks, region):
        return None
    done = "signed" if in_force else "published"
    return (
        f"The data terms in the region file have changed since version {version.number} "
        f"was {done}: publish a new version."
    )


def warning_for(principal: Principal | None, status: MouStatus) -> str | None:
    """Shown to the region's MoU editors (the coordinator), on the MoU page and the tracker."""
    cycle = status.cycle
    if status.current is None or not can(principal, Action.EDIT_MOU, Scope(cycle.region_id)):
        return None
    region = get_reference().regions[cycle.region_id]
    blocks = structured_text.from_dicts(json.loads(status.current.content))
    return terms_warning(status.current, blocks, region, status.in_force)


def _sections(blocks: tuple[Block, ...]) -> list[tuple[Block, ...]]:
    """The text cut at each heading (anything before the first heading is its own section)."""
    sections: list[list[Block]] = [[]]
    for block in blocks:
        if block.kind == "heading":
            sections.append([])
        sections[-1].append(block)
    return [tuple(s) for s in sections if s]


def with_current_terms(
    blocks: tuple[Block, ...], template: tuple[Block, ...], region: Region
) -> tuple[Block, ...]:
    """A published text to edit from, with its data-terms sections rewritten from the region file.

    Only the sections the terms are printed in are replaced by the template's (the
    coordinator's other edits stay); if the terms still are not said, the template is used.
    """
    if says_current_terms(blocks, region):
        return blocks
    sentences = _wanted(region)
    carrying = {
        s[0].text: s
        for s in _sections(template)
        if s[0].kind == "heading" and any(x in _text(s) for x in sentences)
    }
    rebuilt = tuple(
        block for section in _sections(blocks) for block in carrying.get(section[0].text, section)
    )
    return rebuilt if says_current_terms(rebuilt, region) else template
