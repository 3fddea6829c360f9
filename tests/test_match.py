"""Candidate spans of the lexicon index, and its parity with the brute-force reference."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from hotfuse.lexicon import Hotword, coerce_hotwords
from hotfuse.match import LexiconIndex, MatchKind, coarse_key, segments, syllable_distance
from hotfuse.phonetics import char_readings, syllable
from hotfuse.transcript import Token, Transcript
from tests.reference_matcher import reference_candidates

Row = tuple[int, int, str, str, float]


def cands(text: str, hotwords: Sequence[str | Hotword]) -> list[Row]:
    hws = coerce_hotwords(hotwords)
    found = LexiconIndex(hws).candidates(Transcript.from_text(text))
    return [(c.start, c.end, c.original, c.kind.value, c.distance) for c in found]


def spans_of(text: str, hotwords: Sequence[str | Hotword]) -> set[str]:
    return {row[2] for row in cands(text, hotwords)}


# ------------------------------------------------------------------ candidates
@pytest.mark.parametrize(
    ("text", "hotwords", "span", "kind", "distance"),
    [
        # homophones: same syllables, other characters
        ("伊丽沙白这会儿真太高兴了", ["伊丽莎白"], "伊丽沙白", "pinyin", 0.0),
        ("伊莉沙白来了", ["伊丽莎白"], "伊莉沙白", "pinyin", 0.0),
        ("去银航办事", ["银行"], "银航", "pinyin", 0.0),
        # near-homophones: a tone (0.15 of 2 syllables) and a fuzzy initial
        ("请把报告发给王芳", ["汪芳"], "王芳", "pinyin", 0.075),
        ("他叫李拿", ["李娜"], "李拿", "pinyin", 0.075),
        # one dropped and one inserted syllable (indel cost 1 over 4 syllables)
        ("伊丽白来了", ["伊丽莎白"], "伊丽白", "pinyin", 0.25),
        ("伊丽莎莎白来了", ["伊丽莎白"], "伊丽莎莎白", "pinyin", 0.25),
        # Latin: case, space and hyphen do not matter
        ("我们用 py torch 训练", ["PyTorch"], "py torch", "latin", 0.0),
        ("我们用 Py-Torch 训练", ["PyTorch"], "Py-Torch", "latin", 0.0),
        ("我们用PYTORCH训练", ["PyTorch"], "PYTORCH", "latin", 0.0),
        ("装好 cuda 了", ["CUDA"], "cuda", "latin", 0.0),
        # an alias, exactly
        ("把这段代码交给克劳德看看", [Hotword("Claude", aliases=("克劳德",))], "克劳德",
         "alias-exact", 0.0),
        # a polyphone on the hypothesis side: 重 also reads chong2
        ("我在重庆", ["虫青"], "重庆", "pinyin", 0.075),
        # explicit pinyin for a polyphonic hotword
        ("下周我们去重亲开会", [Hotword("重庆", pinyin=("chong2", "qing4"))], "重亲", "pinyin",
         0.0),
        ("下周我们去虫庆开会", ["重庆"], "虫庆", "pinyin", 0.0),
        # whitespace between characters is allowed
        ("伊丽 沙白来了", ["伊丽莎白"], "伊丽 沙白", "pinyin", 0.0),
    ],
)  # fmt: skip
def test_candidate_found(
    text: str, hotwords: list[str | Hotword], span: str, kind: str, distance: float
) -> None:
    rows = {row[2]: row for row in cands(text, hotwords)}
    assert span in rows, f"{span!r} not among {sorted(rows)}"
    _, _, _, got_kind, got_distance = rows[span]
    assert got_kind == kind
    assert got_distance == pytest.approx(distance, abs=1e-6)


@pytest.mark.parametrize(
    ("text", "hotwords"),
    [
        ("伊丽，沙白来了", ["伊丽莎白"]),  # never across punctuation
        ("伊丽。沙白", ["伊丽莎白"]),
        ("张三李四", ["汪芳"]),  # nothing similar
        ("今天天气很好", ["伊丽莎白", "达西"]),
        ("我们用 py, torch 训练", ["PyTorch"]),  # a comma breaks a Latin run too
        ("我在重庆", [Hotword("重庆", weight=0.0)]),  # weight <= 0 never inserts
        ("我在虫庆", [Hotword("重庆", weight=-1.0)]),
    ],
)
def test_no_candidate_across_punctuation_or_for_unrelated_text(
    text: str, hotwords: list[str | Hotword]
) -> None:
    rows = cands(text, hotwords)
    if text.startswith(("伊丽，", "伊丽。")):
        assert all("，" not in r[2] and "。" not in r[2] for r in rows)
        assert not any(r[4] == 0.0 for r in rows)
    else:
        assert rows == []


def test_hotword_text_itself_is_not_a_candidate_but_its_neighbours_are() -> None:
    rows = cands("伊丽莎白来了", ["伊丽莎白"])
    assert all(r[2] != "伊丽莎白" for r in rows)


def test_one_character_hotword_matches_only_exact_aliases() -> None:
    hw = Hotword("云", aliases=("芸",))
    rows = cands("我叫芸，住在晕城", [hw])
    assert [(r[2], r[3]) for r in rows] == [("芸", "alias-exact")]


def test_mixed_script_hotword_matches_only_aliases_exactly() -> None:
    hw = Hotword("B站", aliases=("b 站", "哔哩哔哩"))
    rows = cands("我在B 站和哔哩哔哩看到", [hw])
    kinds = {(r[2], r[3]) for r in rows}
    assert ("B 站", "alias-exact") in kinds
    assert ("哔哩哔哩", "alias-exact") in kinds


def test_candidates_are_sorted_and_deduplicated() -> None:
    found = LexiconIndex(coerce_hotwords(["伊丽莎白", "达西"])).candidates(
        Transcript.from_text("伊丽沙白和大西都来了")
    )
    keys = [(c.start, c.end, c.hotword) for c in found]
    assert keys == sorted(keys)
    assert len(keys) == len(set(keys))


def test_alias_exact_beats_alias_pinyin_on_the_same_span() -> None:
    hw = Hotword("Claude", aliases=("克劳德",))
    found = LexiconIndex([hw]).candidates(Transcript.from_text("交给克劳德"))
    by_span = {(c.start, c.end): c for c in found}
    assert by_span[(2, 5)].kind is MatchKind.ALIAS_EXACT


def test_exact_occurrences() -> None:
    idx = LexiconIndex(coerce_hotwords(["伊丽莎白", "达西", "莎白"]))
    assert idx.exact_occurrences("达西和伊丽莎白") == [(0, 2, 1), (3, 7, 0), (5, 7, 2)]
    assert idx.exact_occurrences("") == []


# ------------------------------------------------------------------ helpers
def test_coarse_key_merges_the_classic_pairs() -> None:
    assert coarse_key(("zh", "ang", 1)) == coarse_key(("z", "an", 3))
    assert coarse_key(("l", "ing", 2)) == coarse_key(("n", "in", 4)) == coarse_key(("r", "in", 1))
    assert coarse_key(("f", "u", 1)) == coarse_key(("h", "u", 1))
    assert coarse_key(("b", "a", 1)) != coarse_key(("p", "a", 1))


@pytest.mark.parametrize(
    ("hyp", "ref", "expected"),
    [
        (["sha1", "bai2"], ["sha1", "bai2"], 0.0),
        (["sa1", "bai2"], ["sha1", "bai2"], 0.35),
        (["sha3", "bai2"], ["sha1", "bai2"], 0.15),
        (["sha1"], ["sha1", "bai2"], 1.0),
        (["sha1", "bai2", "le5"], ["sha1", "bai2"], 1.0),
    ],
)
def test_syllable_distance(hyp: list[str], ref: list[str], expected: float) -> None:
    got = syllable_distance([[syllable(h)] for h in hyp], [syllable(r) for r in ref])
    assert got == pytest.approx(expected)


def test_syllable_distance_takes_the_cheapest_reading() -> None:
    readings = [syllable(r) for r in char_readings("重")]
    got = syllable_distance(
        [readings, [syllable("qing4")]], [syllable("chong2"), syllable("qing4")]
    )
    assert got == 0.0


def test_segments_split_on_punctuation_and_script() -> None:
    t = Transcript.from_text("我用 py torch，很好")
    assert [(s.latin, s.units) for s in segments(t)] == [
        (False, ((0, 1), (1, 2))),
        (True, ((3, 5), (6, 11))),
        (False, ((12, 13), (13, 14))),
    ]


def test_segments_of_chinese_characters_only() -> None:
    """One run, one unit per character, whether the tokens are characters or words."""
    want = [(False, ((0, 1), (1, 2), (2, 3), (3, 4)))]
    by_char = Transcript.from_text("伊丽莎白")
    by_word = Transcript.from_tokens([Token("伊丽"), Token("莎白")])
    assert [(s.latin, s.units) for s in segments(by_char)] == want
    assert [(s.latin, s.units) for s in segments(by_word)] == want
    assert segments(Transcript.from_text("")) == []


# ------------------------------------------------------------------ parity
Key = tuple[int, int, str, float]


def fast_candidates(tr: Transcript, hws: Sequence[Hotword]) -> set[Key]:
    return {
        (c.start, c.end, c.hotword, round(c.distance, 4)) for c in LexiconIndex(hws).candidates(tr)
    }


_CHARS = "重庆银行长伊丽莎沙白达大西洋宾利冰粒王芳汪李娜拿了的是在行为虫青庆亲克劳德站"
_SEPARATORS = ("", "", "", " ", "，", "。", "　")
_LATIN = (
    "cuda",
    "CUDA",
    "Paraformer",
    "para former",
    "GPT 4o",
    "gpt-4o",
    "X",
    "b",
    "Ｂ",
    "ｃｕｄａ",
    "chong qing",  # pinyin spelled: read as syllables (a Chinese hotword in Latin letters)
    "Yinhang",
    "li na",
    "bee",
    "da xi",
    "bi",  # with 站: B站 read half in letters
    "kai ba si",
)
_HOTWORDS: tuple[str | Hotword, ...] = (
    "重庆",
    Hotword("重庆", pinyin=("chong2", "qing4")),
    "银行",
    "行长",
    "伊丽莎白",
    "达西",
    "宾利",
    "汪芳",
    "李娜",
    "西安市",
    "中华人民共和国",
    Hotword("Claude", aliases=("克劳德", "可老的")),
    Hotword("长江", aliases=("常将", "C江")),
    Hotword("大西洋", weight=0.0),
    "B站",
    "重",
)
_LATIN_HOTWORDS: tuple[str | Hotword, ...] = (
    "CUDA",
    "Paraformer",
    "GPT-4o",
    "PyTorch",
    "K8s 集群",
)


def _random_case(
    rng: random.Random, pool: Sequence[str | Hotword] = _HOTWORDS
) -> tuple[Transcript, tuple[Hotword, ...]]:
    parts = []
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.25:
            parts.append(rng.choice(_LATIN))
        else:
            parts.append("".join(rng.choice(_CHARS) for _ in range(rng.randint(1, 7))))
    text = "".join(rng.choice(_SEPARATORS) + p for p in parts)
    hws = coerce_hotwords(rng.sample(list(pool), rng.randint(1, min(8, len(pool)))))
    return Transcript.from_text(text), hws


def test_parity_with_reference_on_generated_sentences() -> None:
    """The index finds exactly the brute-force candidates (pinyin and exact aliases)."""
    rng = random.Random(20240412)
    for _ in range(400):
        tr, hws = _random_case(rng)
        fast = fast_candidates(tr, hws)
        ref = reference_candidates(tr, hws)
        assert fast == ref, (tr.text, [h.text for h in hws], fast - ref, ref - fast)


def test_latin_parity_with_reference_on_generated_sentences() -> None:
    rng = random.Random(99)
    for _ in range(300):
        tr, hws = _random_case(rng, _HOTWORDS + _LATIN_HOTWORDS)
        fast = fast_candidates(tr, hws)
        ref = reference_candidates(tr, hws)
        assert fast == ref, (tr.text, [h.text for h in hws], fast - ref, ref - fast)


def test_generated_sentences_exercise_the_reading_rule() -> None:
    """Not vacuous: the parity cases hold Latin-word readings found for Chinese and for
    mixed hotwords."""
    rng = random.Random(99)
    kinds: Counter[str] = Counter()
    for _ in range(300):
        tr, hws = _random_case(rng, _HOTWORDS + _LATIN_HOTWORDS)
        kinds.update(
            c.kind.value + ("/mixed" if any(ch.isascii() for ch in c.hotword) else "")
            for c in LexiconIndex(hws).candidates(tr)
        )
    assert kinds["reading"] >= 10, kinds


@pytest.mark.parametrize(
    ("text", "hotwords"),
    [
        ("我明天去bei jing开会，住在 Chong Qing", ["北京", "重庆", "银行"]),
        ("部署到 K 8 S 集群和 case 集群", ["K8s 集群", "B站"]),
        ("我在 bee 站看 bi zhan 视频", ["B站", "北京"]),
        ("用 ai phone 手机和 I Phone 15 手机", ["iPhone 手机", "iPhone 15 手机"]),
        ("the bei jing opera in Beijing", ["北京", "京剧", "北京京剧院"]),
    ],
)
def test_reading_parity_with_reference(text: str, hotwords: list[str]) -> None:
    tr, hws = Transcript.from_text(text), coerce_hotwords(hotwords)
    fast = fast_candidates(tr, hws)
    assert fast == reference_candidates(tr, hws)
    assert any(c.kind.value == "reading" for c in LexiconIndex(hws).candidates(tr))


def test_latin_parity_when_lengths_are_close() -> None:
    """Latin spans within the engine's length window agree with the reference."""
    for text in ("用 py torch 训练", "用Py-Torch训练", "用pytorchs", "用 pi torch 和 cuda", "x"):
        tr = Transcript.from_text(text)
        hws = coerce_hotwords(_LATIN_HOTWORDS)
        assert fast_candidates(tr, hws) == reference_candidates(tr, hws), text


