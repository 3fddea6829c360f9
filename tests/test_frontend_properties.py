"""Hypothesis properties of every frontend on generated recognizer results.

For each frontend a builder writes a raw result of that recognizer's layout from generated
words (CJK characters that often sound like the hotwords, Latin words, punctuation, times,
scores). Two properties, as issue 12 states them: when nothing is replaced, write-back gives
back the input itself; when something is, the written structure reads back as the fused
text, without a count mismatch, and the hotword's times lie within the replaced span's.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hotfuse.frontends as fe
from hotfuse import Fuser, Transcript

_FUSER = Fuser(["伊丽莎白", "达西", "宾利", "PyTorch"], threshold=0.0)
_NONE = Fuser(["魑魅魍魉"])
_HAN = "伊丽莉沙莎白达大稀西宾冰利粒来了的是在和"
_LATIN = ("py", "torch", "hello", "ok")

# a generated utterance: (word, is_cjk) with per-word times and scores
word = st.one_of(
    st.text(alphabet=st.sampled_from(_HAN), min_size=1, max_size=2),
    st.sampled_from(("伊丽沙白", "达稀", "宾力", *_LATIN)),
)
words_st = st.lists(word, min_size=1, max_size=7)
punct = st.sampled_from(("", "", "，", "。"))


@dataclasses.dataclass
class Utt:
    words: list[str]
    end_punct: str
    conf: list[float]

    def chars(self) -> list[str]:
        """CJK characters and Latin words, one unit each (a Paraformer / CTC token)."""
        out: list[str] = []
        for w in self.words:
            out.extend([w] if w.isascii() else list(w))
        return out

    def text(self) -> str:
        parts: list[str] = []
        for w in self.words:
            if parts and w.isascii() and parts[-1][-1:].isascii():
                parts.append(" ")
            parts.append(w)
        return "".join(parts) + self.end_punct


utts = st.builds(
    Utt,
    words_st,
    punct,
    st.lists(st.floats(0.05, 1.0), min_size=20, max_size=20),
)


def _ms(n: int, step: int = 120) -> list[list[int]]:
    return [[k * step, (k + 1) * step] for k in range(n)]


def funasr_spaced(u: Utt) -> Any:
    return [{"key": "u", "text": " ".join(u.chars()), "timestamp": _ms(len(u.chars()))}]


def funasr_chars(u: Utt) -> Any:  # SenseVoice: one pair per visible character
    text = u.text()
    n = sum(1 for ch in text if not ch.isspace())
    return [
        {"key": "u", "text": "<|zh|><|NEUTRAL|><|Speech|><|withitn|>" + text, "timestamp": _ms(n)}
    ]


def sherpa_offline(u: Utt) -> Any:
    toks = [("▁" + c if c.isascii() else c) for c in u.chars()]
    if u.end_punct:
        toks.append(u.end_punct)
    return {
        "lang": "", "emotion": "", "event": "", "text": u.text(),
        "timestamps": [round(0.2 * k, 2) for k in range(len(toks))], "durations": [],
        "tokens": toks, "ys_log_probs": [-round(1 - c, 3) for c in u.conf[: len(toks)]],
        "words": [],
    }  # fmt: skip


def sherpa_online(u: Utt) -> Any:
    toks = [(" " + c if c.isascii() else c) for c in u.chars()]
    return {
        "text": "".join(toks), "tokens": toks,
        "timestamps": [round(0.16 * k, 2) for k in range(len(toks))],
        "ys_probs": [-round(1 - c, 3) for c in u.conf[: len(toks)]], "lm_probs": [],
        "context_scores": [], "segment": 0, "words": [], "start_time": 2.5, "is_final": False,
    }  # fmt: skip


def vosk_final(u: Utt) -> Any:
    res = [
        {"conf": round(u.conf[k], 6), "end": 0.3 * k + 0.3, "start": 0.3 * k, "word": w}
        for k, w in enumerate(u.words)
    ]
    return json.dumps({"result": res, "text": " ".join(u.words)}, ensure_ascii=False)


def wenet_runtime(u: Utt) -> Any:
    pieces = [
        {"word": c, "start": s, "end": e}
        for c, (s, e) in zip(u.chars(), _ms(len(u.chars()), 140), strict=True)
    ]
    nbest = json.dumps([{"sentence": u.text(), "word_pieces": pieces}], ensure_ascii=False)
    return {"status": "ok", "type": "final_result", "nbest": nbest}


def whisper_dict(u: Utt) -> Any:
    words = [
        {"word": (" " + w if w.isascii() else w), "start": 0.4 * k, "end": 0.4 * k + 0.4,
         "probability": u.conf[k]}
        for k, w in enumerate(u.words)
    ]  # fmt: skip
    text = "".join(str(w["word"]) for w in words) + u.end_punct
    seg = {"id": 0, "seek": 0, "start": 0.0, "end": 0.4 * len(words), "text": text,
           "tokens": [1, 2], "temperature": 0.0, "avg_logprob": -0.3,
           "compression_ratio": 1.0, "no_speech_prob": 0.01, "words": words}  # fmt: skip
    return {"text": text, "segments": [seg], "language": "zh"}


def faster_whisper_dicts(u: Utt) -> Any:
    return whisper_dict(u)["segments"]


def text_tagged(u: Utt) -> Any:
    return "<|zh|><|NEUTRAL|><|Speech|><|woitn|>" + u.text()


BUILDERS: dict[str, Callable[[Utt], Any]] = {
    "funasr-spaced": funasr_spaced,
    "funasr-chars": funasr_chars,
    "sherpa-offline": sherpa_offline,
    "sherpa-online": sherpa_online,
    "vosk": vosk_final,
    "wenet": wenet_runtime,
    "whisper": whisper_dict,
    "faster-whisper": faster_whisper_dicts,
    "text": text_tagged,
}
SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("kind", BUILDERS)
@SETTINGS
@given(u=utts)
def test_identity_without_a_replacement(kind: str, u: Utt) -> None:
    raw = BUILDERS[kind](u)
    result = _NONE.fuse(raw)
    out = fe.write_back(raw, result)
    assert type(out) is type(raw) and out == raw


@pytest.mark.parametrize("kind", BUILDERS)
@SETTINGS
@given(u=utts)
def test_a_replacement_reads_back_consistently(
    kind: str, u: Utt, caplog: pytest.LogCaptureFixture
) -> None:
    raw = BUILDERS[kind](u)
    caplog.clear()
    source = fe.to_transcript(raw)
    known = {r.msg for r in caplog.records}
    result = _FUSER.fuse(raw)
    out = fe.write_back(raw, result)
    assert type(out) is type(raw)
    again = fe.to_transcript(out)
    assert again.text == result.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.msg not in known]
    # the new words' times lie within the times of the words they replaced
    shift = 0
    src: list[tuple[float | None, float | None]] = []
    new: list[tuple[float | None, float | None]] = []
    for rep in result.replacements:
        a = rep.start + shift
        shift += len(rep.hotword) - (rep.end - rep.start)
        src.append(_bounds(source, rep.start, rep.end))
        new.append(_bounds(again, a, a + len(rep.hotword)))
    if src:
        t0, t1 = _span(src)
        s0, s1 = _span(new)
        if t0 is not None:
            assert s0 is not None and s0 >= t0 - 1e-3
        if t1 is not None and s1 is not None:
            assert s1 <= t1 + 1e-3


def _span(pairs: list[tuple[float | None, float | None]]) -> tuple[float | None, float | None]:
    starts = [a for a, _ in pairs if a is not None]
    ends = [b for _, b in pairs if b is not None]
    return (min(starts) if starts else None), (max(ends) if ends else None)


def _bounds(t: Transcript, a: int, b: int) -> tuple[float | None, float | None]:
    """Earliest start and latest end of the tokens overlapping ``text[a:b]``."""
    toks = [tok for tok, (s, e) in zip(t.tokens, t.spans, strict=True) if s < b and e > a]
    starts = [x.start for x in toks if x.start is not None]
    ends = [x.end for x in toks if x.end is not None]
    return (min(starts) if starts else None), (max(ends) if ends else None)
