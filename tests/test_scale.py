"""hotfuse.scale: fusion over JSONL files on a local Dask cluster ([dask] extra).

The cluster runs two worker processes on loopback; the output must equal what
``hotfuse fuse -i FILE --json`` writes for each file, line for line, and each worker may
compile the Fuser at most once.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotfuse import cli, scale

HOTWORDS = ["伊丽莎白", "达西", "智能客服", "达摩院", "魔搭"]
# how a first pass misheard each hotword (homophones or near-homophones)
MISHEARD = ["伊丽沙白", "达稀", "智能刻服", "达摩元", "魔塔"]
FILLER = ["我们今天", "讨论一下", "这个问题", "然后", "请转", "系统", "先生来了", "明天见"]


def _corpus(d: Path, files: int = 3, lines: int = 1000, seed: int = 15) -> list[Path]:
    """JSONL files of transcripts, about half with a misheard hotword, some with
    confidences, a few bad lines and blank lines (the same in every run)."""
    rng = random.Random(seed)
    paths = []
    for f in range(files):
        rows = []
        for i in range(lines):
            text = "".join(rng.choices(FILLER, k=rng.randint(1, 4)))
            if rng.random() < 0.5:
                at = rng.randint(0, len(text))
                text = text[:at] + rng.choice(MISHEARD) + text[at:]
            rec: dict[str, Any] = {"id": f"f{f}-{i:05d}", "text": text}
            if rng.random() < 0.2:
                rec["confidences"] = [round(rng.uniform(0.3, 1.0), 2) for _ in text]
            rows.append(json.dumps(rec, ensure_ascii=False))
            if rng.random() < 0.01:
                rows.append(rng.choice(["not json", '{"id": "x"}', "", "[1, 2"]))
        p = d / f"part{f}.jsonl"
        p.write_text("\n".join(rows) + "\n", encoding="utf-8")
        paths.append(p)
    return paths


def _cli(paths: list[Path], tmp: Path, capsys: pytest.CaptureFixture[str]) -> list[Any]:
    """What ``hotfuse fuse -i FILE --json`` gives for each file, in order: output lines,
    and ``("error", message)`` for each line it reports, at its place in the file."""
    out: list[Any] = []
    for p in paths:
        o = tmp / (p.name + ".out")
        args = ["fuse", "-i", str(p), "--json", "-o", str(o)]
        for w in HOTWORDS:
            args += ["-w", w]
        capsys.readouterr()
        cli.main(args)
        errors = [
            line.removeprefix("hotfuse: error: ")
            for line in capsys.readouterr().err.splitlines()
            if line.startswith("hotfuse: error: ") and "could not be read" not in line
        ]
        fused = o.read_text(encoding="utf-8").splitlines()
        # put each error back at its line: fused lines carry ids, errors line numbers
        by_line = {int(e.split(":")[1]): e for e in errors}
        ids = iter(fused)
        for no, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1):
            if no in by_line:
                out.append(("error", by_line[no]))
            elif line.strip():
                out.append(next(ids))
        assert next(ids, None) is None
    return out


def _as_cli(records: list[dict[str, Any]]) -> list[Any]:
    return [("error", r["error"]) if "error" in r else scale.json_line(r) for r in records]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    pytest.importorskip("dask.bag", reason="the [dask] extra is not installed")
    distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_cluster_matches_single_process(
    client: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import dask.bag as db

    paths = _corpus(tmp_path)
    expected = _cli(paths, tmp_path, capsys)
    assert sum(isinstance(x, tuple) for x in expected) >= 5  # bad lines are in the corpus
    assert sum('"replacements": [{' in x for x in expected if isinstance(x, str)) > 1000

    names = [str(p) for p in paths]
    bag = db.read_text(names, include_path=True)
    assert bag.npartitions == len(paths)
    got = scale.fuse_bag(bag, HOTWORDS).compute()
    assert _as_cli(got) == expected
    # the reader of hotfuse fuse -i on the workers: the same again
    got_files = scale.fuse_files(names, HOTWORDS).compute()
    assert _as_cli(got_files) == expected

    counts = client.run(scale._worker_counts)
    assert len(counts) == 2
    # one hotword list and config: compiled at most once per worker for both computations
    assert all(c["builds"] <= 1 for c in counts.values()), counts
    assert sum(c["builds"] for c in counts.values()) >= 1
    # and shipped to each worker at most once per computation, not once per partition
    assert all(c["arrivals"] <= 2 for c in counts.values()), counts


def test_fuse_bag_locally_without_a_cluster(tmp_path: Path) -> None:
    db = pytest.importorskip("dask.bag", reason="the [dask] extra is not installed")
    recs = [{"id": "u1", "text": "伊丽沙白来了"}, {"id": "u2", "text": "你好"}]
    out = scale.fuse_bag(db.from_sequence(recs, npartitions=1), HOTWORDS)
    got = out.compute(scheduler="sync")
    assert [r["text"] for r in got] == ["伊丽莎白来了", "你好"]
    text = db.from_sequence(["u1 伊丽沙白来了\n"], npartitions=1)
    kaldi = scale.fuse_bag(text, HOTWORDS, fmt="kaldi").compute(scheduler="sync")
    assert (kaldi[0]["id"], kaldi[0]["text"]) == ("u1", "伊丽莎白来了")


def test_spec_reads_lexicons_and_hashes_content(tmp_path: Path) -> None:
    lex = tmp_path / "words.toml"
    lex.write_text('[[entry]]\ntext = "达摩院"\n', encoding="utf-8")
    a = scale.FuserSpec.build(["伊丽莎白"], lexicons=[lex])
    b = scale.FuserSpec.build(["伊丽莎白"], lexicons=[lex])
    c = scale.FuserSpec.build(["伊丽莎白"], lexicons=[lex], config={"threshold": 1.0})
    assert [h if isinstance(h, str) else h.text for h in a.hotwords] == ["伊丽莎白", "达摩院"]
    assert a.key == b.key != c.key
    assert scale.worker_fuser(a) is scale.worker_fuser(b)


def test_bad_arguments(tmp_path: Path) -> None:
    from hotfuse.errors import DataError, InputError

    with pytest.raises(InputError, match="no hotwords"):
        scale.FuserSpec.build([])
    with pytest.raises(InputError, match="choose from jsonl"):
        scale.fuse_bag(None, HOTWORDS, fmt="auto")  # type: ignore[arg-type]
    pytest.importorskip("dask.bag", reason="the [dask] extra is not installed")
    with pytest.raises(DataError, match="no file matches"):
        scale.fuse_files(str(tmp_path / "*.jsonl"), HOTWORDS)


def test_import_hotfuse_loads_no_dask() -> None:
    import subprocess
    import sys

    code = (
        "import sys, hotfuse, hotfuse.scale; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_dask_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from hotfuse.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "dask", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'hotfuse\[dask\]'"):
        scale.fuse_bag(None, HOTWORDS)  # type: ignore[arg-type]
