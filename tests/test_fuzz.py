"""Fuzzing hostile and broken input through fuse() (issue 16).

Hypothesis strategies for hostile text (real sentences with planted near-misses, every
script and odd code points), hotword lists, weights, aliases, pinyin, confidences and
times, and the invariants that must hold for every input:

* what cannot be accepted is refused when it is built (``Hotword``, ``Transcript``,
  ``FuseConfig``) with a :class:`HotfuseError` whose message is one line; whatever was
  accepted fuses without an exception;
* text outside the replacements is byte-identical, offsets are in range and ordered,
  every replacement inserts one of the hotwords;
* confidences are never invented (inserted tokens carry none; a replacement's
  confidence lies within the recognizer's), times stay finite and within the input's;
* fusing the fused text again changes nothing (idempotence);
* ``explain()`` and ``candidates()`` work on every input;
* a lexicon file of any format (every import format and the TOML lexicon), mutated at
  random byte by byte or line by line, loads (and writes back as TOML unchanged) or gives
  a one-line :class:`LexiconError` naming the file, and its line when the text decodes.

The budget is fixed (``derandomize``, no example database) so CI runs the same
examples each time in about a minute: ``pytest -m fuzz``; these tests are skipped in the
default run. ``eval/fuzz.py`` runs them for longer with random seeds. Every failure the
fuzzer found is pinned as an ``@example``.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from hotfuse import Fuser, FuseResult, Hotword, Transcript
from hotfuse.errors import HotfuseError
from hotfuse.transcript import Token

pytestmark = pytest.mark.fuzz

TRIED: Counter[str] = Counter()
"""Inputs tried per property (eval/fuzz.py reports them)."""

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)  # fmt: skip

# --------------------------------------------------------------------------- strategies
SENTENCES = (
    "伊丽沙白这会儿真太高兴了",
    "他对于伊丽沙白也殷勤和悦到极点",
    "白家轩早早地躲到中医堂去下棋",
    "我们用拍托起训练模型，然后部署到 g p u 上",
    "the email was sent via Gmail and the new laws",
    "我在b站看了 py torch 的教程",
    "明天去重亲开会，记得带上 iphone15",
    "达稀先生和宾力先生一起来了。",
    "postgresql15 和 redis 都装好了",
    "can do 的事情就 AI 来做",
)
NEAR_MISSES = (
    "伊丽沙白", "伊莉莎", "达稀", "大西", "宾力", "王芳", "重亲", "银航", "克劳德",
    "py torch", "Py-Torch", "ＰＹＴＯＲＣＨ", "chat g p t", "b 站", "Ｂ站", "gpu", "G P U",
    "拍托起", "Applegp u", "苹果", "AI", "ai", "aws", "laws",
)  # fmt: skip
ODD = (
    "\x00", "\t", "\n", "\r\n", "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u2028",
    "\ud800", "\U0010ffff", "\u0301", "ﬁ", "㎏", "Ⅻ", "ß", "İ", "ǅ", "Ａ", "１", "٣", "߀",
    "😀", "👨\u200d👩\u200d👧", "🇨🇳", "𠀀", "〇", "々", "ー", "안녕", "こんにちは", "مرحبا",
    "עברית", "Ελλάδα", "Москва", "'", ".", "-", "’", "…", "，", "。", "{", "[", '"', "\\",
    "<script>alert(1)</script>", "&amp;", " ", "\u3000", "\xa0",
)  # fmt: skip
HOTWORD_POOL = (
    "伊丽莎白", "达西", "宾利", "汪芳", "重庆", "银行", "白银", "PyTorch", "GPU", "ChatGPT",
    "B站", "iPhone 15", "PostgreSQL", "AWS", "Claude", "人工智能", "苹果", "2024", "C++",
    ".NET", "云", "达西达西", "西门庆", "白嘉轩",
)  # fmt: skip

_han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_pieces = st.one_of(
    st.sampled_from(SENTENCES),
    st.sampled_from(NEAR_MISSES),
    st.sampled_from(ODD),
    st.sampled_from(HOTWORD_POOL),
    st.text(_han, max_size=6),
    st.text(st.characters(codec="utf-8"), max_size=6),
    st.text(st.characters(), max_size=4),  # lone surrogates too
    st.text(st.sampled_from("abcgpuAIPyTorch -.'"), max_size=8),
)
texts = st.lists(_pieces, max_size=10).map("".join)

_weights = st.one_of(
    st.just(1.0),
    st.floats(-10, 10),
    st.sampled_from([0.0, -0.0, 1e-310, 5e-324, 1e-200, 1e300, 2.0, math.nan, math.inf]),
    st.integers(-5, 5),
    st.sampled_from(["2", None, True]),
)
_strings = st.one_of(
    st.sampled_from(HOTWORD_POOL),
    st.sampled_from(NEAR_MISSES),
    st.sampled_from(ODD),
    st.text(_han, min_size=1, max_size=40),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=6),
)
_pinyin = st.one_of(
    st.none(),
    st.sampled_from(["chong2 qing4", "yi1 li4 sha1 bai2", "da2 xi1", "", "xx9", "zhong1"]),
    st.lists(st.sampled_from(["yi1", "li4", "sha1", "bai2", "a", "5", "lv4"]), max_size=5),
)


@st.composite
def hotword_specs(draw: st.DrawFn) -> object:
    """A hotword as a user might pass one: a string, a mapping or a Hotword's fields."""
    text = draw(_strings)
    kind = draw(st.sampled_from(["str", "mapping"]))
    if kind == "str":
        return text
    spec: dict[str, Any] = {"text": text}
    if draw(st.booleans()):
        spec["weight"] = draw(_weights)
    if draw(st.booleans()):
        spec["aliases"] = draw(st.lists(_strings, max_size=3))
    if draw(st.booleans()):
        spec["pinyin"] = draw(_pinyin)
    if draw(st.booleans()):
        spec["block_contexts"] = draw(st.lists(_strings, max_size=2))
    return spec


