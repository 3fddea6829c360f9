"""English side of cross-script matching: pronunciations, spoken forms, phone distance."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hotfuse import english
from hotfuse.english import (
    is_latin_term,
    phone_distance,
    phone_forms,
    phones_to_pinyin,
    pronunciations,
    spoken_forms,
    word_phones,
)
from hotfuse.phonetics import syllable


def _pinyins(term: str) -> list[str]:
    return [f.pinyin for f in spoken_forms(term)]


@pytest.mark.parametrize(
    ("term", "heard"),
    [
        ("Docker", "dao ke"),  # 刀客
        ("Python", "pai sen"),  # 派森
        ("Kubernetes", "ku bo nei ti zi"),  # 库伯内提斯 (g2p: not in the dictionary)
        ("Linux", "lin na ke si"),  # 林纳克斯: the nasal closes one syllable, opens the next
        ("SQL", "ai si qiu ai le"),  # Chinese letter names
        ("C++", "xi jia jia"),  # symbols in Chinese
        ("GPT-4o", "ji pi ti si ou"),  # letters, digit in Chinese, letter
        ("SaaS", "sa si"),  # the whole word is in the dictionary
        ("K8s", "kai ba ai si"),
        ("Redis", "rui di si"),  # 瑞迪斯: R before a front vowel written rui
        ("Vue", "wei you"),  # 维尤: a consonant before a y glide takes an i of its own
        ("REST", "rui si te"),  # an all-capitals word in the dictionary is said as one
        ("CUDA", "ku da"),  # one the dictionary lacks (by rules), as it reads as a word
    ],
)
def test_spoken_forms_include_the_usual_reading(term: str, heard: str) -> None:
    assert heard in _pinyins(term)


def test_spoken_forms_are_small_sorted_and_cached() -> None:
    forms = spoken_forms("TensorFlow")
    assert 1 <= len(forms) <= 12
    costs = [f.cost for f in forms]
    assert costs == sorted(costs)
    assert costs[-1] - costs[0] <= 1.0
    assert all(len(f.syllables) >= 2 for f in forms)
    assert all(s[2] == 5 for f in forms for s in f.syllables)  # tone free
    assert spoken_forms("TensorFlow") is forms


def test_every_generated_syllable_is_legal_pinyin() -> None:
    for term in ("Docker", "Kubernetes", "Vue3", "Node.js", ".NET", "Nginx", "iPhone", "Qt"):
        for f in spoken_forms(term):
            for p in f.pinyin.split():
                ini, fin, _tone = syllable(p)
                assert english._is_legal(ini, fin), (term, p)


def test_non_latin_terms_have_no_forms() -> None:
    assert spoken_forms("刀客") == ()
    assert spoken_forms("B站") == ()
    assert spoken_forms("2024") == ()
    assert phone_forms("伊丽莎白") == ()
    assert not is_latin_term("")


def test_pronunciation_sources() -> None:
    assert pronunciations("docker")[0][1] == "cmudict"
    assert pronunciations("webpack")[0][1] == "compound"
    assert pronunciations("grafana")[-1][1] == "g2p"
    assert all(p for p, _ in pronunciations("nginx"))


def test_acronyms_are_spelled_first_and_words_are_not() -> None:
    assert phone_forms("SQL")[0].source == "letters"
    assert phone_forms("Docker")[0].source == "cmudict"
    assert all(f.source != "letters" for f in phone_forms("Kubernetes"))


def test_word_phones_of_letters_and_digits() -> None:
    assert word_phones("q") == (("K", "Y", "UW1"),)
    assert word_phones("4") == (("F", "AO1", "R"),)
    assert word_phones("中") == ()


@pytest.mark.parametrize(
    ("heard", "term", "close"),
    [
        ("cotton", "Kotlin", True),
        ("radish", "Redis", True),
        ("docker", "Docker", True),
        ("water", "Docker", False),
        ("cloud", "Claude", True),  # close by sound: the frequency prior must decide
        ("could", "Claude", False),
        ("torch", "PyTorch", False),  # a part of the term is not the term
        ("table", "Kotlin", False),
    ],
)
def test_phone_distance(heard: str, term: str, close: bool) -> None:
    d = min(phone_distance(h, f.phones) for h in word_phones(heard) for f in phone_forms(term))
    assert (d <= 0.25) == close, d


def test_phone_distance_properties() -> None:
    a = ("K", "AA1", "T")
    assert phone_distance(a, a) == 0.0
    assert phone_distance(a, ("K", "AA0", "T")) == 0.0  # stress ignored
    assert phone_distance((), a) > 0.5
    assert phone_distance(a, ()) == float("inf")


def test_phones_to_pinyin_is_k_best() -> None:
    got = phones_to_pinyin(("D", "AA1", "K", "ER0"), 4)
    assert len(got) == 4
    assert got[0] == (0.0, ("da", "ke"))
    assert [c for c, _ in got] == sorted(c for c, _ in got)


def test_english_zipf() -> None:
    assert english.english_zipf("time") > 6
    assert english.english_zipf("Time") == english.english_zipf("time")
    assert english.english_zipf("zzzqx") == 0.0


def test_import_hotfuse_loads_no_english_data() -> None:
    code = (
        "import hotfuse, hotfuse.english, hotfuse._data as d;"
        "assert not d._tables, d._tables.keys();"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_a_usually_said_symbol_left_unsaid_costs_more() -> None:
    """``.ts`` is said "点 ts" first; "ts" alone is a dearer reading (so the hotword TS,
    said exactly so, wins 提艾斯), a hyphen unsaid is free."""
    forms = {f.pinyin: f.cost for f in spoken_forms(".ts")}
    assert forms["dian ti ai si"] == 0.0 and forms["ti ai si"] >= 0.3
    assert {f.pinyin: f.cost for f in spoken_forms("GPT-4")}["ji pi ti si"] == 0.0


def test_spelled_acronyms_are_not_sounded_out() -> None:
    """Pieces with three consonants in a row or no vowel stay letters only (HTTP, SQL)."""
    assert all("g2p" not in f.source for f in spoken_forms("HTTP"))
    assert all("g2p" not in f.source for f in spoken_forms("SQL"))
    assert any("g2p" in f.source for f in spoken_forms("CUDA"))  # not in the dictionary


def test_chinese_letter_names_combine_each_letters_choices() -> None:
    """Two letters said by a later Chinese name at once (SQL as 艾斯扣艾欧), and a third
    name (L as 艾欧), dearer than the first choices."""
    forms = {f.pinyin: f.cost for f in spoken_forms("SQL")}
    assert forms["ai si qiu ai le"] == 0.0
    assert 0 < forms["ai si qiu ai ou"] < forms["ai si kou ai ou"] < 0.5
    assert "di ai ou" in _pinyins("DL")


@pytest.mark.parametrize("term", ["Spring", "Svelte", "REST", "Docker", "GPT-4o", "C++"])
def test_the_usual_reading_of_every_term_costs_nothing(term: str) -> None:
    """Costs rank a term's readings against each other: a word with consonant clusters
    (Spring, 斯普林: two epenthetic vowels) is not dearer to find than Docker."""
    forms = spoken_forms(term)
    assert forms[0].cost == 0.0 and all(f.cost >= 0.0 for f in forms)


def test_non_ascii_digits_have_no_english_reading() -> None:
    """str.isdigit() holds for ❶, ² and Arabic-Indic digits, which int() cannot read: they
    get no reading (a text holding one crashed fusion with a Latin hotword active)."""
    from hotfuse import fuse

    assert [english.word_phones(w) for w in ("❶", "x²", "٣")] == [(), (), ()]
    assert english.word_phones("42") and english.spoken_forms("Vue3")
    assert fuse("❶ 和 x² 和 ٣", ["Vue3", "GPT-4o", "Node.js"]).text == "❶ 和 x² 和 ٣"


@pytest.mark.parametrize(
    ("term", "heard"),
    [
        ("Kotlin", "ke te lin"),  # 科特林: K AA1 spelled o, and ko is written ke
        ("Kotlin", "kou te lin"),  # 扣特林
        ("Java", "jia wa"),  # 加瓦: the final schwa spelled a
        ("Docker", "duo ke"),  # 多克: do is written duo
    ],
)
def test_a_vowel_may_follow_its_spelling(term: str, heard: str) -> None:
    forms = {f.pinyin: f.cost for f in spoken_forms(term)}
    assert forms[heard] <= 0.15


def test_spelling_colours_only_vowels_it_lines_up_with() -> None:
    from hotfuse.english import _vowel_letters

    assert _vowel_letters("kotlin", ("K", "AA1", "T", "L", "IH1", "N")) == ("o", "i")
    assert _vowel_letters("svelte", ("S", "V", "EH1", "L", "T")) == ("e",)  # silent e
    assert _vowel_letters("react", ("R", "IY0", "AE1", "K", "T")) == ()  # ea: two vowels
    assert phones_to_pinyin(("K", "AA1"), 2) == phones_to_pinyin(("K", "AA1"), 2, "")
