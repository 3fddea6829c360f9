"""The committed real-recognizer data matches the checksums and line counts eval/README.md lists.

The table under "Committed data (`eval/data/`)" is parsed, so the doc cannot go stale: a
rebuilt or edited data file fails here until its row is updated.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "eval" / "data"
ROW = re.compile(r"^\| `(?P<path>[^`]+)` \| (?P<lines>[\d,]+) \| `(?P<sha>[0-9a-f]{64})` \|$")


def _rows() -> list[tuple[str, int, str]]:
    text = (ROOT / "eval" / "README.md").read_text(encoding="utf-8")
    section = text.split("### Committed data (`eval/data/`)", 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        m = ROW.match(line.strip())
        if m:
            rows.append((m["path"], int(m["lines"].replace(",", "")), m["sha"]))
    return rows


def test_the_table_lists_every_committed_data_file() -> None:
    listed = {path for path, _, _ in _rows()}
    on_disk = {
        str(p.relative_to(DATA))
        for sub in ("real", "mixed")
        for p in (DATA / sub).iterdir()
        if p.is_file()
    }
    assert listed == on_disk


@pytest.mark.parametrize(("path", "lines", "sha"), _rows(), ids=lambda v: str(v)[:24])
def test_checksum_and_line_count_match_the_readme(path: str, lines: int, sha: str) -> None:
    blob = (DATA / path).read_bytes()
    assert hashlib.sha256(blob).hexdigest() == sha, f"update eval/README.md for {path}"
    assert blob.count(b"\n") == lines
