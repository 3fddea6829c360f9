"""The benchmark builder: corpus layout, holdout, distractors, and the files it writes.

Turns references with entity lists (``wenetspeech-biasing``, or a Kaldi text and word list
a user brings) into the benchmark that ``eval/run_benchmark.py`` scores: first-pass
hypotheses from the seeded error models of :mod:`hotfuse.simulate`, per-regime hotword
lists and metadata (see :func:`build_benchmark` for the layout). Imported by the scripts
here (``build_benchmark.py``, ``run_benchmark.py``, ``real_decode.py``,
``speed_lexicons.py``) with ``eval/`` on ``sys.path``.

Example:
    >>> find_entities("中国共产党在中国", ["中国", "中国共产党"])
    [(0, 5, '中国共产党'), (6, 8, '中国')]
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from hotfuse.errors import ConfigError, DataError
from hotfuse.simulate import MODELS, Hypothesis, _is_han, _seed_for, auroc, simulate

__all__ = [
    "DISTRACTOR_TAGS",
    "REGIMES",
    "BenchmarkConfig",
    "Corpus",
    "build_benchmark",
    "corpus_from_files",
    "find_entities",
    "holdout",
    "load_corpus",
    "read_kaldi_text",
    "read_word_list",
    "select_distractors",
    "write_jsonl",
]

logger = logging.getLogger("hotfuse")


def _jieba_dict_path() -> Path:
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        msg = "jieba is not installed; install it with: pip install jieba"
        raise ImportError(msg)
    return Path(spec.origin).parent / "dict.txt"


@lru_cache(maxsize=1)
def _jieba_words() -> dict[str, tuple[int, str]]:
    """jieba's main dictionary: word -> (count, part-of-speech tag)."""
    out: dict[str, tuple[int, str]] = {}
    with _jieba_dict_path().open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                out[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else "")
    return out


def find_entities(text: str, words: Iterable[str]) -> list[tuple[int, int, str]]:
    """Leftmost-longest, non-overlapping occurrences of ``words`` in ``text``.

    >>> find_entities("中国共产党在中国", ["中国", "中国共产党"])
    [(0, 5, '中国共产党'), (6, 8, '中国')]
    """
    vocab = {w for w in words if w}
    if not vocab:
        return []
    lengths = sorted({len(w) for w in vocab}, reverse=True)
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(text):
        for n in lengths:
            if i + n <= len(text) and text[i : i + n] in vocab:
                out.append((i, i + n, text[i : i + n]))
                i += n
                break
        else:
            i += 1
    return out


def read_kaldi_text(path: str | Path) -> list[tuple[str, str]]:
    """Read a Kaldi ``text`` file: ``utt_id`` then the transcript after a tab or spaces.

    Spaces inside the transcript are removed (Mandarin references carry none).

    Raises:
        DataError: a line has no transcript, an id repeats, or the file is not UTF-8.
    """
    p = Path(path)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8 ({exc.reason}); convert it with iconv -t UTF-8"
        raise DataError(msg, path=p) from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.strip().split(None, 1)
        if len(parts) != 2:
            msg = "expected 'utt_id<TAB>transcript'; this line has no transcript"
            raise DataError(msg, path=p, line_no=n)
        uid, txt = parts[0], "".join(parts[1].split())
        if uid in seen:
            msg = f"utterance id {uid!r} appears twice; ids must be unique"
            raise DataError(msg, path=p, line_no=n)
        seen.add(uid)
        out.append((uid, txt))
    return out


def read_word_list(path: str | Path) -> list[str]:
    """One word a line; blank lines and ``#`` comments skipped; duplicates dropped."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8 ({exc.reason}); convert it with iconv -t UTF-8"
        raise DataError(msg, path=p) from None
    words = [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
    return list(dict.fromkeys(words))


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write one compact JSON object a line, UTF-8."""
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


# ---------------------------------------------------------------------------- benchmark
#: The regimes of active hotword lists, in report order.
REGIMES = ("small", "category", "catalogue")

