"""/language: switch between Hindi and English at any time; menus and commands follow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import BotCommandScopeChat, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import i18n
from bot.i18n import N_
from bot.services import conversation
from bot.services import users as users_service
from handlers import flows, keyboards, menu, menu_items, onboarding
from handlers.commands import bot_commands
from handlers.common import answer, close_buttons, say
from handlers.labels import LANGUAGE_NAMES
from handlers.menu_items import MenuItem

if TYPE_CHECKING:
    from bot.turn import SaathiContext


async def language_command(update: Update, context: SaathiContext) -> None:
    text = context.tr.gettext("Choose your language:")
    await say(update, context, text, keyboards.languages(first=context.tr.lang))


async def on_language_button(update: Update, context: SaathiContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = query.data.split(":", 1)[1]
    user = context.user
    if lang not in i18n.LANGUAGES or user is None:
        await answer(update, context.tr.gettext("This button is no longer active."), alert=True)
        return
    await users_service.set_language(context.db, user, lang)
    context.turn.set_user(user)
    await answer(update)
    await close_buttons(update, f"✅ {LANGUAGE_NAMES[lang]}")
    chat = update.effective_chat
    if chat is not None:
        # The command list in the chat follows the chosen language.
        await context.bot.set_my_commands(
            bot_commands(context.tr), scope=BotCommandScopeChat(chat.id)
        )
    conv = await conversation.get(context.db, user.id)
    if conv is not None and conv.flow == onboarding.FLOW and conv.step == onboarding.LANGUAGE:
        await onboarding.choose_language(update, context, conv, user)
        return
    if await flows.reprompt(update, context):
        return
    await menu.show(update, context)


menu_items.add(MenuItem("language", N_("🌐 Language"), language_command, order=90))

HANDLERS = [
    CommandHandler("language", language_command),
    CallbackQueryHandler(on_language_button, pattern=r"^lang:"),
]
