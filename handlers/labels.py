"""Translatable labels for codes that live in data (craft groups, languages)."""

from __future__ import annotations

from bot.i18n import N_, Translator

CRAFT_GROUP_LABELS: dict[str, str] = {
    "textile": N_("🧵 Textiles, embroidery, weaving"),
    "carpet_durrie": N_("🧶 Carpets and durries"),
    "leather": N_("👞 Leather goods"),
    "metal": N_("🔔 Metal craft"),
    "engineering": N_("⚙️ Engineering goods"),
    "wood": N_("🪵 Wood craft"),
    "clay_terracotta": N_("🏺 Terracotta and pottery"),
    "glass_ceramic": N_("🫙 Glass and ceramics"),
    "stone": N_("🪨 Stone craft"),
    "bamboo_fibre_grass": N_("🌾 Moonj, bamboo and fibre"),
    "food_processing": N_("🍯 Food products"),
    "toys": N_("🧸 Toys"),
    "paper": N_("📜 Handmade paper"),
    "perfume": N_("🌸 Attar and incense"),
    "jewellery_accessories": N_("💍 Jewellery and accessories"),
    "sports": N_("🏏 Sports goods"),
    "musical_instruments": N_("🥁 Musical instruments"),
    "other": N_("✨ Other craft"),
}

# A language's own name, in its own script: shown as it is in every language.
LANGUAGE_NAMES = {"hi": "हिन्दी", "en": "English"}


def craft_group_label(tr: Translator, group: str | None) -> str:
    return tr.gettext(CRAFT_GROUP_LABELS.get(group or "other", CRAFT_GROUP_LABELS["other"]))
