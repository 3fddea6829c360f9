"""hotfuse.learn and ``hotfuse lexicon learn``: terms and aliases mined from corrections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotfuse.cli import main
from hotfuse.errors import DataError, InputError
from hotfuse.formats.corpus import read_correction_pairs
from hotfuse.learn import aligned_changes, learn
from hotfuse.lexicon import Lexicon

RECTIFY = Path(__file__).parent / "data" / "hotwords" / "capswriter-hot-rectify.txt"


@pytest.mark.parametrize(
    ("recognized", "corrected", "expected"),
    [
        ("我们去找伊丽沙白开会", "我们去找伊丽莎白开会", [("伊丽沙白", "伊丽莎白")]),
        ("用 caps rider 打字", "用 CapsWriter 打字", [("caps rider", "CapsWriter")]),
        ("拍托起和塔布", "PyTorch和塔布", [("拍托起", "PyTorch")]),
        ("完全一样", "完全一样", []),
    ],
)
def test_aligned_changes(recognized: str, corrected: str, expected: list[tuple[str, str]]) -> None:
    assert aligned_changes(recognized, corrected) == expected


def test_min_support_and_report() -> None:
    pairs = read_correction_pairs(RECTIFY)
    assert len(pairs) == 3
    result = learn(pairs, min_support=2)
    assert [(h.text, h.aliases) for h in result.lexicon.hotwords] == [("伊丽莎白", ("伊丽沙白",))]
    (rej,) = [r for r in result.rejected if r.term == "CapsWriter"]
    assert (rej.alias, rej.support) == ("caps rider", 1) and "min-support" in rej.reason


def test_alias_mapping_to_two_terms_is_reported_not_added() -> None:
    pairs = [("请王芳来", "请汪芳来"), ("请王芳来", "请汪方来")] * 2
    result = learn(pairs, min_support=2, frequency=False)
    assert result.lexicon.hotwords == ()
    terms = sorted(r.term for r in result.rejected)
    assert len(terms) == 2 and "芳" in terms[1] and "方" in terms[0]
    assert all("also maps to" in r.reason for r in result.rejected)


def test_common_word_alias_is_reported_not_added() -> None:
    pairs = [("今天明白了", "今天明柏了")] * 3  # 明白 is a very common word
    result = learn(pairs, min_support=2)
    assert result.lexicon.hotwords == ()
    assert "common word" in result.rejected[0].reason


def test_one_character_fixes_are_not_terms() -> None:
    result = learn([("这样就可以了", "这样不就可以了"), ("他在家", "她在家")] * 2, frequency=False)
    assert result.lexicon.hotwords == ()


def test_min_support_below_one_is_an_error() -> None:
    with pytest.raises(InputError, match="at least 1"):
        learn([], min_support=0)


def test_rectify_block_with_one_line_names_it(tmp_path: Path) -> None:
    path = tmp_path / "hot-rectify.txt"
    path.write_text("甲乙\n丙丁\n---\n只有一行\n---\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_correction_pairs(path)
    assert info.value.line_no == 4


def test_cli_from_kaldi_ref_and_hyp(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref, hyp, out = tmp_path / "ref.txt", tmp_path / "hyp.txt", tmp_path / "m.toml"
    ref.write_text("u1 我们去找伊丽莎白开会\nu2 伊丽莎白说她晚点到\n", encoding="utf-8")
    hyp.write_text("u1 我们去找伊丽沙白开会\nu2 伊丽沙白说她晚点到\n", encoding="utf-8")
    code = main(["lexicon", "learn", "--ref", str(ref), "--hyp", str(hyp), "-o", str(out)])
    assert code == 0
    assert "learned 1 alias(es) for 1 term(s) from 2 pair(s)" in capsys.readouterr().err
    lex = Lexicon.load(out)
    assert [(h.text, h.aliases) for h in lex.hotwords] == [("伊丽莎白", ("伊丽沙白",))]


def test_cli_jsonl_pairs_merge_into_an_existing_lexicon(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs, out = tmp_path / "pairs.jsonl", tmp_path / "m.toml"
    out.write_text('# mine\n[[entry]]\ntext = "伊丽莎白"\naliases = ["依丽莎白"]\n', "utf-8")
    rows = [{"recognized": "用拍托起训练", "corrected": "用PyTorch训练"}] * 2
    pairs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    assert main(["lexicon", "learn", "--pairs", str(pairs), "-o", str(out), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["learned"] == [{"text": "PyTorch", "aliases": ["拍托起"]}]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# mine\n")  # merged round-trip, comments kept
    assert [h.text for h in Lexicon.load(out).hotwords] == ["伊丽莎白", "PyTorch"]


def test_cli_rectify_prints_toml(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lexicon", "learn", "--rectify", str(RECTIFY)]) == 0
    out = capsys.readouterr().out
    assert Lexicon.loads(out).get("伊丽莎白") is not None
