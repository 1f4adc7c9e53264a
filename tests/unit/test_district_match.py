from __future__ import annotations

import pytest

from bot.reference import districts
from bot.services.district_match import (
    CANDIDATE_SCORE,
    DistrictMatch,
    match_district,
    phonetic_key,
    transliterate_devanagari,
)

LATIN_CASES = [
    ("lucknow", "lucknow"),
    ("  LUCKNOW ", "lucknow"),
    ("Lucknow!!", "lucknow"),
    ("Lakhnau", "lucknow"),
    ("lakhnau", "lucknow"),
    ("Lucknaw", "lucknow"),
    ("Allahabad", "prayagraj"),
    ("Prayag raj", "prayagraj"),
    ("Faizabad", "ayodhya"),
    ("Noida", "gautam_buddha_nagar"),
    ("Greater Noida", "gautam_buddha_nagar"),
    ("GB Nagar", "gautam_buddha_nagar"),
    ("Gautam Buddh", "gautam_buddha_nagar"),
    ("gautam_buddha_nagar", "gautam_buddha_nagar"),
    ("Banaras", "varanasi"),
    ("Benares", "varanasi"),
    ("Kashi", "varanasi"),
    ("Varansi", "varanasi"),
    ("Cawnpore", "kanpur_nagar"),
    ("Kanpur", "kanpur_nagar"),  # the data lists "Kanpur" as an alias of Kanpur Nagar
    ("Kanpur Dehat", "kanpur_dehat"),
    ("Kanpur Dehet", "kanpur_dehat"),
    ("Gorakpur", "gorakhpur"),
    ("Saharnpur", "saharanpur"),
    ("Moradabd", "moradabad"),
    ("Muradabad", "moradabad"),
    ("Mirzpur", "mirzapur"),
    ("Gaziabad", "ghaziabad"),
    ("Gajipur", "ghazipur"),
    ("Jhanshi", "jhansi"),
    ("Aligad", "aligarh"),
    ("Bareily", "bareilly"),
    ("Rae Bareli", "raebareli"),
    ("Shajahanpur", "shahjahanpur"),
    ("Sidharth Nagar", "siddharthnagar"),
    ("Mujaffarnagar", "muzaffarnagar"),
    ("Bulandsahar", "bulandshahr"),
    ("Deoriya", "deoria"),
    ("Baliya", "ballia"),
    ("Chitrakut", "chitrakoot"),
    ("Meeruth", "meerut"),
    ("Sant Ravidas Nagar", "bhadohi"),
    ("Sant Kabir", "sant_kabir_nagar"),
    ("Ambedkar", "ambedkar_nagar"),
    ("Chhatrapati Shahuji Maharaj Nagar", "amethi"),
    ("J.P. Nagar", "amroha"),
    ("Mau", "mau"),
    ("Eta", "etah"),
    ("mera jila lucknow hai", "lucknow"),
    ("district: Azamgarh (UP)", "azamgarh"),
]

DEVANAGARI_CASES = [
    ("लखनऊ", "lucknow"),
    ("लखनउ", "lucknow"),
    ("जिला लखनऊ", "lucknow"),
    ("लखनऊ १२३", "lucknow"),
    ("अलीगढ़", "aligarh"),
    ("अलीगढ", "aligarh"),
    ("बाँदा", "banda"),
    ("बांदा", "banda"),
    ("बादा", "banda"),
    ("झाँसी", "jhansi"),
    ("झांसी", "jhansi"),
    ("मिर्ज़ापुर", "mirzapur"),
    ("मीरजापुर", "mirzapur"),
    ("मिर्जापुर", "mirzapur"),
    ("इलाहाबाद", "prayagraj"),
    ("प्रयागराज", "prayagraj"),
    ("परयागराज", "prayagraj"),
    ("फ़ैज़ाबाद", "ayodhya"),
    ("अयोधया", "ayodhya"),
    ("बनारस", "varanasi"),
    ("काशी", "varanasi"),
    ("वारानसी", "varanasi"),
    ("नोएडा", "gautam_buddha_nagar"),
    ("गौतम बुद्ध नगर", "gautam_buddha_nagar"),
    ("गौतमबुद्धनगर", "gautam_buddha_nagar"),
    ("कानपुर", "kanpur_nagar"),
    ("कानपुर देहात", "kanpur_dehat"),
    ("गोरखपूर", "gorakhpur"),
    ("शाहजहांपुर", "shahjahanpur"),
    ("बुलन्दशहर", "bulandshahr"),
    ("मुजफ्फरनगर", "muzaffarnagar"),
    ("सिदार्थनगर", "siddharthnagar"),
    ("अंबेडकर नगर", "ambedkar_nagar"),
    ("ग़ाज़ीपुर", "ghazipur"),
    ("आजमगढ", "azamgarh"),
    ("बदायूं", "budaun"),
    ("कनौज", "kannauj"),
    ("ईटावा", "etawah"),
    ("मउ", "mau"),
    ("ज्ञानपुर", "bhadohi"),
    ("हापुड", "hapur"),
    ("सम्भल", "sambhal"),
]


