"""``hotfuse eval`` end to end on the tiny fixtures in tests/data/eval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotfuse.cli import main
from hotfuse.formats.corpus import read_hypotheses, read_texts

DATA = Path(__file__).parent / "data" / "eval"
REF = str(DATA / "ref.txt")
HYP_JSONL = str(DATA / "hyp.jsonl")
HYP_TXT = str(DATA / "hyp.txt")
WORDS = str(DATA / "words.txt")
PER_UTT = str(DATA / "hotwords.jsonl")


def _run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["eval", "--ref", REF, *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_table_before_after(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--ref", REF, "--hyp", HYP_JSONL, "--hotwords", WORDS]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["metric", "no", "fusion", "hotfuse"]
    row = {ln.split("  ")[0].strip(): ln for ln in lines[2:9]}
    assert set(row) == {"recall", "precision", "false alarms", "damaged", "CER", "B-CER", "U-CER"}
    assert "0.0% [0.0, 49.0]" in row["recall"] and "100.0% [51.0, 100.0]" in row["recall"]
    assert "n/a" in row["precision"]
    assert "6 utterances, 52 reference characters, 4 hotword occurrences" in out


def test_json_numbers_match_hand_count(capsys: pytest.CaptureFixture[str]) -> None:
    d = _run_json(capsys, "--hyp", HYP_JSONL, "--hotwords", WORDS)
    rows = d["rows"]
    assert isinstance(rows, dict)
    before, after = rows["no_fusion"], rows["hotfuse"]
    # hypotheses: 4 hotword-bearing utterances all misrecognised (4 substitutions), no fusion
    assert before["counts"]["subs"] == 4 and before["counts"]["hotword_hits"] == 0
    assert before["metrics"]["precision"] is None
    # fusion repairs the 4 hotwords and wrongly turns 打西 into 达西 in u06
    assert after["counts"]["hotword_hits"] == 4 and after["counts"]["hotword_out"] == 5
    assert after["counts"]["false_alarm_utts"] == 1 and after["counts"]["n_no_hotword_utts"] == 2
    assert after["counts"]["damaged_utts"] == 1
    assert after["metrics"]["recall"] == 1.0
    assert after["metrics"]["precision"] == pytest.approx(0.8)
    assert after["metrics"]["cer"] == pytest.approx(1 / 52)
    assert d["replacements"] == 5 and d["n_utts"] == 6


def test_per_utterance_hotwords_and_kaldi_hyp(capsys: pytest.CaptureFixture[str]) -> None:
    d = _run_json(capsys, "--hyp", HYP_TXT, "--hotwords", PER_UTT)
    rows = d["rows"]
    assert isinstance(rows, dict)
    assert rows["hotfuse"]["counts"]["hotword_ref"] == 4
    # u04's list does not matter; u06's list holds 达西, so the reference has no hotword
    assert rows["hotfuse"]["counts"]["n_no_hotword_utts"] == 2


def test_threshold_and_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    strict = _run_json(capsys, "--hyp", HYP_JSONL, "--hotwords", WORDS, "--threshold", "30")
    assert strict["replacements"] == 0
    cfg = tmp_path / "tuned.toml"
    cfg.write_text("threshold = 30.0\n", encoding="utf-8")
    from_file = _run_json(capsys, "--hyp", HYP_JSONL, "--hotwords", WORDS, "--config", str(cfg))
    assert from_file["replacements"] == 0 and from_file["threshold"] == 30.0


def test_fused_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kaldi = tmp_path / "fused.txt"
    jsonl = tmp_path / "fused.jsonl"
    for out in (kaldi, jsonl):
        args = ["eval", "--ref", REF, "--hyp", HYP_JSONL, "--hotwords", WORDS, "--fused", str(out)]
        assert main(args) == 0
    capsys.readouterr()
    texts = read_texts(kaldi)
    assert texts["u01"] == "伊丽莎白这会儿真太高兴了"
    assert texts["u06"] == "他在达西边走来"
    recs = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    u01 = recs[0]
    assert u01["id"] == "u01" and u01["original"] == "伊丽沙白这会儿真太高兴了"
    assert u01["replacements"][0]["original"] == "伊丽沙白"
    assert u01["replacements"][0]["hotword"] == "伊丽莎白"
    assert (u01["replacements"][0]["start"], u01["replacements"][0]["end"]) == (0, 4)
    # the JSONL output reads back as hypotheses, confidences kept outside replacements
    back = read_hypotheses(jsonl)
    assert back["u01"].tokens[-1].confidence == 0.98
    assert back["u06"].tokens[0].start == 0.0


def test_fused_to_stdout_moves_table_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--ref", REF, "--hyp", HYP_TXT, "--hotwords", WORDS, "--fused", "-"]) == 0
    cap = capsys.readouterr()
    assert cap.out.splitlines()[0] == "u01\t伊丽莎白这会儿真太高兴了"
    assert "metric" in cap.err


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"hyp": "hyp_missing.txt"}, "1 reference id(s) have no hypothesis ('u06')"),
        ({"ref": "bad_utf8.txt"}, "bad_utf8.txt:2: not valid UTF-8"),
        ({"hotwords": None}, "give the active hotwords"),
        ({"hyp": "does_not_exist.jsonl"}, "file not found"),
    ],
)
def test_errors_exit_1(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str | None],
    message: str,
) -> None:
    (tmp_path / "hyp_missing.txt").write_text(
        "".join(DATA.joinpath("hyp.txt").read_text(encoding="utf-8").splitlines(True)[:5]),
        encoding="utf-8",
    )
    (tmp_path / "bad_utf8.txt").write_bytes(b"u01 a\nu02 \xff\n")
    paths = {"ref": REF, "hyp": HYP_TXT, "hotwords": WORDS}
    for key, name in files.items():
        paths[key] = None if name is None else str(tmp_path / name)  # type: ignore[assignment]
    argv = ["eval"]
    for key, value in paths.items():
        if value is not None:
            argv += [f"--{key}", value]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("hotfuse: error: ")
    assert message in err


def test_missing_skip_and_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    short = tmp_path / "hyp.txt"
    short.write_text(
        "".join(DATA.joinpath("hyp.txt").read_text(encoding="utf-8").splitlines(True)[:5]),
        encoding="utf-8",
    )
    skip = _run_json(capsys, "--hyp", str(short), "--hotwords", WORDS, "--missing", "skip")
    assert skip["n_utts"] == 5
    empty = _run_json(capsys, "--hyp", str(short), "--hotwords", WORDS, "--missing", "empty")
    assert empty["n_utts"] == 6
    rows = empty["rows"]
    assert isinstance(rows, dict)
    assert rows["no_fusion"]["counts"]["dels"] == 7  # 他在打西边走来 scored as empty output


def test_lexicon_hints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lex = tmp_path / "lex.toml"
    lex.write_text(
        'name = "t"\n[[entry]]\ntext = "达西"\nweight = 0\n',
        encoding="utf-8",
    )
    # weight 0: never inserted, so 大西 and 打西 stay
    d = _run_json(capsys, "--hyp", HYP_JSONL, "--hotwords", WORDS, "--lexicon", str(lex))
    assert d["replacements"] == 3
    rows = d["rows"]
    assert isinstance(rows, dict)
    assert rows["hotfuse"]["counts"]["false_alarm_utts"] == 0


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["eval", "--help"])
    assert info.value.code == 0
    assert "hotfuse eval --ref" in capsys.readouterr().out
