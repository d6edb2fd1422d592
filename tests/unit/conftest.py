"""Fixtures for the unit tests."""

import shutil
from pathlib import Path

import pytest

from app.reference import PROJECT_ROOT
from tests.unit.reference_files import INDICATORS_FILE


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of every shipped reference file, to break one at a time."""
    shutil.copytree(PROJECT_ROOT / "regions", tmp_path / "regions")
    shutil.copy(PROJECT_ROOT / INDICATORS_FILE, tmp_path / INDICATORS_FILE)
    return tmp_path
