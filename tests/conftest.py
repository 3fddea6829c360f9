"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; skips visibly when absent, fails under CI (CI always has it)."""
    if not (SHARED_DATA / "wenetspeech-biasing").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the shared dataset at {SHARED_DATA}")
        pytest.skip(f"shared dataset not found at {SHARED_DATA}")
    return SHARED_DATA
