"""Products: the sub-types of each craft, input checks, the draft of a new product, and the
artisan's own products (create, read, page, edit, photos, archive, delete).

No Telegram and no gettext here: errors are short codes the handlers translate. Every read of a
product by id goes through `get_own`, which checks that it belongs to the user asking.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import reference
from bot.numbers import (
    PriceParse,
    normalize_digits,
    parse_number,
    parse_price_paise,
    parse_quantity,
)
from models import Product, ProductPhoto, User
from models.types import utcnow

# --- sub-types per craft group ----------------------------------------------------------------
# A product's `category` is one of these codes; its craft group follows from it. The first of a
# group is the most common; the last is "something else" of that craft.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "textile": ("kurta", "saree", "dupatta", "shawl", "home_textile", "garment", "textile_other"),
    "carpet_durrie": ("carpet", "durrie", "carpet_other"),
    "leather": ("footwear", "bag", "belt_wallet", "leather_other"),
    "metal": ("brassware", "metal_decor", "lock_hardware", "metal_other"),
    "engineering": ("tools_hardware", "engineering_other"),
    "wood": ("wood_decor", "furniture", "wood_utility", "wood_other"),
    "clay_terracotta": ("diya", "pot_planter", "terracotta_figure", "clay_decor", "clay_other"),
    "glass_ceramic": ("bangles", "glassware", "crockery", "glass_decor", "glass_other"),
    "stone": ("stone_decor", "stone_idol", "stone_other"),
    "bamboo_fibre_grass": ("basket", "fibre_decor", "mat", "fibre_other"),
    "food_processing": ("sweets", "pickle_preserve", "spices", "food_other"),
    "toys": ("toy", "toys_other"),
    "paper": ("paper_stationery", "paper_other"),
    "perfume": ("attar", "incense", "perfume_other"),
    "jewellery_accessories": ("jewellery", "accessories", "jewellery_other"),
    "sports": ("sports_goods", "sports_other"),
    "musical_instruments": ("instrument", "musical_other"),
    "other": ("other",),
}
CATEGORY_GROUP: dict[str, str] = {
    code: group for group, codes in CATEGORIES.items() for code in codes
}

# --- limits -----------------------------------------------------------------------------------
NAME_MIN, NAME_MAX = 3, 80
DESCRIPTION_MAX = 1000
DETAIL_MAX = 80  # material, size
MAX_PHOTOS = 10
#: Cheaper than ₹1 or dearer than ₹10 lakh is a typing slip for one handmade piece.
MIN_PRICE_PAISE = 100
MAX_PRICE_PAISE = 10_00_000 * 100
MAX_STOCK = 100_000
PER_PAGE = 5

TEXT_FIELDS = ("name", "description", "material", "size")
#: Fields an artisan can edit on a saved product (photos and category have their own screens).
EDITABLE = ("name", "category", "price", "stock", "description", "material", "size", "cost")


def group_of(category: str | None) -> str:
    return CATEGORY_GROUP.get(category or "", "other")


def categories_for(group: str | None) -> tuple[str, ...]:
    return CATEGORIES.get(group or "other", CATEGORIES["other"])


# An ODOP product other than a district's first one (the user picked it by index): its group,
# from words in its English name. The first match wins, so "Wooden Toys" are toys.
_ODOP_GROUP_WORDS: tuple[tuple[str, str], ...] = (
    ("toy", "toys"),
    ("carpet", "carpet_durrie"),
    ("dari", "carpet_durrie"),
    ("durr", "carpet_durrie"),
    ("leather", "leather"),
    ("shoe", "leather"),
    ("footwear", "leather"),
    ("garment", "textile"),
    ("textile", "textile"),
    ("saree", "textile"),
    ("zardozi", "textile"),
    ("hosiery", "textile"),
    ("furnishing", "textile"),
    ("bedsheet", "textile"),
    ("poshak", "textile"),
    ("handloom", "textile"),
    ("patchwork", "textile"),
    ("printing", "textile"),
    ("brass", "metal"),
    ("metal", "metal"),
    ("aluminium", "metal"),
    ("lock", "metal"),
    ("ghungroo", "metal"),
    ("wood", "wood"),
    ("furniture", "wood"),
    ("tarkashi", "wood"),
    ("terracotta", "clay_terracotta"),
    ("pottery", "clay_terracotta"),
    ("glass", "glass_ceramic"),
    ("ceramic", "glass_ceramic"),
    ("stone", "stone"),
    ("marble", "stone"),
    ("moonj", "bamboo_fibre_grass"),
    ("bamboo", "bamboo_fibre_grass"),
    ("fibre", "bamboo_fibre_grass"),
    ("jute", "bamboo_fibre_grass"),
    ("wheat", "bamboo_fibre_grass"),
    ("perfume", "perfume"),
    ("incense", "perfume"),
    ("meenakari", "jewellery_accessories"),
    ("bindi", "jewellery_accessories"),
    ("goldsmith", "jewellery_accessories"),
    ("sports", "sports"),
    ("musical", "musical_instruments"),
    ("flute", "musical_instruments"),
    ("paper", "paper"),
    ("engineering", "engineering"),
    ("sanitary", "engineering"),
    ("implements", "engineering"),
    ("iron", "engineering"),
    ("rims", "engineering"),
    ("food", "food_processing"),
    ("petha", "food_processing"),
    ("jaggery", "food_processing"),
    ("sattu", "food_processing"),
    ("chicory", "food_processing"),
    ("mentha", "food_processing"),
    ("rice", "food_processing"),
    ("aonla", "food_processing"),
    ("hing", "food_processing"),
    ("ghee", "food_processing"),
)


def craft_group_of_user(user: User) -> str:
    """The craft group of what the user makes: their district's ODOP craft, or the one chosen."""
    district = reference.get_district(user.district_code)
    if district is not None and user.odop_index is not None:
        if user.odop_index == 0:
            return district.craft_group
        if user.odop_index < len(district.odop_en):
            name = district.odop_en[user.odop_index].casefold()
            for word, group in _ODOP_GROUP_WORDS:
                if word in name:
                    return group
    return user.craft_group if user.craft_group in CATEGORIES else "other"


