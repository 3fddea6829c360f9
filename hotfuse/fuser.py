"""Fusion: scoring candidate spans and choosing the replacements.

The decision for each candidate (a span that sounds like a hotword, from
:mod:`hotfuse.match`) is a small logistic model over interpretable features:

==================  =========================================================================
feature             meaning
==================  =========================================================================
``distance``        phonetic distance per hotword syllable (0 = homophone), or letter distance
``log_len``         log of the hotword's syllable count: long matches are rarely chance
``indel``           1 when the span has one syllable more or fewer than the hotword
``overlap``         share of the hotword's characters already present at the same place
                    (a Traditional character counts as its Simplified form, both ways)
``orig_freq``       log(1 + jieba count of the original span as a word): common words resist
``cross_freq``      log(1 + count of the most frequent word the span would cut in two)
``conf``            logit of the recognizer's mean confidence over the span (with confidences)
``alias``           1 for an exact occurrence of a known misrecognition (alias)
``alias_pinyin``    1 when the span sounds like an alias rather than the hotword itself
``latin``           1 for a Latin-letter match
``log_lexicon``     log of the number of active hotwords: the more words are listed, the
                    less likely any one of them is in a given utterance (a prior)
``spoken``          1 for Chinese characters matched to how a Latin hotword is said
``phones``          1 for Latin words matched to a Latin hotword by English sound
``reading``         1 for Latin words read as Mandarin syllables (``bei jing`` ~ 北京)
``en_freq``         log(1 + English frequency of the span's Latin words x the text's
                    Latin share): ordinary English words resist
==================  =========================================================================

``score = bias + Σ coef·feature + log(weight)`` is the log-odds that the replacement is
right; a candidate is replaced when ``score >= threshold``. Two coefficient sets ship,
fitted on the training split of the benchmark (``eval/fit_model.py`` refits them): one that
uses confidences and one for transcripts without them, where the decision rests on
phonetics and the lexical priors alone. Among candidates over the threshold, the set of
non-overlapping replacements with the largest total margin ``score - threshold`` is chosen
by dynamic programming over the whole utterance (not greedily); spans that overlap an
exact occurrence of any hotword or sit inside a blocking context are never replaced.
"""

from __future__ import annotations

import bisect
import logging
import math
import operator
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from hotfuse import _scan
from hotfuse._data import data_table
from hotfuse._tables import word_count_or_none
from hotfuse.config import FEATURES, SCORE_ORDER, FuseConfig
from hotfuse.errors import HotfuseError, InputError
from hotfuse.lexicon import Hotword, coerce_hotwords
from hotfuse.match import (
    MAX_PHONETIC_SYLLABLES,
    Candidate,
    LexiconIndex,
    MatchKind,
    _letters,
    paused_gc,
)
from hotfuse.result import FuseResult, Replacement
from hotfuse.transcript import (
    _CJK_RUN,
    Token,
    Transcript,
    is_cjk,
    plain_token,
    split_time,
    tokenize,
)

if TYPE_CHECKING:
    from hotfuse.stream import FuseStream

__all__ = [
    "AsrInput",
    "Fuser",
    "features",
    "fuse",
    "to_transcript",
]

log = logging.getLogger("hotfuse")

# --------------------------------------------------------------------------- features
_CONF_CLIP = 0.02
_LOGIT_MAX = math.log((1.0 - _CONF_CLIP) / _CONF_CLIP)
_FREQ_LOG_MAX = math.log1p(10_000_000)  # above any jieba count
_BOUND_SLACK = 1e-9  # float summation order: the pruning bound stays above the score


