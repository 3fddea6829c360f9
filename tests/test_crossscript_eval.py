"""eval/crossscript.py's scoring of the mixed real-speech set (``--mixed``), on a few of
its lines and on made-up rows whose outcome is known."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from hotfuse.transcript import Transcript
from tests.helpers import load_eval

ROOT = Path(__file__).resolve().parent.parent


cs = load_eval("crossscript")


def _row(hyp: str, ref: str, term: str) -> dict[str, object]:
    return {"id": hyp, "ref": ref, "terms": [term], "hyp": Transcript.from_text(hyp)}


def test_score_mixed_counts_hits_precision_and_wrong_hotwords() -> None:
    rows = [
        _row("我们明天用派森部署新的服务", "我们明天用Python部署新的服务", "Python"),
        _row("他说的文档写得很清楚", "他说Docker的文档写得很清楚", "Docker"),
        _row("我们明天用刀客部署", "我们明天用Kotlin部署", "Kotlin"),
    ]
    got = cs.score_mixed(cs.make_fuser(["Python", "Docker"], "hotfuse"), rows, ["Python"])
    # 派森 -> Python is a hit; 刀客 -> Docker is a replacement the reference lacks
    assert got["recall"] == 1.0 and got["recall_before"] == 0.0
    assert got["replacements"] == 2 and got["precision"] == 0.5
    assert got["wrong_hotword"] == pytest.approx(1 / 3)
    off = cs.score_mixed(cs.make_fuser(["Python", "Docker"], "letters"), rows, ["Python"])
    assert off["recall"] == 0.0 and off["replacements"] == 0 and off["wrong_hotword"] == 0.0


@pytest.mark.skipif(
    importlib.util.find_spec("faster_whisper") is None,
    reason="faster-whisper is not installed (pip install 'hotfuse[whisper]')",
)
def test_mixed_rows_are_read_through_the_whisper_frontend() -> None:
    rows = cs.load_mixed("dev")
    assert len(rows) == 99
    assert all(isinstance(r["hyp"], Transcript) and r["terms"] for r in rows)
    assert any(r["hyp"].has_confidences for r in rows)
    # converted to Simplified, as the benchmark builder does (公司決定 -> 公司决定)
    assert not any("決" in r["hyp"].text for r in rows)