# --- words: a small dictionary of craft words, Hindi (and Hinglish) → English -----------------
# kind: craft (the technique or tradition), product, material, attr (colour, style).
# `category` names the sub-type a product word points to.


@dataclass(frozen=True)
class Word:
    en: str
    kind: str
    category: str | None = None


_W = Word
CRAFT_WORDS: dict[str, Word] = {
    # crafts and techniques
    "चिकनकारी": _W("chikankari", "craft"),
    "चिकन": _W("chikankari", "craft"),
    "chikan": _W("chikankari", "craft"),
    "chikankari": _W("chikankari", "craft"),
    "ज़रदोज़ी": _W("zardozi", "craft"),
    "जरदोजी": _W("zardozi", "craft"),
    "zardozi": _W("zardozi", "craft"),
    "ज़री": _W("zari", "craft"),
    "zari": _W("zari", "craft"),
    "बनारसी": _W("banarasi", "craft"),
    "banarasi": _W("banarasi", "craft"),
    "टेराकोटा": _W("terracotta", "craft"),
    "terracotta": _W("terracotta", "craft"),
    "मीनाकारी": _W("meenakari", "craft"),
    "meenakari": _W("meenakari", "craft"),
    "तारकशी": _W("tarkashi", "craft"),
    "tarkashi": _W("tarkashi", "craft"),
    "नक्काशी": _W("hand carved", "craft"),
    "नक़्क़ाशी": _W("hand carved", "craft"),
    "carved": _W("hand carved", "craft"),
    "कढ़ाई": _W("hand embroidered", "craft"),
    "कढ़ाईदार": _W("hand embroidered", "craft"),
    "embroidered": _W("hand embroidered", "craft"),
    "हथकरघा": _W("handloom", "craft"),
    "handloom": _W("handloom", "craft"),
    "छपाई": _W("hand block print", "craft"),
    "ब्लॉक": _W("hand block print", "craft"),
    "मूंज": _W("moonj", "craft"),
    "मूँज": _W("moonj", "craft"),
    "moonj": _W("moonj", "craft"),
    "पैचवर्क": _W("patchwork", "craft"),
    "patchwork": _W("patchwork", "craft"),
    "ब्लैक पॉटरी": _W("black pottery", "craft"),
    "काली मिट्टी": _W("black pottery", "craft"),
    "गुलाबी मीनाकारी": _W("gulabi meenakari", "craft"),
    # products
    "कुर्ता": _W("kurta", "product", "kurta"),
    "कुर्ते": _W("kurta", "product", "kurta"),
    "kurta": _W("kurta", "product", "kurta"),
    "कुर्ती": _W("kurti", "product", "kurta"),
    "kurti": _W("kurti", "product", "kurta"),
    "साड़ी": _W("saree", "product", "saree"),
    "साडी": _W("saree", "product", "saree"),
    "saree": _W("saree", "product", "saree"),
    "sari": _W("saree", "product", "saree"),
    "दुपट्टा": _W("dupatta", "product", "dupatta"),
    "dupatta": _W("dupatta", "product", "dupatta"),
    "स्टोल": _W("stole", "product", "dupatta"),
    "stole": _W("stole", "product", "dupatta"),
    "शॉल": _W("shawl", "product", "shawl"),
    "शाल": _W("shawl", "product", "shawl"),
    "shawl": _W("shawl", "product", "shawl"),
    "चादर": _W("bedsheet", "product", "home_textile"),
    "बेडशीट": _W("bedsheet", "product", "home_textile"),
    "bedsheet": _W("bedsheet", "product", "home_textile"),
    "कुशन": _W("cushion cover", "product", "home_textile"),
    "cushion": _W("cushion cover", "product", "home_textile"),
    "कालीन": _W("carpet", "product", "carpet"),
    "carpet": _W("carpet", "product", "carpet"),
    "दरी": _W("durrie", "product", "durrie"),
    "durrie": _W("durrie", "product", "durrie"),
    "dari": _W("durrie", "product", "durrie"),
    "जूते": _W("shoes", "product", "footwear"),
    "जूता": _W("shoes", "product", "footwear"),
    "shoes": _W("shoes", "product", "footwear"),
    "जूती": _W("jutti", "product", "footwear"),
    "चप्पल": _W("sandals", "product", "footwear"),
    "बैग": _W("bag", "product", "bag"),
    "थैला": _W("bag", "product", "bag"),
    "bag": _W("bag", "product", "bag"),
    "पर्स": _W("purse", "product", "bag"),
    "बटुआ": _W("wallet", "product", "belt_wallet"),
    "wallet": _W("wallet", "product", "belt_wallet"),
    "बेल्ट": _W("belt", "product", "belt_wallet"),
    "ताला": _W("lock", "product", "lock_hardware"),
    "lock": _W("lock", "product", "lock_hardware"),
    "दीया": _W("diya", "product", "diya"),
    "दिया": _W("diya", "product", "diya"),
    "दीये": _W("diya", "product", "diya"),
    "दिये": _W("diya", "product", "diya"),
    "दीपक": _W("diya", "product", "diya"),
    "diya": _W("diya", "product", "diya"),
    "diyas": _W("diya", "product", "diya"),
    "गमला": _W("planter", "product", "pot_planter"),
    "planter": _W("planter", "product", "pot_planter"),
    "घड़ा": _W("pot", "product", "pot_planter"),
    "मटका": _W("matka", "product", "pot_planter"),
    "pot": _W("pot", "product", "pot_planter"),
    "हाथी": _W("elephant", "product", "terracotta_figure"),
    "घोड़ा": _W("horse", "product", "terracotta_figure"),
    "figurine": _W("figurine", "product", "terracotta_figure"),
    "मूर्ति": _W("idol", "product"),
    "idol": _W("idol", "product"),
    "फूलदान": _W("vase", "product", "glass_decor"),
    "vase": _W("vase", "product"),
    "चूड़ी": _W("bangles", "product", "bangles"),
    "चूड़ियाँ": _W("bangles", "product", "bangles"),
    "चूड़ियां": _W("bangles", "product", "bangles"),
    "bangles": _W("bangles", "product", "bangles"),
    "टोकरी": _W("basket", "product", "basket"),
    "basket": _W("basket", "product", "basket"),
    "चटाई": _W("mat", "product", "mat"),
    "खिलौना": _W("toy", "product", "toy"),
    "खिलौने": _W("toys", "product", "toy"),
    "toy": _W("toy", "product", "toy"),
    "इत्र": _W("attar", "product", "attar"),
    "attar": _W("attar", "product", "attar"),
    "अगरबत्ती": _W("incense sticks", "product", "incense"),
    "बांसुरी": _W("flute", "product", "instrument"),
    "बाँसुरी": _W("flute", "product", "instrument"),
    "ढोलक": _W("dholak", "product", "instrument"),
    "थाली": _W("thali", "product", "brassware"),
    "कटोरी": _W("bowl", "product"),
    "लोटा": _W("lota", "product", "brassware"),
    "गिलास": _W("tumbler", "product"),
    "डिब्बा": _W("box", "product", "wood_utility"),
    "box": _W("box", "product"),
    "मेज़": _W("table", "product", "furniture"),
    "मेज": _W("table", "product", "furniture"),
    "कुर्सी": _W("chair", "product", "furniture"),
    "पेठा": _W("petha", "product", "sweets"),
    "अचार": _W("pickle", "product", "pickle_preserve"),
    "गुड़": _W("jaggery", "product", "sweets"),
    "वॉल हैंगिंग": _W("wall hanging", "product"),
    # materials
    "सूती": _W("cotton", "material"),
    "कॉटन": _W("cotton", "material"),
    "cotton": _W("cotton", "material"),
    "रेशम": _W("silk", "material"),
    "रेशमी": _W("silk", "material"),
    "सिल्क": _W("silk", "material"),
    "silk": _W("silk", "material"),
    "जॉर्जेट": _W("georgette", "material"),
    "georgette": _W("georgette", "material"),
    "शिफॉन": _W("chiffon", "material"),
    "chiffon": _W("chiffon", "material"),
    "मलमल": _W("mulmul", "material"),
    "खादी": _W("khadi", "material"),
    "khadi": _W("khadi", "material"),
    "लिनन": _W("linen", "material"),
    "linen": _W("linen", "material"),
    "ऊन": _W("wool", "material"),
    "ऊनी": _W("woollen", "material"),
    "wool": _W("wool", "material"),
    "मिट्टी": _W("clay", "material"),
    "clay": _W("clay", "material"),
    "पीतल": _W("brass", "material"),
    "brass": _W("brass", "material"),
    "तांबा": _W("copper", "material"),
    "तांबे": _W("copper", "material"),
    "copper": _W("copper", "material"),
    "चांदी": _W("silver", "material"),
    "चाँदी": _W("silver", "material"),
    "silver": _W("silver", "material"),
    "लकड़ी": _W("wooden", "material"),
    "wood": _W("wooden", "material"),
    "wooden": _W("wooden", "material"),
    "शीशम": _W("sheesham wood", "material"),
    "sheesham": _W("sheesham wood", "material"),
    "चमड़ा": _W("leather", "material"),
    "चमड़े": _W("leather", "material"),
    "leather": _W("leather", "material"),
    "कांच": _W("glass", "material"),
    "काँच": _W("glass", "material"),
    "glass": _W("glass", "material"),
    "बांस": _W("bamboo", "material"),
    "बाँस": _W("bamboo", "material"),
    "bamboo": _W("bamboo", "material"),
    "जूट": _W("jute", "material"),
    "jute": _W("jute", "material"),
    "पत्थर": _W("stone", "material"),
    "stone": _W("stone", "material"),
    "संगमरमर": _W("marble", "material"),
    "marble": _W("marble", "material"),
    "सिरेमिक": _W("ceramic", "material"),
    "ceramic": _W("ceramic", "material"),
    # colours
    "सफ़ेद": _W("white", "attr"),
    "सफेद": _W("white", "attr"),
    "white": _W("white", "attr"),
    "लाल": _W("red", "attr"),
    "red": _W("red", "attr"),
    "नीला": _W("blue", "attr"),
    "नीली": _W("blue", "attr"),
    "blue": _W("blue", "attr"),
    "हरा": _W("green", "attr"),
    "हरी": _W("green", "attr"),
    "green": _W("green", "attr"),
    "पीला": _W("yellow", "attr"),
    "पीली": _W("yellow", "attr"),
    "yellow": _W("yellow", "attr"),
    "काला": _W("black", "attr"),
    "काली": _W("black", "attr"),
    "black": _W("black", "attr"),
    "गुलाबी": _W("pink", "attr"),
    "pink": _W("pink", "attr"),
}


