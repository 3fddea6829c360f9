"""The lexicon index gives exactly what a brute-force scan gives (issue 7).

:func:`brute_candidates` has no postings index: it evaluates *every* span of an allowed
length against *every* target, using only the engine's public per-pair pieces
(:func:`hotfuse.match.segments`, :func:`~hotfuse.match.coarse_key`,
:func:`~hotfuse.match.syllable_distance`, :func:`hotfuse.phonetics.char_readings`,
:func:`~hotfuse.phonetics.hotword_pinyin`) and the candidate rule written in
:mod:`hotfuse.match`'s docstring. It is compared with :meth:`LexiconIndex.candidates` on

* hand-made cases (aliases, Latin terms, whitespace, punctuation, polyphones),
* dev references with a simulated first pass (error model A), hotword lists of 3-5
  words (true entities plus same-category distractors) and whole category lists,
* a sample with the benchmark's 5,000-term catalogue,

and full fusion (text and replacements) of an indexed :class:`Fuser` is compared with a
Fuser whose candidate generation is replaced by the scan.
"""

from __future__ import annotations

import hashlib
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from rapidfuzz.distance import Levenshtein

from hotfuse import english
from hotfuse.fuser import Fuser
from hotfuse.lexicon import Hotword, coerce_hotwords
from hotfuse.match import (
    MAX_PHONETIC_SYLLABLES,
    SINGLE_ANCHOR_MAX_TARGETS,
    Candidate,
    LexiconIndex,
    MatchKind,
    _phone_keys,
    coarse_key,
    segments,
    syllable_distance,
)
from hotfuse.phonetics import CostTable, Syllable, char_readings, hotword_pinyin, syllable
from hotfuse.transcript import Transcript, is_cjk

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))  # eval/benchmark.py

#: Longest Latin candidate, in words (the engine's unit window for Latin runs).
LATIN_MAX_WORDS = 4

_RANK = {
    MatchKind.ALIAS_EXACT: 0,
    MatchKind.PINYIN: 1,
    MatchKind.LATIN: 1,
    MatchKind.ALIAS_PINYIN: 2,
    MatchKind.SPOKEN: 2,
    MatchKind.PHONES: 2,
    MatchKind.READING: 3,
}
#: the reading rule's window (units) and beam (readings per window), as the docstring says
READING_UNITS = 8
READING_BEAM = 6


# --------------------------------------------------------------------------- the scan
@dataclass(frozen=True)
class _Target:
    hotword: Hotword
    form: str
    kind: MatchKind
    syllables: tuple[Syllable, ...] = ()
    pairs: frozenset[tuple[str, str]] = frozenset()
    keys: frozenset[str] = frozenset()
    letters: str = ""
    cost: float = 0.0
    phones: tuple[str, ...] = ()
    note: str = ""


