"""Other tools' hotword files (hotfuse.formats.hotword_files), on fixtures of their real
layouts (tests/data/hotwords/README.md cites each source)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from hotfuse.errors import LexiconError
from hotfuse.formats.hotword_files import (
    detect_variant,
    export_lexicon,
    guess_format,
    import_lexicon,
)
from hotfuse.lexicon import Hotword, Lexicon

DATA = Path(__file__).parent / "data" / "hotwords"


def load(name: str, fmt: str) -> Lexicon:
    return import_lexicon((DATA / name).read_text(encoding="utf-8"), fmt, path=DATA / name)


def entries(lex: Lexicon) -> list[tuple[str, float, tuple[str, ...], tuple[str, ...]]]:
    return [(h.text, h.weight, h.aliases, h.block_contexts) for h in lex.hotwords]


# --------------------------------------------------------------------------- exact round trips
@pytest.mark.parametrize(
    ("fixture", "fmt", "variant"),
    [
        ("capswriter-hot.canonical.txt", "capswriter", None),
        ("sherpa-onnx-hotwords.txt", "sherpa-onnx", "text"),
        ("sherpa-onnx-cjkchar.txt", "sherpa-onnx", "cjkchar"),
        ("funasr-runtime.txt", "funasr", "runtime"),
        ("funasr-automodel.txt", "funasr", "automodel"),
        ("aliyun-wordweights.json", "aliyun", "wordweights"),
        ("aliyun-words.json", "aliyun", "words"),
        ("aliyun-model-studio.json", "aliyun", "model-studio"),
        ("aliyun.tsv", "aliyun", "tsv"),
        ("tencent.txt", "tencent", "lines"),
        ("tencent-inline.txt", "tencent", "inline"),
    ],
)
def test_each_layout_round_trips_byte_for_byte(fixture: str, fmt: str, variant: str) -> None:
    original = (DATA / fixture).read_text(encoding="utf-8")
    lex = load(fixture, fmt)
    text, left_out = export_lexicon(lex, fmt, variant=variant)
    assert left_out == []
    if fixture.endswith(".json"):
        assert json.loads(text) == json.loads(original)
    else:
        assert text == original
    assert import_lexicon(text, fmt).hotwords == lex.hotwords
    # the variant that writes this layout back is the one the import names
    assert (detect_variant(original, fmt) or _default(fmt)) == variant


def _default(fmt: str) -> str | None:
    return {"capswriter": None, "sherpa-onnx": "text", "funasr": "automodel"}.get(
        fmt, {"aliyun": "tsv", "tencent": "lines"}.get(fmt)
    )


def test_funasr_websocket_json_round_trips() -> None:
    lex = load("funasr-websocket.json", "funasr")
    assert [(h.text, h.weight) for h in lex.hotwords] == [("阿里巴巴", 1.0), ("通义实验室", 1.5)]
    text, _ = export_lexicon(lex, "funasr", variant="json")
    assert json.loads(text) == {"阿里巴巴": 20, "通义实验室": 30}


# --------------------------------------------------------------------------- CapsWriter
def test_capswriter_reads_aliases_and_blacklist_contexts() -> None:
    lex = load("capswriter-hot.txt", "capswriter")
    assert entries(lex)[:3] == [
        ("CapsWriter", 1.0, ("Caps Rider", "Caps Right"), ()),
        ("Paraformer", 1.0, ("怕若佛么",), ()),
        ("傅平", 1.0, (), ("扶贫", "精准", "脱贫")),
    ]
    # a line far over 32 characters is one term with short aliases, not a dead term
    addr = lex.get("上海市浦东新区张江高科技园区")
    assert addr is not None and addr.aliases == ("我的地址", "input my address")
    assert not [h for h in lex.hotwords if "|" in h.text or "~" in h.text]


def test_capswriter_rules_literal_regex_and_deletions(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="hotfuse"):
        lex = load("capswriter-hot-rule.txt", "capswriter")
    assert entries(lex) == [("mAh", 1.0, ("毫安时",), ()), ("Hz", 1.0, ("赫兹",), ())]
    text = caplog.text
    assert "2 line(s) skipped: CapsWriter deletion rules" in text
    assert "1 line(s) skipped: CapsWriter regular-expression rules" in text
    rules, skipped = export_lexicon(lex, "capswriter-rule")
    assert rules == "毫安时 = mAh\n赫兹 = Hz\n" and skipped == []


# --------------------------------------------------------------------------- sherpa-onnx
def test_sherpa_model_pieces_become_words() -> None:
    lex = load("sherpa-onnx-bpe.txt", "sherpa-onnx")
    assert [h.text for h in lex.hotwords] == [
        "SPEECH RECOGNITION",
        "DEEP LEARNING",
        "QUARTERS",
        "SPEECH识别",
    ]
    cjk = load("sherpa-onnx-cjkchar.txt", "sherpa-onnx")
    assert [(h.text, h.weight) for h in cjk.hotwords] == [
        ("语音识别", 2.0),
        ("深度学习", 1.0),
        ("达西", 0.5),
    ]


def test_sherpa_keywords_phrase_score_threshold(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="hotfuse"):
        lex = load("sherpa-onnx-keywords.txt", "sherpa-onnx")
    assert [(h.text, round(h.weight, 4)) for h in lex.hotwords] == [
        ("小爱同学", round(2.0 / 1.5, 4)),
        ("你好军哥", 1.0),
    ]
    assert "pinyin model pieces without @phrase" in caplog.text and "line 3" in caplog.text


def test_sherpa_bpe_export_says_what_to_run() -> None:
    with pytest.raises(LexiconError, match="text2token"):
        export_lexicon(Lexicon(hotwords=(Hotword("SPEECH"),)), "sherpa-onnx", variant="bpe")


@pytest.mark.parametrize("line", ["达西 :2 extra\n", ":2 达西\n"])
def test_sherpa_score_must_follow_the_words(line: str) -> None:
    with pytest.raises(LexiconError) as info:
        import_lexicon(line, "sherpa-onnx")
    assert info.value.line_no == 1


# --------------------------------------------------------------------------- FunASR
def test_funasr_default_export_is_what_automodel_reads() -> None:
    lex = load("funasr-runtime.txt", "funasr")
    text, _ = export_lexicon(lex, "funasr")
    assert text == "阿里巴巴\n达摩院\n通义实验室\n"  # no trailing weights AutoModel would keep


# --------------------------------------------------------------------------- Aliyun
def test_aliyun_getasrvocab_is_unwrapped() -> None:
    lex = load("aliyun-getasrvocab.json", "aliyun")
    assert [(h.text, h.weight) for h in lex.hotwords] == [("苹果", 1.5), ("西瓜", 1.5)]


def test_aliyun_model_studio_scale_differs_from_nls() -> None:
    studio = load("aliyun-model-studio.json", "aliyun")
    nls = load("aliyun-wordweights.json", "aliyun")
    # the recommended Model Studio weight (4) and the usual NLS weight (2) are both 1.0
    assert studio.hotwords[0].weight == 1.0 and nls.hotwords[0].weight == 1.0
    assert studio.hotwords[0].tags == ("lang:zh",)
    assert studio.hotwords[2].tags == ()


def test_aliyun_model_studio_rejects_weights_outside_its_range() -> None:
    with pytest.raises(LexiconError, match=r"\[1, 5\]") as info:
        import_lexicon('[\n  {"text": "甲乙", "weight": 0}\n]', "aliyun")
    assert info.value.line_no == 2


def test_aliyun_model_studio_cannot_write_suppressed_words() -> None:
    lex = Lexicon(hotwords=(Hotword("甲乙"), Hotword("丙丁", weight=-2)))
    text, left_out = export_lexicon(lex, "aliyun", variant="model-studio")
    assert json.loads(text) == [{"text": "甲乙", "weight": 4}]
    assert [h.text for h in left_out] == ["丙丁"]


def test_unknown_variant_lists_the_known_ones() -> None:
    with pytest.raises(LexiconError, match="automodel, runtime, json"):
        export_lexicon(Lexicon(hotwords=(Hotword("甲乙"),)), "funasr", variant="xml")


# --------------------------------------------------------------------------- guessing
@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("capswriter-hot.txt", "capswriter"),
        ("capswriter-hot-rule.txt", "capswriter"),
        ("sherpa-onnx-hotwords.txt", "sherpa-onnx"),
        ("sherpa-onnx-bpe.txt", "sherpa-onnx"),
        ("funasr-runtime.txt", "funasr"),
        ("funasr-websocket.json", "funasr"),
        ("aliyun-wordweights.json", "aliyun"),
        ("aliyun-model-studio.json", "aliyun"),
        ("aliyun.tsv", "aliyun"),
        ("tencent.txt", "tencent"),
        ("funasr-automodel.txt", "plain"),
    ],
)
def test_guess_format(fixture: str, expected: str) -> None:
    assert guess_format((DATA / fixture).read_text(encoding="utf-8"), DATA / fixture) == expected
