"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Fuzzing (about a minute) runs only when selected: ``pytest -m fuzz``."""
    if "fuzz" in (config.getoption("markexpr", "") or ""):
        return
    skip = pytest.mark.skip(reason="fuzzing runs with -m fuzz (.ci/run does)")
    for item in items:
        if "fuzz" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; skips visibly when absent, fails under CI (CI always has it)."""
    if not (SHARED_DATA / "wenetspeech-biasing").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the shared dataset at {SHARED_DATA}")
        pytest.skip(f"shared dataset not found at {SHARED_DATA}")
    return SHARED_DATA