def _fold(text: str) -> str:
    return "".join(ch.lower() for ch in text if not ch.isspace())


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@lru_cache(maxsize=8)
def _targets(hotwords: tuple[Hotword, ...]) -> list[_Target]:
    """Every form of every hotword with a positive weight, as the module docstring says."""
    out: list[_Target] = []
    for hw in hotwords:
        if hw.weight <= 0:
            continue
        if any(is_cjk(ch) for ch in hw.text) and any(
            ch.isalnum() and not is_cjk(ch) for ch in hw.text
        ):  # a mixed-script hotword is also its own exact form (b 站 ~ B站)
            out.append(_Target(hw, hw.text, MatchKind.ALIAS_EXACT, letters=_fold(hw.text)))
        for form, is_alias in [(hw.text, False), *((a, True) for a in hw.aliases)]:
            if is_alias:
                out.append(_Target(hw, form, MatchKind.ALIAS_EXACT, letters=_fold(form)))
            if all(is_cjk(ch) for ch in form) and len(form) >= 2:
                if not is_alias and hw.pinyin is not None and len(hw.pinyin) == len(form):
                    readings = hw.pinyin
                else:
                    readings = hotword_pinyin(form)
                syls = tuple(syllable(r) for r in readings)
                keys = [coarse_key(s) for s in syls]
                pairs = frozenset(
                    (keys[j], keys[j + g])
                    for j in range(len(keys))
                    for g in (1, 2)
                    if j + g < len(keys)
                )
                kind = MatchKind.ALIAS_PINYIN if is_alias else MatchKind.PINYIN
                out.append(
                    _Target(hw, form, kind, syllables=syls, pairs=pairs, keys=frozenset(keys))
                )
            elif all(ch.isalnum() or ch in " -.'" for ch in form) and not any(
                is_cjk(ch) for ch in form
            ):
                letters = _letters(form)
                if len(letters) >= 2:
                    out.append(_Target(hw, form, MatchKind.LATIN, letters=letters))
        if english.is_latin_term(hw.text) or english.is_mixed_term(hw.text):
            # how the term is said (generation is given)
            py_forms, ph_forms = english.hotword_spoken(hw.text, hw.spoken, hw.auto_spoken)
            for f in py_forms:
                syls = f.syllables
                if not 2 <= len(syls) <= MAX_PHONETIC_SYLLABLES:
                    continue
                keys = [coarse_key(x) for x in syls]
                pairs = frozenset(
                    (keys[j], keys[j + g])
                    for j in range(len(keys))
                    for g in (1, 2)
                    if j + g < len(keys)
                )
                note = f"{f.source} {f.phones}".strip()
                out.append(_Target(hw, f.pinyin, MatchKind.SPOKEN, syllables=syls, pairs=pairs,
                                   keys=frozenset(keys), cost=f.cost, note=note))  # fmt: skip
            for pf in ph_forms:
                if len(pf.phones) >= 3:
                    note = f"{pf.source} {' '.join(pf.phones)}"
                    out.append(_Target(hw, " ".join(pf.phones), MatchKind.PHONES,
                                       phones=pf.phones, cost=pf.cost, note=note))  # fmt: skip
    return out


_MEMO: dict[CostTable, dict[tuple[Syllable, Syllable], float]] = {}


