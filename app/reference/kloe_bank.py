"""The bank of optional prompts for key lines of enquiry (regions/kloe_bank.yaml), typed and checked.

Before its triad's challenge conversation each LA sets 3 to 6 key lines of enquiry (KLOEs), the
questions it wants its peers to test (../shared/docs/domain.md:57). The LA owns its questions; the
bank only offers prompts to start from: Ofsted's three questions, the challenge questions for
senior leaders in the seed practice briefing and the seed's "Audit of Service" grid, plus any a
region adds (issue 12). The file says where each shipped prompt comes from.
"""

import functools
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

from pydantic import Field, model_validator

from app.reference.files import ReferenceDataError, read_mapping, validate
from app.reference.loader import PROJECT_ROOT, get_reference
from app.reference.models import Frozen, NonEmpty

KLOE_BANK_FILE = "regions/kloe_bank.yaml"

PromptId = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class PromptSource(StrEnum):
    OFSTED = "ofsted"
    PRACTICE_BRIEFING = "practice_briefing"
    AUDIT_OF_SERVICE = "audit_of_service"
    REGION = "region"

    @property
    def label(self) -> str:
        """Where the prompt comes from, as a DCS would name it."""
        return _SOURCE_LABELS[self]


_SOURCE_LABELS = {
    PromptSource.OFSTED: "Ofsted's three questions",
    PromptSource.PRACTICE_BRIEFING: "Partners in Practice review: challenge questions for leaders",
    PromptSource.AUDIT_OF_SERVICE: "Audit of Service: conditions which support innovation",
    PromptSource.REGION: "Your region's own prompts",
}


class KloePrompt(Frozen):
    id: PromptId
    source: PromptSource
    theme: NonEmpty
    text: NonEmpty
    # Where the words come from (a seed's file:line or a public source); a region's own may omit it.
    cite: str = ""


class KloeBank(Frozen):
    prompts: tuple[KloePrompt, ...]
    regions: dict[str, tuple[KloePrompt, ...]] = {}

    @model_validator(mode="after")
    def _checked(self) -> "KloeBank":
        if any(p.source is PromptSource.REGION for p in self.prompts):
            raise ValueError("a shipped prompt cannot have source region (put it under regions:)")
        if any(not p.cite for p in self.prompts):
            raise ValueError("every shipped prompt says where it comes from (cite)")
        for region_id, own in self.regions.items():
            if any(p.source is not PromptSource.REGION for p in own):
                raise ValueError(f"{region_id}'s own prompts must have source region")
        ids = [p.id for p in self.prompts] + [p.id for own in self.regions.values() for p in own]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"prompt id listed twice: {', '.join(repeated)}")
        return self

    def for_region(self, region_id: str) -> tuple[KloePrompt, ...]:
        """The shipped prompts, then the region's own."""
        return self.prompts + self.regions.get(region_id, ())

    def by_id(self, region_id: str) -> MappingProxyType[str, KloePrompt]:
        """The prompts a region's LAs may pick, by id."""
        return MappingProxyType({p.id: p for p in self.for_region(region_id)})


def load_kloe_bank(root: Path, region_ids: frozenset[str]) -> KloeBank:
    """Read and check the bank; ReferenceDataError names the file and the problem."""
    path = root / KLOE_BANK_FILE
    if not path.is_file():
        raise ReferenceDataError(KLOE_BANK_FILE, "file not found")
    rel, data = read_mapping(root, path)
    bank = validate(KloeBank, data, rel)
    unknown = sorted(set(bank.regions) - region_ids)
    if unknown:
        raise ReferenceDataError(rel, f"unknown region {', '.join(unknown)} under regions")
    return bank


@functools.cache
def get_kloe_bank() -> KloeBank:
    """The project's KLOE bank, loaded once per process."""
    return load_kloe_bank(PROJECT_ROOT, frozenset(get_reference().regions))
