"""Latin terms inside Chinese: case-, space-, hyphen- and width-insensitive letter matching."""

from __future__ import annotations

import pytest

from hotfuse import Hotword, fuse
from tests.reference_matcher import reference_candidates

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
    # a hotword mixing scripts matches its case-, width- and space-variants
    ("我在b站看视频", ["B站"], "我在B站看视频"),
    ("我在Ｂ 站看视频", ["B站"], "我在B站看视频"),
    ("我在B站看视频", ["B站"], "我在B站看视频"),
]


@pytest.mark.parametrize(("text", "hotwords", "expected"), CASES)
def test_latin_terms(text: str, hotwords: list[str | Hotword], expected: str) -> None:
    assert fuse(text, hotwords).text == expected


def test_mixed_script_variants_agree_with_the_reference_matcher() -> None:
    from hotfuse.lexicon import coerce_hotwords
    from hotfuse.match import LexiconIndex
    from hotfuse.transcript import Transcript

    hws = coerce_hotwords(["B站", "iPhone 15", "PyTorch"])
    index = LexiconIndex(hws)
    for text in ["我在b站看视频", "Ｂ 站和ｂ站", "买了 iphone15 和 ＰＹＴＯＲＣＨ"]:
        tr = Transcript.from_text(text)
        fast = {(c.start, c.end, c.hotword, round(c.distance, 4)) for c in index.candidates(tr)}
        assert fast == reference_candidates(tr, hws), text
        assert fast  # something to compare