def brute_candidates(index: LexiconIndex, transcript: Transcript) -> list[Candidate]:
    """Every candidate of ``transcript`` for ``index``'s hotwords, by exhaustive scan."""
    text = transcript.text
    targets = _targets(tuple(index.hotwords))
    memo = _MEMO.setdefault(index.costs, {})
    found: dict[tuple[int, int, str], Candidate] = {}

    def keep(start: int, end: int, t: _Target, dist: float, m: int, span_units: int) -> None:
        original = text[start:end]
        if original == t.hotword.text:
            return
        cand = Candidate(
            start, end, original, t.hotword.text, t.kind, round(dist, 6), m, span_units, t.form,
            note=t.note,
        )  # fmt: skip
        key = (start, end, t.hotword.text)
        old = found.get(key)
        if old is None or (cand.distance, _RANK[cand.kind]) < (old.distance, _RANK[old.kind]):
            found[key] = cand

    pinyin = [
        t for t in targets if t.kind in (MatchKind.PINYIN, MatchKind.ALIAS_PINYIN, MatchKind.SPOKEN)
    ]
    latin = [t for t in targets if t.kind == MatchKind.LATIN]
    phones = [t for t in targets if t.kind == MatchKind.PHONES]
    # the rule's small-lexicon clause: one shared coarse key anywhere in the span suffices
    single = len(pinyin) <= SINGLE_ANCHOR_MAX_TARGETS
    for seg in segments(transcript):
        units = seg.units
        n = len(units)
        if seg.latin:
            for a in range(n):
                for b in range(a + 1, min(n, a + LATIN_MAX_WORDS) + 1):
                    start, end = units[a][0], units[b - 1][1]
                    letters = _letters(text[start:end])
                    for t in latin:
                        dist = Levenshtein.normalized_distance(letters, t.letters)
                        if dist <= index.latin_max_distance:
                            keep(start, end, t, dist, 1, b - a)
                    words = [_letters(text[s:e]) for s, e in units[a:b]]
                    readings = [english.word_phones(w) if w else () for w in words]
                    if not phones or not all(readings):
                        continue
                    hyp = tuple(p for r in readings for p in r[0])
                    for t in phones:
                        own = _letters(t.hotword.text)
                        if len(letters) < 2 or letters.isdigit():
                            continue
                        if own != letters and own in letters:
                            continue
                        if not _phone_keys(hyp) & _phone_keys(t.phones):
                            continue
                        dist = english.phone_distance(hyp, t.phones) + t.cost / len(t.phones)
                        if dist <= index.phone_max_distance + 1e-9:
                            keep(start, end, t, dist, 1, b - a)
            continue
        readings = [tuple(syllable(r) for r in char_readings(text[s])) for s, _ in units]
        keys = [{coarse_key(x) for x in r} for r in readings]
        # Every target is looked at once per segment: those sharing no pair with the
        # whole segment cannot match any span of it (this only saves time).
        seg_pairs = {
            (k1, k2)
            for p in range(n)
            for q in (p + 1, p + 2)
            if q < n
            for k1 in keys[p]
            for k2 in keys[q]
        }
        seg_keys = set().union(*keys) if keys else set()
        by_len: dict[int, list[_Target]] = {}
        for t in pinyin:
            if not t.pairs.isdisjoint(seg_pairs) or (single and not t.keys.isdisjoint(seg_keys)):
                by_len.setdefault(len(t.syllables), []).append(t)
        longest = max(by_len, default=0)
        for a in range(n):
            span_pairs: set[tuple[str, str]] = set()
            span_keys: set[str] = set(keys[a])
            for length in range(2, min(n - a, longest + 1) + 1):
                span_keys.update(keys[a + length - 1])
                # pairs (p, q), q - p in {1, 2}, whose later character is the span's last
                q = a + length - 1
                for p in (q - 2, q - 1):
                    if p >= a:
                        span_pairs.update((k1, k2) for k1 in keys[p] for k2 in keys[q])
                for m in (length - 1, length, length + 1):
                    if length == m - 1 and m < 3:
                        continue
                    for t in by_len.get(m, ()):
                        if t.pairs.isdisjoint(span_pairs) and not (
                            single and not t.keys.isdisjoint(span_keys)
                        ):
                            continue
                        dist = (
                            syllable_distance(
                                readings[a : a + length], t.syllables, index.costs, memo
                            )
                            + t.cost
                        ) / m
                        if dist <= index.max_distance + 1e-9:
                            keep(units[a][0], units[a + length - 1][1], t, dist, m, length)
    _brute_readings(index, transcript, pinyin, single, memo, keep)
    folded = [(i, ch.lower()) for i, ch in enumerate(text) if not ch.isspace()]
    ftext = "".join(ch for _, ch in folded)
    for t in targets:
        if t.kind != MatchKind.ALIAS_EXACT or not t.letters:
            continue
        w = len(t.letters)
        for i in range(len(ftext) - w + 1):
            start, end = folded[i][0], folded[i + w - 1][0] + 1
            if ftext[i : i + w] == t.letters and _word_edge(text, start) and _word_edge(text, end):
                keep(start, end, t, 0.0, 1, 1)
    return sorted(found.values(), key=lambda c: (c.start, c.end, c.hotword))


