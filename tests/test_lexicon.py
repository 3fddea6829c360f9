"""Tests for hotfuse.lexicon: the TOML format, validation, import/export and safe writes."""

from __future__ import annotations

import errno
import logging
import math
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hotfuse._files import atomic_write_text
from hotfuse.errors import LexiconError
from hotfuse.formats.hotword_files import LexiconFormat, export_lexicon, import_lexicon
from hotfuse.formats.lexicon_toml import lock_path, locked_update
from hotfuse.lexicon import Hotword, Issue, Lexicon, Severity, coerce_hotwords

DATA = Path(__file__).parent / "data" / "lexicon"


def codes(issues: list[Issue]) -> list[tuple[str, str, int | None]]:
    return [(str(i.severity), i.code, i.line_no) for i in issues]


# --------------------------------------------------------------------------- loading
def test_load_good_file() -> None:
    lex = Lexicon.load(DATA / "good.toml")
    assert lex.name == "meeting"
    assert lex.description == "people and places"
    assert [h.text for h in lex.hotwords] == ["伊丽莎白", "重庆", "达西"]
    eliz, cq, darcy = lex.hotwords
    assert eliz.weight == 2.0 and eliz.aliases == ("伊丽沙白",)
    assert cq.pinyin == ("chong2", "qing4") and cq.tags == ("place",)
    assert darcy.block_contexts == ("马达西边",)
    assert lex.lines == {"伊丽莎白": 6, "重庆": 12, "达西": 17}


def test_lexicon_is_accepted_where_hotwords_are() -> None:
    lex = Lexicon.load(DATA / "good.toml")
    assert coerce_hotwords(lex) == lex.hotwords
    assert coerce_hotwords(DATA / "good.toml") == lex.hotwords
    assert "重庆" in lex and "成都" not in lex and len(lex) == 3
    assert lex.get("伊丽沙白") is lex.hotwords[0]  # found through its alias


@pytest.mark.parametrize(
    "word", ["达西", " 伊丽莎白 ", "PyTorch", "iPhone 15 手机", "a\u3000b", "\t重庆\n", "B站"]
)
def test_plain_words_coerce_as_hotwords_do(word: str) -> None:
    # coerce_hotwords builds a plain string's Hotword without __post_init__: same fields
    import dataclasses

    (got,) = coerce_hotwords([word])
    want = Hotword(word)
    assert got == want
    for f in dataclasses.fields(Hotword):
        assert type(getattr(got, f.name)) is type(getattr(want, f.name))
    assert [h.text for h in coerce_hotwords(["达西", " 达西", Hotword("达西", weight=2.0)])] == [
        "达西"
    ]
    assert coerce_hotwords(["达西", Hotword("达西", weight=2.0)])[0].weight == 1.0


def test_plain_words_are_still_validated() -> None:
    from hotfuse.errors import InputError

    for bad in ["", "   ", "a\u200bb"]:
        with pytest.raises(InputError):
            coerce_hotwords([bad])


def test_parse_error_names_the_line() -> None:
    with pytest.raises(LexiconError) as info:
        Lexicon.load(DATA / "malformed.toml")
    assert info.value.line_no == 7
    assert info.value.path == str(DATA / "malformed.toml")
    assert "invalid TOML" in str(info.value)
    assert str(info.value).startswith(f"{DATA / 'malformed.toml'}:7: ")


def test_strict_load_raises_the_first_error_with_its_line() -> None:
    with pytest.raises(LexiconError) as info:
        Lexicon.load(DATA / "bad-entries.toml")
    assert info.value.line_no == 5
    assert "alias" in str(info.value) and "aliases" in str(info.value)
    assert "3 more" in str(info.value)


def test_lenient_load_lists_every_error() -> None:
    lex = Lexicon.load(DATA / "bad-entries.toml", strict=False)
    errors = [i for i in lex.validate(frequency=False) if i.severity is Severity.ERROR]
    assert [(i.code, i.line_no) for i in errors] == [
        ("unknown-field", 5),
        ("weight-range", 9),
        ("pinyin-count", 13),
        ("duplicate", 15),
    ]