def fold(text: str) -> str:
    """Lower-case and fold Devanagari spelling variants (nukta, chandrabindu) for matching."""
    text = unicodedata.normalize("NFD", text.casefold()).replace("\u093c", "")
    return unicodedata.normalize("NFC", text).replace("ँ", "ं")


# The English words themselves are known too ("horse", "vase", "brass"…).
_FOLDED: dict[str, Word] = {
    **{fold(w.en): w for w in CRAFT_WORDS.values() if " " not in w.en},
    **{fold(k): v for k, v in CRAFT_WORDS.items()},
}

#: The English noun of a sub-type, for titles when the name does not say what the product is.
CATEGORY_NOUNS: dict[str, str] = {
    "kurta": "kurta", "saree": "saree", "dupatta": "dupatta", "shawl": "shawl",
    "home_textile": "home furnishing", "garment": "garment", "carpet": "carpet",
    "durrie": "durrie", "footwear": "footwear", "bag": "bag", "belt_wallet": "wallet",
    "brassware": "brassware", "metal_decor": "metal decor", "lock_hardware": "lock",
    "tools_hardware": "hardware", "wood_decor": "wooden decor", "furniture": "furniture",
    "wood_utility": "wooden box", "diya": "diya", "pot_planter": "planter",
    "terracotta_figure": "figurine", "clay_decor": "wall decor", "bangles": "bangles",
    "glassware": "glassware", "crockery": "crockery", "glass_decor": "glass decor",
    "stone_decor": "stone decor", "stone_idol": "stone idol", "basket": "basket",
    "fibre_decor": "wall hanging", "mat": "mat", "sweets": "sweets", "pickle_preserve": "pickle",
    "spices": "spices", "toy": "toy", "paper_stationery": "notebook", "attar": "attar",
    "incense": "incense sticks", "jewellery": "jewellery", "accessories": "accessories",
    "sports_goods": "sports goods", "instrument": "musical instrument",
}  # fmt: skip
_PHRASES = sorted((k for k in _FOLDED if " " in k), key=len, reverse=True)
_TOKEN = re.compile(r"[a-z]+|[\u0900-\u097f\u200c\u200d]+")