_conf = st.one_of(
    st.floats(0.0, 1.0),
    st.none(),
    st.sampled_from([0.0, 1.0, 5e-324, 1 - 1e-16]),
    st.sampled_from([math.nan, 1.5, -0.1, math.inf, "0.5", True]),  # refused
)
_time = st.one_of(
    st.floats(0.0, 100.0),
    st.sampled_from([0.0, 1e308, 1.7e308, 5e-324]),
    st.sampled_from([math.inf, -1.0, math.nan, "1"]),  # refused
)
_pair = st.one_of(st.none(), st.tuples(_time, _time), st.sampled_from(["ab", (1.0,), 3]))


@st.composite
def timed_values(draw: st.DrawFn, text: str) -> tuple[list[Any] | None, list[Any] | None]:
    """Confidences and timestamps for ``text``: one per token, per token character or per
    non-space character (or a wrong length), well-formed or hostile, times ascending,
    overlapping, decreasing or equal."""
    from hotfuse.transcript import tokenize

    spans = tokenize(text)
    lengths = [len(spans), sum(e - s for s, e in spans), sum(not c.isspace() for c in text)]
    n = draw(st.sampled_from([*lengths, lengths[0] + 1]))
    confs = draw(st.none() | st.lists(_conf, min_size=n, max_size=n))
    times: list[Any] | None = None
    shape = draw(st.sampled_from(["none", "ascending", "decreasing", "zero", "random"]))
    if shape == "ascending":
        cuts = sorted(draw(st.lists(st.floats(0.0, 1e4), min_size=2 * n, max_size=2 * n)))
        times = [(cuts[2 * i], cuts[2 * i + 1]) for i in range(n)]
    elif shape == "decreasing":
        times = [(float(n - i), float(n - i) + 0.5) for i in range(n)]
    elif shape == "zero":
        times = [(0.0, 0.0)] * n
    elif shape == "random":
        times = draw(st.lists(_pair, min_size=n, max_size=n))
    return confs, times


# --------------------------------------------------------------------------- checks
def _one_line_error(exc: HotfuseError) -> None:
    message = str(exc)
    assert message and "\n" not in message, repr(message)


def build_hotwords(specs: Sequence[object]) -> list[Hotword] | None:
    """The hotwords, or None when one is refused (with a one-line HotfuseError)."""
    out = []
    for spec in specs:
        try:
            out.append(Hotword.coerce(spec))
        except HotfuseError as exc:
            _one_line_error(exc)
            return None
    return out


def build_transcript(text: str, confs: Any, times: Any) -> Transcript | None:
    try:
        return Transcript.from_text(text, confidences=confs, timestamps=times)
    except HotfuseError as exc:
        _one_line_error(exc)
        return None