@pytest.mark.parametrize(
    ("body", "code", "line"),
    [
        ('[[entry]]\ntext = ""\n', "empty-entry", 2),
        ("[[entry]]\nweight = 2\n", "empty-entry", 1),
        ('[[entry]]\ntext = "a"\n[[entry]]\ntext = "a"\n', "duplicate", 3),
        ('[[entry]]\ntext = "a"\nweight = "high"\n', "bad-type", 3),
        ('[[entry]]\ntext = "a"\nweight = -11\n', "weight-range", 3),
        ('[[entry]]\ntext = "a"\nweight = 10.5\n', "weight-range", 3),
        ('[[entry]]\ntext = "a"\naliases = "b"\ncolour = 1\n', "unknown-field", 4),
        ('[[entry]]\ntext = "' + "长" * 33 + '"\n', "too-long", 2),
        ('[[entry]]\ntext = "重庆"\npinyin = "chong2"\n', "pinyin-count", 3),
        ('[[entry]]\ntext = "重庆"\npinyin = "chong qing"\n', "pinyin-syntax", 3),
        ('[[entry]]\ntext = "PyTorch"\npinyin = "pai4"\n', "pinyin-count", 3),
        ('[[entry]]\ntext = "a"\ntags = [1, 2]\n', "bad-type", 3),
        ('title = "x"\n[[entry]]\ntext = "a"\n', "unknown-field", 1),
        ('name = "x"\n[[entry]\n', "toml-syntax", 2),
        ('[[entry]]\ntext = "重庆"\ntext = "重庆"\n', "toml-syntax", 3),
        (
            '[[entry]]\ntext = "a"\n[[entry]]\ntext = "b"\nweight = 1\nweight = 2\n',
            "toml-syntax",
            6,
        ),
    ],
)
def test_errors(body: str, code: str, line: int) -> None:
    lex = Lexicon.loads(body, path="t.toml", strict=False)
    found = [(i.code, i.line_no) for i in lex.validate(frequency=False)]
    assert (code, line) in found
    with pytest.raises(LexiconError) as info:
        Lexicon.loads(body, path="t.toml")
    assert info.value.path == "t.toml"


@pytest.mark.parametrize(
    ("entries", "code", "entry"),
    [
        (['text = "云"'], "single-char", "云"),
        (['text = "北京"'], "common-word", "北京"),
        (['text = "山西"', 'text = "陕西"'], "pinyin-collision", "陕西"),
        (['text = "北京"\nweight = 0.8', 'text = "背景"'], "pinyin-collision", "背景"),
        (['text = "曾国藩"'], "polyphone", "曾国藩"),
        (['text = "长风"'], "polyphone", "长风"),
        (['text = "重庆"\npinyin = "chong2 xing4"'], "pinyin-mismatch", "重庆"),
        (['text = "达西"\naliases = ["达西"]'], "alias-duplicate", "达西"),
        (['text = "达西"\naliases = ["宾利"]', 'text = "宾利"'], "alias-duplicate", "达西"),
    ],
)
def test_warnings(entries: list[str], code: str, entry: str) -> None:
    body = "".join(f"[[entry]]\n{e}\n" for e in entries)
    issues = Lexicon.loads(body, path="w.toml").validate()
    hits = [i for i in issues if i.code == code]
    assert hits, issues
    assert all(i.severity is Severity.WARNING for i in issues)
    assert hits[0].entry == entry
    assert hits[0].line_no is not None


@pytest.mark.parametrize(
    "entry",
    [
        'text = "重庆"\npinyin = "chong2 qing4"',  # explicit pinyin: no polyphone warning
        'text = "银行行长"',  # pypinyin's phrase table settles 行 and 长
        'text = "伊丽莎白"',  # 莎 and 白 have rare readings only
        'text = "北京"\nweight = 0.8',  # weight < 1: the common-word risk is acknowledged
        'text = "PyTorch"',
    ],
)
def test_no_false_warnings(entry: str) -> None:
    assert Lexicon.loads(f"[[entry]]\n{entry}\n").validate() == []