#: jieba part-of-speech tags of proper nouns used as catalogue distractors (person,
#: transliterated person, foreign person, place, organisation, other proper noun).
DISTRACTOR_TAGS = ("nr", "nrt", "nrfg", "ns", "nt", "nz")


@dataclass(frozen=True, slots=True)
class BenchmarkConfig:
    """How a benchmark is cut from references; every choice is seeded by ``seed``.

    Attributes:
        seed: global seed (holdout, negatives, distractors, hypotheses).
        models: error model names (keys of :data:`MODELS`).
        holdout_fraction: share of each entity list held out of the tuning (train) split.
        negative_share: share of the small/category cases that hold no active hotword.
        small_min: fewest active hotwords in a "small" case.
        small_max: most active hotwords in a "small" case (more only when an utterance
            holds more true entities).
        catalogue_size: number of distractor proper nouns added in the catalogue regime.
        distractor_min_freq: distractors need at least this jieba count (drops
            segmentation fragments such as 郭靖突).
        distractor_max_freq: and at most this count (drops common words tagged as names,
            such as 明白 (10875) and 文明 (6584)).
        distractor_min_len: shortest distractor, in characters.
        distractor_max_len: longest distractor, in characters.
    """

    seed: int = 0
    models: tuple[str, ...] = ("A", "B")
    holdout_fraction: float = 1.0 / 3.0
    negative_share: float = 1.0 / 3.0
    small_min: int = 3
    small_max: int = 5
    catalogue_size: int = 5000
    distractor_min_freq: int = 5
    distractor_max_freq: int = 500
    distractor_min_len: int = 2
    distractor_max_len: int = 8

    def __post_init__(self) -> None:
        unknown = [m for m in self.models if m not in MODELS]
        if unknown or not self.models:
            msg = f"unknown error models {unknown}; choose from {sorted(MODELS)}"
            raise ConfigError(msg)
        if not 0.0 <= self.holdout_fraction < 1.0 or not 0.0 <= self.negative_share < 1.0:
            msg = "holdout_fraction and negative_share must be in [0, 1)"
            raise ConfigError(msg)
        if not 1 <= self.small_min <= self.small_max:
            msg = "need 1 <= small_min <= small_max"
            raise ConfigError(msg)
        if self.catalogue_size < 0 or self.distractor_min_freq > self.distractor_max_freq:
            msg = "catalogue_size must be >= 0 and distractor_min_freq <= distractor_max_freq"
            raise ConfigError(msg)


@dataclass(frozen=True, slots=True)
class Corpus:
    """References with entity lists.

    Attributes:
        lists: category -> its entity words (file order).
        splits: split name -> ``(utt_id, text, category)`` for every utterance.
        source: where it was read from (for the manifest).
    """

    lists: Mapping[str, tuple[str, ...]]
    splits: Mapping[str, tuple[tuple[str, str, str], ...]]
    source: str = ""


def _category_name(subset: str) -> str:
    return subset[: -len("-name")] if subset.endswith("-name") else subset


