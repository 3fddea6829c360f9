"""Latin terms inside Chinese: case-, space-, hyphen- and width-insensitive letter matching."""

from __future__ import annotations

import pytest

from hotfuse import Hotword, fuse

CASES = [
    ("我们用ＰＹＴＯＲＣＨ训练", ["PyTorch"], "我们用PyTorch训练"),
    ("用 Ｐｙ Ｔｏｒｃｈ 跑", ["PyTorch"], "用 PyTorch 跑"),
    ("装好 cu-da 再说", ["CUDA"], "装好 CUDA 再说"),
    ("我最近在用chat g p t写代码", ["ChatGPT"], "我最近在用ChatGPT写代码"),
    ("请打开拍森编辑器", [Hotword("Python", aliases=("拍森",))], "请打开Python编辑器"),
    # an exact alias in full width is still the alias
    ("他在用ＷＨＩＳＰＥＲ", [Hotword("Whisper")], "他在用Whisper"),
    # unrelated Latin words stay
    ("我们用 numpy 处理", ["PyTorch"], "我们用 numpy 处理"),
]


@pytest.mark.parametrize(("text", "hotwords", "expected"), CASES)
def test_latin_terms(text: str, hotwords: list[str | Hotword], expected: str) -> None:
    assert fuse(text, hotwords).text == expected
