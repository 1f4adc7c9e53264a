"""Translatable labels for product codes: sub-types (categories) and fields."""

from __future__ import annotations

from bot.i18n import N_, Translator

CATEGORY_LABELS: dict[str, str] = {
    "kurta": N_("👘 Kurta, kurti"),
    "saree": N_("🥻 Saree"),
    "dupatta": N_("🧣 Dupatta, stole"),
    "shawl": N_("🧶 Shawl"),
    "home_textile": N_("🛏️ Bedsheet, cushion cover"),
    "garment": N_("👕 Readymade garment"),
    "textile_other": N_("🧵 Other textile"),
    "carpet": N_("🟫 Carpet"),
    "durrie": N_("🟥 Durrie (dari)"),
    "carpet_other": N_("🧶 Other carpet or mat"),
    "footwear": N_("👞 Shoes, sandals, jutti"),
    "bag": N_("👜 Bag, purse"),
    "belt_wallet": N_("👛 Belt, wallet"),
    "leather_other": N_("🧳 Other leather goods"),
    "brassware": N_("🏺 Brass utensils"),
    "metal_decor": N_("🔔 Metal decor, idols, bells"),
    "lock_hardware": N_("🔒 Locks, hardware"),
    "metal_other": N_("⚙️ Other metal goods"),
    "tools_hardware": N_("🔧 Tools, fittings"),
    "engineering_other": N_("⚙️ Other engineering goods"),
    "wood_decor": N_("🪵 Carved wood decor"),
    "furniture": N_("🪑 Furniture"),
    "wood_utility": N_("📦 Boxes, trays, kitchenware"),
    "wood_other": N_("🪵 Other wood craft"),
    "diya": N_("🪔 Diya, lamp"),
    "pot_planter": N_("🏺 Pot, planter, matka"),
    "terracotta_figure": N_("🐘 Figures (horse, elephant)"),
    "clay_decor": N_("🖼️ Wall hanging, decor"),
    "clay_other": N_("🏺 Other clay craft"),
    "bangles": N_("💍 Bangles"),
    "glassware": N_("🥛 Glassware"),
    "crockery": N_("🍽️ Ceramic crockery"),
    "glass_decor": N_("🏮 Glass decor, vase"),
    "glass_other": N_("🫙 Other glass or ceramic"),
    "stone_decor": N_("🪨 Stone and marble decor"),
    "stone_idol": N_("🗿 Stone idol"),
    "stone_other": N_("🪨 Other stone craft"),
    "basket": N_("🧺 Basket"),
    "fibre_decor": N_("🌾 Decor, wall hanging"),
    "mat": N_("🟨 Mat"),
    "fibre_other": N_("🌾 Other fibre craft"),
    "sweets": N_("🍬 Sweets (petha, gur)"),
    "pickle_preserve": N_("🫙 Pickle, murabba"),
    "spices": N_("🌶️ Spices, hing"),
    "food_other": N_("🍯 Other food product"),
    "toy": N_("🧸 Toy"),
    "toys_other": N_("🪀 Other toy"),
    "paper_stationery": N_("📒 Notebook, stationery"),
    "paper_other": N_("📜 Other paper goods"),
    "attar": N_("🌸 Attar, perfume"),
    "incense": N_("🪔 Incense sticks"),
    "perfume_other": N_("🌼 Other fragrance"),
    "jewellery": N_("📿 Jewellery"),
    "accessories": N_("🎀 Accessories, bindi"),
    "jewellery_other": N_("💎 Other jewellery"),
    "sports_goods": N_("🏏 Sports goods"),
    "sports_other": N_("⚽ Other sports goods"),
    "instrument": N_("🥁 Musical instrument"),
    "musical_other": N_("🎶 Other instrument"),
    "other": N_("✨ Other product"),
}

FIELD_LABELS: dict[str, str] = {
    "name": N_("✏️ Name"),
    "category": N_("🗂️ Type"),
    "price": N_("💰 Price"),
    "stock": N_("📦 Stock"),
    "photos": N_("🖼️ Photos"),
    "description": N_("📝 Description"),
    "material": N_("🧵 Material"),
    "size": N_("📏 Size"),
    "cost": N_("🧮 Cost to make"),
}


def category_label(tr: Translator, code: str | None) -> str:
    return tr.gettext(CATEGORY_LABELS.get(code or "other", CATEGORY_LABELS["other"]))


def field_label(tr: Translator, field: str) -> str:
    return tr.gettext(FIELD_LABELS[field])
