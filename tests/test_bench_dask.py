"""Smoke test of eval/bench_dask.py on a tiny corpus (it checks outputs, never timings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import load_eval


def test_bench_dask_runs_and_outputs_agree(tmp_path: Path) -> None:
    pytest.importorskip("dask.bag", reason="the [dask] extra is not installed")
    pytest.importorskip("distributed", reason="the [dask] extra is not installed")
    bench = load_eval("bench_dask")
    out = tmp_path / "dask.json"
    args = ["--lines", "300", "--sizes", "5", "--files", "3", "--json", str(out)]
    assert bench.main(args) == 0  # 0: the Dask output equals the CLI's, line for line
    rows = json.loads(out.read_text())["rows"]
    assert [(r["hotwords"], r["lines"], r["identical"]) for r in rows] == [(5, 300, True)]