def test_issue_str_and_error() -> None:
    issue = Issue(Severity.ERROR, "duplicate", "'a' twice", "x.toml", 4, "a")
    assert str(issue) == "x.toml:4: error[duplicate]: 'a' twice"
    err = issue.to_error()
    assert isinstance(err, LexiconError) and err.line_no == 4 and err.path == "x.toml"


# --------------------------------------------------------------------------- editing
def test_unchanged_lexicon_dumps_byte_for_byte() -> None:
    source = (DATA / "good.toml").read_text(encoding="utf-8")
    assert Lexicon.loads(source).dumps() == source


def test_edits_keep_comments_and_order() -> None:
    lex = Lexicon.load(DATA / "good.toml")
    edited = lex.add(Hotword("重庆", aliases=("从庆",))).remove("达西").add("宾利")
    text = edited.dumps()
    assert "# A meeting lexicon: comments must survive edits." in text
    assert "# heard in the 3 April recording" in text
    assert "# places" in text
    assert text.index("伊丽莎白") < text.index("重庆") < text.index("宾利")
    assert "达西" not in text and "马达西边" not in text
    again = Lexicon.loads(text)
    assert [h.text for h in again.hotwords] == ["伊丽莎白", "重庆", "宾利"]
    cq = again.get("重庆")
    assert cq is not None and cq.aliases == ("从庆",) and cq.pinyin == ("chong2", "qing4")
    assert cq.tags == ("place",)


def test_add_merges_and_replace_replaces() -> None:
    lex = Lexicon(hotwords=(Hotword("达西", weight=2, aliases=("大西",)),))
    merged = lex.add(Hotword("达西", aliases=("答西",)))
    assert merged.hotwords == (Hotword("达西", weight=2, aliases=("答西", "大西")),)
    replaced = lex.add(Hotword("达西", aliases=("答西",)), replace=True)
    assert replaced.hotwords == (Hotword("达西", aliases=("答西",)),)


def test_remove_missing_entry_raises() -> None:
    with pytest.raises(LexiconError, match="no entry"):
        Lexicon(hotwords=(Hotword("达西"),)).remove("宾利")


def test_merge_unites_aliases_and_keeps_first_weight() -> None:
    a = Lexicon(name="a", hotwords=(Hotword("达西", weight=2, aliases=("大西",)),))
    b = Lexicon(name="b", hotwords=(Hotword("达西", weight=5, aliases=("答西",)), Hotword("宾利")))
    m = a.merge(b)
    assert m.name == "a"
    assert m.hotwords == (Hotword("达西", weight=2, aliases=("大西", "答西")), Hotword("宾利"))


def test_new_lexicon_dumps_and_reloads() -> None:
    lex = Lexicon(
        name="n", description="d", hotwords=(Hotword("重庆", pinyin=("chong2", "qing4")),)
    )
    again = Lexicon.loads(lex.dumps())
    assert again == lex


def test_inline_entries_are_rewritten_as_tables() -> None:
    src = 'name = "x"\nentry = [{text = "达西"}, {text = "重庆", weight = 2}]\n'
    lex = Lexicon.loads(src)
    assert [h.text for h in lex.hotwords] == ["达西", "重庆"]
    again = Lexicon.loads(lex.add("宾利").dumps())
    assert [(h.text, h.weight) for h in again.hotwords] == [
        ("达西", 1.0),
        ("重庆", 2.0),
        ("宾利", 1.0),
    ]


# --------------------------------------------------------------------------- import/export
@pytest.mark.parametrize(
    ("file", "fmt", "expected"),
    [
        (
            "funasr.txt",
            "funasr",
            [("阿里巴巴", 1.0), ("重庆", 2.0), ("iPhone", 0.75), ("达西", 1.0)],
        ),
        (
            "sherpa-onnx.txt",
            "sherpa-onnx",
            [("语音识别", 2.0), ("深度学习", 1.0), ("SPEECH RECOGNITION", 1.0), ("达西", 0.5)],
        ),
        (
            "capswriter-hot.txt",
            "capswriter",
            [("拓维信息", 1.0), ("摩尔线程", 1.0), ("Paraformer", 1.0), ("mAh", 1.0)],
        ),
        (
            "tencent.txt",
            "tencent",
            [("腾讯云", 2.0), ("语音识别", 1.0), ("蜜制", 5.0), ("超级热词", 3.0), ("ASR", 1.0)],
        ),
        ("aliyun.txt", "aliyun", [("苹果", 1.0), ("西瓜", 2.0), ("不要", -6.0)]),
        ("aliyun.json", "aliyun", [("苹果", 1.0), ("西瓜", 2.5)]),
        ("hotwords.csv", "csv", [("伊丽莎白", 2.0), ("重庆", 1.0), ("Hugging Face", 1.5)]),
        ("plain.txt", "plain", [("伊丽莎白", 1.0), ("达西", 1.0), ("PyTorch", 1.0)]),
    ],
)
def test_import_formats(file: str, fmt: str, expected: list[tuple[str, float]]) -> None:
    text = (DATA / file).read_text(encoding="utf-8")
    lex = import_lexicon(text, fmt, path=DATA / file)
    assert [(h.text, h.weight) for h in lex.hotwords] == expected


