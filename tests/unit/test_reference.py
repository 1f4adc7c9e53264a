from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot import reference
from bot.reference import (
    CRAFT_GROUPS,
    DISTRICTS_CSV,
    GI_CRAFTS_CSV,
    District,
    ReferenceDataError,
    district,
    districts,
    districts_by_division,
    get_district,
    gi_crafts,
    gi_crafts_for,
    load_districts,
    load_gi_crafts,
)


def test_counts_and_order() -> None:
    ds = districts()
    assert len(ds) == 75
    assert len({d.code for d in ds}) == 75
    assert [d.name_en for d in ds] == sorted((d.name_en for d in ds), key=str.casefold)
    assert len(gi_crafts()) == 55
    assert len(districts_by_division()) == 18


def test_craft_groups_vocabulary() -> None:
    assert CRAFT_GROUPS[0] == "textile"
    assert CRAFT_GROUPS[-1] == "other"
    assert len(CRAFT_GROUPS) == len(set(CRAFT_GROUPS)) == 18
    assert {d.craft_group for d in districts()} <= set(CRAFT_GROUPS)


def test_lucknow() -> None:
    lucknow = district("lucknow")
    assert "Chikankari" in lucknow.primary_odop("en")
    assert "चिकनकारी" in lucknow.primary_odop("hi")
    assert lucknow.name("hi") == "लखनऊ"
    assert lucknow.name("en") == "Lucknow"
    assert lucknow.name("hi-IN") == "लखनऊ"
    assert lucknow.division("hi") == "लखनऊ"
    assert lucknow.craft_group == "textile"
    assert not lucknow.fragile
    names = {g.name_en for g in gi_crafts_for("lucknow")}
    assert {"Lucknow Chikan Craft", "Lucknow Zardozi"} <= names
    zardozi = next(g for g in gi_crafts_for("lucknow") if g.name_en == "Lucknow Zardozi")
    assert zardozi.gi_application_no == "236"
    assert zardozi.name("hi") == "लखनऊ ज़रदोज़ी"


def test_known_facts() -> None:
    gorakhpur = district("gorakhpur")
    assert gorakhpur.fragile
    assert gorakhpur.craft_group == "clay_terracotta"
    assert gorakhpur.aliases == ()
    assert district("bhadohi").name_en == "Bhadohi"
    assert "Sant Ravidas Nagar" in district("bhadohi").aliases
    assert "Chhatrapati Shahuji Maharaj Nagar" in district("amethi").aliases
    assert "Chhatrapati Shahuji Maharaj Nagar" not in district("chitrakoot").aliases
    assert district("banda").division_en == "Chitrakoot Dham"
    assert "Kanpur" in district("kanpur_nagar").aliases
    fragile = {d.code for d in districts() if d.fragile}
    assert fragile == {"gorakhpur", "azamgarh", "firozabad", "bulandshahr", "mahoba", "kannauj"}


def test_odop_lists_are_parallel_and_ordered() -> None:
    for d in districts():
        assert d.odop_en and len(d.odop_en) == len(d.odop_hi), d.code
        assert d.odop("en") is d.odop_en
        assert d.odop("hi") is d.odop_hi
        assert d.primary_odop("en") == d.odop_en[0]
    etah = district("etah")  # a quoted field with a comma inside an item
    assert etah.odop_en == ("Ghungroo, Bells & Brass Products", "Chicory")
    assert district("agra").odop_en[0] == "Leather Products"


def test_lookup_helpers() -> None:
    assert get_district("lucknow") is district("lucknow")
    assert get_district("atlantis") is None
    assert get_district(None) is None
    with pytest.raises(KeyError):
        district("atlantis")
    with pytest.raises(KeyError):
        gi_crafts_for("atlantis")
    assert gi_crafts_for("sitapur") == ()


def test_multi_district_gi() -> None:
    brocade = next(g for g in gi_crafts() if g.name_en == "Banaras Brocades and Sarees")
    assert brocade.district_codes == (
        "varanasi",
        "azamgarh",
        "chandauli",
        "jaunpur",
        "mirzapur",
        "bhadohi",
    )
    assert brocade in gi_crafts_for("bhadohi")
    assert all(g.gi_application_no is None or g.gi_application_no.isdigit() for g in gi_crafts())