def outside_parts(result: FuseResult) -> tuple[list[str], list[str]]:
    """Source and fused text with every replaced span cut out."""
    src, out = result.source.text, result.text
    src_parts, out_parts = [], []
    pos = shift = 0
    for r in result.replacements:
        src_parts.append(src[pos : r.start])
        out_parts.append(out[pos + shift : r.start + shift])
        shift += len(r.hotword) - (r.end - r.start)
        pos = r.end
    src_parts.append(src[pos:])
    out_parts.append(out[pos + shift :])
    return src_parts, out_parts


def check_result(result: FuseResult, fuser: Fuser) -> None:
    """Every invariant of one fusion result."""
    src = result.source
    text = src.text
    active = {hw.text for hw in fuser.hotwords if hw.weight > 0}
    prev_end = 0
    for r in result.replacements:
        assert prev_end <= r.start < r.end <= len(text), r
        assert text[r.start : r.end] == r.original != r.hotword
        assert r.hotword in active
        assert math.isfinite(r.score) and r.score >= fuser.config.threshold
        prev_end = r.end
    src_parts, out_parts = outside_parts(result)
    assert src_parts == out_parts
    words = [r.hotword for r in result.replacements] + [""]
    assert "".join(p + w for p, w in zip(src_parts, words, strict=True)) == result.text
    # the fused transcript: consistent spans, no invented confidences, sane times
    tr = result.transcript
    assert tr.text == result.text
    end = 0
    for tok, (s, e) in zip(tr.tokens, tr.spans, strict=True):
        assert end <= s < e <= len(tr.text) and tr.text[s:e] == tok.text
        end = e
    confs = {t.confidence for t in src.tokens if t.confidence is not None}
    times = [x for t in src.tokens for x in (t.start, t.end) if x is not None]
    for tok in tr.tokens:
        assert tok.confidence is None or tok.confidence in confs
        for x in (tok.start, tok.end):
            if x is not None:
                assert math.isfinite(x) and min(times) <= x <= max(times)
        if tok.start is not None and tok.end is not None:
            assert tok.start <= tok.end
    for r in result.replacements:
        if r.confidence is not None:
            assert min(confs) - 1e-12 <= r.confidence <= max(confs) + 1e-12
        else:
            covered = {src.token_at(i) for i in range(r.start, r.end)} - {-1}
            assert all(src.tokens[k].confidence is None for k in covered)
    assert isinstance(result.explain(), str)


def check_fuse(fuser: Fuser, source: Transcript | str) -> FuseResult:
    result = fuser.fuse(source)  # accepted input never fails late
    check_result(result, fuser)
    # the same kind of input again: text for text, the fused tokens for tokens
    again = fuser.fuse(result.transcript if isinstance(source, Transcript) else result.text)
    assert again.text == result.text, (result.text, again.replacements)
    for c in fuser.candidates(source):
        assert 0.0 <= c.probability <= 1.0 and not math.isnan(c.score)
    return result


# --------------------------------------------------------------------------- properties
PROPERTIES: dict[str, tuple[Callable[..., None], tuple[st.SearchStrategy[Any], ...]]] = {}
"""Every property's body and strategies, for eval/fuzz.py's long runs."""


def fuzz(
    *strategies: st.SearchStrategy[Any], examples: int | None = None
) -> Callable[[Callable[..., None]], Any]:
    """``@given(*strategies)`` under the CI budget (``examples`` overrides its count), and
    registered in PROPERTIES."""

    def build(body: Callable[..., None]) -> Any:
        PROPERTIES[body.__name__] = (body, strategies)
        budget = FUZZ if examples is None else settings(FUZZ, max_examples=examples)
        return budget(given(*strategies)(body))

    return build


def run_property(name: str, n: int, seed: int) -> None:
    """Run property ``name`` for ``n`` random examples under ``seed`` (eval/fuzz.py)."""
    from hypothesis import seed as with_seed

    body, strategies = PROPERTIES[name]
    long = settings(FUZZ, max_examples=n, derandomize=False, database=None)
    with_seed(seed)(long(given(*strategies)(body)))()


_WITH_ALIASES = (
    Hotword("苹果", aliases=("Apple",)),
    Hotword("人工智能", aliases=("AI",)),
    Hotword("Claude", aliases=("克劳德",)),
    Hotword("AWS", aliases=("aws",)),
)


@functools.cache
def default_fuser() -> Fuser:
    """The pool's hotwords, eager (threshold 0), built on first use (not at collection)."""
    others = [w for w in HOTWORD_POOL if w not in {h.text for h in _WITH_ALIASES}]
    return Fuser([*_WITH_ALIASES, *others], threshold=0.0)


