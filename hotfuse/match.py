"""Candidate spans: the compiled lexicon index and phonetic scoring.

A hotword is compiled into one or more *targets*: its own text and each alias. A target
is either

* ``pinyin``: Chinese characters, compared syllable by syllable (initial, final, tone)
  with the graded :class:`~hotfuse.phonetics.CostTable`, allowing one dropped or inserted
  syllable; every reading of a polyphonic hypothesis character is tried;
* ``latin``: Latin letters/digits, compared case-, space-, hyphen- and dot-insensitively
  by normalised Levenshtein distance over letters (``py torch`` ~ ``PyTorch``);
* ``exact``: every alias, and a hotword that mixes scripts (``B站``): an occurrence
  ignoring case, width and spaces (``b 站``) is a candidate. One-character words,
  other mixed forms and Chinese forms longer than :data:`MAX_PHONETIC_SYLLABLES` (whose
  edit distance would cost the square of their length per window) are matched this way
  only.

Latin and exact matches start and end at word boundaries: a span that begins or ends
with a Latin letter or digit must not continue a word of letters or digits on that side
(``AI`` is not found in ``Gmail``, nor ``AWS`` in ``laws``); a boundary between Chinese
and Latin counts (``我用AI``), and spaces inside a span stay allowed (``py torch``).

The candidate rule, which the index implements exactly and the tests check against a
brute-force scan: a span of Chinese characters (contiguous tokens, whitespace allowed
between them, never punctuation) of ``m-1`` (for ``m >= 3``), ``m`` or ``m+1`` characters,
for a target of ``m`` syllables, is a candidate when (1) it holds two characters at most
two apart whose *coarse keys* (toneless syllables with z/zh, c/ch, s/sh, n/l/r, f/h and
-n/-ng merged) equal those of two target syllables at most two apart, in the same order,
or, in a lexicon of at most :data:`SINGLE_ANCHOR_MAX_TARGETS` pinyin targets, when (1')
one of its characters has the coarse key of one of the target's syllables (a real
recognizer often gets one syllable of a name right and the other only near: 腾讯 heard
as 同讯), and (2) its phonetic distance per target syllable is at most ``max_distance``.
The index posts every target's coarse key pairs (and, for small lexicons, its keys), so
the cost per utterance depends on the keys the utterance holds, not on the lexicon size.
"""

from __future__ import annotations

import gc
import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from types import ModuleType
from typing import Any

from rapidfuzz.distance import Levenshtein

from hotfuse import _scan
from hotfuse.lexicon import Hotword
from hotfuse.phonetics import (
    DEFAULT_COSTS,
    CostTable,
    SubstitutionTable,
    Syllable,
    char_readings,
    coarse_key,
    reading_ids,
    substitution_table,
    syllable,
)
from hotfuse.transcript import Transcript, is_cjk

__all__ = [
    "MAX_PHONETIC_SYLLABLES",
    "SINGLE_ANCHOR_MAX_TARGETS",
    "Candidate",
    "LexiconIndex",
    "MatchKind",
    "Segment",
    "coarse_key",
    "segments",
    "syllable_distance",
]


MAX_PHONETIC_SYLLABLES = 32
"""Longest Chinese form matched by sound (a lexicon file's limit on an entry's length);
longer ones are matched exactly, so the work per window stays bounded."""


class MatchKind(StrEnum):
    """How a candidate span was matched to its hotword."""

    PINYIN = "pinyin"
    ALIAS_PINYIN = "alias-pinyin"
    LATIN = "latin"
    ALIAS_EXACT = "alias-exact"
    SPOKEN = "spoken"  # Chinese characters ~ how a Latin hotword is said (刀客 ~ Docker)
    PHONES = "phones"  # Latin words ~ a Latin hotword by English sound (cotton ~ Kotlin)
    READING = "reading"  # Latin words read as syllables ~ a hotword (bei jing ~ 北京)


@lru_cache(maxsize=65536)
def char_info(ch: str) -> tuple[tuple[Syllable, ...], tuple[str, ...]]:
    """A character's readings as syllables and their distinct coarse keys (cached)."""
    syls = tuple(syllable(r) for r in char_readings(ch))
    return syls, tuple(sorted({coarse_key(x) for x in syls}))


class _ScanInfo(dict[str, tuple[tuple[str, ...], tuple[int, ...], int]]):
    """What the pinyin scan reads of a character, looked up in C (``_SCAN_INFO[ch]``,
    computed on first use; cleared past 65,536 characters): its coarse keys, its reading
    ids (:func:`~hotfuse.phonetics.reading_ids`; the "no reading" id when it has none)
    and its one reading id (-1 when it has several)."""

    __slots__ = ()

    def __missing__(self, ch: str) -> tuple[tuple[str, ...], tuple[int, ...], int]:
        ids = reading_ids(ch) or (substitution_table().no_reading,)
        got = (char_info(ch)[1], ids, ids[0] if len(ids) == 1 else -1)
        if len(self) >= 65536:
            self.clear()
        self[ch] = got
        return got


_SCAN_INFO = _ScanInfo()
_KERNEL_WINDOWS = 256  # windows the compiled scan's first buffers hold (it says if more)
_BANKS: dict[int, Any] = {}  # the compiled scan's character bank (0) and cost-row banks


def _is_getitem(owner: object) -> bool:
    """Whether ``owner`` is what a limit function can be the ``__getitem__`` of for the
    compiled scan: a list or a numpy array of per-hotword limits."""
    return isinstance(owner, list) or type(owner).__name__ == "ndarray"


def _char_bank(kernel: ModuleType) -> Any:
    """The compiled scan's bank of characters (what :data:`_SCAN_INFO` holds, as ids)."""
    got = _BANKS.get(0)
    if got is None:
        got = _BANKS.setdefault(0, kernel.CharBank(_SCAN_INFO.__getitem__))
    return got


def _row_bank(kernel: ModuleType, table: SubstitutionTable) -> Any:
    """The compiled scan's cost rows of ``table`` (one bank per table)."""
    got = _BANKS.get(id(table))
    if got is None or got[0] is not table:
        bank = kernel.RowBank(table.row, table.no_reading + 1)
        got = _BANKS.setdefault(id(table), (table, bank))
    return got[1]


