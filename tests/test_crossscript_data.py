"""The cross-script dev set and false-alarm data are well formed and the split is fixed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "eval" / "data" / "crossscript"


def _rows() -> list[dict[str, object]]:
    lines = (DATA / "dev.jsonl").read_text("utf-8").splitlines()
    return [json.loads(ln) for ln in lines if ln.strip()]


def test_dev_rows_have_a_source_a_shape_and_a_hashed_split() -> None:
    rows = _rows()
    assert len(rows) >= 150
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert str(r["source"]).startswith("https://github.com/"), r
        assert r["shape"] in (1, 2, 3, 4, 5), r
        assert r["heard"] and r["term"] and r["expected"], r
        assert str(r["term"]) in str(r["expected"]) or r["term"] == r["expected"], r
        digest = hashlib.sha1(f"{r['source']}#{r['heard']}".encode()).hexdigest()
        assert r["split"] == ("tune" if int(digest[:8], 16) % 2 == 0 else "test"), r


def test_every_shape_is_represented_in_both_parts() -> None:
    rows = _rows()
    for part in ("tune", "test"):
        shapes = {r["shape"] for r in rows if r["split"] == part}
        assert shapes == {1, 2, 3, 4, 5}, part


def test_catalogue_has_500_distinct_terms_covering_the_dev_terms() -> None:
    terms = [t for t in (DATA / "catalogue.txt").read_text("utf-8").splitlines() if t]
    assert len(terms) == len(set(terms)) == 500
    assert {str(r["term"]) for r in _rows()} <= set(terms)


def test_false_alarm_sentences_are_english() -> None:
    lines = (DATA / "false_alarm_en.tsv").read_text("utf-8").splitlines()
    rows = [ln.split("\t") for ln in lines if ln and not ln.startswith("#")]
    assert len(rows) >= 200
    assert all(len(r) == 2 and r[1].isascii() and len(r[1].split()) >= 8 for r in rows)
