"""Frontends: detection, conversion, write-back, registry and entry points.

Raw results come from tests/data/frontends/*.json, each written field for field from the
library's own source (its "_source" key says which version and file).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
import math
from collections import namedtuple
from pathlib import Path
from typing import Any

import pytest

import hotfuse.frontends as fe
from hotfuse import fuse
from hotfuse.errors import FrontendOutputError, InputError, UnknownFrontendError
from hotfuse.result import FuseResult, Replacement
from hotfuse.transcript import Token, Transcript, tokenize

DATA = Path(__file__).parent / "data" / "frontends"
HOTWORDS = ["伊丽莎白", "达西"]


def load(name: str) -> Any:
    doc = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    assert doc["_source"]
    return doc["result"]


def by_hand(source: Transcript, edits: list[tuple[int, int, str]]) -> FuseResult:
    """A FuseResult replacing source.text[start:end] by hotword, built like the Fuser does."""
    parts: list[str] = []
    tokens: list[Token] = []
    spans: list[tuple[int, int]] = []
    reps = []
    pos = shift = 0
    text = source.text

    def keep(a: int, b: int) -> None:
        parts.append(text[a:b])
        for k, (s, e) in enumerate(source.spans):
            if e <= a or s >= b:
                continue
            s2, e2 = max(s, a), min(e, b)
            tok = source.tokens[k]
            if (s2, e2) != (s, e):
                ts, te = source.span_times(s2, e2)
                tok = Token(text[s2:e2], ts, te, tok.confidence)
            tokens.append(tok)
            spans.append((s2 + shift, e2 + shift))

    for start, end, hw in edits:
        keep(pos, start)
        t0, t1 = source.span_times(start, end)
        for s, e in tokenize(hw):
            ts = te = None
            if t0 is not None and t1 is not None:
                ts, te = t0 + (t1 - t0) * s / len(hw), t0 + (t1 - t0) * e / len(hw)
            tokens.append(Token(hw[s:e], ts, te, None))
            spans.append((start + shift + s, start + shift + e))
        parts.append(hw)
        reps.append(Replacement(start, end, text[start:end], hw, 3.0, None, "test"))
        shift += len(hw) - (end - start)
        pos = end
    keep(pos, len(text))
    fused = Transcript("".join(parts), tuple(tokens), tuple(spans))
    return FuseResult(fused.text, tuple(reps), fused, source)


def back(raw: object, result: object, frontend: str | None = None) -> Any:
    """fe.write_back, typed loosely for the assertions below."""
    return fe.write_back(raw, result, frontend)  # type: ignore[arg-type]


def unchanged(source: Transcript) -> FuseResult:
    return FuseResult(source.text, (), source, source)


def elisabeth(t: Transcript) -> FuseResult:
    at = t.text.index("伊丽沙白")
    return by_hand(t, [(at, at + 4, "伊丽莎白")])


# --------------------------------------------------------------------------- detection
DETECT = [
    ("funasr_paraformer", "funasr"),
    ("funasr_seaco_punc", "funasr"),
    ("funasr_sensevoice", "funasr"),
    ("funasr_sensevoice_vad", "funasr"),
    ("whisper_words", "whisper"),
    ("whisper_segments", "whisper"),
    ("sherpa_offline_transducer", "sherpa_onnx"),
    ("sherpa_offline_paraformer", "sherpa_onnx"),
    ("sherpa_sensevoice", "sherpa_onnx"),
    ("sherpa_online", "sherpa_onnx"),
    ("vosk_final", "vosk"),
    ("vosk_partial", "vosk"),
    ("vosk_alternatives", "vosk"),
    ("wenet_websocket", "wenet"),
    ("wenet_api", "wenet"),
    ("wenet_package", "wenet"),
]


@pytest.mark.parametrize(("fixture", "name"), DETECT)
def test_detects_each_recorded_result(fixture: str, name: str) -> None:
    raw = load(fixture)
    assert fe.detect_frontend(raw).name == name
    assert fe.detect_frontend(json.dumps(raw, ensure_ascii=False)).name == name
    for other in fe.available_frontends():
        if other not in (name, "funasr", "text"):
            assert not fe.get_frontend(other).detect(raw), other


def test_detects_plain_text_and_faster_whisper_objects() -> None:
    assert fe.detect_frontend("伊丽沙白").name == "text"
    assert fe.detect_frontend(fw_segments()).name == "faster_whisper"
    assert fe.detect_frontend((fw_segments(), FwInfo("zh", 0.99))).name == "faster_whisper"


def test_unrecognized_raw_names_the_shape_and_the_choices() -> None:
    with pytest.raises(FrontendOutputError, match=r"no frontend recognizes a dict with keys 'foo'"):
        fe.to_transcript({"foo": 1})
    with pytest.raises(FrontendOutputError, match="frontend=<name>"):
        fe.to_transcript(42)


def test_transcript_passes_through() -> None:
    t = Transcript.from_text("你好")
    assert fe.to_transcript(t) is t


# --------------------------------------------------------------------------- FunASR
def test_funasr_paraformer_spaced_tokens_and_ms() -> None:
    raw = load("funasr_paraformer")
    t = fe.to_transcript(raw)
    assert t.text == "伊丽沙白这会儿真太高兴了ok"  # Transcript.from_tokens joins CJK-Latin tightly
    assert len(t.tokens) == 13
    assert (t.tokens[0].start, t.tokens[0].end) == (0.0, 0.18)
    assert t.tokens[-1].text == "ok" and t.tokens[-1].start == 2.4
    assert not t.has_confidences


def test_funasr_paraformer_write_back_keeps_the_spaced_style() -> None:
    raw = load("funasr_paraformer")
    before = copy.deepcopy(raw)
    out = back(raw, elisabeth(fe.to_transcript(raw)))
    assert raw == before  # never mutated
    assert isinstance(out, list) and len(out) == 1
    assert out[0]["text"] == "伊 丽 莎 白 这 会 儿 真 太 高 兴 了 ok"
    assert out[0]["key"] == "asr_example_zh"
    assert len(out[0]["timestamp"]) == 13
    assert out[0]["timestamp"][2] == [400, 580]  # 莎 keeps the time of 沙


def test_funasr_write_back_splits_a_longer_hotword_over_the_span() -> None:
    raw = {
        "key": "k",
        "text": "达 西 来 了",
        "timestamp": [[0, 200], [200, 400], [400, 600], [600, 800]],
    }
    t = fe.to_transcript(raw)
    out = back(raw, by_hand(t, [(0, 2, "达西先生")]))
    assert out["text"] == "达 西 先 生 来 了"
    assert out["timestamp"][:4] == [[0, 100], [100, 200], [200, 300], [300, 400]]
    assert out["timestamp"][4:] == [[400, 600], [600, 800]]


def test_funasr_punctuated_text_with_sentences() -> None:
    raw = load("funasr_seaco_punc")
    t = fe.to_transcript(raw)
    assert t.text == "欢迎使用达摩院的语音识别，伊丽沙白很高兴。"
    assert len(t.tokens) == 19 and t.tokens[0].start == 0.3
    out = back(raw, elisabeth(t))[0]
    assert out["text"] == "欢迎使用达摩院的语音识别，伊丽莎白很高兴。"
    assert [s["text"] for s in out["sentence_info"]] == [
        "欢迎使用达摩院的语音识别，",
        "伊丽莎白很高兴。",
    ]
    assert out["sentence_info"][1]["timestamp"] == raw[0]["sentence_info"][1]["timestamp"]
    assert out["timestamp"] == raw[0]["timestamp"]


def test_funasr_sensevoice_tags_are_stripped_and_restored() -> None:
    raw = load("funasr_sensevoice")
    t = fe.to_transcript(raw)
    assert t.text == "伊丽沙白这会儿真太高兴了"
    assert t.tokens[0].start == 0.06
    out = back(raw, elisabeth(t))[0]
    assert out["text"] == "<|zh|><|NEUTRAL|><|Speech|><|woitn|>伊丽莎白这会儿真太高兴了"
    assert out["words"][:4] == ["伊", "丽", "莎", "白"]
    assert len(out["timestamp"]) == len(out["words"]) == 12


def test_funasr_sensevoice_vad_sentences_give_sentence_bounds() -> None:
    raw = load("funasr_sensevoice_vad")
    t = fe.to_transcript(raw)
    assert t.text == "伊丽沙白这会儿真太高兴了 达西先生来了"
    assert (t.tokens[0].start, t.tokens[11].end, t.tokens[12].start) == (0.45, 3.21, 3.9)
    assert t.tokens[1].start is None
    out = back(raw, elisabeth(t))[0]
    assert out["text"] == (
        "<|zh|><|NEUTRAL|><|Speech|><|woitn|>伊丽莎白这会儿真太高兴了 "
        "<|zh|><|HAPPY|><|Speech|><|woitn|>达西先生来了"
    )
    assert out["sentence_info"][0]["text"] == "伊丽莎白这会儿真太高兴了"
    assert out["sentence_info"][0]["sentence"] == "伊丽莎白这会儿真太高兴了"
    assert out["sentence_info"][1] == raw[0]["sentence_info"][1]


def test_funasr_confidence_list_from_the_runner() -> None:
    raw = {
        "key": "k",
        "text": "伊 丽 沙 白",
        "timestamp": [[0, 1], [1, 2], [2, 3], [3, 4]],
        "confidence": [0.9, 0.8, 0.2, 0.7],
    }
    t = fe.to_transcript(raw)
    assert [tok.confidence for tok in t.tokens] == [0.9, 0.8, 0.2, 0.7]
    out = back(raw, elisabeth(t))
    # the replaced span carries the recognizer's mean confidence over it
    assert out["confidence"] == pytest.approx([0.65] * 4)
    assert out["timestamp"] == raw["timestamp"]


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ({"key": "k"}, "missing 'text'"),
        ({"key": "k", "text": "你好", "timestamp": 5}, r"list of \[start_ms, end_ms\] pairs"),
        ({"key": "k", "text": "你好", "timestamp": [[0, 1], [2]]}, r"timestamp\[1\]"),
        ({"key": "k", "text": "你好", "confidence": 0.5}, "one probability per token"),
        ({"key": "k", "text": "你好", "confidence": [-0.1, -2.0]}, "math.exp"),
        ({"key": "k", "text": "你好", "confidence": [0.5]}, "1 confidences for 2 tokens"),
        ([{"key": "a", "text": "x"}, {"key": "b", "text": "y"}], "holds 2 results"),
        ([], "the list is empty"),
    ],
)
def test_funasr_wrong_shapes(raw: object, match: str) -> None:
    with pytest.raises(FrontendOutputError, match=match):
        fe.to_transcript(raw, "funasr")


def test_funasr_timestamp_count_mismatch_warns_and_drops_times(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="hotfuse"):
        t = fe.to_transcript({"key": "k", "text": "你好吗", "timestamp": [[0, 1]]})
    assert not t.has_times and t.text == "你好吗"
    assert "times dropped" in caplog.text


# --------------------------------------------------------------------------- Whisper
def test_whisper_words_become_tokens_with_probability() -> None:
    raw = load("whisper_words")
    t = fe.to_transcript(raw)
    assert t.text == raw["text"]
    texts = [tok.text for tok in t.tokens]
    assert texts == ["伊", "丽", "沙", "白", "这会儿", "真", "太", "高兴", "了", "你好", "PyTorch"]
    assert t.tokens[2].confidence == 0.21 and t.tokens[-1].start == 3.0


def test_whisper_write_back_rebuilds_words_and_text() -> None:
    raw = load("whisper_words")
    out = back(raw, elisabeth(fe.to_transcript(raw)))
    seg = out["segments"][0]
    assert seg["text"] == "伊丽莎白这会儿真太高兴了。"
    assert [w["word"] for w in seg["words"]] == ["伊丽莎白", "这会儿", "真", "太", "高兴", "了。"]
    new = seg["words"][0]
    assert (new["start"], new["end"]) == (0.0, 1.14)
    assert new["probability"] == pytest.approx((0.71 + 0.64 + 0.21 + 0.55) / 4)
    assert seg["words"][1] == raw["segments"][0]["words"][4]
    assert out["segments"][1] == raw["segments"][1]
    assert out["text"] == "伊丽莎白这会儿真太高兴了。 你好 PyTorch。"


def test_whisper_without_words_uses_segment_confidence() -> None:
    raw = load("whisper_segments")
    t = fe.to_transcript(raw)
    assert len(t.tokens) == 12
    assert all(tok.confidence == pytest.approx(math.exp(-0.5)) for tok in t.tokens)
    assert (t.tokens[0].start, t.tokens[0].end, t.tokens[-1].end) == (0.0, None, 2.6)
    out = back(raw, elisabeth(t))
    assert out["text"] == out["segments"][0]["text"] == "伊丽莎白这会儿真太高兴了"
    assert "words" not in out["segments"][0]


def test_whisper_wrong_shapes() -> None:
    with pytest.raises(FrontendOutputError, match="missing 'segments' list"):
        fe.to_transcript({"text": "x"}, "whisper")
    with pytest.raises(FrontendOutputError, match=r"segments\[0\] has no 'text'"):
        fe.to_transcript({"text": "x", "segments": [{"start": 0}]}, "whisper")
    with pytest.raises(FrontendOutputError, match=r"words\[0\] has no 'word'"):
        fe.to_transcript({"segments": [{"text": "x", "words": [{"start": 0}]}]}, "whisper")


# --------------------------------------------------------------------------- faster-whisper
@dataclasses.dataclass
class FwWord:  # faster_whisper.transcribe.Word, 1.2.1
    start: float
    end: float
    word: str
    probability: float


@dataclasses.dataclass
class FwSegment:  # faster_whisper.transcribe.Segment, 1.2.1
    id: int
    seek: int
    start: float
    end: float
    text: str
    tokens: list[int]
    avg_logprob: float
    compression_ratio: float
    no_speech_prob: float
    words: list[FwWord] | None
    temperature: float | None


FwInfo = namedtuple("FwInfo", "language language_probability")
NtWord = namedtuple("NtWord", "start end word probability")  # faster-whisper < 1.1
NtSegment = namedtuple(
    "NtSegment",
    "id seek start end text tokens avg_logprob compression_ratio no_speech_prob words temperature",
)


def fw_segments(kind: str = "dataclass") -> list[Any]:
    seg_cls: Any = FwSegment if kind == "dataclass" else NtSegment
    word_cls: Any = FwWord if kind == "dataclass" else NtWord
    out = []
    for s in load("faster_whisper")["segments"]:
        words = [word_cls(**w) for w in s.pop("words")]
        out.append(seg_cls(**s, words=words))
    return out


@pytest.mark.parametrize("kind", ["dataclass", "namedtuple"])
def test_faster_whisper_objects_round_trip(kind: str) -> None:
    segs = fw_segments(kind)
    t = fe.to_transcript(segs)
    assert t.text == " 伊丽沙白这会儿真太高兴了 达西来了。"
    assert [tok.text for tok in t.tokens][:2] == ["伊丽", "沙白"]
    assert t.tokens[1].confidence == 0.24
    out = back(segs, elisabeth(t))
    assert type(out[0]) is type(segs[0])
    assert out[0].text == " 伊丽莎白这会儿真太高兴了"
    words = out[0].words
    assert type(words[0]) is type(segs[0].words[0])
    assert [w.word for w in words] == [" 伊丽莎白", "这会儿", "真太高兴了"]
    assert (words[0].start, words[0].end) == (0.0, 1.14)
    assert words[0].probability == pytest.approx((0.66 + 0.24) / 2)
    assert out[1] == segs[1]
    assert segs[0].text == " 伊丽沙白这会儿真太高兴了"  # input untouched


def test_faster_whisper_tuple_and_generator() -> None:
    info = FwInfo("zh", 0.98)
    segs = fw_segments()
    t = fe.to_transcript((segs, info))
    new, info2 = back((segs, info), elisabeth(t))
    assert info2 is info and new[0].text.startswith(" 伊丽莎白")
    gen = iter(fw_segments())
    assert fe.to_transcript((gen, info), "faster_whisper").text == t.text
    with pytest.raises(FrontendOutputError, match=r"list\(segments\)"):
        fe.write_back((iter(segs), info), elisabeth(t), "faster_whisper")


def test_faster_whisper_wrong_shape() -> None:
    with pytest.raises(FrontendOutputError, match="lacks start, end, text or words"):
        fe.to_transcript([object()], "faster_whisper")


# --------------------------------------------------------------------------- sherpa-onnx
def test_sherpa_offline_transducer_pieces_to_words() -> None:
    raw = load("sherpa_offline_transducer")
    t = fe.to_transcript(raw)
    assert t.text == "伊丽沙白说 HELLO WORLD"
    assert [tok.text for tok in t.tokens] == ["伊", "丽", "沙", "白", "说", "HELLO", "WORLD"]
    hello = t.tokens[5]
    assert (hello.start, hello.end) == (1.8, 2.32)
    assert hello.confidence == pytest.approx(math.exp(-0.3))
    assert t.tokens[2].confidence == pytest.approx(math.exp(-1.6))
    assert t.tokens[-1].end is None


def test_sherpa_offline_transducer_write_back() -> None:
    raw = load("sherpa_offline_transducer")
    out = back(raw, elisabeth(fe.to_transcript(raw)))
    assert out["text"] == "伊丽莎白说 HELLO WORLD"
    assert out["tokens"] == ["伊", "丽", "莎", "白", "说", " HE", "LLO", " WORLD"]
    assert out["timestamps"][4:] == raw["timestamps"][4:]
    assert out["ys_log_probs"][4:] == raw["ys_log_probs"][4:]
    p = (math.exp(-0.02) + math.exp(-0.11) + math.exp(-1.6) + math.exp(-0.4)) / 4
    assert out["ys_log_probs"][2] == pytest.approx(math.log(p))
    assert len(out["tokens"]) == len(out["timestamps"]) == len(out["ys_log_probs"])


def test_sherpa_paraformer_at_at_pieces() -> None:
    raw = load("sherpa_offline_paraformer")
    t = fe.to_transcript(raw)
    assert [tok.text for tok in t.tokens][-2:] == ["用", "pytorch"]
    assert not t.has_confidences
    out = back(raw, elisabeth(t))
    assert out["tokens"] == ["伊", "丽", "莎", "白", "用", "py@@", "torch"]
    assert out["ys_log_probs"] == []


def test_sherpa_sensevoice_keeps_tags_and_punctuation_pieces() -> None:
    raw = load("sherpa_sensevoice")
    t = fe.to_transcript(raw)
    assert t.text == "伊丽沙白来了。"
    assert [tok.text for tok in t.tokens] == list("伊丽沙白来了")
    out = back(raw, elisabeth(t))
    assert out["tokens"] == list("伊丽莎白来了。")
    assert (out["lang"], out["emotion"]) == ("<|zh|>", "<|NEUTRAL|>")


def test_sherpa_online_adds_start_time() -> None:
    raw = load("sherpa_online")
    t = fe.to_transcript(raw)
    assert t.tokens[0].start == pytest.approx(5.12)
    assert t.tokens[2].confidence == pytest.approx(math.exp(-2.3))
    out = back(raw, elisabeth(t))
    assert out["text"] == "伊丽莎白来了"
    assert out["timestamps"][4:] == raw["timestamps"][4:]
    assert out["timestamps"][2] == pytest.approx(0.44)
    assert out["start_time"] == 5.12 and out["segment"] == 1


class OfflineRecognitionResult:
    """Read-only properties, as the pybind11 class has."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self._f = fields

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_f"][name]
        except KeyError:
            raise AttributeError(name) from None