@dataclass(frozen=True)
class Words:
    """What a piece of text says, in English words from the dictionary (in order)."""

    craft: tuple[str, ...] = ()
    product: tuple[str, ...] = ()
    material: tuple[str, ...] = ()
    attr: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    other_latin: tuple[str, ...] = ()  # English words the dictionary does not know, kept as typed


def words_in(*texts: str | None) -> Words:
    found: dict[str, list[str]] = {"craft": [], "product": [], "material": [], "attr": []}
    categories: list[str] = []
    other: list[str] = []
    for text in texts:
        if not text:
            continue
        folded = fold(text)
        for phrase in _PHRASES:
            if phrase in folded:
                word = _FOLDED[phrase]
                found[word.kind].append(word.en)
                if word.category:
                    categories.append(word.category)
                folded = folded.replace(phrase, " ")
        for token in _TOKEN.findall(folded):
            word = _FOLDED.get(token)
            if word is None and token.endswith("s") and token[:-1] in _FOLDED:
                word = _FOLDED[token[:-1]]
            if word is not None:
                found[word.kind].append(word.en)
                if word.category:
                    categories.append(word.category)
            elif token.isascii() and len(token) > 1:
                other.append(token)
    return Words(
        craft=_unique(found["craft"]),
        product=_unique(found["product"]),
        material=_unique(found["material"]),
        attr=_unique(found["attr"]),
        categories=_unique(categories),
        other_latin=_unique(other),
    )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def guess_category(name: str, group: str) -> str | None:
    """A sub-type of `group` that the product's name points to ("चिकन कुर्ता" → kurta)."""
    allowed = categories_for(group)
    for category in words_in(name).categories:
        if category in allowed:
            return category
    return None


