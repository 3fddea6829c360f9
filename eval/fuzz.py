"""Run the fuzzing properties of tests/test_fuzz.py for longer, with random seeds.

CI runs them with a fixed budget (``pytest -m fuzz``); this runs rounds of every property
with a fresh random seed each until the time is up, and prints the inputs tried per
property and every failure with its seed (rerun one with ``--seed``)::

    nice python eval/fuzz.py --minutes 20
    python eval/fuzz.py --seed 1234 --rounds 1 --property hostile_text

Exit status 1 when some property failed. Pin each failure as an ``@example`` in
tests/test_fuzz.py once it is fixed.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=15.0, help="time budget (default 15)")
    parser.add_argument("--rounds", type=int, default=0, help="stop after N rounds (0: time)")
    parser.add_argument("--examples", type=int, default=300, help="examples per property/round")
    parser.add_argument("--seed", type=int, default=None, help="seed of the first round")
    parser.add_argument("--property", default="", help="run only properties whose name has this")
    args = parser.parse_args(argv)
    if args.minutes <= 0 or args.examples <= 0 or args.rounds < 0:
        parser.error("--minutes and --examples must be positive, --rounds at least 0")

    sys.path.insert(0, str(ROOT))
    logging.getLogger("hotfuse").setLevel(logging.ERROR)  # generated words warn by design
    from tests import test_fuzz  # the strategies and invariants live with the tests

    props = [name for name in test_fuzz.PROPERTIES if args.property in name]
    if not props:
        parser.error(f"no property name contains {args.property!r}")
    master = random.Random(args.seed)
    deadline = time.monotonic() + 60 * args.minutes
    failures: list[tuple[str, int, str]] = []
    rounds = 0
    start = time.monotonic()
    while time.monotonic() < deadline and (not args.rounds or rounds < args.rounds):
        rounds += 1
        for name in props:
            seed = args.seed if (args.seed is not None and rounds == 1) else master.getrandbits(32)
            try:
                test_fuzz.run_property(name, args.examples, seed)
            except Exception as exc:  # a property failed: report it, keep fuzzing
                lines = traceback.format_exception_only(exc)  # with hypothesis' notes
                last = lines[0].strip().splitlines()[0]
                failures.append((name, seed, last))
                print(f"FAIL {name} seed={seed}:\n{''.join(lines)[:4000]}", flush=True)
            if time.monotonic() >= deadline:
                break
        tried = sum(test_fuzz.TRIED.values())
        print(f"round {rounds}: {tried} inputs tried, {len(failures)} failures, "
              f"{time.monotonic() - start:.0f} s", flush=True)  # fmt: skip
    print("inputs tried per property:")
    for name, n in sorted(test_fuzz.TRIED.items()):
        print(f"  {name:24} {n}")
    print(f"total {sum(test_fuzz.TRIED.values())} inputs in {rounds} rounds, "
          f"{time.monotonic() - start:.0f} s; {len(failures)} failures")  # fmt: skip
    distinct = sorted({(prop, msg) for prop, _seed, msg in failures})
    for prop, msg in distinct:
        seeds = [s for n, s, m in failures if (n, m) == (prop, msg)]
        print(f"  {prop}: {msg[:300]} (seeds {seeds[:5]})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
