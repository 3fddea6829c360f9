"""Evaluation file readers and writers: good files, malformed files, id alignment."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from hotfuse.errors import DataError
from hotfuse.formats.corpus import (
    Records,
    align_ids,
    detect_format,
    read_hotwords,
    read_hypotheses,
    read_texts,
    write_jsonl,
    write_kaldi_text,
)
from hotfuse.formats.records import transcript_record
from hotfuse.transcript import Transcript

DATA = Path(__file__).parent / "data" / "eval"


@pytest.fixture
def hotfuse_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let caplog see the hotfuse logger even after cli.main() stopped its propagation."""
    monkeypatch.setattr(logging.getLogger("hotfuse"), "propagate", True)


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    p.write_bytes(data)
    return p


def test_kaldi_text_tab_and_spaces(tmp_path: Path) -> None:
    p = _write(tmp_path, "text", "u1\t伊丽莎白来了\nu2   达西 走了  \nu3\n")
    r = read_texts(p)
    assert r.ids == ("u1", "u2", "u3")
    assert r.items == ("伊丽莎白来了", "达西 走了", "")
    assert r["u2"] == "达西 走了"
    assert r.get("nope") is None
    assert r.warnings == (f"{p}: utterance(s) with an empty transcript (kept as empty): 1",)


@pytest.mark.usefixtures("hotfuse_log")
def test_kaldi_bom_crlf_blank_lines_are_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    p = _write(tmp_path, "text", b"\xef\xbb\xbfu1 \xe4\xbd\xa0\xe5\xa5\xbd\r\n\r\nu2 b\r\n\n")
    with caplog.at_level(logging.WARNING, logger="hotfuse"):
        r = read_texts(p)
    assert r.ids == ("u1", "u2") and r.items == ("你好", "b")
    joined = "\n".join(r.warnings)
    assert "byte-order mark" in joined
    assert "CRLF (Windows line ends, accepted): 3" in joined
    assert "blank line(s) skipped: 2" in joined
    assert len(caplog.records) == 3


@pytest.mark.parametrize(
    ("data", "line_no", "match"),
    [
        (b"u1 a\nu2 \xff\xfe\n", 2, "not valid UTF-8"),
        (b"u1 a\nu2 b\nu1 c\n", 3, "duplicate utterance id 'u1' \\(first on line 1\\)"),
        (b"u1 a\n  u2 b\n", 2, "starts with whitespace"),
        ("u1 你好\n".encode("gbk"), 1, "iconv"),
    ],
)
def test_kaldi_malformed(tmp_path: Path, data: bytes, line_no: int, match: str) -> None:
    p = _write(tmp_path, "text", data)
    with pytest.raises(DataError, match=match) as info:
        read_texts(p)
    assert info.value.line_no == line_no
    assert info.value.path == str(p)
    assert str(info.value).startswith(f"{p}:{line_no}: ")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found") as info:
        read_texts(tmp_path / "absent")
    assert info.value.path == str(tmp_path / "absent")


def test_detect_format(tmp_path: Path) -> None:
    assert detect_format(_write(tmp_path, "a.jsonl", "")) == "jsonl"
    assert detect_format(_write(tmp_path, "b", '\n  {"id": "u"}\n')) == "jsonl"
    assert detect_format(_write(tmp_path, "c", b'\xef\xbb\xbf{"id": "u"}\n')) == "jsonl"
    assert detect_format(_write(tmp_path, "d.txt", "u1 {x}\n")) == "kaldi"
    assert detect_format(_write(tmp_path, "e", "")) == "kaldi"


def test_jsonl_hypotheses_text_confidences_timestamps(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "hyp.jsonl",
        '{"id": "u1", "text": "伊丽沙白", "confidences": [0.9, 0.8, 0.3, 0.9],'
        ' "timestamps": [[0, 0.2], [0.2, 0.4], [0.4, 0.6], [0.6, 0.8]]}\n'
        '{"id": 7, "tokens": [{"text": "达", "start": 0.0, "end": 0.3, "confidence": 0.4},'
        ' {"text": "西", "confidence": 0.5}]}\n',
    )
    r = read_hypotheses(p)
    assert r.ids == ("u1", "7")
    t = r["u1"]
    assert t.text == "伊丽沙白"
    assert [tok.confidence for tok in t.tokens] == [0.9, 0.8, 0.3, 0.9]
    assert (t.tokens[2].start, t.tokens[2].end) == (0.4, 0.6)
    t7 = r["7"]
    assert t7.text == "达西"
    assert t7.tokens[0].end == 0.3 and t7.tokens[1].confidence == 0.5
    # round trip through the writer
    out = tmp_path / "back.jsonl"
    write_jsonl(out, [transcript_record(i, r[i]) for i in r.ids])
    again = read_hypotheses(out)
    assert again.items == r.items and again.ids == r.ids