def test_sherpa_result_object_reads_like_its_json() -> None:
    raw = load("sherpa_offline_transducer")
    obj = OfflineRecognitionResult(raw)
    assert fe.detect_frontend(obj).name == "sherpa_onnx"
    t = fe.to_transcript(obj)
    assert t == fe.to_transcript(raw)
    same = back(obj, unchanged(t))
    assert isinstance(same, OfflineRecognitionResult) and same.tokens == raw["tokens"]
    assert back(obj, elisabeth(t))["tokens"][:4] == ["伊", "丽", "莎", "白"]


def test_sherpa_byte_fallback_pieces_are_decoded() -> None:
    pieces = [f"<0x{b:02X}>" for b in "伊".encode()] + ["丽"]
    raw = {
        "text": "伊丽",
        "tokens": pieces,
        "timestamps": [0.1, 0.12, 0.14, 0.3],
        "ys_log_probs": [],
    }
    t = fe.to_transcript(raw, "sherpa_onnx")
    assert [(tok.text, tok.start) for tok in t.tokens] == [("伊", 0.1), ("丽", 0.3)]


def test_sherpa_wrong_shape() -> None:
    with pytest.raises(FrontendOutputError, match="missing 'text' string"):
        fe.to_transcript({"tokens": []}, "sherpa_onnx")


