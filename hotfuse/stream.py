"""Streaming fusion: recognizer output that arrives in pieces, fused as it comes.

Streaming recognizers (FunASR ``generate(cache=...)`` and 2pass-online, sherpa-onnx online
results, WeNet partials) deliver text in one of two styles:

* ``"increment"``: each chunk is new text that follows the previous one (``请转智能客``,
  then ``服系统``);
* ``"cumulative"``: each chunk is the whole hypothesis of the current utterance so far
  (``请转智能客``, then ``请转智能客服系统``), which may still change until the
  recognizer marks it final.

Fusing each chunk on its own completes a word that the next chunk continues. A
:class:`FuseStream` holds back an unstable tail instead, as long as the longest hotword
(plus the few characters of context the scores read) could still be completed or
re-decided, and returns only text that can no longer change: ``push(chunk)`` gives the
newly stable part as a :class:`~hotfuse.FuseResult` (offsets into that part's own source
text), ``finish()`` the rest. Joined, the parts are the text that fusing everything at
once gives, with no character lost or doubled at a seam.

* A chunk is a string, a :class:`~hotfuse.Transcript` or a raw recognizer result (read
  through :mod:`hotfuse.frontends`). Token times are kept as the frontend reads them
  (absolute for sherpa-onnx online results, which add ``start_time``); ``offset=`` adds
  seconds to a chunk whose times are relative to the chunk.
* ``push(chunk, final=True)`` marks the end of an utterance (a FunASR 2pass-offline
  message, a sherpa-onnx endpoint, WeNet's ``final_result``): in the cumulative style the
  final text replaces the partials and is fused as a whole; either way everything up to
  it is returned and the next chunk starts a new utterance.
* In the cumulative style, text is released only once two successive hypotheses agree on
  it. When a later hypothesis revises text already released, the released text stands
  (it cannot be recalled) and the revision is taken from the same position on, with a
  warning.

Example:
    >>> from hotfuse import Fuser
    >>> s = Fuser(["智能客服"]).stream()  # the same as FuseStream(Fuser(...))
    >>> [s.push("请转智能刻").text, s.push("服系统，谢谢").text, s.finish().text]
    ['', '请', '转智能客服系统，谢谢']
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from hotfuse.errors import InputError
from hotfuse.transcript import Token, Transcript, is_cjk

if TYPE_CHECKING:
    from hotfuse.fuser import Fuser
    from hotfuse.result import FuseResult

__all__ = ["FuseStream"]

log = logging.getLogger("hotfuse")

Style = Literal["increment", "cumulative"]
_STYLES = ("increment", "cumulative")


def _cut(t: Transcript, a: int, b: int) -> Transcript:
    """``t`` restricted to ``text[a:b]``; ``a`` and ``b`` must not fall inside a token."""
    toks: list[Token] = []
    spans: list[tuple[int, int]] = []
    for tok, (s, e) in zip(t.tokens, t.spans, strict=True):
        if s >= a and e <= b:
            toks.append(tok)
            spans.append((s - a, e - a))
    return Transcript(t.text[a:b], tuple(toks), tuple(spans))


def _wordish(ch: str) -> bool:
    return ch.isalnum() and not is_cjk(ch)


def _join(a: Transcript, b: Transcript) -> Transcript:
    """``a`` then ``b``; a Latin word split over the seam (``py`` + ``torch``) is one token."""
    n = len(a.text)
    toks = list(a.tokens)
    spans = list(a.spans)
    rest = list(zip(b.tokens, b.spans, strict=True))
    if (
        toks
        and rest
        and spans[-1][1] == n
        and rest[0][1][0] == 0
        and _wordish(a.text[-1])
        and _wordish(b.text[0])
    ):
        left, (right, (_, e)) = toks.pop(), rest.pop(0)
        s0 = spans.pop()[0]
        conf = [c for c in (left.confidence, right.confidence) if c is not None]
        toks.append(
            Token(
                left.text + right.text,
                left.start if left.start is not None else right.start,
                right.end if right.end is not None else left.end,
                min(conf) if conf else None,
            )
        )
        spans.append((s0, n + e))
    for tok, (s, e) in rest:
        toks.append(tok)
        spans.append((s + n, e + n))
    return Transcript(a.text + b.text, tuple(toks), tuple(spans))


def _shift_times(t: Transcript, offset: float) -> Transcript:
    if not offset:
        return t
    toks = tuple(
        Token(
            tok.text,
            None if tok.start is None else max(tok.start + offset, 0.0),
            None if tok.end is None else max(tok.end + offset, 0.0),
            tok.confidence,
        )
        for tok in t.tokens
    )
    return Transcript(t.text, toks, t.spans)


def _boundary(t: Transcript, pos: int) -> int:
    """The largest offset <= ``pos`` that is not inside a token."""
    for s, e in t.spans:
        if s < pos < e:
            return s
    return pos


class FuseStream:
    """Incremental fusion with one :class:`~hotfuse.Fuser` (``Fuser.stream()`` builds one).

    Args:
        fuser: the compiled hotword list.
        style: ``"increment"`` (chunks follow each other) or ``"cumulative"`` (each chunk
            is the utterance's whole hypothesis so far).
        hold: characters held back at the end of the text; by default enough for the
            longest hotword or alias to be completed and re-scored with its context.
        frontend: the frontend name for raw chunks (auto-detected when None).

    Not thread-safe: one stream per audio stream (the fuser itself may be shared).
    """

    def __init__(
        self,
        fuser: Fuser,
        *,
        style: Style = "increment",
        hold: int | None = None,
        frontend: str | None = None,
    ) -> None:
        if style not in _STYLES:
            msg = f"stream style must be 'increment' or 'cumulative', got {style!r}"
            raise InputError(msg)
        if hold is not None and (isinstance(hold, bool) or not isinstance(hold, int) or hold < 0):
            msg = f"hold must be a number of characters >= 0, got {hold!r}"
            raise InputError(msg)
        self.fuser = fuser
        self.style: Style = style
        self.frontend = frontend
        self.hold = _default_hold(fuser) if hold is None else hold
        self._context = _default_context(fuser)
        self._lock = threading.Lock()
        self._source = Transcript("")  # this utterance's source text (released + pending)
        self._released = 0  # source offset up to which text was returned
        self._last_hyp = ""  # cumulative style: the previous hypothesis

    # ------------------------------------------------------------------ public
    def push(self, chunk: object, *, final: bool = False, offset: float = 0.0) -> FuseResult:
        """Add a chunk; return the part of the fused text that became stable.

        Args:
            chunk: new text (increment style) or the utterance so far (cumulative style):
                a string, a Transcript or a raw recognizer result.
            final: this chunk ends the utterance (its text is final).
            offset: seconds to add to the chunk's token times.

        Returns:
            A FuseResult over the newly stable source text only (empty text when nothing
            became stable).
        """
        if not math.isfinite(offset):
            msg = f"offset must be a finite number of seconds, got {offset!r}"
            raise InputError(msg)
        t = _shift_times(self._read(chunk), offset)
        with self._lock:
            if self.style == "increment":
                self._source = _join(self._source, t)
                stable = len(self._source.text) if final else self._stable_end()
            else:
                stable = self._take_hypothesis(t, final)
            out = self._release(stable)
            if final:
                self._new_utterance()
            return out

    def finish(self) -> FuseResult:
        """Release everything still held back (the stream can be used again after)."""
        with self._lock:
            out = self._release(len(self._source.text))
            self._new_utterance()
            return out

    @property
    def pending(self) -> str:
        """Source text held back, not yet returned."""
        return self._source.text[self._released :]

    def preview(self) -> str:
        """The fused text of what is held back, as it would be released now (may change)."""
        with self._lock:
            return self._fuse_from(self._released, len(self._source.text)).text

    # ------------------------------------------------------------------ internals
    def _read(self, chunk: object) -> Transcript:
        if isinstance(chunk, Transcript):
            return chunk
        if isinstance(chunk, str) and self.frontend is None:
            s = chunk.lstrip()[:1]
            if s not in ("{", "["):
                return Transcript.from_text(chunk)
        from hotfuse import frontends

        return frontends.to_transcript(chunk, self.frontend)

    def _stable_end(self) -> int:
        """Source offset before which no replacement can still change."""
        t = self._source
        n = len(t.text)
        end = _boundary(t, n - self.hold)
        if end == n and t.spans and t.spans[-1][1] == n and _wordish(t.text[-1]):
            end = t.spans[-1][0]  # the last word may go on in the next chunk
        return max(self._released, end)

    def _take_hypothesis(self, t: Transcript, final: bool) -> int:
        """Cumulative style: ``t`` is the utterance so far; keep what was released."""
        hyp = t.text
        done = self._source.text[: self._released]
        if not hyp.startswith(done):
            log.warning(
                "stream: the recognizer revised text already released (%r -> %r); the "
                "released text stands",
                done[-20:],
                hyp[: len(done)][-20:],
            )
        rest = _cut(t, min(self._released, len(hyp)), len(hyp))
        self._source = _join(_cut(self._source, 0, self._released), rest)
        if final:
            self._last_hyp = ""
            return len(self._source.text)
        prev = self._last_hyp
        agreed = 0
        while agreed < min(len(prev), len(hyp)) and prev[agreed] == hyp[agreed]:
            agreed += 1
        self._last_hyp = hyp
        agreed = min(agreed, len(self._source.text))
        end = min(self._stable_end(), _boundary(self._source, agreed))
        return max(self._released, end)

    def _fuse_from(self, a: int, b: int) -> FuseResult:
        """Fuse source ``[a, b)``, reading the released text before it as context."""
        c0 = _boundary(self._source, max(0, a - self._context - self.hold))
        res = self.fuser.fuse(_cut(self._source, c0, b))
        cut = a - c0
        if any(r.start < cut < r.end for r in res.replacements):
            # the engine would now replace across text already released: that text was
            # decided; fuse the rest on its own
            res = self.fuser.fuse(_cut(self._source, a, b))
            cut = 0
        return _slice(res, cut, len(res.source.text))

    def _release(self, end: int) -> FuseResult:
        a = self._released
        end = _boundary(self._source, end)
        if end <= a:
            return self.fuser.fuse(Transcript(""))
        full = self._fuse_from(a, len(self._source.text))
        for r in full.replacements:  # never cut through a replacement
            if r.start < end - a < r.end:
                end = a + r.start
        out = _slice(full, 0, end - a)
        self._released = a + len(out.source.text)
        return out

    def _new_utterance(self) -> None:
        self._source = Transcript("")
        self._released = 0
        self._last_hyp = ""


def _default_hold(fuser: Fuser) -> int:
    longest = 1
    for hw in getattr(fuser, "hotwords", ()):
        for form in (hw.text, *getattr(hw, "aliases", ())):
            longest = max(longest, len(form))
    return 2 * longest + 2


def _default_context(fuser: Fuser) -> int:
    return int(getattr(fuser, "_reach", 3)) + 1


def _slice(res: FuseResult, a: int, b: int) -> FuseResult:
    """``res`` restricted to its source ``[a, b)``: bounds outside every replacement and
    every token; replacements before ``a`` (context already released) are left out."""
    kept = [r for r in res.replacements if a <= r.start and r.end <= b]
    shift_a = sum(len(r.hotword) - (r.end - r.start) for r in res.replacements if r.end <= a)
    shift_b = sum(len(r.hotword) - (r.end - r.start) for r in res.replacements if r.end <= b)
    fused = _cut(res.transcript, a + shift_a, b + shift_b)
    return type(res)(
        fused.text,
        tuple(replace(r, start=r.start - a, end=r.end - a) for r in kept),
        fused,
        _cut(res.source, a, b),
        res.config,
    )
