"""The compiled pinyin scan (``hotfuse.set_kernel("numba")``, issue 15) decides exactly
as the Python scan does.

It is compared with the brute-force scan of ``test_index_parity`` (hand-made cases, dev
cases with 3-5 hotwords, tight targets with and without confidences, generated sentences
at 5 to 3,000 terms, the 5,000-term catalogue) and with the Python scan itself, window
by window, on text cut from the dev references. Every comparison also counts the calls
that went through the kernel, so a silent fall-back to Python fails the test. Skipped
without numba (``pip install 'hotfuse[fast]'``); the switch itself is tested always.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from test_index_parity import (
    DevData,
    _confidences,
    _generated,
    _seeded,
    assert_same_candidates,
    assert_same_fusion,
    catalogue,
    dev_data,
)

import hotfuse
from hotfuse import ConfigError, Fuser, MissingDependencyError, Transcript, _scan
from hotfuse.match import LexiconIndex

__all__ = ["catalogue", "dev_data"]  # the fixtures, shared with test_index_parity


@pytest.fixture
def restore_kernel() -> Iterator[None]:
    before = list(_scan._chosen)
    yield
    _scan._chosen[:] = before


@pytest.fixture
def compiled(restore_kernel: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The numba kernel switched on; yields a one-item list counting its scans."""
    pytest.importorskip("numba")
    hotfuse.set_kernel("numba")
    calls = [0]
    real = LexiconIndex._pinyin_compiled

    def counted(self: LexiconIndex, *args: Any) -> None:
        calls[0] += 1
        real(self, *args)

    monkeypatch.setattr(LexiconIndex, "_pinyin_compiled", counted)
    yield calls


