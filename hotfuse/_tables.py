"""Compact, memory-mapped copies of the jieba and pypinyin tables the engine reads.

Loading jieba's dictionary (``Tokenizer().initialize()``) and pypinyin's phrase table
costs about a second and 130 MB; the engine only asks them a few questions: the count
of a word, the readings of a character, the pinyin of a hotword with its phrases. Those
answers are built once, by :func:`build_tables` (``python eval/build_tables.py``), into
three files of ``hotfuse/data`` that are memory-mapped on first use, so a process pays
only for the pages it touches:

* ``words.hft``: every key of jieba's ``FREQ`` (the words and all their prefixes, a
  prefix that is no word with count 0) -> its count;
* ``chars.hft``: every character of pypinyin's ``pinyin_dict`` -> its readings in
  numbered tones, most usual first (:func:`hotfuse.phonetics.char_readings`);
* ``phrases.hft``: every phrase of pypinyin's ``phrases_dict`` and every prefix of one
  -> the phrase's pinyin as pypinyin gives it (prefixes that are no phrase: none), with
  ``tables.json`` recording pypinyin's Han-character ranges, so that
  :func:`phrase_pinyin` segments a word as pypinyin does, and every distinct reading of
  ``chars.hft`` (:func:`reading_syllables`: the hypothesis side of the shared syllable
  cost table, :class:`hotfuse.phonetics.SubstitutionTable`).

A file is a header (``b"HFT1"``, entry count, blob length, 0; little-endian uint32s),
the sorted uint64 keys, one uint32 value per key and a blob of ``\\n``-terminated UTF-8
lines. A character's key is its code point; a string's key is the first 8 bytes of its
BLAKE2b digest (the builder checks that no two keys collide; a string absent from the
source matches a key with probability below 1e-13). pypinyin and jieba stay the source
of truth: ``tests/test_tables.py`` compares these tables with them.
"""

from __future__ import annotations

import array
import bisect
import mmap
import os
import re
import struct
import sys
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import repeat
from typing import Any

try:  # the builtin module: importing hashlib would load OpenSSL first
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a build without it
    from hashlib import blake2b

__all__ = [
    "MANIFEST",
    "TABLE_FILES",
    "build_tables",
    "char_readings_from_table",
    "distinct_readings",
    "phrase_pinyin",
    "reading_syllables",
    "reference_hotword_pinyin",
    "string_key",
    "word_count",
    "word_count_or_none",
]

_MAGIC = b"HFT1"
_HEADER = struct.Struct("<4sIII")
_NONE = 0xFFFFFFFF  # a value meaning "present, no data" (a phrase prefix that is no phrase)
TABLE_FILES = ("words.hft", "chars.hft", "phrases.hft")
MANIFEST = "tables.json"
_DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def string_key(text: str) -> int:
    """The 64-bit key of a string in the tables (BLAKE2b, first 8 bytes, little-endian).

    >>> string_key("伊丽莎白") == string_key("伊丽莎白") != string_key("伊丽沙白")
    True
    """
    digest = blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


# --------------------------------------------------------------------------- reading
def _read_resource(name: str) -> bytes:
    from importlib import resources

    return resources.files("hotfuse").joinpath("data", name).read_bytes()


def _damaged(name: str, what: str) -> Exception:
    from hotfuse.errors import HotfuseError

    msg = f"hotfuse/data/{name} {what}; reinstall hotfuse (or run eval/build_tables.py)"
    return HotfuseError(msg)