def test_import_keeps_aliases_and_pinyin() -> None:
    csv_lex = import_lexicon((DATA / "hotwords.csv").read_text(encoding="utf-8"), "csv")
    eliz = csv_lex.get("伊丽莎白")
    assert eliz is not None and eliz.aliases == ("伊丽沙白", "依丽莎白")
    assert eliz.tags == ("person",)
    cq = csv_lex.get("重庆")
    assert cq is not None and cq.pinyin == ("chong2", "qing4")
    caps = import_lexicon((DATA / "capswriter-hot.txt").read_text(encoding="utf-8"), "capswriter")
    mah = caps.get("mAh")
    assert mah is not None and mah.aliases == ("毫安时",)


@pytest.mark.parametrize(
    ("text", "fmt", "line"),
    [
        ("达西 :abc\n", "sherpa-onnx", 1),
        ("达西\n重庆 :\n", "sherpa-onnx", 2),
        ("重庆 0\n", "funasr", 1),
        ("a|1\nb|12\n", "tencent", 2),
        ("a\t2\nb\tx\n", "aliyun", 2),
        ("text,weight\n达西,2\n重庆,heavy\n", "csv", 3),
        ("text,weight,colour\n达西,2,red\n", "csv", 1),
        ("达西\n" + "长" * 40 + "\n", "plain", 2),
    ],
)
def test_import_errors_name_the_line(text: str, fmt: str, line: int) -> None:
    with pytest.raises(LexiconError) as info:
        import_lexicon(text, fmt, path="in.txt")
    assert info.value.line_no == line
    assert info.value.path == "in.txt"


def test_import_errors_when_mapped_weight_is_out_of_range() -> None:
    with pytest.raises(LexiconError, match="outside") as info:
        import_lexicon("达西 400\n", "funasr")  # 400 / 20 = 20 > 10
    assert info.value.line_no == 1


def test_import_merges_duplicates() -> None:
    lex = import_lexicon("达西 40\n达西 20\n", "funasr")
    assert [(h.text, h.weight) for h in lex.hotwords] == [("达西", 2.0)]


SAMPLE = Lexicon(
    hotwords=(
        Hotword("重庆", pinyin=("chong2", "qing4"), aliases=("从庆",)),
        Hotword("达西", weight=2.0),
        Hotword("今天", weight=-3.0),
        Hotword("PyTorch", weight=0.5, tags=("ai",)),
    )
)


@pytest.mark.parametrize(
    ("fmt", "expected", "skipped"),
    [
        ("plain", "重庆\n达西\nPyTorch\n", ["今天"]),
        ("funasr", "重庆\n达西\nPyTorch\n", ["今天"]),
        ("sherpa-onnx", "重庆\n达西 :3\nPyTorch :0.75\n", ["今天"]),
        ("capswriter", "重庆 | 从庆\n达西\nPyTorch\n", ["今天"]),
        ("capswriter-rule", "从庆 = 重庆\n", ["达西", "今天", "PyTorch"]),
        ("aliyun", "重庆\t2\n达西\t4\n今天\t-3\nPyTorch\t1\n", []),
        ("tencent", "重庆|5\n达西|10\nPyTorch|2\n", ["今天"]),
    ],
)
def test_export_formats(fmt: str, expected: str, skipped: list[str]) -> None:
    text, left_out = export_lexicon(SAMPLE, fmt)
    assert text == expected
    assert [h.text for h in left_out] == skipped