# --- input checks (codes, not sentences) ------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _tidy(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch == "\n")
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    return "\n".join(line for line in lines if line)


def clean_name(text: str | None) -> Checked:
    name = " ".join(_tidy(text).split())
    if not name:
        return Checked(error="empty")
    if name.startswith("/"):
        return Checked(error="command")
    if sum(ch.isalpha() for ch in name) < 2 or len(name) < NAME_MIN:
        return Checked(error="too_short")
    if len(name) > NAME_MAX:
        return Checked(error="too_long")
    return Checked(name)


def clean_detail(text: str | None, max_len: int = DETAIL_MAX) -> Checked:
    """Material, size: one line of free text."""
    value = " ".join(_tidy(text).split())
    if not value:
        return Checked(error="empty")
    if len(value) > max_len:
        return Checked(error="too_long")
    return Checked(value)


def clean_description(text: str | None) -> Checked:
    value = _tidy(text)
    if not value:
        return Checked(error="empty")
    if len(value) > DESCRIPTION_MAX:
        return Checked(error="too_long")
    return Checked(value)


#: Price errors: those of bot.numbers.parse_price_paise, and "too_small" (below ₹1).
def parse_price(text: str | None) -> PriceParse:
    result = parse_price_paise(text or "", max_paise=MAX_PRICE_PAISE)
    if result.paise is not None and result.paise < MIN_PRICE_PAISE:
        return PriceParse(None, "too_small")
    return result