def test_parity_with_reference_on_real_sentences() -> None:
    rows = [
        json_row
        for json_row in _load_sentences()
        if json_row["hotwords"] and not json_row.get("confidences")
    ]
    assert rows
    for row in rows:
        tr = Transcript.from_text(row["text"])
        hws = coerce_hotwords(row["hotwords"])
        assert fast_candidates(tr, hws) == reference_candidates(tr, hws), row["text"]


def test_latin_parity_with_longer_span() -> None:
    """A span longer than the target within the normalised distance (2/9 <= 0.25)."""
    tr = Transcript.from_text("我们用xxpytorch训练")
    hws = coerce_hotwords(["PyTorch"])
    assert reference_candidates(tr, hws) == {(3, 12, "PyTorch", 0.2222)}
    assert fast_candidates(tr, hws) == reference_candidates(tr, hws)


def _load_sentences() -> list[dict[str, Any]]:
    import json

    path = Path(__file__).parent / "data" / "sentences.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.dataset
def test_parity_on_dev_references_with_homophone_substitutions(shared_data: Path) -> None:
    """Dev references with 20% of characters swapped for a homophone, real hotword lists."""
    base = shared_data / "wenetspeech-biasing"
    rng = random.Random(7)
    cases: list[tuple[str, list[str]]] = []
    for subset in ("person-name", "place-name", "organization-name"):
        words = [
            w.strip()
            for w in (base / subset / "biased_words.txt").read_text(encoding="utf-8").splitlines()
            if w.strip()
        ]
        lines = (base / subset / "dev" / "text").read_text(encoding="utf-8").splitlines()
        for line in rng.sample(lines, 100):
            text = line.split("\t", 1)[1] if "\t" in line else line.split(" ", 1)[1]
            active = [w for w in words if w in text][:2] + rng.sample(words, 5)
            cases.append((text, active))
    homophones: dict[str, list[str]] = defaultdict(list)
    for ch in sorted({ch for text, _ in cases for ch in text}):
        readings = char_readings(ch)
        if readings:
            homophones[readings[0]].append(ch)
    for text, active in cases:
        chars = []
        for ch in text:
            readings = char_readings(ch)
            if readings and rng.random() < 0.2:
                alternatives = [c for c in homophones[readings[0]] if c != ch]
                if alternatives:
                    ch = rng.choice(alternatives)
            chars.append(ch)
        tr = Transcript.from_text("".join(chars))
        hws = coerce_hotwords(active)
        fast = fast_candidates(tr, hws)
        ref = reference_candidates(tr, hws)
        assert fast == ref, (tr.text, active, fast - ref, ref - fast)


