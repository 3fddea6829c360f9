"""The built-in example behind ``hotfuse fuse --demo``.

Each case is a first-pass transcript as a Mandarin recognizer decoded with no hotwords
might produce it, the hotwords active for that call, and (for some) the recognizer's
per-character confidences. The demo prints every sentence before and after fusion with
what was replaced and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from hotfuse.fuser import Fuser
from hotfuse.lexicon import Hotword
from hotfuse.transcript import Transcript

__all__ = ["DEMO_CASES", "DemoCase", "run_demo"]


@dataclass(frozen=True, slots=True)
class DemoCase:
    """One demo sentence."""

    title: str
    text: str
    hotwords: tuple[str | Hotword, ...]
    confidences: tuple[float, ...] | None = None


DEMO_CASES = (
    DemoCase("a rare name heard as frequent homophones", "伊丽沙白这会儿真太高兴了",
             ("伊丽莎白", "达西")),
    DemoCase("a name written with a homophone", "达稀先生昨天拜访了宾利先生",
             ("达西", "宾利", "伊丽莎白")),
    DemoCase("a place name with a polyphone, given explicit pinyin", "下周我们去重亲开会",
             (Hotword("重庆", pinyin=("chong2", "qing4")), "成都")),
    DemoCase("a Latin term split by the recognizer", "我们用 py torch 训练 paraformer 模型",
             ("PyTorch", "Paraformer", "CUDA")),
    DemoCase("a known misrecognition given as an alias", "把这段代码交给克劳德看看",
             (Hotword("Claude", aliases=("克劳德",)), "ChatGPT")),
    DemoCase("low confidence: the near-homophone is fixed", "我们去找陈静吧",
             ("程晶", "李娜"), (0.97, 0.96, 0.95, 0.97, 0.41, 0.38, 0.93)),
    DemoCase("high confidence: the same words are left alone", "我们去找陈静吧",
             ("程晶", "李娜"), (0.97, 0.96, 0.95, 0.97, 0.99, 0.98, 0.98)),
    DemoCase("a common word that sounds like a hotword is left alone", "大西洋的风浪很大",
             ("达西", "伊丽莎白")),
)  # fmt: skip


def run_demo(out: TextIO) -> int:
    """Fuse every demo case and print the before/after view; returns 0."""
    for n, case in enumerate(DEMO_CASES, start=1):
        tr = Transcript.from_text(case.text, confidences=case.confidences)
        res = Fuser(case.hotwords).fuse(tr)
        words = ", ".join(h if isinstance(h, str) else h.text for h in case.hotwords)
        conf = " (with recognizer confidences)" if case.confidences else ""
        out.write(f"[{n}] {case.title}{conf}\n    hotwords: {words}\n")
        out.write("    " + res.explain().replace("\n", "\n    ") + "\n\n")
    return 0
