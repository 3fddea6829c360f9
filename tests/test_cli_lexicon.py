"""Tests for ``hotfuse lexicon ...``: the real CLI, in-process and as processes."""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hotfuse.cli import main
from hotfuse.lexicon import Lexicon

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "lexicon"
SHIPPED = sorted((ROOT / "lexicons").glob("*.toml"))


def run(*argv: str) -> int:
    return main(["lexicon", *argv])


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.toml"
    path.write_bytes((DATA / "good.toml").read_bytes())
    return path


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


# --------------------------------------------------------------------------- new/add/remove
def test_new_add_remove_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.toml"
    assert run("new", str(path), "--name", "meeting", "--description", "demo") == 0
    assert run("add", str(path), "伊丽莎白", "--alias", "伊丽沙白", "--weight", "2") == 0
    assert run("add", str(path), "重庆", "--pinyin", "chong2 qing4", "--tag", "place") == 0
    assert run("add", str(path), "达西", "--block-context", "马达西边") == 0
    assert run("remove", str(path), "达西") == 0
    lex = Lexicon.load(path)
    assert lex.name == "meeting" and lex.description == "demo"
    assert [(h.text, h.weight, h.aliases, h.pinyin) for h in lex.hotwords] == [
        ("伊丽莎白", 2.0, ("伊丽沙白",), None),
        ("重庆", 1.0, (), ("chong2", "qing4")),
    ]
    assert path.read_text(encoding="utf-8").startswith("# hotfuse lexicon")