@pytest.mark.parametrize(
    "text",
    [
        "我们用刀客部署服务",
        "在学派森，用 cotton 写安卓",
        "用 S Q L 查询，用 radish 做缓存",
        "the engine x server and the docker daemon",
        "库伯内提斯集群和瑞迪斯缓存",
        "I could deploy the code with water",
    ],
)
def test_cross_script_parity_with_reference(text: str) -> None:
    hws = coerce_hotwords(
        [
            "Docker",
            "Python",
            "Kotlin",
            "Redis",
            "SQL",
            "Kubernetes",
            "Claude",
            "伊丽莎白",
            Hotword("Nginx", spoken=("engine x",)),
        ]
    )
    tr = Transcript.from_text(text)
    assert fast_candidates(tr, hws) == reference_candidates(tr, hws), text


@pytest.mark.parametrize(
    ("text", "hotwords", "span", "kind"),
    [
        ("我们用刀客部署服务", ["Docker"], "刀客", "spoken"),
        ("我在学派森编程", ["Python"], "派森", "spoken"),
        ("用 cotton 写安卓", ["Kotlin"], "cotton", "phones"),
        ("要用 radish 做缓存", ["Redis"], "radish", "phones"),
        ("配置 engine x 服务器", [Hotword("Nginx", spoken=("engine x",))], "engine x", "phones"),
        (
            "配置恩金克斯",
            [Hotword("Nginx", spoken=("en jin ke si",), auto_spoken=False)],
            "恩金克斯",
            "spoken",
        ),
    ],
)
def test_latin_hotwords_found_by_sound(
    text: str, hotwords: list[str | Hotword], span: str, kind: str
) -> None:
    rows = cands(text, hotwords)
    assert any(r[2] == span and r[3] == kind for r in rows), rows