# --------------------------------------------------------------------------- Vosk
def test_vosk_final_words_and_conf() -> None:
    raw = load("vosk_final")
    t = fe.to_transcript(raw)
    assert t.text == "伊丽沙白这会儿真太高兴了"
    assert t.tokens[1] == Token("沙白", 0.66, 1.05, 0.41)
    out = back(json.dumps(raw, ensure_ascii=False), elisabeth(t))
    assert isinstance(out, str)
    got = json.loads(out)
    assert got["text"] == "伊丽莎白 这会儿 真太高兴了"
    assert got["result"][0] == {
        "conf": pytest.approx(0.695),
        "end": 1.05,
        "start": 0.21,
        "word": "伊丽莎白",
    }
    assert got["result"][1:] == raw["result"][2:]


def test_vosk_partial_and_alternatives() -> None:
    raw = load("vosk_partial")
    t = fe.to_transcript(raw)
    assert [tok.confidence for tok in t.tokens] == [0.9, 0.5]
    out = back(raw, elisabeth(t))
    assert out["partial"] == "伊丽莎白" and out["partial_result"][0]["word"] == "伊丽莎白"
    alt = load("vosk_alternatives")
    t2 = fe.to_transcript(alt)
    assert t2.text == "伊丽沙白" and not t2.has_confidences
    out2 = back(alt, elisabeth(t2))
    assert out2["alternatives"][0]["text"] == "伊丽莎白"
    assert "conf" not in out2["alternatives"][0]["result"][0]
    assert out2["alternatives"][1] == alt["alternatives"][1]


