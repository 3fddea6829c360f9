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
SHARED = ROOT.parent / "shared" / "data" / "wenetspeech-biasing" / "all_biased" / "dev" / "text"
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


def _norm(s: str) -> str:
    return "".join(s.split())


def make_fuser(terms: list[str], engine: str, model: ScoringModel | None = None) -> Fuser:
    auto = engine == "hotfuse"
    hws = [Hotword(t, auto_spoken=auto) for t in dict.fromkeys(terms)]
    cfg = FuseConfig() if model is None else FuseConfig(model=model)
    return Fuser(hws, config=cfg)


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


def table(results: dict[str, dict[int, list[tuple[bool, bool]]]]) -> str:
    engines = list(results)
    head = "| shape | rows | " + " | ".join(f"{e} recall % / wrong %" for e in engines) + " |"
    lines = [head, "|---|---|" + "---|" * len(engines)]
    for shape in sorted(SHAPES):
        n = len(next(iter(results.values())).get(shape, []))
        if not n:
            continue
        cells = []
        for e in engines:
            rs = results[e].get(shape, [])
            hit = 100 * sum(h for h, _ in rs) / n
            wrong = 100 * sum(w for _, w in rs) / n
            cells.append(f"{hit:.0f} / {wrong:.0f}")
        lines.append(f"| {shape} {SHAPES[shape]} | {n} | " + " | ".join(cells) + " |")
    total = sum(len(v) for v in next(iter(results.values())).values())
    cells = []
    for e in engines:
        rs = [x for v in results[e].values() for x in v]
        cells.append(
            f"{100 * sum(h for h, _ in rs) / total:.0f} / {100 * sum(w for _, w in rs) / total:.0f}"
        )
    lines.append(f"| all | {total} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _precompute(fuser: Fuser, texts: list[str]) -> list[tuple[str, list[Any]]]:
    """Per text: every candidate with its feature vector and whether a rule blocks it
    (none of these depend on the scoring coefficients)."""
    from hotfuse.fuser import _blocked, features
    from hotfuse.transcript import Transcript

    out = []
    for text in texts:
        tr = Transcript.from_text(text)
        cands = fuser._index.candidates(tr)
        protected = fuser._index.exact_occurrences(text)
        items = []
        for c in cands:
            hw = fuser._by_text[c.hotword]
            x = features(c, tr, hw, fuser._n_active)
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
    from hotfuse.fuser import _select

    texts = []
    for text, items in pre:
        accepted = []
        for c, x, log_w, blocked in items:
            z = model.score(x, has_conf=False) + log_w
            if z >= threshold and not blocked:
                accepted.append(replace(c, score=z))
        out = text
        for c in sorted(_select(accepted, threshold), key=lambda c: -c.start):
            out = out[: c.start] + c.hotword + out[c.end :]
        texts.append(out)
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


def false_alarm_table(catalogue: list[str], fa: dict[str, list[str]]) -> dict[str, Any]:
    report: dict[str, Any] = {}
    fuser = make_fuser(catalogue, "hotfuse")
    print("\n### false alarms, 500-term catalogue active\n")
    print("| set | sentences | changed % |\n|---|---|---|")
    for name, sents in fa.items():
        share, changed = false_alarm_share(fuser, sents)
        print(f"| {name} | {len(sents)} | {100 * share:.1f} |")
        report[f"false_alarm/{name}"] = {"n": len(sents), "share": share, "changed": changed}
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
    report.update(false_alarm_table(catalogue, fa))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
