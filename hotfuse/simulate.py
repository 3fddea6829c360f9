"""Seeded error models that turn reference transcripts into first-pass hypotheses.

hotfuse is evaluated on real Mandarin references (WenetSpeech utterances selected by the
THU-HCSI contextual-biasing dataset) for which no recognizer output exists. This module
simulates what a strong Mandarin recognizer decoded **without hotwords** writes for them:
one hypothesis string and one confidence in [0, 1] per output character, plus the exact
list of edits it made (so tests and reports know which characters are wrong).

Error process (per character of the reference, independently):

* Each reference character outside entity spans is wrong with probability
  ``background_error``. Each character inside an entity (hotword) span is wrong with
  probability ``p = entity_floor + entity_span * rarity ** entity_gamma``, where
  ``rarity`` mixes how rare the character is (its frequency in jieba's dictionary, summed
  over the words holding it) and how rare the dictionary word covering it is (a name such
  as 伊丽莎白 or 白嘉轩 is rare, 中国 or 南京 is not). Rare proper-noun characters are
  therefore much more error-prone than background text and than famous entities.
* A wrong character gets an error kind drawn from the model's mix (:class:`ErrorKind`):
  a homophone (same syllable and tone), a tone error (same syllable, other tone), a fuzzy
  initial/final confusion (z/zh, c/ch, s/sh, n/l, f/h, r/l; an/ang, en/eng, in/ing, which
  also covers ian/iang and uan/uang), an unrecoverable random character, a dropped
  syllable, or an inserted one. Replacement characters are drawn with probability
  proportional to ``frequency ** freq_alpha`` so a rare name character such as 莎 becomes
  a frequent homophone such as 沙. A kind that is impossible for a character (no
  homophone exists) falls back along homophone -> tone -> fuzzy -> random.
* Confidences are Beta draws: one distribution for correct background characters, one
  for correct entity characters (the recognizer is less sure on rare words), one for
  sound-alike errors (homophone, tone, fuzzy: the recognizer is often confident in them)
  and one for the rest (random substitutions, insertions). Correct characters next to an
  error inside an entity are scaled by ``neighbour_scale``. Wrong and right characters
  therefore overlap: see :func:`auroc`.

Grounding (figures that fix the order of magnitude of the rates):

* Paraformer-large (the FunASR recognizer hotfuse targets) reports CER 3.57 % on
  WenetSpeech dev, 6.97 % on test and 6.74 % on test_net without LM (FunASR,
  ``egs_modelscope/asr/paraformer/speech_paraformer-large_asr_nat-zh-cn-16k-common-
  vocab8404-pytorch/RESULTS.md``): background character error rates of 3.5-5 % here.
* On the Aishell-1 named-entity hotword sets released with SeACo-Paraformer (Shi et al.,
  arXiv:2308.03266, repository R1ckShi/SeACo-Paraformer), 226 of 400 (test) and 371 of
  600 (dev) hotwords have a recall below 40 % on a general recognizer: rare names are
  mostly wrong without biasing.
* On the WenetSpeech biased-word sets used here, CB-Conformer (Xu et al., ICASSP 2023,
  arXiv:2304.09607) reports a 14.13 % absolute biased-word recall gain and a 15.34 %
  relative CER reduction from biasing over a plain Conformer, i.e. a sizeable share of
  the entity occurrences is wrong in the unbiased first pass while many entities here are
  common words (中国, 南京, 法国) that no strong recognizer misses.

The two shipped models (:data:`MODEL_A`, :data:`MODEL_B`) are calibrated to give, on the
dev split, entity-occurrence recall of roughly 65-75 %, biased CER of 10-20 % and
unbiased CER of 3.5-5.5 % (see ``eval/README.md`` for the measured figures). Both are
frozen: the fusion core is tuned on model A and reported on both.

Every draw comes from a ``random.Random`` seeded by a hash of (seed, model name,
utterance id), so a hypothesis does not depend on the order or set of utterances it is
generated with.

Example:
    >>> h = simulate("u1", "伊丽莎白这会儿真太高兴了", [(0, 4)], model=MODEL_A, seed=1)
    >>> len(h.confidences) == len(h.text)
    True
    >>> h == simulate("u1", "伊丽莎白这会儿真太高兴了", [(0, 4)], model=MODEL_A, seed=1)
    True
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from hotfuse.errors import ConfigError, InputError
from hotfuse.phonetics import (
    char_frequencies,
    char_frequency,
    char_readings,
    fuzzy_variants,
    jieba_frequencies,
    word_frequency,
)

__all__ = [
    "MODELS",
    "MODEL_A",
    "MODEL_B",
    "Edit",
    "ErrorKind",
    "ErrorModel",
    "Hypothesis",
    "auroc",
    "char_frequency",
    "char_readings",
    "entity_error_probabilities",
    "fuzzy_variants",
    "simulate",
    "word_frequency",
]

logger = logging.getLogger("hotfuse")


class ErrorKind(StrEnum):
    """What a simulated recognizer did to one reference character."""

    HOMOPHONE = "homophone"  # same toneless syllable and same tone, other character
    TONE = "tone"  # same toneless syllable, other tone
    FUZZY = "fuzzy"  # one fuzzy initial/final confusion (z/zh, an/ang, ...)
    RANDOM = "random"  # unrelated frequent character (unrecoverable)
    DELETE = "delete"  # syllable dropped
    INSERT = "insert"  # extra syllable after this character

    @property
    def sound_alike(self) -> bool:
        """True for the kinds whose output still sounds (almost) like the reference."""
        return self in (ErrorKind.HOMOPHONE, ErrorKind.TONE, ErrorKind.FUZZY)


_FALLBACK = (ErrorKind.HOMOPHONE, ErrorKind.TONE, ErrorKind.FUZZY, ErrorKind.RANDOM)

Mix = tuple[tuple[ErrorKind, float], ...]
BetaParams = tuple[float, float]


def _check_mix(mix: Mix, name: str) -> None:
    if not mix or any(w < 0 or not math.isfinite(w) for _, w in mix):
        msg = f"{name} must be non-empty (kind, weight) pairs with weights >= 0, got {mix!r}"
        raise ConfigError(msg)
    if sum(w for _, w in mix) <= 0:
        msg = f"{name} weights must not all be zero"
        raise ConfigError(msg)


@dataclass(frozen=True, slots=True)
class ErrorModel:
    """Every parameter of one simulated first-pass recognizer.

    Attributes:
        name: short name, part of the per-utterance seed (``"A"``, ``"B"``).
        description: one line saying what the model imitates.
        background_error: probability that a reference character outside entity spans is
            wrong (any kind). Sets the unbiased CER.
        background_mix: (kind, weight) pairs for background errors.
        entity_floor: error probability of an entity character of rarity 0 (a character
            as common as 中 inside a word as common as 中国).
        entity_span: added error probability at rarity 1.
        entity_gamma: exponent on rarity; > 1 keeps common entities nearly error-free.
        entity_mix: (kind, weight) pairs for entity errors.
        char_weight: weight of the character's own rarity in the rarity mix (the word's
            rarity has weight ``1 - char_weight``).
        char_freq_common: a character with this jieba-derived frequency or more has
            character rarity 0.
        char_freq_rare: a character with this frequency or less has character rarity 1
            (log-linear in between).
        word_freq_common: a dictionary word with this jieba count or more has word
            rarity 0; characters not covered by a dictionary word of length >= 2 have
            word rarity 1.
        word_freq_rare: a word with this count or less has word rarity 1.
        freq_alpha: replacement characters are drawn with probability proportional to
            ``frequency ** freq_alpha`` (0 = uniform, 1 = proportional to frequency).
        conf_correct: Beta(a, b) of confidences on correct background characters.
        conf_correct_entity: Beta(a, b) on correct characters inside entities.
        conf_sound_alike: Beta(a, b) on homophone, tone and fuzzy substitutions.
        conf_other_error: Beta(a, b) on random substitutions and insertions.
        neighbour_scale: factor applied to the confidence of a correct entity character
            next to an error (uncertainty spreads over a misheard name).
    """

    name: str
    description: str
    background_error: float
    background_mix: Mix
    entity_floor: float
    entity_span: float
    entity_gamma: float
    entity_mix: Mix
    char_weight: float = 0.5
    char_freq_common: float = 2.0e5
    char_freq_rare: float = 1.0e3
    word_freq_common: float = 2.0e4
    word_freq_rare: float = 20.0
    freq_alpha: float = 1.0
    conf_correct: BetaParams = (20.0, 1.0)
    conf_correct_entity: BetaParams = (8.0, 1.5)
    conf_sound_alike: BetaParams = (3.0, 1.8)
    conf_other_error: BetaParams = (2.0, 2.5)
    neighbour_scale: float = 0.85

    def __post_init__(self) -> None:
        for label in ("background_error", "entity_floor", "entity_span", "char_weight"):
            v = getattr(self, label)
            if not 0.0 <= v <= 1.0:
                msg = f"ErrorModel.{label} must be in [0, 1], got {v!r}"
                raise ConfigError(msg)
        if self.entity_floor + self.entity_span > 1.0:
            msg = "ErrorModel.entity_floor + entity_span must not exceed 1"
            raise ConfigError(msg)
        if self.entity_gamma <= 0 or self.freq_alpha < 0:
            msg = "ErrorModel.entity_gamma must be > 0 and freq_alpha >= 0"
            raise ConfigError(msg)
        if not (self.char_freq_common > self.char_freq_rare > 0):
            msg = "ErrorModel needs char_freq_common > char_freq_rare > 0"
            raise ConfigError(msg)
        if not (self.word_freq_common > self.word_freq_rare > 0):
            msg = "ErrorModel needs word_freq_common > word_freq_rare > 0"
            raise ConfigError(msg)
        for label in ("conf_correct", "conf_correct_entity", "conf_sound_alike"):
            a, b = getattr(self, label)
            if a <= 0 or b <= 0:
                msg = f"ErrorModel.{label} Beta parameters must be > 0, got {(a, b)!r}"
                raise ConfigError(msg)
        a, b = self.conf_other_error
        if a <= 0 or b <= 0:
            msg = f"ErrorModel.conf_other_error Beta parameters must be > 0, got {(a, b)!r}"
            raise ConfigError(msg)
        if not 0.0 < self.neighbour_scale <= 1.0:
            msg = f"ErrorModel.neighbour_scale must be in (0, 1], got {self.neighbour_scale!r}"
            raise ConfigError(msg)
        _check_mix(self.background_mix, "background_mix")
        _check_mix(self.entity_mix, "entity_mix")

    def to_dict(self) -> dict[str, Any]:
        """The parameters as plain JSON-ready values (kinds as strings)."""
        d = asdict(self)
        d["background_mix"] = [[str(k), w] for k, w in self.background_mix]
        d["entity_mix"] = [[str(k), w] for k, w in self.entity_mix]
        return d


K = ErrorKind

#: Model A, "paraformer-like": a non-autoregressive attention model with a strong internal
#: language model. Its entity errors are mostly real homophones (it writes a plausible
#: frequent character that sounds the same); its confidences separate errors fairly well.
MODEL_A = ErrorModel(
    name="A",
    description="paraformer-like: homophone-heavy, confident correct output",
    background_error=0.035,
    background_mix=(
        (K.HOMOPHONE, 0.35),
        (K.TONE, 0.10),
        (K.FUZZY, 0.10),
        (K.RANDOM, 0.20),
        (K.DELETE, 0.15),
        (K.INSERT, 0.10),
    ),
    entity_floor=0.005,
    entity_span=0.60,
    entity_gamma=2.0,
    entity_mix=(
        (K.HOMOPHONE, 0.50),
        (K.TONE, 0.15),
        (K.FUZZY, 0.15),
        (K.RANDOM, 0.08),
        (K.DELETE, 0.07),
        (K.INSERT, 0.05),
    ),
    freq_alpha=1.0,
    conf_correct=(12.0, 1.0),
    conf_correct_entity=(6.0, 1.5),
    conf_sound_alike=(4.0, 1.5),
    conf_other_error=(2.2, 2.0),
    neighbour_scale=0.85,
)

#: Model B, "ctc-like": an acoustic-leaning model (CTC / transducer with a weak LM). More
#: tone and fuzzy initial/final confusions and dropped syllables, fewer clean homophones,
#: a flatter choice among candidates, and confidences that separate errors less well.
MODEL_B = ErrorModel(
    name="B",
    description="ctc-like: tone/fuzzy/deletion-heavy, less separable confidences",
    background_error=0.05,
    background_mix=(
        (K.HOMOPHONE, 0.25),
        (K.TONE, 0.15),
        (K.FUZZY, 0.15),
        (K.RANDOM, 0.20),
        (K.DELETE, 0.15),
        (K.INSERT, 0.10),
    ),
    entity_floor=0.01,
    entity_span=0.50,
    entity_gamma=1.7,
    entity_mix=(
        (K.HOMOPHONE, 0.30),
        (K.TONE, 0.20),
        (K.FUZZY, 0.25),
        (K.RANDOM, 0.10),
        (K.DELETE, 0.10),
        (K.INSERT, 0.05),
    ),
    freq_alpha=0.6,
    conf_correct=(7.0, 1.3),
    conf_correct_entity=(4.5, 1.6),
    conf_sound_alike=(4.5, 1.5),
    conf_other_error=(3.0, 2.0),
    neighbour_scale=0.95,
)

#: The shipped models by name.
MODELS: Mapping[str, ErrorModel] = {"A": MODEL_A, "B": MODEL_B}


# ---------------------------------------------------------------------------- tables
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _is_han(ch: str) -> bool:
    return bool(_CJK_RE.fullmatch(ch))


@lru_cache(maxsize=1)
def _by_reading() -> dict[str, list[str]]:
    """Numbered-tone reading -> the characters of jieba's dictionary read so, most
    frequent first (the simulator's pool of homophones and tone errors)."""
    from pypinyin.pinyin_dict import pinyin_dict

    freq = char_frequencies()
    by_reading: dict[str, list[str]] = {}
    for cp in pinyin_dict:
        ch = chr(cp)
        if _is_han(ch) and freq.get(ch, 0) > 0:
            for r in char_readings(ch):
                by_reading.setdefault(r, []).append(ch)
    for chars in by_reading.values():
        chars.sort(key=lambda c: (-freq.get(c, 0), c))
    return by_reading


def _split_tone(reading: str) -> tuple[str, str]:
    if reading and reading[-1].isdigit():
        return reading[:-1], reading[-1]
    return reading, "5"


@lru_cache(maxsize=1)
def _frequent_chars() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The 3,000 most frequent characters and their cumulative frequency (for insertions
    and random substitutions)."""
    freq = char_frequencies()
    chars = sorted((c for c in freq if _is_han(c)), key=lambda c: (-freq[c], c))[:3000]
    cum: list[float] = []
    total = 0.0
    for c in chars:
        total += freq[c]
        cum.append(total)
    return tuple(chars), tuple(cum)


# ---------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class Edit:
    """One simulated error.

    Attributes:
        kind: what happened.
        ref_index: index of the reference character it concerns (for an insertion, the
            character the extra one follows).
        ref: the reference character ("" never; for an insertion the preceding one).
        hyp: what the hypothesis holds instead ("" for a deletion; for an insertion the
            inserted character).
        in_entity: True when ``ref_index`` lies in an entity span.
    """

    kind: ErrorKind
    ref_index: int
    ref: str
    hyp: str
    in_entity: bool


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """A simulated first-pass result.

    Attributes:
        text: the hypothesis text.
        confidences: one value in [0, 1] per character of ``text``.
        wrong: one flag per character of ``text``: True for a substituted or inserted one.
        edits: every error, in reference order.
    """

    text: str
    confidences: tuple[float, ...]
    wrong: tuple[bool, ...]
    edits: tuple[Edit, ...] = field(default=())

    def to_json(self, utt_id: str) -> dict[str, Any]:
        """The JSONL record written by the benchmark builder."""
        return {"id": utt_id, "text": self.text, "confidences": list(self.confidences)}


# ---------------------------------------------------------------------------- simulation
def _seed_for(seed: int, model: str, utt_id: str) -> int:
    digest = hashlib.sha256(f"{seed}\x1f{model}\x1f{utt_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _rarity(value: float, common: float, rare: float) -> float:
    hi, lo = math.log10(common), math.log10(rare)
    return min(1.0, max(0.0, (hi - math.log10(value + 1.0)) / (hi - lo)))


def _word_rarity_per_char(word: str, model: ErrorModel) -> list[float]:
    """Word rarity of each character of an entity: greedy longest cover by dictionary
    words of >= 2 characters; uncovered characters get 1."""
    words = jieba_frequencies()
    out = [1.0] * len(word)
    i = 0
    while i < len(word):
        for j in range(len(word), i + 1, -1):
            count = words.get(word[i:j], 0)
            if count > 0:  # a dictionary word (jieba's table also holds prefixes, at 0)
                r = _rarity(count, model.word_freq_common, model.word_freq_rare)
                for k in range(i, j):
                    out[k] = r
                i = j
                break
        else:
            i += 1
    return out


def entity_error_probabilities(word: str, model: ErrorModel) -> list[float]:
    """Per-character error probability of an entity under ``model``.

    >>> p = entity_error_probabilities("伊丽莎白", MODEL_A)
    >>> p[2] > p[3]  # 莎 is rarer than 白
    True
    >>> max(entity_error_probabilities("中国", MODEL_A)) < 0.02
    True
    """
    wr = _word_rarity_per_char(word, model)
    out = []
    for ch, w in zip(word, wr, strict=True):
        cr = _rarity(char_frequency(ch), model.char_freq_common, model.char_freq_rare)
        mix = model.char_weight * cr + (1.0 - model.char_weight) * w
        out.append(model.entity_floor + model.entity_span * mix**model.entity_gamma)
    return out


def _weighted_choice(rng: random.Random, chars: Sequence[str], alpha: float) -> str:
    freq = char_frequencies()
    weights = [float(freq.get(c, 1)) ** alpha for c in chars]
    return rng.choices(chars, weights=weights, k=1)[0]


def _random_frequent(rng: random.Random, exclude: str) -> str:
    chars, cum = _frequent_chars()
    while True:
        x = rng.random() * cum[-1]
        c = chars[min(bisect_right(cum, x), len(chars) - 1)]
        if c != exclude:
            return c


def _substitute(
    rng: random.Random, kind: ErrorKind, ch: str, reading: str | None, model: ErrorModel
) -> tuple[ErrorKind, str]:
    """Apply a substitution kind, falling back when it is impossible for ``ch``."""
    by_reading = _by_reading()
    order = _FALLBACK[_FALLBACK.index(kind) :] if kind in _FALLBACK else (kind,)
    for k in order:
        if k is ErrorKind.RANDOM or reading is None:
            return ErrorKind.RANDOM, _random_frequent(rng, ch)
        base, tone = _split_tone(reading)
        cands: list[str] = []
        if k is ErrorKind.HOMOPHONE:
            cands = [c for c in by_reading.get(reading, ()) if c != ch]
        elif k is ErrorKind.TONE:
            for t in "12345":
                if t != tone:
                    cands.extend(c for c in by_reading.get(base + t, ()) if c != ch)
        elif k is ErrorKind.FUZZY:
            variants = fuzzy_variants(base)
            for v in variants:
                same_tone = [c for c in by_reading.get(v + tone, ()) if c != ch]
                if same_tone:
                    cands.extend(same_tone)
                else:
                    for t in "12345":
                        cands.extend(c for c in by_reading.get(v + t, ()) if c != ch)
        if cands:
            return k, _weighted_choice(rng, list(dict.fromkeys(cands)), model.freq_alpha)
    return ErrorKind.RANDOM, _random_frequent(rng, ch)


def _unknown_chars(chunk: str) -> Any:
    """pypinyin ``errors`` callback: one placeholder per character keeps alignment."""
    return ["?"] * len(chunk)


def _context_readings(text: str) -> list[str | None]:
    """Numbered-tone reading of each character of ``text`` in context (None off Han)."""
    from pypinyin import Style, lazy_pinyin

    raw = lazy_pinyin(
        text,
        style=Style.TONE3,
        neutral_tone_with_five=True,
        errors=_unknown_chars,
    )
    if len(raw) != len(text):  # pragma: no cover - pypinyin keeps one item per char here
        raw = [
            (lazy_pinyin(c, style=Style.TONE3, neutral_tone_with_five=True) or ["?"])[0]
            for c in text
        ]
    return [r if (r != "?" and _is_han(c)) else None for r, c in zip(raw, text, strict=True)]


def _pick(rng: random.Random, mix: Mix) -> ErrorKind:
    kinds = [k for k, _ in mix]
    weights = [w for _, w in mix]
    return rng.choices(kinds, weights=weights, k=1)[0]


def _beta(rng: random.Random, params: BetaParams) -> float:
    return rng.betavariate(params[0], params[1])


def simulate(
    utt_id: str,
    text: str,
    entity_spans: Iterable[tuple[int, int]] = (),
    *,
    model: ErrorModel = MODEL_A,
    seed: int = 0,
) -> Hypothesis:
    """Simulate a no-hotword first pass of ``model`` over one reference.

    Args:
        utt_id: utterance id; with ``seed`` and ``model.name`` it fixes every random draw.
        text: the reference transcript.
        entity_spans: half-open ``(start, end)`` character ranges of entities (hotword
            occurrences of any list) in ``text``; :func:`find_entities` finds them.
        model: the error model.
        seed: global seed of the benchmark.

    Returns:
        The hypothesis, its per-character confidences and error flags, and its edits.

    Raises:
        InputError: a span lies outside ``text`` or spans overlap.

    >>> h = simulate("x", "今天天气很好", model=MODEL_A, seed=3)
    >>> len(h.text) == len(h.confidences) == len(h.wrong)
    True
    """
    entity_of = [-1] * len(text)
    entity_p: list[float] = [0.0] * len(text)
    for k, (s, e) in enumerate(sorted(entity_spans)):
        if not (0 <= s < e <= len(text)) or any(entity_of[i] >= 0 for i in range(s, e)):
            msg = f"{utt_id}: entity span {(s, e)} is outside the text or overlaps another"
            raise InputError(msg)
        for i, p in zip(range(s, e), entity_error_probabilities(text[s:e], model), strict=True):
            entity_of[i] = k
            entity_p[i] = p
    rng = random.Random(_seed_for(seed, model.name, utt_id))
    readings: list[str | None] | None = None

    out_chars: list[str] = []
    out_kind: list[ErrorKind | None] = []
    out_entity: list[int] = []
    edits: list[Edit] = []
    # Draws are made for every character in a fixed order so that a change to one
    # character's outcome does not shift the random stream of the others.
    for i, ch in enumerate(text):
        u_err, u_kind, u_sub = rng.random(), rng.random(), rng.random()
        sub_rng = random.Random(int(u_sub * 2**53))
        in_entity = entity_of[i] >= 0
        if not _is_han(ch):
            out_chars.append(ch)
            out_kind.append(None)
            out_entity.append(entity_of[i])
            continue
        p = entity_p[i] if in_entity else model.background_error
        if u_err >= p:
            out_chars.append(ch)
            out_kind.append(None)
            out_entity.append(entity_of[i])
            continue
        mix = model.entity_mix if in_entity else model.background_mix
        kind = _kind_from_uniform(u_kind, mix)
        if kind is ErrorKind.DELETE:
            edits.append(Edit(kind, i, ch, "", in_entity))
            continue
        if kind is ErrorKind.INSERT:
            extra = _random_frequent(sub_rng, ch)
            out_chars.extend((ch, extra))
            out_kind.extend((None, ErrorKind.INSERT))
            out_entity.extend((entity_of[i], entity_of[i]))
            edits.append(Edit(kind, i, ch, extra, in_entity))
            continue
        if readings is None:
            readings = _context_readings(text)
        done, new = _substitute(sub_rng, kind, ch, readings[i], model)
        out_chars.append(new)
        out_kind.append(done)
        out_entity.append(entity_of[i])
        edits.append(Edit(done, i, ch, new, in_entity))

    # Confidences, from their own stream (independent of how many errors were drawn).
    crng = random.Random(_seed_for(seed, model.name + "/conf", utt_id))
    confs: list[float] = []
    for j, done_kind in enumerate(out_kind):
        u = crng.random()
        local = random.Random(int(u * 2**53))
        if done_kind is None:
            ent = out_entity[j] >= 0
            c = _beta(local, model.conf_correct_entity if ent else model.conf_correct)
            if ent and _next_to_error(j, out_kind, out_entity):
                c *= model.neighbour_scale
        elif done_kind.sound_alike:
            c = _beta(local, model.conf_sound_alike)
        else:
            c = _beta(local, model.conf_other_error)
        confs.append(round(min(1.0, max(0.0, c)), 4))
    # A deletion inside an entity also lowers its neighbours' confidence.
    return Hypothesis(
        text="".join(out_chars),
        confidences=tuple(confs),
        wrong=tuple(k is not None for k in out_kind),
        edits=tuple(edits),
    )


def _kind_from_uniform(u: float, mix: Mix) -> ErrorKind:
    total = sum(w for _, w in mix)
    acc = 0.0
    for k, w in mix:
        acc += w / total
        if u < acc:
            return k
    return mix[-1][0]


def _next_to_error(j: int, kinds: Sequence[ErrorKind | None], ents: Sequence[int]) -> bool:
    for n in (j - 1, j + 1):
        if 0 <= n < len(kinds) and kinds[n] is not None and ents[n] == ents[j]:
            return True
    return False


# ---------------------------------------------------------------------------- AUROC
def auroc(confidences: Sequence[float], is_error: Sequence[bool]) -> float:
    """Area under the ROC curve of ``1 - confidence`` as a detector of wrong characters.

    1.0: every wrong character has a lower confidence than every right one; 0.5: the
    confidences say nothing. Ties count one half (Mann-Whitney U).

    Raises:
        InputError: the sequences differ in length, or one class is empty.

    >>> auroc([0.9, 0.8, 0.3, 0.85], [False, False, True, True])
    0.75
    """
    if len(confidences) != len(is_error):
        msg = f"auroc: {len(confidences)} confidences but {len(is_error)} labels"
        raise InputError(msg)
    n_err = sum(1 for e in is_error if e)
    n_ok = len(is_error) - n_err
    if n_err == 0 or n_ok == 0:
        msg = "auroc needs at least one wrong and one right character"
        raise InputError(msg)
    order = sorted(range(len(confidences)), key=lambda k: confidences[k])
    rank_sum_ok = 0.0
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and confidences[order[j + 1]] == confidences[order[i]]:
            j += 1
        avg_rank = (i + j) / 2.0 + 1.0
        for k in range(i, j + 1):
            if not is_error[order[k]]:
                rank_sum_ok += avg_rank
        i = j + 1
    u = rank_sum_ok - n_ok * (n_ok + 1) / 2.0
    return u / (n_ok * n_err)