def _brute_readings(
    index: LexiconIndex,
    transcript: Transcript,
    pinyin: list[_Target],
    single: bool,
    memo: dict[tuple[Syllable, Syllable], float],
    keep: Any,
) -> None:
    """The reading rule of ``LexiconIndex._reading_candidates``, window by window."""
    import itertools

    if not pinyin:
        return
    text = transcript.text
    max_len = 1 + max(len(t.syllables) for t in pinyin)
    segs = segments(transcript)
    runs: list[list[tuple[int, int, bool]]] = []
    for k, seg in enumerate(segs):
        units = [(s, e, seg.latin) for s, e in seg.units]
        if k and (text[segs[k - 1].units[-1][1] : seg.units[0][0]].strip() == ""):
            runs[-1].extend(units)
        else:
            runs.append(units)
    offsets = {}  # target -> its posted (key, key, place)
    for t in pinyin:
        keys = [coarse_key(x) for x in t.syllables]
        offsets[t] = {(keys[j], keys[j + g], j) for j in range(len(keys)) for g in (1, 2)
                      if j + g < len(keys)}  # fmt: skip
    for run in runs:
        for a in range(len(run)):
            for b in range(a + 1, min(len(run), a + READING_UNITS) + 1):
                window = run[a:b]
                if not any(latin and any(c.isalpha() for c in text[s:e]) for s, e, latin in window):
                    continue  # digits alone are a number
                if (window[0][2] and not _word_edge(text, window[0][0])) or (
                    window[-1][2] and not _word_edge(text, window[-1][1])
                ):
                    continue
                options = []
                for s, e, latin in window:
                    if latin:
                        got = english.latin_readings(_letters(text[s:e]))
                        got3 = list(got[:3])
                        if not any(src == "pinyin" for _c, _sy, src in got3):
                            got3 += [r for r in got[3:] if r[2] == "pinyin"][:1]
                        options.append([(c, tuple((syllable(x + "5"),) for x in sy), src)
                                        for c, sy, src in got3])  # fmt: skip
                    else:
                        readings = tuple(syllable(r) for r in char_readings(text[s]))
                        options.append([(0.0, (readings,), "")])
                if not all(options):
                    break  # nor any longer window from a
                if sum(min(len(o[1]) for o in opts) for opts in options) > max_len:
                    break
                combos = []
                for pick in itertools.product(*options):
                    cost, hyp, mask, words = 0.0, (), (), []
                    for (c, sy, src), (s, e, latin) in zip(pick, window, strict=True):
                        cost, hyp = round(cost + c, 6), hyp + sy
                        mask += (latin,) * len(sy)
                        if latin:
                            words.append(f"{text[s:e]}={src}")
                    spelled = all(src in ("", "pinyin") for _c, _sy, src in pick)
                    combos.append((cost, len(hyp), hyp, mask, spelled, " ".join(words)))
                combos.sort(key=lambda x: (x[0], x[1], x[2]))
                tried = combos[:READING_BEAM]
                if not any(c[4] for c in tried):  # the all-pinyin reading is tried too
                    tried += [c for c in combos[READING_BEAM:] if c[4]][:1]
                for cost, n, hyp, mask, _spelled, note in tried:
                    keys = [{coarse_key(x) for x in r} for r in hyp]
                    for t in pinyin:
                        m = len(t.syllables)
                        latin_only = not any(is_cjk(ch) for ch in t.hotword.text)
                        if n < 2 or abs(n - m) > 1 or n < m < 3 or latin_only:
                            continue
                        anchored = any(
                            (k1, k2, j) in offsets[t]
                            for q in range(n)
                            for p in (q - 2, q - 1)
                            if p >= 0 and (mask[p] or mask[q])
                            for k1 in keys[p]
                            for k2 in keys[q]
                            for j in (p - 1, p, p + 1)
                        ) or (single and any(mask[q] and keys[q] & t.keys for q in range(n)))
                        if not anchored:
                            continue
                        d = syllable_distance(hyp, t.syllables, index.costs, memo)
                        dist = (d + cost + t.cost) / m
                        if dist <= index.max_distance + 1e-9:
                            reading = _Target(t.hotword, t.form, MatchKind.READING, note=note)
                            keep(window[0][0], window[-1][1], reading, dist, m, n)


def _word_edge(text: str, i: int) -> bool:
    """Offset ``i`` is not inside a Latin word (``torch.AI``, ``don't`` are one word)."""
    from hotfuse.match import _boundary

    return _boundary(text, i)


def assert_same_candidates(hotwords: Any, texts: Sequence[str]) -> int:
    """Index and scan agree on every text; returns the number of candidates compared."""
    index = LexiconIndex(coerce_hotwords(hotwords))
    total = 0
    for text in texts:
        t = Transcript.from_text(text)
        fast = index.candidates(t)
        slow = brute_candidates(index, t)
        assert fast == slow, (text, sorted(set(fast) ^ set(slow), key=repr)[:6])
        total += len(slow)
    return total


def assert_same_fusion(
    hotwords: Any,
    texts: Sequence[str],
    confidences: Sequence[Sequence[float]] | None = None,
    **config: Any,
) -> int:
    """An indexed Fuser and one driven by the scan fuse identically (with per-character
    ``confidences`` when given); returns the number of replacements."""
    fast = Fuser(hotwords, **config)
    slow = Fuser(hotwords, **config)
    index = slow._index

    def scan(
        transcript: Transcript, limit: object = None, ceiling: object = None
    ) -> list[Candidate]:
        # the scan ignores the fuser's distance limits and ceiling: the indexed fuser,
        # which prunes windows that cannot reach the threshold, must still fuse identically
        return brute_candidates(index, transcript)

    index.candidates = scan  # type: ignore[method-assign]
    n = 0
    for k, text in enumerate(texts):
        conf = None if confidences is None else list(confidences[k])
        a, b = fast.fuse(text, confidences=conf), slow.fuse(text, confidences=conf)
        assert (a.text, a.replacements) == (b.text, b.replacements), text
        n += len(a.replacements)
    return n