def syllable_distance(
    hyp: Sequence[Sequence[Syllable]],
    ref: Sequence[Syllable],
    costs: CostTable = DEFAULT_COSTS,
    memo: dict[tuple[Syllable, Syllable], float] | None = None,
) -> float:
    """Weighted edit distance between hypothesis readings and target syllables.

    ``hyp[i]`` holds every reading of hypothesis character ``i``; a substitution costs the
    cheapest of them.

    >>> s = syllable
    >>> syllable_distance([[s("sha1")], [s("bai2")]], [s("sha1"), s("bai2")])
    0.0
    >>> syllable_distance([[s("sa1")], [s("bai2")]], [s("sha1"), s("bai2")])
    0.35
    """
    n, m = len(hyp), len(ref)
    indel = costs.indel_cost
    prev = [j * indel for j in range(m + 1)]
    for i in range(1, n + 1):
        cur = [i * indel] + [0.0] * m
        readings = hyp[i - 1]
        for j in range(1, m + 1):
            r = ref[j - 1]
            if not readings:
                sub = costs.max_cost
            elif memo is None:
                sub = min(costs.cost(h, r) for h in readings)
            else:
                sub = costs.max_cost
                for h in readings:
                    c = memo.get((h, r))
                    if c is None:
                        c = memo[(h, r)] = costs.cost(h, r)
                    if c < sub:
                        sub = c
            cur[j] = min(prev[j - 1] + sub, prev[j] + indel, cur[j - 1] + indel)
        prev = cur
    return round(prev[m], 6)


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of tokens with no punctuation between them (whitespace allowed).

    ``units[i]`` is the character span (start, end) of unit ``i`` in the text; for Chinese
    runs a unit is one character, for Latin runs one word.
    """

    latin: bool
    units: tuple[tuple[int, int], ...]


def segments(transcript: Transcript) -> list[Segment]:
    """Split a transcript into Chinese runs and Latin runs, broken by punctuation.

    >>> t = Transcript.from_text("我用 py torch，很好")
    >>> [(s.latin, s.units) for s in segments(t)]
    [(False, ((0, 1), (1, 2))), (True, ((3, 5), (6, 11))), (False, ((12, 13), (13, 14)))]
    """
    text = transcript.text
    n = len(text)
    if len(transcript.spans) == n and _CJK_ONLY.fullmatch(text) is not None:
        # Chinese characters only, one a token (the spans are increasing): one run
        return [Segment(False, tuple(zip(range(n), range(1, n + 1), strict=True)))]
    out: list[Segment] = []
    cur: list[tuple[int, int]] = []
    cur_latin = False
    prev_end = -1

    def flush() -> None:
        if cur:
            out.append(Segment(cur_latin, tuple(cur)))
            cur.clear()

    for s, e in transcript.spans:
        if e - s == 1:  # the usual token: one character
            cjk = is_cjk(text[s])
            mixed = False
        else:
            cjk = all(is_cjk(ch) for ch in text[s:e])
            mixed = not cjk and any(is_cjk(ch) for ch in text[s:e])
        # Latin units are whole tokens; CJK tokens contribute one unit per character
        # (word-level frontends may put several characters in one token).
        if prev_end < 0:
            joinable = False
        elif prev_end == s:
            joinable = True
        else:
            gap = text[prev_end:s]
            joinable = all(ch.isspace() or (cur_latin and ch in "-.") for ch in gap)
        if mixed:
            flush()  # mixed token (rare): never part of a candidate
            prev_end = e
            continue
        if not cur or not joinable or cur_latin == cjk:
            flush()
            cur_latin = not cjk
        if cjk:
            cur.extend((i, i + 1) for i in range(s, e))
        else:
            cur.append((s, e))
        prev_end = e
    flush()
    return out


def _word_char(ch: str) -> bool:
    """A Latin (alphabetic-script) letter or digit, full-width and compatibility forms too."""
    return any(c.isalnum() and not is_cjk(c) for c in _nfkc(ch))


_JOINERS = "'.’"  # inside a word between two letters or digits (don't, 3.5, node.js)


def _boundary(text: str, i: int) -> bool:
    """Whether offset ``i`` of ``text`` is a word boundary (not inside a Latin word, as
    :func:`~hotfuse.transcript.tokenize` reads words: ``torch.AI`` is one word)."""
    if i <= 0 or i >= len(text):
        return True
    before, after = text[i - 1], text[i]
    if _word_char(before) and _word_char(after):
        return False
    if before in _JOINERS and i >= 2 and _word_char(text[i - 2]) and _word_char(after):
        return False
    return not (
        after in _JOINERS and i + 1 < len(text) and _word_char(before) and _word_char(text[i + 1])
    )


def _nfkc(ch: str) -> str:
    """Full-width and compatibility forms folded (``Ｐ`` -> ``P``); ASCII as it is."""
    return ch if ch.isascii() else unicodedata.normalize("NFKC", ch)


#: A string of characters that :func:`~hotfuse.transcript.is_cjk` accepts, all of them
#: (its ranges; tests/test_match.py checks the two agree on every code point).
_CJK_ONLY = re.compile(
    "[\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002ebef\uf900-\ufaff"
    "\u3040-\u30ff\uac00-\ud7af\u3007]+"
)


def _letters(text: str) -> str:
    """Lower-cased letters and digits, full-width folded (``Py-Torch`` -> ``pytorch``)."""
    return "".join(c for ch in text for c in _nfkc(ch).lower() if c.isalnum())


@dataclass(frozen=True, slots=True)
class Target:
    """One compiled form of a hotword (its text or an alias)."""

    hotword: int
    form: str
    kind: MatchKind
    syllables: tuple[Syllable, ...] = ()
    letters: str = ""
    cost: float = 0.0  # generation cost of a spoken form, added to the match distance
    phones: tuple[str, ...] = ()  # English phones of a PHONES target
    note: str = ""  # where a spoken form came from, for explanations


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span that may be replaced by a hotword, with its match evidence.

    ``start``/``end`` are half-open character offsets into the transcript text.
    ``distance`` is the phonetic (or letter) distance per target unit in [0, ~1.2];
    ``score``, ``accepted`` and ``reason`` are filled by the fuser.
    """

    start: int
    end: int
    original: str
    hotword: str
    kind: MatchKind
    distance: float
    n_units: int
    span_units: int
    target: str
    score: float = math.nan
    probability: float = math.nan
    confidence: float | None = None
    accepted: bool = False
    reason: str = ""
    note: str = ""


#: Lexicons with at most this many pinyin targets anchor windows on single syllables too.
SINGLE_ANCHOR_MAX_TARGETS = 64


class _Split:
    """The pinyin targets of an index under one distance ceiling, in two kinds.

    A target is *tight* when its largest distance bound (``min(max_distance, ceiling)``
    times its syllables, less a spoken form's cost) is below the indel cost and below
    the cheapest substitution of any of its syllables by a reading of another coarse key
    (:meth:`~hotfuse.phonetics.SubstitutionTable.floor`). A window within the bound then
    has no indel and every character's coarse key in place, so it starts at a character
    pair holding the target's first two keys: the tight targets are looked up there alone
    (``heads``). The other targets go through the pair and single-key postings, which
    :meth:`pairs` and :meth:`singles` restrict to them (key by key, on first use).
    ``heads_of``, ``pairs_of`` and ``singles_of`` are what the scan calls: the index's own
    postings' lookups when no target (or every target) is tight, as in a short list.
    """

    __slots__ = (
        "_heads",
        "_pairs",
        "_singles",
        "any_tight",
        "cheapest",
        "heads_of",
        "index",
        "kernel_tight",
        "keys_of",
        "pairs_of",
        "singles_of",
        "tight",
    )

    def __init__(self, index: LexiconIndex, ceiling: Sequence[float] | None) -> None:
        self.index = index
        md = index.max_distance
        indel = index.costs.indel_cost
        tight = bytearray(len(index.targets))
        for t, (_rows, m, h, extra, floor) in index._pinyin.items():
            limit = md if ceiling is None else min(md, ceiling[h])
            bound = limit * m - extra + 1e-9
            if bound < floor and bound < indel:
                tight[t] = 1
        self.tight = tight
        self.kernel_tight: Any = None  # tight as a numpy array, for the compiled scan
        self._heads = _Restricted(index._heads, tight, 1)
        self._pairs = _Restricted(index._pair_targets, tight, 0)
        self._singles = _Restricted(index._single_targets, tight, 0)
        self.keys_of = _TargetKeys(index)
        self.cheapest = _Cheapest(index._pinyin)
        n_tight = sum(tight)
        self.any_tight = n_tight > 0
        none: dict[Any, tuple[int, ...]] = {}
        # a dict subclass's own __getitem__ falls back on __missing__ (and runs in C)
        self.heads_of: Callable[[tuple[str, str]], Sequence[int] | None] = self._heads.__getitem__
        self.pairs_of: Callable[[tuple[str, str]], Sequence[int] | None] = self._pairs.__getitem__
        self.singles_of: Callable[[str], Sequence[int] | None] = self._singles.__getitem__
        if n_tight == 0:
            self.pairs_of = index._pair_targets.get
            self.singles_of = index._single_targets.get
        elif n_tight == len(index._pinyin):
            self.heads_of = index._heads.get
            self.pairs_of = self.singles_of = none.get

    def heads(self, key: tuple[str, str]) -> tuple[int, ...]:
        """Tight targets whose first two coarse keys are ``key``."""
        return self._heads[key]

    def pairs(self, key: tuple[str, str]) -> tuple[int, ...]:
        """The other targets posted under the key pair ``key``."""
        return self._pairs[key]

    def singles(self, key: str) -> tuple[int, ...]:
        """The other targets holding the coarse key ``key`` (small lexicons only)."""
        return self._singles[key]


class _Cheapest(dict[int, "_CheapestOf"]):
    """Per pinyin target (``d[t]``, on first use; the last 1,024 kept): its
    :class:`_CheapestOf`."""

    __slots__ = ("pinyin",)

    def __init__(
        self, pinyin: Mapping[int, tuple[tuple[list[float], ...], int, int, float, float]]
    ) -> None:
        super().__init__()
        self.pinyin = pinyin

    def __missing__(self, t: int) -> _CheapestOf:
        got = _CheapestOf(self.pinyin[t][0])
        if len(self) >= _CHEAPEST_KEPT:
            self.clear()
        self[t] = got
        return got


class _CheapestOf(dict[int, float]):
    """For one target (its syllables' cost ``rows``): a reading id's cheapest substitution
    for any of its syllables (``d[r]``, on first use)."""

    __slots__ = ("rows",)

    def __init__(self, rows: tuple[list[float], ...]) -> None:
        super().__init__()
        self.rows = rows

    def __missing__(self, r: int) -> float:
        got = min([row[r] for row in self.rows])
        self[r] = got
        return got