def _sigmoid(z: float) -> float:
    """The logistic function, safe for any finite ``z`` (no overflow for very negative z)."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _logit(p: float) -> float:
    p = min(max(p, _CONF_CLIP), 1.0 - _CONF_CLIP)
    return math.log(p / (1.0 - p))


def _cross_freq(text: str, start: int, end: int, seg_lo: int, seg_hi: int) -> int:
    """Count of the most frequent dictionary word that the span boundary would cut.

    A word cut at boundary ``b`` starts in ``[b - 3, b)`` and ends in ``(b, b + 3]``, so it
    never lies inside the span; each boundary's count depends only on the characters
    around it (within ``seg_lo..seg_hi``) and is kept per such window
    (:func:`_cut_count`).
    """
    lo = start - 3 if start - 3 > seg_lo else seg_lo
    hi = start + 3 if start + 3 < seg_hi else seg_hi
    a = _cut_count(text[lo:hi], start - lo)
    lo = end - 3 if end - 3 > seg_lo else seg_lo
    hi = end + 3 if end + 3 < seg_hi else seg_hi
    b = _cut_count(text[lo:hi], end - lo)
    return a if a > b else b


@lru_cache(maxsize=1 << 15)
def _cut_count(window: str, b: int) -> int:
    """The largest count of a word ``window[i:j]`` with ``i < b < j``.

    jieba's table holds every prefix of its words, so once ``window[i:j]`` is not in it
    no longer ``window[i:j']`` is a word either, and the scan from ``i`` stops.
    """
    best = 0
    for i in range(b):
        for j in range(b + 1, len(window) + 1):
            f = word_count_or_none(window[i:j])
            if f is None:
                break
            if f > best:
                best = f
    return best


def features(
    cand: Candidate, transcript: Transcript, hotword: Hotword, n_active: int = 1
) -> dict[str, float]:
    """The feature vector of one candidate (see the module docstring).

    ``conf`` is present only when the recognizer gave confidences for the span: it is the
    logit of the mean confidence of the tokens the replacement would change (for a span
    as long as the hotword, the characters that differ from it; otherwise the whole span).
    """
    values, conf = _values(cand, transcript, hotword, math.log(max(1, n_active)), True)
    x = dict(zip(_ORDER, values, strict=True))
    if conf is not None:
        x["conf"] = _logit(conf)
    return x


#: The features of :func:`features` in the order its dict holds them (``conf`` last, when
#: present): the order :meth:`ScoringModel.score_values` sums the products in.
_ORDER = SCORE_ORDER[:-1]
_ORIG_FREQ = _ORDER.index("orig_freq")


def _values(
    cand: Candidate, transcript: Transcript, hotword: Hotword, log_lexicon: float, confs: bool
) -> tuple[list[float], float | None]:
    """:func:`features` as a list in :data:`_ORDER` and the mean changed confidence (None
    without one; ``confs`` False: the transcript has none, so it is not looked for): the
    fuser scores this list without building a dict per candidate."""
    text = transcript.text
    orig = cand.original
    hw = hotword.text
    kind = cand.kind
    lo, hi = _cjk_run(text, cand.start, cand.end)
    latin = kind in _LATIN_KINDS
    if latin:  # letters agree whatever their case and spacing (GIT ~ git, git lab ~ GitLab)
        a_l, b_l = _letters(orig), _letters(hw)
        same = sum(1 for a, b in zip(a_l, b_l, strict=False) if a == b)
        n_hw = len(b_l)
    else:
        same = len(hw) if orig == hw else _same_chars(orig, hw)
        n_hw = len(hw)
    en_freq = 0.0
    if latin or kind == MatchKind.READING:
        # an ordinary English word needs strong evidence, the more so in English text
        # (also for a case variant: "code" is not the hotword "Code" in an English sentence)
        from hotfuse.english import english_count

        english = orig
        if kind == MatchKind.READING:  # words read as spelled pinyin paid their own
            english = " ".join(w for w, _, src in (x.rpartition("=") for x in cand.note.split())
                               if src != "pinyin")  # fmt: skip
        en_freq = math.log1p(english_count(english) * _latin_share(text))
    values = [
        cand.distance,
        math.log(max(1, cand.n_units if not latin else 2)),
        1.0 if cand.span_units != cand.n_units and not latin else 0.0,
        same / max(1, n_hw),
        math.log1p(word_count_or_none(orig) or 0),  # word_frequency, without its import
        math.log1p(_cross_freq(text, cand.start, cand.end, lo, hi)),
        1.0 if kind == MatchKind.ALIAS_EXACT else 0.0,
        1.0 if kind == MatchKind.ALIAS_PINYIN else 0.0,
        1.0 if latin else 0.0,
        log_lexicon,
        1.0 if kind == MatchKind.SPOKEN else 0.0,
        1.0 if kind == MatchKind.PHONES else 0.0,
        1.0 if kind == MatchKind.READING else 0.0,
        en_freq,
    ]
    return values, _changed_confidence(cand, transcript, hw) if confs else None


_LATIN_KINDS = frozenset((MatchKind.LATIN, MatchKind.PHONES))


def _same_char(a: str, b: str) -> bool:
    """The same character, or its Traditional and Simplified forms (騰 and 腾)."""
    if a == b:
        return True
    if not (is_cjk(a) and is_cjk(b)):
        return False
    t2s = data_table("t2s.tsv.gz")  # hotfuse/data/README.md: OpenCC, Apache-2.0
    return t2s.get(a, a) == t2s.get(b, b)


def _same_chars(a: str, b: str) -> int:
    """How many of the aligned characters of ``a`` and ``b`` are :func:`_same_char`."""
    t2s = _T2S[0]
    if t2s is None:
        t2s = _T2S[0] = data_table("t2s.tsv.gz")
    get = t2s.get
    same = 0
    for x, y in zip(a, b, strict=False):
        if x == y or (get(x, x) == get(y, y) and is_cjk(x) and is_cjk(y)):
            same += 1
    return same


_T2S: list[dict[str, str] | None] = [None]  # the Traditional -> Simplified table, once read


def _latin_share(text: str) -> float:
    """How English the text is: Latin words / (Latin words + Chinese characters / 1.5)."""
    words = len(_LATIN_WORD.findall(text))
    cjk = sum(1 for ch in text if is_cjk(ch))
    return words / (words + cjk / 1.5) if words else 0.0


_LATIN_WORD = re.compile(r"[A-Za-z]+")


def _changed_confidence(cand: Candidate, transcript: Transcript, hw: str) -> float | None:
    """Mean confidence of the tokens whose characters the replacement would change."""
    start, end = cand.start, cand.end
    text = transcript.text
    if end - start == len(hw) and cand.kind not in _LATIN_KINDS:
        positions = [
            start + k for k in range(end - start) if not _same_char(text[start + k], hw[k])
        ]
        if not positions:
            positions = list(range(start, end))
    else:
        positions = list(range(start, end))
    seen: set[int] = set()
    vals: list[float] = []
    for i in positions:
        k = transcript.token_at(i)
        if k >= 0 and k not in seen:
            seen.add(k)
            c = transcript.tokens[k].confidence
            if c is not None:
                vals.append(c)
    return sum(vals) / len(vals) if vals else None


def _cjk_run(text: str, start: int, end: int) -> tuple[int, int]:
    """The Chinese run around a span, looked at no further than 3 characters out."""
    before = _CJK_TAIL.search(text, max(0, start - 3), start)
    after = _CJK_HEAD.match(text, end, end + 3)
    return (before.start() if before else start), (after.end() if after else end)


# the characters of :func:`~hotfuse.transcript.is_cjk`: a run ending where the search
# ends (``\Z`` matches at ``endpos``), and one starting where the match starts
_CJK_CLASS = _CJK_RUN.pattern[:-1]
_CJK_TAIL = re.compile(_CJK_CLASS + "+\\Z")
_CJK_HEAD = re.compile(_CJK_CLASS + "+")


# --------------------------------------------------------------------------- fuser
AsrInput = str | Transcript | Mapping[str, Any] | Any


class Fuser:
    """A compiled hotword list: build once, fuse many transcripts.

    Thread-safe (all per-lexicon state is built in ``__init__`` and read-only after) and
    picklable (with its compiled targets, so unpickling rebuilds only the postings; see
    :meth:`compiled_state`).

    Example:
        >>> f = Fuser(["伊丽莎白", "达西"])
        >>> f.fuse("伊丽沙白这会儿真太高兴了").text
        '伊丽莎白这会儿真太高兴了'
        >>> f.fuse("今天天气很好").replacements
        ()
    """

    def __init__(
        self,
        hotwords: Iterable[str | Hotword] | Any,
        config: FuseConfig | Mapping[str, Any] | None = None,
        **overrides: Any,
    ) -> None:
        with paused_gc():  # the Hotword objects and the lexicon's tables (see paused_gc)
            self._setup(coerce_hotwords(hotwords), FuseConfig.coerce(config, **overrides), None)

    @classmethod
    def from_compiled(cls, state: Mapping[str, Any], config: FuseConfig | None = None) -> Fuser:
        """The Fuser :meth:`compiled_state` was taken from (``config``: the one it was
        compiled with, which the state does not hold): the hotwords' pinyin and spoken
        forms are read back, not computed.

        Raises:
            ValueError: ``state`` is not a compiled state (a damaged cache file).

        >>> f = Fuser(["伊丽莎白", "PyTorch"])
        >>> g = Fuser.from_compiled(f.compiled_state())
        >>> g.fuse("伊丽沙白用派托奇").text == f.fuse("伊丽沙白用派托奇").text
        True
        """
        with paused_gc():
            try:
                hotwords = tuple(_hotword_from_list(x) for x in state["hotwords"])
                targets = state["targets"]
            except (KeyError, TypeError, ValueError, HotfuseError) as exc:
                msg = f"not a compiled Fuser state: {exc}"
                raise ValueError(msg) from None
            self = cls.__new__(cls)
            self._setup(hotwords, FuseConfig.coerce(config), targets)
        return self

    def compiled_state(self) -> dict[str, Any]:
        """The hotwords and compiled targets as JSON-ready data (:meth:`from_compiled`)."""
        return {
            "hotwords": [_hotword_to_list(hw) for hw in self.hotwords],
            "targets": self._index.state(),
        }

    def _setup(
        self, hotwords: tuple[Hotword, ...], config: FuseConfig, targets: Sequence[Any] | None
    ) -> None:
        self.hotwords = hotwords
        self.config = config
        for hw in self.hotwords:
            if len(hw.text) == 1 and hw.weight > 0:
                log.warning(
                    "one-character hotword %r is matched only through exact aliases", hw.text
                )
            elif len(hw.text) > MAX_PHONETIC_SYLLABLES and hw.weight > 0:
                log.warning(
                    "hotword %r... has %d characters (over %d): matched only exactly",
                    hw.text[:12],
                    len(hw.text),
                    MAX_PHONETIC_SYLLABLES,
                )
        params: dict[str, Any] = {
            "costs": self.config.costs,
            "max_distance": self.config.max_distance,
            "latin_max_distance": self.config.latin_max_distance,
        }
        if targets is None:
            self._index = LexiconIndex(self.hotwords, **params)
        else:
            self._index = LexiconIndex.from_state(self.hotwords, targets, **params)
        self._by_text = {hw.text: hw for hw in self.hotwords}
        self._n_active = sum(1 for hw in self.hotwords if hw.weight > 0)
        self._reach = max(
            [_CONTEXT, *(len(ctx) for hw in self.hotwords for ctx in hw.block_contexts)]
        )
        self._limit_tables: dict[tuple[float, bool, int], list[float]] = {}
        self._log_lexicon = math.log(max(1, self._n_active))
        self._cheap_terms: dict[
            int,
            tuple[
                Mapping[str, float],
                float,
                tuple[float, ...],
                tuple[float, ...],
                dict[tuple[MatchKind, int, int, float], float],
            ],
        ] = {}
        self._z0_arrays: tuple[Any, Any] | None = None  # _limit_array's, on first use
        self._prepare_limits()

    def __getstate__(self) -> dict[str, Any]:
        return {"hotwords": self.hotwords, "config": self.config, "targets": self._index.state()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        targets = state.get("targets")  # None: pickled before the targets were kept
        with paused_gc():
            self._setup(coerce_hotwords(state["hotwords"]), state["config"], targets)

    def __repr__(self) -> str:
        return f"Fuser({len(self.hotwords)} hotwords, threshold={self.config.threshold})"

    # ------------------------------------------------------------------ public
    def fuse(self, asr_result: AsrInput, **kwargs: Any) -> FuseResult:
        """Fuse one recognizer result (text, Transcript or a raw frontend result)."""
        transcript = to_transcript(asr_result, **kwargs)
        return self._fuse_at(transcript, self.config.threshold)

    def sweep(
        self, asr_result: AsrInput, thresholds: Iterable[float], **kwargs: Any
    ) -> tuple[FuseResult, ...]:
        """What :meth:`fuse` returns at each threshold (one result per threshold, in order).

        Scores are computed once; an utterance is re-fused only at thresholds that some
        candidate reaches. Used for threshold sweeps in reports and tuning.

        >>> [r.text for r in Fuser(["伊丽莎白"]).sweep("伊丽沙白来了", [0.0, 20.0])]
        ['伊丽莎白来了', '伊丽沙白来了']
        """
        transcript = to_transcript(asr_result, **kwargs)
        values = [float(t) for t in thresholds]
        cands = self._decide(transcript, threshold=min(values, default=0.0))
        top = max((c.score for c in cands if c.accepted), default=-math.inf)
        unchanged = FuseResult(transcript.text, (), transcript, transcript, self.config)
        out = []
        for t in values:
            if top < t:
                out.append(replace(unchanged, config=replace(self.config, threshold=t)))
            else:
                out.append(self._fuse_at(transcript, t))
        return tuple(out)

    def _fuse_at(self, transcript: Transcript, threshold: float) -> FuseResult:
        """Fuse to a fixed point: replacements change their neighbours' context features
        (a word the old text formed across a boundary is gone), so candidates are
        re-scored on the fused text until nothing more is replaced. Replaced spans are
        exact hotword occurrences and stay protected, so each pass only adds replacements
        elsewhere and the loop ends; ``fuse(fuse(x).text) == fuse(x)`` follows."""
        config = (
            self.config
            if threshold == self.config.threshold
            else replace(self.config, threshold=threshold)
        )
        current = transcript
        done: list[Replacement] = []  # in source offsets
        for _ in range(_MAX_PASSES):
            cands = self._decide(current, threshold=threshold)
            chosen = _select([c for c in cands if c.accepted], threshold)
            if not chosen:
                break
            step = _apply(current, chosen, config)
            done = _merge_replacements(done, step.replacements)
            current = step.transcript
            if not _context_may_change(cands, chosen, self._reach):
                break
        if not done:
            return FuseResult(transcript.text, (), transcript, transcript, config)
        return FuseResult(current.text, tuple(done), current, transcript, config)

    def stream(
        self,
        *,
        style: Literal["increment", "cumulative"] = "increment",
        hold: int | None = None,
        frontend: str | None = None,
    ) -> FuseStream:
        """A :class:`~hotfuse.stream.FuseStream` for text that arrives in chunks.

        >>> s = Fuser(["智能客服"]).stream()
        >>> "".join(p.text for p in (s.push("请转智能刻"), s.push("服系统"), s.finish()))
        '请转智能客服系统'
        """
        from hotfuse.stream import FuseStream

        return FuseStream(self, style=style, hold=hold, frontend=frontend)

    def fuse_many(self, results: Iterable[AsrInput]) -> tuple[FuseResult, ...]:
        """Fuse many results in order (single process; see the CLI's ``--jobs``)."""
        return tuple(self.fuse(r) for r in results)

    def candidates(self, asr_result: AsrInput, **kwargs: Any) -> tuple[Candidate, ...]:
        """Every candidate span with its score, decision and reason (for explaining)."""
        transcript = to_transcript(asr_result, **kwargs)
        cands = self._decide(transcript, explain=True)
        chosen = {
            (c.start, c.end, c.hotword)
            for c in _select([c for c in cands if c.accepted], self.config.threshold)
        }
        out = []
        for c in cands:
            if c.accepted and (c.start, c.end, c.hotword) not in chosen:
                c = replace(c, accepted=False, reason=c.reason + "; overlaps a better candidate")
            out.append(c)
        return tuple(out)

    # ------------------------------------------------------------------ internals
    def _decide(
        self, transcript: Transcript, explain: bool = False, threshold: float | None = None
    ) -> list[Candidate]:
        """Score every candidate; reasons are spelled out for accepted ones (or all)."""
        if not transcript.text or not self._index.targets:
            return []
        text = transcript.text
        if threshold is None:
            threshold = self.config.threshold
        any_conf = transcript.has_confidences
        has_conf = self.config.use_confidence and any_conf
        scored = self.config.scoring_view(transcript)  # calibrated confidences, if any
        limit, ceiling = (None, None) if explain else self._limits(threshold, scored, has_conf)
        cands = self._index.candidates(transcript, limit, ceiling)
        if not cands:
            return []
        protected: _Protected | None = None  # found when a candidate reaches the threshold
        span_confidence = transcript.span_confidence if any_conf else None
        score_values = self.config.model.score_values
        log_lexicon = self._log_lexicon
        out: list[Candidate] = []
        for c in cands:
            hw = self._by_text[c.hotword]
            if not explain and self._upper_bound(c, hw, scored if has_conf else None) < threshold:
                continue  # cannot reach the threshold whatever the costly features say
            values, conf = _values(c, scored, hw, log_lexicon, has_conf)
            conf_logit = None if conf is None else _logit(conf)
            use_conf = conf_logit is not None
            z = score_values(values, has_conf=use_conf, conf=conf_logit)
            z += math.log(hw.weight)
            blocked = ""
            if z >= threshold or explain:
                if protected is None:
                    protected = _Protected(self._index.exact_occurrences(text))
                blocked = _blocked(text, c, hw, protected, self.hotwords)
            accepted = z >= threshold and not blocked
            why = ""
            if accepted or explain:
                why = _reason(c, values[_ORIG_FREQ], conf_logit)
                if blocked:
                    why = f"{why}; {blocked}"
                elif not accepted:
                    why = f"{why}; below threshold {threshold:+.2f}"
            out.append(  # dataclasses.replace, spelled out (it is slow)
                Candidate(
                    c.start,
                    c.end,
                    c.original,
                    c.hotword,
                    c.kind,
                    c.distance,
                    c.n_units,
                    c.span_units,
                    c.target,
                    round(z, 4),
                    round(_sigmoid(z), 4),
                    None if span_confidence is None else span_confidence(c.start, c.end),
                    accepted,
                    why,
                    c.note,
                )
            )
        return out

    def _prepare_limits(self) -> None:
        """Per hotword, the best cheap score at distance 0 under each coefficient set
        (what :meth:`_cheap_score` gives for the hotword's most favourable target)."""
        model = self.config.model
        log_lex = math.log(max(1, self._n_active))
        kind_feature = {
            MatchKind.ALIAS_PINYIN: "alias_pinyin",
            MatchKind.LATIN: "latin",
            MatchKind.SPOKEN: "spoken",
            MatchKind.PHONES: "phones",
        }
        # the targets by what their score at distance 0 depends on besides the
        # coefficients (weight, units, indel allowed, kind feature), so that each such
        # shape is scored once per coefficient set
        shapes: dict[tuple[float, int, bool, MatchKind], list[int]] = {}
        hotwords = self.hotwords
        for t in self._index.targets:
            kind = t.kind
            if kind == MatchKind.ALIAS_EXACT:
                continue
            latin = kind in _LATIN_KINDS
            n = len(t.syllables)
            shape = (hotwords[t.hotword].weight, 2 if latin else n, not latin and n > 1, kind)
            got = shapes.get(shape)
            if got is None:
                shapes[shape] = [t.hotword]
            else:
                got.append(t.hotword)
        self._z0 = {}
        for name, coefs in (("no_conf", model.no_conf), ("with_conf", model.with_conf)):
            base = coefs.get("bias", 0.0) + coefs.get("log_lexicon", 0.0) * log_lex
            base += max(coefs.get("overlap", 0.0), 0.0)
            for k in ("orig_freq", "cross_freq", "en_freq"):
                base += max(coefs.get(k, 0.0), 0.0) * _FREQ_LOG_MAX
            indel_best = max(coefs.get("indel", 0.0), 0.0)
            w_len = coefs.get("log_len", 0.0)
            best = [-math.inf] * len(hotwords)
            for (weight, m, indel, target_kind), hs in shapes.items():
                z = base + math.log(weight) + w_len * math.log(max(1, m))
                if indel:
                    z += indel_best
                feature = kind_feature.get(target_kind)
                if feature is not None:
                    z += coefs.get(feature, 0.0)
                for h in hs:
                    if z > best[h]:
                        best[h] = z
            self._z0[name] = best

    def _limits(
        self, threshold: float, transcript: Transcript, has_conf: bool
    ) -> tuple[Callable[[int], float], list[float]]:
        """The largest match distance at which hotword ``h`` could still reach ``threshold``
        (a function of ``h``), and a per-hotword table of values this transcript's limits
        do not exceed (the index's ceiling: one table per threshold without confidences,
        one per threshold and step of the confidence bonus with them).

        The score is linear in the distance; every other feature is bounded by its most
        favourable value (confidence: the transcript's lowest and highest; for the
        ceiling, the top of the bonus's step), so a window beyond this distance can never
        be replaced and its DP may stop early.
        """
        model = self.config.model
        z0n, z0c = self._z0["no_conf"], self._z0["with_conf"]
        slope_n = model.no_conf.get("distance", 0.0)
        slope_c = model.with_conf.get("distance", 0.0)
        bonus = 0.0
        level = 0
        if has_conf:
            confs = [t.confidence for t in transcript.tokens if t.confidence is not None]
            w = model.with_conf.get("conf", 0.0)
            bonus = max(w * _logit(min(confs)), w * _logit(max(confs)))
            step = (abs(w) * _LOGIT_MAX) / _BONUS_STEPS or 1.0
            level = max(-_BONUS_STEPS, min(_BONUS_STEPS, math.ceil(bonus / step)))
        key = (threshold, has_conf, level)
        table = self._limit_tables.get(key)
        if table is None:
            table = [((z - threshold) / -slope_n if slope_n < 0 else math.inf) + 1e-9 for z in z0n]
            if has_conf:  # the bonus at the top of its step (1e-6: above any rounding)
                top = level * step
                for h, z in enumerate(z0c):
                    other = (z + top - threshold) / -slope_c if slope_c < 0 else math.inf
                    table[h] = max(table[h], other + 1e-6)
            with _CACHE_LOCK:
                if len(self._limit_tables) >= 64:
                    self._limit_tables.clear()
                self._limit_tables[key] = table
        if not has_conf:  # the common case: the ceiling itself, looked up in C
            return table.__getitem__, table
        if _scan.compiled_scan() is not None:  # the same limits as one array, for the kernel
            return self._limit_array(threshold, bonus, slope_n, slope_c).__getitem__, table

        def limit(h: int) -> float:
            best = (z0n[h] - threshold) / -slope_n if slope_n < 0 else math.inf
            other = (z0c[h] + bonus - threshold) / -slope_c if slope_c < 0 else math.inf
            return max(best, other) + 1e-9

        return limit, table

    def _limit_array(self, threshold: float, bonus: float, slope_n: float, slope_c: float) -> Any:
        """:meth:`_limits`'s ``limit(h)`` with confidences for every hotword at once, as a
        numpy array (the same operations in the same order, element by element), for the
        compiled scan (:mod:`hotfuse._scan`), which reads limits from an array."""
        import numpy as np

        arrays = self._z0_arrays
        if arrays is None:
            arrays = self._z0_arrays = (
                np.array(self._z0["no_conf"], np.float64),
                np.array(self._z0["with_conf"], np.float64),
            )
        z0n, z0c = arrays
        inf = np.full(len(z0n), np.inf)
        best = (z0n - threshold) / -slope_n if slope_n < 0 else inf
        other = (z0c + bonus - threshold) / -slope_c if slope_c < 0 else inf
        return np.maximum(best, other) + 1e-9

    def _cheap_score(self, c: Candidate, hw: Hotword, coefs: Mapping[str, float]) -> float:
        """The score without ``conf``, with ``overlap``/``orig_freq``/``cross_freq`` at
        their most favourable values: no full feature vector can score higher (within
        :data:`_BOUND_SLACK`, which it adds).

        Everything but the distance term depends on the candidate's shape (kind, units,
        indel, the hotword's weight) alone: that part is computed once per shape and
        coefficient set, as the cheap features in :data:`_CHEAP` order times their
        coefficients with the distance at 0, summed by ``sum``, then the bounds of the
        others added one by one; the distance term is added to it."""
        got = self._cheap_terms.get(id(coefs))
        if got is None or got[0] is not coefs:
            bounds = [max(coefs.get("overlap", 0.0), 0.0)]  # overlap lies in [0, 1]
            bounds += [
                max(coefs.get(k, 0.0), 0.0) * _FREQ_LOG_MAX
                for k in ("orig_freq", "cross_freq", "en_freq")
            ]
            weights = tuple(coefs.get(k, 0.0) for k in _CHEAP)
            got = (coefs, coefs.get("bias", 0.0), weights, tuple(bounds), {})
            with _CACHE_LOCK:
                self._cheap_terms[id(coefs)] = got
        _coefs, bias, weights, tail, shapes = got
        kind = c.kind
        shape = (kind, c.n_units, c.span_units, hw.weight)
        static = shapes.get(shape)
        if static is None:
            latin = kind in _LATIN_KINDS
            values = (
                0.0,  # the distance, added below
                math.log(max(1, c.n_units if not latin else 2)),
                1.0 if c.span_units != c.n_units and not latin else 0.0,
                1.0 if kind == MatchKind.ALIAS_EXACT else 0.0,
                1.0 if kind == MatchKind.ALIAS_PINYIN else 0.0,
                1.0 if latin else 0.0,
                self._log_lexicon,
                1.0 if kind == MatchKind.SPOKEN else 0.0,
                1.0 if kind == MatchKind.PHONES else 0.0,
                1.0 if kind == MatchKind.READING else 0.0,
            )
            static = bias + math.log(hw.weight)
            static += sum(map(operator.mul, weights, values))
            for v in tail:
                static += v
            with _CACHE_LOCK:
                if len(shapes) >= 4096:
                    shapes.clear()
                shapes[shape] = static
        # summed in another order than the model's: the slack keeps it above the score
        return static + weights[0] * c.distance + _BOUND_SLACK

    def _upper_bound(self, c: Candidate, hw: Hotword, scored: Transcript | None) -> float:
        """A score no candidate's full feature vector can exceed: the cheap features, the
        others at their most favourable values, and, where confidences are used
        (``scored``: the transcript the scorer reads them from), the candidate's own
        ``conf`` feature, as :func:`features` computes it (cheap: a few tokens' mean)."""
        model = self.config.model
        conf = None if scored is None else _changed_confidence(c, scored, hw.text)
        if conf is None:  # scored by the model without confidences
            return self._cheap_score(c, hw, model.no_conf)
        w = model.with_conf.get("conf", 0.0)
        return self._cheap_score(c, hw, model.with_conf) + w * _logit(conf) + _BOUND_SLACK


#: The features :meth:`Fuser._cheap_score` reads off a candidate, in its order: the
#: model's features less those it bounds (overlap, the frequencies) or adds (conf).
_CHEAP = tuple(
    f for f in FEATURES if f not in ("overlap", "orig_freq", "cross_freq", "conf", "en_freq")
)


def _hotword_to_list(hw: Hotword) -> list[Any]:
    return [
        hw.text,
        hw.weight,
        list(hw.aliases),
        None if hw.pinyin is None else list(hw.pinyin),
        list(hw.block_contexts),
        list(hw.tags),
        list(hw.spoken),
        hw.auto_spoken,
    ]


def _hotword_from_list(row: Any) -> Hotword:
    """The inverse of :func:`_hotword_to_list` (checked as any Hotword is)."""
    text, weight, aliases, pinyin, block, tags, spoken, auto = row
    return Hotword(
        text,
        weight,
        tuple(aliases),
        None if pinyin is None else tuple(pinyin),
        tuple(block),
        tuple(tags),
        tuple(spoken),
        auto,
    )


def _reason(c: Candidate, orig_freq: float, conf: float | None) -> str:
    """Why in words: the match, the confidence (``conf``: its logit, None when not
    scored) and the original's word frequency (``orig_freq``: the feature's value)."""
    if c.kind == MatchKind.ALIAS_EXACT and c.target == c.hotword:
        parts = ["the same text up to case, width and spacing"]
    elif c.kind == MatchKind.ALIAS_EXACT:
        parts = [f"known alias {c.target!r}"]
    elif c.kind == MatchKind.LATIN:
        parts = [f"letters ~ {c.target!r} (distance {c.distance:.2f})"]
    elif c.kind == MatchKind.SPOKEN:
        source, _, phones = c.note.partition(" ")
        how = f"English pronunciation {phones}" if phones else f"{source} reading"
        parts = [
            f"{c.original} ~ {c.target!r} via {how} ({source}), distance {c.distance:.2f}/syllable"
        ]
        if c.span_units != c.n_units:
            parts.append(f"{c.span_units} vs {c.n_units} syllables")
    elif c.kind == MatchKind.PHONES:
        source, _, phones = c.note.partition(" ")
        parts = [f"sounds like {phones} ({source}), distance {c.distance:.2f}/phone"]
    elif c.kind == MatchKind.READING:
        how = ", ".join(
            f"{w} as {src}" for w, _, src in (x.rpartition("=") for x in c.note.split())
        )
        parts = [
            f"{c.original} read as Mandarin syllables ({how}) ~ {c.target!r}, "
            f"distance {c.distance:.2f}/syllable"
        ]
        if c.span_units != c.n_units:
            parts.append(f"{c.span_units} vs {c.n_units} syllables")
    else:
        via = "" if c.kind == MatchKind.PINYIN else f" via alias {c.target!r}"
        parts = [f"{c.kind.value}{via} distance {c.distance:.2f}/syllable"]
        if c.span_units != c.n_units:
            parts.append(f"{c.span_units} vs {c.n_units} syllables")
    if conf is not None:
        parts.append(f"confidence {_sigmoid(conf):.2f}")
    if orig_freq > 0:
        parts.append(f"original is a word (freq {math.expm1(orig_freq):.0f})")
    return ", ".join(parts)


class _Protected:
    """Exact hotword occurrences ``(start, end, hotword)`` sorted, looked up by position
    (a candidate reads only the few near it, so the cost stays linear in text length)."""

    __slots__ = ("longest", "spans", "starts")

    def __init__(self, spans: Sequence[tuple[int, int, int]]) -> None:
        self.spans = spans
        self.starts = [s for s, _e, _h in spans]
        self.longest = max((e - s for s, e, _h in spans), default=0)

    def first_overlap(self, start: int, end: int) -> int:
        """The hotword index of the first occurrence overlapping start..end, or -1."""
        i = bisect.bisect_left(self.starts, start - self.longest + 1)
        spans = self.spans
        while i < len(spans) and spans[i][0] < end:
            _s, e, h = spans[i]
            if start < e:
                return h
            i += 1
        return -1


def _blocked(
    text: str,
    c: Candidate,
    hw: Hotword,
    protected: _Protected,
    hotwords: Sequence[Hotword],
) -> str:
    h = protected.first_overlap(c.start, c.end)
    if h >= 0:
        return f"overlaps the exact hotword {hotwords[h].text!r}"
    if len(c.original) < len(hw.text) and (
        text[c.end : c.end + 1] == hw.text[-1] or (c.start and text[c.start - 1] == hw.text[0])
    ):
        return "the span is misaligned: its neighbour already holds the hotword's edge"
    for ctx in hw.block_contexts:
        # an occurrence holding the span starts in [end - len, start]: search only there
        lo, hi = max(0, c.end - len(ctx)), c.start + len(ctx)
        pos = text.find(ctx, lo, hi)
        while pos >= 0:
            if pos <= c.start and c.end <= pos + len(ctx):
                return f"inside blocking context {ctx!r}"
            pos = text.find(ctx, pos + 1, hi)
    return ""


_MAX_PASSES = 8
_BONUS_STEPS = 8  # ceiling tables per threshold and sign of the confidence bonus
_CONTEXT = 3  # features read at most this many characters beyond a span (_cross_freq)


def _context_may_change(
    cands: Sequence[Candidate], chosen: Sequence[Candidate], reach: int
) -> bool:
    """Whether another pass could decide differently.

    Only the context of a scored, unchosen candidate within ``reach`` characters of a
    replacement can change (``cross_freq`` and the misalignment rule read 3 characters
    out, blocking contexts their own length); everything else a candidate's score reads
    lies inside its own span. Candidates (old or new) that overlap a replacement overlap
    an exact hotword occurrence from then on, which is protected.
    """
    ends = [r.end for r in chosen]  # chosen: sorted, non-overlapping, so ends ascend too
    for c in cands:
        i = bisect.bisect_right(ends, c.start - reach)  # the first r with r.end + reach > start
        near = False
        while i < len(chosen) and chosen[i].start - reach < c.end:
            r = chosen[i]
            if c.start < r.end and r.start < c.end:
                near = False  # overlaps a replacement: protected from now on
                break
            near = True
            i += 1
        if near:
            return True
    return False


def _merge_replacements(
    done: Sequence[Replacement], new: Sequence[Replacement]
) -> list[Replacement]:
    """Add replacements found on the fused text to ``done``, mapped to source offsets.

    ``new`` offsets index the text after ``done`` was applied; they never overlap a
    span of ``done`` (those are exact hotword occurrences, which are protected).
    """
    out = list(done)
    ends: list[int] = []  # where each replacement of ``done`` ends in the fused text
    shifts = [0]  # shifts[k]: the offset change of the first k replacements
    for d in done:
        ends.append(d.start + shifts[-1] + len(d.hotword))
        shifts.append(shifts[-1] + len(d.hotword) - (d.end - d.start))
    for r in new:
        shift = shifts[bisect.bisect_right(ends, r.start)]
        out.append(replace(r, start=r.start - shift, end=r.end - shift))
    out.sort(key=lambda r: r.start)
    return out


def _select(cands: Sequence[Candidate], threshold: float) -> list[Candidate]:
    """Best non-overlapping set by total margin (weighted interval scheduling)."""
    if not cands:
        return []
    items = sorted(cands, key=lambda c: (c.end, c.start))
    n = len(items)
    best = [0.0] * (n + 1)
    take = [False] * (n + 1)
    prev_idx = [0] * n
    ends = [c.end for c in items]
    for i, c in enumerate(items):
        prev_idx[i] = bisect.bisect_right(ends, c.start, 0, i)
    for i, c in enumerate(items, start=1):
        with_it = best[prev_idx[i - 1]] + (c.score - threshold) + 1e-9
        if with_it > best[i - 1]:
            best[i], take[i] = with_it, True
        else:
            best[i] = best[i - 1]
    chosen = []
    i = n
    while i > 0:
        if take[i]:
            chosen.append(items[i - 1])
            i = prev_idx[i - 1]
        else:
            i -= 1
    return _prefer_whole(sorted(chosen, key=lambda c: c.start), items)


def _prefer_whole(chosen: list[Candidate], accepted: Sequence[Candidate]) -> list[Candidate]:
    """Latin words matched by one hotword rather than split among several: an accepted
    Latin candidate replaces the chosen Latin ones inside its span when it is at least as
    close (``react js`` is React.js, not React + JS, when all three are listed). Margins
    add up, so the interval scheduling alone always prefers two pieces to their whole."""
    whole = [c for c in accepted if c.kind in _LATIN_KINDS]
    if len(chosen) < 1 or not whole:
        return chosen
    for w in sorted(whole, key=lambda c: (c.start - c.end, c.distance)):
        inside = [c for c in chosen if c.start < w.end and w.start < c.end]
        if (
            w not in inside
            and inside
            and all(
                w.start <= c.start
                and c.end <= w.end
                and c.kind in _LATIN_KINDS
                and w.distance <= c.distance + 1e-9
                for c in inside
            )
            and (len(inside) > 1 or (inside[0].start, inside[0].end) != (w.start, w.end))
        ):
            chosen = sorted([c for c in chosen if c not in inside] + [w], key=lambda c: c.start)
    return chosen


_span_start = operator.itemgetter(0)

_TIMES_WARNED = False  # the warning about inconsistent times is given once per process


def _apply(source: Transcript, chosen: Sequence[Candidate], config: FuseConfig) -> FuseResult:
    if not chosen:
        return FuseResult(source.text, (), source, source, config)
    text = source.text
    parts: list[str] = []
    tokens: list[Token] = []
    spans: list[tuple[int, int]] = []
    reps: list[Replacement] = []
    pos = 0  # position in source text
    shift = 0  # new offset - old offset

    cursor = 0  # first source token that may still overlap a kept range

    def keep_token(k: int, a: int, b: int) -> None:
        """Copy what of source token ``k`` lies in a..b (perhaps nothing, or a part)."""
        s, e = source.spans[k]
        s2, e2 = max(s, a), min(e, b)
        if s2 >= e2:  # two replacements meet inside this token: nothing of it is kept
            return
        tok = source.tokens[k]
        if (s2, e2) == (s, e):
            new = tok
        else:
            ts, te = source.span_times(s2, e2)
            new = Token(text[s2:e2], ts, te, tok.confidence)
        tokens.append(new)
        spans.append((s2 + shift, e2 + shift))

    def keep_range(a: int, b: int) -> None:
        """Copy source text a..b, with the (parts of) tokens inside it."""
        nonlocal cursor
        parts.append(text[a:b])
        spans_src = source.spans
        while cursor < len(spans_src) and spans_src[cursor][1] <= a:
            cursor += 1
        k = cursor
        j = bisect.bisect_left(spans_src, b, k, key=_span_start)  # tokens k..j-1 start < b
        if k < j and spans_src[k][0] < a:  # the first may start before a
            keep_token(k, a, b)
            k += 1
        last = j - 1 if k < j and spans_src[j - 1][1] > b else j  # the last may end after b
        if k < last:  # the ones between lie inside a..b: copied whole
            tokens.extend(source.tokens[k:last])
            if shift:
                spans.extend([(s + shift, e + shift) for s, e in spans_src[k:last]])
            else:
                spans.extend(spans_src[k:last])
        if last < j:
            keep_token(last, a, b)

    for c in chosen:
        keep_range(pos, c.start)
        t0, t1 = source.span_times(c.start, c.end)
        if t0 is not None and t1 is not None and t1 < t0:
            # a recognizer's overlapping or decreasing times: nothing to split them by
            global _TIMES_WARNED
            log.log(
                logging.DEBUG if _TIMES_WARNED else logging.WARNING,
                "times decrease across %r (%s > %s): the inserted hotword gets no times"
                " (further cases are logged at debug level)",
                c.original,
                t0,
                t1,
            )
            _TIMES_WARNED = True
            t0 = t1 = None
        new_text = c.hotword
        base = c.start + shift
        pieces = tokenize(new_text) or [(0, len(new_text))]
        n = len(new_text)
        for s, e in pieces:
            ts = te = None
            if t0 is not None and t1 is not None:
                ts, te = split_time(t0, t1, s, n), split_time(t0, t1, e, n)
            tokens.append(
                Token(new_text[s:e], ts, te, None)
                if ts is not None or te is not None
                else plain_token(new_text[s:e])
            )
            spans.append((base + s, base + e))
        parts.append(new_text)
        reps.append(
            Replacement(c.start, c.end, c.original, c.hotword, c.score, c.confidence, c.reason)
        )
        shift += len(new_text) - (c.end - c.start)
        pos = c.end
    keep_range(pos, len(text))
    fused = Transcript._trusted("".join(parts), tuple(tokens), spans)  # consistent by construction
    return FuseResult(fused.text, tuple(reps), fused, source, config)


# --------------------------------------------------------------------------- one call
def to_transcript(
    asr_result: AsrInput,
    *,
    confidences: Sequence[float | None] | None = None,
    timestamps: Sequence[Sequence[float] | None] | None = None,
    frontend: str | None = None,
) -> Transcript:
    """Turn any accepted input into a Transcript: the one dispatcher behind ``fuse()``,
    ``Fuser.fuse`` and ``Fuser.candidates``.

    A Transcript is returned as is; plain text (with optional per-token ``confidences``
    and ``timestamps``) becomes one; a raw recognizer result (a JSON result string, a
    FunASR dict, a Whisper result...) goes to :func:`hotfuse.frontends.to_transcript`, the
    registry's reader, imported lazily so the engine does not depend on the frontends.
    """
    if isinstance(asr_result, Transcript):
        if confidences is not None or timestamps is not None:
            msg = "confidences/timestamps apply to plain text; a Transcript already has them"
            raise InputError(msg)
        return asr_result
    if isinstance(asr_result, str) and frontend is None:
        plain = confidences is None and timestamps is None
        if plain and asr_result.lstrip()[:1] in ("{", "["):
            from hotfuse import frontends
            from hotfuse.errors import FrontendOutputError

            try:  # a recognizer's JSON result string (Vosk, WeNet, sherpa-onnx, a list)
                return frontends.to_transcript(asr_result)
            except FrontendOutputError:
                log.debug(
                    "text starting with %r is not a known result; fused as text", asr_result[:1]
                )
        if plain and "<|" in asr_result:  # SenseVoice's tags: the text frontend keeps them out
            from hotfuse import frontends

            return frontends.to_transcript(asr_result, "text")
        return Transcript.from_text(asr_result, confidences, timestamps)
    if asr_result is None:
        msg = (
            "asr_result is None; pass the recognized text (a string), a Transcript or a raw result"
        )
        raise InputError(msg)
    if confidences is not None or timestamps is not None:
        msg = "confidences/timestamps apply to plain text only"
        raise InputError(msg)
    from hotfuse import frontends

    return frontends.to_transcript(asr_result, frontend)


_CACHE: dict[tuple[Any, ...], Fuser] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_MAX = 64


def _cached_fuser(hotwords: Any, config: FuseConfig) -> Fuser:
    hws = coerce_hotwords(hotwords)
    key = (hws, config)
    with _CACHE_LOCK:
        f = _CACHE.pop(key, None)
        if f is not None:
            _CACHE[key] = f  # most recently used last: eviction drops the least recent
            return f
    f = Fuser(hws, config)
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = f
    return f


def fuse(
    asr_result: AsrInput,
    hotwords: Iterable[str | Hotword] | Any,
    *,
    config: FuseConfig | Mapping[str, Any] | None = None,
    confidences: Sequence[float | None] | None = None,
    timestamps: Sequence[Sequence[float] | None] | None = None,
    frontend: str | None = None,
    **overrides: Any,
) -> FuseResult:
    """Replace spans of ``asr_result`` that sound like one of ``hotwords``.

    Args:
        asr_result: the recognized text, a :class:`Transcript`, or a raw recognizer result
            (a FunASR dict, a Whisper result, ...: see :mod:`hotfuse.frontends`).
        hotwords: strings, :class:`Hotword` objects, or a Lexicon. Compiled lists are
            cached by content, so calling ``fuse`` repeatedly with one list is cheap.
        config: a :class:`FuseConfig` or a mapping of its fields; ``overrides`` replace
            single fields (``fuse(text, words, threshold=2.0)``).
        confidences: for plain text, one recognizer confidence per token (or character).
        timestamps: for plain text, one ``(start, end)`` in seconds per token.
        frontend: the name of the frontend to read a raw result with (auto-detected).

    Returns:
        A :class:`FuseResult`.

    Example:
        >>> r = fuse("伊丽沙白这会儿真太高兴了", ["伊丽莎白", "达西"])
        >>> r.text
        '伊丽莎白这会儿真太高兴了'
        >>> r.replacements[0].original, r.replacements[0].start, r.replacements[0].end
        ('伊丽沙白', 0, 4)
    """
    cfg = FuseConfig.coerce(config, **overrides)
    fuser = _cached_fuser(hotwords, cfg)
    return fuser.fuse(asr_result, confidences=confidences, timestamps=timestamps, frontend=frontend)
