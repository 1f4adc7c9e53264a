"""Listing quality: a score from 0 to 100 and a short list of concrete tips, from rules that can
be explained. No Telegram and no sentences: a tip is a code with parameters (the handlers turn
it into a sentence in the user's language), the field that fixes it, and the points it is worth.

The score (100 points):
  photos       40  count (5 or more: 15), quality (no light/blur/size problem: 10), plain
                   background (5), a close-up of the craft detail (5), one showing scale or use (5)
  title        15  a real name (3), the craft (4), the product (3), the material (3), origin (2)
  description  20  length (8), size (4), care (3), the story of the craft (3), the GI tag (2)
  price        15  the cost is known (5), at or above the floor price (5), in line with similar
                   products of other artisans (5, or free when there are too few to compare)
  stock        10  more than the low-stock threshold (10), low (5), sold out (0)
Tips come in order of the points they would add; seasonal hints (when an event is near) and the
packing advice for fragile crafts add no points but are placed by urgency.

`evaluate(listing, today)` is a pure function; `report_for(session, product, today)` gathers
what it needs from the database.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import reference
from bot.services import products as products_service
from bot.services.products import Words, fold, group_of, words_in
from models import Product, User

# --- weights ----------------------------------------------------------------------------------
PHOTO_COUNT_POINTS = (0, 5, 8, 11, 13, 15)  # by number of photos, 5 or more = 15
PHOTO_QUALITY, PHOTO_BACKGROUND, PHOTO_CLOSEUP, PHOTO_SCALE = 10, 5, 5, 5
TITLE_NAME, TITLE_CRAFT, TITLE_PRODUCT, TITLE_MATERIAL, TITLE_ORIGIN = 3, 4, 3, 3, 2
DESC_LENGTH, DESC_SIZE, DESC_CARE, DESC_STORY, DESC_GI = 8, 4, 3, 3, 2
PRICE_COST, PRICE_FLOOR, PRICE_MARKET = 5, 5, 5
STOCK_OK, STOCK_LOW = 10, 5
GOOD_PHOTO_COUNT = 5
DESC_GOOD, DESC_FAIR = 150, 60  # characters

# --- marketplace facts ------------------------------------------------------------------------
#: Marketplace titles: Amazon India allows up to 200 characters but shows about 80; Flipkart and
#: ODOP Mart cut around 100. The suggested title stays within this.
TITLE_MAX = 100
MAX_KEYWORDS = 5

# --- the floor price: cost + marketplace fee + shipping + packaging ---------------------------
#: Commission plus payment and closing fees on Indian marketplaces: about 15% for handicrafts.
MARKETPLACE_FEE_PCT = 15
#: A typical courier charge for a small parcel inside India, and packing material.
SHIPPING_PAISE = 70_00
PACKAGING_PAISE = 20_00
FRAGILE_PACKAGING_PAISE = 50_00

# --- comparing with other artisans ------------------------------------------------------------
MIN_SIMILAR = 3  # fewer similar products than this: no comparison
PRICE_LOW, PRICE_HIGH = 0.6, 1.6  # below 60% or above 160% of the median is worth a look

FRAGILE_GROUPS = frozenset({"clay_terracotta", "glass_ceramic"})

_CARE_WORDS = (
    "धो", "धुल", "साफ", "देखभाल", "ड्राई क्लीन", "पॉलिश", "पोंछ", "धूप",
    "wash", "clean", "care", "dry", "polish", "wipe", "iron", "store",
)  # fmt: skip
_STORY_WORDS = (
    "हाथ", "हस्त", "कारीगर", "पीढ़", "परंपरा", "परम्परा", "पारंपरिक", "सदियों", "साल", "वर्ष",
    "परिवार", "विरासत", "कहानी", "गाँव", "गांव",
    "hand", "artisan", "generation", "tradition", "heritage", "years", "family", "century",
    "centuries", "story", "village", "crafted",
)  # fmt: skip
_GI_WORDS = ("gi tag", "gi-tag", "g.i", "जीआई", "geographical indication", "भौगोलिक संकेत")

# Festival dates (the main day) for the seasonal hints; years not listed get no such hint.
DIWALI = {
    2025: date(2025, 10, 20), 2026: date(2026, 11, 8), 2027: date(2027, 10, 29),
    2028: date(2028, 10, 17), 2029: date(2029, 11, 5), 2030: date(2030, 10, 26),
}  # fmt: skip
HOLI = {
    2025: date(2025, 3, 14), 2026: date(2026, 3, 4), 2027: date(2027, 3, 22),
    2028: date(2028, 3, 11), 2029: date(2029, 3, 1), 2030: date(2030, 3, 20),
}  # fmt: skip
RAKHI = {
    2025: date(2025, 8, 9), 2026: date(2026, 8, 28), 2027: date(2027, 8, 17),
    2028: date(2028, 8, 5), 2029: date(2029, 8, 23), 2030: date(2030, 8, 13),
}  # fmt: skip


# --- inputs and outputs -----------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoFacts:
    findings: tuple[str, ...] = ()
    kind: str = "photo"  # photo | document (sent "as a file")
    long_side: int = 0

    @classmethod
    def of_checks(cls, checks: dict[str, Any], kind: str = "photo") -> PhotoFacts:
        width, height = int(checks.get("width") or 0), int(checks.get("height") or 0)
        return cls(tuple(checks.get("findings") or ()), kind, max(width, height))


@dataclass(frozen=True)
class Listing:
    name: str
    category: str
    price_paise: int
    stock: int
    photos: tuple[PhotoFacts, ...] = ()
    description: str | None = None
    material: str | None = None
    size: str | None = None
    cost_paise: int | None = None
    low_stock_threshold: int = 2
    photo_answers: dict[str, Any] = field(default_factory=dict)
    district_code: str | None = None
    similar_prices: tuple[int, ...] = ()  # the same sub-type, by other artisans

    @property
    def group(self) -> str:
        return group_of(self.category)


@dataclass(frozen=True)
class Tip:
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    fix: str | None = None  # the field that fixes it (see FIXES), or None (advice only)
    gain: int = 0  # points the score would gain
    urgency: int = 0  # for advice with no points: how soon it matters (sorts like points)

    @property
    def weight(self) -> int:
        return self.gain or self.urgency


#: What a tip's `fix` can be: a product field to edit, photos to add, or a question to answer.
FIXES = (
    "photos", "closeup", "scale", "name", "category", "description", "material", "size",
    "price", "cost", "stock",
)  # fmt: skip


@dataclass(frozen=True)
class Title:
    text: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    score: int
    parts: dict[str, int]
    tips: tuple[Tip, ...]
    title: Title
    gi: reference.GICraft | None = None
    floor_paise: int | None = None
    median_paise: int | None = None

    def top(self, n: int = 3) -> tuple[Tip, ...]:
        return self.tips[:n]

    @property
    def first_fix(self) -> Tip | None:
        """The most valuable tip that a field edit (or a photo, or an answer) fixes."""
        return next((t for t in self.tips if t.fix is not None), None)


# --- helpers the rules use (also tested on their own) -----------------------------------------


def is_fragile(group: str, district_code: str | None) -> bool:
    """Terracotta, glass, ceramics, black pottery; or the district's fragile ODOP craft."""
    if group in FRAGILE_GROUPS:
        return True
    district = reference.get_district(district_code)
    return district is not None and district.fragile and district.craft_group == group