# --------------------------------------------------------------------------- hand-made
HAND_CASES: list[tuple[list[Any], list[str]]] = [
    (
        ["伊丽莎白", "达西"],
        ["伊丽沙白这会儿真太高兴了", "大西先生，伊丽莎白！", "一例沙白", "达 西和 伊丽 沙白", ""],
    ),
    (
        ["重庆", "银行行长", "长城汽车"],
        ["虫庆的银航行长", "从庆到重庆", "常城汽车和长成汽车", "重 庆，银行 行长"],
    ),
    (
        [
            Hotword("克劳德", aliases=("Claude", "可老的")),
            Hotword("重庆", pinyin=("chong2", "qing4")),
        ],
        ["我用claude写代码", "可老的说可劳德", "CLAUDE 和 c laude", "种庆火锅"],
    ),
    (
        ["PyTorch", "TensorFlow", "Hugging Face"],
        ["我用 py torch 和 tensor flow", "hugging face 上的 Hugging-Face", "pytorch"],
    ),
    (
        [Hotword("达西", weight=0.0), "马云", "马化腾"],
        ["马芸和麻花疼", "大西和马运", "码化腾讯"],
    ),
    (  # cross-script: Latin hotwords by how they are said
        [
            "Docker",
            "Python",
            "Kotlin",
            "Redis",
            "SQL",
            "Kubernetes",
            "伊丽莎白",
            Hotword("Nginx", spoken=("engine x", "en jin ke si")),
        ],
        [
            "我们用刀客部署",
            "我在学派森和拍森",
            "用 cotton 写安卓",
            "要用 radish 做缓存",
            "用 S Q L 查询",
            "库伯内提斯集群",
            "the engine x server",
            "恩金克斯配置",
            "I could deploy the docker code",
        ],
    ),
    (  # cross-script readings: Latin words read as syllables, mixed terms by sound
        ["北京", "杭州", "B站", "K8s 集群", "iPhone 手机", "PyTorch", "macOS", "伊丽莎白"],
        [
            "我明天去bei jing开会",
            "他在 Hang Zhou 工作",
            "我在逼站看视频，b 站也行",
            "部署到开八斯集群",
            "我用 ai phone 手机拍照",
            "这个派torch很好用",
            "我的麦os电脑",
            "yi li sha bai 来了",
            "I could deploy the code",
        ],
    ),
]


@pytest.mark.parametrize(("hotwords", "texts"), HAND_CASES)
def test_hand_cases_match_the_scan(hotwords: list[Any], texts: list[str]) -> None:
    assert_same_candidates(hotwords, texts)
    assert_same_fusion(hotwords, texts)


def test_latin_span_longer_than_target() -> None:
    """'pytorchab' ~ PyTorch at 2/9 = 0.22: a longer span within the distance is found."""
    assert_same_candidates(["PyTorch", "TensorFlow"], ["我用 pytorchab", "tensorflowxyz a"])


def test_the_scan_finds_something() -> None:
    """Guard against a vacuous comparison: the scan itself finds the obvious candidates."""
    index = LexiconIndex(
        coerce_hotwords(["伊丽莎白", "PyTorch", Hotword("克劳德", aliases=("Claude",))])
    )
    got = {
        (c.original, c.hotword, c.kind)
        for c in brute_candidates(index, Transcript.from_text("伊丽沙白用 py torch 和 claude"))
    }
    assert ("伊丽沙白", "伊丽莎白", MatchKind.PINYIN) in got
    assert ("py torch", "PyTorch", MatchKind.LATIN) in got
    assert ("claude", "克劳德", MatchKind.ALIAS_EXACT) in got


# --------------------------------------------------------------------------- dev data
@dataclass(frozen=True)
class DevCase:
    """A simulated first pass of one dev reference with its hotword lists."""

    uid: str
    category: str
    hypothesis: str
    small: tuple[str, ...]