_CHEAPEST_KEPT = 1024
_POSTING_LOCK = threading.Lock()  # builds of postings made on first use


class _TargetKeys(dict[int, tuple[str, ...]]):
    """A pinyin target's coarse keys, syllable by syllable (``d[t]``, on first use)."""

    __slots__ = ("index",)

    def __init__(self, index: LexiconIndex) -> None:
        super().__init__()
        self.index = index

    def __missing__(self, t: int) -> tuple[str, ...]:
        got = self.index._syllable_keys(self.index.targets[t])
        self[t] = got
        return got


@contextmanager
def paused_gc() -> Iterator[None]:
    """Build a large structure without the cyclic garbage collector looking at it.

    A compile makes no reference cycles, but it makes 100,000s of container objects: with
    the collector on, young-generation passes over them took half the time of a
    50,000-term compile, and pausing it only defers one pass over all of them (0.24 s at
    50,000 terms) to the first allocation after. So the collector is off inside, and on
    the way out what was made meanwhile goes straight to the oldest generation
    (``gc.freeze()`` then ``gc.unfreeze()``), which full collections still visit. Nested
    or with the collector already off, it does nothing; it leaves alone a process that
    froze objects itself (``gc.get_freeze_count()``), whose frozen set must stay frozen.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        gc.enable()


class _Restricted(dict[Any, tuple[int, ...]]):
    """Postings of ``source`` restricted to the targets ``t`` with ``flags[t] == keep``,
    key by key on first look-up (``d[key]``; an absent key is kept as ``()``)."""

    __slots__ = ("flags", "keep", "source")

    def __init__(self, source: Mapping[Any, Sequence[int]], flags: bytearray, keep: int) -> None:
        super().__init__()
        self.source = source
        self.flags = flags
        self.keep = keep

    def __missing__(self, key: Any) -> tuple[int, ...]:
        flags, keep = self.flags, self.keep
        got = tuple(t for t in self.source.get(key, ()) if flags[t] == keep)
        self[key] = got
        return got


class LexiconIndex:
    """Compiled hotwords: targets, coarse-key pair postings, exact forms.

    Build once per lexicon; :meth:`candidates` is read-only and thread-safe.
    """

    def __init__(
        self,
        hotwords: Sequence[Hotword],
        *,
        costs: CostTable = DEFAULT_COSTS,
        max_distance: float = 0.5,
        latin_max_distance: float = 0.25,
        spoken: bool = True,
        phone_max_distance: float = 0.25,
        reading: bool = True,
        _targets: Sequence[Target] | None = None,
    ) -> None:
        with paused_gc():
            self._build(
                hotwords,
                costs=costs,
                max_distance=max_distance,
                latin_max_distance=latin_max_distance,
                spoken=spoken,
                phone_max_distance=phone_max_distance,
                reading=reading,
                targets=_targets,
            )

    def _build(
        self,
        hotwords: Sequence[Hotword],
        *,
        costs: CostTable,
        max_distance: float,
        latin_max_distance: float,
        spoken: bool,
        phone_max_distance: float,
        reading: bool = True,
        targets: Sequence[Target] | None = None,
    ) -> None:
        from hotfuse.phonetics import hotword_pinyin

        self._reading = reading

        self.hotwords = tuple(hotwords)
        self.costs = costs
        self.max_distance = max_distance
        self.latin_max_distance = latin_max_distance
        self.phone_max_distance = phone_max_distance
        self._table = substitution_table(costs)
        self.targets: list[Target] = []
        # per pinyin target: its syllables' cost rows, length, hotword, generation cost and
        # the cheapest substitution of any of its syllables by another coarse key
        self._pinyin: dict[int, tuple[tuple[list[float], ...], int, int, float, float]] = {}
        self._pair_targets: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._heads: dict[tuple[str, str], list[int]] = defaultdict(list)  # first two keys
        self.singles: dict[str, list[int]] = defaultdict(list)
        self._splits: dict[int, tuple[object, _Split]] = {}
        self._arrays: Any = None  # what the compiled scan reads (_kernel_arrays)
        self.latin_targets: list[int] = []
        self.phone_targets: list[int] = []
        # a hotword's letters, for its phone targets (only ASCII terms have those)
        self._hw_letters = [_letters(hw.text) if hw.text.isascii() else "" for hw in self.hotwords]
        # per target syllable: its cost row, floor and coarse key (shared by every index
        # of these costs: a new list of 3-5 words mostly finds its syllables there)
        self._syllable_info = self._table.infos
        self._phone_pairs: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.exact_forms: dict[str, list[int]] = defaultdict(list)
        self._by_text: dict[str, int] = {}
        for h, hw in enumerate(self.hotwords):
            self._by_text.setdefault(hw.text, h)
        self._lengths = sorted({len(t) for t in self._by_text})
        # Han characters only, per hotword (the regex is asked once, here)
        cjk_only = [_CJK_ONLY.fullmatch(hw.text) is not None for hw in self.hotwords]
        # Postings for reading Latin words as syllables (:meth:`_finish_readings`): the
        # pinyin targets of hotwords holding Han characters, posted as they are added
        # (:meth:`_post_pinyin` has their keys at hand).
        self._reading_han = [
            c or any(is_cjk(ch) for ch in hw.text)
            for c, hw in zip(cjk_only, self.hotwords, strict=True)
        ]
        # built on first use (:meth:`_reading_postings`): only a transcript holding a
        # Latin word asks for them, and a catalogue posts each target three times
        self._reading_pairs: dict[tuple[str, str], list[tuple[int, int]]] | None = None
        self._reading_longest = 0
        if targets is not None:  # read back (from_state): the compiled forms, in order
            for target in targets:
                self._register(target)
            self._finish()
            return
        for h, hw in enumerate(self.hotwords):
            if hw.weight <= 0:
                continue
            cjk = cjk_only[h]
            if not cjk and (
                any(is_cjk(ch) for ch in hw.text)
                and any(ch.isalnum() and not is_cjk(ch) for ch in hw.text)
            ):
                # mixed script (B站, iPhone 15 手机): no phonetic target, but its case-,
                # width- and space-variants (b站, Ｂ 站) are the same word
                self._add_exact(hw.text, h)
            self._add_target(h, hw, hw.text, False, hotword_pinyin, cjk)
            for form in hw.aliases:
                self._add_exact(form, h)
                self._add_target(h, hw, form, True, hotword_pinyin)
            if spoken and not cjk:  # a Chinese term has no spoken forms (_add_spoken)
                self._add_spoken(h, hw)
        self._finish()

    def _finish(self) -> None:
        """Postings made once every target is in, from the keys of their syllables.

        Small lexicons (the 3-5 words of a call, a category list) also anchor a window
        on ONE syllable whose coarse key matches: a real recognizer often gets one
        syllable of a two-syllable name right and the other only near (腾讯 heard as 同讯:
        teng/tong share no coarse key), which no key pair can find. A catalogue would
        propose too many windows this way, so it keeps pair anchors only. There, too, the
        pinyin targets of hotwords holding Han characters are posted under each coarse
        key for reading Latin words as syllables (:meth:`_reading_candidates`; a Latin
        hotword has its letter and sound matchers for Latin words, its spoken forms for
        Chinese); their key-pair postings wait for the first Latin word
        (:meth:`_reading_postings`).
        """
        self._single_targets: dict[str, tuple[int, ...]] = {}
        self._reading_singles: dict[str, list[int]] = defaultdict(list)
        if len(self._pinyin) <= SINGLE_ANCHOR_MAX_TARGETS:
            singles, reading = self.singles, self._reading_singles
            targets, han = self.targets, self._reading_han
            for t in self._pinyin:
                target = targets[t]
                keys = dict.fromkeys(self._syllable_keys(target))
                for key in keys:
                    singles[key].append(t)
                if han[target.hotword]:
                    for key in keys:
                        reading[key].append(t)
            self._single_targets = {k: tuple(v) for k, v in singles.items()}
        longest = self._reading_longest
        self._reading_max_len = longest + 1
        self._reading_ok = self._reading and longest > 0

    def _reading_postings(self) -> dict[tuple[str, str], list[tuple[int, int]]]:
        """The pinyin targets of hotwords holding Han characters, under each coarse-key
        pair with the place of its first syllable (:func:`_post_reading`), in target
        order. Built once, for the first transcript holding a Latin word: a compile of
        50,000 terms spent a sixth of its time posting them, for transcripts that may
        never hold one. Thread-safe: built under a lock and published whole."""
        got = self._reading_pairs
        if got is not None:
            return got
        with _POSTING_LOCK, paused_gc():
            if self._reading_pairs is None:
                pairs: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
                han, targets = self._reading_han, self.targets
                for t in self._pinyin:
                    target = targets[t]
                    if han[target.hotword]:
                        _post_reading(pairs, t, self._syllable_keys(target))
                self._reading_pairs = pairs
            return self._reading_pairs

    def state(self) -> list[list[Any]]:
        """The compiled targets as JSON-ready lists, in order (:meth:`from_state` reads
        them back; the compiled-lexicon cache stores them)."""
        return [
            [
                t.hotword,
                t.form,
                t.kind.value,
                [list(s) for s in t.syllables],
                t.letters,
                t.cost,
                list(t.phones),
                t.note,
            ]
            for t in self.targets
        ]

    @classmethod
    def from_state(
        cls, hotwords: Sequence[Hotword], state: Sequence[Any], **params: Any
    ) -> LexiconIndex:
        """The index :meth:`state` was taken from, given the same ``hotwords`` and
        parameters (``costs``, ``max_distance``...): no pinyin, no spoken form is computed
        again, the postings are rebuilt from the targets.

        Raises:
            ValueError: ``state`` is not what :meth:`state` writes (a damaged cache).

        >>> from hotfuse.lexicon import coerce_hotwords
        >>> idx = LexiconIndex(coerce_hotwords(["伊丽莎白", "PyTorch"]))
        >>> again = LexiconIndex.from_state(idx.hotwords, idx.state())
        >>> again.targets == idx.targets and again.state() == idx.state()
        True
        """
        targets: list[Target] = []
        n = len(hotwords)
        try:
            for row in state:
                h, form, kind, syls, letters, cost, phones, note = row
                kind = MatchKind(kind)
                syllables = tuple((str(i), str(f), int(tone)) for i, f, tone in syls)
                ok = isinstance(h, int) and 0 <= h < n and isinstance(form, str)
                if not ok or (kind in _PINYIN_KINDS and len(syllables) < 2):
                    msg = f"bad target {row!r:.80}"
                    raise ValueError(msg)
                phone_t = tuple(str(x) for x in phones)
                targets.append(
                    Target(h, form, kind, syllables, str(letters), float(cost), phone_t, str(note))
                )
        except (TypeError, ValueError) as exc:
            msg = f"not a compiled lexicon index state: {exc}"
            raise ValueError(msg) from None
        return cls(hotwords, _targets=targets, **params)

    def _add_exact(self, form: str, h: int) -> None:
        self._register(Target(h, form, MatchKind.ALIAS_EXACT, letters=_fold(form)))

    def _register(self, target: Target) -> None:
        """Append a compiled target and post it where its kind is looked up (the one path
        of every target, whether compiled here or read back by :meth:`from_state`)."""
        kind = target.kind
        if kind in _PINYIN_KINDS:
            self._post_pinyin(target)
            return
        t = len(self.targets)
        if kind == MatchKind.ALIAS_EXACT:
            self.exact_forms[target.letters].append(t)
        elif kind == MatchKind.LATIN:
            self.latin_targets.append(t)
        elif kind == MatchKind.PHONES:
            self.phone_targets.append(t)
            for key in _phone_keys(target.phones):
                self._phone_pairs[key].append(t)
        else:  # pragma: no cover - every kind is handled above
            msg = f"unknown target kind {kind!r}"
            raise ValueError(msg)
        self.targets.append(target)

    def _post_pinyin(self, target: Target) -> None:
        t = len(self.targets)
        self.targets.append(target)
        syls = target.syllables
        info = self._syllable_info
        try:
            got = list(map(info.__getitem__, syls))
        except KeyError:  # a syllable no target of this index has had yet
            got = [info.get(s) or self._table.info(s) for s in syls]
        rows, floors, keys = zip(*got, strict=True)
        n = len(syls)
        self._pinyin[t] = (rows, n, target.hotword, target.cost, min(floors))
        # the distinct key pairs one and two apart, in the order (0, 1), (1, 2)... (0, 2),
        # (1, 3)...; written out for the two- and three-syllable targets of most lexicons
        posting = self._pair_targets
        if n == 3:
            k0, k1, k2 = keys
            head, b, c = (k0, k1), (k1, k2), (k0, k2)
            posting[head].append(t)
            if b != head:
                posting[b].append(t)
            if c != head and c != b:
                posting[c].append(t)
        elif n == 2:
            head = keys
            posting[head].append(t)
        else:
            pairs = [*pairwise(keys), *zip(keys, keys[2:], strict=False)]
            head = pairs[0]
            for pair in dict.fromkeys(pairs):
                posting[pair].append(t)
        self._heads[head].append(t)
        if n > self._reading_longest and self._reading_han[target.hotword]:
            self._reading_longest = n

    def _syllable_keys(self, target: Target) -> tuple[str, ...]:
        """The coarse keys of a pinyin target's syllables, in order (from the syllable
        infos its posting filled)."""
        info = self._syllable_info
        return tuple([info[x][2] for x in target.syllables])

    def _add_spoken(self, h: int, hw: Hotword) -> None:
        """Targets for how a Latin (or mixed Latin-Han) hotword is said: pinyin forms (for
        Chinese text) and English phone forms (for Latin text), generated and/or given in
        ``hw.spoken``."""
        if _CJK_ONLY.fullmatch(hw.text) is not None:  # no Latin letter: neither kind of term
            return
        from hotfuse import english

        if not (english.is_latin_term(hw.text) or english.is_mixed_term(hw.text)):
            return
        pinyin_forms, phone_forms = english.hotword_spoken(hw.text, hw.spoken, hw.auto_spoken)
        for f in pinyin_forms:
            syls = f.syllables
            if 2 <= len(syls) <= MAX_PHONETIC_SYLLABLES:
                note = f"{f.source} {f.phones}".strip()
                self._post_pinyin(
                    Target(h, f.pinyin, MatchKind.SPOKEN, syllables=syls, cost=f.cost, note=note)
                )
        for pf in phone_forms:
            if len(pf.phones) < 3:
                continue  # too short to tell apart from ordinary words by sound
            note = f"{pf.source} {' '.join(pf.phones)}"
            self._register(
                Target(
                    h,
                    " ".join(pf.phones),
                    MatchKind.PHONES,
                    phones=pf.phones,
                    cost=pf.cost,
                    note=note,
                )
            )

    def _add_target(
        self,
        h: int,
        hw: Hotword,
        form: str,
        is_alias: bool,
        pinyin_of: object,
        cjk: bool | None = None,
    ) -> None:
        """Compile one form of hotword ``h`` (``cjk``: whether it is Han characters only,
        when the caller knows)."""
        if cjk is None:
            cjk = _CJK_ONLY.fullmatch(form) is not None
        if cjk and len(form) > MAX_PHONETIC_SYLLABLES:
            if not is_alias:  # an alias is an exact form already
                self._add_exact(form, h)
        elif cjk and len(form) >= 2:
            if not is_alias and hw.pinyin is not None and len(hw.pinyin) == len(form):
                readings = hw.pinyin
            else:
                readings = pinyin_of(form)  # type: ignore[operator]
            syls = tuple(map(syllable, readings))
            kind = MatchKind.ALIAS_PINYIN if is_alias else MatchKind.PINYIN
            self._post_pinyin(Target(h, form, kind, syls))
        elif all(ch.isalnum() or ch in " -.'" for ch in form) and not any(
            is_cjk(ch) for ch in form
        ):
            letters = _letters(form)
            if len(letters) >= 2:
                self._register(Target(h, form, MatchKind.LATIN, letters=letters))

    # ------------------------------------------------------------------ matching
    def candidates(
        self,
        transcript: Transcript,
        limit: Callable[[int], float] | None = None,
        ceiling: Sequence[float] | None = None,
    ) -> list[Candidate]:
        """All candidate spans for this transcript (unscored), deduplicated.

        ``limit(h)`` may lower the distance limit of hotword ``h``'s pinyin and Latin
        targets below ``max_distance``; the fuser passes the largest distance at which a
        hotword could still reach its threshold, so hopeless windows stop early. One limit
        serves all of a hotword's targets, so the candidate kept for a span is the one it
        would be without limits whenever that one can still be accepted.

        ``ceiling[h]``, when given, is at least ``limit(h)`` for every transcript (the
        fuser keeps one such table per threshold). Pinyin targets whose every window
        within the ceiling must have each character's coarse key in place are then
        looked up by their first two keys alone (:class:`_Split`): the same candidates,
        far fewer windows for a large lexicon.
        """
        text = transcript.text
        found: dict[tuple[int, int, int], Candidate] = {}
        segs = segments(transcript)
        split: _Split | None = None
        for seg in segs:
            if seg.latin:
                self._latin_candidates(text, seg, found, limit)
            elif len(seg.units) >= 2:
                if split is None:
                    split = self._split(ceiling)
                self._pinyin_candidates(text, seg, found, limit, split)
        if self._reading_ok and any(seg.latin for seg in segs):
            self._reading_candidates(text, segs, found)
        self._exact_candidates(text, found)
        return sorted(found.values(), key=lambda c: (c.start, c.end, c.hotword))

    def _split(self, ceiling: Sequence[float] | None) -> _Split:
        """The :class:`_Split` of this ceiling (kept per ceiling object, 64 at most)."""
        key = 0 if ceiling is None else id(ceiling)
        got = self._splits.get(key)
        if got is not None and got[0] is ceiling:
            return got[1]
        split = _Split(self, ceiling)
        if len(self._splits) >= 64:
            self._splits.clear()
        self._splits[key] = (ceiling, split)
        return split

    def _pinyin_candidates(
        self,
        text: str,
        seg: Segment,
        found: dict[tuple[int, int, int], Candidate],
        limit_of: Callable[[int], float] | None,
        split: _Split,
    ) -> None:
        kernel = _scan.compiled_scan()
        if kernel is not None and (
            limit_of is None or _is_getitem(getattr(limit_of, "__self__", None))
        ):  # no limits, or a table's or an array's (see _pinyin_compiled)
            self._pinyin_compiled(kernel, text, seg, found, limit_of, split)
            return
        units = seg.units
        n = len(units)
        # per character: coarse keys, reading ids (the sentinel id of "no reading" costs
        # max_cost) and ``one[i]``, the id when there is one reading, else -1 (take the
        # cheapest)
        keys: tuple[tuple[str, ...], ...]
        ids: tuple[tuple[int, ...], ...]
        one: tuple[int, ...]
        keys, ids, one = zip(*map(_SCAN_INFO.__getitem__, [text[s] for s, _ in units]), strict=True)
        pinyin = self._pinyin
        max_distance = self.max_distance
        # (start, end, hotword) -> (distance, kind rank, syllables, target, span units):
        # the smallest wins; ties go as the reference scan has them (fewer syllables first,
        # then the earlier target)
        best: dict[tuple[int, int, int], tuple[float, int, int, int, int]] = {}

        def note(a: int, length: int, t: int, dist: float, m: int) -> None:
            h = pinyin[t][2]
            key = (units[a][0], units[a + length - 1][1], h)
            new = (round(dist, 6), _KIND_RANK[self.targets[t].kind], m, t, length)
            old = best.get(key)
            if old is None or new < old:
                best[key] = new

        # Tight targets: every window within the bound holds the target's keys in place,
        # so it starts where a character pair holds the first two.
        heads = split.heads_of
        for p in range(n - 1 if split.any_tight else 0):
            for k1 in keys[p]:
                for k2 in keys[p + 1]:
                    for t in heads((k1, k2)) or ():
                        rows, m, h, extra, _floor = pinyin[t]
                        if p + m > n:
                            continue
                        limit = max_distance
                        if limit_of is not None:
                            lo = limit_of(h)
                            if lo < limit:
                                limit = lo
                            if limit < 0:
                                continue
                        bound = limit * m - extra + 1e-9
                        if bound < 0:
                            continue
                        d = 0.0
                        for j in range(m):
                            r = one[p + j]
                            row = rows[j]
                            d = d + (row[r] if r >= 0 else min(map(row.__getitem__, ids[p + j])))
                            if d > bound:
                                break
                        else:
                            dist = (round(d, 6) + extra) / m
                            if dist <= limit + 1e-9:
                                note(p, m, t, dist, m)
        # The other targets: every window holding one of their key pairs (or keys). A
        # small lexicon anchors on single keys, and a window holding a key pair holds
        # both keys, so its pair postings would add no window: they are skipped there.
        anchors: dict[int, list[tuple[int, int]]] = {}
        if self._single_targets:
            singles = split.singles_of
            for p in range(n):
                for k1 in keys[p]:
                    for t in singles(k1) or ():
                        got = anchors.get(t)
                        if got is None:
                            anchors[t] = [(p, p)]
                        else:
                            got.append((p, p))
        else:
            pairs = split.pairs_of
            for p in range(n):
                kp = keys[p]
                if not kp:
                    continue
                for q in (p + 1, p + 2):
                    if q >= n:
                        break
                    for k1 in kp:
                        for k2 in keys[q]:
                            posting = pairs((k1, k2))
                            if posting:
                                pq = (p, q)
                                for t in posting:
                                    got = anchors.get(t)
                                    if got is None:
                                        anchors[t] = [pq]
                                    else:
                                        got.append(pq)
        indel = self.costs.indel_cost
        single = bool(self._single_targets)
        for t, pqs in anchors.items():
            rows, m, h, extra, floor = pinyin[t]
            limit = max_distance
            if limit_of is not None:
                lo = limit_of(h)
                if lo < limit:
                    limit = lo
                if limit < 0:
                    continue
            bound = limit * m - extra + 1e-9
            if bound < 0:
                continue
            if bound < indel:
                # No path with an indel fits under the bound: only windows as long as the
                # hotword, and a window's distance is its diagonal (the same sum, in the
                # same order, as the DP's last cell).
                if m > n:
                    continue
                starts: set[int] = set()
                # A character without a reading of its syllable's coarse key costs the
                # target's floor at least, so a window within the bound has at most
                # ``e`` of them. When that leaves an anchor in place (some character, or
                # in a catalogue two at most two apart, holding the keys of the target
                # syllables they stand for), the window starts where some anchor does:
                # at ``p - j`` for an anchor ``(p, q)`` holding keys ``j`` and ``j + q - p``.
                e = int((bound + 1e-6) // floor) if floor > 0 else m
                if (e < m) if single else (m - e > -(-m // 3)):
                    tk = split.keys_of[t]
                    for p, q in pqs:
                        g = q - p
                        kp, kq = keys[p], keys[q]
                        for j in range(max(0, p - n + m), min(p, m - 1 - g) + 1):
                            if tk[j] in kp and tk[j + g] in kq:
                                starts.add(p - j)
                else:
                    for p, q in pqs:
                        starts.update(range(max(0, q - m + 1), min(p, n - m) + 1))
                for a in sorted(starts):
                    d = 0.0
                    for j in range(m):
                        r = one[a + j]
                        row = rows[j]
                        d = d + (row[r] if r >= 0 else min(map(row.__getitem__, ids[a + j])))
                        if d > bound:
                            break
                    else:
                        dist = (round(d, 6) + extra) / m
                        if dist <= limit + 1e-9:
                            note(a, m, t, dist, m)
                continue
            # per start, the window lengths it is asked for (a bit mask)
            masks: dict[int, int] = {}
            for length in (m - 1, m, m + 1):
                if length < 2 or (length == m - 1 and m < 3) or length > n:
                    continue
                if abs(length - m) * indel > bound:
                    continue  # a length difference costs an indel each
                bit = 1 << length
                for p, q in pqs:
                    for a in range(max(0, q - length + 1), min(p, n - length) + 1):
                        masks[a] = masks.get(a, 0) | bit
            if not masks:
                continue
            # Per position from the first start on, the least its character adds to an
            # alignment (dropped: an indel; kept: its cheapest substitution for any target
            # syllable), summed: a lower bound of every window's distance.
            firsts = sorted(masks)
            a0 = firsts[0]
            end = min(n, firsts[-1] + max(masks.values()).bit_length() - 1)
            cheapest = split.cheapest[t]
            acc = [0.0]
            total = 0.0
            for i in range(a0, end):
                r = one[i]
                c = cheapest[r] if r >= 0 else min(map(cheapest.__getitem__, ids[i]))
                total += c if c < indel else indel
                acc.append(total)
            # An alignment within the bound holds at most ``k`` indels (the margin keeps
            # every distance the caller could accept, whatever the rounding).
            k = int((bound + 1e-6) // indel)
            over = bound + 1e-6
            # subs[i - base][j]: the substitution cost of character i for target syllable
            # j, from the first start that passes on
            subs: list[list[float]] = []
            base = -1
            for a in firsts:
                mask = masks[a]
                shortest = (mask & -mask).bit_length() - 1
                if acc[a - a0 + shortest] - acc[a - a0] > over:
                    continue  # even the shortest window costs more, so do the longer ones
                longest = mask.bit_length() - 1
                if base < 0:
                    base = a
                for i in range(base + len(subs), a + longest):
                    r = one[i]
                    if r >= 0:
                        subs.append([row[r] for row in rows])
                    else:
                        cols = [[row[x] for row in rows] for x in ids[i]]
                        subs.append(list(map(min, *cols)))
                for length, d in _banded_dp(subs, a - base, longest, m, k, indel, bound):
                    if not mask >> length & 1:
                        continue
                    dist = (round(d, 6) + extra) / m
                    if dist <= limit + 1e-9:
                        note(a, length, t, dist, m)
        self._keep_best(found, text, best)

    def _keep_best(
        self,
        found: dict[tuple[int, int, int], Candidate],
        text: str,
        best: dict[tuple[int, int, int], tuple[float, int, int, int, int]],
    ) -> None:
        for (start, end, _h), (_d, _rank, m, t, length) in best.items():
            self._keep(found, text, start, end, self.targets[t], _d, m, length)

    def _pinyin_compiled(
        self,
        kernel: ModuleType,
        text: str,
        seg: Segment,
        found: dict[tuple[int, int, int], Candidate],
        limit_of: Callable[[int], float] | None,
        split: _Split,
    ) -> None:
        """:meth:`_pinyin_candidates` with the window scan compiled
        (:mod:`hotfuse._scan_kernel`): the kernel gives each window it would keep with
        its unrounded distance, and the last test (``round(d, 6)``, as CPython rounds)
        and the choice per span are made here, as the Python scan makes them.
        ``limit_of`` is None or the ``__getitem__`` of a list (the fuser's per-hotword
        table, handed to the kernel as an array) or of a numpy array (the fuser's limits
        with confidences)."""
        arrays = self._arrays
        if arrays is None:
            arrays = self._kernel_arrays(kernel)
        units = seg.units
        cid, chars = _char_bank(kernel).ids_of([text[s] for s, _ in units])
        tight = split.kernel_tight
        if tight is None:
            tight = split.kernel_tight = kernel.np.frombuffer(split.tight, kernel.np.uint8)
        table = None if limit_of is None else limit_of.__self__  # type: ignore[attr-defined]
        limits = arrays.limits(table)
        cost = _row_bank(kernel, self._table).matrix
        cap = _KERNEL_WINDOWS
        while True:
            oi, od = kernel.buffers(cap)
            got = kernel.scan(
                cid, *chars, cost, arrays.ints, arrays.floats, arrays.single, tight,
                split.any_tight, limits, self.max_distance, self.costs.indel_cost, oi, od,
            )  # fmt: skip
            if got <= cap:
                break
            cap = got
        if not got:
            return
        pinyin = self._pinyin
        targets = self.targets
        max_distance = self.max_distance
        best: dict[tuple[int, int, int], tuple[float, int, int, int, int]] = {}
        for a, length, t, d in zip(*kernel.windows(oi, od, got), strict=True):
            _rows, m, h, extra, _floor = pinyin[t]
            limit = max_distance
            if limit_of is not None:
                lo = limit_of(h)
                if lo < limit:
                    limit = lo
            dist = (round(d, 6) + extra) / m
            if dist <= limit + 1e-9:
                key = (units[a][0], units[a + length - 1][1], h)
                new = (round(dist, 6), _KIND_RANK[targets[t].kind], m, t, length)
                old = best.get(key)
                if old is None or new < old:
                    best[key] = new
        self._keep_best(found, text, best)

    def _kernel_arrays(self, kernel: ModuleType) -> Any:
        """This index's :class:`hotfuse._scan_kernel.IndexArrays` (built once, under the
        postings lock)."""
        with _POSTING_LOCK:
            if self._arrays is None:
                targets = self.targets
                self._arrays = kernel.IndexArrays(
                    len(targets),
                    len(self.hotwords),
                    self._pinyin,
                    lambda t: targets[t].syllables,
                    lambda t: self._syllable_keys(targets[t]),
                    _row_bank(kernel, self._table),
                    self._heads,
                    self._single_targets,
                    self._pair_targets,
                )
            return self._arrays

    def _latin_candidates(
        self,
        text: str,
        seg: Segment,
        found: dict[tuple[int, int, int], Candidate],
        limit_of: Callable[[int], float] | None = None,
    ) -> None:
        if self.phone_targets:
            self._phone_candidates(text, seg, found, limit_of)
        if not self.latin_targets:
            return
        units = seg.units
        n = len(units)
        for a in range(n):
            if not _boundary(text, units[a][0]):
                continue  # a sub-word token (BPE piece) inside a longer word
            for b in range(a + 1, min(n, a + 4) + 1):
                start, end = units[a][0], units[b - 1][1]
                if not _boundary(text, end):
                    continue
                letters = _letters(text[start:end])
                for t in self.latin_targets:
                    target = self.targets[t]
                    lim = self.latin_max_distance
                    if limit_of is not None:
                        lim = min(lim, limit_of(target.hotword))
                    longer = max(len(letters), len(target.letters))
                    if abs(len(letters) - len(target.letters)) > lim * longer:
                        continue  # normalised distance >= length difference / longer
                    dist = Levenshtein.normalized_distance(letters, target.letters)
                    if dist <= lim:
                        self._keep(found, text, start, end, target, dist, 1, b - a)

    def _phone_candidates(
        self,
        text: str,
        seg: Segment,
        found: dict[tuple[int, int, int], Candidate],
        limit_of: Callable[[int], float] | None = None,
    ) -> None:
        """Latin words compared by English sound with Latin hotwords' phone forms.

        A window of 1-4 words is read word by word with the first reading of
        :func:`hotfuse.english.word_phones` (single letters as letter names); a phone
        target sharing a consonant-skeleton key with it (:func:`_phone_keys`) is scored
        by :func:`hotfuse.english.phone_distance` plus the form's generation cost per
        target phone. Windows start and end at word boundaries and hold two letters or
        more, not digits only; a window whose letters hold the hotword's letters and more
        (``postgresqlserver``) is not one.
        """
        from hotfuse.english import phone_distance, word_phones

        units = seg.units
        n = len(units)
        letters = [_letters(text[s:e]) for s, e in units]
        readings = [word_phones(w)[:1] if w else () for w in letters]
        targets = self.targets
        for a in range(n):
            if not _boundary(text, units[a][0]) or not readings[a]:
                continue
            hyp: tuple[str, ...] = ()
            for b in range(a + 1, min(n, a + 4) + 1):
                if not readings[b - 1]:
                    break
                hyp = hyp + readings[b - 1][0]
                start, end = units[a][0], units[b - 1][1]
                if not _boundary(text, end):
                    continue
                span_letters = "".join(letters[a:b])
                if len(span_letters) < 2 or span_letters.isdigit():
                    continue  # a lone letter or a number is no word to hear a term in
                cands: set[int] = set()
                for key in _phone_keys(hyp):
                    cands.update(self._phone_pairs.get(key, ()))
                for t in sorted(cands):
                    target = targets[t]
                    lim = self.phone_max_distance
                    if limit_of is not None:
                        lim = min(lim, limit_of(target.hotword))
                    m = len(target.phones)
                    if lim < 0 or abs(len(hyp) - m) * 0.6 > lim * m:
                        continue
                    own = self._hw_letters[target.hotword]
                    if own != span_letters and own in span_letters:
                        continue  # the hotword inside a longer word
                    extra = target.cost / m
                    dist = phone_distance(hyp, target.phones, lim - extra) + extra
                    if dist <= lim + 1e-9:
                        self._keep(found, text, start, end, target, dist, 1, b - a)

    def _reading_candidates(
        self,
        text: str,
        segs: Sequence[Segment],
        found: dict[tuple[int, int, int], Candidate],
    ) -> None:
        """Windows holding Latin words, read as Mandarin syllables, ~ syllable targets.

        Adjacent Chinese and Latin segments with only spaces between them form a run. A
        window is 1 to :data:`_READING_UNITS` units of a run that holds a Latin word with
        a letter (digits alone are a number, not a name: 第108句 stays) and starts and
        ends at word boundaries; a Chinese character is read as its readings,
        a Latin word as each of its three cheapest readings
        (:func:`hotfuse.english.latin_readings`: pinyin as spelled, English sound,
        letter names, digits; and its pinyin spelling when that is not among them), and
        the window as the :data:`_READING_BEAM` cheapest combinations (by cost, then
        syllable count, then the syllables) and the cheapest one reading every Latin word
        as spelled pinyin, when there is one and it is not among them. Windows from
        one start grow unit by unit and stop once even the shortest readings of their
        units exceed the longest target by two syllables. A target is tried on a reading
        when a coarse-key pair (or, in a small lexicon, a key) that a Latin word's
        syllable takes part in is posted for it at the same place, one syllable either
        way (the window starts where the target does; the Latin word is part of the
        evidence, not the Chinese characters alone), and the reading is as long as the
        target, one syllable either way (not shorter for a two-syllable target); it is a
        candidate when :func:`syllable_distance` plus the reading's and the target's
        generation costs, per target syllable, is at most ``max_distance``. Targets are
        those of hotwords holding Han characters (``bei jing`` ~ 北京, ``case 集群`` ~
        ``K8s 集群``): a Latin hotword has its letter and English-sound matchers for Latin
        words and its spoken forms for Chinese characters. The DP rows of a reading are
        extended from those of the reading it grew from. The fuser's distance limits
        (which know nothing of the ``reading`` prior) do not apply: readings are few.
        """
        max_len = self._reading_max_len
        for run in _runs(text, segs):
            n = len(run)
            for a in range(n):
                s0, _e0, latin0 = run[a]
                if latin0 and not _boundary(text, s0):
                    continue
                combos = [_Reading(0.0, (), (), {}, {}, "", True)]
                shortest = 0
                has_latin = False
                for b in range(a + 1, min(n, a + _READING_UNITS) + 1):
                    s, e, latin = run[b - 1]
                    if latin:
                        opts = _latin_syllables(_letters(text[s:e]))
                        if not opts:
                            break
                        has_latin = has_latin or any(ch.isalpha() for ch in text[s:e])
                        shortest += min(len(r) for _c, r, _src in opts)
                        word = text[s:e]
                        grown = sorted(
                            (
                                r.grow(c1, r1, True, f"{word}={src}", src == "pinyin")
                                for r in combos
                                for c1, r1, src in opts
                            ),
                            key=_Reading.order,
                        )
                        combos = grown[:_READING_BEAM]
                        # the window all in pinyin (how a recognizer spells a Chinese
                        # name) stays a hypothesis, however cheap English readings are
                        spelled = next((r for r in grown if r.spelled), None)
                        if spelled is not None and spelled not in combos:
                            combos.append(spelled)
                    else:
                        shortest += 1
                        readings = (char_info(text[s])[0],)
                        combos = [r.grow(0.0, readings, False, "", r.spelled) for r in combos]
                    if shortest > max_len:
                        break
                    for r in combos:
                        self._anchor(r)
                    if not has_latin or (latin and not _boundary(text, e)):
                        continue
                    for r in combos:
                        self._score_reading(text, s0, e, r, found)

    def _anchor(self, r: _Reading) -> None:
        """Add the targets anchored by the syllables ``r`` added to its parent's."""
        hyp, from_latin = r.hyp, r.from_latin
        anchored = r.anchored
        pairs, singles = self._reading_postings(), self._reading_singles
        for q in range(r.new_from, len(hyp)):
            kq = _keys(hyp[q])
            for p in (q - 2, q - 1):
                if p >= 0 and (from_latin[p] or from_latin[q]):
                    for k1 in _keys(hyp[p]):
                        for k2 in kq:
                            for t, j in pairs.get((k1, k2), ()):
                                if -1 <= p - j <= 1:  # the window starts where t would
                                    anchored.add(t)
            if singles and from_latin[q]:
                for k1 in kq:
                    anchored.update(singles.get(k1, ()))

    def _score_reading(
        self,
        text: str,
        start: int,
        end: int,
        r: _Reading,
        found: dict[tuple[int, int, int], Candidate],
    ) -> None:
        """Score the targets anchored on reading ``r`` on the window ``start..end`` (see
        :meth:`_reading_candidates`)."""
        hyp = r.hyp
        n = len(hyp)
        anchored = r.anchored
        if n < 2:
            return
        indel = self.costs.indel_cost
        cost = r.cost
        for t in sorted(anchored):
            target = self.targets[t]
            m = len(target.syllables)
            if abs(n - m) > 1 or (n < m < 3):
                continue
            limit = self.max_distance
            bound = limit * m - cost - target.cost + 1e-9
            if bound < abs(n - m) * indel:
                continue
            row = self._reading_row(r, t, target.syllables)
            if row[m] <= bound:
                dist = (round(row[m], 6) + cost + target.cost) / m
                if dist <= limit + 1e-9:
                    reading = replace(target, kind=MatchKind.READING, note=r.words)
                    self._keep(found, text, start, end, reading, dist, m, n)

    def _reading_row(self, r: _Reading, t: int, ref: tuple[Syllable, ...]) -> list[float]:
        """The last DP row of ``r.hyp`` against target ``t``'s syllables, extended from
        the row of the reading ``r`` grew from when that one has it."""
        got = r.rows.get(t)
        if got is not None:
            return got
        start = 0
        prev = r.parent_rows.get(t)
        m = len(ref)
        indel = self.costs.indel_cost
        if prev is None:
            prev = [j * indel for j in range(m + 1)]
        else:
            start = r.new_from
        costs = self.costs
        for i in range(start, len(r.hyp)):
            readings = r.hyp[i]
            cur = [(i + 1) * indel]
            left = cur[0]
            for j in range(m):
                v = prev[j] + _reading_cost(costs, readings, ref[j])
                if prev[j + 1] + indel < v:
                    v = prev[j + 1] + indel
                if left + indel < v:
                    v = left + indel
                cur.append(v)
                left = v
            prev = cur
        r.rows[t] = prev
        return prev

    def _exact_candidates(self, text: str, found: dict[tuple[int, int, int], Candidate]) -> None:
        if not self.exact_forms:
            return
        folded, back = _fold_with_map(text)
        for form, tids in self.exact_forms.items():
            if not form:
                continue
            pos = folded.find(form)
            while pos >= 0:
                last = pos + len(form) - 1
                start, end = back[pos], back[last] + 1
                if (
                    (pos == 0 or back[pos - 1] != start)  # whole characters only
                    and (last + 1 == len(back) or back[last + 1] != end - 1)
                    and _boundary(text, start)
                    and _boundary(text, end)
                ):
                    for t in tids:
                        self._keep(found, text, start, end, self.targets[t], 0.0, 1, 1)
                pos = folded.find(form, pos + 1)

    def _keep(
        self,
        found: dict[tuple[int, int, int], Candidate],
        text: str,
        start: int,
        end: int,
        target: Target,
        dist: float,
        m: int,
        span_units: int,
    ) -> None:
        hw = self.hotwords[target.hotword]
        original = text[start:end]
        if original == hw.text:
            return  # never "replace" a span by itself
        key = (start, end, target.hotword)
        old = found.get(key)
        cand = Candidate(
            start,
            end,
            original,
            hw.text,
            target.kind,
            round(dist, 6),
            m,
            span_units,
            target.form,
            note=target.note,
        )
        if old is None or _rank(cand) < _rank(old):
            found[key] = cand

    def exact_occurrences(self, text: str) -> list[tuple[int, int, int]]:
        """``(start, end, hotword_index)`` of every exact hotword occurrence in ``text``.

        Looks up each substring whose length is that of some hotword, so the cost depends
        on the text and the set of hotword lengths, not on the number of hotwords; a
        short list (fewer hotwords than half those substrings) is searched for word by
        word instead (``str.find``, in C), with the same result.
        """
        out = []
        by_text = self._by_text
        if 2 * len(by_text) <= len(text) * len(self._lengths):
            for word, hw in by_text.items():
                i = text.find(word)
                while i >= 0:
                    out.append((i, i + len(word), hw))
                    i = text.find(word, i + 1)
            return sorted(out)
        for length in self._lengths:
            for i in range(len(text) - length + 1):
                h = by_text.get(text[i : i + length])
                if h is not None:
                    out.append((i, i + length, h))
        return sorted(out)


