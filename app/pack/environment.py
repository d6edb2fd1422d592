"""The Jinja environment packs render with: the web's shared one when it exists."""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"

_local_env: Environment | None = None


def pack_env() -> Environment:
    """Return the shared web environment, so pages and packs share filters and autoescaping."""
    try:
        # Imported late: app.web may itself import the pack modules.
        from app.web import env
    except ModuleNotFoundError as error:
        # Only a missing app.web falls back; any other broken import must surface.
        if error.name not in ("app.web", "app"):
            raise
        return _fallback_env()
    shared: Environment = env
    return shared


def _fallback_env() -> Environment:
    # Before app.web exists (and in unit tests): the same kind of environment, autoescaped.
    global _local_env
    if _local_env is None:
        _local_env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True)
    return _local_env
