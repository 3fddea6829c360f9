"""The compiled-lexicon cache (hotfuse.lexicon_cache) and the compiled state it stores."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from hotfuse import Fuser, Hotword, Lexicon
from hotfuse.cli import main
from hotfuse.config import FuseConfig
from hotfuse.lexicon import coerce_hotwords
from hotfuse.lexicon_cache import MAX_ENTRIES, cache_dir, compiled_fuser
from hotfuse.match import LexiconIndex

ENTRIES: list[Any] = [
    "伊丽莎白",
    "达西",
    Hotword("克劳德", aliases=("Claude", "可老的"), weight=2.0),
    Hotword("重庆", pinyin=("chong2", "qing4"), block_contexts=("重庆火锅店",)),
    Hotword("Nginx", spoken=("engine x",)),
    "PyTorch",
    "Kubernetes",
    "B站",
    "银行行长",
    Hotword("汪芳", tags=("person",)),
]
TEXTS = [
    "伊丽沙白和大西先生",
    "我用claude和可劳德写代码",
    "虫庆的银航行长说",
    "重庆火锅店的老板",
    "the engine x server 用 py torch 和库伯内提斯",
    "b 站上的王芳",
    "今天天气很好",
]


def _decisions(f: Fuser) -> list[tuple[Any, ...]]:
    out = []
    for text in TEXTS:
        for conf in (None, [0.5] * len("".join(text.split()))):
            r = f.fuse(text, confidences=conf)
            out.append((r.text, r.replacements))
    return out


def _index_parts(idx: LexiconIndex) -> tuple[Any, ...]:
    return (
        idx.targets,
        dict(idx._pair_targets),
        dict(idx._heads),
        idx._single_targets,
        dict(idx.exact_forms),
        idx.latin_targets,
        idx.phone_targets,
        dict(idx._phone_pairs),
        {t: v[1:] for t, v in idx._pinyin.items()},
    )


def test_compiled_state_reads_back_the_same_index_and_decisions() -> None:
    fresh = Fuser(ENTRIES)
    state = json.loads(json.dumps(fresh.compiled_state()))  # through JSON, as stored
    again = Fuser.from_compiled(state, fresh.config)
    assert again.hotwords == fresh.hotwords
    assert _index_parts(again._index) == _index_parts(fresh._index)
    assert {t.kind for t in fresh._index.targets} >= {"pinyin", "alias-exact", "latin", "spoken"}
    assert _decisions(again) == _decisions(fresh)
    assert any(r for _t, r in _decisions(fresh))  # the comparison has replacements in it


def test_a_pickled_fuser_keeps_its_targets() -> None:
    import pickle

    fresh = Fuser(ENTRIES, threshold=0.5)
    again = pickle.loads(pickle.dumps(fresh))
    assert again.config == fresh.config
    assert _index_parts(again._index) == _index_parts(fresh._index)
    assert _decisions(again) == _decisions(fresh)


@pytest.mark.parametrize(
    "state",
    [{}, {"hotwords": [], "targets": [[0, "x"]]}, {"hotwords": [["a"]], "targets": []}, []],
)
def test_a_malformed_state_is_a_value_error(state: Any) -> None:
    with pytest.raises(ValueError, match="not a compiled"):
        Fuser.from_compiled(state)


# --------------------------------------------------------------------------- the cache
@pytest.fixture
def lexicon_file(tmp_path: Path) -> Path:
    path = tmp_path / "words.toml"
    Lexicon(name="test", hotwords=coerce_hotwords(ENTRIES)).save(path)
    return path


class Loader:
    """The CLI's reader, counting its calls (a miss reads the file, a hit does not)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.calls = 0

    def __call__(self) -> list[Any]:
        self.calls += 1
        return list(Lexicon.load(self.path).hotwords)


