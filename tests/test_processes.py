"""Real processes against one lexicon file (issue 16, finding 9): concurrent writers on a
busy machine, and writers killed with SIGKILL the moment their temporary file appears.

Marker ``process`` (about half a minute): skipped unless selected, ``pytest -m process``;
.ci/run runs it. Wall times are printed for the record, never asserted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotfuse.lexicon import Hotword, Lexicon

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_S = 240  # a hung writer fails the test instead of hanging CI


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _hotfuse(*argv: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "hotfuse", *argv],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _temps(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir() if p.name.endswith(".tmp")}


@pytest.fixture
def busy_cpus() -> Iterator[None]:
    """Two processes that keep two cores busy for the length of the test."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        yield
    finally:
        for proc in burners:
            proc.kill()
            proc.wait()


_WORDS = [f"{a}{b}" for a in ("伊丽", "达西", "宾利", "彭伯") for b in ("莎白", "先生", "庄园")]


def test_twelve_concurrent_adds_under_cpu_load_all_land(tmp_path: Path, busy_cpus: None) -> None:
    # a lexicon of some size: validating it is the slow part the lock must not cover
    path = tmp_path / "c.toml"
    base = [f"术语{i:03d}" for i in range(300)]
    Lexicon(name="c", hotwords=tuple(Hotword(w) for w in base)).save(path)
    start = time.monotonic()
    procs = [_hotfuse("lexicon", "add", str(path), word) for word in _WORDS]
    results = []
    for proc in procs:
        _, err = proc.communicate(timeout=DEADLINE_S)
        results.append((proc.returncode, err.decode("utf-8", "replace")))
    wall = time.monotonic() - start
    print(f"\n{len(procs)} concurrent adds under 2 busy processes: {wall:.1f} s wall")
    assert [code for code, _ in results] == [0] * len(procs), results
    assert sorted(h.text for h in Lexicon.load(path).hotwords) == sorted([*base, *_WORDS])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml", "c.toml.lock"]


def test_writers_killed_when_their_temp_file_appears(tmp_path: Path) -> None:
    path = tmp_path / "k.toml"
    Lexicon(name="k", hotwords=tuple(Hotword(f"术语{i:03d}") for i in range(300))).save(path)
    trials, killed_mid_write = 5, 0
    for trial in range(trials):
        before = path.read_bytes()
        stale = _temps(tmp_path)  # what the writer killed in the previous trial left
        word = f"新词{trial}"
        proc = _hotfuse("lexicon", "add", str(path), word)
        deadline = time.monotonic() + DEADLINE_S
        while proc.poll() is None and not (_temps(tmp_path) - stale):
            assert time.monotonic() < deadline, "the writer never wrote"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=DEADLINE_S)
        after = path.read_bytes()
        left = _temps(tmp_path)
        # the file is the old one or the new one, whole: never a mix, never empty
        if after != before:
            texts = [h.text for h in Lexicon.load(path).hotwords]
            assert texts == [h.text for h in Lexicon.loads(before.decode()).hotwords] + [word]
        # this writer removed the temporary file its killed predecessor left
        assert not (stale & left), (trial, stale, left)
        killed_mid_write += bool(left)
    print(f"\n{killed_mid_write} of {trials} writers killed with a temporary file on disk")
    assert killed_mid_write, "no kill landed between the temporary file and the rename"
    # a writer that is left alone cleans up after the last killed one, and lands
    proc = _hotfuse("lexicon", "add", str(path), "收尾")
    _, err = proc.communicate(timeout=DEADLINE_S)
    assert proc.returncode == 0, err.decode()
    assert "收尾" in Lexicon.load(path)
    assert _temps(tmp_path) == set()