def _post_reading(
    pairs: dict[tuple[str, str], list[tuple[int, int]]], t: int, keys: tuple[str, ...]
) -> None:
    """Post pinyin target ``t`` (of a hotword holding Han characters) for reading Latin
    words as syllables: each place j posts (keys[j], keys[j + 1]) and, when that is
    another pair, (keys[j], keys[j + 2])."""
    n = len(keys)
    # written out for two and three syllables, the most usual
    if n == 3:
        k0, k1, k2 = keys
        at0 = (t, 0)
        pairs[(k0, k1)].append(at0)
        if k2 != k1:
            pairs[(k0, k2)].append(at0)
        pairs[(k1, k2)].append((t, 1))
    elif n == 2:
        pairs[keys].append((t, 0))  # type: ignore[index]  # two keys: a pair
    else:
        for j in range(n - 1):
            a, b = keys[j], keys[j + 1]
            at = (t, j)
            pairs[(a, b)].append(at)
            if j + 2 < n and keys[j + 2] != b:
                pairs[(a, keys[j + 2])].append(at)


def _banded_dp(
    subs: list[list[float]], a: int, max_length: int, m: int, k: int, indel: float, bound: float
) -> list[tuple[int, float]]:
    """Edit distances of the windows from ``a`` of length L = 1..max_length to a target of
    ``m`` syllables, as ``(L, distance)``; ``subs[i][j]`` is the substitution cost of
    character ``i`` for target syllable ``j``.

    One DP from ``a``: after row L the last cell is the distance of the window of length
    L. Rows stop once every cell exceeds ``bound`` (row minima never fall). A cell ``i``
    characters by ``j`` syllables costs ``|i - j|`` indels at least, so only cells with
    ``|i - j| <= k`` are computed, ``k`` being the most indels within the bound (plus a
    margin); the others count as infinite. A cell within the bound is computed exactly as
    the full DP computes it (the same sums in the same order); one above it may be
    larger, or infinite, and its window is no candidate either way.
    """
    inf = math.inf
    prev = [j * indel if j <= k else inf for j in range(m + 1)]
    out: list[tuple[int, float]] = []
    for i in range(1, max_length + 1):
        sub = subs[a + i - 1]
        lo = i - k if i > k else 1
        hi = i + k if i + k < m else m
        cur = [inf] * (m + 1)
        left = inf
        if i <= k:
            left = cur[0] = i * indel
        best = left
        for j in range(lo, hi + 1):
            v = prev[j - 1] + sub[j - 1]
            up = prev[j] + indel
            if up < v:
                v = up
            if left + indel < v:
                v = left + indel
            cur[j] = v
            if v < best:
                best = v
            left = v
        if best > bound:
            break
        out.append((i, cur[m]))
        prev = cur
    return out


