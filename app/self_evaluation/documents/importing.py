"""A DCS starts from an existing self-evaluation: a DOCX's sections land as chapter drafts.

The sections come from app/self_evaluation/documents/docx_import.py, read before the write transaction; the DCS has
confirmed which chapter each goes to. The imported text replaces the parts of those chapters it
fills (the versions keep what was there) and is one new version, checked like a save: if someone
changed one of those chapters after the proposal was made, nothing is imported.
"""

from sqlalchemy.orm import Session

from app.auth.permissions import Action
from app.auth.principal import Principal
from app.errors import InvalidInput, StaleVersion
from app.models import Cycle, SefVersion
from app.self_evaluation.documents.docx_import import SECTION_CHARS, Section
from app.self_evaluation.documents.import_schemas import ImportInput
from app.self_evaluation.drafting import content, service
from app.self_evaluation.events import SefEvent
from app.workflow import SELF_EVALUATION, fire
from app.workflow.states import SefAction


def drafts(sections: list[Section], chapters: list[str]) -> dict[str, dict[str, str]]:
    """Chapter id -> the text of each part the chosen sections fill, in the document's order.

    Two sections for one chapter are joined, each under its own heading.
    """
    chosen: dict[str, list[Section]] = {}
    for section, chapter_id in zip(sections, chapters, strict=True):
        if chapter_id:
            chosen.setdefault(chapter_id, []).append(section)
    out: dict[str, dict[str, str]] = {}
    for chapter_id, parts in chosen.items():
        texts: dict[str, list[str]] = {}
        for section in parts:
            for name, text in section.fields.items():
                lead = [section.heading] if len(parts) > 1 and name == "narrative" else []
                texts.setdefault(name, []).append("\n\n".join([*lead, text]))
        out[chapter_id] = {n: "\n\n".join(t)[:SECTION_CHARS] for n, t in texts.items()}
    return out


def apply(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    filename: str,
    sections: list[Section],
    data: ImportInput,
) -> SefVersion:
    """The DCS's confirmed import, as one new version; audited."""
    service.require_dcs(principal, cycle, la_code, Action.EDIT_SEF)
    sef = service.get_sef(session, principal, cycle, la_code, lock=True)
    fire(SELF_EVALUATION, sef.state, SefAction.EDIT)  # refused before the sections are checked
    if len(data.chapters) != len(sections):
        raise InvalidInput(
            "The sections sent do not match the document: upload it again.", field="chapters"
        )
    titles = {c: service.chapter_of(sef, c).title for c in data.chapters if c}
    texts = drafts(sections, data.chapters)
    if not texts:
        raise InvalidInput("Choose a chapter for at least one section", field="chapters")
    latest = service.latest_version(session, sef)
    current = service.content_of(sef, latest)
    if data.base_version != (latest.number if latest else None):
        base = service.version(session, sef, data.base_version) if data.base_version else None
        opened = service.content_of(sef, base)
        changed = [titles[c] for c in texts if opened.get(c) != current.get(c)]
        if changed:
            raise StaleVersion(
                f"Someone changed {', '.join(repr(t) for t in changed)} after you uploaded the "
                "document. Nothing was imported: check the chapters, then confirm again.",
                field="chapters",
            )
    updated = current
    for chapter_id, parts in texts.items():
        updated = content.with_chapter(updated, chapter_id, {**current[chapter_id], **parts})
    why = f"{principal.display_name} imported {filename}"
    chosen = {
        c: [s.heading for s, t in zip(sections, data.chapters, strict=True) if t == c]
        for c in texts
    }
    return service.add_version(
        session,
        principal,
        cycle,
        sef,
        updated,
        chapter_id=None,
        why=why,
        history=lambda saved: service.entry(
            principal,
            cycle,
            sef,
            SefEvent.DOCX_IMPORTED,
            f"{why} into {len(texts)} chapter{'s' if len(texts) != 1 else ''} as version "
            f"{saved.number}",
            {
                "filename": filename,
                "file_sha256": data.file_sha256,
                "number": saved.number,
                "content_hash": saved.content_hash,
                "chapters": chosen,
            },
        ),
    )
