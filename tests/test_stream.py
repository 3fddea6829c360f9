"""Streaming fusion (hotfuse.stream): chunked input gives what fusing it whole gives."""

from __future__ import annotations

import itertools
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotfuse import Fuser, Transcript
from hotfuse.errors import InputError
from hotfuse.stream import FuseStream

_FUSER = Fuser(["智能客服", "伊丽莎白", "达西", "PyTorch", "宾利"])
_HAN = "请转智能客刻服系统伊丽莉沙莎白达大稀西宾冰利粒来了的是在和"
_FRAGMENTS = ("智能刻服", "伊丽沙白", "达稀", "宾力", "py torch", "，", "。", " ")
texts = st.lists(
    st.one_of(st.text(alphabet=st.sampled_from(_HAN), max_size=5), st.sampled_from(_FRAGMENTS)),
    min_size=1,
    max_size=8,
).map("".join)


def stream_of(style: str = "increment", fuser: Fuser = _FUSER) -> FuseStream:
    return FuseStream(fuser, style=style)  # type: ignore[arg-type]


def chunks_of(text: str, cuts: list[int]) -> list[str]:
    points = sorted({min(max(c, 0), len(text)) for c in cuts})
    bounds = [0, *points, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


def test_a_word_split_over_two_chunks_is_completed_once() -> None:
    s = stream_of()
    parts = [s.push("请转智能刻"), s.push("服系统"), s.finish()]
    assert "".join(p.text for p in parts) == "请转智能客服系统"
    assert [r.original for p in parts for r in p.replacements] == ["智能刻服"]


def test_each_chunk_fused_alone_is_what_the_stream_avoids() -> None:
    alone = _FUSER.fuse("请转智能客").text + _FUSER.fuse("服系统").text
    assert alone == "请转智能客服服系统"  # the failure the stream exists for
    s = stream_of()
    parts = (s.push("请转智能客"), s.push("服系统"), s.finish())
    assert "".join(p.text for p in parts) == "请转智能客服系统"


@settings(max_examples=60, deadline=None)
@given(texts, st.lists(st.integers(0, 40), max_size=6))
def test_increments_give_the_whole_text_fused(text: str, cuts: list[int]) -> None:
    s = stream_of()
    parts = [s.push(c) for c in chunks_of(text, cuts)]
    parts.append(s.finish())
    assert "".join(p.source.text for p in parts) == text  # nothing lost or doubled at a seam
    assert "".join(p.text for p in parts) == _FUSER.fuse(text).text


@settings(max_examples=60, deadline=None)
@given(texts, st.lists(st.integers(0, 40), max_size=6))
def test_growing_partials_then_a_final_give_the_whole_text_fused(
    text: str, cuts: list[int]
) -> None:
    s = stream_of("cumulative")
    parts = [s.push(text[:c]) for c in sorted(cuts)]
    parts.append(s.push(text, final=True))
    assert "".join(p.source.text for p in parts) == text
    assert "".join(p.text for p in parts) == _FUSER.fuse(text).text


def test_partials_release_only_text_two_hypotheses_agree_on() -> None:
    s = FuseStream(_FUSER, style="cumulative", hold=2)
    assert s.push("请转智能客服系统").text == ""  # nothing to agree with yet
    assert s.push("请转智能客服系统伊丽").text == "请转智能客服系统"  # all but `hold`
    assert s.push("请转智能客服系统伊丽沙白来了", final=True).text == "伊丽莎白来了"
    assert s.push("下一句").text == ""  # a new utterance starts after a final
    assert s.finish().text == "下一句"


def test_a_final_result_replaces_the_partials() -> None:
    s = stream_of("cumulative")
    s.push("请转智能")
    s.push("请转智能克")  # partials that the final result corrects
    out = s.push("请转智能刻服系统。", final=True)
    assert out.text == "请转智能客服系统。"


def test_a_revision_of_released_text_keeps_the_released_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    s = FuseStream(_FUSER, style="cumulative", hold=0)
    s.push("今天天气")
    first = s.push("今天天气很好")
    assert first.text == "今天天气"
    with caplog.at_level(logging.WARNING, logger="hotfuse"):
        rest = s.push("明天天气很好啊", final=True)
    assert "revised text already released" in caplog.text
    assert first.text + rest.text == "今天天气很好啊"


def test_times_stay_absolute() -> None:
    whole = Transcript.from_text(
        "伊丽沙白来了", timestamps=[(i * 0.2, i * 0.2 + 0.2) for i in range(6)]
    )
    a = Transcript.from_text("伊丽沙", timestamps=[(i * 0.2, i * 0.2 + 0.2) for i in range(3)])
    b = Transcript.from_text("白来了", timestamps=[(i * 0.2, i * 0.2 + 0.2) for i in range(3)])
    s = stream_of()
    parts = [s.push(a), s.push(b, offset=0.6), s.finish()]
    got = [(t.text, t.start, t.end) for p in parts for t in p.transcript.tokens]
    want = [(t.text, t.start, t.end) for t in _FUSER.fuse(whole).transcript.tokens]
    assert [g[0] for g in got] == [w[0] for w in want]
    for (_, gs, ge), (_, ws, we) in zip(got, want, strict=True):
        assert gs == pytest.approx(ws) and ge == pytest.approx(we)


def test_raw_recognizer_chunks_go_through_their_frontend() -> None:
    s = stream_of()
    first = {"text": "伊丽", "tokens": ["伊", "丽"], "timestamps": [0.0, 0.2], "start_time": 3.0,
             "ys_probs": [-0.1, -0.1], "is_final": False}  # fmt: skip
    second = {"text": "沙白", "tokens": ["沙", "白"], "timestamps": [0.0, 0.2], "start_time": 3.4,
              "ys_probs": [-0.1, -0.1], "is_final": True}  # fmt: skip
    parts = [s.push(first), s.push(second, final=True)]
    assert "".join(p.text for p in parts) == "伊丽莎白"
    assert parts[-1].transcript.tokens[0].start == pytest.approx(3.0)


def test_bad_arguments_say_what_to_do() -> None:
    with pytest.raises(InputError, match="'increment' or 'cumulative'"):
        FuseStream(_FUSER, style="chunks")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="hold must be"):
        FuseStream(_FUSER, hold=-1)


def test_pending_and_preview_show_the_held_back_tail() -> None:
    s = _FUSER.stream()
    assert s.push("请转智能刻").text == ""
    assert s.pending == "请转智能刻"
    assert s.preview() == _FUSER.fuse("请转智能刻").text  # what fusing now would give
    s.push("服")
    assert s.preview() == "请转智能客服"
    assert s.finish().text == "请转智能客服" and s.pending == ""


def test_sherpa_online_partials_in_the_cumulative_style() -> None:
    def partial(text: str, final: bool) -> dict[str, object]:
        times = [0.2 * k for k in range(len(text))]
        return {"text": text, "tokens": list(text), "timestamps": times,
                "ys_probs": [-0.1] * len(text), "start_time": 12.0, "is_final": final}  # fmt: skip

    s = _FUSER.stream(style="cumulative", hold=2)
    parts = [s.push(partial("伊丽沙白来了", False)), s.push(partial("伊丽沙白来了请转", False))]
    parts.append(s.push(partial("伊丽沙白来了请转智能刻服", True), final=True))
    assert "".join(p.text for p in parts) == "伊丽莎白来了请转智能客服"
    assert parts[1].text == "伊丽莎白来了"  # agreed on by both partials, outside the hold
    assert parts[1].transcript.tokens[0].start == pytest.approx(12.0)  # absolute
