"""The main menu, /menu, /help and "my details"."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import CommandHandler

from bot import reference
from bot.i18n import N_
from handlers import keyboards, menu_items
from handlers.common import say
from handlers.labels import LANGUAGE_NAMES, craft_group_label
from handlers.menu_items import MenuItem

if TYPE_CHECKING:
    from bot.turn import SaathiContext


def _role(context: SaathiContext) -> str:
    from bot.services.roles import role_of

    return role_of(context.user, context.settings.admin_ids).value


async def show(update: Update, context: SaathiContext, greeting: bool = False) -> None:
    """Send the main menu keyboard (registered users) or point to /start."""
    _ = context.tr.gettext
    user = context.user
    if user is None or not user.is_registered:
        await say(update, context, _("Please register first: send /start."))
        return
    if greeting:
        text = _("Welcome back, {name} ji! What would you like to do?").format(
            name=html.escape(user.name or "")
        )
    else:
        text = _("Main menu: choose what you would like to do.")
    await say(
        update, context, text, keyboards.main_menu(context.tr, menu_items.items(_role(context)))
    )


async def menu_command(update: Update, context: SaathiContext) -> None:
    await show(update, context)


async def help_command(update: Update, context: SaathiContext) -> None:
    _ = context.tr.gettext
    text = _(
        "<b>How to use ODOP Saathi</b>\n\n"
        "Tap the big buttons at the bottom of the screen. These commands also work:\n"
        "/menu – show the main menu\n"
        "/language – हिन्दी or English\n"
        "/cancel – stop what you are doing\n"
        "/privacy – your data: see it, get a copy, delete it\n"
        "/start – register, or come back to the start\n"
        "/help – this message"
    )
    if _role(context) != "artisan":  # officers and admins: their commands too
        from handlers.admin import staff_help

        text += "\n\n" + staff_help(context)
    user = context.user
    markup = (
        keyboards.main_menu(context.tr, menu_items.items(_role(context)))
        if user is not None and user.is_registered
        else None
    )
    await say(update, context, text, markup)


async def my_details(update: Update, context: SaathiContext) -> None:
    _ = context.tr.gettext
    user = context.user
    assert user is not None
    lang = context.tr.lang
    if user.district_code is None:  # a state admin: no district or craft
        lines = [
            _("<b>Your details</b>"),
            _("Name: {name}").format(name=html.escape(user.name or "")),
            _("Language: {language}").format(language=LANGUAGE_NAMES[user.language]),
        ]
        await say(update, context, "\n".join(lines))
        return
    district = reference.district(user.district_code)
    if user.odop_index is not None and user.odop_index < len(district.odop_en):
        craft = district.odop(lang)[user.odop_index]
    else:
        craft = craft_group_label(context.tr, user.craft_group)
    lines = [
        _("<b>Your details</b>"),
        _("Name: {name}").format(name=html.escape(user.name or "")),
        _("District: {district}").format(district=html.escape(district.name(lang))),
        _("Craft: {craft}").format(craft=html.escape(craft)),
        _("Mobile: {phone}").format(
            phone=html.escape(user.phone) if user.phone else _("not shared")
        ),
        _("Language: {language}").format(language=LANGUAGE_NAMES[user.language]),
    ]
    await say(update, context, "\n".join(lines))


menu_items.add(MenuItem("details", N_("👤 My details"), my_details, order=80))
menu_items.add(MenuItem("help", N_("❓ Help"), help_command, order=100))


HANDLERS = [
    CommandHandler("menu", menu_command),
    CommandHandler("help", help_command),
]