def test_kaldi_hypotheses(tmp_path: Path) -> None:
    r = read_hypotheses(_write(tmp_path, "hyp", "u1 伊丽沙白 来了\n"))
    assert r["u1"].text == "伊丽沙白 来了"
    assert not r["u1"].has_confidences


@pytest.mark.parametrize(
    ("line", "match"),
    [
        ('{"id": "u1", "text": "ab"', "not valid JSON"),
        ('["u1", "text"]', "expected a JSON object, got list"),
        ('{"text": "你好"}', 'no "id"'),
        ('{"id": "u 1", "text": "你好"}', "no whitespace"),
        ('{"id": "u1"}', 'neither "text" nor "tokens"'),
        ('{"id": "u1", "text": 5}', '"text" must be a string'),
        ('{"id": "u1", "text": "你好", "confidences": [0.5]}', "confidences has 1 values"),
        ('{"id": "u1", "text": "你好", "confidences": [0.5, 7]}', "outside \\[0, 1\\]"),
        ('{"id": "u1", "tokens": "你好"}', '"tokens" must be a list'),
        ('{"id": "u1", "tokens": [{"start": 0}]}', "tokens\\[0\\] must be an object"),
        ('{"id": "u1", "text": "你好", "tokens": [{"text": "坏"}]}', "not found"),
    ],
)
def test_jsonl_hypotheses_malformed(tmp_path: Path, line: str, match: str) -> None:
    p = _write(tmp_path, "hyp.jsonl", '{"id": "u0", "text": "好"}\n' + line + "\n")
    with pytest.raises(DataError, match=match) as info:
        read_hypotheses(p)
    assert info.value.line_no == 2


def test_jsonl_unknown_keys_warn(tmp_path: Path) -> None:
    p = _write(tmp_path, "h.jsonl", '{"id": "u1", "text": "好", "confidence": [0.5]}\n')
    r = read_hypotheses(p)
    assert any("unknown keys ignored (confidence)" in w for w in r.warnings)


def test_jsonl_duplicate_ids(tmp_path: Path) -> None:
    p = _write(tmp_path, "h.jsonl", '{"id": "u1", "text": "a"}\n{"id": "u1", "text": "b"}\n')
    with pytest.raises(DataError, match="duplicate") as info:
        read_hypotheses(p)
    assert info.value.line_no == 2


def test_hotword_list_file(tmp_path: Path) -> None:
    p = _write(tmp_path, "words.txt", "# entities\n伊丽莎白\n\n达西  # the hero\n达西\nNew York\n")
    hw = read_hotwords(p)
    assert hw.is_global
    assert [h.text for h in hw.all_words()] == ["伊丽莎白", "达西", "New York"]
    assert [len(x) for x in hw.for_ids(["a", "b"])] == [3, 3]
    assert any("repeated hotword(s) kept once: 1" in w for w in hw.warnings)


def test_hotword_jsonl(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "hw.jsonl",
        '{"id": "u1", "hotwords": ["达西", {"text": "伊丽莎白", "weight": 2}]}\n'
        '{"id": "u2", "hotwords": []}\n',
    )
    hw = read_hotwords(p)
    assert not hw.is_global
    lists = hw.for_ids(["u1", "u2"])
    assert [h.text for h in lists[0]] == ["达西", "伊丽莎白"]
    assert lists[0][1].weight == 2.0
    assert lists[1] == ()
    with pytest.raises(DataError, match="1 utterance\\(s\\) have no hotword entry \\('u3'\\)"):
        hw.for_ids(["u1", "u3"])
    assert hw.for_ids(["u3"], missing="empty") == [()]


@pytest.mark.parametrize(
    ("line", "match"),
    [
        ('{"id": "u1", "hotwords": "达西"}', '"hotwords" must be a list'),
        ('{"id": "u1"}', '"hotwords" must be a list'),
        ('{"id": "u1", "hotwords": [3]}', "a hotword must be a string"),
        ('{"id": "u1", "hotwords": [""]}', "non-empty"),
    ],
)
def test_hotword_jsonl_malformed(tmp_path: Path, line: str, match: str) -> None:
    p = _write(tmp_path, "hw.jsonl", line + "\n")
    with pytest.raises(DataError, match=match) as info:
        read_hotwords(p)
    assert info.value.line_no == 1


