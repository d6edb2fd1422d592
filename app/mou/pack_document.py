"""The MoU pack as a document: the agreed text, who has signed which version, and how to check
it. Plain data that templates/pdf/mou.html prints; app.mou.pack builds it from the database."""

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Literal

from app.pack import inputs
from app.pack.render import render_template_pdf
from app.structured_text import Block

SignatureStatus = Literal["signed", "declined", "outstanding"]


@dataclass(frozen=True)
class MouPackSignatureRow:
    role_label: str
    status: SignatureStatus
    name: str | None
    at: datetime | None
    content_hash: str | None
    statement: str | None
    reason: str | None


@dataclass(frozen=True)
class MouPackOrganisation:
    name: str
    code: str
    kind_label: str
    complete: bool
    rows: tuple[MouPackSignatureRow, ...]
    # Which version binds it and since when (app.mou.binding), in the tracker's words.
    binding_state: str = "not_signed"
    binding_text: str = ""


@dataclass(frozen=True)
class MouPackSupersededVersion:
    version_number: int
    content_hash: str
    published_at: datetime | None
    signatures_count: int


@dataclass(frozen=True)
class MouPack:
    region_name: str
    riia: str
    cycle_year: str
    title: str
    blocks: tuple[Block, ...]
    version_number: int
    content_hash: str
    published_at: datetime | None
    published_by: str | None
    in_force: bool
    status_text: str
    organisations: tuple[MouPackOrganisation, ...]
    outstanding: tuple[str, ...]
    superseded_versions: tuple[MouPackSupersededVersion, ...]
    # The MoU lasts across cycles: this cycle's review, and a revised version's changeover.
    review_text: str
    changeover_on: date | None
    audit_head_sequence: int
    audit_head_hash: str
    rendered_at: datetime

    @property
    def matrix_roles(self) -> tuple[str, ...]:
        """The signature schedule's columns: every signatory role, in the order first listed."""
        return tuple(dict.fromkeys(row.role_label for o in self.organisations for row in o.rows))

    @property
    def example_signature(self) -> "MouPackSignatureRow | None":
        """One signature, to show the words of the statement each signatory confirms."""
        return next(
            (r for o in self.organisations for r in o.rows if r.statement is not None), None
        )

    @property
    def declined(self) -> tuple[tuple[str, MouPackSignatureRow], ...]:
        """(organisation name, row) for each signatory whose latest decision is to decline."""
        return tuple(
            (o.name, r) for o in self.organisations for r in o.rows if r.status == "declined"
        )


def pack_input_hash(pack: MouPack) -> str:
    """SHA-256 of every input but rendered_at: equal inputs give an equal cache key."""
    data = asdict(pack)
    del data["rendered_at"]
    return inputs.input_hash("mou_pack", data)


def render_mou_pack(pack: MouPack) -> bytes:
    """Print the MoU pack as a tagged PDF; CPU-bound, so call it off the event loop."""
    title = f"{pack.riia}: Memorandum of Understanding {pack.cycle_year}"
    return render_template_pdf("mou.html", {"pack": pack, "pack_title": title}, title=title)
