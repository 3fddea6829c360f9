"""Shared fixtures."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


_ON_REQUEST = {
    "fuzz": "fuzzing runs with -m fuzz (.ci/run does)",
    "process": "the process tests run with -m process (.ci/run does)",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Fuzzing (about a minute) and the process tests (about half a minute) run only when
    selected: ``pytest -m fuzz``, ``pytest -m process``."""
    markexpr = config.getoption("markexpr", "") or ""
    for marker, reason in _ON_REQUEST.items():
        if marker in markexpr:
            continue
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; skips visibly when absent, fails under CI (CI always has it)."""
    if not (SHARED_DATA / "wenetspeech-biasing").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the shared dataset at {SHARED_DATA}")
        pytest.skip(f"shared dataset not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _restore_hotfuse_logger() -> Iterator[None]:
    """``main()`` configures the "hotfuse" logger; every test gets it back as it was."""
    logger = logging.getLogger("hotfuse")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    try:
        yield
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved


@pytest.fixture(autouse=True)
def _private_cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the user's compiled-lexicon cache (~/.cache/hotfuse)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    monkeypatch.delenv("HOTFUSE_NO_CACHE", raising=False)