_PINYIN_KINDS = frozenset((MatchKind.PINYIN, MatchKind.ALIAS_PINYIN, MatchKind.SPOKEN))

_READING_UNITS = 8  # units (characters or Latin words) in a reading window, at most
_READING_BEAM = 6  # readings kept per window (the cheapest)


class _Reading:
    """One reading of a growing window: its cost, per-syllable readings, which syllables
    come from Latin words, the targets anchored so far, and DP rows per target (its own,
    and its parent's to extend)."""

    __slots__ = (
        "anchored",
        "cost",
        "from_latin",
        "hyp",
        "new_from",
        "parent_rows",
        "rows",
        "spelled",
        "words",
    )

    def __init__(
        self,
        cost: float,
        hyp: tuple[tuple[Syllable, ...], ...],
        from_latin: tuple[bool, ...],
        anchored: set[int] | dict[int, None],
        parent_rows: dict[int, list[float]],
        words: str,
        spelled: bool,
        new_from: int = 0,
    ) -> None:
        self.cost = cost
        self.hyp = hyp
        self.from_latin = from_latin
        self.anchored: set[int] = set(anchored)
        self.parent_rows = parent_rows
        self.rows: dict[int, list[float]] = {}
        self.new_from = new_from
        self.words = words  # how each Latin word was read: "bei=pinyin jing=pinyin"
        self.spelled = spelled  # every Latin word read as spelled pinyin

    def grow(
        self,
        cost: float,
        sylls: tuple[tuple[Syllable, ...], ...],
        latin: bool,
        word: str,
        spelled: bool,
    ) -> _Reading:
        return _Reading(
            round(self.cost + cost, 6),
            self.hyp + sylls,
            self.from_latin + (latin,) * len(sylls),
            self.anchored,
            self.rows,
            f"{self.words} {word}".strip(),
            self.spelled and spelled,
            len(self.hyp),
        )

    def order(self) -> tuple[float, int, tuple[tuple[Syllable, ...], ...]]:
        return (self.cost, len(self.hyp), self.hyp)