def test_divisions() -> None:
    groups = districts_by_division()
    assert sum(len(v) for v in groups.values()) == 75
    assert list(groups) == sorted(groups, key=str.casefold)
    assert {d.code for d in groups["Devipatan"]} == {"bahraich", "balrampur", "gonda", "shravasti"}
    for div, members in groups.items():
        assert all(d.division_en == div for d in members)
        assert len({d.division_hi for d in members}) == 1


def test_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        district("lucknow").name_en = "X"  # type: ignore[misc]
    assert isinstance(district("lucknow"), District)


def test_cached() -> None:
    assert districts() is districts()
    assert gi_crafts() is gi_crafts()


# --------------------------------------------------------------------------- broken data


def _broken_copy(tmp_path: Path, source: Path, edit) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    target = tmp_path / source.name
    target.write_text("".join(edit(lines)), encoding="utf-8")
    return target


def _replace_in_row(code: str, old: str, new: str):
    def edit(lines: list[str]) -> list[str]:
        out = []
        for line in lines:
            if line.startswith(code + ","):
                assert old in line
                line = line.replace(old, new, 1)
            out.append(line)
        return out

    return edit


def test_loader_accepts_the_bundled_files_by_path() -> None:
    assert load_districts(DISTRICTS_CSV) == districts()
    codes = [d.code for d in districts()]
    assert load_gi_crafts(GI_CRAFTS_CSV, district_codes=codes) == gi_crafts()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda lines: lines[:-1], "expected 75 districts, found 74"),
        (lambda lines: [*lines, lines[1]], "duplicate district code 'agra'"),
        (_replace_in_row("lucknow", ",textile,", ",embroidery,"), "unknown craft_group"),
        (
            _replace_in_row("bareilly", "| Wooden Products,", ","),
            "odop_en has 3 items but odop_hi has 4",
        ),
        (_replace_in_row("gorakhpur", ",yes,", ",maybe,"), "fragile must be"),
        (
            _replace_in_row("hapur", "hapur,Hapur,", "Hapur District,Hapur,"),
            "invalid district code",
        ),
        (_replace_in_row("basti", ",Basti,बस्ती,", ",,बस्ती,"), "empty name_en"),
        (lambda lines: [lines[0].replace("aliases", "alias"), *lines[1:]], "expected columns"),
    ],
)
def test_broken_districts_csv(tmp_path: Path, edit, message: str) -> None:
    path = _broken_copy(tmp_path, DISTRICTS_CSV, edit)
    with pytest.raises(ReferenceDataError, match=message):
        load_districts(path)


def test_broken_districts_error_names_the_line(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, DISTRICTS_CSV, _replace_in_row("lucknow", ",textile,", ",x,"))
    with pytest.raises(ReferenceDataError, match=r"up_districts\.csv:\d+: .*'lucknow'"):
        load_districts(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match="cannot read"):
        load_districts(tmp_path / "nope.csv")


def test_expected_count_can_be_relaxed(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, DISTRICTS_CSV, lambda lines: lines[:3])
    assert [d.code for d in load_districts(path, expected_count=None)] == ["agra", "aligarh"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (",lucknow,textile,", ",lucknoww,textile,", r"unknown district code\(s\) \['lucknoww'\]"),
        (",lucknow,textile,", ",lucknow,embroidery,", "unknown GI category"),
        (",lucknow,textile,236", ",lucknow,textile,GI-236", "invalid GI application number"),
        (",lucknow,textile,", ",,textile,", "no district"),
    ],
)
def test_broken_gi_csv(tmp_path: Path, old: str, new: str, message: str) -> None:
    def edit(lines: list[str]) -> list[str]:
        text = "".join(lines)
        assert old in text
        return [text.replace(old, new, 1)]

    path = _broken_copy(tmp_path, GI_CRAFTS_CSV, edit)
    with pytest.raises(ReferenceDataError, match=message):
        load_gi_crafts(path)


def test_reference_data_error_is_a_value_error() -> None:
    assert issubclass(reference.ReferenceDataError, ValueError)