def load_corpus(
    data_dir: str | Path, *, splits: Sequence[str] = ("train", "dev"), skip: Sequence[str] = ()
) -> Corpus:
    """Read a directory laid out like ``wenetspeech-biasing``.

    Every sub-directory holding ``biased_words.txt`` is a category (``person-name`` ->
    ``person``); its ``<split>/text`` files are Kaldi text. A subset whose word list is
    the union of the others' (``all_biased``) is skipped, as are the names in ``skip``.
    An utterance listed by two subsets belongs to the first in sorted order.

    Raises:
        DataError: the directory holds no subset, or a requested split is missing
            everywhere.
    """
    root = Path(data_dir)
    subs = (
        sorted(
            p.name
            for p in root.iterdir()
            if (p / "biased_words.txt").is_file() and p.name not in skip
        )
        if root.is_dir()
        else []
    )
    if not subs:
        msg = (
            "no entity subsets found (sub-directories holding biased_words.txt); point --data "
            "at wenetspeech-biasing/ or use --text and --words for your own data"
        )
        raise DataError(msg, path=root)
    words = {s: read_word_list(root / s / "biased_words.txt") for s in subs}
    for s in list(subs):
        others = set().union(*(set(words[o]) for o in subs if o != s)) if len(subs) > 1 else set()
        if len(subs) > 2 and set(words[s]) == others:
            subs.remove(s)
            logger.info("skipping subset %s: its list is the union of the others", s)
    lists = {_category_name(s): tuple(words[s]) for s in subs}
    out: dict[str, tuple[tuple[str, str, str], ...]] = {}
    for split in splits:
        rows: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        found = False
        for s in subs:
            path = root / s / split / "text"
            if not path.is_file():
                continue
            found = True
            for uid, text in read_kaldi_text(path):
                if uid not in seen and text:
                    seen.add(uid)
                    rows.append((uid, text, _category_name(s)))
        if not found:
            msg = f"split {split!r} not found under any subset (expected <subset>/{split}/text)"
            raise DataError(msg, path=root)
        out[split] = tuple(rows)
    return Corpus(lists=lists, splits=out, source=str(root))


def corpus_from_files(
    text: str | Path, words: str | Path, *, category: str = "custom", split: str = "dev"
) -> Corpus:
    """A one-category corpus from a Kaldi ``text`` file and a word list a user brings.

    Only utterances that hold a word of the list are kept (as in the reference data).
    """
    vocab = read_word_list(words)
    rows = tuple(
        (uid, t, category) for uid, t in read_kaldi_text(text) if t and find_entities(t, vocab)
    )
    return Corpus(lists={category: tuple(vocab)}, splits={split: rows}, source=str(text))


def _rng(seed: int, *parts: str) -> random.Random:
    return random.Random(_seed_for(seed, "/".join(parts), "bench"))


def _hash_key(seed: int, *parts: str) -> str:
    return hashlib.sha256("\x1f".join((str(seed), *parts)).encode()).hexdigest()


def holdout(corpus: Corpus, config: BenchmarkConfig) -> dict[str, tuple[str, ...]]:
    """The held-out (unseen) words of each category: a seeded ``holdout_fraction`` share.

    A word listed in two categories is held out when either holds it out.
    """
    out: dict[str, tuple[str, ...]] = {}
    for cat, words in corpus.lists.items():
        ordered = sorted(set(words))
        _rng(config.seed, "holdout", cat).shuffle(ordered)
        k = round(len(ordered) * config.holdout_fraction)
        out[cat] = tuple(sorted(ordered[:k]))
    return out


def select_distractors(
    corpus: Corpus, config: BenchmarkConfig
) -> tuple[tuple[str, ...], dict[str, int]]:
    """Distractor proper nouns for the catalogue regime, and how many each rule dropped.

    Rule, applied to jieba's main dictionary in order: the tag is one of
    :data:`DISTRACTOR_TAGS`; the word is ``distractor_min_len``-``distractor_max_len`` Han
    characters; its count lies in [``distractor_min_freq``, ``distractor_max_freq``]
    (drops common words tagged as names, such as 明白 and 文明, and fragments); it is not
    an entity word, nor inside or around one; it occurs in no reference transcript of
    any split (so it is never a true hotword and words the corpus uses as common words
    go). A seeded sample of ``catalogue_size`` of the survivors is returned, sorted.
    """
    entities = {w for ws in corpus.lists.values() for w in ws}
    texts = [t for rows in corpus.splits.values() for _, t, _ in rows]
    blob = "\n".join(texts)
    counts = {"tag": 0, "shape": 0, "frequency": 0, "entity": 0, "in_references": 0}
    pool: list[str] = []
    for word, (freq, tag) in _jieba_words().items():
        if tag not in DISTRACTOR_TAGS:
            counts["tag"] += 1
            continue
        if not (
            config.distractor_min_len <= len(word) <= config.distractor_max_len
            and all(_is_han(c) for c in word)
        ):
            counts["shape"] += 1
            continue
        if not config.distractor_min_freq <= freq <= config.distractor_max_freq:
            counts["frequency"] += 1
            continue
        if any(word in e or e in word for e in entities):
            counts["entity"] += 1
            continue
        if word in blob:
            counts["in_references"] += 1
            continue
        pool.append(word)
    counts["eligible"] = len(pool)
    pool.sort(key=lambda w: _hash_key(config.seed, "distractor", w))
    chosen = tuple(sorted(pool[: config.catalogue_size]))
    counts["chosen"] = len(chosen)
    return chosen, counts


