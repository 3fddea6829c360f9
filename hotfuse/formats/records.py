"""The JSON record shape of a Transcript, a FuseResult and an EvalReport.

Every ``--json`` output and every JSONL file hotfuse writes uses these, so a record means
the same everywhere: a token is ``dataclasses.asdict(token)`` (None for a missing time or
confidence), a replacement is ``dataclasses.asdict(replacement)`` (offsets index
``original``), and a fused utterance is its transcript record plus ``original`` and
``replacements``.
:func:`hotfuse.formats.corpus.read_hypotheses` reads any of them back as a transcript.

Example:
    >>> from hotfuse import fuse
    >>> rec = result_record("u1", fuse("伊丽沙白来了", ["伊丽莎白"]))
    >>> rec["text"], rec["original"], rec["replacements"][0]["hotword"]
    ('伊丽莎白来了', '伊丽沙白来了', '伊丽莎白')
    >>> sorted(rec["replacements"][0])
    ['confidence', 'end', 'hotword', 'original', 'reason', 'score', 'start']
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hotfuse.metrics import EvalReport
    from hotfuse.result import FuseResult, Replacement
    from hotfuse.transcript import Token, Transcript

__all__ = [
    "replacement_record",
    "report_record",
    "result_record",
    "token_record",
    "transcript_record",
]


def token_record(token: Token) -> dict[str, Any]:
    """``{"text", "start", "end", "confidence"}``, None where the recognizer gave nothing."""
    return dataclasses.asdict(token)


def transcript_record(utt_id: str | None, transcript: Transcript) -> dict[str, Any]:
    """A JSONL hypothesis record that :func:`~hotfuse.formats.corpus.read_hypotheses`
    reads back identically (``id`` left out when None).

    >>> from hotfuse import Transcript
    >>> rec = transcript_record("u1", Transcript.from_text("你好", confidences=[0.5, 1.0]))
    >>> rec["text"], rec["tokens"][1]
    ('你好', {'text': '好', 'start': None, 'end': None, 'confidence': 1.0})
    """
    rec: dict[str, Any] = {} if utt_id is None else {"id": utt_id}
    rec["text"] = transcript.text
    rec["tokens"] = [token_record(t) for t in transcript.tokens]
    return rec


def replacement_record(replacement: Replacement) -> dict[str, Any]:
    """Every field of a :class:`~hotfuse.Replacement`."""
    return dataclasses.asdict(replacement)


def result_record(utt_id: str | None, result: FuseResult) -> dict[str, Any]:
    """A fused utterance: ``id`` (when given), ``text``, ``original``, ``replacements``,
    and ``tokens`` when the transcript has times or confidences."""
    rec: dict[str, Any] = {} if utt_id is None else {"id": utt_id}
    rec["text"] = result.text
    rec["original"] = result.source.text
    rec["replacements"] = [replacement_record(r) for r in result.replacements]
    if result.transcript.has_times or result.transcript.has_confidences:
        rec["tokens"] = [token_record(t) for t in result.transcript.tokens]
    return rec


def report_record(report: EvalReport, *, utterances: bool = False) -> dict[str, Any]:
    """An :class:`~hotfuse.EvalReport` as strict JSON (counts, metrics, intervals)."""
    return report.to_dict(utterances=utterances)
