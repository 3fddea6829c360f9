"""The compact tables (hotfuse._tables) against their source of truth, jieba and pypinyin."""

from __future__ import annotations

import json
import random
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotfuse import _tables
from hotfuse.errors import HotfuseError
from hotfuse.phonetics import char_readings, hotword_pinyin, word_frequency

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "hotfuse" / "data"
MANIFEST = json.loads((DATA / _tables.MANIFEST).read_text(encoding="utf-8"))


def _same_sources() -> None:
    if MANIFEST["sources"] != _tables.source_versions():
        pytest.skip(
            f"tables built from {MANIFEST['sources']}, installed {_tables.source_versions()}: "
            "run eval/build_tables.py"
        )


@pytest.fixture(scope="module")
def jieba_freq() -> dict[str, int]:
    _same_sources()
    import jieba

    tk = jieba.Tokenizer()
    tk.initialize()
    return dict(tk.FREQ)


def test_manifest_lists_the_committed_files() -> None:
    import hashlib

    assert sorted(MANIFEST["files"]) == sorted(_tables.TABLE_FILES)
    for name, info in MANIFEST["files"].items():
        data = (DATA / name).read_bytes()
        assert len(data) == info["bytes"]
        assert hashlib.sha256(data).hexdigest() == info["sha256"]


def test_every_jieba_count_and_prefix(jieba_freq: dict[str, int]) -> None:
    bad = [w for w, n in jieba_freq.items() if _tables.word_count_or_none(w) != n]
    assert bad == []
    assert word_frequency("明白") == jieba_freq["明白"] > 10_000
    assert _tables.word_count_or_none("伊丽莎") == jieba_freq["伊丽莎"] == 0


def test_strings_outside_jieba_are_absent(jieba_freq: dict[str, int]) -> None:
    rng = random.Random(7)
    chars = "".join(sorted({c for w in list(jieba_freq)[:20000] for c in w}))
    probes = {"".join(rng.choice(chars) for _ in range(rng.randint(1, 6))) for _ in range(20000)}
    probes |= {"", "abc", "伊丽沙白", "白这", "\ud800", "😀"}
    absent = [p for p in probes if p not in jieba_freq]
    assert len(absent) > 10_000
    assert [p for p in absent if _tables.word_count_or_none(p) is not None] == []
    assert all(word_frequency(p) == 0 for p in absent[:2000])


def test_every_character_reading() -> None:
    _same_sources()
    from pypinyin.pinyin_dict import pinyin_dict

    cps = set(pinyin_dict)
    bad = [cp for cp in cps if char_readings(chr(cp)) != _tables.reference_char_readings(chr(cp))]
    assert bad == []
    assert len(cps) == MANIFEST["files"]["chars.hft"]["entries"]
    others = [c for c in ("a", "1", "，", "😀", "\u3007", "\U00030000") if ord(c) not in cps]
    assert all(char_readings(c) == () for c in others)
    assert char_readings("重") == ("zhong4", "chong2", "tong2")


def test_distinct_readings_are_every_reading_pypinyin_lists() -> None:
    _same_sources()
    from pypinyin.pinyin_dict import pinyin_dict

    want = {r for cp in pinyin_dict for r in _tables.reference_char_readings(chr(cp))}
    assert _tables.distinct_readings() == want


def test_reading_syllables_are_every_reading_of_the_character_table() -> None:
    """The manifest's inventory (the shared cost table's hypothesis side) is exactly the
    set of readings in chars.hft: a reading missing from it would have no cost."""
    table = _tables._CHARS
    table.get(ord("中"))  # maps the file
    lines = bytes(table.blob[table._blob_start :]).decode("ascii").splitlines()
    assert len(lines) == MANIFEST["files"]["chars.hft"]["entries"]
    assert _tables.reading_syllables() == tuple(
        sorted({r for line in lines for r in line.split(",")})
    )
    assert "zhong4" in _tables.reading_syllables()


def test_han_ranges_are_pypinyins() -> None:
    _same_sources()
    from pypinyin.constants import RE_HANS

    bad = [
        cp
        for cp in [*range(0x2E80, 0x33000), *range(0, 0x2E80, 7), 0x10FFFF]
        if not 0xD800 <= cp <= 0xDFFF and _tables._is_han(chr(cp)) != bool(RE_HANS.match(chr(cp)))
    ]
    assert bad == []


def _lexicon_words() -> list[str]:
    out: list[str] = []
    for path in sorted((ROOT / "lexicons").glob("*.toml")):
        for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("entry", []):
            out.append(entry["text"])
            out.extend(entry.get("aliases", []))
    return out


# words the other tests and the README use, polyphones and phrases among them
_KNOWN = [
    "伊丽莎白", "重庆", "银行行长", "长沙", "朝阳", "调查", "音乐", "曾经", "行长", "重新",
    "伊丽沙白", "达西", "程晶", "陈静", "李娜", "乐山大佛", "长城", "厦门", "蚌埠", "六安",
    "PyTorch重庆", "重庆a1", "〇重庆", "重〇庆", "", "a", "的的的", "了解了", "还行还行",
]  # fmt: skip


def test_hotword_pinyin_equals_pypinyin_on_known_words() -> None:
    _same_sources()
    words = [*_KNOWN, *_lexicon_words()]
    assert len(words) > 100
    bad = [(w, hotword_pinyin(w)) for w in words if hotword_pinyin(w) != _reference(w)]
    assert bad == []