def test_funasr_runtime_variant_writes_weights() -> None:
    text, _ = export_lexicon(SAMPLE, "funasr", variant="runtime")
    assert text == "重庆 20\n达西 40\nPyTorch 10\n"


def test_csv_and_toml_export_round_trip() -> None:
    for fmt in (LexiconFormat.CSV, LexiconFormat.TOML):
        text, left_out = export_lexicon(SAMPLE, fmt)
        assert left_out == []
        assert import_lexicon(text, fmt).hotwords == SAMPLE.hotwords


@pytest.mark.parametrize("weight", [-6, -1, 0, 1, 2, 3, 4, 5])
def test_aliyun_weights_round_trip(weight: int) -> None:
    lex = import_lexicon(f"词\t{weight}\n", "aliyun")
    text, _ = export_lexicon(lex, "aliyun")
    assert text == f"词\t{weight}\n"


@pytest.mark.parametrize("weight", [1, 5, 10, 11, 100])
def test_tencent_weights_round_trip(weight: int) -> None:
    lex = import_lexicon(f"词|{weight}", "tencent")
    assert export_lexicon(lex, "tencent")[0] == f"词|{weight}\n"


# --------------------------------------------------------------------------- safe writes
def test_atomic_write_replaces_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "x.toml"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    atomic_write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.toml"]


def test_failed_write_keeps_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "x.toml"
    target.write_text("old\n", encoding="utf-8")

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(LexiconError, match="left unchanged"):
        atomic_write_text(target, "new\n", error=LexiconError)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.toml"]


def test_locked_update_keeps_file_when_change_fails(tmp_path: Path) -> None:
    target = tmp_path / "m.toml"
    original = (DATA / "good.toml").read_text(encoding="utf-8")
    target.write_text(original, encoding="utf-8")

    def change(lex: Lexicon) -> Lexicon:
        return lex.remove("不存在")

    with pytest.raises(LexiconError):
        locked_update(target, change)
    assert target.read_text(encoding="utf-8") == original
    updated = locked_update(target, lambda lex: lex.add("宾利"))
    assert [h.text for h in Lexicon.load(target).hotwords][-1] == "宾利"
    assert updated.path == target


def _hold_lock(target: Path) -> Any:
    from filelock import FileLock

    lock = FileLock(str(lock_path(target)))
    lock.acquire(timeout=5)
    return lock


def _in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``fn`` in a thread; the list gets its result or its exception."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(fn())
        except Exception as exc:  # handed to the test
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_locked_update_does_the_slow_work_before_taking_the_lock(tmp_path: Path) -> None:
    # issue 16, finding 9: loading pypinyin/jieba and validating happen before the lock,
    # so a writer holds it only for a re-read and a write
    target = tmp_path / "m.toml"
    target.write_bytes((DATA / "good.toml").read_bytes())
    checked = threading.Event()

    def check(lex: Lexicon) -> None:
        lex.validate()  # the slow part: phonetics and jieba's frequencies
        checked.set()

    lock = _hold_lock(target)
    try:
        thread, out = _in_thread(
            lambda: locked_update(target, lambda x: x.add("宾利"), check=check)
        )
        assert checked.wait(60), "the check waited for the lock"
        assert "宾利" not in target.read_text(encoding="utf-8")  # nothing written yet
    finally:
        lock.release()
    thread.join(60)
    assert not isinstance(out[0], Exception)
    assert "宾利" in Lexicon.load(target)


