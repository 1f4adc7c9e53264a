"""/privacy, /mydata and /deleteme: what is stored, a copy of it, and erasing it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.i18n import N_
from bot.services import privacy
from handlers import menu_items
from handlers.common import answer, close_buttons, say
from handlers.menu_items import MenuItem

if TYPE_CHECKING:
    from bot.turn import SaathiContext

PRIVATE = filters.ChatType.PRIVATE


async def privacy_command(update: Update, context: SaathiContext) -> None:
    _ = context.tr.gettext
    text = _(
        "<b>Your data and privacy</b>\n\n"
        "<b>What is stored:</b> your name, district, craft, language, your mobile number if you "
        "shared it, your products with their photos, and the sales you record.\n"
        "<b>Why:</b> to show your sales and give tips, and so the district ODOP office can send "
        "you notices.\n"
        "<b>Who sees it:</b> you; your district officer sees your name and your district's "
        "totals; state admins see statewide figures and exports with phone numbers.\n"
        "<b>For how long:</b> until you delete it. If you stop registration half-way, what you "
        "typed is deleted after 30 days.\n\n"
        "/mydata – get a file with everything stored about you\n"
        "/deleteme – delete your data"
    )
    await say(update, context, text)


async def mydata_command(update: Update, context: SaathiContext) -> None:
    _ = context.tr.gettext
    user = context.user
    data = await privacy.export(context.db, user.id) if user else None
    if data is None or update.effective_chat is None:
        await say(update, context, _("Nothing is stored about you."))
        return
    await context.bot.send_document(
        update.effective_chat.id,
        privacy.export_json(data),
        filename="odop-saathi-my-data.json",
        caption=_("📄 Everything ODOP Saathi stores about you."),
    )


async def deleteme_command(update: Update, context: SaathiContext) -> None:
    _ = context.tr.gettext
    if context.user is None:
        await say(update, context, _("Nothing is stored about you."))
        return
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("🗑️ Yes, delete my data"), callback_data="pv:del")],
            [InlineKeyboardButton(_("❌ No, keep it"), callback_data="pv:keep")],
        ]
    )
    await say(
        update,
        context,
        _(
            "<b>Delete your data?</b>\n"
            "Your name, phone, district, products and photos will be deleted, and you will get no "
            "more messages. Your past sales stay only as anonymous numbers in district totals.\n"
            "This cannot be undone."
        ),
        markup,
    )


async def on_button(update: Update, context: SaathiContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = context.tr.gettext
    user = context.user
    if user is None:
        await answer(update, _("This button is no longer active."), alert=True)
        return
    await answer(update)
    await close_buttons(update)
    if query.data != "pv:del":
        await say(update, context, _("Nothing was deleted."))
        return
    await privacy.erase(context.db, user.id)
    context.turn.set_user(None)
    for hook in ERASE_HOOKS:
        await hook(context, user.id)
    await say(
        update,
        context,
        _(
            "✅ Your data has been deleted. Thank you for using ODOP Saathi.\nTo start again, send /start."
        ),
        ReplyKeyboardRemove(),
    )


# Other features that keep something about a user (e.g. queued messages, the audit log) add a
# coroutine here: (context, user_id) -> None, run in the same transaction as the erase.
ERASE_HOOKS: list[Callable[[SaathiContext, int], Awaitable[None]]] = []

menu_items.add(MenuItem("privacy", N_("🔒 Privacy"), privacy_command, order=95))

HANDLERS = [
    CommandHandler("privacy", privacy_command, filters=PRIVATE),
    CommandHandler("mydata", mydata_command, filters=PRIVATE),
    CommandHandler("deleteme", deleteme_command, filters=PRIVATE),
    CallbackQueryHandler(on_button, pattern=r"^pv:"),
]
