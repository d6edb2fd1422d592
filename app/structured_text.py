"""Plain structured text: headings, paragraphs and lists, never raw HTML.

Documents such as the MoU are written in a small, forgiving notation so that a coordinator can
edit them in one text box:

    # A heading
    A paragraph runs until a blank line.

    - a list item
    - another item

Parsed blocks are what is stored, hashed, shown on pages and printed in packs; they carry text
only, so nothing a user writes is ever interpreted as markup.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str = ""
    items: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        if self.kind == "list":
            return {"kind": "list", "items": list(self.items)}
        return {"kind": self.kind, "text": self.text}


def parse(source: str) -> tuple[Block, ...]:
    """Parse the notation into blocks; whitespace is normalised so equal text hashes equally."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()
        if items:
            blocks.append(Block("list", items=tuple(items)))
            items.clear()

    for raw in source.replace("\r\n", "\n").split("\n"):
        line = " ".join(raw.split())
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            heading = line.lstrip("#").strip()
            if heading:
                blocks.append(Block("heading", heading))
        elif line.startswith(("- ", "* ")) or line in ("-", "*"):
            if paragraph:
                flush()
            item = line[1:].strip()
            if item:
                items.append(item)
        elif items:
            # A continuation line belongs to the list item above it.
            items[-1] = f"{items[-1]} {line}"
        else:
            paragraph.append(line)
    flush()
    return tuple(blocks)


def to_source(blocks: tuple[Block, ...]) -> str:
    """Write blocks back in the notation, for the editor."""
    parts: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            parts.append(f"# {block.text}")
        elif block.kind == "paragraph":
            parts.append(block.text)
        else:
            parts.append("\n".join(f"- {item}" for item in block.items))
    return "\n\n".join(parts) + ("\n" if parts else "")


def from_dicts(data: list[dict[str, object]]) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for entry in data:
        kind = entry["kind"]
        if kind == "list":
            raw_items = entry.get("items", [])
            assert isinstance(raw_items, list)
            blocks.append(Block("list", items=tuple(str(i) for i in raw_items)))
        elif kind in ("heading", "paragraph"):
            blocks.append(Block(kind, str(entry["text"])))  # type: ignore[arg-type]
        else:
            raise ValueError(f"unknown block kind {kind!r}")
    return tuple(blocks)


def canonical_json(value: object) -> str:
    """The one serialisation that hashes are taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(title: str, blocks: tuple[Block, ...]) -> str:
    """SHA-256 of a document's exact title and text: what a signature is bound to."""
    payload = canonical_json({"title": title, "blocks": [b.as_dict() for b in blocks]})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