def test_spoken_generation_can_be_switched_off() -> None:
    assert not cands("我们用刀客部署服务", [Hotword("Docker", auto_spoken=False)])
    assert not cands("用 cotton 写安卓", [Hotword("Kotlin", auto_spoken=False)])
    idx = LexiconIndex(coerce_hotwords(["Docker"]), spoken=False)
    assert not idx.candidates(Transcript.from_text("我们用刀客部署服务"))


def test_the_compiled_cjk_pattern_is_is_cjk() -> None:
    """The index's regular expression for all-CJK forms accepts exactly is_cjk's characters."""
    from hotfuse.match import _CJK_ONLY
    from hotfuse.transcript import is_cjk

    bad = [
        cp
        for cp in range(0x110000)
        if not 0xD800 <= cp <= 0xDFFF
        and (_CJK_ONLY.fullmatch(chr(cp)) is not None) != is_cjk(chr(cp))
    ]
    assert bad == []
    assert (
        _CJK_ONLY.fullmatch("伊丽莎白")
        and not _CJK_ONLY.fullmatch("B站")
        and not _CJK_ONLY.fullmatch("")
    )


def _in_generation(obj: object, generation: int) -> bool:
    import gc

    return any(o is obj for o in gc.get_objects(generation=generation))


def test_a_build_leaves_the_collector_as_it_found_it_and_its_objects_in_the_oldest_generation():
    import gc

    from hotfuse import Fuser

    assert gc.isenabled()
    f = Fuser(["伊丽莎白", "达西", "PyTorch"])
    assert gc.isenabled()
    # made with the collector paused and promoted on the way out: no young-generation
    # pass has to walk them later
    assert _in_generation(f._index, 2)
    assert not _in_generation(f._index, 0) and not _in_generation(f._index, 1)
    gc.disable()
    try:
        Fuser(["伊丽莎白"])
        assert not gc.isenabled()  # off stays off
    finally:
        gc.enable()