def floor_price_paise(
    cost_paise: int,
    *,
    fee_pct: int = MARKETPLACE_FEE_PCT,
    shipping_paise: int = SHIPPING_PAISE,
    packaging_paise: int = PACKAGING_PAISE,
) -> int:
    """The lowest price that still pays the cost once the marketplace fee (a share of the
    price), shipping and packing are paid: (cost + shipping + packing) / (1 − fee), rounded up
    to a whole rupee."""
    if not 0 <= fee_pct < 100:
        raise ValueError("fee_pct must be from 0 to 99")
    needed = (cost_paise + shipping_paise + packaging_paise) * 100
    paise = -(-needed // (100 - fee_pct))
    return -(-paise // 100) * 100


def packaging_paise(group: str, district_code: str | None) -> int:
    return FRAGILE_PACKAGING_PAISE if is_fragile(group, district_code) else PACKAGING_PAISE


def median_price(prices: Sequence[int]) -> int | None:
    if len(prices) < MIN_SIMILAR:
        return None
    return int(statistics.median(prices))


def _stems_match(a: str, b: str) -> bool:
    return len(a) >= 4 and len(b) >= 4 and (a.startswith(b) or b.startswith(a))


_GI_GROUP_CATEGORIES = {
    "textile": ("textile",),
    "carpet_durrie": ("textile",),
    "food_processing": ("food", "agricultural"),
}


def _stems(text: str) -> set[str]:
    return {w.strip("()&,.") for w in text.casefold().replace("-", " ").split()} - {""}


def gi_for(district_code: str | None, group: str, words: Words) -> reference.GICraft | None:
    """The GI-tagged craft of the district that this product is, if one can tell.

    Candidates: the district's GI crafts of a matching kind (textile, food, or handicraft and
    manufactured goods for the rest). Each scores 2 for every word it shares (by stem: "chikan"
    ~ "chikankari") with the product's craft, product and material words, and 1 for every word
    shared with the district's ODOP product when the product is of that craft group. The best
    wins if the product's own words matched, or if it is the only candidate that matched at
    all; a tie gives None (better no GI tip than a wrong one).
    """
    district = reference.get_district(district_code)
    if district is None:
        return None
    kinds = _GI_GROUP_CATEGORIES.get(group, ("handicraft", "manufactured"))
    candidates = [g for g in reference.gi_crafts_for(district.code) if g.category in kinds]
    own = {w for phrase in (*words.craft, *words.product, *words.material) for w in _stems(phrase)}
    odop = _stems(district.odop_en[0]) if group == district.craft_group else set()
    scored = []
    for gi in candidates:
        gi_words = _stems(gi.name_en) - _stems(district.name_en)
        mine = sum(1 for a in own for b in gi_words if _stems_match(a, b))
        theirs = sum(1 for a in odop for b in gi_words if _stems_match(a, b))
        if mine or theirs:
            scored.append((2 * mine + theirs, mine, gi))
    if not scored:
        return None
    scored.sort(key=lambda item: -item[0])
    best, own_hits, gi = scored[0]
    if len(scored) > 1 and (scored[1][0] == best or not own_hits):
        return None
    return gi


def _mentions(text: str | None, needles: Sequence[str]) -> bool:
    if not text:
        return False
    folded = fold(text)
    return any(fold(n) in folded for n in needles)


_SMALL = {"for", "and", "with", "of", "in", "the", "a", "on"}


def _title_case(text: str) -> str:
    out = []
    for i, word in enumerate(text.split()):
        out.append(word if i and word in _SMALL else word[:1].upper() + word[1:])
    return " ".join(out)


def _category_noun(category: str) -> str | None:
    return products_service.CATEGORY_NOUNS.get(category)


def build_title(
    name: str,
    category: str,
    material: str | None,
    district_code: str | None,
    description: str | None = None,
    gi: reference.GICraft | None = None,
) -> Title:
    """An English marketplace title and up to 5 search keywords, from Hindi or English inputs.

    Origin + craft + colour + material + product (+ the English words of the name the dictionary
    does not know) + "Handmade", within TITLE_MAX characters.
    """
    words = words_in(name, material)
    desc_words = words_in(description)
    district = reference.get_district(district_code)
    origin = district.name_en if district else None
    craft = words.craft or desc_words.craft[:1]
    product = words.product[:1] or ((_category_noun(category),) if _category_noun(category) else ())
    material_words = tuple(m for m in words.material if m not in " ".join(craft))
    used = {
        w for phrase in (*craft, *product, *material_words, *words.attr) for w in phrase.split()
    }
    extra = tuple(w for w in words.other_latin if w not in used and w != (origin or "").casefold())
    head = [p for p in (origin, *craft, *words.attr, *material_words, *product) if p]
    title = _title_case(" ".join(head + list(extra)))
    if len(title) > TITLE_MAX:
        title = _title_case(" ".join(head))
    if len(title) + len(" – Handmade") <= TITLE_MAX:
        title += " – Handmade"
    if len(title) > TITLE_MAX:
        title = title[:TITLE_MAX].rsplit(" ", 1)[0]

    p = product[0] if product else None
    c = craft[0] if craft else None
    m = material_words[0] if material_words else None
    o = origin.casefold() if origin else None
    keywords = [
        f"{c} {p}" if c and p else None,
        f"{o} {c}" if o and c else (f"{o} {p}" if o and p else None),
        f"{m} {p}" if m and p else None,
        f"handmade {p}" if p else None,
        gi.name_en.casefold() if gi else (f"{words.attr[0]} {p}" if words.attr and p else None),
        f"{c}" if c else None,
    ]
    unique = tuple(dict.fromkeys(k for k in keywords if k))
    return Title(title, unique[:MAX_KEYWORDS])


# --- the seasons ------------------------------------------------------------------------------

_DIWALI_GROUPS = frozenset(
    {"clay_terracotta", "glass_ceramic", "metal", "wood", "toys", "perfume", "food_processing",
     "stone", "other", "paper", "bamboo_fibre_grass"}
)  # fmt: skip
_WEDDING_GROUPS = frozenset({"textile", "jewellery_accessories"})
_WEDDING_CATEGORIES = frozenset({"saree", "footwear", "brassware", "dupatta", "kurta", "jewellery"})
_WINTER_CATEGORIES = frozenset({"shawl", "carpet", "durrie", "home_textile"})
_HOLI_GROUPS = frozenset({"food_processing", "perfume"})
_RAKHI_GROUPS = frozenset({"jewellery_accessories", "food_processing"})
LEAD_DAYS = 45  # list festival goods this long before: buyers order two to four weeks ahead


def _next_event(table: dict[int, date], today: date) -> date | None:
    for year in (today.year, today.year + 1):
        day = table.get(year)
        if day is not None and day >= today:
            return day
    return None


def _wedding_season(today: date) -> tuple[date, date] | None:
    """The wedding season we are in or that starts within LEAD_DAYS: mid-Oct–Feb, Apr–Jun."""
    y = today.year
    seasons = [
        (date(y - 1, 10, 15), date(y, 2, 28)),
        (date(y, 4, 1), date(y, 6, 30)),
        (date(y, 10, 15), date(y + 1, 2, 28)),
    ]
    for start, end in seasons:
        if start - timedelta(days=LEAD_DAYS) <= today <= end:
            return start, end
    return None


def seasonal_hint(group: str, category: str, today: date) -> Tip | None:
    """One hint at most: a season that matters for this very product type (diyas and Diwali,
    shawls and winter) before one that matters for its craft group; the nearest first."""
    found: list[tuple[bool, int, Tip]] = []  # (for this type, days away, tip)

    def festival(code: str, table: dict[int, date], specific: bool) -> None:
        day = _next_event(table, today)
        if day is not None and (day - today).days <= LEAD_DAYS:
            days = (day - today).days
            tip = Tip(f"season_{code}", {"date": day, "days": days}, urgency=_urgency(days))
            found.append((specific, days, tip))

    if group in _DIWALI_GROUPS or category == "diya":
        festival("diwali", DIWALI, category == "diya")
    if group in _HOLI_GROUPS:
        festival("holi", HOLI, False)
    if group in _RAKHI_GROUPS:
        festival("rakhi", RAKHI, False)
    if group in _WEDDING_GROUPS or category in _WEDDING_CATEGORIES:
        season = _wedding_season(today)
        if season is not None:
            start, end = season
            days = max(0, (start - today).days)
            tip = Tip("season_wedding", {"start": start, "end": end, "days": days}, urgency=3)
            found.append((category in _WEDDING_CATEGORIES, days, tip))
    if category in _WINTER_CATEGORIES and (today.month >= 9 or today.month <= 1):
        found.append((True, 0, Tip("season_winter", {}, urgency=3)))
    if not found:
        return None
    return min(found, key=lambda item: (not item[0], item[1]))[2]


def _urgency(days: int) -> int:
    return 9 if days <= 30 else 4


# --- the rules --------------------------------------------------------------------------------


def _photo_rules(listing: Listing) -> tuple[dict[str, int], list[Tip]]:
    tips: list[Tip] = []
    photos = listing.photos
    n = len(photos)
    count_points = PHOTO_COUNT_POINTS[min(n, GOOD_PHOTO_COUNT)]
    if n < GOOD_PHOTO_COUNT:
        tips.append(
            Tip(
                "photos_few",
                {"count": n, "want": GOOD_PHOTO_COUNT},
                "photos",
                PHOTO_COUNT_POINTS[GOOD_PHOTO_COUNT] - count_points,
            )
        )
    problems = ("too_dark", "too_bright", "blurred", "low_resolution")
    bad = [i for i, p in enumerate(photos, 1) if any(f in problems for f in p.findings)]
    quality = round(PHOTO_QUALITY * (n - len(bad)) / n) if n else 0
    share = round(PHOTO_QUALITY / n) if n else 0
    for finding, code in (
        ("blurred", "photo_blurred"),
        ("too_dark", "photo_dark"),
        ("too_bright", "photo_bright"),
        ("low_resolution", "photo_small"),
    ):
        which = [i for i, p in enumerate(photos, 1) if finding in p.findings]
        if not which:
            continue
        params: dict[str, Any] = {"photos": which}
        if finding == "low_resolution":
            # A photo sent as a photo may have been shrunk by Telegram; a file keeps its size.
            params["as_file"] = any(photos[i - 1].kind == "photo" for i in which)
        tips.append(Tip(code, params, "photos", share * len(which)))
    busy = [i for i, p in enumerate(photos, 1) if "busy_background" in p.findings]
    background = PHOTO_BACKGROUND if n and not busy else 0
    if busy:
        tips.append(Tip("photo_busy", {"photos": busy}, "photos", PHOTO_BACKGROUND))
    answers = listing.photo_answers or {}
    closeup = PHOTO_CLOSEUP if answers.get("closeup") is True else 0
    scale = PHOTO_SCALE if answers.get("scale") is True else 0
    if n:
        if answers.get("closeup") is None:
            tips.append(Tip("ask_closeup", {}, "closeup", PHOTO_CLOSEUP))
        elif answers.get("closeup") is False:
            tips.append(Tip("photo_closeup", {}, "photos", PHOTO_CLOSEUP))
        if answers.get("scale") is None:
            tips.append(Tip("ask_scale", {}, "scale", PHOTO_SCALE))
        elif answers.get("scale") is False:
            tips.append(Tip("photo_scale", {}, "photos", PHOTO_SCALE))
    return {"photos": count_points + quality + background + closeup + scale}, tips


def _title_rules(listing: Listing, words: Words) -> tuple[dict[str, int], list[Tip]]:
    tips: list[Tip] = []
    points = 0
    if len(listing.name.split()) >= 2 and len(listing.name) >= 8:
        points += TITLE_NAME
    else:
        tips.append(Tip("title_short", {}, "name", TITLE_NAME))
    if words.craft:
        points += TITLE_CRAFT
    else:
        tips.append(Tip("title_craft", {}, "name", TITLE_CRAFT))
    if words.product or _category_noun(listing.category):
        points += TITLE_PRODUCT
    else:
        tips.append(Tip("title_product", {}, "name", TITLE_PRODUCT))
    if listing.material or words.material:
        points += TITLE_MATERIAL
    else:
        tips.append(Tip("title_material", {}, "material", TITLE_MATERIAL))
    if reference.get_district(listing.district_code) is not None:
        points += TITLE_ORIGIN
    return {"title": points}, tips


def _description_rules(
    listing: Listing, gi: reference.GICraft | None
) -> tuple[dict[str, int], list[Tip]]:
    tips: list[Tip] = []
    text = listing.description or ""
    length = len(text)
    if length >= DESC_GOOD:
        points = DESC_LENGTH
    elif length >= DESC_FAIR:
        points = 5
    elif length:
        points = 2
    else:
        points = 0
    if points < DESC_LENGTH:
        tips.append(
            Tip(
                "desc_missing" if not length else "desc_short",
                {"length": length, "want": DESC_GOOD},
                "description",
                DESC_LENGTH - points,
            )
        )
    if listing.size:
        points += DESC_SIZE
    else:
        tips.append(Tip("desc_size", {}, "size", DESC_SIZE))
    if _mentions(text, _CARE_WORDS):
        points += DESC_CARE
    else:
        tips.append(Tip("desc_care", {}, "description", DESC_CARE))
    if _mentions(text, _STORY_WORDS):
        points += DESC_STORY
    else:
        tips.append(Tip("desc_story", {}, "description", DESC_STORY))
    if gi is None or _mentions(text, (*_GI_WORDS, gi.name_en, gi.name_hi)):
        points += DESC_GI
    else:
        tips.append(
            Tip("desc_gi", {"gi_en": gi.name_en, "gi_hi": gi.name_hi}, "description", DESC_GI)
        )
    return {"description": points}, tips


def _price_rules(
    listing: Listing, floor: int | None, median: int | None
) -> tuple[dict[str, int], list[Tip]]:
    tips: list[Tip] = []
    points = 0
    pack = packaging_paise(listing.group, listing.district_code)
    if listing.cost_paise is None:
        tips.append(Tip("cost_unknown", {}, "cost", PRICE_COST + PRICE_FLOOR))
    else:
        points += PRICE_COST
        assert floor is not None
        if listing.price_paise >= floor:
            points += PRICE_FLOOR
        else:
            tips.append(
                Tip(
                    "price_below_floor",
                    {
                        "floor": floor,
                        "cost": listing.cost_paise,
                        "fee_pct": MARKETPLACE_FEE_PCT,
                        "shipping": SHIPPING_PAISE,
                        "packaging": pack,
                    },
                    "price",
                    PRICE_FLOOR,
                )
            )
    if median is None:
        points += PRICE_MARKET
    else:
        params = {"median": median, "count": len(listing.similar_prices)}
        if listing.price_paise < PRICE_LOW * median:
            tips.append(Tip("price_low", params, "price", PRICE_MARKET))
        elif listing.price_paise > PRICE_HIGH * median:
            tips.append(Tip("price_high", params, "price", PRICE_MARKET))
        else:
            points += PRICE_MARKET
    return {"price": points}, tips


def _stock_rules(listing: Listing) -> tuple[dict[str, int], list[Tip]]:
    if listing.stock <= 0:
        return {"stock": 0}, [Tip("stock_out", {}, "stock", STOCK_OK)]
    if listing.stock <= listing.low_stock_threshold:
        return {"stock": STOCK_LOW}, [
            Tip("stock_low", {"stock": listing.stock}, "stock", STOCK_OK - STOCK_LOW)
        ]
    return {"stock": STOCK_OK}, []


def evaluate(listing: Listing, today: date) -> Report:
    words = words_in(listing.name, listing.material)
    gi = gi_for(
        listing.district_code,
        listing.group,
        words_in(listing.name, listing.material, listing.description),
    )
    floor = (
        floor_price_paise(
            listing.cost_paise,
            packaging_paise=packaging_paise(listing.group, listing.district_code),
        )
        if listing.cost_paise is not None
        else None
    )
    median = median_price(listing.similar_prices)
    parts: dict[str, int] = {}
    tips: list[Tip] = []
    for rule_parts, rule_tips in (
        _photo_rules(listing),
        _title_rules(listing, words),
        _description_rules(listing, gi),
        _price_rules(listing, floor, median),
        _stock_rules(listing),
    ):
        parts.update(rule_parts)
        tips.extend(rule_tips)
    if is_fragile(listing.group, listing.district_code):
        tips.append(Tip("packaging_fragile", {}, urgency=1))
    season = seasonal_hint(listing.group, listing.category, today)
    if season is not None:
        tips.append(season)
    order = {code: i for i, code in enumerate(_TIE_ORDER)}
    tips.sort(key=lambda t: (-t.weight, order.get(t.code, len(order))))
    title = build_title(
        listing.name, listing.category, listing.material, listing.district_code,
        listing.description, gi,
    )  # fmt: skip
    score = max(0, min(100, sum(parts.values())))
    return Report(score, parts, tuple(tips), title, gi, floor, median)


# Among tips worth the same points: what a buyer notices first comes first.
_TIE_ORDER = (
    "photos_few", "stock_out", "cost_unknown", "photo_blurred", "photo_dark", "photo_bright",
    "photo_small", "photo_busy", "price_below_floor", "desc_missing", "ask_closeup",
    "photo_closeup", "ask_scale", "photo_scale", "price_low", "price_high", "desc_short",
    "title_craft", "stock_low", "desc_size", "title_material", "title_product", "title_short",
    "desc_care", "desc_story", "desc_gi",
)  # fmt: skip


# --- from the database ------------------------------------------------------------------------


async def listing_of(session: AsyncSession, product: Product, user: User | None = None) -> Listing:
    assert product.id is not None
    owner = (
        user
        if user is not None and user.id == product.user_id
        else await session.get(User, product.user_id)
    )
    photos = await products_service.photos_of(session, product.id)
    similar = await products_service.similar_prices(session, product.category, product.user_id)
    return Listing(
        name=product.name,
        category=product.category,
        price_paise=product.price_paise,
        stock=product.stock,
        photos=tuple(PhotoFacts.of_checks(p.checks, p.kind) for p in photos),
        description=product.description,
        material=product.material,
        size=product.size,
        cost_paise=product.cost_paise,
        low_stock_threshold=product.low_stock_threshold,
        photo_answers=dict(product.photo_answers or {}),
        district_code=owner.district_code if owner else None,
        similar_prices=tuple(similar),
    )


async def report_for(
    session: AsyncSession, product: Product, today: date, user: User | None = None
) -> Report:
    return evaluate(await listing_of(session, product, user), today)


async def weakest_first(
    session: AsyncSession, user: User, today: date
) -> list[tuple[Product, Report]]:
    """The user's listed products with their reports, the lowest score first."""
    found = [
        (product, await report_for(session, product, today, user))
        for product in await products_service.active(session, user.id)
    ]
    found.sort(key=lambda pr: (pr[1].score, pr[0].id or 0))
    return found
