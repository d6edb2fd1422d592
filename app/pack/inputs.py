"""The cache key of a pack: SHA-256 of everything it prints, the same way for every kind of pack.

Equal inputs give an equal key, so an unchanged pack is served from the cache and never rendered
twice; anything printed only as provenance (when it was rendered) is left out by the caller.
"""

import hashlib
from datetime import UTC, date, datetime

from app.structured_text import canonical_json


def jsonable(value: object) -> object:
    """Plain JSON data from what `dataclasses.asdict` gives (tuples kept, dates as objects)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        # One instant, one key: a naive value is UTC that lost its zone (as the database stores),
        # and a UTC and a London spelling of the same moment hash equally.
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # Markup (a chart's SVG) hashes as its text
    return value


def input_hash(kind: str, inputs: object) -> str:
    """SHA-256 of the pack's kind and its inputs."""
    payload = canonical_json({"kind": kind, "context": jsonable(inputs)})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