@example("❶ x² ٣")  # found by eval/fuzz.py: non-ASCII digits crashed a Latin reading (int('❶'))
@example("py torch.AI")  # found by eval/fuzz.py: AI replaced inside the word torch.AI
@example("我买了Applegp u")  # finding 2: an alias inside a Latin word split it
@example("the email was sent via Gmail")  # finding 1
@example("can do")
@example('{"a":' * 3000 + "1" + "}" * 3000)  # finding 7
@fuzz(texts)
def test_hostile_text_fuses_with_every_invariant(text: str) -> None:
    TRIED["hostile text"] += 1
    check_fuse(default_fuser(), text)


@example("伊丽沙白来了", None)  # finding 5: decreasing times failed inside fuse()
@fuzz(texts, st.data())
def test_confidences_and_times_are_refused_early_or_fuse(text: str, data: Any) -> None:
    TRIED["confidences and times"] += 1
    if data is None:
        confs, times = None, [(5.0, 6.0), (4.0, 5.0), (3.0, 4.0), (1.0, 2.0), (0.0, 1.0), (0, 0)]
    else:
        confs, times = data.draw(timed_values(text))
    source = build_transcript(text, confs, times)
    assume(source is not None)
    assert source is not None
    check_fuse(default_fuser(), source)


@example([{"text": "伊丽莎白", "weight": 1e-310}], "伊丽沙白来了", 0.25)  # finding 3
@example(["伊" * 64], "伊" * 200, 0.25)  # finding 4
@example([{"text": "伊丽莎白", "aliases": ["\u200b"]}], "你\u200b好", 0.25)  # finding 6
@example(["GPU", {"text": "苹果", "aliases": ["Apple"]}], "我买了Applegp u", 0.25)  # finding 2
@fuzz(st.lists(hotword_specs(), max_size=6), texts, st.sampled_from([0.0, -5.0, 0.25, 5.0]))
def test_hostile_hotwords_are_refused_early_or_fuse(
    specs: list[object], text: str, threshold: float
) -> None:
    TRIED["hotword lists"] += 1
    hotwords = build_hotwords(specs)
    assume(hotwords is not None)
    fuser = Fuser(hotwords, threshold=threshold)
    check_fuse(fuser, text)


_tokens = st.builds(
    Token,
    st.one_of(st.sampled_from(NEAR_MISSES + HOTWORD_POOL), st.text(_han, min_size=1, max_size=3),
              st.text(st.sampled_from("abgpuAI"), min_size=1, max_size=4)),
    st.one_of(st.none(), st.floats(0.0, 50.0)),
    st.none(),
    st.one_of(st.none(), st.floats(0.0, 1.0)),
)  # fmt: skip


@fuzz(st.lists(_tokens, max_size=10), st.booleans(), st.data())
def test_recognizer_tokens_fuse(tokens: list[Token], spaced: bool, data: Any) -> None:
    """Word-level and sub-word tokens, with times a recognizer gives: equal, overlapping,
    decreasing across tokens (a token's own end is never before its start)."""
    TRIED["recognizer tokens"] += 1
    toks = []
    for tok in tokens:
        end = None
        if tok.start is not None and data.draw(st.booleans()):
            end = tok.start + data.draw(st.sampled_from([0.0, 0.1, 3.0]))
        toks.append(Token(tok.text, tok.start, end, tok.confidence))
    text = (" " if spaced else "").join(t.text for t in toks)
    check_fuse(default_fuser(), Transcript.from_tokens(toks, text))


_json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
    st.sampled_from(["伊丽沙白", "达稀", "text", "", "\u202e", "<b>"]),
    st.text(max_size=5),
)  # fmt: skip
_json = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from(["text", "result", "word", "start", "end", "conf", "timestamp",
                         "segments", "words", "tokens", "timestamps", "ys_log_probs",
                         "alternatives", "confidence", "key", "sentences", "probability"])
        | st.text(max_size=4),
        inner, max_size=5),
    max_leaves=20,
)  # fmt: skip
_config_values = st.one_of(
    _json_scalars,
    st.floats(-100, 100),
    st.sampled_from([math.nan, math.inf, -math.inf, -1.0, 0.0, 1e308, 5e-324]),
    _json,
)
_cost_names = st.sampled_from(["fuzzy_initial_cost", "other_initial_cost", "fuzzy_final_cost",
                               "medial_final_cost", "other_final_cost", "tone_cost",
                               "neutral_tone_cost", "max_cost", "indel_cost", "feature_scale",
                               "fuzzy_initials", "fuzzy_finals", "bogus"])  # fmt: skip