@dataclass
class _SplitStats:
    chars: int = 0
    entity_chars: int = 0
    edits: int = 0
    entity_edits: int = 0
    occurrences: int = 0
    intact: int = 0
    confidences: list[float] = field(default_factory=list)
    wrong: list[bool] = field(default_factory=list)

    def add(self, text: str, spans: Sequence[tuple[int, int, str]], hyp: Hypothesis) -> None:
        self.chars += len(text)
        self.entity_chars += sum(e - s for s, e, _ in spans)
        self.edits += len(hyp.edits)
        self.entity_edits += sum(1 for ed in hyp.edits if ed.in_entity)
        for s, e, _ in spans:
            self.occurrences += 1
            if not any(s <= ed.ref_index < e for ed in hyp.edits):
                self.intact += 1
        self.confidences.extend(hyp.confidences)
        self.wrong.extend(hyp.wrong)

    def summary(self) -> dict[str, float]:
        bg = self.chars - self.entity_chars
        return {
            "cer": self.edits / self.chars if self.chars else 0.0,
            "b_cer": self.entity_edits / self.entity_chars if self.entity_chars else 0.0,
            "u_cer": (self.edits - self.entity_edits) / bg if bg else 0.0,
            "entity_recall": self.intact / self.occurrences if self.occurrences else 0.0,
            "auroc": auroc(self.confidences, self.wrong)
            if any(self.wrong) and not all(self.wrong)
            else math.nan,
        }


def build_benchmark(
    corpus: Corpus,
    out_dir: str | Path,
    config: BenchmarkConfig | None = None,
    *,
    hypotheses: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
) -> dict[str, Any]:
    """Write the benchmark files for every split of ``corpus`` and return a summary.

    ``hypotheses`` replaces the simulated first passes by recorded ones (a real
    recognizer's): hypothesis set name -> utterance id -> a hypothesis record
    (``{"text", "tokens"}`` as :func:`hotfuse.formats.records.transcript_record` writes
    it). Every utterance of ``corpus`` must have one in every set; ``config.models`` is
    then not used.

    Layout of ``out_dir`` (``<M>`` is an error model name, ``<R>`` a regime)::

        manifest.json              config, model parameters, holdout, distractor rule, counts
        catalogue_distractors.txt  the distractor proper nouns
        <split>/ref.txt            Kaldi text of every case
        <split>/hyp.<M>.jsonl      {"id", "text", "confidences"} per case
        <split>/hotwords.small.jsonl, hotwords.category.jsonl   {"id", "hotwords"} per case
        <split>/hotwords.catalogue.txt   the catalogue (one global list)
        <split>/meta.jsonl         per case: utt, category, negative, entities, unseen,
                                   has_hotword per regime

    Cases: every utterance (a *positive* case of its category) plus negative cases
    ``NEG-<category>-<utt>``: utterances of other categories holding no word of the
    category list, sampled so that they are ``negative_share`` of the cases. The
    catalogue regime is scored on the positive cases only (every reference of the corpus
    holds an entity of some list). In the ``train`` split the held-out words are dropped
    from every list and utterances holding one are dropped.
    """
    cfg = config or BenchmarkConfig()
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    unseen_by_cat = holdout(corpus, cfg)
    unseen_all = {w for ws in unseen_by_cat.values() for w in ws}
    all_entities = sorted({w for ws in corpus.lists.values() for w in ws})
    distractors, distractor_counts = select_distractors(corpus, cfg)
    (root / "catalogue_distractors.txt").write_text(
        "".join(w + "\n" for w in distractors), encoding="utf-8"
    )
    summary: dict[str, Any] = {"splits": {}, "distractors": distractor_counts}
    for split, rows in corpus.splits.items():
        tuning = split == "train"
        lists = {
            cat: tuple(w for w in ws if not (tuning and w in unseen_all))
            for cat, ws in corpus.lists.items()
        }
        kept = [r for r in rows if not (tuning and any(w in r[1] for w in unseen_all))]
        dropped = len(rows) - len(kept)
        summary["splits"][split] = _build_split(
            root / split,
            kept,
            lists,
            unseen_all,
            all_entities,
            distractors,
            cfg,
            tuning,
            hypotheses,
        )
        summary["splits"][split]["dropped_holding_unseen"] = dropped
    manifest = {
        "source": corpus.source,
        "config": asdict(cfg),
        "models": (
            {m: MODELS[m].to_dict() for m in cfg.models}
            if hypotheses is None
            else {name: "recorded" for name in hypotheses}
        ),
        "categories": {c: len(ws) for c, ws in corpus.lists.items()},
        "lists": {c: list(ws) for c, ws in corpus.lists.items()},
        "unseen": {c: list(ws) for c, ws in unseen_by_cat.items()},
        "distractor_rule": {
            "tags": list(DISTRACTOR_TAGS),
            "counts": distractor_counts,
        },
        "summary": summary,
    }
    (root / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, default=_json_default) + "\n",
        encoding="utf-8",
    )
    return summary


