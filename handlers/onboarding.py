"""Onboarding: language → name → district → craft → consent → phone → main menu.

    /start ─▶ LANGUAGE ─(lang:xx)─▶ NAME ─(text)─▶ DISTRICT ─(typed or ob:d:<code>)─▶ CRAFT
    CRAFT ─(ob:c:<i> | ob:co ▶ ob:g:<group>)─▶ CONSENT ─(ob:yes)─▶ PHONE ─(contact | skip)─▶ menu
                                                  └─(ob:no)─▶ nothing stored

The step and the draft live in the `conversations` row, so a restart (even `kill -9`)
continues where the user was. Until the user agrees in CONSENT, `/cancel` or "no thanks"
deletes everything about them.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import reference
from bot.services import conversation
from bot.services import users as users_service
from bot.services.district_match import match_district
from handlers import keyboards, menu, menu_items
from handlers.common import answer, close_buttons, say, whole_number
from handlers.flows import Flow, Step, register
from handlers.labels import CRAFT_GROUP_LABELS, craft_group_label
from models import Role

if TYPE_CHECKING:
    from bot.turn import SaathiContext
    from models import Conversation, User

FLOW = "onboarding"
LANGUAGE, NAME, DISTRICT, CRAFT, CONSENT, PHONE = (
    "language",
    "name",
    "district",
    "craft",
    "consent",
    "phone",
)


def _districts_sorted(lang: str) -> list[reference.District]:
    return sorted(reference.districts(), key=lambda d: d.name(lang))


# --- /start --------------------------------------------------------------------------------


# Features that take /start first (an officer's invite code, an admin's first visit) add a
# hook here; True = handled, onboarding does not start.
StartHook = Callable[[Update, "SaathiContext"], Awaitable[bool]]
START_HOOKS: list[StartHook] = []


async def start(update: Update, context: SaathiContext) -> None:
    """/start, or the first message of someone new."""
    for hook in START_HOOKS:
        if await hook(update, context):
            return
    user = context.user
    tg_user = update.effective_user
    assert tg_user is not None
    if user is not None and user.is_registered:
        await menu.show(update, context, greeting=True)
        return
    if user is not None:
        current = await conversation.get(context.db, user.id)
        if current is not None and current.flow == FLOW:
            await say(update, context, context.tr.gettext("Let us continue where we stopped."))
            await STEPS[current.step].prompt(update, context, current)
            return
    if user is None:
        role = Role.ADMIN if tg_user.id in context.settings.admin_ids else Role.ARTISAN
        user = await users_service.create(context.db, tg_user.id, context.tr.lang, role)
        context.turn.set_user(user)
    conv = await conversation.enter(context.db, user.id, FLOW, LANGUAGE)
    await ask_language(update, context, conv)


# --- steps: prompts ------------------------------------------------------------------------


async def ask_language(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    text = _(
        "Namaste! 🙏 I am <b>ODOP Saathi</b>, a companion for the artisans of Uttar Pradesh.\n\n"
        "Choose your language:"
    )
    await say(update, context, text, keyboards.languages(first=context.tr.lang))


async def ask_name(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    await say(
        update,
        context,
        _("What is your name? Please type it and send.\nFor example: Seema Devi"),
        ReplyKeyboardRemove(),
    )


async def ask_district(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    name = html.escape(conv.data.get("name", ""))
    text = _(
        "{name} ji, which district do you work in?\n"
        "Type the district's name, or choose it from the list."
    ).format(name=name)
    districts = _districts_sorted(context.tr.lang)
    await say(update, context, text, keyboards.district_page(context.tr, districts, 0))


async def ask_craft(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    district = reference.district(conv.data["district"])
    products = district.odop(context.tr.lang)
    text = _(
        "The ODOP product of <b>{district}</b> is <b>{product}</b>.\nWhat do you make?"
    ).format(district=html.escape(district.name(context.tr.lang)), product=html.escape(products[0]))
    buttons = [
        [InlineKeyboardButton(("✅ " if i == 0 else "") + product, callback_data=f"ob:c:{i}")]
        for i, product in enumerate(products)
    ]
    buttons.append([InlineKeyboardButton(_("🧩 Another craft"), callback_data="ob:co")])
    await say(update, context, text, InlineKeyboardMarkup(buttons))


async def ask_consent(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    text = _(
        "<b>Before we save anything, please read:</b>\n\n"
        "• <b>What we keep:</b> your name, district, craft, your mobile number if you share it, "
        "and the products and sales you record.\n"
        "• <b>Why:</b> to show your sales and give tips, and so the district ODOP office can "
        "send you notices about fairs, trainings and schemes.\n"
        "• <b>Who sees it:</b> you; your district officer sees your name and your district's "
        "totals; state admins see statewide figures.\n"
        "• You can see or delete your data at any time.\n\n"
        "Do you agree?"
    )
    buttons = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("✅ Yes, I agree"), callback_data="ob:yes")],
            [InlineKeyboardButton(_("❌ No, thanks"), callback_data="ob:no")],
        ]
    )
    await say(update, context, text, buttons)


async def ask_phone(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    text = _(
        "Would you like to share your mobile number? Your district officer can then call you "
        "about fairs and schemes.\n\n"
        "Tap “📱 Share my number” below. This is optional: you can tap “⏭️ Skip”."
    )
    await say(update, context, text, keyboards.share_phone(context.tr))


# --- steps: answers ------------------------------------------------------------------------


async def on_language_message(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await say(update, context, context.tr.gettext("Please choose a language with a button."))
    await ask_language(update, context, conv)


async def on_name(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    message = update.effective_message
    text = message.text if message else None
    if text is None:
        await say(update, context, _("Please type your name in letters and send it."))
        return
    name = users_service.clean_name(text)
    if name is None:
        await say(
            update,
            context,
            _(
                "That does not look like a name. Please send only your name, in 2 to 60 "
                "letters, for example: Seema Devi"
            ),
        )
        return
    conv = await conversation.advance(context.db, conv, DISTRICT, name=name)
    await ask_district(update, context, conv)


async def on_district_text(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    message = update.effective_message
    text = message.text if message else None
    districts = _districts_sorted(context.tr.lang)
    if not text:
        await say(
            update,
            context,
            _("Please type your district's name, or choose it from the list."),
            keyboards.district_page(context.tr, districts, 0),
        )
        return
    found = match_district(text)
    if found.district is not None:
        await _choose_district(update, context, conv, found.district)
    elif found.candidates:
        await say(
            update,
            context,
            _("Did you mean one of these?"),
            keyboards.candidates(context.tr, found.candidates),
        )
    else:
        await say(
            update,
            context,
            _(
                "I could not find that district. Please type the name again, or choose it from the list."
            ),
            keyboards.district_page(context.tr, districts, 0),
        )


async def _choose_district(
    update: Update, context: SaathiContext, conv: Conversation, district: reference.District
) -> None:
    conv = await conversation.advance(context.db, conv, CRAFT, district=district.code)
    note = context.tr.gettext("District: {district} ✅").format(
        district=html.escape(district.name(context.tr.lang))
    )
    if update.callback_query:
        await close_buttons(update, note)
    else:
        await say(update, context, note)
    await ask_craft(update, context, conv)


async def on_buttons_only(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await say(update, context, context.tr.gettext("Please choose with one of the buttons above."))
    await STEPS[conv.step].prompt(update, context, conv)


async def on_phone(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    message = update.effective_message
    assert message is not None and context.user is not None
    if message.contact is not None:
        if message.contact.user_id != context.user.id:
            await say(update, context, _("Please share your own number with the button below."))
            return
        phone = users_service.clean_phone(message.contact.phone_number)
        await _finish(update, context, phone or message.contact.phone_number[:20])
        return
    text = message.text
    if text is not None and menu_items.is_label(text, keyboards.SKIP):
        await _finish(update, context, None)
        return
    phone = users_service.clean_phone(text)
    if phone is None:
        await say(
            update,
            context,
            _(
                "That is not a 10-digit mobile number. Tap “📱 Share my number”, type the "
                "number, or tap “⏭️ Skip”."
            ),
            keyboards.share_phone(context.tr),
        )
        return
    await _finish(update, context, phone)


async def _finish(update: Update, context: SaathiContext, phone: str | None) -> None:
    user = context.user
    assert user is not None
    await users_service.finish_onboarding(context.db, user, phone)
    await conversation.leave(context.db, user.id)
    await say(
        update,
        context,
        context.tr.gettext("✅ You are registered, {name} ji. Welcome to ODOP Saathi!").format(
            name=html.escape(user.name or "")
        ),
    )
    await menu.show(update, context)


# --- buttons -------------------------------------------------------------------------------


async def on_button(update: Update, context: SaathiContext) -> None:
    """Every `ob:` button. Stale or forged buttons change nothing and say so."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.tr.gettext
    user = context.user
    conv = await conversation.get(context.db, user.id) if user else None
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    arg = parts[2] if len(parts) > 2 else ""
    expected = {
        "d": DISTRICT,
        "dp": DISTRICT,
        "c": CRAFT,
        "co": CRAFT,
        "g": CRAFT,
        "yes": CONSENT,
        "no": CONSENT,
    }.get(action)
    if conv is None or conv.flow != FLOW or expected is None or conv.step != expected:
        await answer(update, _("This button is no longer active."), alert=True)
        return

    if action == "dp":
        page = whole_number(arg, 1000) or 0
        await answer(update)
        markup = keyboards.district_page(context.tr, _districts_sorted(context.tr.lang), page)
        if query.message is not None and query.message.reply_markup != markup:
            await query.edit_message_reply_markup(markup)
        return
    if action == "d":
        district = reference.get_district(arg)
        if district is None:
            await answer(update, _("This button is no longer active."), alert=True)
            return
        await answer(update)
        await _choose_district(update, context, conv, district)
        return
    if action == "c":
        district = reference.district(conv.data["district"])
        index = whole_number(arg, len(district.odop_en) - 1)
        if index is None:
            await answer(update, _("This button is no longer active."), alert=True)
            return
        group = district.craft_group if index == 0 else "other"
        await answer(update)
        await close_buttons(
            update,
            _("Craft: {craft} ✅").format(craft=html.escape(district.odop(context.tr.lang)[index])),
        )
        conv = await conversation.advance(
            context.db, conv, CONSENT, craft_group=group, odop_index=index
        )
        await ask_consent(update, context, conv)
        return
    if action == "co":
        await answer(update)
        buttons = [
            [
                InlineKeyboardButton(
                    craft_group_label(context.tr, group), callback_data=f"ob:g:{group}"
                )
            ]
            for group in CRAFT_GROUP_LABELS
        ]
        await query.edit_message_text(
            _("Which craft do you make?"), reply_markup=InlineKeyboardMarkup(buttons)
        )
        return
    if action == "g":
        if arg not in CRAFT_GROUP_LABELS:
            await answer(update, _("This button is no longer active."), alert=True)
            return
        await answer(update)
        await close_buttons(
            update, _("Craft: {craft} ✅").format(craft=craft_group_label(context.tr, arg))
        )
        conv = await conversation.advance(
            context.db, conv, CONSENT, craft_group=arg, odop_index=None
        )
        await ask_consent(update, context, conv)
        return
    if action == "yes":
        assert user is not None
        await answer(update)
        await close_buttons(update)
        profile = users_service.Profile(
            name=conv.data["name"],
            district_code=conv.data["district"],
            craft_group=conv.data["craft_group"],
            odop_index=conv.data.get("odop_index"),
        )
        await users_service.register(context.db, user, profile)
        conv = await conversation.advance(context.db, conv, PHONE)
        await ask_phone(update, context, conv)
        return
    # action == "no"
    assert user is not None
    await answer(update)
    await close_buttons(update)
    await users_service.forget_unregistered(context.db, user.id)
    context.turn.set_user(None)
    await say(
        update,
        context,
        _(
            "All right. Nothing about you has been saved.\nWhenever you wish, send /start to begin again."
        ),
        ReplyKeyboardRemove(),
    )


async def on_cancel(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    user = context.user
    assert user is not None
    if conv.step == PHONE:
        # The user already agreed to be registered: cancelling now only skips the number.
        await _finish(update, context, None)
        return
    await users_service.forget_unregistered(context.db, user.id)
    context.turn.set_user(None)
    await say(
        update,
        context,
        _("Cancelled. Nothing about you has been saved.\nSend /start to begin again."),
        ReplyKeyboardRemove(),
    )


STEPS: dict[str, Step] = {
    LANGUAGE: Step(ask_language, on_language_message),
    NAME: Step(ask_name, on_name),
    DISTRICT: Step(ask_district, on_district_text),
    CRAFT: Step(ask_craft, on_buttons_only),
    CONSENT: Step(ask_consent, on_buttons_only),
    PHONE: Step(ask_phone, on_phone),
}

register(Flow(FLOW, STEPS, on_cancel))


async def choose_language(
    update: Update, context: SaathiContext, conv: Conversation, user: User
) -> None:
    """The language step was answered (called by the language module)."""
    conv = await conversation.advance(context.db, conv, NAME)
    await ask_name(update, context, conv)


HANDLERS = [
    CommandHandler("start", start),
    CallbackQueryHandler(on_button, pattern=r"^ob:"),
]