_ZERO_WORDS = {"nil", "none", "zero", "khatam", "खत्म", "ख़त्म", "नहीं", "कोई नहीं", "शून्य"}


def parse_stock(text: str | None) -> Checked:
    """How many pieces are ready: a whole number from 0 (sold out) to MAX_STOCK."""
    if not text or not text.strip():
        return Checked(error="empty")
    folded = " ".join(text.casefold().split())
    if folded in _ZERO_WORDS or parse_number(folded) == 0:
        return Checked(0)
    value = parse_quantity(text)
    if value is None:
        number = parse_number(normalize_digits(folded))
        if number is not None and number < 0:
            return Checked(error="negative")
        if number is not None and number != number.to_integral_value():
            return Checked(error="fraction")
        if number is not None and number > MAX_STOCK:
            return Checked(error="too_large")
        return Checked(error="not_a_number")
    if value > MAX_STOCK:
        return Checked(error="too_large")
    return Checked(value)


# --- the draft of a new product (kept in the conversation row) --------------------------------


@dataclass
class PhotoDraft:
    file_id: str
    file_unique_id: str
    kind: str = "photo"  # photo | document
    checks: dict[str, Any] = field(default_factory=dict)
    preview_file_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "kind": self.kind,
            "checks": self.checks,
            "preview_file_id": self.preview_file_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PhotoDraft:
        return cls(
            file_id=str(data["file_id"]),
            file_unique_id=str(data["file_unique_id"]),
            kind=str(data.get("kind") or "photo"),
            checks=dict(data.get("checks") or {}),
            preview_file_id=data.get("preview_file_id"),
        )

    @classmethod
    def of(cls, photo: ProductPhoto) -> PhotoDraft:
        return cls(
            photo.file_id, photo.file_unique_id, photo.kind, photo.checks, photo.preview_file_id
        )