@lru_cache(maxsize=1 << 17)
def _reading_cost(costs: CostTable, readings: tuple[Syllable, ...], target: Syllable) -> float:
    """The cheapest substitution of any of ``readings`` for ``target`` (cached)."""
    return min((costs.cost(h, target) for h in readings), default=costs.max_cost)


@lru_cache(maxsize=4096)
def _keys(readings: tuple[Syllable, ...]) -> tuple[str, ...]:
    return tuple(sorted({coarse_key(x) for x in readings}))


@lru_cache(maxsize=65536)
def _latin_syllables(
    word: str,
) -> tuple[tuple[float, tuple[tuple[Syllable, ...], ...], str], ...]:
    """The three cheapest readings of a Latin word as tone-free syllables, with their
    source, and its pinyin spelling when that is not among them (cached)."""
    from hotfuse.english import latin_readings

    got = latin_readings(word)
    keep = list(got[:3])
    keep += [r for r in got[3:] if r[2] == "pinyin"][
        : 0 if any(r[2] == "pinyin" for r in keep) else 1
    ]
    return tuple((c, tuple((syllable(x + "5"),) for x in sylls), src) for c, sylls, src in keep)


def _runs(text: str, segs: Sequence[Segment]) -> list[list[tuple[int, int, bool]]]:
    """Runs of adjacent segments (only spaces between them) holding a Latin segment, as
    ``(start, end, latin)`` units."""
    out: list[list[tuple[int, int, bool]]] = []
    cur: list[tuple[int, int, bool]] = []
    any_latin = False
    for seg in segs:
        if (
            cur
            and not text[cur[-1][1] : seg.units[0][0]].isspace()
            and (cur[-1][1] != seg.units[0][0])
        ):
            if any_latin:
                out.append(cur)
            cur, any_latin = [], False
        cur.extend((s, e, seg.latin) for s, e in seg.units)
        any_latin = any_latin or seg.latin
    if cur and any_latin:
        out.append(cur)
    return out


