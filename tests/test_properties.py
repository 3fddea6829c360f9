"""Hypothesis properties of fusion on generated transcripts."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hotfuse import Fuser, FuseResult, Hotword, Transcript

# Characters chosen so that generated text often sounds like the hotwords below.
_HAN = "伊丽莉沙莎白达大稀西洋宾冰利粒王汪芳方李娜拿重虫庆青亲银行长了的是在和"
_OTHER = " ，。！？ab-.PyTorchpy torch 😀ＡＢ3"
_FUSER = Fuser(
    [
        "伊丽莎白",
        "达西",
        "宾利",
        "汪芳",
        "李娜",
        "PyTorch",
        Hotword("重庆", pinyin=("chong2", "qing4")),
        Hotword("银行", weight=2.0),
        Hotword("白银", weight=0.0),
        Hotword("Claude", aliases=("克劳德",)),
    ],
    threshold=0.0,  # eager, so that replacements are frequent
)

# Fragments that sound like (or are) hotwords, so that replacements are frequent.
_FRAGMENTS = ("伊丽沙白", "伊莉莎", "达稀", "大西", "宾力", "王芳", "李拿", "py torch", "Py-Torch",
              "重亲", "银航", "白银", "克劳德", "伊丽莎白", "达西")  # fmt: skip
_pieces = st.one_of(
    st.text(alphabet=st.sampled_from(_HAN + _OTHER), max_size=6),
    st.sampled_from(_FRAGMENTS),
)
texts = st.lists(_pieces, max_size=8).map("".join)
SETTINGS = settings(max_examples=100, deadline=None)


def _outside(result: FuseResult) -> tuple[list[str], list[str]]:
    """Source and fused text with every replaced span cut out, as lists of pieces."""
    src, out = result.source.text, result.text
    src_parts, out_parts = [], []
    pos, shift = 0, 0
    for r in result.replacements:
        src_parts.append(src[pos : r.start])
        out_parts.append(out[pos + shift : r.start + shift])
        shift += len(r.hotword) - (r.end - r.start)
        pos = r.end
    src_parts.append(src[pos:])
    out_parts.append(out[pos + shift :])
    return src_parts, out_parts


@SETTINGS
@given(texts)
def test_text_outside_replaced_spans_never_changes(text: str) -> None:
    result = _FUSER.fuse(text)
    src_parts, out_parts = _outside(result)
    assert src_parts == out_parts
    hotwords = [r.hotword for r in result.replacements] + [""]
    rebuilt = "".join(part + word for part, word in zip(src_parts, hotwords, strict=True))
    assert rebuilt == result.text


@SETTINGS
@given(texts)
def test_replacement_offsets_index_the_source_text(text: str) -> None:
    result = _FUSER.fuse(text)
    prev_end = 0
    for rep in result.replacements:
        assert prev_end <= rep.start < rep.end <= len(text)
        assert text[rep.start : rep.end] == rep.original
        assert rep.original != rep.hotword
        assert rep.score >= _FUSER.config.threshold
        prev_end = rep.end


@SETTINGS
@given(texts)
@example("大西王芳")
@example("克劳德大西")
def test_fusing_twice_equals_fusing_once(text: str) -> None:
    """The examples were found by hypothesis: a replacement changes a neighbour's context
    (大西王芳: '西王' is a word until 王芳 becomes 汪芳)."""
    fuser = Fuser(_FUSER.hotwords, threshold=0.5)
    once = fuser.fuse(text)
    twice = fuser.fuse(once.text)
    assert twice.text == once.text, twice.replacements


@SETTINGS
@given(texts)
def test_fusing_twice_replaces_nothing_that_was_replaced(text: str) -> None:
    """The weaker form that holds: a second pass never touches a hotword just inserted."""
    once = _FUSER.fuse(text)
    twice = _FUSER.fuse(once.text)
    inserted = []
    shift = 0
    for r in once.replacements:
        inserted.append((r.start + shift, r.start + shift + len(r.hotword)))
        shift += len(r.hotword) - (r.end - r.start)
    for r in twice.replacements:
        assert all(r.end <= s or e <= r.start for s, e in inserted), (text, once.text, r)


@SETTINGS
@given(texts, st.data())
def test_fused_transcript_token_spans_are_consistent(text: str, data: st.DataObject) -> None:
    n = len(Transcript.from_text(text).tokens)
    confs = data.draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))
    times = sorted(data.draw(st.lists(st.floats(0.0, 100.0), min_size=2 * n, max_size=2 * n)))
    pairs = [(times[2 * i], times[2 * i + 1]) for i in range(n)]
    source = Transcript.from_text(text, confidences=confs, timestamps=pairs)
    result = _FUSER.fuse(source)
    tr = result.transcript
    assert tr.text == result.text
    prev = 0
    for tok, (s, e) in zip(tr.tokens, tr.spans, strict=True):
        assert prev <= s < e <= len(tr.text)
        assert tr.text[s:e] == tok.text
        prev = e
    lo = pairs[0][0] if pairs else 0.0
    hi = pairs[-1][1] if pairs else 0.0
    for tok in tr.tokens:
        assert tok.start is not None and tok.end is not None
        assert lo - 1e-9 <= tok.start <= tok.end + 1e-9 <= hi + 2e-9
    # confidences are kept on kept tokens and never invented on inserted ones
    kept = {c for c in confs}
    for tok in tr.tokens:
        assert tok.confidence is None or tok.confidence in kept
