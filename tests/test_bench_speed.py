"""Smoke test of eval/bench_speed.py with tiny sizes (it checks outputs, never timings)."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

from tests.helpers import load_eval

ROOT = Path(__file__).resolve().parent.parent


bench = load_eval("bench_speed")
sl = load_eval("speed_lexicons")


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([1.0, 2.0, 3.0, 4.0], 0.5, 2.5), ([5.0], 0.95, 5.0), ([0.0, 10.0], 0.95, 9.5)],
)
def test_percentile(values: list[float], q: float, expected: float) -> None:
    assert bench.percentile(values, q) == pytest.approx(expected)


def test_proper_nouns_follow_the_rule() -> None:
    from hotfuse.lexicon import COMMON_WORD_FREQ

    words = sl.proper_nouns(0)
    rows = {w: (c, t) for w, c, t in sl.jieba_dictionary()}
    assert len(words) > 50000
    assert len(set(words)) == len(words)
    for w in words[:2000]:
        count, tag = rows[w]
        assert tag in sl.PROPER_NOUN_TAGS
        assert 2 <= len(w) <= 6
        assert count < COMMON_WORD_FREQ
    assert sl.proper_nouns(0)[:50] == words[:50]  # deterministic
    assert sl.proper_nouns(1)[:50] != words[:50]  # the seed matters


def test_damage_keeps_the_sound() -> None:
    from hotfuse.phonetics import char_readings, hotword_pinyin

    rng = random.Random(3)
    for word in ["伊丽莎白", "达西", "长城汽车", "张家口"]:
        bad = sl.damage(word, rng)
        assert len(bad) == len(word)
        assert bad != word
        for ch, r in zip(bad, hotword_pinyin(word), strict=True):
            assert r in char_readings(ch)  # each character still can be read the same


def test_cut_utterances_are_distinct_and_sized() -> None:
    stream = [
        "今天天气很好我们去公园散步吧",
        "伊丽莎白这会儿真太高兴了",
        "他对于伊丽莎白也殷勤和悦",
    ]
    texts = sl.cut_utterances(stream, 10, 12, seed=0, pick_word=lambda i, rng: "伊丽莎白")
    assert len(texts) == 12
    assert len(set(texts)) == 12
    assert all(len(t) == 10 for t in texts)


def test_quick_run_writes_every_output(tmp_path: Path, shared_data: Path) -> None:
    md, js, svg = tmp_path / "s.md", tmp_path / "s.json", tmp_path / "s.svg"
    argv = [
        "--quick",
        "--no-pin",  # leave the test runner's CPU affinity alone
        "--sizes", "5,40",
        "--lengths", "10,30",
        "--repeat", "6",
        "--accuracy-utts", "30",
        "--import-runs", "1",
        "--cold-runs", "1",
        "--data", str(shared_data / "wenetspeech-biasing"),
        "--profile", "5x30",
        "--markdown", str(md),
        "--json", str(js),
        "--plot", str(svg),
    ]  # fmt: skip
    assert bench.main(argv) == 0
    data = json.loads(js.read_text(encoding="utf-8"))
    cells = {(c["kind"], c["size"], c["length"]): c for c in data["cells"]}
    assert set(cells) == {
        ("fuser", 5, 10),
        ("fuser", 5, 30),
        ("fuser", 40, 10),
        ("fuser", 40, 30),
        ("one_call", 5, 10),
        ("one_call", 5, 30),
    }
    for c in cells.values():
        assert c["n"] == 6
        assert 0 < c["median_ms"] <= c["p95_ms"]
    assert set(data["compile"]) == {"5", "40"}
    stages = [s["stage"] for s in data["rss"]["stages"]]
    assert stages[0] == "python" and "lexicon compiled" in stages
    assert data["rss"]["words"] == 40
    assert data["rss"]["peak_mb"] >= data["rss"]["stages"][0]["rss_mb"]
    assert "torch" not in data["imports"]["heavy_modules_loaded"]
    assert data["accuracy"]["utterances"] == 30
    runs = data["accuracy"]["runs"]
    assert {(r["lexicon"], r["input"]) for r in runs} == {
        (lex, mode) for lex in ("speed", "catalogue") for mode in ("text", "confidences")
    }
    for r in runs:
        assert r["terms"] == 40
        assert r["precision"] is None or 0 <= r["precision"] <= 1
    assert "5x30" in data["profiles"] and "fuse" in data["profiles"]["5x30"]
    names = [t["name"] for t in data["targets"]]
    assert any("import hotfuse" in n for n in names)
    cold = data["cold"]
    assert cold["output_ok"] is True and cold["runs"] == 1
    assert cold["median_wall_s"] > 0 and cold["median_peak_mb"] > 5
    assert sum("cold `hotfuse fuse" in n for n in names) == 2
    text = md.read_text(encoding="utf-8")
    assert "| target | goal | measured | status |" in text
    assert "### Time per utterance" in text
    plot = svg.read_text(encoding="utf-8")
    assert plot.startswith("<svg") and plot.rstrip().endswith("</svg>")
    assert plot.count("<polyline") == 2  # one line per utterance length


def test_plot_and_markdown_from_a_report() -> None:
    report = bench.Report(meta={"command": "x"})
    for size, ms in [(5, 0.05), (5000, 0.8), (50000, 7.0)]:
        report.cells.append(bench.Cell("fuser", size, 30, 10, ms, ms * 2, ms, 1000 / ms, 0.5))
    report.compile = {50000: {"median_s": 6.0, "per_5000_s": 0.6, "runs": 1}}
    fuser_rows = [t for t in bench.targets(report) if t.name.startswith("`Fuser`")]
    assert [t.met for t in fuser_rows] == [True, True, False]  # 5, 5,000, 50,000 hotwords
    compile_row = next(t for t in bench.targets(report) if t.name.startswith("compile"))
    assert compile_row.met is False
    svg = bench.svg_plot(report)
    assert svg.count("<circle") == 3
    assert "**not met**" in bench.markdown(report)


def test_bad_sizes_are_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        bench.build_parser().parse_args(["--sizes", "5,x"])
    assert exc.value.code == 2


def test_quick_run_reports_the_peers(tmp_path: Path, shared_data: Path) -> None:
    baselines = load_eval("baselines")
    if not baselines.funasr_available():
        pytest.skip("funasr is not installed: no FunASR rows to check")
    md, js = tmp_path / "p.md", tmp_path / "p.json"
    argv = [
        "--quick",
        "--no-pin",
        "--sizes", "5,40",
        "--lengths", "30",
        "--repeat", "6",
        "--skip", "accuracy,rss,import,cold,catalogue",
        "--data", str(shared_data / "wenetspeech-biasing"),
        "--markdown", str(md),
        "--json", str(js),
    ]  # fmt: skip
    assert bench.main(argv) == 0
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["peers"]["funasr"]["status"] == "ok"
    assert data["peers"]["asr_hotword"]["status"].startswith("not given")
    assert set(data["peers"]["funasr"]["compile"]) == {"5", "40"}
    peer_cells = {(c["kind"], c["size"], c["length"]) for c in data["peers"]["funasr"]["cells"]}
    assert peer_cells == {("funasr", 5, 30), ("funasr", 40, 30), ("funasr_one_call", 5, 30)}
    rows = {(r["what"], r["size"], r.get("length")): r for r in data["against_peers"]}
    assert set(rows) == {
        ("fuser", 5, 30),
        ("fuser", 40, 30),
        ("compile", 5, None),
        ("compile", 40, None),
        ("one_call", 5, 30),
    }
    ours = {(c["kind"], c["size"]): c["median_ms"] for c in data["cells"]}
    for what in ("fuser", "one_call"):
        for size in (5, 40) if what == "fuser" else (5,):
            r = rows[(what, size, 30)]
            assert r["hotfuse_median_ms"] == ours[(what, size)]
            assert r["funasr_median_ms"] > 0 and r["funasr_n"] == 6
            assert r["ratio_funasr"] == pytest.approx(
                r["hotfuse_median_ms"] / r["funasr_median_ms"], rel=1e-3
            )
            assert r["ratio_asr_hotword"] is None
    text = md.read_text(encoding="utf-8")
    assert "### Against the peers" in text
    head = "| hotwords | chars | hotfuse median ms | FunASR median ms | ratio (FunASR) | n |"
    assert head in text
    assert "asr-hotword: not given" in text


def test_peer_rows_without_funasr() -> None:
    report = bench.Report(meta={"command": "x"})
    report.cells.append(bench.Cell("fuser", 5, 30, 10, 0.2, 0.4, 0.2, 5000.0, 0.5))
    report.peers = {
        "funasr": {"status": "not installed (pip install funasr)"},
        "asr_hotword": {"status": "not given (--asr-hotword PATH)"},
    }
    (row,) = bench.peer_rows(report)
    assert row["hotfuse_median_ms"] == 0.2 and row["funasr_median_ms"] is None
    assert row["ratio_funasr"] is None
    text = bench.markdown(report)
    assert "FunASR: not installed" in text and "asr-hotword: not given" in text


def test_asr_hotword_rows_from_a_checkout(tmp_path: Path, shared_data: Path) -> None:
    # A stand-in checkout with asr-hotword's interface (none of its code): text unchanged.
    pkg = tmp_path / "checkout" / "hotword"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(
        "class _R:\n"
        "    def __init__(self, text):\n"
        "        self.text = text\n"
        "class PhonemeCorrector:\n"
        "    def __init__(self, threshold):\n"
        "        self.words = []\n"
        "    def update_hotwords(self, text):\n"
        "        self.words = text.split()\n"
        "    def correct(self, text):\n"
        "        return _R(text)\n",
        encoding="utf-8",
    )
    js = tmp_path / "a.json"
    argv = [
        "--quick", "--no-pin", "--sizes", "5", "--lengths", "10", "--repeat", "4",
        "--skip", "accuracy,rss,import,cold,catalogue",
        "--data", str(shared_data / "wenetspeech-biasing"),
        "--asr-hotword", str(tmp_path / "checkout"), "--json", str(js),
    ]  # fmt: skip
    try:
        assert bench.main(argv) == 0
    finally:
        sys.modules.pop("hotword", None)
        sys.path.remove(str((tmp_path / "checkout").resolve()))
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["peers"]["asr_hotword"]["status"] == "ok"
    row = next(r for r in data["against_peers"] if r["what"] == "fuser")
    assert row["asr_hotword_n"] == 4
    assert row["ratio_asr_hotword"] == pytest.approx(
        row["hotfuse_median_ms"] / row["asr_hotword_median_ms"], rel=1e-3
    )


def test_warm_up_runs_every_text_until_the_budget() -> None:
    seen: list[str] = []
    assert bench._warm_up(seen.append, ["a", "b", "c"], 60.0) == 3
    assert seen == ["a", "b", "c"]
    seen.clear()
    # a spent budget still runs one text, then stops
    assert bench._warm_up(seen.append, ["a", "b", "c"], -1.0) == 1
    assert seen == ["a"]