_configs = st.dictionaries(
    st.sampled_from(["threshold", "use_confidence", "max_distance", "latin_max_distance",
                     "costs", "model", "bogus"]),
    st.one_of(
        _config_values,
        st.dictionaries(_cost_names, st.one_of(st.floats(0, 2), _config_values), max_size=4),
        st.fixed_dictionaries({"with_conf": st.dictionaries(
            st.sampled_from(["bias", "distance", "conf", "alias", "nope"]),
            st.one_of(st.floats(-20, 20), _config_values), max_size=3),
            "no_conf": st.dictionaries(st.sampled_from(["bias", "distance", "latin"]),
                                       st.floats(-20, 20), max_size=3)}),
    ),
    max_size=4,
)  # fmt: skip


@example({"costs": {"indel_cost": -1.0}}, "伊丽沙白来了")  # finding 10: deleted characters
@example({"costs": 5}, "伊丽沙白来了")
@example({"model": "x"}, "伊丽沙白来了")
@fuzz(_configs, texts)
def test_hostile_configs_are_refused_or_fuse(config: dict[str, Any], text: str) -> None:
    """A config mapping is refused with a one-line ConfigError or it fuses."""
    TRIED["configs"] += 1
    from hotfuse import FuseConfig
    from hotfuse.errors import ConfigError

    try:
        cfg = FuseConfig.coerce(config)
    except ConfigError as exc:
        _one_line_error(exc)
        return
    check_fuse(Fuser(default_fuser().hotwords, cfg), text)


@fuzz(_json, st.booleans())
def test_json_looking_results_are_read_or_refused(raw: Any, as_text: bool) -> None:
    """A recognizer-shaped value (or its JSON text) is read by a frontend or refused with
    a one-line HotfuseError; no detect() logs an error."""
    import json
    import logging

    TRIED["recognizer results"] += 1
    value = json.dumps(raw, ensure_ascii=False) if as_text else raw
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    log = logging.getLogger("hotfuse")
    log.addHandler(handler)
    try:
        result = default_fuser().fuse(value)
    except HotfuseError as exc:
        _one_line_error(exc)
        return
    finally:
        log.removeHandler(handler)
    assert not [r for r in records if "detect() raised" in r.getMessage()]
    check_result(result, default_fuser())


# --------------------------------------------------------------------------- lexicon files
# A property per lexicon format (issue 16): random byte and line mutations of a valid file
# load, or give a LexiconError naming the file (and the line, when the text decodes),
# never another exception; what loads can be written as TOML and read back the same.
_DATA = Path(__file__).parent / "data"
_ROOT = Path(__file__).parent.parent
LEXICON_SEEDS: dict[str, tuple[Path, ...]] = {
    "toml": (_DATA / "lexicon" / "good.toml", _ROOT / "lexicons" / "ai-speech.toml"),
    "plain": (_DATA / "lexicon" / "plain.txt", _DATA / "hotwords" / "funasr-automodel.txt"),
    "funasr": tuple(_DATA / "hotwords" / f for f in ("funasr-runtime.txt",
                                                      "funasr-websocket.json")),
    "sherpa-onnx": tuple(sorted((_DATA / "hotwords").glob("sherpa-onnx-*.txt"))),
    "csv": (_DATA / "lexicon" / "hotwords.csv",),
    "capswriter": tuple(_DATA / "hotwords" / f for f in ("capswriter-hot.txt",
                                                          "capswriter-hot-rule.txt")),
    "capswriter-rule": (_DATA / "hotwords" / "capswriter-hot-rule.txt",),
    "aliyun": (*sorted((_DATA / "hotwords").glob("aliyun*.json")),
               _DATA / "hotwords" / "aliyun.tsv"),
    "tencent": (_DATA / "hotwords" / "tencent.txt", _DATA / "hotwords" / "tencent-inline.txt"),
}  # fmt: skip
_NASTY_BYTES = (
    b"\x00", b"\xff", b"\xc3", b"\xe4\xb8", b"\xef\xbb\xbf", b"\xe2\x80\x8b", b"\xe2\x96\x81",
    b'"', b"'", b"[", b"]", b"{", b"}", b"=", b" = ", b"|", b" | ", b",", b":", b" :",
    b";", b"#", b"~~~", b"\\", b"\n", b"\r", b"\r\n", b"\t", b" ", b"@", b"1e999", b"-1",
    b"NaN", b"100", b"0", b"true", b"[[entry]]\n", b"text = ", b"weight = ", b"\\u0000",
    "重庆".encode(), "伊丽沙白".encode(), b"a" * 40, "重".encode() * 40,
)  # fmt: skip
_mutation = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, 10**6), st.sampled_from(_NASTY_BYTES)),
    st.tuples(st.just("insert"), st.integers(0, 10**6),
              st.sampled_from(_NASTY_BYTES) | st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.integers(1, 40)),
    st.tuples(st.just("truncate"), st.integers(0, 10**6), st.just(0)),
    st.tuples(st.just("repeat"), st.integers(0, 10**6),
              st.sampled_from([b" ", b"[", b"{", b'{"a":', b"\n", b"a", b"|", b"=", b","])),
    st.tuples(st.sampled_from(["drop line", "repeat line", "swap lines"]),
              st.integers(0, 10**6), st.integers(0, 10**6)),
)  # fmt: skip