# --------------------------------------------------------------------------- the switch
def test_default_is_python_and_unknown_names_are_refused(
    restore_kernel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(_scan.ENV, raising=False)
    _scan._chosen.clear()
    assert _scan.kernel() == "python"
    assert _scan.compiled_scan() is None
    with pytest.raises(ConfigError, match="choose one of python, numba"):
        hotfuse.set_kernel("cuda")
    monkeypatch.setenv(_scan.ENV, "fortran")
    _scan._chosen.clear()
    with pytest.raises(ConfigError, match="HOTFUSE_KERNEL='fortran' is not a kernel"):
        _scan.kernel()


def test_numba_missing_names_the_extra(
    restore_kernel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba raises ImportError
    monkeypatch.setattr(_scan, "_compiled", [])
    with pytest.raises(MissingDependencyError, match=r"pip install 'hotfuse\[fast\]'"):
        hotfuse.set_kernel("numba")


def test_fusing_imports_neither_numba_nor_the_kernel() -> None:
    code = (
        "import sys, hotfuse\n"
        "assert hotfuse.fuse('伊丽沙白来了', ['伊丽莎白']).text == '伊丽莎白来了'\n"
        "print(sorted(m for m in ('numba', 'numpy', 'hotfuse._scan_kernel') if m in sys.modules))"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != _scan.ENV}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"


def test_the_cli_refuses_a_bad_kernel_once(
    capsys: pytest.CaptureFixture[str], restore_kernel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hotfuse.cli import main

    monkeypatch.setenv(_scan.ENV, "bogus")
    _scan._chosen.clear()
    assert main(["fuse", "伊丽沙白来了\n达西来了", "--hotword", "伊丽莎白"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "hotfuse: error: HOTFUSE_KERNEL='bogus' is not a kernel: set it to one of python, numba"
    ]


def test_the_environment_switches_it_on() -> None:
    pytest.importorskip("numba")
    code = (
        "import hotfuse\nfrom hotfuse import _scan\n"
        "assert hotfuse.fuse('伊丽沙白来了', ['伊丽莎白']).text == '伊丽莎白来了'\n"
        "print(_scan.kernel(), _scan.compiled_scan() is not None)"
    )
    env = {**__import__("os").environ, _scan.ENV: "numba"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split() == ["numba", "True"]


# --------------------------------------------------------------------------- parity
def test_hand_cases_and_dev_lists_match_the_scan(compiled: list[int], dev_data: DevData) -> None:
    from test_index_parity import HAND_CASES

    for hotwords, texts in HAND_CASES:
        assert_same_candidates(hotwords, texts)
    compared = 0
    for c in dev_data.sample(150, "quick"):
        compared += assert_same_candidates(c.small, [c.hypothesis])
        assert_same_fusion(c.small, [c.hypothesis])
    assert compared > 50
    assert compiled[0] > 300


def test_tight_targets_and_confidences_match_the_scan(
    compiled: list[int], dev_data: DevData
) -> None:
    replaced = 0
    for c in dev_data.sample(150, "quick"):
        conf = _confidences(c.hypothesis, c.uid)
        for confidences in (None, [conf]):
            for threshold in (None, 3.5):
                extra = {} if threshold is None else {"threshold": threshold}
                replaced += assert_same_fusion(
                    c.small, [c.hypothesis], confidences=confidences, **extra
                )
    assert replaced > 20
    assert compiled[0] > 300


@pytest.mark.parametrize(("size", "n"), [(5, 150), (300, 80), (3000, 30)])
def test_generated_sentences_match_the_scan(
    compiled: list[int], dev_data: DevData, catalogue: tuple[str, ...], size: int, n: int
) -> None:
    words = sorted(_seeded(f"kernel/{size}").sample(catalogue, size))
    texts = _generated(words, dev_data.rows, n, f"kernel/{size}")
    assert assert_same_candidates(words, texts) > n // 2
    assert compiled[0] >= n


def _windows(fuser: Fuser, transcript: Transcript, explain: bool) -> list[Any]:
    if explain:
        return fuser._index.candidates(transcript)
    threshold = fuser.config.threshold
    limit, ceiling = fuser._limits(
        threshold, fuser.config.scoring_view(transcript), transcript.has_confidences
    )
    return fuser._index.candidates(transcript, limit, ceiling)


@pytest.mark.parametrize("size", [5, 60, 2000])
def test_same_windows_as_the_python_scan_under_the_fusers_limits(
    compiled: list[int], dev_data: DevData, catalogue: tuple[str, ...], size: int
) -> None:
    """Window by window against the Python scan, pruned by the fuser's limits (with and
    without confidences, which take another path to the kernel), on utterances cut
    from the dev references with damaged hotwords in them."""
    rng = random.Random(size)
    words = sorted(_seeded(f"windows/{size}").sample(catalogue, size))
    texts = _generated(words, dev_data.rows, 60, f"windows/{size}")
    texts += [row[1][: rng.randint(2, 40)] for row in rng.sample(list(dev_data.rows), 60)]
    fuser = Fuser(words)
    compared = 0
    for text in texts:
        plain = Transcript.from_text(text)
        scored = Transcript.from_text(text, confidences=_confidences(text, text))
        for transcript in (plain, scored):
            for explain in (False, True):
                hotfuse.set_kernel("numba")
                fast = _windows(fuser, transcript, explain)
                hotfuse.set_kernel("python")
                slow = _windows(fuser, transcript, explain)
                assert fast == slow, text
                compared += len(slow)
            hotfuse.set_kernel("numba")
            a = fuser.fuse(transcript)
            hotfuse.set_kernel("python")
            b = fuser.fuse(transcript)
            assert (a.text, a.replacements) == (b.text, b.replacements), text
    assert compared > 100
    assert compiled[0] > 4 * len(texts)


def test_catalogue_sample_matches_the_python_scan(
    compiled: list[int], dev_data: DevData, catalogue: tuple[str, ...]
) -> None:
    """400 dev cases against the 5,000-term catalogue (key-pair anchors): the same
    windows as the Python scan (which ``test_index_parity`` holds to the brute-force
    scan on this catalogue), and the same fusion."""
    fuser = Fuser(catalogue)
    compared = 0
    for c in dev_data.sample(400, "catalogue"):
        transcript = Transcript.from_text(c.hypothesis)
        for explain in (False, True):
            hotfuse.set_kernel("numba")
            fast = _windows(fuser, transcript, explain)
            a = fuser.fuse(transcript)
            hotfuse.set_kernel("python")
            slow = _windows(fuser, transcript, explain)
            b = fuser.fuse(transcript)
            assert fast == slow, c.hypothesis
            assert (a.text, a.replacements) == (b.text, b.replacements), c.hypothesis
            compared += len(slow)
    assert compared > 400
    assert compiled[0] > 800


def test_threads_share_the_banks_safely(compiled: list[int], dev_data: DevData) -> None:
    """Threads that meet new characters and new syllables at once (the banks grow under
    a lock and publish their arrays before the ids) fuse as one thread does."""
    from concurrent.futures import ThreadPoolExecutor

    cases = dev_data.sample(120, "threads")
    fusers = [Fuser(c.small) for c in cases]

    def run(k: int) -> tuple[str, Any]:
        r = fusers[k].fuse(cases[k].hypothesis)
        return r.text, r.replacements

    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(run, range(len(cases))))
    hotfuse.set_kernel("python")
    alone = [run(k) for k in range(len(cases))]
    assert together == alone
    assert compiled[0] >= len(cases)


def test_more_windows_than_the_buffers_hold(
    compiled: list[int], dev_data: DevData, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Buffers for one window: the kernel reports how many it found and is called again
    with room for all of them; the same windows as the Python scan."""
    from hotfuse import match

    monkeypatch.setattr(match, "_KERNEL_WINDOWS", 1)
    compared = 0
    for c in dev_data.sample(60, "buffers"):
        fuser = Fuser(c.small)
        transcript = Transcript.from_text(c.hypothesis)
        hotfuse.set_kernel("numba")
        fast = _windows(fuser, transcript, True)
        hotfuse.set_kernel("python")
        slow = _windows(fuser, transcript, True)
        assert fast == slow, c.hypothesis
        compared += len(slow)
    assert compared > 60
    assert compiled[0] >= 60