def test_a_hit_skips_the_file_and_decides_identically(lexicon_file: Path, tmp_path: Path) -> None:
    where = tmp_path / "cache"
    load = Loader(lexicon_file)
    first = compiled_fuser([str(lexicon_file)], [], FuseConfig(), load, directory=where)
    second = compiled_fuser([str(lexicon_file)], [], FuseConfig(), load, directory=where)
    assert load.calls == 1
    assert len(list(where.glob("*.json"))) == 1
    assert _decisions(second) == _decisions(first) == _decisions(Fuser(ENTRIES))
    other = compiled_fuser(
        [str(lexicon_file)], [], FuseConfig(threshold=2.0), load, directory=where
    )
    assert load.calls == 2 and other.config.threshold == 2.0  # another config misses


def test_a_corrupt_entry_is_ignored_and_rebuilt(
    lexicon_file: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    where = tmp_path / "cache"
    load = Loader(lexicon_file)
    compiled_fuser([str(lexicon_file)], [], FuseConfig(), load, directory=where)
    (entry,) = where.glob("*.json")
    good = entry.read_bytes()
    bad_contents = [
        good[: len(good) // 2],  # truncated
        b"\xff\xfe not json",
        json.dumps({"key": entry.stem}).encode(),  # valid JSON, no state
        good.replace(b'"pinyin"', b'"no-such-kind"', 1),
        good.replace(entry.stem.encode(), b"0" * len(entry.stem), 1),  # another key's entry
    ]
    for k, bad in enumerate(bad_contents, start=2):
        entry.write_bytes(bad)
        with caplog.at_level(logging.DEBUG, logger="hotfuse"):
            f = compiled_fuser([str(lexicon_file)], [], FuseConfig(), load, directory=where)
        assert load.calls == k, bad[:40]
        assert _decisions(f) == _decisions(Fuser(ENTRIES))
        assert entry.read_bytes() == good  # written again
    assert "ignoring the unreadable cache entry" in caplog.text


def test_a_changed_file_misses(lexicon_file: Path, tmp_path: Path) -> None:
    where = tmp_path / "cache"
    load = Loader(lexicon_file)
    compiled_fuser([str(lexicon_file)], [], FuseConfig(), load, directory=where)
    Lexicon(name="test", hotwords=coerce_hotwords([*ENTRIES, "北京"])).save(lexicon_file)
    f = compiled_fuser([str(lexicon_file)], [], FuseConfig(), load, directory=where)
    assert load.calls == 2
    assert "北京" in {hw.text for hw in f.hotwords}
    assert _decisions(f) == _decisions(Fuser([*ENTRIES, "北京"]))
    assert len(list(where.glob("*.json"))) == 2


def test_the_cache_keeps_its_most_recent_entries(lexicon_file: Path, tmp_path: Path) -> None:
    where = tmp_path / "cache"
    load = Loader(lexicon_file)
    for k in range(MAX_ENTRIES + 3):
        compiled_fuser([str(lexicon_file)], [f"词{k}"], FuseConfig(), load, directory=where)
    assert len(list(where.glob("*.json"))) == MAX_ENTRIES


def test_the_environment_switch_and_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    assert cache_dir({"XDG_CACHE_HOME": "/x"}) == Path("/x/hotfuse/lexicons")
    assert cache_dir({"HOTFUSE_NO_CACHE": "1", "XDG_CACHE_HOME": "/x"}) is None
    assert cache_dir({"HOTFUSE_NO_CACHE": "0", "XDG_CACHE_HOME": "/x"}) is not None
    home = cache_dir({})
    assert home is not None and home.parts[-3:] == (".cache", "hotfuse", "lexicons")


# --------------------------------------------------------------------------- the CLI


def test_the_cli_reads_a_big_lexicon_once(
    lexicon_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["fuse", "伊丽沙白和大西先生", "--lexicon", str(lexicon_file), "-w", "汪芳"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    where = cache_dir()
    assert where is not None and len(list(where.glob("*.json"))) == 1

    def no_load(*args: object, **kwargs: object) -> None:
        msg = "the lexicon file was parsed again"
        raise AssertionError(msg)

    monkeypatch.setattr(Lexicon, "load", no_load)
    assert main(argv) == 0
    assert capsys.readouterr().out == first == "伊丽莎白和达西先生\n"
    monkeypatch.setenv("HOTFUSE_NO_CACHE", "1")
    with pytest.raises(AssertionError, match="parsed again"):
        main(argv)