def _recorded_stats(
    rows: Sequence[tuple[str, str, str]],
    spans_of: Mapping[str, list[tuple[int, int, str]]],
    by_utt: Mapping[str, Mapping[str, Any]],
) -> dict[str, float]:
    """CER, B/U-CER, entity recall and confidence AUROC of recorded hypotheses."""
    from hotfuse.calibration import auroc, labelled_chars
    from hotfuse.metrics import evaluate, normalize_text
    from hotfuse.transcript import Token, Transcript

    def transcript(rec: Mapping[str, Any]) -> Transcript:
        toks = [
            Token(t["text"], t.get("start"), t.get("end"), t.get("confidence"))
            for t in rec.get("tokens", ())
        ]
        return (
            Transcript.from_tokens(toks, rec["text"]) if toks else Transcript.from_text(rec["text"])
        )

    refs = [text for _, text, _ in rows]
    hyps = [transcript(by_utt[uid]) for uid, _, _ in rows]
    words = [sorted({w for _, _, w in spans_of[uid]}) for uid, _, _ in rows]
    rep = evaluate(refs, [h.text for h in hyps], words)
    confs, right = labelled_chars([normalize_text(r) for r in refs], hyps)
    return {
        "cer": rep.cer(),
        "b_cer": rep.b_cer(),
        "u_cer": rep.u_cer(),
        "entity_recall": rep.recall(),
        "auroc": auroc(confs, right),
    }