class _Table:
    """One ``.hft`` file: sorted keys, values, blob; mapped on the first lookup."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._loaded = False
        self.keys: Any = None
        self.values: Any = None
        self.blob: Any = None
        self.n = 0
        self._starts: array.array[int] | None = None  # buckets(), once built

    def _load(self) -> None:
        with self._lock:
            if self._loaded:
                return
            path = os.path.join(_DATA_DIR, self.name)
            buf: Any
            try:
                with open(path, "rb") as fh:
                    buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # not a plain file (a zipped install): read it
                try:
                    buf = _read_resource(self.name)
                except OSError:
                    raise _damaged(self.name, "is missing") from None
            if len(buf) < _HEADER.size:
                raise _damaged(self.name, "is damaged")
            magic, n, blob_len, _ = _HEADER.unpack_from(buf, 0)
            end_keys = _HEADER.size + 8 * n
            end_values = end_keys + 4 * n
            if magic != _MAGIC or len(buf) != end_values + blob_len:
                raise _damaged(self.name, "is damaged")
            view = memoryview(buf)
            if sys.byteorder == "little":
                self.keys = view[_HEADER.size : end_keys].cast("Q")
                self.values = view[end_keys:end_values].cast("I")
            else:  # pragma: no cover - big-endian hosts copy and swap
                self.keys = array.array("Q", bytes(view[_HEADER.size : end_keys]))
                self.values = array.array("I", bytes(view[end_keys:end_values]))
                self.keys.byteswap()
                self.values.byteswap()
            self.blob = bytes(view[end_values:]) if not isinstance(buf, mmap.mmap) else buf
            self._blob_start = end_values if isinstance(buf, mmap.mmap) else 0
            self.n = n
            self._loaded = True

    def buckets(self) -> array.array[int]:
        """Where each bucket of the sorted keys starts: the keys whose top 12 bits are
        ``b`` are ``keys[starts[b]:starts[b + 1]]`` (about 21 of the phrase table's
        ~87,000, 120 of the word table's ~498,000).

        A lookup then bisects one bucket instead of all keys: each probe of the
        memory-mapped key array makes a Python int and, in a process that has been
        doing other work, reads a cold cache line; a whole-table bisection takes 17 to
        19 of them. Built once, on first use (4,097 bisections in C, a few
        milliseconds; a Python pass over the keys for 16-bit buckets cost a cold call
        ~35 ms), 16 KiB.
        """
        got = self._starts
        if got is None:
            if not self._loaded:
                self._load()
            starts = _bucket_starts(self.keys)
            with self._lock:
                if self._starts is None:
                    self._starts = starts
                got = self._starts
        return got

    def get(self, key: int) -> int | None:
        """The value stored for ``key``, or None when the key is absent."""
        if not self._loaded:
            self._load()
        keys = self.keys
        i = bisect.bisect_left(keys, key)
        if i < self.n and keys[i] == key:
            return int(self.values[i])
        return None

    def line(self, offset: int) -> str:
        """The blob line starting at ``offset`` (without its newline)."""
        start = self._blob_start + offset
        end = self.blob.find(b"\n", start)
        return bytes(self.blob[start:end]).decode("utf-8")


_WORDS = _Table("words.hft")
_CHARS = _Table("chars.hft")
_PHRASES = _Table("phrases.hft")


@lru_cache(maxsize=1 << 14)
def word_count_or_none(word: str) -> int | None:
    """jieba's count of ``word``; 0 for a prefix of a longer word that is no word itself;
    None when ``word`` is neither (so no longer word starts with it).

    >>> word_count_or_none("明白") > 0, word_count_or_none("伊丽莎"), word_count_or_none("白这")
    (True, 0, None)
    """
    # the scorer asks this a few dozen times per utterance: one function, no helpers
    if not word:
        return None
    starts = _WORDS._starts or _WORDS.buckets()
    keys = _WORDS.keys
    digest = blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    key = int.from_bytes(digest, "little")
    top = key >> _BUCKET_SHIFT  # its bucket (_Table.buckets)
    hi = starts[top + 1]
    i = bisect.bisect_left(keys, key, starts[top], hi)
    if i < hi and keys[i] == key:
        return int(_WORDS.values[i])
    return None


def word_count(word: str) -> int:
    """jieba's count of ``word`` (0 when absent or only a prefix)."""
    return word_count_or_none(word) or 0


def char_readings_from_table(ch: str) -> tuple[str, ...]:
    """The readings of one character (``()`` when pypinyin has none)."""
    off = _CHARS.get(ord(ch))
    if off is None:
        return ()
    return tuple(_CHARS.line(off).split(","))


@lru_cache(maxsize=1)
def distinct_readings() -> frozenset[str]:
    """Every distinct numbered-tone reading of any character (:func:`reading_syllables`,
    listed in the manifest; pypinyin stays unimported).

    >>> r = distinct_readings()
    >>> "zhong4" in r, "lv4" in r, "bei3" in r, "zzz1" in r
    (True, True, True, False)
    """
    return frozenset(reading_syllables())


_HAN_STARTS: list[int] = []
_HAN_ENDS: list[int] = []


def _is_han(ch: str) -> bool:
    """A character pypinyin's segmenter treats as Chinese (its ``RE_HANS`` ranges)."""
    if "\u4e00" <= ch <= "\u9fff":  # the common block, inside one range of the manifest
        return True
    if not _HAN_STARTS:
        with _PHRASES._lock:
            if not _HAN_STARTS:
                import json

                raw = json.loads(_read_manifest())
                ranges = [tuple(int(x, 16) for x in r.split("-")) for r in raw["han_ranges"]]
                _HAN_ENDS.extend(b for _, b in ranges)
                _HAN_STARTS.extend(a for a, _ in ranges)  # last: it marks "loaded"
    cp = ord(ch)
    i = bisect.bisect_right(_HAN_STARTS, cp) - 1
    return i >= 0 and cp <= _HAN_ENDS[i]


def _read_manifest() -> str:
    try:
        with open(os.path.join(_DATA_DIR, MANIFEST), encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return _read_resource(MANIFEST).decode("utf-8")


@lru_cache(maxsize=1)
def reading_syllables() -> tuple[str, ...]:
    """Every distinct reading of ``chars.hft`` (numbered tones), sorted.

    >>> len(reading_syllables()) > 1000, reading_syllables()[:2]
    (True, ('a1', 'a2'))
    """
    import json

    return tuple(json.loads(_read_manifest())["reading_syllables"])


def phrase_pinyin(text: str) -> tuple[str, ...]:
    """Numbered-tone pinyin of ``text``, one entry per character, as pypinyin's
    ``pinyin(text, style=TONE3, neutral_tone_with_five=True)`` segments and reads it
    (forward maximum matching over its phrase table); ``""`` for a character without one.

    >>> phrase_pinyin("银行行长"), phrase_pinyin("重庆a")
    (('yin2', 'hang2', 'hang2', 'zhang3'), ('chong2', 'qing4', ''))
    """
    out: list[str] = []
    if _COMMON_HAN.fullmatch(text) is not None:  # one run of Han (most hotwords)
        _cut_run(text, out)
        return tuple(out)
    i, n = 0, len(text)
    while i < n:
        if not _is_han(text[i]):
            out.append("")
            i += 1
            continue
        j = i + 1
        while j < n and _is_han(text[j]):
            j += 1
        _cut_run(text[i:j], out)
        i = j
    return tuple(out)


_COMMON_HAN = re.compile("[\u4e00-\u9fff]+")  # inside pypinyin's Han ranges (_is_han)


@lru_cache(maxsize=1 << 14)
def _single(ch: str) -> str:
    readings = char_readings_from_table(ch)
    return readings[0] if readings else ""


# One character -> its phrase-table value (None: no phrase starts with it), asked for at
# nearly every character of a hotword; bounded by the character table (a few 10,000s).
_FIRST: dict[str, int | None] = {}
_UNSEEN = -1

_BUCKET_SHIFT = 52  # a key's top 12 bits choose its bucket


def _phrase_buckets() -> array.array[int]:
    """The bucket starts of the phrase table (:meth:`_Table.buckets`)."""
    return _PHRASES.buckets()


def _bucket_starts(keys: Any) -> array.array[int]:
    """``starts[b]``: how many of the sorted 64-bit ``keys`` have their top bits (those
    above :data:`_BUCKET_SHIFT`) below ``b``; one bisection per bucket, all in C."""
    n = 1 << (64 - _BUCKET_SHIFT)
    bounds = (b << _BUCKET_SHIFT for b in range(n + 1))
    return array.array("I", map(bisect.bisect_left, repeat(keys, n + 1), bounds))


def _cut_run(run: str, out: list[str]) -> None:
    """pypinyin's strict forward maximum matching (``mmseg.Seg.cut``) over one Han run.

    Called for most hotwords of a lexicon: the lookups of :meth:`_Table.get` and
    :func:`string_key` are written out here.
    """
    table = _PHRASES
    starts = table._starts or table.buckets()
    keys, values = table.keys, table.values
    first = _FIRST
    s, n = 0, len(run)
    enc = run.encode("utf-8", "surrogatepass")
    # a prefix's UTF-8 is a slice of the run's when every character takes 3 bytes (all of
    # the common block do); otherwise each prefix is encoded on its own
    wide = 3 if len(enc) == 3 * n else 0
    while s < n:
        ch = run[s]
        v = first.get(ch, _UNSEEN)
        if v == _UNSEEN:
            v = first[ch] = table.get(string_key(ch))
        if v is None:  # no phrase starts with this character
            out.append(_single(ch))
            s += 1
            continue
        valid_end, valid_off = (s + 1, v) if v != _NONE else (0, _NONE)
        for e in range(s + 2, n + 1):
            data = enc[wide * s : wide * e] if wide else run[s:e].encode("utf-8", "surrogatepass")
            digest = blake2b(data, digest_size=8).digest()
            key = int.from_bytes(digest, "little")
            top = key >> _BUCKET_SHIFT  # its bucket (_Table.buckets)
            lo, hi = starts[top], starts[top + 1]
            i = bisect.bisect_left(keys, key, lo, hi) if hi - lo > 1 else lo
            if i == hi or keys[i] != key:  # no phrase starts with run[s:e]
                break
            v = values[i]
            if v != _NONE:
                valid_end, valid_off = e, v
        else:  # the rest of the run is a prefix of some phrase
            if not valid_end:  # pypinyin then reads each remaining character on its own
                out.extend(_single(c) for c in run[s:])
                return
        if valid_end:
            out.extend(table.line(valid_off).split(" "))
            s = valid_end
        else:
            out.append(_single(ch))
            s += 1


# --------------------------------------------------------------------------- building
def _pack(entries: dict[int, int], blob: bytes) -> bytes:
    keys = sorted(entries)
    karr = array.array("Q", keys)
    varr = array.array("I", (entries[k] for k in keys))
    if sys.byteorder != "little":  # pragma: no cover
        karr.byteswap()
        varr.byteswap()
    return _HEADER.pack(_MAGIC, len(keys), len(blob), 0) + karr.tobytes() + varr.tobytes() + blob


def _keyed(strings: Iterable[str]) -> dict[int, str]:
    out: dict[int, str] = {}
    for s in strings:
        k = string_key(s)
        other = out.setdefault(k, s)
        if other != s:  # pragma: no cover - never seen; a rebuild would need a new key
            msg = f"key collision between {other!r} and {s!r}"
            raise RuntimeError(msg)
    return out


def _blanks(chars: str) -> list[str]:
    return [""] * len(chars)


def reference_hotword_pinyin(text: str) -> tuple[str, ...]:
    """What pypinyin itself gives for :func:`phrase_pinyin` (the source of truth; slow)."""
    from pypinyin import Style, pinyin

    items = pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors=_blanks)  # type: ignore[arg-type]
    return tuple(item[0] if item else "" for item in items)


def reference_char_readings(ch: str) -> tuple[str, ...]:
    """Every reading pypinyin's ``pinyin_dict`` lists for ``ch``, numbered, deduplicated."""
    from pypinyin import pinyin_dict

    from hotfuse.phonetics import _mark_to_tone3

    raw = pinyin_dict.pinyin_dict.get(ord(ch)) if len(ch) == 1 else None
    if not raw:
        return ()
    seen: dict[str, None] = {}
    for marked in raw.split(","):
        seen.setdefault(_mark_to_tone3(marked.strip()), None)
    return tuple(seen)


def _han_ranges(is_han: Callable[[str], bool]) -> list[str]:
    """The code points ``is_han`` accepts, as ``"first-last"`` hex ranges."""
    ranges: list[list[int]] = []
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF or not is_han(chr(cp)):
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return [f"{a:04x}-{b:04x}" for a, b in ranges]


def source_versions() -> dict[str, str]:
    """The installed jieba and pypinyin versions (what a rebuild would read)."""
    from importlib.metadata import version

    return {"jieba": version("jieba"), "pypinyin": version("pypinyin")}


def build_tables() -> dict[str, bytes]:
    """The table files and the manifest, built from the installed jieba and pypinyin.

    Takes a few seconds. ``eval/build_tables.py`` writes the result into ``hotfuse/data``;
    a test checks that the committed files equal it.
    """
    import hashlib
    import json

    from pypinyin.constants import RE_HANS
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    from hotfuse._data import jieba_tokenizer

    tk = jieba_tokenizer()
    freq: dict[str, int] = tk.FREQ
    for word in freq:  # the pruning in fuser._cross_freq relies on this
        if any(word[:i] not in freq for i in range(1, len(word))):  # pragma: no cover
            msg = f"jieba's FREQ is not closed under prefixes ({word!r})"
            raise RuntimeError(msg)
    words = _pack({k: int(freq[w]) for k, w in _keyed(freq).items()}, b"")

    def is_han(ch: str) -> bool:
        return RE_HANS.match(ch) is not None

    blob = bytearray()
    entries: dict[int, int] = {}
    readings: set[str] = set()
    for cp in sorted(pinyin_dict):
        ch = chr(cp)
        if not is_han(ch):  # pragma: no cover - phrase_pinyin reads such a char as ""
            msg = f"pypinyin reads {ch!r} but does not segment it as Chinese"
            raise RuntimeError(msg)
        entries[cp] = len(blob)
        got = reference_char_readings(ch)
        readings.update(got)
        blob += ",".join(got).encode("ascii") + b"\n"
    chars = _pack(entries, bytes(blob))

    prefixes = {p[:i] for p in phrases_dict for i in range(1, len(p) + 1)}
    blob = bytearray()
    entries = {}
    keyed = _keyed(prefixes)
    offsets: dict[str, int] = {}
    for phrase in sorted(phrases_dict):
        got = reference_hotword_pinyin(phrase)
        if len(got) != len(phrase) or not all(is_han(c) and ord(c) in pinyin_dict for c in phrase):
            msg = f"pypinyin's phrase {phrase!r} does not read one syllable per character"
            raise RuntimeError(msg)  # pragma: no cover - the tables would need a new format
        offsets[phrase] = len(blob)
        blob += " ".join(got).encode("ascii") + b"\n"
    for k, s in keyed.items():
        entries[k] = offsets.get(s, _NONE)
    phrases = _pack(entries, bytes(blob))

    files = {"words.hft": words, "chars.hft": chars, "phrases.hft": phrases}
    manifest = {
        "built_by": "eval/build_tables.py",
        "sources": source_versions(),
        "han_ranges": _han_ranges(is_han),
        "reading_syllables": sorted(readings),
        "files": {
            name: {
                "entries": _HEADER.unpack_from(data, 0)[1],
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
            for name, data in files.items()
        },
    }
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    return {**files, MANIFEST: text.encode("utf-8")}
