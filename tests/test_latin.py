"""Latin terms inside Chinese: case-, space-, hyphen- and width-insensitive letter matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfuse import Hotword, fuse
from tests.reference_matcher import reference_candidates

CASES = [
    ("我们用ＰＹＴＯＲＣＨ训练", ["PyTorch"], "我们用PyTorch训练"),
    ("用 Ｐｙ Ｔｏｒｃｈ 跑", ["PyTorch"], "用 PyTorch 跑"),
    ("装好 cu-da 再说", ["CUDA"], "装好 CUDA 再说"),
    ("我最近在用chat g p t写代码", ["ChatGPT"], "我最近在用ChatGPT写代码"),
    ("请打开拍森编辑器", [Hotword("Python", aliases=("拍森",))], "请打开Python编辑器"),
    # an exact alias in full width is still the alias
    ("他在用ＷＨＩＳＰＥＲ", [Hotword("Whisper")], "他在用Whisper"),
    # unrelated Latin words stay
    ("我们用 numpy 处理", ["PyTorch"], "我们用 numpy 处理"),
    # a hotword mixing scripts matches its case-, width- and space-variants
    ("我在b站看视频", ["B站"], "我在B站看视频"),
    ("我在Ｂ 站看视频", ["B站"], "我在B站看视频"),
    ("我在B站看视频", ["B站"], "我在B站看视频"),
    # Latin matches start and end at word boundaries (issue 16, finding 1) ...
    ("the email was sent via Gmail", [Hotword("人工智能", aliases=("AI",))],
     "the email was sent via Gmail"),
    ("can do", [Hotword("安妮", aliases=("and",))], "can do"),
    ("a lawsuit", [Hotword("AWS", aliases=("aws",))], "a lawsuit"),
    ("用postgresqlserver", [Hotword("PostgreSQL", aliases=("postgres",))], "用postgresqlserver"),
    ("我在abb站看", ["B站"], "我在abb站看"),
    ("ｇｍａｉｌ", [Hotword("人工智能", aliases=("AI",))], "ｇｍａｉｌ"),
    # ... which a Chinese neighbour, a space, punctuation or the text's edge all give
    ("我用AI写的，AI。", [Hotword("人工智能", aliases=("AI",))], "我用人工智能写的，人工智能。"),
    ("AI and me", [Hotword("人工智能", aliases=("AI",))], "人工智能 and me"),
    ("and", [Hotword("安妮", aliases=("and",))], "安妮"),
    ("the aws bill", [Hotword("AWS", aliases=("aws",))], "the AWS bill"),
    ("用postgres数据库", [Hotword("PostgreSQL", aliases=("postgres",))], "用PostgreSQL数据库"),
    # a dot or apostrophe between letters is inside the word, as the tokenizer reads it
    ("用torch.AI的", [Hotword("人工智能", aliases=("AI",))], "用torch.AI的"),
    ("ASP.NET", [Hotword("点网", aliases=(".NET",))], "ASP.NET"),
    ("用.NET开发", [Hotword("点网", aliases=(".NET",))], "用点网开发"),
    ("我用AI.", [Hotword("人工智能", aliases=("AI",))], "我用人工智能."),
    # spaces inside a matched span stay allowed
    ("用 postgre sql 存", [Hotword("PostgreSQL", aliases=("postgre SQL",))], "用 PostgreSQL 存"),
    # idempotence (finding 2): an alias inside a Latin token no longer splits it
    ("我买了Applegp u", ["GPU", Hotword("苹果", aliases=("Apple",))], "我买了Applegp u"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "hotwords", "expected"), CASES)
def test_latin_terms(text: str, hotwords: list[str | Hotword], expected: str) -> None:
    assert fuse(text, hotwords).text == expected


def test_mixed_script_variants_agree_with_the_reference_matcher() -> None:
    from hotfuse.lexicon import coerce_hotwords
    from hotfuse.match import LexiconIndex
    from hotfuse.transcript import Transcript

    hws = coerce_hotwords(["B站", "iPhone 15", "PyTorch"])
    index = LexiconIndex(hws)
    for text in ["我在b站看视频", "Ｂ 站和ｂ站", "买了 iphone15 和 ＰＹＴＯＲＣＨ"]:
        tr = Transcript.from_text(text)
        fast = {(c.start, c.end, c.hotword, round(c.distance, 4)) for c in index.candidates(tr)}
        assert fast == reference_candidates(tr, hws), text
        assert fast  # something to compare


def test_shipped_cloud_lexicon_leaves_longer_words_alone() -> None:
    from hotfuse import Lexicon

    lexicon = Lexicon.load(Path(__file__).parents[1] / "lexicons" / "cloud-software.toml")
    for text in ["the new laws", "they use postgresql15 now", "awesome"]:
        result = fuse(text, lexicon)
        assert all(r.original.lower() not in ("aws", "postgres") for r in result.replacements)
        assert "lAWS" not in result.text and "SQLql" not in result.text


def test_sub_word_tokens_match_only_whole_words() -> None:
    """BPE pieces (sherpa-onnx) are tokens inside a word: a match must not start or end
    between two of them, and the fast matcher agrees with the reference on it."""
    from hotfuse.lexicon import coerce_hotwords
    from hotfuse.match import LexiconIndex
    from hotfuse.transcript import Token, Transcript

    hws = coerce_hotwords(["GPU", "PyTorch", Hotword("人工智能", aliases=("AI",))])
    index = LexiconIndex(hws)
    pieces = [Token("Gm"), Token("ai"), Token("l"), Token("py"), Token("torch"), Token("gpu"),
              Token("server"), Token("gpu")]  # fmt: skip
    tr = Transcript.from_tokens(pieces, text="Gmail py torch gpuserver gpu")
    fast = {(c.start, c.end, c.hotword, round(c.distance, 4)) for c in index.candidates(tr)}
    assert fast == reference_candidates(tr, hws)
    spans = {tr.text[s:e] for s, e, _h, _d in fast}
    assert spans == {"py torch", "gpu"}  # whole words, not the "gpu" of "gpuserver"
    assert not any(tr.text[s:e] in ("ai", "Gm", "l") for s, e, _h, _d in fast)
    assert fuse(tr, hws).text == "Gmail PyTorch gpuserver GPU"


@pytest.mark.parametrize(
    ("text", "hotwords", "expected"),
    [
        # one hotword covering the words beats the pieces that are hotwords too
        ("用 react js 写", ["React", "JS", "React.js"], "用 React.js 写"),
        ("装 my sql", ["SQL", "MySQL"], "装 MySQL"),
        ("在 git lab 上", ["Git", "GitLab"], "在 GitLab 上"),
        ("学 java script", ["Java", "JavaScript"], "学 JavaScript"),
        # the pieces alone are still found when the whole is not listed
        ("用 react js 写", ["React", "JS"], "用 React JS 写"),
    ],
)
def test_a_whole_latin_term_is_preferred_to_its_pieces(
    text: str, hotwords: list[str], expected: str
) -> None:
    assert fuse(text, hotwords).text == expected


def test_latin_overlap_ignores_case_and_spacing() -> None:
    from hotfuse.fuser import features
    from hotfuse.lexicon import Hotword as Hw
    from hotfuse.match import Candidate, MatchKind
    from hotfuse.transcript import Transcript

    t = Transcript.from_text("git lab")
    c = Candidate(0, 7, "git lab", "GitLab", MatchKind.LATIN, 0.0, 6, 6, "GitLab")
    assert features(c, t, Hw("GitLab"))["overlap"] == 1.0
