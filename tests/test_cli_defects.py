"""The CLI reading and writing defects of issue 10, one test each (and what fixed them)."""

from __future__ import annotations

import argparse
import io
import json
import os
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotfuse.cli import _fuse_stream, build_parser, main
from hotfuse.errors import DataError
from hotfuse.formats.corpus import MAX_LINE_BYTES, InputRecord
from hotfuse.fuser import Fuser
from hotfuse.transcript import Transcript
from tests.helpers import load_eval, run_cli

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["-w", "伊丽莎白", "-w", "PyTorch"]


# --------------------------------------------------------------------------- fuse -i
def test_plain_text_file_is_never_split_into_an_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hyp.txt"
    path.write_text("我们用 py torch 训练\nu2 伊丽沙白来了\n", encoding="utf-8")
    code, out, _ = run_cli(["fuse", "-i", str(path), *WORDS], capsys)
    assert code == 0
    assert out.splitlines() == ["我们用 PyTorch 训练", "u2 伊丽莎白来了"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_plain_text_blank_lines_come_back_so_lines_stay_aligned(
    jobs: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A blank or whitespace-only line of plain text is an empty transcript: it comes back
    as it was, so line N of the output is line N of the input."""
    path = tmp_path / "hyp.txt"
    path.write_text("伊丽沙白来了\n\n  \n\t\n达稀先生\n", encoding="utf-8")
    code, out, err = run_cli(
        ["fuse", "-i", str(path), "--jobs", jobs, *WORDS, "-w", "达西"], capsys
    )
    assert code == 0, err
    assert out.split("\n") == ["伊丽莎白来了", "", "  ", "\t", "达西先生", ""]
    assert "fused 5 line(s), 2 replacement(s)" in err


def test_blank_lines_of_jsonl_and_kaldi_input_hold_no_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kaldi = tmp_path / "hyp.txt"
    kaldi.write_text("u1 伊丽沙白来了\n\nu2 你好\n", encoding="utf-8")
    code, out, _ = run_cli(["fuse", "-i", str(kaldi), *WORDS], capsys)
    assert code == 0 and out.splitlines() == ["u1\t伊丽莎白来了", "u2\t你好"]
    jsonl = tmp_path / "hyp.jsonl"
    jsonl.write_text('{"text": "你好"}\n\n{"text": "伊丽沙白"}\n', encoding="utf-8")
    code, out, _ = run_cli(["fuse", "-i", str(jsonl), *WORDS], capsys)
    assert code == 0 and [json.loads(x)["text"] for x in out.splitlines()] == ["你好", "伊丽莎白"]


def test_format_option_forces_kaldi(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hyp.txt"
    path.write_text("我们用 py torch 训练\n", encoding="utf-8")
    code, out, _ = run_cli(["fuse", "-i", str(path), "--format", "kaldi", *WORDS], capsys)
    assert (code, out) == (0, "我们用\tPyTorch 训练\n")


def test_jsonl_format_reports_a_non_json_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hyp.jsonl"
    path.write_text('{"id": "a", "text": "伊丽沙白"}\nplain line\n', encoding="utf-8")
    code, out, err = run_cli(["fuse", "-i", str(path), *WORDS], capsys)
    assert code == 1
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["a"]
    assert f"{path}:2: not a JSON object" in err


def test_bad_utf8_line_is_reported_and_the_rest_fused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hyp.txt"
    path.write_bytes("伊丽沙白来了\n".encode() + b"\xb9\xfe\xd1\xa7\n" + "达西\n".encode())
    code, out, err = run_cli(["fuse", "-i", str(path), *WORDS], capsys)
    assert code == 1
    assert out.splitlines() == ["伊丽莎白来了", "达西"]
    assert f"hotfuse: error: {path}:2: not valid UTF-8" in err and "iconv" in err
    assert "1 line(s) could not be read; the others were fused" in err


# Hostile lines of issue 16 (finding 11): each kind is reported with its line number, and
# the lines before and after it are still fused, in order, with one job or two.
def _jl(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


_GOOD_BEFORE = _jl({"id": "g1", "text": "伊丽沙白来了"})
_GOOD_AFTER = _jl({"id": "g2", "text": "伊丽沙白走了"})
_BAD_JSONL_LINES = {
    "inf time": (b'{"id": "x", "text": "ab", "timestamps": [[0, Infinity], [1, 2]]}', "finite"),
    "overflowing time": (
        b'{"id": "x", "text": "ab", "timestamps": [[0, 1e999], [1, 2]]}',
        "finite",
    ),
    "invalid JSON": (b'{"id": "x", "text": "ab"', "not valid JSON"),
    "JSON array of numbers": (b"[1, 2, 3]", "a recognizer result"),
    "JSON string": (b'"just a string"', "not a JSON object"),
    "text not a string": (b'{"id": "x", "text": 5}', '"text" must be a string, got int'),
    "id not a string": (b'{"id": [1], "text": "ab"}', '"id" must be a string or an integer'),
    "tokens not a list": (b'{"id": "x", "text": "ab", "tokens": 5}', '"tokens" must be a list'),
    "confidences not numbers": (
        b'{"id": "x", "text": "ab", "confidences": "garbage"}',
        "confidences must be a list",
    ),
    "bad UTF-8": (b'{"id": "x", "text": "\xb9\xfe\xd1\xa7"}', "not valid UTF-8"),
    "deep nesting": (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply"),
    "deep array": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "raw NUL": (b'{"id": "x", "text": "a\x00b"}', "must be escaped"),
    "huge line": (b'{"id": "x", "text": "' + b"a" * (MAX_LINE_BYTES + 1) + b'"}', "over the limit"),
}


def _fuse_file(
    path: Path, jobs: int, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, list[str], str]:
    code, out, err = run_cli(["fuse", "-i", str(path), "--jobs", str(jobs), *extra, *WORDS], capsys)
    assert "Traceback" not in err
    return code, out.splitlines(), err


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("kind", sorted(_BAD_JSONL_LINES))
def test_every_kind_of_bad_jsonl_line_is_reported_and_the_rest_fused(
    kind: str, jobs: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad, expected = _BAD_JSONL_LINES[kind]
    path = tmp_path / "hyp.jsonl"
    path.write_bytes(b"\n".join([_GOOD_BEFORE, bad, _GOOD_AFTER]) + b"\n")
    code, out, err = _fuse_file(path, jobs, capsys)
    assert code == 1
    assert [(r["id"], r["text"]) for r in map(json.loads, out)] == [
        ("g1", "伊丽莎白来了"),
        ("g2", "伊丽莎白走了"),
    ]
    errors = [line for line in err.splitlines() if line.startswith("hotfuse: error: ")]
    assert len(errors) == 2, err
    assert errors[0].startswith(f"hotfuse: error: {path}:2: ") and expected in errors[0]
    assert len(errors[0]) < 400  # one readable line, not the offending input echoed back
    assert errors[1] == "hotfuse: error: 1 line(s) could not be read; the others were fused"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_of_every_bad_kind_keeps_order_and_every_good_line(
    jobs: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines, good = [], []
    for k, kind in enumerate(sorted(_BAD_JSONL_LINES)):
        lines += [_jl({"id": f"u{k}", "text": f"第{k}句伊丽沙白"}), _BAD_JSONL_LINES[kind][0]]
        good.append((f"u{k}", f"第{k}句伊丽莎白"))
    path = tmp_path / "hyp.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    code, out, err = _fuse_file(path, jobs, capsys)
    assert code == 1
    assert [(r["id"], r["text"]) for r in map(json.loads, out)] == good
    failed = [
        int(x.split(f"{path}:")[1].split(":")[0]) for x in err.splitlines() if f"{path}:" in x
    ]
    assert failed == list(range(2, 2 * len(_BAD_JSONL_LINES) + 1, 2))
    assert f"{len(_BAD_JSONL_LINES)} line(s) could not be read" in err


@pytest.mark.parametrize("jobs", [1, 2])
def test_lines_that_only_look_odd_are_fused(
    jobs: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Decreasing or overlapping times are a recognizer's own (kept, with a warning); an
    escaped NUL is text; neither stops the file."""
    decreasing = {
        "id": "d",
        "text": "伊丽沙白来了",
        "timestamps": [[5, 6], [4, 5], [3, 4], [2, 3], [1, 2], [0, 0.5]],
    }
    path = tmp_path / "hyp.jsonl"
    path.write_bytes(
        b"\n".join(
            [_GOOD_BEFORE, _jl(decreasing), _jl({"id": "n", "text": "伊丽\x00沙白"}), _GOOD_AFTER]
        )
    )
    code, out, err = _fuse_file(path, jobs, capsys)
    assert code == 0, err
    recs = [json.loads(x) for x in out]
    assert [r["id"] for r in recs] == ["g1", "d", "n", "g2"]
    assert recs[1]["text"] == "伊丽莎白来了" and recs[2]["text"] == "伊丽\x00沙白"
    kept = [(t["text"], t["start"], t["end"]) for t in recs[1]["tokens"][-2:]]
    assert kept == [("来", 1, 2), ("了", 0, 0.5)]  # as the recognizer gave them


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("fmt", ["text", "kaldi"])
def test_bad_text_lines_are_reported_and_the_rest_fused(
    fmt: str, jobs: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hyp.txt"
    lines = [
        "u1 伊丽沙白来了".encode(),
        b"u2 \xb9\xfe\xd1\xa7",
        b"u3 " + b"a" * (MAX_LINE_BYTES + 1),
        "u4 伊丽\x00沙白".encode(),
        "u5 伊丽沙白走了".encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    code, out, err = _fuse_file(path, jobs, capsys, "--format", fmt)
    assert code == 1
    texts = ["伊丽莎白来了", "伊丽\x00沙白", "伊丽莎白走了"]
    ids = ["u1", "u4", "u5"]
    sep = " " if fmt == "text" else "\t"  # text keeps the line, kaldi writes id<TAB>text
    assert out == [f"{i}{sep}{t}" for i, t in zip(ids, texts, strict=True)]
    assert f"{path}:2: not valid UTF-8" in err and f"{path}:3: the line is " in err
    assert "2 line(s) could not be read" in err


def test_stdin_lines_come_out_as_they_are_fused() -> None:
    """A live pipeline: the first result arrives before stdin is closed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-m", "hotfuse", "fuse", "-w", "伊丽莎白"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        watchdog = threading.Timer(120, proc.kill)  # a regression fails, it does not hang
        watchdog.start()
        try:
            proc.stdin.write("伊丽沙白来了\n".encode())
            proc.stdin.flush()
            first = proc.stdout.readline()  # blocks until the line is fused; stdin stays open
            assert first.decode() == "伊丽莎白来了\n"
            proc.stdin.write("今天天气很好\n".encode())
            proc.stdin.close()
            assert proc.stdout.read().decode() == "今天天气很好\n"
            assert proc.wait(timeout=60) == 0
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                proc.kill()


def _endless() -> Iterator[InputRecord]:
    n = 0
    while True:
        n += 1
        yield InputRecord(n, f"u{n}", Transcript.from_text(f"第{n}句伊丽沙白"), "kaldi")


@pytest.mark.parametrize("jobs", [1, 2])
def test_fusion_streams_in_order_for_any_input_length(jobs: int) -> None:
    """An endless input still yields results (nothing reads the input to its end first)."""
    fuser = Fuser(["伊丽莎白"])
    stream = _fuse_stream(fuser, _endless(), jobs)
    got = []
    for rec, res in stream:  # type: ignore[misc]
        got.append((rec.id, res.text))
        if len(got) == 150:  # more than two chunks of 64
            break
    stream.close()  # type: ignore[attr-defined]
    assert got == [(f"u{n}", f"第{n}句伊丽莎白") for n in range(1, 151)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_fuse_memory_does_not_grow_with_the_input(jobs: int, tmp_path: Path) -> None:
    """Issue 16 finding 12: peak RSS for 10N lines is that for N lines. Each line carries a
    4 KB id, so holding the 5,000 lines (parsed records, results) would add over 20 MB; a
    streamed run holds a few chunks (eval/stream_memory.py measures 100k and 1M lines)."""
    sm = load_eval("stream_memory")
    peaks = []
    for n in (500, 5000):
        path = tmp_path / f"hyp{n}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for k in range(n):
                text = "伊丽沙白来了" if k % 2 else "今天开会"
                fh.write(json.dumps({"id": f"u{k}-{'x' * 4000}", "text": text}) + "\n")
        peaks.append(sm.measure(path, jobs)[1])
    assert peaks[1] - peaks[0] < 8.0, f"peak RSS {peaks[0]:.1f} MB -> {peaks[1]:.1f} MB"


# --------------------------------------------------------------------------- writing
def test_new_files_get_the_umask_mode_and_replaced_files_keep_theirs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = os.umask(0o022)
    try:
        out = tmp_path / "fused.txt"
        assert run_cli(["fuse", "伊丽沙白", "-o", str(out), *WORDS], capsys)[0] == 0
        assert out.stat().st_mode & 0o777 == 0o644
        lex = tmp_path / "m.toml"
        assert run_cli(["lexicon", "new", str(lex)], capsys)[0] == 0
        assert lex.stat().st_mode & 0o777 == 0o644
        lex.chmod(0o600)
        assert run_cli(["lexicon", "add", str(lex), "伊丽莎白"], capsys)[0] == 0
        assert lex.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


def test_output_into_a_missing_directory_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no" / "such" / "dir" / "out.txt"
    code, out, err = run_cli(["fuse", "伊丽沙白", "-o", str(target), *WORDS], capsys)
    assert code == 1 and out == ""
    assert err.startswith("hotfuse: error: ") and "does not exist; create it first" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_failed_fusion_leaves_no_partial_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")

    def boom(self: Fuser, *args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Fuser, "fuse", boom)
    assert run_cli(["fuse", "伊丽沙白", "-o", str(target), *WORDS], capsys)[0] == 130
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


# --------------------------------------------------------------------------- arguments
def test_space_separated_chinese_hotwords_are_split_with_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(["fuse", "伊丽沙白和达稀", "--hotword", "伊丽莎白 达西"], capsys)
    assert (code, out) == (0, "伊丽莎白和达西\n")
    assert "hotfuse: warning: --hotword '伊丽莎白 达西' holds 2 space-separated" in err


def test_latin_phrase_hotword_stays_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["fuse", "用 hugging face 下载", "--hotword", "Hugging Face"], capsys)
    assert (code, out, err) == (0, "用 Hugging Face 下载\n", "")


def test_non_toml_lexicon_says_how_to_import_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hotwords.txt"
    path.write_text("阿里巴巴 20\n达摩院 30\n", encoding="utf-8")
    code, _, err = run_cli(["fuse", "阿里爸爸", "--lexicon", str(path)], capsys)
    assert code == 1
    assert "invalid TOML" in err
    assert f"hotfuse lexicon import {path} --format funasr -o hotwords.toml" in err


def test_shipped_lexicon_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["fuse", "我们在重庆开会", "--lexicon", "china-places"], capsys)
    assert (code, out) == (0, "我们在重庆开会\n")
    code, out, _ = run_cli(["lexicon", "list", "china-places", "--json"], capsys)
    assert code == 0 and "重庆" in {e["text"] for e in json.loads(out)}


def test_unknown_lexicon_name_lists_the_shipped_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["fuse", "x", "--lexicon", "no-such-lexicon"], capsys)
    assert code == 1 and "ai-speech, china-places, cloud-software" in err


def test_options_are_not_abbreviated(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["eval", "--ref", "r", "--hyp", "h", "--hotword", "伊丽莎白"])
    assert info.value.code == 2
    assert "unrecognized arguments: --hotword" in capsys.readouterr().err


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from _parsers(sub)


def test_every_help_example_parses() -> None:
    parser = build_parser()
    examples = []
    for p in _parsers(parser):
        for line in (p.epilog or "").splitlines():
            line = line.strip().split("  #")[0].split(" > ")[0].split(" | ")[0]
            if line.startswith("hotfuse ") and "\\" not in line:
                examples.append(shlex.split(line)[1:])
    assert len(examples) > 20  # not vacuous
    for argv in examples:
        try:
            parser.parse_args(argv)
        except SystemExit as exc:  # pragma: no cover - the failure message names it
            pytest.fail(f"help example does not parse: hotfuse {shlex.join(argv)} ({exc})")


def test_help_texts_hold_no_rest_markup() -> None:
    for p in _parsers(build_parser()):
        text = p.format_help()
        assert "``" not in text and ":class:" not in text and ":mod:" not in text, p.prog


def test_verbose_shows_what_happened(capsys: pytest.CaptureFixture[str]) -> None:
    quiet = run_cli(["fuse", "伊丽沙白", *WORDS], capsys)[2]
    assert quiet == ""
    for argv in (["-v", "fuse", "伊丽沙白", *WORDS], ["fuse", "-v", "伊丽沙白", *WORDS]):
        err = run_cli(argv, capsys)[2]
        assert "hotfuse: info: compiled 2 hotwords" in err
        assert "fused 1 line(s), 1 replacement(s)" in err and "lines/s" in err


def test_line_errors_say_error_in_lowercase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hyp.jsonl"
    path.write_text('{"id": "a", "text": "你好", "confidences": [0.5]}\n', encoding="utf-8")
    err = run_cli(["fuse", "-i", str(path), *WORDS], capsys)[2]
    assert err.startswith(f"hotfuse: error: {path}:1: ") and "ERROR" not in err


def test_lexicon_check_flags_other_tools_syntax(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.toml"
    path.write_text(
        '[[entry]]\ntext = "阿里巴巴 20"\n\n[[entry]]\ntext = "CapsWriter | Caps Rider"\n\n'
        '[[entry]]\ntext = "▁SP EECH"\n\n[[entry]]\ntext = "Windows 11"\n',
        encoding="utf-8",
    )
    code, out, _ = run_cli(["lexicon", "check", str(path), "--no-frequency", "--json"], capsys)
    found = [(i["entry"], i["code"]) for i in json.loads(out) if i["code"] == "foreign-syntax"]
    assert found == [
        ("阿里巴巴 20", "foreign-syntax"),
        ("CapsWriter | Caps Rider", "foreign-syntax"),
        ("▁SP EECH", "foreign-syntax"),
    ]
    assert code == 0  # warnings; --strict makes them fail


# --------------------------------------------------------------------------- progress
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _tune_inputs(tmp_path: Path) -> list[str]:
    ref = tmp_path / "ref.txt"
    hyp = tmp_path / "hyp.jsonl"
    words = tmp_path / "words.txt"
    refs, hyps = [], []
    for i in range(30):
        good = i % 3 == 0
        refs.append(f"u{i} 伊丽莎白第{i}次来了")
        text = f"伊丽{'莎' if good else '沙'}白第{i}次来了"
        conf = [0.9] * len(text)
        hyps.append(json.dumps({"id": f"u{i}", "text": text, "confidences": conf}))
    ref.write_text("\n".join(refs) + "\n", encoding="utf-8")
    hyp.write_text("\n".join(hyps) + "\n", encoding="utf-8")
    words.write_text("伊丽莎白\n达西\n", encoding="utf-8")
    return ["--ref", str(ref), "--hyp", str(hyp), "--hotwords", str(words)]


def test_eval_report_shows_progress_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("jinja2")
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    report = tmp_path / "r.html"
    assert main(["eval", *_tune_inputs(tmp_path), "--report", str(report)]) == 0
    assert "fusing" in term.getvalue() and "threshold sweep" in term.getvalue()
    assert report.is_file()


def test_tune_shows_progress_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    out = tmp_path / "c.toml"
    main(["tune", *_tune_inputs(tmp_path), "-o", str(out)])  # fitted or not, it showed progress
    assert "labelling" in term.getvalue()


def test_no_progress_bar_off_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["eval", *_tune_inputs(tmp_path)])
    assert "fusing" not in capsys.readouterr().err


class _FailsOnBad(Fuser):
    """A Fuser with a bug on one input: fusing text with 坏 in it raises."""

    def fuse(self, asr_result: object, **kwargs: object) -> object:  # type: ignore[override]
        if "坏" in getattr(asr_result, "text", ""):
            msg = "boom"
            raise RuntimeError(msg)
        return super().fuse(asr_result, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_record_whose_fusion_raises_is_one_error_and_the_rest_is_fused(jobs: int) -> None:
    """A line that was read fine but whose fusion raises is reported at its line; the
    lines after it (the rest of its chunk with --jobs too) are still fused, in order."""
    fuser = _FailsOnBad(["伊丽莎白"])
    texts = [f"第{n}句伊丽沙白" if n != 150 else "坏的一句" for n in range(1, 301)]
    records = iter(
        [InputRecord(n, f"u{n}", Transcript.from_text(t), "kaldi") for n, t in enumerate(texts, 1)]
    )
    got = list(_fuse_stream(fuser, records, jobs, "in.txt"))
    assert len(got) == 300
    err = got[149]
    assert isinstance(err, DataError)
    assert (str(err.path), err.line_no) == ("in.txt", 150)
    assert "internal error (RuntimeError: boom)" in str(err)
    fused = [(rec.id, res.text) for rec, res in (g for i, g in enumerate(got) if i != 149)]
    assert fused == [(f"u{n}", f"第{n}句伊丽莎白") for n in range(1, 301) if n != 150]


def test_recognizer_warnings_name_their_line_and_do_not_flood(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """30 results whose timestamps do not fit their text: the first five warnings of each
    kind name their line (said once per line, not again on write-back), the rest are
    counted in one line; -v shows them all."""
    path = tmp_path / "results.jsonl"
    rows = [
        {"key": f"c{n}", "text": "伊丽沙白来了", "timestamp": [[0, 100], [100, 200]]}
        for n in range(30)
    ]
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    code, out, err = run_cli(["fuse", "-i", str(path), *WORDS], capsys)
    assert code == 0 and len(out.splitlines()) == 30
    warned = [ln for ln in err.splitlines() if "timestamp pairs for 6 tokens" in ln]
    assert [ln.split(": ")[2] for ln in warned[:5]] == [f"{path}:{n}" for n in range(1, 6)]
    assert len(warned) == 6 and warned[5].startswith("hotfuse: warning: 25 more warning(s)")
    code, out, err = run_cli(["fuse", "-v", "-i", str(path), *WORDS], capsys)
    assert code == 0
    lines = [ln for ln in err.splitlines() if "timestamp pairs for 6 tokens" in ln]
    assert len(lines) == 30 and "not shown" not in err


def test_own_commands_parse_alike_without_the_command_modules() -> None:
    """main() parses fuse/tune/frontends with a parser that skips the other commands'
    modules: every help example of those commands gives the same arguments."""
    from hotfuse.cli import _OWN_COMMANDS

    full, light = build_parser(), build_parser(command_modules=False)
    examples = []
    for p in _parsers(full):
        for line in (p.epilog or "").splitlines():
            line = line.strip().split("  #")[0].split(" > ")[0].split(" | ")[0]
            if line.startswith("hotfuse ") and "\\" not in line:
                argv = shlex.split(line)[1:]
                if argv[0] in _OWN_COMMANDS:
                    examples.append(argv)
    examples += [["-v", "fuse", "你好", "--hotword", "伊丽莎白"], ["frontends"]]
    assert len(examples) > 5
    for argv in examples:
        assert vars(light.parse_args(argv)) == vars(full.parse_args(argv)), argv
    # the light parser knows no other command
    with pytest.raises(SystemExit):
        light.parse_args(["lexicon", "--help"])