def test_vosk_text_only_and_wrong_shape() -> None:
    t = fe.to_transcript({"text": "伊丽 沙白"}, "vosk")
    assert t.text == "伊丽沙白" and not t.has_times
    with pytest.raises(FrontendOutputError, match="has no 'word' string"):
        fe.to_transcript({"result": [{"conf": 1.0}], "text": ""}, "vosk")


# --------------------------------------------------------------------------- WeNet
def test_wenet_websocket_ms_and_string_nbest() -> None:
    raw = load("wenet_websocket")
    t = fe.to_transcript(raw)
    assert t.tokens[1] == Token("丽", 0.24, 0.48)
    out = back(raw, elisabeth(t))
    assert isinstance(out["nbest"], str)
    hyp = json.loads(out["nbest"])[0]
    assert hyp["sentence"] == "伊丽莎白这会儿"
    assert hyp["word_pieces"][2] == {"word": "莎", "start": 480, "end": 720}


def test_wenet_api_float_seconds() -> None:
    raw = load("wenet_api")
    t = fe.to_transcript(raw)
    assert t.tokens[1] == Token("丽", 0.24, 0.48)
    out = back(raw, elisabeth(t))
    assert out["nbest"][0]["word_pieces"][2]["start"] == pytest.approx(0.48)


