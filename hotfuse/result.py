"""What fusion returns: :class:`Replacement` and :class:`FuseResult`.

Frontends and formats need these and nothing of the engine, so they live apart from
:mod:`hotfuse.fuser` (no frontends <-> engine import cycle).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from hotfuse.config import FuseConfig
from hotfuse.transcript import Transcript

__all__ = ["FuseResult", "Replacement"]


@dataclass(frozen=True, slots=True)
class Replacement:
    """One replacement: ``original`` (= source ``text[start:end]``) became ``hotword``.

    ``score`` is the decision's log-odds; ``confidence`` the recognizer's mean confidence
    over the replaced tokens (None when it gave none); ``reason`` says why in words.
    """

    start: int
    end: int
    original: str
    hotword: str
    score: float
    confidence: float | None
    reason: str


@dataclass(frozen=True, slots=True)
class FuseResult:
    """The fused text, its transcript, and every replacement made.

    ``source`` is the input transcript; offsets in ``replacements`` index ``source.text``.
    """

    text: str
    replacements: tuple[Replacement, ...]
    transcript: Transcript
    source: Transcript
    config: FuseConfig = field(default_factory=FuseConfig)

    @property
    def changed(self) -> bool:
        return bool(self.replacements)

    def explain(self) -> str:
        """An aligned before/after view with one line per replacement.

        >>> from hotfuse import fuse
        >>> print(fuse("伊丽沙白这会儿真太高兴了", ["伊丽莎白"]).explain())  # doctest: +ELLIPSIS
        before: 伊丽沙白这会儿真太高兴了
        after:  伊丽莎白这会儿真太高兴了
                ^^^^^^^^
          [0:4] 伊丽沙白 -> 伊丽莎白  score ... (pinyin distance 0.00/syllable)
        """
        if not self.replacements:
            return f"before: {self.source.text}\nafter:  {self.text}\n  (no replacement)"
        marks = []
        pos = 0
        shift = 0
        for r in self.replacements:  # markers under the replaced text of the "after" line
            new_start = r.start + shift
            marks.append(" " * _width(self.text[pos:new_start]))
            marks.append("^" * max(1, _width(r.hotword)))
            pos = new_start + len(r.hotword)
            shift += len(r.hotword) - (r.end - r.start)
        lines = [f"before: {self.source.text}", f"after:  {self.text}", "        " + "".join(marks)]
        for r in self.replacements:
            conf = "" if r.confidence is None else f", confidence {r.confidence:.2f}"
            lines.append(
                f"  [{r.start}:{r.end}] {r.original} -> {r.hotword}  score {r.score:+.2f}"
                f"{conf} ({r.reason})"
            )
        return "\n".join(lines)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
