"""Printable packs: pure context, HTML from the shared Jinja environment, then a locked-down PDF."""