def test_wenet_python_package() -> None:
    raw = load("wenet_package")
    t = fe.to_transcript(raw)
    assert t.tokens[2] == Token("沙", 0.48, 0.68, 0.31)
    out = back(raw, elisabeth(t))
    assert out["text"] == "伊丽莎白这会儿"
    assert out["tokens"][2] == {"token": "莎", "start": 0.48, "end": 0.68, "confidence": 0.69}
    assert out["tokens"][4:] == raw["tokens"][4:]
    assert out["confidence"] == 0.71


def test_wenet_bpe_pieces_and_errors() -> None:
    raw = {
        "nbest": [
            {
                "sentence": "hello world",
                "word_pieces": [
                    {"word": "▁HE", "start": 0, "end": 100},
                    {"word": "LLO", "start": 100, "end": 200},
                    {"word": "▁WORLD", "start": 200, "end": 400},
                ],
            }
        ]
    }
    t = fe.to_transcript(raw)
    # the sentence is the recognizer's text: the pieces' upper case does not replace it
    assert [(tok.text, tok.start, tok.end) for tok in t.tokens] == [
        ("hello", 0.0, 0.2),
        ("world", 0.2, 0.4),
    ]
    with pytest.raises(FrontendOutputError, match="'nbest' is empty"):
        fe.to_transcript({"nbest": []}, "wenet")