def test_align_ids() -> None:
    refs = Records(("u1", "u2", "u3"), ("甲", "乙", "丙"), path="ref")
    hyps = Records(("u3", "u1", "u9"), ("丙", "甲", "玖"), path="hyp")
    with pytest.raises(DataError, match=r"1 reference id\(s\) have no hypothesis \('u2'\)"):
        align_ids(refs, hyps)
    with pytest.raises(DataError, match=r"1 hypothesis id\(s\) have no reference \('u9'\)"):
        align_ids(refs, hyps)
    skipped = align_ids(refs, hyps, missing="skip")
    assert skipped.ids == ("u1", "u3")
    assert skipped.refs == ("甲", "丙") and skipped.hyps == ("甲", "丙")
    assert skipped.missing == ("u2",) and skipped.extra == ("u9",)
    empty = align_ids(refs, hyps, missing="empty")
    assert empty.ids == ("u1", "u2", "u3") and empty.hyps == ("甲", None, "丙")
    with pytest.raises(DataError, match="no utterance id is shared"):
        align_ids(refs, Records(("x",), ("x",)), missing="skip")


@pytest.mark.usefixtures("hotfuse_log")
def test_align_ids_warns(caplog: pytest.LogCaptureFixture) -> None:
    refs = Records(("u1", "u2"), ("甲", "乙"))
    hyps = Records(("u1",), ("甲",), path="hyp")
    with caplog.at_level(logging.WARNING, logger="hotfuse"):
        align_ids(refs, hyps, missing="skip")
    assert "1 reference id(s) have no hypothesis ('u2')" in caplog.text


def test_records_reject_duplicates() -> None:
    with pytest.raises(DataError, match="more than once"):
        Records(("a", "a"), (1, 2))


def test_writers(tmp_path: Path) -> None:
    p = tmp_path / "out" / "text"
    p.parent.mkdir()
    write_kaldi_text(p, [("u1", "伊丽莎白"), ("u2", "")])
    assert p.read_text(encoding="utf-8") == "u1\t伊丽莎白\nu2\t\n"
    assert read_texts(p).items == ("伊丽莎白", "")
    with pytest.raises(DataError, match="line break"):
        write_kaldi_text(p, [("u1", "a\nb")])
    with pytest.raises(DataError, match="no whitespace"):
        write_kaldi_text(p, [("u 1", "a")])
    assert p.read_text(encoding="utf-8") == "u1\t伊丽莎白\nu2\t\n"  # failed writes change nothing
    assert [q.name for q in p.parent.iterdir()] == ["text"]  # no temporary left behind
    with pytest.raises(DataError, match="cannot be written as JSON"):
        write_jsonl(tmp_path / "x.jsonl", [{"v": float("nan")}])


def test_write_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    write_kaldi_text("-", [("u1", "你好")])
    assert capsys.readouterr().out == "u1\t你好\n"


def test_fixture_files_read() -> None:
    refs = read_texts(DATA / "ref.txt")
    hyps = read_hypotheses(DATA / "hyp.jsonl")
    assert align_ids(refs, hyps).ids == refs.ids
    assert isinstance(hyps.items[0], Transcript)


def test_hypotheses_may_be_recognizer_results_with_their_ids(tmp_path: Path) -> None:
    """Dumped FunASR results (a list holding one dict, ``key`` for the id, SenseVoice's tags
    in the text) and a Whisper result with an ``id`` are read by their frontends."""
    whisper = {
        "id": "u3",
        "text": "伊丽沙白",
        "segments": [
            {
                "start": 0.0,
                "end": 1.0,
                "text": "伊丽沙白",
                "words": [
                    {"word": "伊丽", "start": 0.0, "end": 0.5, "probability": 0.9},
                    {"word": "沙白", "start": 0.5, "end": 1.0, "probability": 0.4},
                ],
            }
        ],
    }
    rows = [
        [
            {
                "key": "u1",
                "text": "伊 丽 沙 白",
                "timestamp": [[0, 100], [100, 200], [200, 300], [300, 400]],
            }
        ],
        {"key": "u2", "text": "<|zh|><|NEUTRAL|><|Speech|><|woitn|>你好"},
        whisper,
    ]
    p = _write(tmp_path, "h.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    r = read_hypotheses(p)
    assert r.ids == ("u1", "u2", "u3")
    assert [t.text for t in r.items] == ["伊丽沙白", "你好", "伊丽沙白"]
    assert [(k.start, k.end) for k in r.items[0].tokens][:2] == [(0.0, 0.1), (0.1, 0.2)]
    assert r.items[2].has_confidences and r.warnings == ()
