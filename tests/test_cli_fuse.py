"""``hotfuse fuse`` in-process: demo, text, stdin, Kaldi/JSONL files, --json, --jobs, errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from hotfuse.cli import main
from tests.helpers import run_cli

WORDS = ["-w", "伊丽莎白", "-w", "达西", "-w", "汪芳"]
LOW = [0.97, 0.96, 0.95, 0.97, 0.96, 0.98, 0.35, 0.93]


def test_demo_prints_before_and_after_with_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["fuse", "--demo"], capsys)
    assert code == 0
    assert "before: 伊丽沙白这会儿真太高兴了" in out
    assert "after:  伊丽莎白这会儿真太高兴了" in out
    assert "伊丽沙白 -> 伊丽莎白  score +" in out
    assert "(no replacement)" in out  # the common word and the high-confidence case
    assert out.count("before:") == out.count("after:") >= 5


def test_text_argument(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["fuse", "伊丽沙白这会儿真太高兴了", *WORDS], capsys)
    assert (code, out, err) == (0, "伊丽莎白这会儿真太高兴了\n", "")


def test_several_text_arguments_are_joined_by_spaces(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["fuse", "伊丽沙白", "来了", *WORDS], capsys)
    assert (code, out) == (0, "伊丽莎白 来了\n")


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("伊丽沙白来了\n\n今天 天气很好\n达稀先生\n"))
    code, out, _ = run_cli(["fuse", *WORDS], capsys)
    assert code == 0
    assert out.splitlines() == ["伊丽莎白来了", "", "今天 天气很好", "达西先生"]  # blank kept


def _kaldi(tmp_path: Path) -> Path:
    path = tmp_path / "hyp.txt"
    path.write_text(
        "u1 伊丽沙白这会儿真太高兴了\nu2\t达稀先生来了\n\nu3 今天天气很好\n", encoding="utf-8"
    )
    return path


def test_kaldi_text_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["fuse", "-i", str(_kaldi(tmp_path)), *WORDS], capsys)
    assert code == 0
    assert out.splitlines() == [
        "u1\t伊丽莎白这会儿真太高兴了",
        "u2\t达西先生来了",
        "u3\t今天天气很好",
    ]


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "fused.txt"
    code, out, _ = run_cli(["fuse", "-i", str(_kaldi(tmp_path)), "-o", str(dest), *WORDS], capsys)
    assert (code, out) == (0, "")
    assert dest.read_text(encoding="utf-8").splitlines()[0] == "u1\t伊丽莎白这会儿真太高兴了"


def test_jsonl_file_with_confidences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hyp.jsonl"
    rows = [
        {"id": "low", "text": "请把报告发给王芳", "confidences": LOW},
        {"id": "plain", "text": "伊丽沙白来了"},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    code, out, _ = run_cli(["fuse", "-i", str(path), *WORDS], capsys)
    assert code == 0
    recs = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r["text"]) for r in recs] == [
        ("low", "请把报告发给汪芳"),
        ("plain", "伊丽莎白来了"),
    ]
    rep = recs[0]["replacements"][0]
    assert (rep["start"], rep["end"], rep["original"], rep["hotword"]) == (6, 8, "王芳", "汪芳")
    assert rep["confidence"] == pytest.approx((0.35 + 0.93) / 2)
    assert [t["confidence"] for t in recs[0]["tokens"]][:6] == LOW[:6]
    assert "tokens" not in recs[1]  # no times, no confidences: no token list


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["fuse", "伊丽沙白来了", "--json", *WORDS], capsys)
    assert code == 0
    (rec,) = [json.loads(line) for line in out.splitlines()]
    assert rec["text"] == "伊丽莎白来了" and rec["original"] == "伊丽沙白来了"
    assert rec["replacements"][0]["hotword"] == "伊丽莎白"
    assert "pinyin" in rec["replacements"][0]["reason"]


def test_bad_line_is_reported_with_its_number_and_the_rest_goes_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hyp.jsonl"
    path.write_text(
        '{"id": "a", "text": "伊丽沙白来了"}\n'
        '{"id": "b", "text": "你好", "confidences": [0.5]}\n'
        "{not json\n"
        '{"id": "d", "text": "达稀先生"}\n',
        encoding="utf-8",
    )
    code, out, err = run_cli(["fuse", "-i", str(path), *WORDS], capsys)
    assert code == 1
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["a", "d"]
    assert f"{path}:2:" in err and "one value per token" in err
    assert f"{path}:3:" in err
    assert "2 line(s) could not be read" in err


def test_jobs_two_gives_the_same_output_in_the_same_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "many.txt"
    texts = ["伊丽沙白这会儿真太高兴了", "达稀先生来了", "今天天气很好", "请把报告发给王芳"]
    path.write_text(
        "".join(f"utt{i:03d} {texts[i % len(texts)]}\n" for i in range(40)), encoding="utf-8"
    )
    code1, out1, _ = run_cli(["fuse", "-i", str(path), "--jobs", "1", *WORDS], capsys)
    code2, out2, _ = run_cli(["fuse", "-i", str(path), "--jobs", "2", *WORDS], capsys)
    assert code1 == code2 == 0
    assert out1 == out2
    assert out1.splitlines()[0] == "utt000\t伊丽莎白这会儿真太高兴了"
    assert len(out1.splitlines()) == 40


def test_jobs_send_tokens_with_times_and_confidences_and_report_lines_per_second(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Workers get text, and tokens where they carry times or confidences; the JSON
    records (tokens included) are the same with one job and two, over several chunks."""
    from hotfuse.cli import _CHUNK

    path = tmp_path / "many.jsonl"
    rows = []
    for i in range(2 * _CHUNK + 7):
        text = ["伊丽沙白这会儿真太高兴了", "达稀先生来了", "今天天气很好"][i % 3]
        row: dict[str, object] = {"id": f"u{i}", "text": text}
        if i % 2:
            row["confidences"] = [0.9 - 0.01 * (k % 50) for k in range(len(text))]
        if i % 4 == 1:
            row["timestamps"] = [[0.2 * k, 0.2 * k + 0.2] for k in range(len(text))]
        rows.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code1, out1, err1 = run_cli(["fuse", "-i", str(path), "--json", "--jobs", "1", *WORDS], capsys)
    code2, out2, err2 = run_cli(["fuse", "-i", str(path), "--json", "--jobs", "2", *WORDS], capsys)
    assert code1 == code2 == 0
    assert out1 == out2
    records = [json.loads(line) for line in out1.splitlines()]
    assert len(records) == len(rows) and records[1]["tokens"] and "tokens" not in records[0]
    assert any(r["replacements"] for r in records[1::2])
    assert f"fused {len(rows)} line(s)" in err1 and "lines/s)" in err1
    assert "lines/s, 2 jobs)" in err2