@pytest.mark.parametrize(("text", "code"), LATIN_CASES + DEVANAGARI_CASES)
def test_match(text: str, code: str) -> None:
    m = match_district(text)
    assert m.district is not None, (text, m)
    assert m.district.code == code
    assert m.candidates[0] is m.district
    assert m.score >= CANDIDATE_SCORE


def test_table_sizes() -> None:
    assert len(LATIN_CASES) >= 20
    assert len(DEVANAGARI_CASES) >= 20


@pytest.mark.parametrize(
    ("text", "expected_candidates"),
    [
        ("nagar", None),  # part of many names
        ("नगर", None),
        ("pur", None),
        ("Kanpu", {"kanpur_nagar", "kanpur_dehat"}),  # both start with it
        ("Kabir Nagar", {"sant_kabir_nagar"}),
        ("नोयडा", {"gautam_buddha_nagar"}),
        ("Jaipur", None),  # not in UP
        ("Delhi", set()),
        ("hello", set()),
        ("asdf qwer zxcv", set()),
        ("", set()),
        ("   ", set()),
        ("!!!", set()),
        ("१२३", set()),
        ("123456", set()),
        ("up", set()),
        ("उत्तर प्रदेश", set()),
        ("ka", set()),
    ],
)
def test_not_confident(text: str, expected_candidates: set[str] | None) -> None:
    m = match_district(text)
    assert m.district is None, m
    codes = {d.code for d in m.candidates}
    if expected_candidates is not None:
        assert expected_candidates <= codes
        if not expected_candidates:
            assert codes == set()


def test_kanpur_candidates() -> None:
    m = match_district("Kanpur")
    assert [d.code for d in m.candidates[:2]] == ["kanpur_nagar", "kanpur_dehat"]


def test_candidates_limit_and_order() -> None:
    m = match_district("nagar", limit=5)
    assert 1 < len(m.candidates) <= 5
    assert len(set(m.candidates)) == len(m.candidates)
    assert len(match_district("Lucknow", limit=1).candidates) == 1
    assert match_district("Lucknow", limit=0) == DistrictMatch(None, (), 0.0)


def _all_names():
    for d in districts():
        for name in (d.name_en, d.name_hi, *d.aliases):
            yield pytest.param(name, d.code, id=f"{d.code}:{name}")


# No alias is shared by two districts in the current data. "Chhatrapati Shahuji Maharaj
# Nagar" (once also Chitrakoot) is listed only for Amethi, and "Kanpur" only for Kanpur
# Nagar, so every name and alias is expected to match its own district.
@pytest.mark.parametrize(("name", "code"), list(_all_names()))
def test_every_name_and_alias_matches_itself(name: str, code: str) -> None:
    m = match_district(name)
    assert m.district is not None and m.district.code == code
    assert m.score == 100.0


@pytest.mark.parametrize("d", districts(), ids=lambda d: d.code)
def test_name_variants(d) -> None:
    for text in (d.name_en.upper(), d.name_en.lower().replace(" ", ""), f"  {d.name_en}. "):
        m = match_district(text)
        assert m.district is not None and m.district.code == d.code, text


def test_transliteration() -> None:
    assert transliterate_devanagari("लखनऊ") == "lakhnauu"
    assert transliterate_devanagari("गोरखपुर") == "gorakhpur"
    assert transliterate_devanagari("अलीगढ़") == transliterate_devanagari("अलीगढ")
    assert transliterate_devanagari("ज्ञानपुर") == "gyaanpur"
    assert transliterate_devanagari("सोनभद्र") == "sonbhadra"
    assert transliterate_devanagari("गौतमबुद्ध", right_to_left=True) == "gautambuddh"
    assert transliterate_devanagari("Lucknow") == "Lucknow"
    assert phonetic_key("Lucknow") == phonetic_key("LUCKNAW") == "luknau"
    assert phonetic_key("Lakhnau ") == phonetic_key("लखनऊ") == phonetic_key("लखनउ") == "laknau"
    assert phonetic_key("मिर्ज़ापुर") == phonetic_key("मीरजापुर") == phonetic_key("Mirzapur")


def test_long_and_odd_input_is_safe() -> None:
    inputs = [
        "x" * 5000,
        "lucknow " * 700,
        "लखनऊ" * 1000,
        "१२३४५६७८९०" * 500,
        "🙂" * 3000,
        "\x00\n\t" * 100,
    ]
    for text in inputs:
        m = match_district(text)
        assert isinstance(m, DistrictMatch)
    assert match_district("x" * 5000).district is None