def mutate(data: bytes, mutations: Sequence[tuple[str, int, Any]], *, as_text: bool) -> bytes:
    """``data`` with each mutation applied in turn (positions taken modulo the length): to
    its bytes, or (``as_text``) to its characters, so that it stays UTF-8."""
    if as_text:
        text = _apply(data.decode("utf-8"), mutations, "\n", lambda b: b.decode("utf-8", "ignore"))
        return str(text).encode("utf-8")
    return bytes(_apply(data, mutations, b"\n", lambda b: b))


def _apply(
    data: Any, mutations: Sequence[tuple[str, int, Any]], nl: Any, conv: Callable[[bytes], Any]
) -> Any:
    for op, at, arg in mutations:
        if op in ("drop line", "repeat line", "swap lines"):
            lines = data.split(nl)
            i, j = at % len(lines), arg % len(lines)
            if op == "drop line":
                del lines[i]
            elif op == "repeat line":
                lines.insert(i, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            data = nl.join(lines)
            continue
        k = at % (len(data) + 1)
        if op == "replace":
            piece = conv(arg)
            data = data[:k] + piece + data[k + len(piece) :]
        elif op == "insert":
            data = data[:k] + conv(arg) + data[k:]
        elif op == "delete":
            data = data[:k] + data[k + arg :]
        elif op == "truncate":
            data = data[:k]
        else:  # a long run: deep nesting, long lines, many blank lines
            data = data[:k] + conv(arg) * 3000 + data[k:]
    return data


@functools.cache
def _lexicon_dir() -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="hotfuse-fuzz-"))


def load_hotword_file(path: Path, fmt: str) -> Any:
    """A file read as ``hotfuse lexicon import`` (and ``--lexicon`` for TOML) reads it."""
    from hotfuse.cli_lexicon import _read_input
    from hotfuse.formats.hotword_files import import_lexicon
    from hotfuse.lexicon import Lexicon

    if fmt == "toml":
        return Lexicon.load(path)
    return import_lexicon(_read_input(str(path)), fmt, path=str(path))


@example("aliyun", 0, [("replace", 0, b"\x00")], False)  # a hotword error without its line
@example("aliyun", 0, [("repeat", 0, b"[")], False)  # nested too deeply: no line either
@example("csv", 0, [("replace", 95, b"\x00")], False)  # imported pinyin a TOML file refuses
@example("toml", 0, [("insert", 132, b"\xef\xbb\xbf")], False)  # U+FEFF in text: InputError
@fuzz(
    st.sampled_from(sorted(LEXICON_SEEDS)),
    st.integers(0, 3),
    st.lists(_mutation, min_size=1, max_size=4),
    st.booleans(),
    examples=6000,
)
def test_mutated_lexicon_files_load_or_fail_cleanly(
    fmt: str, seed: int, mutations: list[tuple[str, int, Any]], as_text: bool
) -> None:
    from hotfuse.errors import LexiconError
    from hotfuse.lexicon import Lexicon

    TRIED["lexicon files"] += 1
    seeds = LEXICON_SEEDS[fmt]
    source = seeds[seed % len(seeds)]
    data = mutate(source.read_bytes(), mutations, as_text=as_text)
    path = _lexicon_dir() / f"mutated-{fmt}{source.suffix}"
    path.write_bytes(data)
    try:
        lex = load_hotword_file(path, fmt)
    except LexiconError as exc:
        _one_line_error(exc)
        assert exc.path == str(path), exc
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return
        assert exc.line_no is not None and exc.line_no >= 1, exc
        return
    again = Lexicon.loads(lex.dumps(), path=path)
    assert again.hotwords == lex.hotwords
