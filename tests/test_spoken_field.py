"""The ``spoken`` and ``auto_spoken`` fields of lexicon entries: parsed, validated,
written back round-trip, and shown by ``hotfuse lexicon explain``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotfuse.cli import main
from hotfuse.formats.lexicon_toml import parse_lexicon, render_lexicon
from hotfuse.lexicon import Severity

SRC = """# my terms
[[entry]]
text = "Docker"
spoken = ["dao ke"]  # how our recognizer writes it

[[entry]]
text = "Nginx"
spoken = ["engine x"]
auto_spoken = false
"""


def test_fields_are_parsed() -> None:
    lex = parse_lexicon(SRC)
    docker, nginx = lex.hotwords
    assert docker.spoken == ("dao ke",) and docker.auto_spoken
    assert nginx.spoken == ("engine x",) and not nginx.auto_spoken


def test_round_trip_keeps_fields_and_comments() -> None:
    lex = parse_lexicon(SRC)
    out = render_lexicon(SRC, "", "", lex.hotwords)
    assert out == SRC
    fresh = render_lexicon(None, "", "", lex.hotwords)
    again = parse_lexicon(fresh).hotwords
    assert again == lex.hotwords


@pytest.mark.parametrize(
    ("entry", "code", "severity"),
    [
        ('text = "Redis"\nauto_spoken = "no"', "bad-type", Severity.ERROR),
        ('text = "Redis"\nspoken = 3', "bad-type", Severity.ERROR),
        ('text = "Redis"\nspoken = [""]', "empty-entry", Severity.ERROR),
        ('text = "重庆"\nspoken = ["chong qing"]', "spoken-ignored", Severity.WARNING),
    ],
)
def test_bad_spoken_fields_are_issues(entry: str, code: str, severity: Severity) -> None:
    lex = parse_lexicon(f"[[entry]]\n{entry}\n", strict=False)
    found = [(i.code, i.severity, i.line_no) for i in lex.load_issues]
    assert (code, severity, 3) in found


def test_pinned_only_form_is_the_one_matched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "t.toml"
    f.write_text('[[entry]]\ntext = "Docker"\nspoken = ["tuo ke"]\nauto_spoken = false\n', "utf-8")
    assert main(["fuse", "--lexicon", str(f), "我们用拖课部署"]) == 0
    assert "Docker" in capsys.readouterr().out
    # with generation off, the dictionary reading (da ke) is no longer a target
    assert main(["fuse", "--lexicon", str(f), "我们用大可部署"]) == 0
    assert "Docker" not in capsys.readouterr().out


def test_explain_lists_spoken_forms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "t.toml"
    f.write_text(SRC, "utf-8")
    assert main(["lexicon", "explain", str(f)]) == 0
    out = capsys.readouterr().out
    assert "Docker  [generated + pinned]" in out
    assert "heard as dao ke" in out and "cmudict via D AA1 K ER0" in out
    assert "Nginx  [pinned only (auto_spoken = false)]" in out
    assert main(["lexicon", "explain", str(f), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_text = {x["text"]: x for x in data["spoken"]}
    assert {f["source"] for f in by_text["Nginx"]["pinyin"]} == {"user"}
    assert any(f["source"].startswith("cmudict") for f in by_text["Docker"]["pinyin"])


def test_explain_with_sentence_shows_forms_of_candidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "t.toml"
    f.write_text(SRC, "utf-8")
    assert main(["lexicon", "explain", str(f), "我们用刀客部署"]) == 0
    out = capsys.readouterr().out
    assert "REPLACE" in out and "spoken forms of the Latin entries above" in out
    assert "Nginx" not in out


def test_a_user_form_equal_to_a_generated_one_is_listed_once_as_the_users(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hotfuse import english

    generated = english.spoken_forms("Docker")
    # a generated reading the user also writes (with a tone number), not a free one
    same = next(f for f in generated if f.cost > 0)
    toned = " ".join(f"{s}1" for s in same.pinyin.split())
    f = tmp_path / "t.toml"
    f.write_text(f'[[entry]]\ntext = "Docker"\nspoken = ["{toned}", "docker"]\n', "utf-8")
    assert main(["lexicon", "explain", str(f), "--json"]) == 0
    forms = json.loads(capsys.readouterr().out)["spoken"][0]
    pinyin = [x["pinyin"] for x in forms["pinyin"]]
    assert len(pinyin) == len(set(pinyin))
    assert len(pinyin) < len(generated) + 1 + 3  # the duplicates are gone, not just sorted
    mine = [x for x in forms["pinyin"] if x["pinyin"] == same.pinyin]
    assert [(x["source"], x["cost"]) for x in mine] == [("user", 0.0)]
    # "docker" read by the dictionary is the generated reading: one phone form, the user's
    phones = [x for x in forms["phones"] if x["phones"] == "D AA1 K ER0"]
    assert [x["source"] for x in phones] == ["user"]
    assert len({x["phones"] for x in forms["phones"]}) == len(forms["phones"])