def _seeded(seed: str) -> random.Random:
    return random.Random(int(hashlib.sha256(seed.encode()).hexdigest()[:16], 16))


class DevData:
    """The dev split: category lists, and cases simulated on demand (cached)."""

    def __init__(self, root: Path) -> None:
        from benchmark import load_corpus

        corpus = load_corpus(root, splits=("dev",))
        self.lists = {k: tuple(v) for k, v in corpus.lists.items()}
        self.rows = corpus.splits["dev"]
        self._all = {w for ws in self.lists.values() for w in ws}
        self._cache: dict[str, DevCase] = {}

    def case(self, uid: str, text: str, cat: str) -> DevCase:
        """A simulated first pass (model A) and a 3-5 list: true entities + distractors."""
        from benchmark import find_entities

        from hotfuse.simulate import MODEL_A, simulate

        got = self._cache.get(uid)
        if got is not None:
            return got
        ents = find_entities(text, self._all)
        hyp = simulate(uid, text, [(s, e) for s, e, _ in ents], model=MODEL_A, seed=0).text
        rng = _seeded(f"parity/{uid}")
        true = list(dict.fromkeys(w for _, _, w in ents))
        others = [w for w in self.lists[cat] if w not in true]
        k = max(0, rng.randint(3, 5) - len(true))
        small = tuple(true + rng.sample(others, min(k, len(others))))
        self._cache[uid] = DevCase(uid, cat, hyp, small)
        return self._cache[uid]

    def sample(self, n: int, salt: str) -> list[DevCase]:
        """A seeded sample of ``n`` cases (all of them when ``n`` is 0)."""
        rows = sorted(
            self.rows, key=lambda r: hashlib.sha256(f"{salt}/{r[0]}".encode()).hexdigest()
        )
        return [self.case(*r) for r in (rows[:n] if n else rows)]


@lru_cache(maxsize=1)
def _dev_data(root: Path) -> DevData:
    return DevData(root)  # one per session: test_scan.py reads the same cases


@pytest.fixture(scope="module")
def dev_data(shared_data: Path) -> DevData:
    return _dev_data(shared_data / "wenetspeech-biasing")


def _by_list(cases: Sequence[DevCase]) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    for c in cases:
        yield c.small, [c.hypothesis]


def test_dev_sample_small_lists(
    dev_data: DevData,
) -> None:
    """Always on: 150 dev cases with 3-5 hotwords, candidates and fusion."""
    compared = 0
    for words, texts in _by_list(dev_data.sample(150, "quick")):
        compared += assert_same_candidates(words, texts)
        assert_same_fusion(words, texts)
    assert compared > 50  # the sample has real work in it


def _confidences(text: str, seed: str) -> list[float]:
    rng = _seeded(seed)
    return [round(rng.uniform(0.6, 1.0), 2) for _ in text]


def test_tight_targets_match_the_scan(dev_data: DevData) -> None:
    """Always on: at a high threshold many targets are *tight* (their windows within the
    fuser's ceiling need every coarse key in place, so the index looks them up by their
    first two keys only); fusion still equals the scan's, with and without confidences."""
    tight = {False: 0, True: 0}
    replaced = 0
    for c in dev_data.sample(150, "quick"):
        conf = _confidences(c.hypothesis, c.uid)
        for confidences in (None, [conf]):
            replaced += assert_same_fusion(
                c.small, [c.hypothesis], confidences=confidences, threshold=3.5
            )
        f = Fuser(c.small, threshold=3.5)
        for has_conf in (False, True):
            ceiling = f._limits(3.5, Transcript.from_text(c.hypothesis, conf), has_conf)[1]
            tight[has_conf] += sum(f._index._split(ceiling).tight)
    assert min(tight.values()) > 100 and replaced > 5  # the tight lookup did real work


@pytest.mark.slow
def test_all_dev_cases_small_lists(
    dev_data: DevData,
) -> None:
    compared = 0
    for words, texts in _by_list(dev_data.sample(0, "all")):
        compared += assert_same_candidates(words, texts)
    assert compared > 500


