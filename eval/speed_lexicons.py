"""Lexicons and utterances for the speed benchmark (``eval/bench_speed.py``).

Everything here is deterministic for a given seed.

* **Lexicons** are nested prefixes of one ordered word list: first a seeded half of the
  entity words of ``wenetspeech-biasing`` (when the data is present; the other half stays
  out so that utterances holding only those are hotword-free), then real proper nouns
  from jieba's dictionary: words tagged ``nr``/``ns``/``nt``/``nz``, 2-6 Han characters,
  below the common-word count :data:`hotfuse.lexicon.COMMON_WORD_FREQ`, in a seeded
  order. So the 5-word lexicon is five real entities, and the 50,000-word lexicon holds
  the 300-word one.
* **Utterances** of a given length are cut from the concatenated WenetSpeech references
  (distinct windows, never repeated); in a share of them one hotword of the lexicon,
  damaged by homophone substitution (one character, two for words of four or more), is
  written over the window at a seeded position, so the engine has real work.
* **Accuracy cases**: dev references with a first pass simulated by
  :func:`hotfuse.simulate.simulate` (error model A).

Without the shared data the text stream falls back, with a warning, to sentences of
frequent jieba words (the figures then differ; the JSON records ``text_source``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger("hotfuse.bench")

#: jieba part-of-speech tags of the proper nouns used as benchmark hotwords.
PROPER_NOUN_TAGS = ("nr", "ns", "nt", "nz")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "wenetspeech-biasing"


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _key(seed: int, *parts: str) -> str:
    return hashlib.sha256("\x1f".join((str(seed), *parts)).encode()).hexdigest()


@lru_cache(maxsize=1)
def jieba_dictionary() -> tuple[tuple[str, int, str], ...]:
    """jieba's main dictionary as ``(word, count, tag)`` rows, file order."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        msg = "jieba is not installed; install it with: pip install jieba"
        raise ImportError(msg)
    rows: list[tuple[str, int, str]] = []
    path = Path(spec.origin).parent / "dict.txt"
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                rows.append((parts[0], int(parts[1]), parts[2] if len(parts) > 2 else ""))
    return tuple(rows)


def proper_nouns(
    seed: int = 0,
    *,
    exclude: Sequence[str] = (),
    tags: Sequence[str] = PROPER_NOUN_TAGS,
    min_len: int = 2,
    max_len: int = 6,
    max_freq: int | None = None,
) -> list[str]:
    """jieba's proper nouns that pass the benchmark rule, in a seeded order.

    Args:
        seed: fixes the order.
        exclude: words left out (the entity words, listed separately).
        tags: part-of-speech tags kept.
        min_len: shortest word, in Han characters.
        max_len: longest word.
        max_freq: words with this jieba count or more are dropped (default: the
            lexicon checker's common-word count).

    Returns:
        The words, distinct.
    """
    if max_freq is None:
        from hotfuse.lexicon import COMMON_WORD_FREQ

        max_freq = COMMON_WORD_FREQ
    skip = set(exclude)
    tagset = set(tags)
    words = {
        w
        for w, count, tag in jieba_dictionary()
        if tag in tagset
        and min_len <= len(w) <= max_len
        and count < max_freq
        and all(_is_han(c) for c in w)
        and w not in skip
    }
    return sorted(words, key=lambda w: _key(seed, "noun", w))


@dataclass(frozen=True, slots=True)
class SpeedData:
    """The material of one benchmark run.

    Attributes:
        words: the ordered hotword list; the lexicon of size N is ``words[:N]``.
        active_entities: the entity words at the head of ``words``.
        entities: every entity word of the data (empty without data).
        stream: reference transcripts, in a seeded order, to cut utterances from.
        dev: ``(utt_id, reference)`` of the dev split (accuracy), empty without data.
        text_source: ``"wenetspeech-biasing"`` or ``"synthetic"``.
        n_proper_nouns: how many jieba proper nouns passed the rule.
    """

    words: tuple[str, ...]
    active_entities: tuple[str, ...]
    entities: tuple[str, ...]
    stream: tuple[str, ...]
    dev: tuple[tuple[str, str], ...]
    text_source: str
    n_proper_nouns: int

    def lexicon(self, size: int) -> list[str]:
        """The first ``size`` words; raises ValueError when there are not enough."""
        if size > len(self.words):
            msg = (
                f"only {len(self.words)} benchmark words are available; "
                f"ask for a lexicon of at most that size"
            )
            raise ValueError(msg)
        return list(self.words[:size])