def test_input_file_is_closed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import gc
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, _, _ = run_cli(["fuse", "-i", str(_kaldi(tmp_path)), *WORDS], capsys)
        gc.collect()
    assert code == 0
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_no_hotwords_is_an_error_with_advice(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["fuse", "伊丽沙白"], capsys)
    assert code == 1 and out == ""
    assert err.startswith("hotfuse: error: no hotwords")
    assert "--hotword" in err and "--lexicon" in err


@pytest.mark.parametrize(
    ("argv", "phrase"),
    [
        (["fuse", "伊丽沙白", "-i", "x.txt", "-w", "伊丽莎白"], "not both"),
        (["fuse", "-i", "/nonexistent/hyp.txt", "-w", "伊丽莎白"], "does not exist"),
        (["fuse", "伊丽沙白", "-w", "伊丽莎白", "--jobs", "0"], "--jobs must be at least 1"),
        (["fuse", "伊丽沙白", "-w", "伊丽莎白", "--config", "/nonexistent.toml"], "hotfuse tune"),
        (["fuse", "伊丽沙白", "-w", "伊丽莎白", "--threshold", "nan"], "finite number"),
    ],
)
def test_hotfuse_errors_exit_1(
    argv: list[str], phrase: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(argv, capsys)
    assert code == 1
    assert err.startswith("hotfuse: error: ") and phrase in err


@pytest.mark.parametrize(
    "argv",
    [
        ["fuse", "--jobs", "x", "-w", "伊丽莎白"],
        ["fuse", "--no-such-option"],
        ["fuse", "伊丽沙白", "--threshold"],
        ["no-such-command"],
        [],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code  # type: ignore[assignment]
    _, err = capsys.readouterr()
    assert code == 2
    assert "usage:" in err


def test_threshold_and_no_confidence_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["fuse", "伊丽沙白来了", "--threshold", "20", *WORDS], capsys)
    assert (code, out) == (0, "伊丽沙白来了\n")


def test_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["fuse", "--help"])
    assert info.value.code == 0
    assert "hotfuse fuse --demo" in capsys.readouterr().out


_DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("fuse = 3\n", "'fuse' must be a table"),
        ('fuse = "x"\n', "'fuse' must be a table"),
        ("fuse = [1, 2]\n", "'fuse' must be a table"),
        ("[costs]\nbogus = 1\n", "unknown costs ['bogus']; known: fuzzy_initials"),
        ("costs = 5\n", "FuseConfig.costs must be a table of costs, got 5"),
        ('model = "x"\n', "FuseConfig.model must be a table of coefficients"),
        (f"threshold = {_DEEP}\n", "nest too deeply"),
        (f"[costs]\nfuzzy_initials = {_DEEP}\n", "nest too deeply"),
        ("threshold = " + "[" * 300 + "]" * 300 + "\n", "threshold must be a finite number"),
        ("[costs]\ntone_cost = -1\n", "costs.tone_cost=-1 must be 0 or more"),
        ("[costs]\ntone_cost = nan\n", "costs.tone_cost must be a finite number, got nan"),
        ("[costs]\nindel_cost = inf\n", "costs.indel_cost must be a finite number, got inf"),
        ("threshold = nan\n", "FuseConfig.threshold must be a finite number, got nan"),
        ("[model.with_conf]\nbias = nan\n[model.no_conf]\nbias = 1\n", "must be a finite number"),
        (None, "is a directory"),
    ],
)
def test_hostile_config_is_one_line_error(
    body: str | None, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 16, finding 10: a wrong config gives one ConfigError line, never a traceback
    cfg = tmp_path / "config.toml"
    if body is None:
        cfg.mkdir()
    else:
        cfg.write_text(body, encoding="utf-8")
    code = main(["fuse", "--config", str(cfg), "伊丽沙白", "-w", "伊丽莎白"])
    captured = capsys.readouterr()
    assert code == 1  # a hotfuse error (README: 1), not a usage error
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hotfuse: error: ")
    assert expected in lines[0]
    assert len(lines[0]) < 400


def test_output_on_full_disk_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 16, finding 10: fuse -i IN -o OUT on a full disk leaves OUT as it was
    import errno
    import os

    src = tmp_path / "in.txt"
    src.write_text("伊丽沙白很高兴\n" * 50, encoding="utf-8")
    out = tmp_path / "out.txt"
    out.write_text("old\n", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    code = main(["fuse", "-i", str(src), "-o", str(out), "-w", "伊丽莎白"])
    captured = capsys.readouterr()
    assert code == 1
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0]
    assert lines[0].startswith("hotfuse: error: ") and "left unchanged" in lines[0]
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "out.txt"]