_KIND_RANK = {
    MatchKind.ALIAS_EXACT: 0,
    MatchKind.PINYIN: 1,
    MatchKind.LATIN: 1,
    MatchKind.ALIAS_PINYIN: 2,
    MatchKind.SPOKEN: 2,
    MatchKind.PHONES: 2,
    MatchKind.READING: 3,
}

# coarse consonant classes; vowels and the weak W, Y, HH are left out of the skeleton
_PHONE_CLASS = {
    **dict.fromkeys(("P", "B"), "p"), **dict.fromkeys(("T", "D", "DH", "TH"), "t"),
    **dict.fromkeys(("K", "G"), "k"), **dict.fromkeys(("F", "V"), "f"),
    **dict.fromkeys(("S", "Z", "SH", "ZH", "CH", "JH"), "s"),
    **dict.fromkeys(("M", "N", "NG"), "n"), **dict.fromkeys(("L", "R"), "l"),
}  # fmt: skip


def _phone_keys(phones: Sequence[str]) -> set[tuple[str, str]]:
    """The consonant skeleton's first class with its second and with its third.

    A Latin window and a phone target are compared only when they share one of these
    keys: the onset survives most mishearings (cotton ~ Kotlin: ``(k, t)``), and the
    second key tolerates one consonant dropped or added after it.

    >>> sorted(_phone_keys(("K", "AA1", "T", "L", "IH1", "N")))
    [('k', 'l'), ('k', 't')]
    >>> sorted(_phone_keys(("EH1", "S",)))
    [('s', '')]
    """
    cls = [c for c in (_PHONE_CLASS.get(p.rstrip("012")) for p in phones) if c]
    if not cls:
        return set()
    if len(cls) == 1:
        return {(cls[0], "")}
    return {(cls[0], c) for c in cls[1:3]}


def _rank(c: Candidate) -> tuple[float, int]:
    return (c.distance, _KIND_RANK[c.kind])


def _fold(text: str) -> str:
    return "".join(_nfkc(ch).lower() for ch in text if not ch.isspace())


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    chars: list[str] = []
    back: list[int] = []
    for i, ch in enumerate(text):
        if not ch.isspace():
            for c in _nfkc(ch).lower():
                chars.append(c)
                back.append(i)
    return "".join(chars), back