@dataclass
class Draft:
    name: str
    category: str
    price_paise: int
    stock: int
    photos: list[PhotoDraft]
    description: str | None = None
    material: str | None = None
    size: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        return cls(
            name=str(data["name"]),
            category=str(data["category"]),
            price_paise=int(data["price"]),
            stock=int(data["stock"]),
            photos=[PhotoDraft.from_json(p) for p in data.get("photos", [])],
            description=data.get("description"),
            material=data.get("material"),
            size=data.get("size"),
        )


def add_photo_to_list(photos: list[dict[str, Any]], photo: PhotoDraft) -> str:
    """Append to a draft's photo list in place: "added", "duplicate" or "full"."""
    if any(p.get("file_unique_id") == photo.file_unique_id for p in photos):
        return "duplicate"
    if len(photos) >= MAX_PHOTOS:
        return "full"
    photos.append(photo.to_json())
    return "added"


# --- products in the database -----------------------------------------------------------------


async def create(session: AsyncSession, user_id: int, draft: Draft) -> Product:
    if not draft.photos:
        raise ValueError("a product needs at least one photo")
    product = Product(
        user_id=user_id,
        name=draft.name,
        category=draft.category,
        price_paise=draft.price_paise,
        stock=draft.stock,
        description=draft.description,
        material=draft.material,
        size=draft.size,
    )
    session.add(product)
    await session.flush()
    for position, photo in enumerate(draft.photos[:MAX_PHOTOS]):
        session.add(_photo_row(product, photo, position))
    await session.flush()
    return product


def _photo_row(product: Product, photo: PhotoDraft, position: int) -> ProductPhoto:
    assert product.id is not None
    return ProductPhoto(
        product_id=product.id,
        file_id=photo.file_id,
        file_unique_id=photo.file_unique_id,
        kind=photo.kind,
        preview_file_id=photo.preview_file_id,
        position=position,
        checks=photo.checks,
    )


async def get_own(
    session: AsyncSession, user_id: int, product_id: int | str | None
) -> Product | None:
    """The product with this id if it belongs to `user_id`; None for anyone else's or unknown.

    Ids come back from buttons (callback data), which a client can forge: never skip this.
    """
    try:
        pid = int(str(product_id))
    except ValueError:
        return None
    if not 0 < pid < 2**31:
        return None
    product = await session.get(Product, pid)
    if product is None or product.user_id != user_id:
        return None
    return product


@dataclass(frozen=True)
class Page:
    items: Sequence[Product]
    page: int
    pages: int
    total: int


async def page_of(
    session: AsyncSession,
    user_id: int,
    page: int = 0,
    *,
    archived: bool = False,
    per_page: int = PER_PAGE,
) -> Page:
    """The user's products, newest first, `per_page` at a time (page numbers from 0)."""
    where = (col(Product.user_id) == user_id, col(Product.archived).is_(archived))
    total = (await session.exec(select(func.count()).select_from(Product).where(*where))).one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 0), pages - 1)
    result = await session.exec(
        select(Product)
        .where(*where)
        .order_by(col(Product.created_at).desc(), col(Product.id).desc())
        .offset(page * per_page)
        .limit(per_page)
    )
    return Page(result.all(), page, pages, int(total))


async def active(session: AsyncSession, user_id: int) -> list[Product]:
    result = await session.exec(
        select(Product)
        .where(col(Product.user_id) == user_id, col(Product.archived).is_(False))
        .order_by(col(Product.id))
    )
    return list(result.all())


async def count(session: AsyncSession, user_id: int, *, archived: bool = False) -> int:
    result = await session.exec(
        select(func.count())
        .select_from(Product)
        .where(col(Product.user_id) == user_id, col(Product.archived).is_(archived))
    )
    return int(result.one())