# --------------------------------------------------------------------------- text
def test_text_frontend() -> None:
    t = fe.to_transcript("伊丽沙白这会儿")
    assert back("伊丽沙白这会儿", elisabeth(t)) == "伊丽莎白这会儿"
    with pytest.raises(FrontendOutputError, match="expected a str"):
        fe.get_frontend("text").to_transcript(1)


# --------------------------------------------------------------------------- round trips
ALL_FIXTURES = [name for name, _ in DETECT]


@pytest.mark.parametrize("fixture", ALL_FIXTURES)
def test_write_back_without_replacements_is_identity(fixture: str) -> None:
    raw = load(fixture)
    t = fe.to_transcript(raw)
    out = back(raw, unchanged(t))
    if fixture.startswith("sherpa"):
        out = {k: v for k, v in out.items() if k in raw}
    assert out == raw
    assert fe.to_transcript(out) == t


@pytest.mark.parametrize("fixture", ALL_FIXTURES)
def test_fuse_then_write_back_in_one_line(fixture: str) -> None:
    raw = load(fixture)
    r = fuse(raw, HOTWORDS)
    assert "伊丽莎白" in r.text
    out = back(raw, r)
    again = fe.to_transcript(out)
    assert again.text == r.text  # the written-back result reads as the fused transcript
    assert len(again.tokens) >= len(r.source.tokens) - 3


def test_write_back_rejects_a_result_of_another_input() -> None:
    raw = load("vosk_final")
    other = fuse("完全不同的话", HOTWORDS)
    with pytest.raises(InputError, match="was not made from this vosk result"):
        fe.write_back(raw, other)
    with pytest.raises(InputError, match="takes the FuseResult"):
        fe.write_back(raw, "伊丽莎白")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- registry
def test_available_and_get() -> None:
    names = fe.available_frontends()
    for name in ("funasr", "whisper", "faster_whisper", "sherpa_onnx", "vosk", "wenet", "text"):
        assert name in names
        assert fe.get_frontend(name).name == name
        assert isinstance(fe.get_frontend(name), fe.Frontend)
    assert names[-2:] == ("funasr", "text")
    with pytest.raises(UnknownFrontendError) as info:
        fe.get_frontend("kaldi")
    assert info.value.available == names
    assert "kaldi" in str(info.value) and "hotfuse.frontends" in str(info.value)


class Upper:
    name = "upper"

    def detect(self, raw: object) -> bool:
        return isinstance(raw, dict) and "UPPER" in raw

    def to_transcript(self, raw: object) -> Transcript:
        return Transcript.from_text(str(raw["UPPER"]).upper())  # type: ignore[index]

    def write_back(self, raw: object, result: FuseResult) -> object:
        return {"UPPER": result.text}


class FakeEntryPoint:
    def __init__(self, name: str, target: object, value: str = "pkg:obj") -> None:
        self.name = name
        self.value = value
        self._target = target

    def load(self) -> object:
        if isinstance(self._target, BaseException):
            raise self._target
        return self._target


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fe, "_third_party", {})
    monkeypatch.setattr(fe, "_entry_points_done", False)