def load_speed_data(data_dir: Path | None = DEFAULT_DATA, *, seed: int = 0) -> SpeedData:
    """Read the references and entity lists (when present) and order every word list."""
    entities: list[str] = []
    stream: list[str] = []
    dev: list[tuple[str, str]] = []
    source = "synthetic"
    if data_dir is not None and Path(data_dir).is_dir():
        from benchmark import load_corpus

        corpus = load_corpus(data_dir, splits=("dev", "train"))
        entities = sorted({w for ws in corpus.lists.values() for w in ws})
        dev = [(uid, text) for uid, text, _ in corpus.splits["dev"]]
        texts = [text for rows in corpus.splits.values() for _, text, _ in rows]
        stream = sorted(dict.fromkeys(texts), key=lambda t: _key(seed, "ref", t))
        source = "wenetspeech-biasing"
    else:
        log.warning(
            "no reference data at %s: utterances are synthetic sentences of jieba words and "
            "no accuracy is measured; point --data at wenetspeech-biasing/ for real figures",
            data_dir,
        )
        stream = synthetic_stream(seed)
    ordered = sorted(entities, key=lambda w: _key(seed, "entity", w))
    active = ordered[: len(ordered) // 2]
    nouns = proper_nouns(seed, exclude=entities)
    return SpeedData(
        words=tuple(active + nouns),
        active_entities=tuple(active),
        entities=tuple(entities),
        stream=tuple(stream),
        dev=tuple(dev),
        text_source=source,
        n_proper_nouns=len(nouns),
    )


def synthetic_stream(seed: int, n_sentences: int = 4000) -> list[str]:
    """Sentences of 3-12 frequent jieba words (used only without the reference data)."""
    common = [
        (w, c)
        for w, c, tag in jieba_dictionary()
        if c >= 2000 and all(_is_han(ch) for ch in w) and not tag.startswith("n")
    ]
    words = [w for w, _ in common]
    weights = [float(c) for _, c in common]
    rng = random.Random(seed)
    return [
        "".join(rng.choices(words, weights=weights, k=rng.randint(3, 12)))
        for _ in range(n_sentences)
    ]


# --------------------------------------------------------------------------- damage
@lru_cache(maxsize=1)
def _homophones() -> dict[str, tuple[str, ...]]:
    """Numbered-tone reading -> frequent characters read so, most frequent first."""
    from hotfuse.phonetics import char_frequency, char_readings

    by_reading: dict[str, list[tuple[int, str]]] = {}
    for cp in range(0x4E00, 0xA000):
        ch = chr(cp)
        freq = char_frequency(ch)
        if freq < 100:
            continue
        for r in char_readings(ch):
            by_reading.setdefault(r, []).append((-freq, ch))
    return {r: tuple(c for _, c in sorted(v)) for r, v in by_reading.items()}


def damage(word: str, rng: random.Random) -> str:
    """``word`` with one character (two for words of 4+) replaced by a frequent homophone.

    The reading used is the word's own (phrase-aware) one; a character with no frequent
    homophone is left alone, so the result may equal ``word`` for rare readings.

    >>> damage("伊丽莎白", random.Random(1)) != "伊丽莎白"
    True
    """
    from hotfuse.phonetics import hotword_pinyin

    readings = hotword_pinyin(word)
    table = _homophones()
    options = [
        i
        for i, (ch, r) in enumerate(zip(word, readings, strict=True))
        if any(c != ch for c in table.get(r, ())[:8])
    ]
    if not options:
        return word
    chars = list(word)
    for i in rng.sample(options, min(len(options), 2 if len(word) >= 4 else 1)):
        cands = [c for c in table[readings[i]][:8] if c != word[i]]
        chars[i] = rng.choice(cands)
    return "".join(chars)


def cut_utterances(
    stream: Sequence[str],
    length: int,
    count: int,
    *,
    seed: int,
    pick_word: Callable[[int, random.Random], str | None],
    damage_share: float = 0.6,
) -> list[str]:
    """``count`` distinct utterances of exactly ``length`` characters.

    Windows are cut from the concatenated ``stream`` (consecutive, non-overlapping while
    the stream lasts, then shifted by a prime offset); in a ``damage_share`` of them the
    word ``pick_word(i, rng)`` is damaged by :func:`damage` and written over the window at
    a seeded position (when it fits).
    """
    blob = "".join(stream)
    if len(blob) <= length:
        msg = f"the text stream holds {len(blob)} characters; need more than {length}"
        raise ValueError(msg)
    rng = random.Random(_key(seed, "utt", str(length)))
    span = len(blob) - length
    out: list[str] = []
    seen: set[str] = set()
    i = 0
    tries = 0
    while len(out) < count:
        tries += 1
        if tries > 20 * count + 100:
            msg = f"could not cut {count} distinct utterances of {length} characters"
            raise ValueError(msg)
        start = (i * length + (i * length // span) * 7919) % span
        i += 1
        text = blob[start : start + length]
        if rng.random() < damage_share:
            word = pick_word(len(out), rng)
            if word and len(word) <= length:
                bad = damage(word, rng)
                at = rng.randint(0, length - len(bad))
                text = text[:at] + bad + text[at + len(bad) :]
        if text in seen:
            continue
        seen.add(text)
        out.append(text)
    return out


def benchmark_catalogue(data_dir: Path, data: SpeedData, size: int, *, seed: int = 0) -> list[str]:
    """A ``size``-term list in the style of the evaluation benchmark's catalogue regime.

    The active entities of ``data`` plus distractors chosen by
    :func:`benchmark.select_distractors` in eval/benchmark.py (jieba proper nouns with a
    count of 5-500 that occur in no reference), so it can be compared with the speed lexicon, whose
    proper nouns follow only the common-word rule.
    """
    from benchmark import BenchmarkConfig, load_corpus, select_distractors

    if size <= len(data.active_entities):
        return list(data.active_entities[:size])
    corpus = load_corpus(data_dir, splits=("dev", "train"))
    n = size - len(data.active_entities)
    config = BenchmarkConfig(seed=seed, catalogue_size=n)
    distractors, _ = select_distractors(corpus, config)
    return list(data.active_entities) + list(distractors)


@dataclass(frozen=True, slots=True)
class AccuracyCases:
    """Dev references, their simulated first pass and per-character confidences."""

    ids: tuple[str, ...]
    references: tuple[str, ...]
    hypotheses: tuple[str, ...]
    confidences: tuple[tuple[float, ...], ...]


def accuracy_cases(data: SpeedData, *, seed: int = 0, limit: int = 0) -> AccuracyCases:
    """Simulated first passes (error model A) of the dev references, a seeded sample.

    Entity spans for the simulation are the occurrences of every entity word (active or
    not) and of every benchmark word, so catalogue words are as error-prone as entities.
    """
    from benchmark import find_entities

    from hotfuse.simulate import MODEL_A, simulate

    rows = sorted(data.dev, key=lambda r: _key(seed, "acc", r[0]))
    if limit > 0:
        rows = rows[:limit]
    rows.sort()
    vocab = set(data.entities)
    ids, refs, hyps, confs = [], [], [], []
    for uid, text in rows:
        spans = [(s, e) for s, e, _ in find_entities(text, vocab)]
        h = simulate(uid, text, spans, model=MODEL_A, seed=seed)
        ids.append(uid)
        refs.append(text)
        hyps.append(h.text)
        confs.append(tuple(h.confidences))
    return AccuracyCases(tuple(ids), tuple(refs), tuple(hyps), tuple(confs))
