"""Product services: sub-types, the craft dictionary, input checks, and the artisan's own
products on the real database (ownership, pages, photos, archive, delete)."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot import reference
from bot.services import products as ps
from bot.services import users as users_service
from bot.services.products import Draft, PhotoDraft
from handlers.product_labels import CATEGORY_LABELS
from models import Product, ProductPhoto, Role, User

# --- sub-types and the craft of a user --------------------------------------------------------


def test_every_craft_group_has_sub_types_with_labels() -> None:
    assert set(ps.CATEGORIES) == set(reference.CRAFT_GROUPS)
    codes = [code for codes in ps.CATEGORIES.values() for code in codes]
    assert len(codes) == len(set(codes)), "sub-type codes are unique across groups"
    assert set(codes) == set(CATEGORY_LABELS)
    assert all(len(f"p:c:2147483647:cat:{code}".encode()) <= 64 for code in codes)
    for group, codes_of_group in ps.CATEGORIES.items():
        assert all(ps.group_of(code) == group for code in codes_of_group)
    assert ps.group_of("nonsense") == "other"


def user(district: str | None, index: int | None, group: str | None = None) -> User:
    return User(id=1, district_code=district, odop_index=index, craft_group=group)


@pytest.mark.parametrize(
    ("district", "index", "group", "expected"),
    [
        ("lucknow", 0, "textile", "textile"),
        ("gorakhpur", 0, "clay_terracotta", "clay_terracotta"),
        ("gorakhpur", 1, "other", "textile"),  # Readymade Garments
        ("varanasi", 1, "other", "jewellery_accessories"),  # Gulabi Meenakari
        ("varanasi", 2, "other", "toys"),  # Wooden Toys: toys, not wood
        ("agra", 2, "other", "food_processing"),  # Petha
        ("agra", 3, "other", "leather"),  # Footwear
        ("mirzapur", 1, "other", "metal"),  # Brass Utensils
        ("firozabad", 1, "other", "food_processing"),
        ("lucknow", None, "wood", "wood"),  # "another craft": the group chosen
        (None, None, None, "other"),
    ],
)
def test_craft_group_of_user(district, index, group, expected) -> None:  # type: ignore[no-untyped-def]
    assert ps.craft_group_of_user(user(district, index, group)) == expected


def test_every_odop_product_maps_to_a_craft_group() -> None:
    for district in reference.districts():
        for index in range(len(district.odop_en)):
            group = ps.craft_group_of_user(user(district.code, index, "other"))
            assert group in ps.CATEGORIES, (district.code, index)


# --- words ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "group", "expected"),
    [
        ("चिकन कुर्ता", "textile", "kurta"),
        ("चिकनकारी सूती कुर्ती", "textile", "kurta"),
        ("Banarasi silk saree", "textile", "saree"),
        ("बनारसी साडी", "textile", "saree"),
        ("Terracotta diya set", "clay_terracotta", "diya"),
        ("मिट्टी का दीया", "clay_terracotta", "diya"),
        ("टेराकोटा घोड़ा", "clay_terracotta", "terracotta_figure"),
        ("पीतल का लोटा", "metal", "brassware"),
        ("कांच की चूड़ियाँ", "glass_ceramic", "bangles"),
        ("moonj basket", "bamboo_fibre_grass", "basket"),
        ("मिट्टी का दीया", "textile", None),  # not a textile sub-type
        ("Rose design", "textile", None),
    ],
)
def test_guess_category(name: str, group: str, expected: str | None) -> None:
    assert ps.guess_category(name, group) == expected


def test_words_in_hindi_english_and_spelling_variants() -> None:
    words = ps.words_in("चिकनकारी सफ़ेद सूती कुर्ता")
    assert words.craft == ("chikankari",) and words.product == ("kurta",)
    assert words.material == ("cotton",) and words.attr == ("white",)
    # nukta and chandrabindu variants are the same word
    assert ps.words_in("जरदोजी").craft == ps.words_in("ज़रदोज़ी").craft == ("zardozi",)
    assert ps.words_in("चूडियां").product == ps.words_in("चूड़ियाँ").product == ("bangles",)
    # English words are known too; unknown English words are kept for the title
    english = ps.words_in("Hand embroidered chikan kurta for women")
    assert "chikankari" in english.craft and english.product == ("kurta",)
    assert english.other_latin == ("hand", "for", "women")
    assert ps.words_in("काली मिट्टी का फूलदान").craft == ("black pottery",)
    assert ps.words_in(None, "") == ps.Words()


# --- input checks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "error"),
    [
        ("  चिकनकारी   सूती कुर्ता ", "चिकनकारी सूती कुर्ता", None),
        ("Terracotta diya set", "Terracotta diya set", None),
        ("", None, "empty"),
        ("   ", None, "empty"),
        ("क", None, "too_short"),
        ("12345", None, "too_short"),
        ("क" * 81, None, "too_long"),
        ("/start", None, "command"),
        ("line\nbreak", "line break", None),
    ],
)
def test_clean_name(text: str, value: str | None, error: str | None) -> None:
    checked = ps.clean_name(text)
    assert (checked.value, checked.error) == (value, error)


@pytest.mark.parametrize(
    ("text", "paise", "error"),
    [
        ("450", 45_000, None),
        ("४५०", 45_000, None),
        ("₹1,200", 120_000, None),
        ("1200 rs", 120_000, None),
        ("1200/-", 120_000, None),
        ("1.5 हज़ार", 150_000, None),
        ("डेढ़ हज़ार", 150_000, None),
        ("1.5 lakh", 15_000_000, None),
        ("10 lakh", 100_000_000, None),
        ("0", None, "zero"),
        ("-5", None, "negative"),
        ("0.50", None, "too_small"),
        ("11 lakh", None, "too_large"),
        ("2 crore", None, "too_large"),
        ("abc", None, "not_a_number"),
        ("99.505", None, "too_many_decimals"),
        ("", None, "empty"),
    ],
)
def test_parse_price_for_a_product(text: str, paise: int | None, error: str | None) -> None:
    result = ps.parse_price(text)
    assert (result.paise, result.error) == (paise, error)


@pytest.mark.parametrize(
    ("text", "value", "error"),
    [
        ("10", 10, None),
        ("१२", 12, None),
        ("दस", 10, None),
        ("3 pcs", 3, None),
        ("5 पीस", 5, None),
        ("0", 0, None),  # sold out for now
        ("०", 0, None),
        ("शून्य", 0, None),
        ("nil", 0, None),
        ("-1", None, "negative"),
        ("2.5", None, "fraction"),
        ("2 lakh", None, "too_large"),
        ("abc", None, "not_a_number"),
        ("", None, "empty"),
    ],
)
def test_parse_stock(text: str, value: int | None, error: str | None) -> None:
    checked = ps.parse_stock(text)
    assert (checked.value, checked.error) == (value, error)


def test_clean_description_and_details() -> None:
    assert ps.clean_description("  हाथ से बना।\n\n\nधीरे धोएँ।  ").value == "हाथ से बना।\nधीरे धोएँ।"
    assert ps.clean_description("x" * 1001).error == "too_long"
    assert ps.clean_description(" ").error == "empty"
    assert ps.clean_detail(" 44   inch ").value == "44 inch"
    assert ps.clean_detail("x" * 81).error == "too_long"
    assert ps.clean_detail("a\x00b").value == "ab"


def test_draft_photo_list() -> None:
    photos: list[dict] = []
    first = PhotoDraft("f1", "u1", "photo", {"findings": []})
    assert ps.add_photo_to_list(photos, first) == "added"
    assert ps.add_photo_to_list(photos, first) == "duplicate"
    for i in range(2, 11):
        assert ps.add_photo_to_list(photos, PhotoDraft(f"f{i}", f"u{i}")) == "added"
    assert ps.add_photo_to_list(photos, PhotoDraft("f11", "u11")) == "full"
    assert len(photos) == ps.MAX_PHOTOS
    assert PhotoDraft.from_json(photos[0]) == first


# --- on the database --------------------------------------------------------------------------


async def make_user(session, uid: int) -> User:  # type: ignore[no-untyped-def]
    return await users_service.create(session, uid, "hi", Role.ARTISAN)


def draft(name: str = "चिकन कुर्ता", photos: int = 2, **kw) -> Draft:  # type: ignore[no-untyped-def]
    values = {"category": "kurta", "price_paise": 120_000, "stock": 5}
    values.update(kw)
    return Draft(
        name=name,
        photos=[
            PhotoDraft(f"file{i}", f"uniq{i}", "photo", {"findings": []}) for i in range(photos)
        ],
        **values,
    )


async def test_create_and_read_only_ones_own(database) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        await make_user(session, 501)
        await make_user(session, 502)
        product = await ps.create(session, 501, draft(material="सूती", size="M"))
        pid = product.id
    async with database.session() as session:
        mine = await ps.get_own(session, 501, pid)
        assert mine is not None and mine.material == "सूती" and mine.low_stock_threshold == 2
        assert [p.position for p in await ps.photos_of(session, pid)] == [0, 1]
        assert await ps.get_own(session, 502, pid) is None  # someone else's
        assert await ps.get_own(session, 501, str(pid)) is not None
        for forged in ("abc", "", None, "-1", "0", str(2**40), "1e3"):
            assert await ps.get_own(session, 501, forged) is None
        with pytest.raises(ValueError, match="photo"):
            await ps.create(session, 501, draft(photos=0))


async def test_pages_newest_first_and_archived_apart(database) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        await make_user(session, 503)
        ids = [(await ps.create(session, 503, draft(f"Kurta {i}"))).id for i in range(7)]
        await ps.set_archived(session, await ps.get_own(session, 503, ids[3]), True)  # type: ignore[arg-type]
    async with database.session() as session:
        first = await ps.page_of(session, 503, 0)
        assert (first.page, first.pages, first.total) == (0, 2, 6)
        assert [p.name for p in first.items] == [
            "Kurta 6",
            "Kurta 5",
            "Kurta 4",
            "Kurta 2",
            "Kurta 1",
        ]
        second = await ps.page_of(session, 503, 1)
        assert [p.name for p in second.items] == ["Kurta 0"]
        assert (await ps.page_of(session, 503, 99)).page == 1  # clamped
        archived = await ps.page_of(session, 503, 0, archived=True)
        assert [p.name for p in archived.items] == ["Kurta 3"]
        assert (
            await ps.count(session, 503) == 6 and await ps.count(session, 503, archived=True) == 1
        )
        empty = await ps.page_of(session, 999, 0)
        assert (empty.total, empty.pages, list(empty.items)) == (0, 1, [])
        assert [p.id for p in await ps.active(session, 503)] == [i for i in ids if i != ids[3]]


async def test_update_fields(database) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        await make_user(session, 504)
        product = await ps.create(session, 504, draft())
        before = product.updated_at
        await ps.update(session, product, "price", 150_000)
        await ps.update(session, product, "cost", 60_000)
        await ps.update(session, product, "category", "dupatta")
        await ps.update(session, product, "description", "हाथ से बना")
        assert (product.price_paise, product.cost_paise, product.category) == (
            150_000,
            60_000,
            "dupatta",
        )
        assert product.updated_at >= before
        with pytest.raises(ValueError):
            await ps.update(session, product, "user_id", 1)
        with pytest.raises(ValueError):
            await ps.update(session, product, "category", "spaceship")


async def test_photos_add_remove_cover(database) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        await make_user(session, 505)
        product = await ps.create(session, 505, draft(photos=1))
        assert await ps.add_photo(session, product, PhotoDraft("file0", "uniq0")) == "duplicate"
        for i in range(1, 10):
            assert await ps.add_photo(session, product, PhotoDraft(f"f{i}", f"n{i}")) == "added"
        assert await ps.add_photo(session, product, PhotoDraft("f10", "n10")) == "full"
        photos = await ps.photos_of(session, product.id)
        assert len(photos) == 10 and [p.position for p in photos] == list(range(10))
        assert await ps.remove_photo(session, product, photos[0].id) == "removed"
        assert await ps.remove_photo(session, product, 10**9) == "not_found"
        photos = await ps.photos_of(session, product.id)
        assert [p.position for p in photos] == list(range(9))
        assert await ps.make_cover(session, product, photos[4].id)
        assert (await ps.photos_of(session, product.id))[0].id == photos[4].id
        for photo in (await ps.photos_of(session, product.id))[1:]:
            assert await ps.remove_photo(session, product, photo.id) == "removed"
        [last] = await ps.photos_of(session, product.id)
        assert await ps.remove_photo(session, product, last.id) == "last"


async def test_photo_answers_and_archive(database) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        await make_user(session, 506)
        product = await ps.create(session, 506, draft())
        await ps.set_photo_answer(session, product, "closeup", True)
        await ps.set_photo_answer(session, product, "scale", False)
        await ps.set_archived(session, product, True)
        pid = product.id
    async with database.session() as session:
        product = await ps.get_own(session, 506, pid)
        assert product is not None and product.archived
        assert product.photo_answers == {"closeup": True, "scale": False}


async def test_delete_takes_the_photos_and_a_user_takes_the_products(database) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        await make_user(session, 507)
        first = await ps.create(session, 507, draft("one"))
        second = await ps.create(session, 507, draft("two"))
        await ps.delete(session, first)
        second_id = second.id
    async with database.session() as session:
        photos = (await session.exec(select(ProductPhoto))).all()
        assert {p.product_id for p in photos} == {second_id}
        await session.delete(await session.get(User, 507))
    async with database.session() as session:
        assert (await session.exec(select(Product).where(col(Product.user_id) == 507))).all() == []
        assert (await session.exec(select(ProductPhoto))).all() == []


async def test_similar_prices_are_other_artisans_listed_ones(database) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        for uid in (508, 509, 510):
            await make_user(session, uid)
        await ps.create(session, 508, draft(price_paise=100_000))
        await ps.create(session, 509, draft(price_paise=90_000))
        await ps.create(session, 509, draft(price_paise=80_000, category="saree"))
        gone = await ps.create(session, 510, draft(price_paise=5_000))
        await ps.set_archived(session, gone, True)
        await ps.create(session, 510, draft(price_paise=110_000))
        assert sorted(await ps.similar_prices(session, "kurta", 508)) == [90_000, 110_000]
        assert sorted(await ps.similar_prices(session, "kurta", 999)) == [90_000, 100_000, 110_000]