def test_entry_points_are_loaded_lazily_and_failures_only_warn(
    monkeypatch: pytest.MonkeyPatch, fresh_registry: None, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def entry_points(*, group: str) -> list[FakeEntryPoint]:
        calls.append(group)
        return [
            FakeEntryPoint("upper", Upper),  # a class: instantiated
            FakeEntryPoint("broken", ImportError("No module named 'kaldi_io'")),
            FakeEntryPoint("vosk", Upper()),  # shadows a built-in
            FakeEntryPoint("junk", 42),
        ]

    monkeypatch.setattr("hotfuse.frontends.metadata.entry_points", entry_points)
    assert fe.get_frontend("funasr").name == "funasr"
    assert calls == []  # built-in names never scan entry points
    with caplog.at_level(logging.WARNING, logger="hotfuse"):
        names = fe.available_frontends()
    assert calls == ["hotfuse.frontends"]
    assert "upper" in names and "broken" not in names and "junk" not in names
    assert names.index("upper") < names.index("funasr")
    assert "skipping frontend entry point 'broken'" in caplog.text
    assert "No module named 'kaldi_io'" in caplog.text
    assert "shadowed by the built-in" in caplog.text
    assert isinstance(fe.get_frontend("vosk"), type(fe.get_frontend("vosk")))
    assert fe.get_frontend("vosk").name == "vosk"
    assert fe.to_transcript({"UPPER": "abc"}).text == "ABC"
    assert back({"UPPER": "abc"}, fuse("ABC", ["达西"])) == {"UPPER": "ABC"}
    fe.available_frontends()
    assert calls == ["hotfuse.frontends"]  # listed once per process


def test_unknown_name_triggers_the_entry_point_scan(
    monkeypatch: pytest.MonkeyPatch, fresh_registry: None
) -> None:
    monkeypatch.setattr(
        "hotfuse.frontends.metadata.entry_points",
        lambda *, group: [FakeEntryPoint("upper", Upper())],
    )
    assert fe.get_frontend("upper").to_transcript({"UPPER": "x"}).text == "X"


def test_register_frontend_rules(fresh_registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hotfuse.frontends.metadata.entry_points", lambda *, group: [])
    fe.register_frontend(Upper())
    assert fe.get_frontend("upper").name == "upper"
    with pytest.raises(ValueError, match="already registered"):
        fe.register_frontend(Upper())
    fe.register_frontend(Upper(), replace=True)
    bad = Upper()
    bad.name = "text"
    with pytest.raises(ValueError, match="built-in"):
        fe.register_frontend(bad)
    with pytest.raises(TypeError, match="is not a frontend"):
        fe.register_frontend(object())  # type: ignore[arg-type]


def test_a_raising_third_party_detect_does_not_break_detection(
    fresh_registry: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Boom(Upper):
        name = "boom"

        def detect(self, raw: object) -> bool:
            msg = "bad detect"
            raise RuntimeError(msg)

    monkeypatch.setattr(
        "hotfuse.frontends.metadata.entry_points",
        lambda *, group: [FakeEntryPoint("boom", Boom())],
    )
    with caplog.at_level(logging.WARNING, logger="hotfuse"):
        assert fe.detect_frontend({"key": "k", "text": "你好"}).name == "funasr"
    assert "bad detect" in caplog.text


# --------------------------------------------------------------------------- real shapes
# tests/data/frontends/shapes/*.json: one recognizer output shape each (issue 12's numbered
# shapes and others), real layout with made-up content ("_source" cites where the layout
# comes from; the faster-whisper ones were produced by running it). "hotwords" must force a
# replacement; "expect" is the written-back structure after it.
SHAPES = sorted((DATA / "shapes").glob("*.json"))
NO_MATCH = ["魑魅魍魉"]


def shape_doc(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert doc["_source"] and doc["shape"] and doc["hotwords"]
    return doc


def shape_raw(doc: dict[str, Any]) -> Any:
    raw = copy.deepcopy(doc["raw"])
    if doc.get("objects") == "faster_whisper":
        return [
            FwSegment(**{**s, "words": [FwWord(**w) for w in s["words"]] if s["words"] else None})
            for s in raw
        ]
    return raw


def as_plain(value: Any) -> Any:
    """Objects -> dicts, so a written-back structure compares with the stored 'expect'."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return as_plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {k: as_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_plain(v) for v in value]
    return value


@pytest.mark.parametrize("path", SHAPES, ids=lambda p: p.stem)
def test_shape_identity_when_nothing_is_replaced(path: Path) -> None:
    doc = shape_doc(path)
    raw = shape_raw(doc)
    name = doc["frontend"]
    result = fuse(raw, NO_MATCH, frontend=name)
    assert not result.replacements
    out = fe.write_back(raw, result, name)
    assert type(out) is type(raw)
    assert out == raw
    if not isinstance(raw, str) and not doc.get("objects"):  # the same result as JSON text
        text = json.dumps(raw, ensure_ascii=False, indent=1)
        assert fe.write_back(text, fuse(text, NO_MATCH, frontend=name), name) == text


@pytest.mark.parametrize("path", SHAPES, ids=lambda p: p.stem)
def test_shape_forced_replacement(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    doc = shape_doc(path)
    raw = shape_raw(doc)
    name = doc["frontend"]
    caplog.clear()
    source = fe.to_transcript(raw, name)
    known = {r.msg for r in caplog.records}  # what reading the input itself warns about
    result = fuse(raw, doc["hotwords"], frontend=name)
    assert result.replacements, (
        f"{path.stem}: {doc['hotwords']} replaced nothing in {source.text!r}"
    )
    out = fe.write_back(raw, result, name)
    assert type(out) is type(raw)
    assert as_plain(out) == doc["expect"]
    caplog.clear()
    again = fe.to_transcript(out, name)
    assert again.text == result.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.msg not in known]
    if source.has_times and "times are dropped" not in doc.get("note", ""):
        shift = 0
        for rep in result.replacements:  # the hotword's times lie within the replaced span's
            t0, t1 = source.span_times(rep.start, rep.end)
            a = rep.start + shift
            shift += len(rep.hotword) - (rep.end - rep.start)
            s0, s1 = again.span_times(a, a + len(rep.hotword))
            assert t0 is not None and t1 is not None and s0 is not None and s1 is not None
            assert t0 - 1e-6 <= s0 <= s1 <= t1 + 1e-6


def test_shape_12_recognizer_jsonl_lines_are_read_by_their_frontends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hotfuse.cli import main

    lines = [
        shape_doc(DATA / "shapes" / f"{name}.json")["raw"]
        for name in (
            "12a_sherpa_str_result_jsonl_line",
            "12b_wenet_nbest_array_two_hypotheses_line",
        )
    ]
    path = tmp_path / "results.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    words = ["--hotword", "伊丽莎白", "--hotword", "达西"]
    assert main(["fuse", "-i", str(path), *words]) == 0
    out, err = capsys.readouterr()
    # each line comes back in its recognizer's own structure, holding the fused text
    back = [json.loads(x) for x in out.splitlines()]
    assert back == [fe.write_back(json.loads(r), fuse(json.loads(r), words[1::2])) for r in lines]
    assert [fe.to_transcript(b).text for b in back] == ["伊丽莎白来了", "达西来了"]
    assert "indices" not in err and "error" not in err.lower()
    # --json: hotfuse's records, with the replacements
    assert main(["fuse", "-i", str(path), *words, "--json"]) == 0
    recs = [json.loads(x) for x in capsys.readouterr()[0].splitlines()]
    assert [r["text"] for r in recs] == ["伊丽莎白来了", "达西来了"]
    assert [r["replacements"][0]["hotword"] for r in recs] == ["伊丽莎白", "达西"]


def test_recognizer_jsonl_lines_left_alone_come_back_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A recognizer's result in which nothing is replaced is written as it was read (its
    key order, spacing and number spelling), and a fused one keeps every other field."""
    from hotfuse.cli import main

    same = '{"key":"b",  "text":"你好", "timestamp":[[0,100.0],[100,200]], "extra": {"x": 1}}'
    stamps = [[0, 100], [100, 200], [200, 300], [300, 400]]
    fused = json.dumps([{"key": "a.wav", "text": "伊 丽 沙 白", "timestamp": stamps, "extra": 1}])
    path = tmp_path / "results.jsonl"
    path.write_text(f"{same}\r\n{fused}\n", encoding="utf-8")
    for jobs in ("1", "2"):
        assert main(["fuse", "-i", str(path), "--hotword", "伊丽莎白", "--jobs", jobs]) == 0
        out = capsys.readouterr()[0].split("\n")
        assert out[0] == same
        assert json.loads(out[1]) == [
            {
                "key": "a.wav",
                "text": "伊 丽 莎 白",
                "timestamp": stamps,
                "extra": 1,
            }
        ]


def test_shape_11_wenet_ms_are_divided_exactly() -> None:
    raw = shape_doc(DATA / "shapes" / "08a_wenet_english_whole_word_pieces.json")["raw"]
    t = fe.to_transcript(raw)
    assert [(tok.text, tok.start, tok.end) for tok in t.tokens] == [
        ("call", 0.0, 0.4),
        ("darsy", 0.4, 1.0),
        ("now", 1.0, 1.4),  # 1400 / 1000, not 1400 * 0.001 == 1.4000000000000001
    ]


def test_a_failing_write_back_keeps_the_line_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hotfuse.cli import main

    def broken(raw: object, result: object, frontend: object = None) -> object:
        msg = "boom"
        raise ValueError(msg)

    monkeypatch.setattr(fe, "write_back", broken)
    line = '{"key": "a", "text": "伊丽沙白来了", "timestamp": []}'
    other = '{"key": "b", "text": "你好", "timestamp": []}'
    path = tmp_path / "results.jsonl"
    path.write_text(f"{line}\n{other}\n", encoding="utf-8")
    assert main(["fuse", "-i", str(path), "--hotword", "伊丽莎白"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [line, other]
    assert "line 1: the fused text could not be written back" in err and "boom" in err
    assert "Traceback" not in err


def test_funasr_key_and_text_lines_come_back_as_funasr_wrote_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``{"key", "text"}`` is FunASR's result (SenseVoice's tags in its text, or Paraformer's
    without timestamps), not hotfuse's record: the tags stay out of what is fused and the
    line comes back with its ``key``."""
    from hotfuse.cli import main

    tagged = {"key": "a", "text": "<|zh|><|NEUTRAL|><|Speech|><|woitn|>伊丽沙白来了"}
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps(tagged, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["fuse", "-i", str(path), "--hotword", "伊丽莎白"]) == 0
    back = json.loads(capsys.readouterr()[0])
    assert back == {"key": "a", "text": "<|zh|><|NEUTRAL|><|Speech|><|woitn|>伊丽莎白来了"}
    assert main(["fuse", "-i", str(path), "--hotword", "伊丽莎白", "--json"]) == 0
    rec = json.loads(capsys.readouterr()[0])
    assert (rec["id"], rec["original"], rec["text"]) == ("a", "伊丽沙白来了", "伊丽莎白来了")


def test_a_result_whose_text_is_not_a_string_says_so() -> None:
    with pytest.raises(FrontendOutputError, match="whose 'text' is int, not a string"):
        fe.to_transcript({"key": "a", "text": 5})
