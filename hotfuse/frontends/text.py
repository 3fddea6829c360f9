"""Plain text: the recognized string, with no times and no confidences.

The text is tokenised by :meth:`hotfuse.Transcript.from_text` (one token per CJK
character, one per Latin/digit word); write-back returns the fused string.

SenseVoice text taken out of its result (``res[0]["text"]``, the usual move) keeps the
model's tags, ``<|zh|><|NEUTRAL|><|Speech|><|woitn|>``, at its start and again at each
VAD segment: tags (any ``<|...|>``) are not part of the transcript, so no hotword can
rewrite them, and write-back puts each one back where it was.

Example:
    >>> from hotfuse.frontends.text import TextFrontend
    >>> TextFrontend().to_transcript("用 PyTorch 训练").spans
    ((0, 1), (2, 9), (10, 11), (11, 12))
    >>> TextFrontend().to_transcript("<|en|><|NEUTRAL|><|Speech|><|woitn|>open zh").text
    'open zh'
"""

from __future__ import annotations

from hotfuse.errors import FrontendOutputError
from hotfuse.frontends._base import OffsetMap, check_source, insert_tags, strip_tags
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
        """Tokenise the string (without its ``<|...|>`` tags)."""
        if not isinstance(raw, str):
            msg = f"text frontend: expected a str, got {type(raw).__name__}"
            raise FrontendOutputError(msg)
        return Transcript.from_text(strip_tags(raw)[0])

    def write_back(self, raw: object, result: FuseResult) -> object:
        """The fused text, with the input's tags where they were."""
        check_source(self.to_transcript(raw), result, self.name)
        assert isinstance(raw, str)
        if not result.replacements:
            return raw
        _, tags, _ = strip_tags(raw)
        return insert_tags(result.text, tags, OffsetMap(result)) if tags else result.text
