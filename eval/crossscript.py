"""Cross-script evaluation: Latin hotwords found from how they are said (issue 14).

Reads ``eval/data/crossscript/dev.jsonl`` (real misrecognitions of English terms collected
from public correction tables and issues, each with its source and shape 1-5, split into
``tune`` and ``test`` by a hash of the row's source, fixed before any tuning) and reports,
per shape, the share of rows whose fused text equals the expected text, and the share
changed wrongly; for two hotword regimes (the dev set's own terms, and the 500-term tech
catalogue ``catalogue.txt``) and two engines (``hotfuse``: spoken forms generated;
``letters``: Latin hotwords matched by letters only, the engine before this issue).

The false-alarm set is ordinary English (licence texts, ``false_alarm_en.tsv``) and mixed
Chinese-English sentences made from the WenetSpeech references in ``../shared/data`` with
one common English word inserted (seeded), fused with the catalogue active: the share of
sentences changed.

With ``--mixed`` it scores the real-speech mixed set instead: ``eval/data/mixed/
segments.<split>.jsonl`` (Chinese TTS + espeak-ng English, decoded by Whisper-base, read
through hotfuse's faster-whisper frontend and converted to Simplified as
``eval/build_real.py`` does, confidences kept), with the set's own terms and with the
catalogue active, cross-script matching on (``hotfuse``) and off (``letters``): recall,
precision and the share of sentences given a hotword their reference does not hold; then
the catalogue false-alarm table.

Examples:
    python eval/crossscript.py                       # the held-out (test) tables
    python eval/crossscript.py --split tune          # the part the priors were tuned on
    python eval/crossscript.py --tune                # grid-search the spoken/phones priors
    python eval/crossscript.py --show                # every test row with its output
    python eval/crossscript.py --mixed               # real speech, dev part (held out)
    python eval/crossscript.py --mixed --mixed-split train
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotfuse.config import DEFAULT_MODEL, FuseConfig, ScoringModel  # noqa: E402
from hotfuse.fuser import Fuser  # noqa: E402
from hotfuse.lexicon import Hotword  # noqa: E402

DATA = ROOT / "eval" / "data" / "crossscript"
MIXED = ROOT / "eval" / "data" / "mixed"
BIASING = ROOT.parent / "shared" / "data" / "wenetspeech-biasing" / "all_biased"
SHARED = BIASING / "dev" / "text"
SHAPES = {
    1: "transliterated into Han characters",
    2: "other English words or pieces",
    3: "acronyms and letters",
    4: "digits, versions, punctuation",
    5: "mixed terms",
}
# everyday English words that Chinese speakers mix into Chinese sentences
CODE_SWITCH = [
    "OK",
    "check",
    "case",
    "meeting",
    "email",
    "update",
    "deadline",
    "share",
    "online",
    "team",
    "project",
    "plan",
    "boss",
    "happy",
    "sorry",
    "cool",
    "nice",
    "style",
    "party",
    "shopping",
    "copy",
    "office",
    "level",
    "point",
    "idea",
    "fashion",
    "high",
    "push",
    "review",
    "feedback",
    "schedule",
    "report",
    "budget",
    "call",
    "sale",
    "brand",
    "design",
    "model",
    "data",
    "video",
    "photo",
]


def load_dev(path: Path = DATA / "dev.jsonl") -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in path.read_text("utf-8").splitlines() if ln.strip()]


def load_catalogue(path: Path = DATA / "catalogue.txt") -> list[str]:
    return [ln.strip() for ln in path.read_text("utf-8").splitlines() if ln.strip()]


def false_alarm_sentences(n_mixed: int = 300, seed: int = 14) -> dict[str, list[str]]:
    lines = (DATA / "false_alarm_en.tsv").read_text("utf-8").splitlines()
    english = [ln.split("\t", 1)[1] for ln in lines if ln and not ln.startswith("#")]
    mixed: list[str] = []
    if SHARED.exists():
        refs = [ln.split("\t", 1)[1] for ln in SHARED.read_text("utf-8").splitlines() if "\t" in ln]
        rng = random.Random(seed)
        for text in rng.sample(refs, min(n_mixed, len(refs))):
            i = rng.randrange(1, max(2, len(text)))
            mixed.append(f"{text[:i]} {rng.choice(CODE_SWITCH)} {text[i:]}")
    return {"english": english, "mixed": mixed}


def chinese_lexicon() -> list[str]:
    """The 298 WenetSpeech entity names (people, places, organisations), or []."""
    path = BIASING / "biased_words.txt"
    if not path.exists():
        return []
    return [ln.strip() for ln in path.read_text("utf-8").splitlines() if ln.strip()]


def reverse_rows(split: str, n: int = 200, seed: int = 14) -> list[dict[str, Any]]:
    """SIMULATED: Chinese entity names a bilingual recognizer wrote in Latin letters.

    WenetSpeech references (``train`` for tuning, ``dev`` for the report) holding one of
    the 298 entity names, the name rewritten as its toneless pinyin, spelled one of three
    ways (``bei jing``, ``Bei Jing``, ``Beijing``), with or without spaces around it
    (seeded); the expected text is the reference. No real recognizer output of this kind
    is at hand, so this measures the matcher, not a recognizer's habits.
    """
    from hotfuse.phonetics import hotword_pinyin

    words = sorted(chinese_lexicon(), key=len, reverse=True)
    path = BIASING / ("train" if split == "tune" else "dev") / "text"
    if not words or not path.exists():
        return []
    refs = [ln.split("\t", 1)[1] for ln in path.read_text("utf-8").splitlines() if "\t" in ln]
    rng = random.Random(f"{seed}/{split}")
    out: list[dict[str, Any]] = []
    for ref in rng.sample(refs, len(refs)):
        word = next((w for w in words if w in ref), None)
        if word is None or len(word) < 2:
            continue
        sylls = [r.rstrip("12345") for r in hotword_pinyin(word) if r]
        if len(sylls) != len(word):
            continue
        style = rng.randrange(3)
        latin = (
            " ".join(sylls)
            if style == 0
            else " ".join(x.capitalize() for x in sylls)
            if style == 1
            else "".join(sylls).capitalize()
        )
        pad = " " if rng.random() < 0.5 else ""
        i = ref.index(word)
        heard = (ref[:i].rstrip() + pad + latin + pad + ref[i + len(word) :].lstrip()).strip()
        out.append({"heard": heard, "expected": ref, "term": word})
        if len(out) >= n:
            break
    return out


def score_reverse(fuser: Fuser, rows: list[dict[str, Any]]) -> tuple[float, float, list[str]]:
    """Share of rows fused to the reference, share changed otherwise, examples of misses."""
    hit = wrong = 0
    misses = []
    for r in rows:
        text = fuser.fuse(r["heard"]).text
        if _norm(text) == _norm(r["expected"]):
            hit += 1
        else:
            wrong += text != r["heard"]
            misses.append(f"{r['heard']}  ->  {text}")
    return hit / len(rows), wrong / len(rows), misses


def _norm(s: str) -> str:
    return "".join(s.split())


def make_fuser(terms: list[str], engine: str, model: ScoringModel | None = None) -> Fuser:
    """``hotfuse``: cross-script matching on; ``letters``: off (no spoken forms, no
    readings of Latin words: Latin hotwords by their letters, the engine before issue 14)."""
    auto = engine == "hotfuse"
    hws = [Hotword(t, auto_spoken=auto) for t in dict.fromkeys(terms)]
    cfg = FuseConfig() if model is None else FuseConfig(model=model)
    fuser = Fuser(hws, config=cfg)
    if not auto:
        fuser._index._reading_ok = False
    return fuser


def score_rows(fuser: Fuser, rows: list[dict[str, Any]]) -> dict[int, list[tuple[bool, bool]]]:
    """shape -> [(hit, wrong change)] per row."""
    out: dict[int, list[tuple[bool, bool]]] = defaultdict(list)
    for r in rows:
        text = fuser.fuse(r["heard"]).text
        hit = _norm(text) == _norm(r["expected"])
        out[r["shape"]].append((hit, text != r["heard"] and not hit))
    return out


def false_alarm_share(fuser: Fuser, sentences: list[str]) -> tuple[float, list[str]]:
    changed = []
    for s in sentences:
        t = fuser.fuse(s).text
        if t != s:
            changed.append(f"{s}  ->  {t}")
    return (len(changed) / len(sentences) if sentences else 0.0), changed


def with_priors(spoken: float, phones: float, en_freq: float) -> ScoringModel:
    new = {"spoken": spoken, "phones": phones, "en_freq": en_freq}
    return ScoringModel(
        with_conf={**DEFAULT_MODEL.with_conf, **new}, no_conf={**DEFAULT_MODEL.no_conf, **new}
    )


def _cell(rs: list[tuple[bool, bool]]) -> str:
    """recall % / wrong % / precision % (of the rows changed, the share changed right)."""
    n = len(rs)
    hit, wrong = sum(h for h, _ in rs), sum(w for _, w in rs)
    prec = f"{100 * hit / (hit + wrong):.0f}" if hit + wrong else "-"
    return f"{100 * hit / n:.0f} / {100 * wrong / n:.0f} / {prec}"


def table(results: dict[str, dict[int, list[tuple[bool, bool]]]]) -> str:
    engines = list(results)
    head = "| shape | rows | " + " | ".join(f"{e}: recall / wrong / precision %" for e in engines)
    lines = [head + " |", "|---|---|" + "---|" * len(engines)]
    for shape in sorted(SHAPES):
        n = len(next(iter(results.values())).get(shape, []))
        if not n:
            continue
        cells = [_cell(results[e].get(shape, [])) for e in engines]
        lines.append(f"| {shape} {SHAPES[shape]} | {n} | " + " | ".join(cells) + " |")
    total = sum(len(v) for v in next(iter(results.values())).values())
    cells = [_cell([x for v in results[e].values() for x in v]) for e in engines]
    lines.append(f"| all | {total} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _precompute(fuser: Fuser, texts: list[Any]) -> list[tuple[str, list[Any]]]:
    """Per text (a string, or a Transcript whose confidences are kept): every candidate
    with its feature vector and whether a rule blocks it (none of these depend on the
    scoring coefficients)."""
    from hotfuse.fuser import _blocked, _Protected, features
    from hotfuse.transcript import Transcript

    out = []
    for item in texts:
        tr = item if isinstance(item, Transcript) else Transcript.from_text(item)
        text = tr.text
        scored = fuser.config.scoring_view(tr)
        cands = fuser._index.candidates(tr)
        protected = _Protected(fuser._index.exact_occurrences(text))
        items = []
        for c in cands:
            hw = fuser._by_text[c.hotword]
            x = features(c, scored, hw, fuser._n_active)
            if not (fuser.config.use_confidence and tr.has_confidences):
                x.pop("conf", None)
            items.append(
                (c, x, math.log(hw.weight), bool(_blocked(text, c, hw, protected, fuser.hotwords)))
            )
        out.append((text, items))
    return out


def _apply_model(
    pre: list[tuple[str, list[Any]]], model: ScoringModel, threshold: float
) -> list[str]:
    """One selection pass per text under ``model`` (the fuser iterates to a fixed point;
    one pass is close enough to rank coefficient settings)."""

    return [t for t, _hws in _apply_model_words(pre, model, threshold)]


def _apply_model_words(
    pre: list[tuple[str, list[Any]]], model: ScoringModel, threshold: float
) -> list[tuple[str, list[str]]]:
    """:func:`_apply_model`, with the hotwords each text was given."""
    from hotfuse.fuser import _select

    texts = []
    for text, items in pre:
        accepted = []
        for c, x, log_w, blocked in items:
            z = model.score(x, has_conf="conf" in x) + log_w
            if z >= threshold and not blocked:
                accepted.append(replace(c, score=z))
        out = text
        chosen = sorted(_select(accepted, threshold), key=lambda c: -c.start)
        for c in chosen:
            out = out[: c.start] + c.hotword + out[c.end :]
        texts.append((out, [c.hotword for c in chosen]))
    return texts


def tune(rows: list[dict[str, Any]], catalogue: list[str], fa: dict[str, list[str]]) -> None:
    """Grid search of the spoken, phones and en_freq coefficients on the tune split with
    the catalogue active: maximise recall - wrong / 2 - 10 x false-alarm share (half of the
    false-alarm sentences; the other half is only reported)."""
    tune_rows = [r for r in rows if r["split"] == "tune"]
    fa_tune = fa["english"][::2] + fa["mixed"][::2]
    fuser = make_fuser(catalogue, "hotfuse")
    threshold = fuser.config.threshold
    pre_rows = _precompute(fuser, [r["heard"] for r in tune_rows])
    pre_fa = _precompute(fuser, fa_tune)
    best: tuple[float, ...] | None = None
    for spoken in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0):
        for phones in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0):
            for en_freq in (0.0, -0.25, -0.5, -0.75, -1.0):
                model = with_priors(spoken, phones, en_freq)
                outs = _apply_model(pre_rows, model, threshold)
                hits = [
                    _norm(o) == _norm(r["expected"]) for o, r in zip(outs, tune_rows, strict=True)
                ]
                wrong = [
                    o != r["heard"] and not h for o, r, h in zip(outs, tune_rows, hits, strict=True)
                ]
                fa_outs = _apply_model(pre_fa, model, threshold)
                fa_share = sum(o != t for o, t in zip(fa_outs, fa_tune, strict=True)) / len(fa_tune)
                recall, wrong_share = sum(hits) / len(hits), sum(wrong) / len(wrong)
                objective = recall - 0.5 * wrong_share - 10 * fa_share
                if best is None or objective > best[0] + 1e-9:
                    best = (objective, spoken, phones, en_freq, recall, wrong_share, fa_share)
                    print(
                        f"spoken {spoken:+.2f} phones {phones:+.2f} en_freq {en_freq:+.2f}: "
                        f"recall {recall:.3f} wrong {wrong_share:.3f} FA {fa_share:.4f}"
                        f" -> {objective:.3f}",
                        flush=True,
                    )
    assert best is not None
    print(
        f"best: spoken {best[1]} phones {best[2]} en_freq {best[3]} (tune recall "
        f"{best[4]:.3f}, wrong {best[5]:.3f}, FA {best[6]:.4f})"
    )


def with_reading(reading: float, base: ScoringModel = DEFAULT_MODEL) -> ScoringModel:
    return ScoringModel(
        with_conf={**base.with_conf, "reading": reading},
        no_conf={**base.no_conf, "reading": reading},
    )


def tune_reading(
    rows: list[dict[str, Any]], catalogue: list[str], fa: dict[str, list[str]]
) -> None:
    """Grid search of the ``reading`` prior (Latin words read as syllables) on tuning data
    only: the dev set's tune rows (catalogue active), the simulated pinyin-spelled
    Chinese names of the WenetSpeech train references (298 names active) and the mixed
    real-speech train split (its terms active, with confidences); false alarms on half of
    the English and mixed sentences with the catalogue and with the 298 names active.
    Objective: mean over the three sets of (recall - wrong) - 10 x false-alarm share (a wrong
    change costs what a fix gains); the smallest prior within 0.01 of the best is chosen
    (the conservative end of a flat optimum)."""
    from hotfuse.metrics import normalize_text

    zh = chinese_lexicon()
    tune_rows = [r for r in rows if r["split"] == "tune"]
    rev = reverse_rows("tune")
    mixed = load_mixed("train")
    mixed_terms = sorted({t for r in mixed for t in r["terms"]})
    fa_half = fa["english"][::2] + fa["mixed"][::2]
    f_cat, f_zh, f_mix = (make_fuser(x, "hotfuse") for x in (catalogue, zh, mixed_terms))
    threshold = f_cat.config.threshold
    pre = {
        "dev": _precompute(f_cat, [r["heard"] for r in tune_rows]),
        "reverse": _precompute(f_zh, [r["heard"] for r in rev]),
        "mixed": _precompute(f_mix, [r["hyp"] for r in mixed]),
        "fa_cat": _precompute(f_cat, fa_half),
        "fa_zh": _precompute(f_zh, fa_half),
    }
    results: list[tuple[float, float]] = []
    for reading in (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0):
        model = with_reading(reading)
        parts = []
        for name, want in (("dev", tune_rows), ("reverse", rev)):
            outs = _apply_model(pre[name], model, threshold)
            hit = [_norm(o) == _norm(r["expected"]) for o, r in zip(outs, want, strict=True)]
            bad = [o != r["heard"] and not h for o, r, h in zip(outs, want, hit, strict=True)]
            parts.append((sum(hit) / len(hit), sum(bad) / len(bad)))
        got = _apply_model_words(pre["mixed"], model, threshold)
        hit = [
            any(normalize_text(t) in normalize_text(o) for t in r["terms"])
            and not any(normalize_text(t) in normalize_text(r["hyp"].text) for t in r["terms"])
            for (o, _w), r in zip(got, mixed, strict=True)
        ]
        bad = [bool(set(w) - set(r["terms"])) for (_o, w), r in zip(got, mixed, strict=True)]
        parts.append((sum(hit) / len(hit), sum(bad) / len(bad)))
        fa_n = sum(
            o != t
            for name in ("fa_cat", "fa_zh")
            for o, t in zip(_apply_model(pre[name], model, threshold), fa_half, strict=True)
        )
        fa_share = fa_n / (2 * len(fa_half))
        objective = sum(r - w for r, w in parts) / len(parts) - 10 * fa_share
        cells = "  ".join(
            f"{n} {r:.3f}/{w:.3f}"
            for n, (r, w) in zip(("dev", "reverse", "mixed"), parts, strict=True)
        )
        print(f"reading {reading:+.2f}: {cells}  FA {fa_share:.4f} -> {objective:.4f}", flush=True)
        results.append((objective, reading))
    top = max(o for o, _r in results)
    chosen = min(r for o, r in results if o >= top - 0.01)
    print(f"best objective {top:.4f}; chosen (the smallest prior within 0.01 of it): {chosen}")


def load_mixed(split: str) -> list[dict[str, Any]]:
    """The mixed real-speech rows of one split: ``ref``, ``terms`` and the hypothesis
    Transcript (``hyp``) as the benchmark builder makes it."""
    sys.path.insert(0, str(ROOT / "eval"))
    from build_real import hypotheses

    out = []
    path = MIXED / f"segments.{split}.jsonl"
    for ln in path.read_text("utf-8").splitlines():
        if ln.strip():
            rec = json.loads(ln)
            out.append({"id": rec["id"], "ref": rec["ref"], "terms": rec["terms"],
                        "hyp": hypotheses(rec)["whisper"]})  # fmt: skip
    return out


def score_mixed(fuser: Fuser, rows: list[dict[str, Any]], terms: list[str]) -> dict[str, Any]:
    """Recall of the set's terms (hotfuse.metrics: case and spacing ignored; occurrences of
    other catalogue terms are not counted, a short one such as ``Go`` would be found inside
    any word), the precision of the replacements made (the hotword is the sentence's term)
    and the share of sentences given a replacement by a hotword their reference lacks."""
    from hotfuse.metrics import evaluate

    outs, made, right, wrong, changed = [], 0, 0, 0, []
    for r in rows:
        res = fuser.fuse(r["hyp"])
        outs.append(res.text)
        got = [x.hotword for x in res.replacements]
        made += len(got)
        right += sum(h in r["terms"] for h in got)
        if set(got) - set(r["terms"]):
            wrong += 1
            changed.append(f"{r['hyp'].text}  ->  {res.text}  (ref {r['ref']})")
    rep = evaluate([r["ref"] for r in rows], outs, terms, hypotheses=[r["hyp"].text for r in rows])
    return {
        "recall": rep.recall(),
        "recall_before": rep.before.recall() if rep.before else math.nan,
        "replacements": made,
        "precision": right / made if made else math.nan,
        "wrong_hotword": wrong / len(rows),
        "changed": changed,
        "n": len(rows),
    }


def mixed_report(split: str, catalogue: list[str], show: bool) -> dict[str, Any]:
    rows = load_mixed(split)
    terms = sorted({t for r in rows for t in r["terms"]})
    report: dict[str, Any] = {}
    print(f"\n### mixed real speech ({split}, {len(rows)} sentences, Whisper-base)\n")
    print(
        "| hotwords active | cross-script | recall % (before fusion) | replacements | "
        "precision % | sentences given a wrong hotword % |\n|---|---|---|---|---|---|"
    )
    for regime, active in ((f"{len(terms)} set terms", terms), ("500-term catalogue", catalogue)):
        for engine, label in (("letters", "off"), ("hotfuse", "on")):
            got = score_mixed(make_fuser(active, engine), rows, terms)
            report[f"{regime}/{label}"] = got
            print(f"| {regime} | {label} | {100 * got['recall']:.1f} "
                  f"({100 * got['recall_before']:.1f}) | {got['replacements']} | "
                  f"{100 * got['precision']:.0f} | "
                  f"{100 * got['wrong_hotword']:.1f} |")  # fmt: skip
            if show:
                for c in got["changed"]:
                    print(f"  wrong: {c}")
    return report


def reverse_table(split: str, show: bool) -> dict[str, Any]:
    """Chinese names spelled in pinyin (SIMULATED, :func:`reverse_rows`), 298 names
    active, cross-script off and on."""
    rows = reverse_rows("tune" if split == "tune" else "test")
    if not rows:
        return {}
    zh = chinese_lexicon()
    src = "train" if split == "tune" else "dev"
    print(f"\n### Chinese names spelled in pinyin (simulated from WenetSpeech {src} "
          f"references, {len(rows)} rows, {len(zh)} names active)\n")  # fmt: skip
    print("| cross-script | recall % | wrong % |\n|---|---|---|")
    report: dict[str, Any] = {}
    for engine, label in (("letters", "off"), ("hotfuse", "on")):
        hit, wrong, misses = score_reverse(make_fuser(zh, engine), rows)
        print(f"| {label} | {100 * hit:.1f} | {100 * wrong:.1f} |")
        report[f"reverse/{label}"] = {"recall": hit, "wrong": wrong, "n": len(rows)}
        if show and engine == "hotfuse":
            for m in misses:
                print(f"  miss: {m}")
    return report


def false_alarm_table(catalogue: list[str], fa: dict[str, list[str]]) -> dict[str, Any]:
    """Sentences changed, with the 500-term catalogue active and with the 298 Chinese
    names active, cross-script matching on (and, for the names, off)."""
    report: dict[str, Any] = {}
    print("\n### false alarms: ordinary English and mixed sentences\n")
    print("| set | sentences | hotwords active | cross-script | changed % |\n|---|---|---|---|---|")
    zh = chinese_lexicon()
    regimes = [("500-term catalogue", catalogue, "hotfuse")]
    if zh:
        regimes += [
            (f"{len(zh)} Chinese names", zh, "letters"),
            (f"{len(zh)} Chinese names", zh, "hotfuse"),
        ]
    for regime, words, engine in regimes:
        fuser = make_fuser(words, engine)
        label = "on" if engine == "hotfuse" else "off"
        for name, sents in fa.items():
            share, changed = false_alarm_share(fuser, sents)
            print(f"| {name} | {len(sents)} | {regime} | {label} | {100 * share:.1f} |")
            key = (
                f"false_alarm/{name}"
                if regime.startswith("500")
                else f"false_alarm/{name}/zh/{label}"
            )
            report[key] = {"n": len(sents), "share": share, "changed": changed}
            for c in changed[:10]:
                print(f"  changed: {c}")
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--split", choices=["test", "tune", "all"], default="test")
    p.add_argument("--tune", action="store_true", help="grid-search the spoken/phones priors")
    p.add_argument("--show", action="store_true", help="print every row's output")
    p.add_argument("--json", type=Path, help="write the figures here")
    p.add_argument("--mixed", action="store_true", help="score the mixed real-speech set")
    p.add_argument("--mixed-split", choices=["dev", "train"], default="dev")
    p.add_argument("--tune-reading", action="store_true", help="grid-search the reading prior")
    args = p.parse_args(argv)
    rows = load_dev()
    catalogue = load_catalogue()
    fa = false_alarm_sentences()
    if args.mixed:
        report = mixed_report(args.mixed_split, catalogue, args.show)
        report.update(false_alarm_table(catalogue, fa))
        if args.json:
            args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
        return 0
    if args.tune:
        tune(rows, catalogue, fa)
        return 0
    if args.tune_reading:
        tune_reading(rows, catalogue, fa)
        return 0
    part = [r for r in rows if args.split == "all" or r["split"] == args.split]
    dev_terms = sorted({r["term"] for r in rows})
    report: dict[str, Any] = {"split": args.split, "rows": len(part)}
    for regime, terms in (("dev terms", dev_terms), ("500-term catalogue", catalogue)):
        results = {}
        for engine in ("letters", "hotfuse"):
            t0 = time.perf_counter()
            fuser = make_fuser(terms, engine)
            compile_s = time.perf_counter() - t0
            results[engine] = score_rows(fuser, part)
            report[f"{regime}/{engine}/compile_s"] = round(compile_s, 3)
            if args.show and engine == "hotfuse":
                for r in part:
                    print(f"  [{r['shape']}] {r['heard']!r} -> {fuser.fuse(r['heard']).text!r}"
                          f" (want {r['expected']!r})")  # fmt: skip
        print(f"\n### {args.split} split, {regime} ({len(terms)} hotwords) active\n")
        print(table(results))
        report[regime] = {e: {str(k): v for k, v in res.items()} for e, res in results.items()}
    report.update(reverse_table(args.split, args.show))
    report.update(false_alarm_table(catalogue, fa))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
