"""Tests of the benchmark baselines (eval/baselines.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))

import baselines  # type: ignore[import-not-found, unused-ignore]


@pytest.mark.parametrize(
    ("text", "hotwords", "expected"),
    [
        ("伊丽沙白对大喜说", ["伊丽莎白", "达西"], "伊丽莎白对达西说"),  # homophones
        ("依丽沙百来了", ["伊丽莎白"], "伊丽莎白来了"),  # tone errors only
        ("伊丽萨白来了", ["伊丽莎白"], "伊丽萨白来了"),  # sa != sha: not exact
        ("伊丽白来了", ["伊丽莎白"], "伊丽白来了"),  # dropped syllable: no match
        ("达西和大喜", ["达西"], "达西和达西"),  # right ones kept, others fixed
        ("难经大学很大", ["南京", "南京大学"], "南京大学很大"),  # longest hotword first
        ("去难经", ["南京", "南京大学"], "去南京"),
        ("A大喜B", ["达西"], "A达西B"),  # non-Han neighbours untouched
        ("大喜", ["西"], "大喜"),  # one-character hotwords never match
        ("今天天气很好", ["达西"], "今天天气很好"),
        ("大喜", [], "大喜"),
        ("", ["达西"], ""),
    ],
)
def test_exact_pinyin(text: str, hotwords: list[str], expected: str) -> None:
    assert baselines.ExactPinyin(hotwords)(text) == expected


def test_exact_pinyin_protects_spelled_hotwords() -> None:
    # 达西先生 is already right; its 达西 must not be rewritten by a same-sounding word.
    assert baselines.ExactPinyin(["达西先生", "大喜"])("达西先生") == "达西先生"


def test_exact_pinyin_is_idempotent() -> None:
    f = baselines.ExactPinyin(["伊丽莎白", "达西", "南京大学"])
    once = f("伊丽沙白和大喜在难经大学")
    assert once == "伊丽莎白和达西在南京大学"
    assert f(once) == once


def test_toneless_keeps_one_item_per_character() -> None:
    assert baselines.toneless("重庆a1，好") == ["chong", "qing", "", "", "", "hao"]


def test_no_fusion() -> None:
    assert baselines.no_fusion("伊丽沙白") == "伊丽沙白"


def test_funasr_matcher_default_threshold() -> None:
    m = baselines.funasr_matcher(["伊丽莎白"])
    if m is None:
        pytest.skip("funasr is not installed")
    assert m("伊丽沙白这会儿真太高兴了") == "伊丽莎白这会儿真太高兴了"
    assert m("今天天气很好") == "今天天气很好"
    assert baselines.funasr_matcher([]) is baselines.no_fusion


def test_funasr_loads_without_torch() -> None:
    import subprocess

    code = (
        "import sys; sys.path.insert(0, 'eval'); import baselines; "
        "ok = baselines.funasr_available(); print(ok, 'torch' in sys.modules)"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    available, torch_loaded = out.stdout.split()
    if available == "False":
        pytest.skip("funasr is not installed")
    assert torch_loaded == "False"
