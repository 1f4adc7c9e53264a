"""Listing tips: each rule on its own, the title and keywords, GI, floor price, fragile
packing, the seasons, the order of tips, and the score rising when a field improves."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.services import products as products_service
from bot.services import tips
from bot.services import users as users_service
from bot.services.products import Draft, PhotoDraft, words_in
from bot.services.tips import Listing, PhotoFacts, Tip, evaluate
from models import Role

TODAY = date(2026, 7, 1)  # no festival near, no wedding season, not winter
GOOD = PhotoFacts((), "photo", 1280)


def codes(listing: Listing, today: date = TODAY) -> list[str]:
    return [t.code for t in evaluate(listing, today).tips]


def tip(listing: Listing, code: str, today: date = TODAY) -> Tip:
    found = [t for t in evaluate(listing, today).tips if t.code == code]
    assert found, (code, codes(listing, today))
    return found[0]


def strong(**changes) -> Listing:  # type: ignore[no-untyped-def]
    """A listing that follows every rule (score 100), to spoil one thing at a time."""
    base = Listing(
        name="चिकनकारी सूती कुर्ता",
        category="kurta",
        price_paise=150_000,
        stock=10,
        photos=(GOOD,) * 5,
        description=(
            "हाथ से बना, लखनऊ के कारीगरों की पीढ़ियों पुरानी कला, लखनऊ चिकन शिल्प (जीआई टैग)। "
            "हल्के हाथ से ठंडे पानी में धोएँ। " * 3
        ),
        material="सूती",
        size="44 इंच",
        cost_paise=50_000,
        photo_answers={"closeup": True, "scale": True},
        district_code="lucknow",
        similar_prices=(140_000, 150_000, 160_000),
    )
    return replace(base, **changes)


def test_a_listing_that_follows_every_rule_scores_100() -> None:
    report = evaluate(strong(), TODAY)
    assert report.score == 100, report.tips
    assert report.parts == {"photos": 40, "title": 15, "description": 20, "price": 15, "stock": 10}
    assert report.tips == () and report.first_fix is None


# --- photos -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "points"), [(0, 0), (1, 5), (2, 8), (3, 11), (4, 13), (5, 15), (9, 15)]
)
def test_photo_count(n: int, points: int) -> None:
    report = evaluate(strong(photos=(GOOD,) * n), TODAY)
    has_tip = "photos_few" in [t.code for t in report.tips]
    assert has_tip == (n < 5)
    if has_tip:
        assert tip(strong(photos=(GOOD,) * n), "photos_few").params == {"count": n, "want": 5}
        assert tip(strong(photos=(GOOD,) * n), "photos_few").gain == 15 - points


def test_photo_findings_name_the_photos() -> None:
    photos = (
        GOOD,
        PhotoFacts(("blurred",), "photo", 1280),
        PhotoFacts(("too_dark",), "photo", 1280),
        PhotoFacts(("blurred", "low_resolution"), "photo", 800),
        PhotoFacts(("busy_background",), "document", 3000),
    )
    listing = strong(photos=photos)
    assert tip(listing, "photo_blurred").params == {"photos": [2, 4]}
    assert tip(listing, "photo_dark").params == {"photos": [3]}
    assert tip(listing, "photo_small").params == {"photos": [4], "as_file": True}
    assert (
        tip(listing, "photo_busy").params == {"photos": [5]}
        and tip(listing, "photo_busy").fix == "photos"
    )
    report = evaluate(listing, TODAY)
    # 2 of 5 photos have no light/blur/size problem: 4 of 10 quality points; busy: no 5 points
    assert report.parts["photos"] == 15 + 4 + 0 + 5 + 5


def test_small_photo_sent_as_a_file_is_not_told_to_send_as_a_file() -> None:
    listing = strong(photos=(PhotoFacts(("low_resolution",), "document", 800),) + (GOOD,) * 4)
    assert tip(listing, "photo_small").params["as_file"] is False


def test_photo_questions_asked_then_acted_on() -> None:
    unknown = strong(photo_answers={})
    assert {"ask_closeup", "ask_scale"} <= set(codes(unknown))
    assert tip(unknown, "ask_closeup").fix == "closeup" and tip(unknown, "ask_scale").fix == "scale"
    answered_no = strong(photo_answers={"closeup": False, "scale": False})
    assert {"photo_closeup", "photo_scale"} <= set(codes(answered_no))
    assert not {"ask_closeup", "ask_scale"} & set(codes(answered_no))
    assert tip(answered_no, "photo_closeup").fix == "photos"
    assert evaluate(unknown, TODAY).score == evaluate(answered_no, TODAY).score == 90


# --- title ------------------------------------------------------------------------------------


def test_title_rules() -> None:
    assert "title_short" in codes(strong(name="कुर्ता"))
    assert "title_craft" in codes(strong(name="सूती कुर्ता लंबा"))
    assert "title_craft" not in codes(strong(name="Chikan cotton kurta"))
    no_product = strong(name="चिकनकारी सूती पीस", category="textile_other")
    assert "title_product" in codes(no_product)
    assert "title_product" not in codes(strong(name="चिकनकारी सूती पीस"))  # the type says kurta
    assert tip(strong(name="चिकनकारी कुर्ता", material=None), "title_material").fix == "material"
    assert "title_material" not in codes(strong(name="चिकनकारी सूती कुर्ता", material=None))
    assert evaluate(strong(district_code=None), TODAY).parts["title"] == 13  # no origin


@pytest.mark.parametrize(
    ("name", "material", "district", "title"),
    [
        ("चिकनकारी सूती कुर्ता", None, "lucknow", "Lucknow Chikankari Cotton Kurta – Handmade"),
        ("सफ़ेद चिकन कुर्ता", "सूती", "lucknow", "Lucknow Chikankari White Cotton Kurta – Handmade"),
        ("टेराकोटा घोड़ा", None, "gorakhpur", "Gorakhpur Terracotta Horse – Handmade"),
        ("Banarasi silk saree with zari border", None, "varanasi",
         "Varanasi Banarasi Zari Silk Saree with Border – Handmade"),
        ("पीतल का लोटा", None, "moradabad", "Moradabad Brass Lota – Handmade"),
        ("Diya set", "clay", None, "Clay Diya Set – Handmade"),
    ],
)  # fmt: skip
def test_marketplace_title_in_english(name, material, district, title) -> None:  # type: ignore[no-untyped-def]
    category = products_service.guess_category(name, "textile") or "diya"
    if "घोड़ा" in name:
        category = "terracotta_figure"
    if "लोटा" in name:
        category = "brassware"
    assert tips.build_title(name, category, material, district).text == title


def test_title_falls_back_on_the_type_and_stays_within_limits() -> None:
    assert tips.build_title("सुंदर उपहार", "diya", None, "gorakhpur").text == (
        "Gorakhpur Diya – Handmade"
    )
    long_name = "Chikan kurta " + " ".join(f"word{i}" for i in range(40))
    title = tips.build_title(long_name, "kurta", "cotton", "lucknow").text
    assert len(title) <= tips.TITLE_MAX and title.startswith("Lucknow Chikankari Cotton Kurta")


def test_keywords() -> None:
    gi = tips.gi_for("lucknow", "textile", words_in("चिकनकारी सूती कुर्ता"))
    title = tips.build_title("चिकनकारी सूती कुर्ता", "kurta", None, "lucknow", gi=gi)
    assert title.keywords == (
        "chikankari kurta",
        "lucknow chikankari",
        "cotton kurta",
        "handmade kurta",
        "lucknow chikan craft",
    )
    assert len(tips.build_title("x", "other", None, None).keywords) <= tips.MAX_KEYWORDS


# --- description and GI -----------------------------------------------------------------------


def test_description_rules() -> None:
    assert tip(strong(description=None), "desc_missing").gain == 8
    assert tip(strong(description="हाथ से बना कुर्ता, ठंडे पानी में धोएँ"), "desc_short").gain == 6
    assert tip(strong(description="x" * 80), "desc_short").gain == 3
    assert tip(strong(size=None), "desc_size").fix == "size"
    no_care = "हाथ से बना, लखनऊ के कारीगरों की पीढ़ियों पुरानी कला, जीआई टैग। " * 4
    assert "desc_care" in codes(strong(description=no_care))
    no_story = "Cotton kurta, wash gently in cold water, GI tag, soft and light. " * 4
    assert "desc_story" in codes(strong(description=no_story))
    assert "desc_story" not in codes(strong(description=no_story + "Made by hand."))


def test_gi_tag_when_the_district_craft_has_one() -> None:
    no_gi_mention = "Hand embroidered by artisans for generations. Wash gently by hand. " * 3
    found = tip(strong(description=no_gi_mention), "desc_gi")
    assert found.params == {"gi_en": "Lucknow Chikan Craft", "gi_hi": "लखनऊ चिकन शिल्प"}
    assert "desc_gi" not in codes(strong(description=no_gi_mention + "Lucknow Chikan Craft."))
    # no GI for the district's craft: nothing to mention, the points are not lost
    agra = strong(name="Leather bag", category="bag", material="leather", district_code="agra",
                  description=no_gi_mention)  # fmt: skip
    assert "desc_gi" not in codes(agra)
    assert evaluate(agra, TODAY).parts["description"] == 20


@pytest.mark.parametrize(
    ("district", "group", "name", "gi"),
    [
        ("lucknow", "textile", "चिकनकारी सूती कुर्ता", "Lucknow Chikan Craft"),
        ("lucknow", "textile", "zardozi clutch", "Lucknow Zardozi"),
        ("lucknow", "textile", "कुर्ता", None),  # chikan or zardozi? do not guess
        ("varanasi", "textile", "Banarasi silk saree", "Banaras Brocades and Sarees"),
        ("gorakhpur", "clay_terracotta", "घोड़ा", "Gorakhpur Terracotta"),
        ("azamgarh", "clay_terracotta", "काली मिट्टी का फूलदान", "Nizamabad Black Pottery"),
        ("firozabad", "glass_ceramic", "चूड़ियाँ", "Firozabad Glass"),
        ("kannauj", "perfume", "गुलाब इत्र", "Kannauj Perfume"),
        (
            "varanasi",
            "jewellery_accessories",
            "meenakari earrings",
            "Banaras Gulabi Meenakari Craft",
        ),
        ("agra", "leather", "leather bag", None),  # Agra's GIs are stone inlay and durrie
        ("noida_does_not_exist", "textile", "kurta", None),
    ],
)
def test_gi_for(district: str, group: str, name: str, gi: str | None) -> None:
    found = tips.gi_for(district, group, words_in(name))
    assert (found.name_en if found else None) == gi


# --- price ------------------------------------------------------------------------------------


def test_floor_price() -> None:
    # (₹300 + ₹70 shipping + ₹20 packing) / (1 − 15%) = ₹458.82… → ₹459
    assert tips.floor_price_paise(30_000) == 45_900
    assert tips.floor_price_paise(30_000, fee_pct=0, shipping_paise=0, packaging_paise=0) == 30_000
    assert tips.floor_price_paise(10_001, fee_pct=0, shipping_paise=0, packaging_paise=0) == 10_100
    with pytest.raises(ValueError):
        tips.floor_price_paise(100, fee_pct=100)


def test_price_rules() -> None:
    unknown = tip(strong(cost_paise=None), "cost_unknown")
    assert (unknown.fix, unknown.gain) == ("cost", 10)
    below = tip(strong(cost_paise=100_000, price_paise=120_000), "price_below_floor")
    assert below.params["floor"] == tips.floor_price_paise(100_000) == 128_300
    assert below.params["fee_pct"] == 15 and below.fix == "price"
    assert "price_below_floor" not in codes(strong(cost_paise=100_000, price_paise=128_300))
    low = tip(strong(price_paise=80_000), "price_low")
    assert low.params == {"median": 150_000, "count": 3}
    assert "price_high" in codes(strong(price_paise=250_000))
    assert not {"price_low", "price_high"} & set(codes(strong(price_paise=100_000)))
    # too few similar products: no comparison, and the points are not lost
    few = strong(price_paise=20_000, cost_paise=1_000, similar_prices=(150_000, 160_000))
    assert not {"price_low", "price_high"} & set(codes(few))
    assert evaluate(few, TODAY).parts["price"] == 15
    assert tips.median_price([3, 1, 2]) == 2 and tips.median_price([1, 2]) is None


def test_fragile_crafts_get_packing_advice_and_cost() -> None:
    assert tips.is_fragile("clay_terracotta", "gorakhpur")
    assert tips.is_fragile("glass_ceramic", None)
    assert tips.is_fragile("perfume", "kannauj")  # the district's fragile ODOP craft
    assert tips.is_fragile("stone", "mahoba")
    assert not tips.is_fragile("textile", "kannauj")
    assert not tips.is_fragile("leather", "agra")
    diya = strong(name="टेराकोटा दीया", category="diya", district_code="gorakhpur", cost_paise=5_000,
                  price_paise=5_000)  # fmt: skip
    advice = tip(diya, "packaging_fragile")
    assert advice.fix is None and advice.gain == 0
    assert tip(diya, "price_below_floor").params["packaging"] == tips.FRAGILE_PACKAGING_PAISE
    assert "packaging_fragile" not in codes(strong())


# --- stock ------------------------------------------------------------------------------------


def test_stock_rules() -> None:
    assert tip(strong(stock=0), "stock_out").gain == 10
    assert tip(strong(stock=2), "stock_low").params == {"stock": 2}
    assert "stock_low" not in codes(strong(stock=3))
    assert "stock_low" in codes(strong(stock=3, low_stock_threshold=5))
    assert evaluate(strong(stock=1), TODAY).parts["stock"] == 5


# --- seasons ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "category", "today", "code", "days"),
    [
        ("clay_terracotta", "diya", date(2026, 10, 9), "season_diwali", 30),
        ("clay_terracotta", "diya", date(2026, 11, 8), "season_diwali", 0),
        ("clay_terracotta", "diya", date(2026, 8, 1), None, None),  # too early
        ("clay_terracotta", "diya", date(2026, 11, 9), None, None),  # just after
        ("metal", "metal_decor", date(2027, 10, 1), "season_diwali", 28),
        ("metal", "brassware", date(2027, 10, 1), "season_wedding", 14),  # gifts for weddings
        ("textile", "saree", date(2026, 11, 20), "season_wedding", 0),
        ("textile", "saree", date(2026, 9, 20), "season_wedding", 25),
        ("textile", "saree", date(2026, 8, 1), None, None),
        ("textile", "saree", date(2027, 5, 1), "season_wedding", 0),
        ("textile", "shawl", date(2026, 9, 5), "season_winter", None),
        ("food_processing", "sweets", date(2027, 3, 1), "season_holi", 21),
        ("jewellery_accessories", "accessories", date(2026, 8, 10), "season_rakhi", 18),
        ("leather", "bag", date(2026, 11, 1), None, None),
        ("clay_terracotta", "diya", date(2040, 10, 20), None, None),  # no date known
    ],
)
def test_seasonal_hints(group, category, today, code, days) -> None:  # type: ignore[no-untyped-def]
    hint = tips.seasonal_hint(group, category, today)
    assert (hint.code if hint else None) == code
    if hint is not None and days is not None:
        assert hint.params["days"] == days and hint.gain == 0 and hint.fix is None


def test_near_festival_comes_before_small_fixes() -> None:
    near = codes(strong(name="टेराकोटा दीया", category="diya", district_code="gorakhpur",
                        size=None), date(2026, 10, 20))  # fmt: skip
    assert near.index("season_diwali") < near.index("desc_size")


# --- order, fixes and the score ---------------------------------------------------------------


def test_tips_come_most_valuable_first() -> None:
    weak = Listing(name="कुर्ता", category="kurta", price_paise=50_000, stock=0,
                   photos=(GOOD,), district_code="lucknow")  # fmt: skip
    report = evaluate(weak, TODAY)
    weights = [t.weight for t in report.tips]
    assert weights == sorted(weights, reverse=True)
    assert [t.code for t in report.top()] == ["photos_few", "stock_out", "cost_unknown"]
    assert report.first_fix is not None and report.first_fix.fix == "photos"


def test_first_fix_skips_advice_that_no_field_fixes() -> None:
    diya = strong(name="टेराकोटा दीया", category="diya", district_code="gorakhpur", size=None)
    report = evaluate(diya, date(2026, 10, 20))
    assert report.tips[0].code == "season_diwali"
    assert report.first_fix is not None and report.first_fix.code == "desc_size"


@pytest.mark.parametrize(
    "improve",
    [
        {"photos": (GOOD,) * 3},
        {"photo_answers": {"closeup": True}},
        {"description": "हाथ से बना चिकनकारी कुर्ता, ठंडे पानी में धोएँ। " * 4},
        {"material": "सूती"},
        {"size": "44 इंच"},
        {"cost_paise": 20_000},
        {"stock": 10},
        {"name": "चिकनकारी कुर्ता"},
    ],
)
def test_score_rises_when_a_field_improves(improve) -> None:  # type: ignore[no-untyped-def]
    weak = Listing(name="कुर्ता", category="kurta", price_paise=50_000, stock=0,
                   photos=(GOOD,), district_code="lucknow")  # fmt: skip
    before = evaluate(weak, TODAY).score
    after = evaluate(replace(weak, **improve), TODAY).score
    assert after > before, (improve, before, after)


def test_score_stays_within_0_and_100() -> None:
    empty = Listing(name="x", category="other", price_paise=100, stock=0)
    assert 0 <= evaluate(empty, TODAY).score <= 20
    assert evaluate(strong(), TODAY).score == 100


# --- from the database ------------------------------------------------------------------------


async def test_report_from_the_database(database) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        me = await users_service.create(session, 601, "hi", Role.ARTISAN)
        me.district_code = "lucknow"
        for uid in (602, 603, 604):
            await users_service.create(session, uid, "hi", Role.ARTISAN)
        photo = [
            PhotoDraft("f", "u", "photo", {"findings": ["blurred"], "width": 1280, "height": 960})
        ]
        for uid, price in ((602, 100_000), (603, 120_000), (604, 110_000)):
            await products_service.create(session, uid, Draft("Kurta", "kurta", price, 5, photo))
        mine = await products_service.create(
            session, 601, Draft("चिकन कुर्ता", "kurta", 40_000, 0, photo)
        )
        other = await products_service.create(
            session, 601, Draft("चिकनकारी सूती कुर्ता", "kurta", 110_000, 9, photo * 1)
        )
        report = await tips.report_for(session, mine, TODAY)
        assert report.median_paise == 110_000
        assert tip_codes(report) >= {"price_low", "stock_out", "photo_blurred"}
        ranked = await tips.weakest_first(session, me, TODAY)
        assert [p.id for p, _ in ranked] == [mine.id, other.id]
        assert ranked[0][1].score < ranked[1][1].score


def tip_codes(report: tips.Report) -> set[str]:
    return {t.code for t in report.tips}
