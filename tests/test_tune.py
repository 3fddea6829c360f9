"""Tests for hotfuse.tune (refitting the scoring model) and the `tune` / `frontends` CLI."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import pytest

from hotfuse import FuseConfig, Fuser, Transcript, load_config
from hotfuse.cli import main
from hotfuse.config import DEFAULT_MODEL, FEATURES
from hotfuse.errors import InputError
from hotfuse.formats.config import write_config
from hotfuse.tune import fit, fit_logistic, label_candidates, threshold_table

NAMES = ["伊丽莎白", "达西", "宾利", "简奥斯汀", "柯林斯", "汪芳", "程晶", "黎明"]
# first-pass forms a recognizer decoded without hotwords might write
MISHEARD = {
    "伊丽莎白": "伊丽沙白",
    "达西": "达稀",
    "宾利": "宾力",
    "简奥斯汀": "简奥斯丁",
    "柯林斯": "科林斯",
    "汪芳": "王芳",
    "程晶": "陈静",
    "黎明": "李明",
}
FRAMES = [
    "昨天{}来我们公司参观了",
    "请把这份报告转交给{}",
    "我和{}一起讨论了这个方案",
    "{}说下周再来开会",
    "大家都很喜欢{}的新书",
]
PLAIN = [
    "今天天气很好我们去公园散步",
    "这个问题我们明天再讨论",
    "大西洋的风浪很大",
    "请大家安静一下",
]


def _dataset(n: int = 160, seed: int = 7) -> tuple[list[str], list[Transcript], list[list[str]]]:
    """References, first passes with confidences, and 3-word hotword lists (seeded)."""
    rng = random.Random(seed)
    refs: list[str] = []
    hyps: list[Transcript] = []
    lists: list[list[str]] = []
    for k in range(n):
        if k % 4 == 3:  # a quarter of the cases hold no hotword
            ref = rng.choice(PLAIN)
            hyp = ref
            words = rng.sample(NAMES, 3)
            wrong: set[int] = set()
        else:
            name = rng.choice(NAMES)
            frame = rng.choice(FRAMES)
            ref = frame.format(name)
            wrong_form = MISHEARD[name] if rng.random() < 0.7 else name
            hyp = frame.format(wrong_form)
            at = frame.index("{}")
            wrong = {
                at + i for i, (a, b) in enumerate(zip(name, wrong_form, strict=True)) if a != b
            }
            words = [name, *rng.sample([w for w in NAMES if w != name], 2)]
        confs = [
            round(rng.uniform(0.2, 0.7) if i in wrong else rng.uniform(0.8, 0.99), 3)
            for i in range(len(hyp))
        ]
        refs.append(ref)
        hyps.append(Transcript.from_text(hyp, confidences=confs))
        lists.append(words)
    return refs, hyps, lists


def test_fit_logistic_recovers_the_direction_and_the_bias() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 2))
    logits = 0.5 + 2.0 * x[:, 0] - 1.0 * x[:, 1]
    y = (rng.random(4000) < 1 / (1 + np.exp(-logits))).astype(float)
    w = fit_logistic(x, y, l2=0.01)
    assert w[0] == pytest.approx(0.5, abs=0.2)
    assert w[1] == pytest.approx(2.0, abs=0.3)
    assert w[2] == pytest.approx(-1.0, abs=0.2)


def test_labels_say_whether_one_replacement_helps() -> None:
    items = label_candidates(
        ["伊丽莎白来了", "伊丽莎白来了"],
        [Transcript.from_text("伊丽沙白来了"), Transcript.from_text("伊丽沙白来了")],
        [["伊丽莎白"], ["伊丽莎白"]],
    )
    assert any(it.good for it in items)
    assert any(not it.good for it in items)  # e.g. the span that swallows 来
    assert all(set(it.x) <= set(FEATURES) for it in items)


def test_fit_refits_both_models_and_picks_a_threshold() -> None:
    refs, hyps, lists = _dataset()
    result = fit(refs, hyps, lists, force=True)  # mechanics, not the amount of data
    cfg = result.config
    assert result.n_candidates > result.n_good > 0
    assert set(cfg.model.with_conf) == {*FEATURES, "bias"}
    assert "conf" not in cfg.model.no_conf or cfg.model.no_conf["conf"] == 0.0
    # low confidence on the changed characters is evidence for the replacement
    assert cfg.model.with_conf["conf"] < 0
    # the chosen threshold is the best under good - 3 * bad, with confidences and without
    # them summed (one threshold serves both models)
    plain = {t: g - 3 * b for t, g, b in result.no_conf_table}
    assert set(plain) == {t for t, _, _ in result.threshold_table}
    best = max(result.threshold_table, key=lambda r: (r[1] - 3 * r[2] + plain[r[0]], r[0]))
    assert cfg.threshold == best[0]
    # features that never vary in this data keep the shipped priors
    assert cfg.model.with_conf["alias"] == DEFAULT_MODEL.with_conf["alias"]
    assert cfg.model.with_conf["latin"] == DEFAULT_MODEL.with_conf["latin"]


def test_threshold_table_counts_what_fuse_does() -> None:
    refs, hyps, lists = _dataset(40)
    cfg = FuseConfig()
    table = threshold_table(refs, hyps, lists, cfg, grid=[0.0, 2.0, 50.0])
    for t, good, bad in table:
        expect_good = expect_bad = 0
        for ref, tr, words in zip(refs, hyps, lists, strict=True):
            for r in Fuser(words, cfg, threshold=t).fuse(tr).replacements:
                fixed = tr.text[: r.start] + r.hotword + tr.text[r.end :]
                from rapidfuzz.distance import Levenshtein

                if Levenshtein.distance(fixed, ref) < Levenshtein.distance(tr.text, ref):
                    expect_good += 1
                else:
                    expect_bad += 1
        assert (good, bad) == (expect_good, expect_bad)
    assert table[-1][1:] == (0, 0)


def test_fit_needs_both_kinds_of_candidates() -> None:
    with pytest.raises(InputError, match="tuning needs"):
        fit(["今天天气很好"], [Transcript.from_text("今天天气很好")], [["伊丽莎白"]], force=True)


def test_written_config_loads_back_equal(tmp_path: Path) -> None:
    refs, hyps, lists = _dataset(80)
    cfg = fit(refs, hyps, lists, force=True).config
    path = tmp_path / "tuned.toml"
    write_config(path, cfg, {"utterances": 80})
    back = load_config(path)
    assert back == cfg
    assert math.isfinite(back.threshold)


def _write_files(tmp_path: Path, n: int = 320) -> tuple[Path, Path, Path]:
    refs, hyps, lists = _dataset(n)  # 320: enough labelled candidates for tune to fit
    ref = tmp_path / "ref.txt"
    hyp = tmp_path / "hyp.jsonl"
    words = tmp_path / "words.jsonl"
    ref.write_text("".join(f"u{k:03d}\t{r}\n" for k, r in enumerate(refs)), encoding="utf-8")
    hyp.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"u{k:03d}",
                    "text": h.text,
                    "confidences": [t.confidence for t in h.tokens],
                },
                ensure_ascii=False,
            )
            + "\n"
            for k, h in enumerate(hyps)
        ),
        encoding="utf-8",
    )
    words.write_text(
        "".join(
            json.dumps({"id": f"u{k:03d}", "hotwords": w}, ensure_ascii=False) + "\n"
            for k, w in enumerate(lists)
        ),
        encoding="utf-8",
    )
    return ref, hyp, words


def test_cli_tune_writes_a_config_that_fuse_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref, hyp, words = _write_files(tmp_path)
    out = tmp_path / "tuned.toml"
    code = main(
        ["tune", "--ref", str(ref), "--hyp", str(hyp), "--hotwords", str(words), "-o", str(out)]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "fitted on 320 utterances" in printed and str(out) in printed
    cfg = load_config(out)
    assert cfg.model != DEFAULT_MODEL
    code = main(["fuse", "伊丽沙白来了", "--hotword", "伊丽莎白", "--config", str(out)])
    assert code == 0
    assert capsys.readouterr().out.strip() == "伊丽莎白来了"


def test_cli_tune_reports_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _ref, hyp, words = _write_files(tmp_path)
    code = main(
        ["tune", "--ref", str(tmp_path / "nope.txt"), "--hyp", str(hyp), "--hotwords", str(words),
         "-o", str(tmp_path / "x.toml")]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("hotfuse: error:") and "nope.txt" in err
    assert not (tmp_path / "x.toml").exists()


def test_cli_frontends_lists_the_built_in_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frontends"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    for name in ("funasr", "whisper", "faster_whisper", "sherpa_onnx", "vosk", "wenet", "text"):
        assert name in names


def _write_n(tmp_path: Path, n: int) -> list[str]:
    ref, hyp, words = _write_files(tmp_path, n)
    return ["--ref", str(ref), "--hyp", str(hyp), "--hotwords", str(words)]


def test_cli_tune_refuses_six_utterances_and_the_readme_example_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tuned.toml"
    assert main(["tune", *_write_n(tmp_path, 6), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hotfuse: error: too little data to tune: 6 utterances")
    assert "--force" in err and err.count("\n") == 1
    assert not out.exists()
    # nothing written, so the README's first example still fuses with the defaults
    readme = ["fuse", "伊丽沙白这会儿真太高兴了", "--hotword", "伊丽莎白", "--hotword", "达西"]
    assert main(readme) == 0
    assert capsys.readouterr().out.strip() == "伊丽莎白这会儿真太高兴了"


def test_fit_refuses_too_few_candidates_unless_forced(caplog: pytest.LogCaptureFixture) -> None:
    from hotfuse.errors import TooLittleDataError
    from hotfuse.tune import MIN_BAD, MIN_GOOD

    refs, hyps, lists = _dataset(20)
    with pytest.raises(TooLittleDataError) as info:
        fit(refs, hyps, lists)
    err = info.value
    assert err.utterances == 20
    assert err.good < MIN_GOOD or err.bad < MIN_BAD
    with caplog.at_level("WARNING", logger="hotfuse"):
        result = fit(refs, hyps, lists, force=True)
    assert "fitting anyway" in caplog.text
    assert result.n_candidates == err.good + err.bad


def test_cli_tune_force_fits_small_data_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tuned.toml"
    assert main(["tune", *_write_n(tmp_path, 20), "-o", str(out), "--force"]) == 0
    assert "fitting anyway (--force)" in capsys.readouterr().err
    assert math.isfinite(load_config(out).threshold)


def test_tune_writes_the_calibration_and_fuse_uses_it(tmp_path: Path) -> None:
    refs, hyps, lists = _dataset()
    cfg = fit(refs, hyps, lists, force=True).config
    assert cfg.calibration is not None
    # the synthetic first passes give wrong characters 0.2-0.7 and right ones 0.8-0.99
    assert cfg.calibration(0.5) < 0.5 < cfg.calibration(0.95)
    path = tmp_path / "tuned.toml"
    write_config(path, cfg)
    assert "[calibration]" in path.read_text(encoding="utf-8")
    assert load_config(path) == cfg
    plain = fit(refs, hyps, lists, calibrate=False, force=True).config
    assert plain.calibration is None