async def photos_of(session: AsyncSession, product_id: int) -> list[ProductPhoto]:
    result = await session.exec(
        select(ProductPhoto)
        .where(col(ProductPhoto.product_id) == product_id)
        .order_by(col(ProductPhoto.position), col(ProductPhoto.id))
    )
    return list(result.all())


async def first_photo(session: AsyncSession, product_id: int) -> ProductPhoto | None:
    photos = await photos_of(session, product_id)
    return photos[0] if photos else None


def _touch(session: AsyncSession, product: Product) -> None:
    product.updated_at = utcnow()
    session.add(product)


async def update(session: AsyncSession, product: Product, field_name: str, value: Any) -> None:
    """Set one field (already checked by the clean_*/parse_* functions above)."""
    column = {"price": "price_paise", "cost": "cost_paise"}.get(field_name, field_name)
    if field_name not in EDITABLE:
        raise ValueError(f"not an editable field: {field_name}")
    if field_name == "category" and value not in CATEGORY_GROUP:
        raise ValueError(f"unknown category {value!r}")
    setattr(product, column, value)
    _touch(session, product)
    await session.flush()


async def add_photo(session: AsyncSession, product: Product, photo: PhotoDraft) -> str:
    """Add a photo to a saved product: "added", "duplicate" or "full"."""
    assert product.id is not None
    photos = await photos_of(session, product.id)
    if any(p.file_unique_id == photo.file_unique_id for p in photos):
        return "duplicate"
    if len(photos) >= MAX_PHOTOS:
        return "full"
    position = max((p.position for p in photos), default=-1) + 1
    session.add(_photo_row(product, photo, position))
    _touch(session, product)
    await session.flush()
    return "added"


async def set_preview(session: AsyncSession, photo: ProductPhoto, preview_file_id: str) -> None:
    photo.preview_file_id = preview_file_id
    session.add(photo)
    await session.flush()


async def remove_photo(session: AsyncSession, product: Product, photo_id: int | str) -> str:
    """ "removed", "last" (a product keeps at least one photo) or "not_found"."""
    assert product.id is not None
    photos = await photos_of(session, product.id)
    target = next((p for p in photos if str(p.id) == str(photo_id)), None)
    if target is None:
        return "not_found"
    if len(photos) == 1:
        return "last"
    await session.delete(target)
    for position, photo in enumerate(p for p in photos if p is not target):
        photo.position = position
        session.add(photo)
    _touch(session, product)
    await session.flush()
    return "removed"


async def make_cover(session: AsyncSession, product: Product, photo_id: int | str) -> bool:
    """Move a photo to the front (the one cards and marketplaces show first)."""
    assert product.id is not None
    photos = await photos_of(session, product.id)
    target = next((p for p in photos if str(p.id) == str(photo_id)), None)
    if target is None:
        return False
    ordered = [target] + [p for p in photos if p is not target]
    for position, photo in enumerate(ordered):
        photo.position = position
        session.add(photo)
    _touch(session, product)
    await session.flush()
    return True


async def set_photo_answer(session: AsyncSession, product: Product, key: str, value: bool) -> None:
    product.photo_answers = {**(product.photo_answers or {}), key: value}
    _touch(session, product)
    await session.flush()


async def set_archived(session: AsyncSession, product: Product, archived: bool) -> None:
    product.archived = archived
    _touch(session, product)
    await session.flush()


async def delete(session: AsyncSession, product: Product) -> None:
    """Delete a product and its photos (sales that named it keep their figures)."""
    await session.delete(product)
    await session.flush()


async def similar_prices(session: AsyncSession, category: str, exclude_user_id: int) -> list[int]:
    """Prices of the same sub-type by other artisans (listed, not archived)."""
    result = await session.exec(
        select(Product.price_paise).where(
            col(Product.category) == category,
            col(Product.user_id) != exclude_user_id,
            col(Product.archived).is_(False),
        )
    )
    return [int(p) for p in result.all()]