def test_a_build_keeps_a_processs_own_frozen_objects_frozen():
    import gc

    from hotfuse import Fuser

    gc.freeze()  # what a pre-forking server does before it forks
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        f = Fuser(["伊丽莎白"])
        assert gc.get_freeze_count() == frozen
        assert f.fuse("伊丽沙白来了").text == "伊丽莎白来了"
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_reading_postings_wait_for_the_first_transcript_with_a_latin_word():
    # A compile posts nothing for reading Latin words; the first transcript holding one
    # builds the postings, once, and finds what an index built before it finds.
    words = coerce_hotwords(["北京", "上海", "深圳湾", "K8s 集群", "Docker"])
    index = LexiconIndex(words)
    assert index._reading_pairs is None
    index.candidates(Transcript.from_text("我明天去北景开会"))
    assert index._reading_pairs is None  # no Latin word: not needed
    got = index.candidates(Transcript.from_text("我明天去bei jing开会"))
    built = index._reading_pairs
    assert built is not None and any(t for posting in built.values() for t in posting)
    assert any(c.kind == MatchKind.READING and c.hotword == "北京" for c in got)
    index.candidates(Transcript.from_text("shen zhen wan的夜景"))
    assert index._reading_pairs is built  # built once


def test_reading_postings_built_by_racing_threads_are_one_and_the_same():
    import threading

    words = coerce_hotwords([f"北京{ch}" for ch in "东西南北中"] + ["上海", "深圳"])
    index = LexiconIndex(words)
    text = Transcript.from_text("我明天去bei jing dong开会")
    seen: list[tuple[object, tuple[Any, ...]]] = []
    start = threading.Barrier(4)

    def run() -> None:
        start.wait()
        got = index.candidates(text)
        seen.append((index._reading_pairs, tuple(got)))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(seen) == 4
    assert all(p is seen[0][0] for p, _ in seen)
    assert all(c == seen[0][1] for _, c in seen) and seen[0][1]


def test_indexes_of_the_same_costs_share_what_they_read_per_target_syllable():
    from hotfuse.phonetics import substitution_table

    first = LexiconIndex(coerce_hotwords(["伊丽莎白"]))
    second = LexiconIndex(coerce_hotwords(["莎白"]))
    sha = syllable("sha1")
    assert sha in substitution_table().infos
    (t1,) = first._pinyin.values()
    (t2,) = second._pinyin.values()
    assert t1[0][2] is t2[0][0]  # the one row of sha1, not a copy per index
    row, floor, key = substitution_table().info(sha)
    assert row is t1[0][2] and key == coarse_key(sha) and floor == substitution_table().floor(sha)
