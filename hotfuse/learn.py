"""Learning hotwords and aliases from corrections: pairs of (recognized, corrected) text.

Each pair is aligned character by character (rapidfuzz's Levenshtein opcodes); every
changed stretch is widened to whole words of the corrected text (a Latin word, or the
jieba words covering it, cut with a private tokenizer), and the recognized text of the
same stretch becomes an *alias* of the corrected *term*. A pair seen at least
``min_support`` times is learned, unless it conflicts:

* the alias is a common word (jieba count >= :data:`hotfuse.lexicon.COMMON_WORD_FREQ`):
  rewriting it everywhere would damage correct text;
* the alias maps to two different terms: the corrections disagree;
* the term is one character: a grammar fix, not a domain term.

Conflicts and pairs below the support are reported, never added.

Example:
    >>> pairs = [("找伊丽沙白开会", "找伊丽莎白开会"), ("伊丽沙白说", "伊丽莎白说")]
    >>> result = learn(pairs, min_support=2)
    >>> [(h.text, h.aliases) for h in result.lexicon.hotwords]
    [('伊丽莎白', ('伊丽沙白',))]
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import Levenshtein

from hotfuse.errors import InputError
from hotfuse.lexicon import COMMON_WORD_FREQ, MAX_ENTRY_CHARS, Hotword, Lexicon

__all__ = ["LearnResult", "Rejected", "aligned_changes", "learn"]

log = logging.getLogger("hotfuse")

_LATIN = re.compile(r"[A-Za-z0-9]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_tok_lock = threading.Lock()
_tokenizer: Any = None


def _cut(text: str) -> list[str]:
    """jieba words of ``text`` from a private tokenizer (jieba's global one is left alone)."""
    global _tokenizer
    with _tok_lock:
        if _tokenizer is None:
            from hotfuse._data import jieba_tokenizer

            _tokenizer = jieba_tokenizer()
        return list(_tokenizer.cut(text, HMM=True))


@dataclass(frozen=True, slots=True)
class Rejected:
    """A (term, alias) pair that was not learned, and why."""

    term: str
    alias: str
    support: int
    reason: str


@dataclass(frozen=True, slots=True)
class LearnResult:
    """The learned lexicon (terms with their aliases) and every pair left out."""

    lexicon: Lexicon
    support: dict[tuple[str, str], int]
    rejected: tuple[Rejected, ...]
    pairs_read: int


def _word_bounds(text: str) -> list[int]:
    """Offsets where a word of ``text`` starts or ends (Latin words, jieba words)."""
    bounds = {0, len(text)}
    pos = 0
    for word in _cut(text):
        bounds.add(pos)
        pos += len(word)
        bounds.add(pos)
    for m in re.finditer(r"[A-Za-z0-9]+(?:[-_.'][A-Za-z0-9]+)*", text):
        inside = {b for b in bounds if m.start() < b < m.end()}
        bounds -= inside
        bounds.update((m.start(), m.end()))
    return sorted(bounds)


def aligned_changes(recognized: str, corrected: str) -> list[tuple[str, str]]:
    """The (recognized, corrected) stretches that differ, widened to whole words.

    >>> aligned_changes("用 caps rider 打字", "用 CapsWriter 打字")
    [('caps rider', 'CapsWriter')]
    >>> aligned_changes("这样就可以了", "这样不就可以了")
    [('', '不')]
    """
    ops = [op for op in Levenshtein.opcodes(recognized, corrected)]
    equal = [op for op in ops if op.tag == "equal"]

    def to_src(d: int, *, left: bool) -> int:
        for op in equal:
            if op.dest_start <= d <= op.dest_end:
                return op.src_start + (d - op.dest_start)
        for op in ops:  # inside a changed block: take its edge
            if op.dest_start <= d <= op.dest_end:
                return op.src_start if left else op.src_end
        return len(recognized)

    bounds = _word_bounds(corrected)
    regions: list[list[int]] = []
    for op in ops:
        if op.tag == "equal":
            continue
        d0 = max(b for b in bounds if b <= op.dest_start)
        d1 = min(b for b in bounds if b >= op.dest_end)
        if d1 == d0 and op.dest_start == op.dest_end:  # a deletion between two words
            d1 = d0
        s0, s1 = min(to_src(d0, left=True), op.src_start), max(to_src(d1, left=False), op.src_end)
        if regions and d0 <= regions[-1][1] and s0 <= regions[-1][3]:
            regions[-1][1] = max(regions[-1][1], d1)
            regions[-1][3] = max(regions[-1][3], s1)
        else:
            regions.append([d0, d1, s0, s1])
    return [(recognized[s0:s1].strip(), corrected[d0:d1].strip()) for d0, d1, s0, s1 in regions]


def _meaningful(term: str) -> bool:
    return any(_LATIN.match(c) or _CJK.match(c) for c in term)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def learn(
    pairs: Iterable[tuple[str, str]],
    *,
    min_support: int = 2,
    frequency: bool = True,
) -> LearnResult:
    """Mine terms and aliases from (recognized, corrected) pairs (see the module docstring).

    Args:
        pairs: recognized and corrected text of the same utterance.
        min_support: how many times a (term, alias) pair must be seen to be learned.
        frequency: reject aliases that are common words (loads jieba's dictionary).

    Raises:
        InputError: ``min_support`` is below 1.
    """
    if min_support < 1:
        msg = f"min_support must be at least 1, got {min_support}"
        raise InputError(msg)
    support: Counter[tuple[str, str]] = Counter()
    n = 0
    for recognized, corrected in pairs:
        n += 1
        rec, cor = _norm(recognized), _norm(corrected)
        if rec == cor:
            continue
        seen: set[tuple[str, str]] = set()
        for alias, term in aligned_changes(rec, cor):
            if alias and term and alias != term and _meaningful(term) and _meaningful(alias):
                seen.add((term, alias))
        support.update(seen)  # once per pair
    rejected: list[Rejected] = []
    targets: dict[str, set[str]] = defaultdict(set)
    for (term, alias), count in support.items():
        if count >= min_support:
            targets[alias].add(term)
    kept: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (term, alias), count in sorted(support.items(), key=lambda kv: (-kv[1], kv[0])):
        reason = None
        if count < min_support:
            reason = f"seen {count} time(s), fewer than --min-support {min_support}"
        elif len(term) < 2:
            reason = "a one-character term is a grammar fix, not a domain term"
        elif len(term) > MAX_ENTRY_CHARS or len(alias) > MAX_ENTRY_CHARS:
            reason = f"longer than {MAX_ENTRY_CHARS} characters: not a term"
        elif len(targets[alias]) > 1:
            others = ", ".join(sorted(targets[alias] - {term}))
            reason = f"the alias also maps to {others}"
        elif frequency and _CJK.search(alias):
            from hotfuse.phonetics import word_frequency

            freq = word_frequency(alias)
            if freq >= COMMON_WORD_FREQ:
                reason = f"the alias is a common word (jieba count {freq})"
        if reason is not None:
            rejected.append(Rejected(term, alias, count, reason))
        else:
            kept[term].append((count, alias))
    hotwords = tuple(
        Hotword(term, aliases=tuple(a for _, a in sorted(aliases, key=lambda x: (-x[0], x[1]))))
        for term, aliases in kept.items()
    )
    return LearnResult(Lexicon(hotwords=hotwords), dict(support), tuple(rejected), n)


def pairs_from(recognized: Sequence[str], corrected: Sequence[str]) -> list[tuple[str, str]]:
    """Zip two aligned sequences into pairs (same length required)."""
    if len(recognized) != len(corrected):
        msg = f"{len(recognized)} recognized texts but {len(corrected)} corrected ones"
        raise InputError(msg)
    return list(zip(recognized, corrected, strict=True))
