"""Mixed Latin-Han hotwords by sound, and Latin words in a transcript read as Mandarin
syllables (issue 14, shape 5): the table of (transcript, hotwords, expected) cases, the
English frequency guard, spoken forms of mixed terms, and the readings of Latin words."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfuse import Fuser, english, fuse
from hotfuse.cli import main
from hotfuse.lexicon import Hotword
from hotfuse.match import LexiconIndex, MatchKind
from hotfuse.transcript import Transcript

CASES = [
    # a Chinese hotword a bilingual recognizer spelled in pinyin
    ("我明天去bei jing开会", ["北京"], "我明天去北京开会"),
    ("他在 Hang Zhou 工作", ["杭州"], "他在 杭州 工作"),
    ("我和 Xiao Ming 一起吃饭", ["小明", "小红"], "我和 小明 一起吃饭"),
    # a mixed hotword heard in Chinese characters only, and half in Latin letters
    ("我在逼站看视频", ["B站"], "我在B站看视频"),
    ("部署到开八斯集群", ["K8s 集群"], "部署到K8s 集群"),
    ("我用爱疯手机", ["iPhone 手机"], "我用iPhone 手机"),
    ("我用 ai phone 手机拍照", ["iPhone 手机"], "我用 iPhone 手机拍照"),
    # digits read the Chinese way, Latin letters by their names
    ("部署到 K 8 S 集群", ["K8s 集群"], "部署到 K8s 集群"),
    ("我在 bee 站看视频", ["B站"], "我在 B站看视频"),
    # a Latin hotword is not read from Latin words mixed with Chinese characters (its
    # letters and English sound are, its spoken forms in Chinese characters are)
    ("这个派torch很好用", ["PyTorch"], None),
    # ordinary English stays: the English frequency prior and whole-word windows
    ("we need a long change", ["长城", "常州"], "we need a long change"),
    ("I could deploy the code to make it work", ["北京", "上海"], None),
    ("我们 check 一下 deadline", ["切克", "戴德林"], None),
    ("这个 team 很好", ["天猫"], None),
    # digits alone are a number, not a name
    ("第108句伊丽沙白", ["伊丽莎白"], "第108句伊丽莎白"),
    ("进红10月这几年", ["晋红实业"], None),
    # a Latin hotword's window never takes a Chinese character more at its edge
    ("我们装了S D K多", ["SDK"], "我们装了SDK多"),
]


@pytest.mark.parametrize(("text", "hotwords", "expected"), CASES)
def test_cross_script_cases(text: str, hotwords: list[str], expected: str | None) -> None:
    assert fuse(text, hotwords).text == (text if expected is None else expected)


def test_the_reading_is_explained() -> None:
    (rep,) = fuse("我明天去bei jing开会", ["北京"]).replacements
    assert rep.original == "bei jing" and rep.hotword == "北京"
    assert "read as Mandarin syllables" in rep.reason and "bei as pinyin" in rep.reason


def test_readings_are_off_without_latin_words_and_for_latin_text_of_latin_hotwords() -> None:
    index = LexiconIndex([Hotword("Docker"), Hotword("北京")])
    kinds = {c.kind for c in index.candidates(Transcript.from_text("刀客在北京"))}
    assert MatchKind.READING not in kinds
    # Latin text and a Latin hotword: letters and English sound, never a syllable reading
    got = index.candidates(Transcript.from_text("use dao ke now"))
    assert all(c.kind != MatchKind.READING for c in got if c.hotword == "Docker")
    off = LexiconIndex([Hotword("北京")], reading=False)
    assert off.candidates(Transcript.from_text("去bei jing")) == []


def test_common_english_words_pay_the_frequency_prior() -> None:
    """The same syllables: a rare pinyin spelling is replaced, a common English word that
    spells them is not (its reading costs more and its English frequency counts)."""
    assert fuse("我们去 Xi An 吧", ["喜安"]).text == "我们去 Xi An 吧"  # "an" is English
    assert fuse("我们去 Xi Jing 吧", ["喜京"]).text == "我们去 喜京 吧"


def test_mixed_terms_get_spoken_forms_joining_both_parts() -> None:
    forms = [f.pinyin for f in english.mixed_spoken_forms("K8s 集群")]
    assert forms[0] == "kai ba ai si ji qun"
    assert all(f.endswith("ji qun") for f in forms)
    assert english.mixed_spoken_forms("Docker") == () == english.mixed_spoken_forms("集群")
    py, ph = english.hotword_spoken("B站", ("bei zhan",))
    assert py[0].pinyin == "bei zhan" and py[0].source == "user" and ph == ()


def test_latin_readings() -> None:
    assert (("bei", "jing"), "pinyin") in [r[1:] for r in english.latin_readings("beijing")]
    assert english.latin_readings("xiaoming")[0][1:] == (("xiao", "ming"), "pinyin")
    assert english.latin_readings("bei")[0][1:] == (("bei",), "pinyin")
    # a common English word is read as English first, its pinyin spelling dearer
    long_ = english.latin_readings("long")
    assert long_[0][2] == "cmudict" and all(src != "pinyin" for _c, _s, src in long_)
    assert english.latin_readings("K8s")[0][1] == ("kai", "ba", "ai", "si")
    assert english.latin_readings("8")[0][1] == ("ba",)
    assert english.latin_readings("") == () == english.latin_readings("a-b")
    # one-letter syllables are no way to spell a longer word
    assert ("gu", "o") not in [s for _c, s, _src in english.latin_readings("guo")]


def test_explain_lists_spoken_forms_of_a_mixed_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "t.toml"
    f.write_text('[[entry]]\ntext = "B站"\n', "utf-8")
    assert main(["lexicon", "explain", str(f)]) == 0
    out = capsys.readouterr().out
    assert "B站  [generated + pinned]" in out and "heard as bi zhan" in out


def test_fuser_with_readings_is_deterministic_and_idempotent() -> None:
    f = Fuser(["北京", "B站", "K8s 集群", "PyTorch"])
    for text in ("去bei jing看逼站", "开八斯集群和派torch"):
        once = f.fuse(text).text
        assert f.fuse(once).text == once
        assert Fuser(["北京", "B站", "K8s 集群", "PyTorch"]).fuse(text).text == once
