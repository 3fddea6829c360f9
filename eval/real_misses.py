"""Why hotfuse missed what it missed: a breakdown of unfixed hotword occurrences.

For every occurrence of an active hotword in a reference that the first pass got wrong
and the fused output still lacks, the reference span is aligned to the hypothesis
(Levenshtein opcodes) and the miss is put in the first class that fits:

* ``dropped``: the aligned hypothesis span is empty or under half the hotword's length
  (syllables merged or lost: nothing to match);
* ``wrong length``: the span's length differs from the hotword's by more than one
  character (beyond the matcher's one-syllable slack);
* ``beyond reach``: the span's pinyin distance per syllable exceeds ``max_distance``;
* ``not proposed``: within reach, but the index proposed no candidate for it;
* ``below threshold``: a candidate was scored and fell under the threshold;
* ``lost overlap``: a candidate was accepted but another replacement took the span;
* ``other``: the hotword is in the output elsewhere, or the alignment is ambiguous.

The recoverable ceiling counts occurrences the first pass already got right plus those
whose miss is ``not proposed``, ``below threshold`` or ``lost overlap`` (within the
matcher's reach): recall above it needs a matcher that reaches further.

Examples:
    python eval/real_misses.py --bench out/real --split dev --hyp whisper
    python eval/real_misses.py --bench out/real --split dev --regime category --examples 20
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from hotfuse import FuseConfig, Fuser  # noqa: E402
from hotfuse.match import char_info, syllable_distance  # noqa: E402
from hotfuse.metrics import normalize_text  # noqa: E402
from hotfuse.phonetics import hotword_pinyin, syllable  # noqa: E402

CLASSES = (
    "dropped",
    "wrong length",
    "beyond reach",
    "not proposed",
    "below threshold",
    "lost overlap",
    "other",
)
RECOVERABLE = ("not proposed", "below threshold", "lost overlap")


def aligned_span(ref: str, hyp: str, start: int, end: int) -> tuple[int, int]:
    """The hypothesis span that the alignment maps reference ``[start, end)`` onto."""
    lo: int | None = None
    hi: int | None = None
    for tag, s1, e1, s2, e2 in Levenshtein.opcodes(ref, hyp):
        if e1 <= start and tag != "insert":
            continue
        if s1 >= end and not (tag == "insert" and s1 == end and lo is None):
            break
        if tag in ("equal", "replace") and e1 > s1:
            a = s2 + max(0, start - s1) if tag == "equal" else s2
            b = e2 - max(0, e1 - end) if tag == "equal" else e2
        else:
            a, b = s2, e2
        lo = a if lo is None else min(lo, a)
        hi = b if hi is None else max(hi, b)
    if lo is None or hi is None:
        return (0, 0)
    return (lo, max(lo, hi))


def classify(fuser: Fuser, ref: str, hyp: Any, out: str, word: str, start: int, end: int) -> str:
    text = hyp.text
    a, b = aligned_span(ref, text, start, end)
    span = text[a:b]
    if word in out:
        return "other"
    if len(span) < max(1, len(word) / 2):
        return "dropped"
    if abs(len(span) - len(word)) > 1:
        return "wrong length"
    target = [syllable(p) for p in hotword_pinyin(word) if p]
    readings = [char_info(ch)[0] for ch in span]
    if not target or not all(readings):
        return "other"
    dist = syllable_distance(readings, target, fuser.config.costs) / len(target)
    if dist > fuser.config.max_distance:
        return "beyond reach"
    cands = [c for c in fuser.candidates(hyp) if c.hotword == word and c.start < b and c.end > a]
    if not cands:
        return "not proposed"
    if any(c.accepted for c in cands):
        return "other"
    best = max(cands, key=lambda c: c.score)
    if "overlaps" in best.reason:
        return "lost overlap"
    return "below threshold"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    ap.add_argument("--bench", type=Path, default=ROOT / "out" / "real")
    ap.add_argument("--split", default="dev")
    ap.add_argument("--hyp", default="whisper", help="hypothesis set (hyp.<NAME>.jsonl)")
    ap.add_argument("--regime", default="small", choices=("small", "category"))
    ap.add_argument("--config", help="a fusion config (hotfuse tune output)")
    ap.add_argument("--examples", type=int, default=0, help="print N examples per class")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from hotfuse.formats.config import load_config
    from hotfuse.formats.corpus import read_hotwords, read_hypotheses, read_texts

    d = args.bench / args.split
    refs = read_texts(d / "ref.txt")
    hyps = read_hypotheses(d / f"hyp.{args.hyp}.jsonl")
    lists = read_hotwords(d / f"hotwords.{args.regime}.jsonl")
    config = load_config(args.config) if args.config else FuseConfig()
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {c: [] for c in CLASSES}
    total = first_pass_right = fixed = 0
    ids = list(refs.as_dict())
    fusers: dict[tuple[str, ...], Fuser] = {}
    for uid, hws in zip(ids, lists.for_ids(ids), strict=True):
        words = [h.text for h in hws]
        key = tuple(words)
        fuser = fusers.get(key) or fusers.setdefault(key, Fuser(words, config))
        ref = normalize_text(refs[uid])
        hyp = hyps[uid]
        out = fuser.fuse(hyp).text
        for w in words:
            pos = ref.find(w)
            while pos >= 0:
                total += 1
                if w in hyp.text:
                    first_pass_right += 1
                elif w in out:
                    fixed += 1
                else:
                    cls = classify(fuser, ref, hyp, out, w, pos, pos + len(w))
                    counts[cls] += 1
                    if len(examples[cls]) < args.examples:
                        examples[cls].append(f"{w} | ref {ref} | hyp {hyp.text}")
                pos = ref.find(w, pos + len(w))
    misses = sum(counts.values())
    ceiling = (first_pass_right + fixed + sum(counts[c] for c in RECOVERABLE)) / max(1, total)
    summary = {
        "occurrences": total,
        "first_pass_right": first_pass_right,
        "fixed": fixed,
        "missed": misses,
        "classes": {c: counts[c] for c in CLASSES},
        "recall": (first_pass_right + fixed) / max(1, total),
        "recoverable_ceiling": ceiling,
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
        return 0
    print(
        f"{args.split}/{args.hyp}/{args.regime}: {total} occurrences, {first_pass_right} right "
        f"in the first pass, {fixed} fixed, {misses} missed; recall {summary['recall']:.3f}, "
        f"recoverable ceiling {ceiling:.3f}"
    )
    for c in CLASSES:
        share = counts[c] / max(1, misses)
        print(f"  {c:16s} {counts[c]:5d}  ({share:.0%} of misses)")
        for ex in examples[c]:
            print(f"      {ex}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