def test_locked_update_redoes_the_edit_when_another_writer_got_there_first(
    tmp_path: Path,
) -> None:
    target = tmp_path / "m.toml"
    target.write_bytes((DATA / "good.toml").read_bytes())
    seen: list[list[str]] = []

    def change(lex: Lexicon) -> Lexicon:
        seen.append([h.text for h in lex.hotwords])
        if len(seen) == 1:  # another process adds a word between our read and our lock
            Lexicon.load(target).add("宾利").save()
        return lex.add("达西", replace=True).add("彭伯里")

    locked_update(target, change)
    assert len(seen) == 2 and "宾利" in seen[1]
    assert [h.text for h in Lexicon.load(target).hotwords] == [*seen[1], "彭伯里"]
    # an edit that cannot apply to the new content is refused, the file left as it was
    before = target.read_bytes()

    def remove_twice(lex: Lexicon) -> Lexicon:
        if "宾利" in lex:
            lex.remove("宾利").save()
        return lex.remove("宾利")

    with pytest.raises(LexiconError, match="no entry '宾利'"):
        locked_update(target, remove_twice)
    assert "宾利" not in Lexicon.load(target) and before != target.read_bytes()


def test_waiting_for_the_lock_is_said_once_and_never_gives_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    target = tmp_path / "m.toml"
    target.write_bytes((DATA / "good.toml").read_bytes())
    lock = _hold_lock(target)
    try:
        with caplog.at_level(logging.WARNING, logger="hotfuse"):
            thread, out = _in_thread(
                lambda: locked_update(target, lambda x: x.add("宾利"), notice_after=0.05)
            )
            for _ in range(600):
                if caplog.records:
                    break
                thread.join(0.05)
            thread.join(0.5)  # it keeps waiting: no fixed timeout makes it fail
            assert thread.is_alive() and not out
    finally:
        lock.release()
    thread.join(60)
    assert not isinstance(out[0], Exception)
    assert "宾利" in Lexicon.load(target)
    assert [r.getMessage() for r in caplog.records] == [
        f"waiting for {lock_path(target)} held by another hotfuse process..."
    ]


