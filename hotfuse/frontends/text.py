"""Plain text: the recognized string, with no times and no confidences.

The text is tokenised by :meth:`hotfuse.Transcript.from_text` (one token per CJK
character, one per Latin/digit word); write-back returns the fused string.

Example:
    >>> from hotfuse.frontends.text import TextFrontend
    >>> TextFrontend().to_transcript("用 PyTorch 训练").spans
    ((0, 1), (2, 9), (10, 11), (11, 12))
"""

from __future__ import annotations

from hotfuse.errors import FrontendOutputError
from hotfuse.frontends._base import check_source
from hotfuse.result import FuseResult
from hotfuse.transcript import Transcript

__all__ = ["TextFrontend"]


class TextFrontend:
    """Plain strings in, the fused string out."""

    name = "text"

    def detect(self, raw: object) -> bool:
        """True for a ``str``."""
        return isinstance(raw, str)

    def to_transcript(self, raw: object) -> Transcript:
        """Tokenise the string."""
        if not isinstance(raw, str):
            msg = f"text frontend: expected a str, got {type(raw).__name__}"
            raise FrontendOutputError(msg)
        return Transcript.from_text(raw)

    def write_back(self, raw: object, result: FuseResult) -> object:
        """The fused text."""
        check_source(self.to_transcript(raw), result, self.name)
        return result.text
