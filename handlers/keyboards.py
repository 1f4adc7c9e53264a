"""Keyboards, built from plain values and the user's translator. Callback data stays short."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.i18n import N_, Translator
from bot.reference import District
from handlers.labels import LANGUAGE_NAMES
from handlers.menu_items import MenuItem

DISTRICTS_PER_PAGE = 12
SKIP = N_("⏭️ Skip")


def rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def languages(first: str) -> InlineKeyboardMarkup:
    order = sorted(LANGUAGE_NAMES, key=lambda code: code != first)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=f"lang:{code}")
                for code in order
            ]
        ]
    )


def district_page(
    tr: Translator, districts: Sequence[District], page: int, prefix: str = "ob"
) -> InlineKeyboardMarkup:
    pages = max(1, -(-len(districts) // DISTRICTS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    chunk = districts[page * DISTRICTS_PER_PAGE : (page + 1) * DISTRICTS_PER_PAGE]
    buttons = [
        InlineKeyboardButton(d.name(tr.lang), callback_data=f"{prefix}:d:{d.code}") for d in chunk
    ]
    keyboard = rows(buttons, 2)
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀️", callback_data=f"{prefix}:dp:{page - 1}"))
    nav.append(InlineKeyboardButton(f"{page + 1}/{pages}", callback_data=f"{prefix}:dp:{page}"))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("▶️", callback_data=f"{prefix}:dp:{page + 1}"))
    keyboard.append(nav)
    return InlineKeyboardMarkup(keyboard)


def candidates(
    tr: Translator, districts: Iterable[District], prefix: str = "ob"
) -> InlineKeyboardMarkup:
    keyboard = [
        [InlineKeyboardButton(d.name(tr.lang), callback_data=f"{prefix}:d:{d.code}")]
        for d in districts
    ]
    keyboard.append(
        [InlineKeyboardButton(tr.gettext("📋 Show the list"), callback_data=f"{prefix}:dp:0")]
    )
    return InlineKeyboardMarkup(keyboard)


def main_menu(tr: Translator, items: Sequence[MenuItem]) -> ReplyKeyboardMarkup:
    labels = [KeyboardButton(tr.gettext(item.label)) for item in items]
    return ReplyKeyboardMarkup(
        [labels[i : i + 2] for i in range(0, len(labels), 2)],
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=tr.gettext("Tap a button or type here"),
    )


def share_phone(tr: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(tr.gettext("📱 Share my number"), request_contact=True)],
            [KeyboardButton(tr.gettext(SKIP))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