def test_lock_timeout_never_advises_deleting_the_lock_file(tmp_path: Path) -> None:
    target = tmp_path / "m.toml"
    target.write_bytes((DATA / "good.toml").read_bytes())
    before = target.read_bytes()
    lock = _hold_lock(target)
    try:
        with pytest.raises(LexiconError) as info:
            locked_update(target, lambda x: x.add("宾利"), timeout=0.1)
    finally:
        lock.release()
    msg = str(info.value)
    assert "m.toml.lock" in msg and "try again" in msg
    assert "delete the lock file if" not in msg and "never delete" in msg
    assert target.read_bytes() == before


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_a_lock_file_that_cannot_be_created_is_one_clear_error(
    code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a read-only directory or filesystem (chmod does not stop root: refuse the open)
    target = tmp_path / "m.toml"
    target.write_bytes((DATA / "good.toml").read_bytes())
    before = target.read_bytes()
    real_open = os.open

    def refusing_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith(".lock"):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    with pytest.raises(LexiconError) as info:
        locked_update(target, lambda x: x.add("宾利"))
    msg = str(info.value)
    assert f"cannot create the lock file {lock_path(target)} ({os.strerror(code)})" in msg
    assert "writable" in msg and "\n" not in msg
    assert target.read_bytes() == before


def test_concurrent_threads_all_land(tmp_path: Path) -> None:
    target = tmp_path / "m.toml"
    target.write_bytes((DATA / "good.toml").read_bytes())
    words = [f"词{i}" for i in "一二三四五六七八"]
    threads = [_in_thread(lambda w=w: locked_update(target, lambda x: x.add(w))) for w in words]
    for thread, out in threads:
        thread.join(60)
        assert out and not isinstance(out[0], Exception), out
    texts = [h.text for h in Lexicon.load(target).hotwords]
    assert sorted(texts[3:]) == sorted(words)


def test_overwrite_replaces_a_broken_file(tmp_path: Path) -> None:
    target = tmp_path / "m.toml"
    target.write_text('[[entry]]\ntext = "重庆\n', encoding="utf-8")  # unclosed string
    with pytest.raises(LexiconError, match="invalid TOML") as info:
        locked_update(target, lambda x: x.add("宾利"))
    assert info.value.line_no == 2
    locked_update(target, lambda x: x.add("宾利"), overwrite=True)
    assert [h.text for h in Lexicon.load(target).hotwords] == ["宾利"]


def test_save_requires_a_path() -> None:
    with pytest.raises(LexiconError, match="pass a path"):
        Lexicon(hotwords=(Hotword("达西"),)).save()


def test_whole_file_writes_wait_for_the_lock_too(tmp_path: Path) -> None:
    """`lexicon new --force` and `merge -o` replace a whole file: under the same lock as
    add, so they never land in the middle of another writer's update."""
    from hotfuse.formats.lexicon_toml import locked_write_text

    target = tmp_path / "m.toml"
    target.write_bytes((DATA / "good.toml").read_bytes())
    lock = _hold_lock(target)
    try:
        thread, out = _in_thread(lambda: locked_write_text(target, 'name = "new"\n'))
        thread.join(0.3)
        assert thread.is_alive() and b'name = "new"' not in target.read_bytes()
    finally:
        lock.release()
    thread.join(60)
    assert not isinstance(out[0], Exception)
    assert target.read_text(encoding="utf-8") == 'name = "new"\n'
    with pytest.raises(LexiconError, match="already exists"):
        locked_write_text(target, "x = 1\n", exist_ok=False)
    assert target.read_text(encoding="utf-8") == 'name = "new"\n'


def test_every_hidden_character_is_unprintable() -> None:
    """The validation's fast path: a printable text (``str.isprintable``) holds no hidden
    character, so only unprintable texts are scanned character by character."""
    import sys
    import unicodedata

    from hotfuse.lexicon import _is_hidden

    printable_hidden = [
        f"U+{cp:04X}"
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Cs", "Zl", "Zp")
        and _is_hidden(chr(cp))
        and chr(cp).isprintable()
    ]
    assert printable_hidden == []


_REMOVE = "; remove it (a hotword, alias or blocking context is visible text)"
_NON_EMPTY = "; use non-empty strings"
_FINITE = "weight must be a finite number, got "


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "伊丽\u200b莎白"},
         "hotword '伊丽\\u200b莎白' holds the invisible or control character U+200B" + _REMOVE),
        ({"text": "达西", "weight": True}, "hotword '达西': " + _FINITE + "True"),
        ({"text": "达西", "weight": math.nan}, "hotword '达西': " + _FINITE + "nan"),
        ({"text": "达西", "weight": "1"}, "hotword '达西': " + _FINITE + "'1'"),
        ({"text": "达西", "aliases": [""]}, "hotword '达西': aliases holds ''" + _NON_EMPTY),
        ({"text": "达西", "aliases": 3},
         "hotword '达西': aliases must be a list of strings, got 3"),
        ({"text": "达西", "tags": ["a", 1]}, "hotword '达西': tags holds 1" + _NON_EMPTY),
        ({"text": "达西", "spoken": [None]}, "hotword '达西': spoken holds None" + _NON_EMPTY),
        ({"text": "达西", "block_contexts": ["马\x00达西"]},
         "hotword '达西': blocking context '马\\x00达西' holds the invisible or control character "
         "U+0000" + _REMOVE),
        ({"text": "达西", "auto_spoken": 1}, "hotword '达西': auto_spoken must be true or false"),
        ({"text": " "}, "a hotword must be a non-empty string, got ' '"),
    ],
)  # fmt: skip
def test_hotword_validation_messages(fields: dict[str, Any], message: str) -> None:
    from hotfuse.errors import InputError

    with pytest.raises(InputError) as exc:
        Hotword(**fields)
    assert str(exc.value) == message


def test_hotword_defaults_and_conversions_after_validation() -> None:
    hw = Hotword(" 重庆 ", weight=2, aliases=["崇庆"], tags=None, spoken=[], pinyin="chong2,qing4")
    assert (hw.text, hw.weight, type(hw.weight), hw.aliases, hw.tags, hw.spoken, hw.pinyin) == (
        "重庆", 2.0, float, ("崇庆",), (), (), ("chong2", "qing4")
    )  # fmt: skip
    assert Hotword("达西") == Hotword("达西", 1.0, (), None, (), (), (), True)


def test_is_han_is_the_character_class_it_replaced() -> None:
    import re

    from hotfuse.lexicon import _is_han

    han = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
    differ = [cp for cp in range(0x110000) if bool(han.match(chr(cp))) != _is_han(chr(cp))]
    assert differ == []
    assert _is_han("中") and not _is_han("a") and not _is_han("\U00020000")