def _proper_nouns() -> list[str]:
    """jieba's proper nouns of 2-6 Han characters (the benchmark's 50,000-term lexicon is
    drawn from these), in dictionary order."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            word, _, tag = line.split()
            if tag in ("nr", "ns", "nt", "nz") and 2 <= len(word) <= 6:
                out.append(word)
    return out


def test_hotword_pinyin_equals_pypinyin_on_sampled_proper_nouns() -> None:
    """The fast paths of hotword_pinyin (one reading per character; one Han run; the
    first-character lookups kept) give pypinyin's reading of real hotwords."""
    _same_sources()
    words = random.Random(15).sample(_proper_nouns(), 6000)
    bad = [(w, hotword_pinyin(w)) for w in words if hotword_pinyin(w) != _reference(w)]
    assert bad == []


@pytest.mark.slow
def test_hotword_pinyin_equals_pypinyin_on_every_proper_noun() -> None:
    _same_sources()
    words = _proper_nouns()
    assert len(words) > 100_000
    bad = [(w, hotword_pinyin(w)) for w in words if hotword_pinyin(w) != _reference(w)]
    assert bad == []


def _reference(text: str) -> tuple[str, ...]:
    """The old hotword_pinyin: no choice of reading -> the readings; else pypinyin."""
    single = [_tables.reference_char_readings(ch) for ch in text]
    if single and all(len(r) == 1 for r in single):
        return tuple(r[0] for r in single)
    return _tables.reference_hotword_pinyin(text)


def test_phrase_pinyin_equals_pypinyin_on_sampled_phrases_and_their_joins() -> None:
    _same_sources()
    from pypinyin.phrases_dict import phrases_dict

    rng = random.Random(15)
    phrases = sorted(phrases_dict)
    sample = rng.sample(phrases, 1500)
    joins = ["".join(rng.sample(phrases, rng.randint(2, 3))) for _ in range(800)]
    # fragments: a phrase's tail, then another phrase's head (segmentation across them)
    cuts = [rng.choice(phrases)[1:] + rng.choice(phrases)[:-1] for _ in range(800)]
    mixed = [w[: len(w) // 2] + rng.choice(" a1，〇\u9fff") + w[len(w) // 2 :] for w in joins[:300]]
    texts = [*sample, *joins, *cuts, *mixed]
    bad = [t for t in texts if _tables.phrase_pinyin(t) != _tables.reference_hotword_pinyin(t)]
    assert bad == []


_POLY = "重长行乐调朝曾还了的地得着便觉差都会藏传说发大和好看教空难强少数为要种"
_PLAIN = "庆银沙门城山市场一人中国家学生查音新经明白伊丽莎"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_POLY + _PLAIN + "a1 〇，", max_size=12))
def test_phrase_pinyin_equals_pypinyin_on_any_text(text: str) -> None:
    _same_sources()
    assert _tables.phrase_pinyin(text) == _tables.reference_hotword_pinyin(text)


def test_a_missing_or_damaged_table_is_a_clean_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "words.hft").write_bytes(b"HFT1\x05\x00\x00\x00")
    monkeypatch.setattr(_tables, "_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(_tables, "_read_resource", lambda name: (tmp_path / name).read_bytes())
    for name, what in (("words.hft", "is damaged"), ("chars.hft", "is missing")):
        table = _tables._Table(name)
        with pytest.raises(HotfuseError, match=f"hotfuse/data/{name} {what}; reinstall"):
            table.get(1)


@pytest.mark.slow
def test_committed_tables_equal_a_rebuild(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The files in hotfuse/data are what eval/build_tables.py makes from the installed
    jieba and pypinyin (one build, a few seconds)."""
    _same_sources()
    built = _tables.build_tables()
    assert sorted(built) == sorted([*_tables.TABLE_FILES, _tables.MANIFEST])
    for name, data in built.items():
        assert (DATA / name).read_bytes() == data, f"{name}: run python eval/build_tables.py"
    sys.path.insert(0, str(ROOT / "eval"))
    try:
        import build_tables
    finally:
        sys.path.remove(str(ROOT / "eval"))
    monkeypatch.setattr(build_tables, "build_tables", lambda: built)
    assert build_tables.main(["--out", str(tmp_path), "--check"]) == 1
    assert build_tables.main(["--out", str(tmp_path)]) == 0
    assert build_tables.main(["--out", str(tmp_path), "--check"]) == 0
    assert {p.name for p in tmp_path.iterdir()} == set(built)


@pytest.mark.parametrize("name", ["_PHRASES", "_WORDS"])
def test_buckets_hold_each_key_in_its_bucket(name: str) -> None:
    from hotfuse import _tables as t

    table = getattr(t, name)
    starts = table.buckets()
    assert table.buckets() is starts  # built once
    keys = table.keys
    assert len(starts) == (1 << (64 - t._BUCKET_SHIFT)) + 1
    assert starts[0] == 0 and starts[-1] == table.n
    for b in range(len(starts) - 1):
        lo, hi = starts[b], starts[b + 1]
        assert lo <= hi
        if lo < hi:
            assert keys[lo] >> t._BUCKET_SHIFT == b
            assert keys[hi - 1] >> t._BUCKET_SHIFT == b