@pytest.mark.slow
def test_all_dev_cases_category_lists(
    dev_data: DevData,
) -> None:
    cases = dev_data.sample(0, "all")
    compared = 0
    for cat, words in dev_data.lists.items():
        texts = [c.hypothesis for c in cases if c.category == cat]
        compared += assert_same_candidates(words, texts)
    assert compared > 1000


@pytest.mark.slow
def test_fusion_identical_on_dev_category_lists(
    dev_data: DevData,
) -> None:
    sample = dev_data.sample(0, "all")
    replaced = 0
    for cat, words in dev_data.lists.items():
        texts = [c.hypothesis for c in sample if c.category == cat]
        replaced += assert_same_fusion(words, texts)
    assert replaced > 100


@pytest.fixture(scope="module")
def catalogue(shared_data: Path) -> tuple[str, ...]:
    """The benchmark's catalogue: every entity word plus 5,000 jieba proper nouns."""
    return _catalogue(shared_data / "wenetspeech-biasing")


@lru_cache(maxsize=1)
def _catalogue(root: Path) -> tuple[str, ...]:
    from benchmark import BenchmarkConfig, load_corpus, select_distractors

    corpus = load_corpus(root, splits=("dev", "train"))
    distractors, _ = select_distractors(corpus, BenchmarkConfig())
    return tuple(sorted({w for ws in corpus.lists.values() for w in ws} | set(distractors)))


@pytest.mark.slow
def test_catalogue_sample(dev_data: DevData, catalogue: tuple[str, ...]) -> None:
    """400 dev cases against the 5,000-term catalogue: candidates, and fusion on 150."""
    assert len(catalogue) >= 5000
    texts = [c.hypothesis for c in dev_data.sample(400, "catalogue")]
    assert assert_same_candidates(catalogue, texts) > 400
    assert_same_fusion(catalogue, texts[:150])


# ------------------------------------------------------------ pruning bounds (issue 15)
def _generated(words: Sequence[str], rows: Sequence[Any], n: int, seed: str) -> list[str]:
    """``n`` sentences: a dev reference with 1-3 of ``words`` inserted, then a simulated
    first pass (model A) damaging them."""
    from hotfuse.simulate import MODEL_A, simulate

    rng = _seeded(seed)
    out = []
    for i in range(n):
        ref = rng.choice(rows)[1]
        chosen = rng.sample(list(words), min(len(words), rng.randint(1, 3)))
        cuts = sorted(rng.randint(0, len(ref)) for _ in chosen)
        text, spans, pos = "", [], 0
        for at, w in zip(cuts, chosen, strict=True):
            text += ref[pos:at]
            spans.append((len(text), len(text) + len(w)))
            text += w
            pos = at
        text += ref[pos:]
        out.append(simulate(f"{seed}/{i}", text, spans, model=MODEL_A, seed=0).text)
    return out


@pytest.mark.parametrize(("size", "n"), [(5, 200), (300, 120), (3000, 40)])
def test_pruned_scan_matches_the_scan_on_generated_sentences(
    dev_data: DevData, catalogue: tuple[str, ...], size: int, n: int
) -> None:
    """The scan skips windows whose cost bound (each character at least its cheapest
    substitution or an indel) is over the limit and computes only the DP band within it:
    on sentences holding damaged hotwords it finds exactly what the exhaustive scan
    finds, without limits and under the fuser's per-hotword limits."""
    words = sorted(_seeded(f"bounds/{size}").sample(catalogue, size))
    texts = _generated(words, dev_data.rows, n, f"bounds/{size}")
    assert assert_same_candidates(words, texts) > n // 2
    fuser = Fuser(words)
    index = fuser._index
    threshold = fuser.config.threshold
    h_of = {hw.text: h for h, hw in enumerate(index.hotwords)}
    unlimited = (MatchKind.READING, MatchKind.ALIAS_EXACT)  # the limits do not apply
    limited = 0
    for text in texts:
        t = Transcript.from_text(text)
        limit, ceiling = fuser._limits(threshold, t, False)
        got = index.candidates(t, limit, ceiling)
        want = [
            c
            for c in brute_candidates(index, t)
            if c.kind in unlimited or c.distance <= limit(h_of[c.hotword]) + 1e-7
        ]
        assert got == want, (text, sorted(set(got) ^ set(want), key=repr)[:6])
        limited += len(got)
    assert limited > 0