@pytest.mark.parametrize(
    "code", [pytest.param(30, id="read-only filesystem"), pytest.param(13, id="read-only dir")]
)
def test_output_on_a_read_only_filesystem_is_one_line(
    code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # issue 16, finding 10: root ignores chmod, so refuse the temporary file's creation
    # as a read-only filesystem (EROFS) or directory (EACCES) does
    import os
    import tempfile

    src = tmp_path / "in.txt"
    src.write_text("伊丽沙白很高兴\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    out.write_text("old\n", encoding="utf-8")

    def refuse(**_kwargs: str) -> tuple[int, str]:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    code_ = main(["fuse", "-i", str(src), "-o", str(out), "-w", "伊丽莎白"])
    captured = capsys.readouterr()
    assert code_ == 1 and captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hotfuse: error: could not write")
    assert os.strerror(code) in lines[0] and "left unchanged" in lines[0]
    assert out.read_text(encoding="utf-8") == "old\n"


def test_output_streamed_onto_a_full_disk_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the disk fills while the fused lines are written, not only at the final fsync
    import errno
    import os

    from hotfuse import _files

    class Full(io.RawIOBase):
        def __init__(self, fd: int) -> None:
            self.fd = fd

        def writable(self) -> bool:
            return True

        def write(self, _b: object) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def close(self) -> None:
            if not self.closed:
                os.close(self.fd)
            super().close()

    src = tmp_path / "in.txt"
    src.write_text("伊丽沙白很高兴\n" * 5000, encoding="utf-8")
    out = tmp_path / "out.txt"
    out.write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(_files.os, "fdopen", lambda fd, _mode: io.BufferedWriter(Full(fd)))
    code = main(["fuse", "-i", str(src), "-o", str(out), "-w", "伊丽莎白"])
    captured = capsys.readouterr()
    assert code == 1
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0], captured.err
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "out.txt"]


def test_an_empty_lexicon_says_how_to_fill_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.toml"
    assert main(["lexicon", "new", str(path)]) == 0
    capsys.readouterr()
    code, _, err = run_cli(["fuse", "伊丽沙白", "--lexicon", str(path)], capsys)
    assert code == 1
    assert err.strip() == (
        f"hotfuse: error: {path}: no entries to fuse; add some with: hotfuse lexicon add "
        f"{path} WORD... (or give --hotword WORD)"
    )
