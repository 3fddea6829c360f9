"""Build hotfuse/data/{words,chars,phrases}.hft and tables.json from jieba and pypinyin.

The engine reads word counts, character readings and phrase pinyin from these compact,
memory-mapped tables (``hotfuse._tables``) instead of loading jieba's dictionary and
pypinyin's phrase table at start. Run this after upgrading jieba or pypinyin; it takes a
few seconds. ``tests/test_tables.py`` checks that the committed files equal its output
for the installed versions (recorded in ``tables.json``).

    python eval/build_tables.py            # rewrites the four files in hotfuse/data
    python eval/build_tables.py --check    # exit 1 when the committed files differ
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hotfuse._files import atomic_write_bytes  # noqa: E402
from hotfuse._tables import build_tables  # noqa: E402

OUT = ROOT / "hotfuse" / "data"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=OUT, help="directory (default hotfuse/data)")
    p.add_argument("--check", action="store_true", help="compare, write nothing")
    args = p.parse_args(argv)
    built = build_tables()
    stale = [n for n, data in built.items() if _read(args.out / n) != data]
    if args.check:
        for name in stale:
            print(f"{args.out / name}: differs from a rebuild", file=sys.stderr)
        return 1 if stale else 0
    for name, data in built.items():
        atomic_write_bytes(args.out / name, data)
        print(f"wrote {args.out / name}: {len(data):,} bytes")
    return 0


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


if __name__ == "__main__":
    sys.exit(main())