def _json_default(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def _build_split(
    out: Path,
    rows: Sequence[tuple[str, str, str]],
    lists: Mapping[str, tuple[str, ...]],
    unseen: set[str],
    all_entities: Sequence[str],
    distractors: Sequence[str],
    cfg: BenchmarkConfig,
    tuning: bool,
    recorded: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    split = out.name
    # Cases: positives, then negatives per category in a seeded order.
    cases: list[tuple[str, str, str, str, bool]] = []  # (case id, utt, text, category, neg)
    n_pos: dict[str, int] = {}
    for uid, text, cat in rows:
        cases.append((uid, uid, text, cat, False))
        n_pos[cat] = n_pos.get(cat, 0) + 1
    total_pos = len(cases)
    want_neg = round(total_pos * cfg.negative_share / (1.0 - cfg.negative_share))
    for cat in sorted(lists):
        share = round(want_neg * n_pos.get(cat, 0) / total_pos) if total_pos else 0
        words = lists[cat]
        cands = [r for r in rows if r[2] != cat and not any(w in r[1] for w in words)]
        cands.sort(key=lambda r: _hash_key(cfg.seed, "negative", split, cat, r[0]))
        for uid, text, src_cat in cands[:share]:
            cases.append((f"NEG-{cat}-{uid}", uid, text, cat, True))
            del src_cat
    catalogue = sorted({w for ws in lists.values() for w in ws} | set(distractors))
    seen_all = {w for ws in lists.values() for w in ws}
    # Hypotheses: one per source utterance and model, copied to every case of it.
    entity_vocab = [w for w in all_entities if not (tuning and w in unseen)] or list(all_entities)
    spans_of: dict[str, list[tuple[int, int, str]]] = {}
    for uid, text, _ in rows:
        spans_of[uid] = find_entities(text, entity_vocab)
    stats: dict[str, Any] = {
        "cases": len(cases),
        "positive": total_pos,
        "negative": len(cases) - total_pos,
        "models": {},
    }
    if recorded is not None:
        for name, by_utt in recorded.items():
            missing = [uid for uid, _, _ in rows if uid not in by_utt]
            if missing:
                msg = f"hypothesis set {name!r} has no record for {len(missing)} utterances"
                raise DataError(msg)
            write_jsonl(out / f"hyp.{name}.jsonl", ({**by_utt[c[1]], "id": c[0]} for c in cases))
            stats["models"][name] = _recorded_stats(rows, spans_of, by_utt)
    for name in cfg.models if recorded is None else ():
        model = MODELS[name]
        st = _SplitStats()
        hyps: dict[str, Hypothesis] = {}
        for uid, text, _ in rows:
            spans = spans_of[uid]
            h = simulate(uid, text, [(s, e) for s, e, _ in spans], model=model, seed=cfg.seed)
            hyps[uid] = h
            st.add(text, spans, h)
        write_jsonl(out / f"hyp.{name}.jsonl", (hyps[c[1]].to_json(c[0]) for c in cases))
        stats["models"][name] = st.summary()
    (out / "ref.txt").write_text("".join(f"{c[0]}\t{c[2]}\n" for c in cases), encoding="utf-8")
    # Hotword lists.
    small: list[dict[str, Any]] = []
    category: list[dict[str, Any]] = []
    meta: list[dict[str, Any]] = []
    for cid, uid, text, cat, neg in cases:
        words = lists[cat]
        true = [] if neg else list(dict.fromkeys(w for _, _, w in find_entities(text, words)))
        rng = _rng(cfg.seed, "small", split, cid)
        n = rng.randint(cfg.small_min, cfg.small_max)
        pool = sorted(w for w in words if w not in text and w not in true)
        distract = rng.sample(pool, min(len(pool), max(0, n - len(true))))
        active = true + distract
        rng.shuffle(active)
        small.append({"id": cid, "hotwords": active})
        category.append({"id": cid, "hotwords": list(words)})
        meta.append(
            {
                "id": cid,
                "utt": uid,
                "category": cat,
                "negative": neg,
                "entities": true,
                "unseen": [w for w in true if w in unseen],
                "has_hotword": {
                    "small": any(w in text for w in active),
                    "category": any(w in text for w in words),
                    "catalogue": (not neg) and any(w in text for w in seen_all),
                },
            }
        )
    write_jsonl(out / "hotwords.small.jsonl", small)
    write_jsonl(out / "hotwords.category.jsonl", category)
    write_jsonl(out / "meta.jsonl", meta)
    (out / "hotwords.catalogue.txt").write_text(
        "".join(w + "\n" for w in catalogue), encoding="utf-8"
    )
    stats["catalogue_words"] = len(catalogue)
    stats["negative_with_hotword"] = sum(
        1 for m in meta if m["negative"] and m["has_hotword"]["category"]
    )
    return stats