def test_new_refuses_to_overwrite(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = good.read_text(encoding="utf-8")
    assert run("new", str(good)) == 1
    assert "already exists" in capsys.readouterr().err
    assert good.read_text(encoding="utf-8") == before
    assert run("new", str(good), "--force") == 0
    assert Lexicon.load(good).hotwords == ()


def test_add_keeps_comments_and_merges(good: Path) -> None:
    assert run("add", str(good), "重庆", "--alias", "从庆") == 0
    text = good.read_text(encoding="utf-8")
    assert "# heard in the 3 April recording" in text and "# places" in text
    cq = Lexicon.load(good).get("重庆")
    assert cq is not None
    assert cq.aliases == ("从庆",) and cq.pinyin == ("chong2", "qing4") and cq.tags == ("place",)
    eliz_weight = Lexicon.load(good).hotwords[0].weight
    assert run("add", str(good), "伊丽莎白", "--alias", "依丽莎白") == 0
    eliz = Lexicon.load(good).hotwords[0]
    assert eliz.weight == eliz_weight == 2.0  # merging does not reset the weight
    assert eliz.aliases == ("依丽莎白", "伊丽沙白")


def test_add_shows_warnings_and_refuses_errors(
    good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("add", str(good), "北京") == 0
    err = capsys.readouterr().err
    assert "warning[common-word]" in err and f"{good}:" in err
    before = good.read_text(encoding="utf-8")
    assert run("add", str(good), "蚌埠", "--pinyin", "beng4") == 1
    err = capsys.readouterr().err
    assert "hotfuse: error:" in err and "pinyin has 1 syllables for 2" in err
    assert run("add", str(good), "达西", "--weight", "50") == 1
    assert "outside [-10, 10]" in capsys.readouterr().err
    assert good.read_text(encoding="utf-8") == before


def test_add_to_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "none.toml"
    assert run("add", str(path), "达西") == 1
    assert "hotfuse lexicon new" in capsys.readouterr().err
    assert not path.exists()
    assert run("add", str(path), "达西", "--create") == 0
    assert [h.text for h in Lexicon.load(path).hotwords] == ["达西"]


def test_remove_missing_entry(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("remove", str(good), "宾利") == 1
    assert "no entry '宾利'" in capsys.readouterr().err


def test_add_and_remove_several_words_in_one_edit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.toml"
    assert run("new", str(path)) == 0
    assert run("add", str(path), "达西", "Kubernetes", "K8s 集群", "达西", "--tag", "team") == 0
    lex = Lexicon.load(path)
    assert [(h.text, h.tags) for h in lex.hotwords] == [
        ("达西", ("team",)),
        ("Kubernetes", ("team",)),
        ("K8s 集群", ("team",)),
    ]
    # aliases and pinyin belong to one entry
    assert run("add", str(path), "宾利", "汪芳", "--alias", "冰利") == 1
    assert "give one WORD" in capsys.readouterr().err
    # one bad word refuses the whole edit
    before = path.read_text(encoding="utf-8")
    assert run("add", str(path), "宾利", "达西", "--weight", "50") == 1
    assert run("remove", str(path), "达西", "宾利") == 1
    assert "no entry '宾利'" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == before
    assert run("remove", str(path), "达西", "Kubernetes") == 0
    assert [h.text for h in Lexicon.load(path).hotwords] == ["K8s 集群"]


# --------------------------------------------------------------------------- list/show
def test_list(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("list", str(good)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "伊丽莎白\tweight=2  aliases=伊丽沙白",
        "重庆\tpinyin=chong2 qing4  tags=place",
        "达西",
    ]
    assert run("list", str(good), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data[1] == {"text": "重庆", "weight": 1.0, "pinyin": ["chong2", "qing4"],
                       "tags": ["place"]}  # fmt: skip
    assert data[2]["block_contexts"] == ["马达西边"]


def test_list_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = (DATA / "good.toml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    assert run("list", "-") == 0
    assert capsys.readouterr().out.splitlines()[2] == "达西"


def test_show(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("show", str(good), "伊丽沙白") == 0  # found by its alias
    out = capsys.readouterr().out
    assert "text:            伊丽莎白" in out
    assert "line:            6" in out
    assert "pinyin:          yi1 li4 sha1 bai2 (derived)" in out
    assert run("show", str(good), "重庆", "--json") == 0
    info = json.loads(capsys.readouterr().out)
    assert info["pinyin"] == ["chong2", "qing4"] and info["line"] == 12
    assert info["jieba_frequency"] > 0
    assert run("show", str(good), "宾利") == 1
    assert "no entry or alias" in capsys.readouterr().err


# --------------------------------------------------------------------------- check
def test_check_good_file(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("check", str(good)) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "0 errors, 0 warnings" in captured.err


def test_check_malformed_names_the_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("check", str(DATA / "malformed.toml")) == 1
    out = capsys.readouterr().out
    assert f"{DATA / 'malformed.toml'}:7: error[toml-syntax]: invalid TOML" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["lexicon", "check", "{f}"],
        ["lexicon", "explain", "{f}", "重庆"],
        ["fuse", "--lexicon", "{f}", "重庆"],
    ],
    ids=["check", "explain", "fuse"],
)
def test_key_repeated_in_one_entry_is_a_clean_error(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "dup.toml"
    f.write_text('[[entry]]\ntext = "重庆"\ntext = "重庆"\n', encoding="utf-8")
    assert main([a.format(f=f) for a in argv]) == 1
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert f"{f}:3:" in out
    assert 'Key "text" already exists' in out
    assert "Traceback" not in out


def test_check_lists_every_problem(capsys: pytest.CaptureFixture[str]) -> None:
    bad = str(DATA / "bad-entries.toml")
    assert run("check", bad, str(DATA / "good.toml")) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert [line.split(": ")[0] + ": " + line.split(": ")[1] for line in lines[:4]] == [
        f"{bad}:5: error[unknown-field]",
        f"{bad}:9: error[weight-range]",
        f"{bad}:13: error[pinyin-count]",
        f"{bad}:15: error[duplicate]",
    ]
    assert "checked 2 files: 4 errors" in captured.err
    assert run("check", bad, "--json") == 1
    issues = json.loads(capsys.readouterr().out)
    assert {i["code"] for i in issues} >= {"unknown-field", "weight-range", "duplicate"}


def test_check_strict_fails_on_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "w.toml"
    path.write_text('[[entry]]\ntext = "云"\n', encoding="utf-8")
    assert run("check", str(path)) == 0
    assert f"{path}:1: warning[single-char]" in capsys.readouterr().out
    assert run("check", "--strict", str(path)) == 1


def test_check_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("check", str(tmp_path / "nope.toml")) == 1
    assert "error[unreadable]" in capsys.readouterr().out


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_lexicons_pass_check(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("check", str(path)) == 0
    assert "error[" not in capsys.readouterr().out
    assert len(Lexicon.load(path).hotwords) >= 40


def test_shipped_lexicons_exist() -> None:
    assert {p.name for p in SHIPPED} >= {
        "ai-speech.toml",
        "china-places.toml",
        "cloud-software.toml",
    }
    places = Lexicon.load(ROOT / "lexicons" / "china-places.toml")
    provincial = [h for h in places.hotwords if "city" not in h.tags]
    assert len(provincial) == 34
    readings = {h.text: h.pinyin for h in places.hotwords}
    assert readings["重庆"] == ("chong2", "qing4")
    assert readings["蚌埠"] == ("beng4", "bu4")
    assert readings["六安"] == ("lu4", "an1")
    assert readings["丽水"] == ("li2", "shui3")


# --------------------------------------------------------------------------- import/export
def test_import_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "imported.toml"
    assert run("import", str(DATA / "funasr.txt"), "--format", "funasr", "-o", str(out)) == 0
    assert "imported 4 entries" in capsys.readouterr().err
    lex = Lexicon.load(out)
    assert lex.name == "imported"
    assert [(h.text, h.weight) for h in lex.hotwords][:2] == [("阿里巴巴", 1.0), ("重庆", 2.0)]
    assert run("check", str(out)) == 0
    capsys.readouterr()
    dest = tmp_path / "sherpa.txt"
    assert run("export", str(out), "--format", "sherpa-onnx", "-o", str(dest)) == 0
    assert dest.read_text(encoding="utf-8") == "阿里巴巴\n重庆 :3\niPhone :1.125\n达西\n"
    assert run("export", str(out), "--format", "tencent") == 0
    assert capsys.readouterr().out == "阿里巴巴|5\n重庆|10\niPhone|4\n达西|5\n"


def test_import_refuses_to_overwrite_then_merges(
    good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = str(DATA / "plain.txt")
    assert run("import", src, "-f", "plain", "-o", str(good)) == 1
    assert "--merge" in capsys.readouterr().err
    assert run("import", src, "-f", "plain", "-o", str(good), "--merge") == 0
    texts = [h.text for h in Lexicon.load(good).hotwords]
    assert texts == ["伊丽莎白", "重庆", "达西", "PyTorch"]
    assert "# heard in the 3 April recording" in good.read_text(encoding="utf-8")


_BROKEN = '# mine\n[[entry]]\ntext = "重庆"\n\n[[entry]]\ntext = "达西\n'  # unclosed, line 6


def test_import_force_replaces_a_broken_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 16, finding 9: --force must not try to read the file it replaces
    out = tmp_path / "broken.toml"
    out.write_text(_BROKEN, encoding="utf-8")
    src = str(DATA / "plain.txt")
    assert run("import", src, "-f", "plain", "-o", str(out)) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"hotfuse: error: {out}:6: invalid TOML")
    assert err[0].endswith("pass --force to replace the file with the imported list")
    assert run("import", src, "-f", "plain", "-o", str(out), "--merge") == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and f"{out}:6: invalid TOML" in err[0]
    assert out.read_text(encoding="utf-8") == _BROKEN
    assert run("import", src, "-f", "plain", "-o", str(out), "--force") == 0
    assert [h.text for h in Lexicon.load(out).hotwords] == ["伊丽莎白", "达西", "PyTorch"]


def test_import_bad_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "hot.txt"
    src.write_text("腾讯云|10\r\n语音识别|abc\r\n", encoding="utf-8")
    out = tmp_path / "o.toml"
    assert run("import", str(src), "-f", "tencent", "-o", str(out)) == 1
    assert f"{src}:2: Tencent weight 'abc' is not a number" in capsys.readouterr().err
    assert not out.exists()


def test_import_stdin_to_stdout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = "\ufeff达西\r\n重庆  \r\n伊丽莎白".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert run("import", "-", "--format", "plain", "-o", "-", "--name", "s") == 0
    lex = Lexicon.loads(capsys.readouterr().out)
    assert lex.name == "s" and [h.text for h in lex.hotwords] == ["达西", "重庆", "伊丽莎白"]


def test_export_notes_what_is_lost(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("add", str(good), "今天", "--weight", "-2") == 0
    capsys.readouterr()
    assert run("export", str(good), "-f", "plain") == 0
    captured = capsys.readouterr()
    assert captured.out == "伊丽莎白\n重庆\n达西\n"
    assert "1 entries left out" in captured.err and "今天" in captured.err
    assert "no aliases, pinyin or block_contexts" in captured.err


# --------------------------------------------------------------------------- merge
def test_merge(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.toml"
    other.write_text(
        'name = "other"\n[[entry]]\ntext = "达西"\naliases = ["大西"]\n\n'
        '[[entry]]\ntext = "宾利"\n',
        encoding="utf-8",
    )
    out = tmp_path / "all.toml"
    assert run("merge", str(good), str(other), "-o", str(out)) == 0
    lex = Lexicon.load(out)
    assert lex.name == "meeting"
    assert [h.text for h in lex.hotwords] == ["伊丽莎白", "重庆", "达西", "宾利"]
    darcy = lex.get("达西")
    assert darcy is not None and darcy.aliases == ("大西",)
    assert darcy.block_contexts == ("马达西边",)
    assert "# heard in the 3 April recording" in out.read_text(encoding="utf-8")
    assert run("merge", str(good), str(other), "-o", "-") == 0
    assert "宾利" in capsys.readouterr().out
    assert run("merge", str(good), "-o", str(out)) == 1


# --------------------------------------------------------------------------- explain
def test_explain(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("explain", str(good), "伊丽沙白这会儿真太高兴了") == 0
    out = capsys.readouterr().out
    assert "fused:     伊丽莎白这会儿真太高兴了" in out
    assert "REPLACE [0:4] '伊丽沙白' -> '伊丽莎白'" in out
    assert run("explain", str(good), "伊丽沙白这会儿真太高兴了", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    accepted = [c for c in data["candidates"] if c["accepted"]]
    assert [(c["start"], c["end"], c["hotword"]) for c in accepted] == [(0, 4, "伊丽莎白")]
    assert all(c["reason"] for c in data["candidates"])
    assert run("explain", str(good), "今天天气很好") == 0
    assert "fused:     今天天气很好" in capsys.readouterr().out


# --------------------------------------------------------------------------- usage
@pytest.mark.parametrize(
    "argv",
    [
        ["lexicon", "add", "x.toml"],
        ["lexicon", "import", "a.txt", "-o", "b.toml"],
        ["lexicon", "export", "a.toml", "--format", "docx"],
        ["lexicon", "list"],
    ],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


def test_bare_lexicon_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lexicon"]) == 2
    assert "examples:" in capsys.readouterr().err


@pytest.mark.parametrize(
    "sub", ["new", "add", "remove", "list", "show", "check", "import", "export", "merge", "explain"]
)
def test_help_has_examples(sub: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["lexicon", sub, "--help"])
    assert info.value.code == 0
    assert f"hotfuse lexicon {sub}" in capsys.readouterr().out


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_add_in_a_read_only_directory_is_one_line(
    code: int, good: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 16, finding 10: the lock file's open was not wrapped (root ignores chmod, so
    # the test refuses the open as a read-only filesystem or directory would)
    before = good.read_bytes()
    real_open = os.open

    def refusing_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith(".lock"):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    assert run("add", str(good), "宾利") == 1
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 1 and err[0].startswith("hotfuse: error: ")
    assert f"cannot create the lock file {good}.lock ({os.strerror(code)})" in err[0]
    assert "Traceback" not in captured.err and good.read_bytes() == before


# --------------------------------------------------------------------------- processes
def test_ten_concurrent_writers_all_land(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    assert run("new", str(path)) == 0
    words = [f"Term{i}" for i in range(10)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "hotfuse", "lexicon", "add", str(path), w],
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for w in words
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    assert sorted(h.text for h in Lexicon.load(path).hotwords) == sorted(words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml", "c.toml.lock"]


_SLOW_WRITER = """
import os, sys, time
from pathlib import Path

real_fsync = os.fsync

def slow_fsync(fd):
    Path(sys.argv[2]).write_text("writing")  # tell the test we are mid-write
    time.sleep(60)
    real_fsync(fd)

os.fsync = slow_fsync
from hotfuse.cli import main
sys.exit(main(["lexicon", "add", sys.argv[1], "宾利"]))
"""


def test_killed_writer_leaves_old_file_intact(tmp_path: Path) -> None:
    path = tmp_path / "k.toml"
    path.write_bytes((DATA / "good.toml").read_bytes())
    before = path.read_bytes()
    flag = tmp_path / "mid-write"
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(path), str(flag)],
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not flag.exists():
            assert proc.poll() is None, "the writer exited before reaching the write"
            assert time.monotonic() < deadline, "the writer never reached the write"
            time.sleep(0.02)
        temps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert len(temps) == 1 and temps[0].read_text(encoding="utf-8").count("宾利") == 1
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == [temps[0].name]
    # the lock died with the process: the next writer goes through, and removes the
    # temporary file the killed one left (issue 16, finding 9)
    assert run("add", str(path), "达西", "--alias", "大西") == 0
    assert not temps[0].exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.toml", "k.toml.lock", "mid-write"]
    darcy = Lexicon.load(path).get("达西")
    assert darcy is not None and darcy.aliases == ("大西",)
    assert "宾利" not in path.read_text(encoding="utf-8")


def test_explain_with_a_tiny_weight_prints_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text('[[entry]]\ntext = "伊丽莎白"\nweight = 1e-310\n', encoding="utf-8")
    assert run("check", str(path)) in (0, 1)
    capsys.readouterr()
    assert run("explain", str(path), "伊丽沙白来了") == 0
    out = capsys.readouterr().out
    assert "伊丽沙白" in out and "Traceback" not in out
