"""Build hotfuse/data/t2s.tsv.gz: Traditional -> Simplified, one character a line.

Source: OpenCC's ``TSCharacters.txt`` (Traditional -> Simplified characters, Apache-2.0,
https://github.com/BYVoid/OpenCC), as shipped in the ``opencc-python-reimplemented`` 0.1.7
wheel (Apache-2.0; ``pip install opencc-python-reimplemented==0.1.7``). Each entry keeps
its first Simplified form; entries whose form is the character itself are dropped. The
licence text is copied beside the data as ``hotfuse/data/LICENSE.opencc``.

    python eval/build_t2s_data.py          # rewrites hotfuse/data/t2s.tsv.gz
"""

from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "hotfuse" / "data"


def main() -> int:
    try:
        import opencc
    except ImportError:
        print("needs: pip install opencc-python-reimplemented==0.1.7", file=sys.stderr)
        return 2
    pkg = Path(opencc.__file__).parent
    src = pkg / "dictionary" / "TSCharacters.txt"
    rows: list[str] = []
    for line in src.read_text(encoding="utf-8").splitlines():
        trad, _, simp = line.partition("\t")
        first = simp.split()[0] if simp.split() else ""
        if len(trad) == 1 and len(first) == 1 and first != trad:
            rows.append(f"{trad}\t{first}")
    data = ("\n".join(sorted(rows)) + "\n").encode("utf-8")
    (OUT / "t2s.tsv.gz").write_bytes(gzip.compress(data, mtime=0))
    lic = next(pkg.parent.glob("opencc_python_reimplemented-*.dist-info")) / "LICENSE.txt"
    shutil.copyfile(lic, OUT / "LICENSE.opencc")
    print(f"wrote {OUT / 't2s.tsv.gz'}: {len(rows)} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
