"""Other tools' hotword files (hotfuse.formats.hotword_files), on fixtures of their real
layouts (tests/data/hotwords/README.md cites each source)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from hotfuse import lexicon
from hotfuse.errors import LexiconError
from hotfuse.formats import hotword_files, lexicon_toml
from hotfuse.formats.hotword_files import (
    LexiconFormat,
    detect_variant,
    export_lexicon,
    guess_format,
    import_lexicon,
)
from hotfuse.lexicon import MAX_LEXICON_BYTES, Hotword, Lexicon

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


# --------------------------------------------------------------------------- hostile files
# Issue 16 finding 15: loading is linear in the file's size (these ran past 2 minutes), and
# the limits (bytes, entries, characters per term, a CSV cell) are clean LexiconErrors.
def _word(k: int) -> str:
    """A distinct three-character Chinese term per k (k < 8e12)."""
    return "".join(chr(0x4E00 + (k // 20_000**i) % 20_000) for i in range(3))


@pytest.mark.slow
def test_a_3_6_mb_aliyun_list_loads() -> None:
    items = [{"text": _word(k), "weight": 4, "lang": "zh"} for k in range(75_000)]
    text = json.dumps(items, ensure_ascii=False, indent=2)
    assert len(text.encode()) > 3_600_000
    lex = import_lexicon(text, "aliyun", path="vocab.json")
    assert len(lex.hotwords) == 75_000
    assert lex.hotwords[-1].text == _word(74_999) and lex.hotwords[-1].tags == ("lang:zh",)


@pytest.mark.slow
def test_a_2_3_mb_inline_entry_array_loads_with_line_numbers() -> None:
    words = [_word(k) for k in range(120_000)]
    text = "entry = [\n" + ",\n".join(f'{{text = "{w}"}}' for w in words) + "\n]\n"
    assert len(text.encode()) > 2_300_000
    lex = Lexicon.loads(text, path="inline.toml")
    assert len(lex.hotwords) == 120_000
    assert lex.lines[words[0]] == 2 and lex.lines[words[-1]] == 120_001


@pytest.mark.slow
def test_an_11_mb_file_of_unknown_keys_is_one_clean_error() -> None:
    text = "".join(f"key_{k:07d} = {k}\n" for k in range(550_000))
    assert len(text.encode()) > 11_000_000
    with pytest.raises(LexiconError, match=r"unknown top-level key 'key_0000000'") as info:
        Lexicon.loads(text, path="keys.toml")
    assert (info.value.path, info.value.line_no) == ("keys.toml", 1)
    assert "549999 more; run: hotfuse lexicon check" in str(info.value)
    issues = Lexicon.loads(text, path="keys.toml", strict=False).load_issues
    assert len(issues) == 550_000 and issues[-1].line_no == 550_000


def test_duplicates_merge_in_one_step() -> None:
    """Folding duplicates pairwise re-validated the growing alias list (quadratic)."""
    text = "".join(f"重庆 | 崇庆{k}\n" for k in range(20_000))
    (hw,) = import_lexicon(text, "capswriter").hotwords
    assert hw.aliases == tuple(f"崇庆{k}" for k in range(20_000))


_LONG_RUN = 200_000
_HOSTILE_LINES = {
    "spaces": "a" + " " * _LONG_RUN + "b",
    "spaces then =": "a" + " " * _LONG_RUN + "= b",
    "tabs": "a" + "\t" * _LONG_RUN + "1",
    "blank lines": "a" + "\n" * _LONG_RUN + "b",
    "many rules": ("a" + " " * 50 + "=x") * (_LONG_RUN // 50),
}


@pytest.mark.parametrize("fmt", [f.value for f in LexiconFormat])
@pytest.mark.parametrize("kind", sorted(_HOSTILE_LINES))
def test_long_whitespace_runs_load_or_fail_cleanly(kind: str, fmt: str) -> None:
    """Each regex that backtracked over a run of spaces (quadratic) is gone: these lines
    load or give a LexiconError, and guessing their format is linear too."""
    text = _HOSTILE_LINES[kind]
    try:
        import_lexicon(text, fmt, path="x.txt")
    except LexiconError as exc:
        assert exc.path == "x.txt"
    guess_format(text)
    detect_variant(text, fmt)


def test_a_file_over_the_byte_limit_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    with big.open("wb") as fh:
        fh.truncate(MAX_LEXICON_BYTES + 1)  # sparse: nothing is written, nothing read
    with pytest.raises(LexiconError, match="over the 16 MiB limit of a lexicon file") as info:
        Lexicon.load(big)
    assert info.value.path == str(big)
    with pytest.raises(LexiconError, match="over the 16 MiB limit"):
        import_lexicon("达西\n" * (MAX_LEXICON_BYTES // 7 + 1), "plain", path="words.txt")


def test_lexicon_import_refuses_a_file_over_the_byte_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hotfuse.cli import main

    big = tmp_path / "hot.txt"
    with big.open("wb") as fh:
        fh.truncate(MAX_LEXICON_BYTES + 1)
    out = tmp_path / "out.toml"
    assert main(["lexicon", "import", str(big), "--format", "plain", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"hotfuse: error: {big}: 16.0 MiB, over the 16 MiB limit")
    assert len(err.splitlines()) == 1 and not out.exists()


@pytest.mark.parametrize(
    ("fmt", "make", "line"),
    [
        ("plain", lambda n: "".join(f"{_word(k)}\n" for k in range(n)), 11),
        ("tencent", lambda n: ",".join(f"{_word(k)}|5" for k in range(n)) + "\n", 1),
        ("toml", lambda n: "".join(f'[[entry]]\ntext = "{_word(k)}"\n' for k in range(n)), 21),
    ],
    ids=["plain", "tencent", "toml"],
)
def test_more_entries_than_the_limit_is_an_error_at_the_first_one_over(
    fmt: str, make: Any, line: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hotword_files, "MAX_LEXICON_ENTRIES", 10)
    monkeypatch.setattr(lexicon_toml, "MAX_LEXICON_ENTRIES", 10)
    monkeypatch.setattr(lexicon, "MAX_LEXICON_ENTRIES", 10)
    assert len(import_lexicon(make(10), fmt, path="f").hotwords) == 10
    with pytest.raises(LexiconError, match="more than 10 entries") as info:
        import_lexicon(make(11), fmt, path="f")
    assert (info.value.path, info.value.line_no) == ("f", line)


def test_a_csv_cell_over_128_kib_is_a_clean_error() -> None:
    text = "text,weight,aliases\n达西,1,a\n重庆,1," + "崇庆;" * 50_000 + "\n"
    with pytest.raises(LexiconError, match="a CSV cell is longer than 128 KiB") as info:
        import_lexicon(text, "csv", path="words.csv")
    assert (info.value.path, info.value.line_no) == ("words.csv", 3)


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("aliyun", "[" * 100_000 + "]" * 100_000),
        ("funasr", '{"a": ' * 100_000 + "1" + "}" * 100_000),
        ("toml", "a = " + "[" * 100_000 + "]" * 100_000 + "\n"),
    ],
    ids=["json-array", "json-object", "toml-array"],
)
def test_deep_nesting_is_a_clean_error(fmt: str, text: str) -> None:
    with pytest.raises(LexiconError, match="nested too deeply") as info:
        import_lexicon(text, fmt, path="deep")
    assert info.value.path == "deep"
    guess_format(text)  # no RecursionError either


def test_terms_over_the_character_cap_name_their_line() -> None:
    with pytest.raises(LexiconError, match=r"33 characters \(limit 32\)") as info:
        import_lexicon("达西\n" + "重" * 33 + "\n", "plain", path="w.txt")
    assert info.value.line_no == 2
    with pytest.raises(LexiconError, match=r"33 characters \(limit 32\)") as info:
        Lexicon.loads('[[entry]]\ntext = "达西"\n[[entry]]\ntext = "' + "重" * 33 + '"\n')
    assert info.value.line_no == 4  # the line of its text


# Found by the lexicon-file fuzzer (tests/test_fuzz.py), pinned there as examples too.
def test_an_import_refuses_what_a_lexicon_file_refuses() -> None:
    """An imported entry the TOML loader would refuse (here: bad pinyin) made a lexicon
    that ``lexicon import`` wrote but nothing could read back."""
    text = "text,pinyin\n达西,da2 xi1\n重庆,\x00hong2 qing4\n"
    with pytest.raises(LexiconError, match="not numbered-tone pinyin") as info:
        import_lexicon(text, "csv", path="w.csv")
    assert (info.value.path, info.value.line_no) == ("w.csv", 3)


def test_a_refused_term_names_its_line_in_every_reader() -> None:
    with pytest.raises(LexiconError, match="U\\+0000") as info:
        import_lexicon("达西\t2\n\x00\n", "aliyun", path="a.tsv")
    assert (info.value.path, info.value.line_no) == ("a.tsv", 2)


def test_an_invisible_character_in_a_toml_text_is_a_lexicon_error() -> None:
    with pytest.raises(LexiconError, match="U\\+FEFF") as info:
        Lexicon.loads('[[entry]]\ntext = "达西"\n[[entry]]\ntext = "伊\ufeff莎白"\n', path="m.toml")
    assert (info.value.path, info.value.line_no) == ("m.toml", 4)


def test_json_errors_count_lines_from_the_top_of_the_file() -> None:
    text = '\n\n{"达西": 20, "重庆": "x"}\n'
    with pytest.raises(LexiconError, match="bad JSON item") as info:
        import_lexicon(text, "funasr", path="ws.json")
    assert info.value.line_no == 3
