"""Private messages that no command took: the current flow's step, a menu button, or help.

Also /cancel, unknown commands, edited messages, buttons no handler knows (forged or from
an old version) and block/unblock (my_chat_member).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telegram import ChatMember, ReplyKeyboardRemove, Update
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.services import users as users_service
from handlers import flows, menu, menu_items, onboarding
from handlers.common import answer, say

if TYPE_CHECKING:
    from bot.turn import SaathiContext


# Features that understand a message from a registered user outside any flow (a sale
# typed as one line, an order report sent as a file) add a hook here; True = taken.
MessageHook = Callable[[Update, "SaathiContext"], Awaitable[bool]]
MESSAGE_HANDLERS: list[MessageHook] = []


async def on_message(update: Update, context: SaathiContext) -> None:
    if await flows.route(update, context):
        return
    user = context.user
    if user is None or not user.is_registered:
        await onboarding.start(update, context)
        return
    message = update.effective_message
    item = menu_items.find(message.text if message else None)
    if item is not None:
        await item.callback(update, context)
        return
    for handler in MESSAGE_HANDLERS:
        if await handler(update, context):
            return
    await say(
        update,
        context,
        context.tr.gettext("Sorry, I did not understand that. Please use the buttons below."),
    )
    await menu.show(update, context)


async def cancel(update: Update, context: SaathiContext) -> None:
    if await flows.cancel(update, context):
        return
    user = context.user
    if user is not None and user.is_registered:
        await say(update, context, context.tr.gettext("There is nothing to cancel."))
        await menu.show(update, context)
    else:
        await say(
            update,
            context,
            context.tr.gettext("There is nothing to cancel. Send /start to register."),
            ReplyKeyboardRemove(),
        )


async def unknown_command(update: Update, context: SaathiContext) -> None:
    await say(
        update,
        context,
        context.tr.gettext("I do not know that command. Send /help to see what I can do."),
    )


async def on_edited(update: Update, context: SaathiContext) -> None:
    await say(
        update,
        context,
        context.tr.gettext("I do not read edited messages. Please send it again as a new message."),
    )


async def unknown_button(update: Update, context: SaathiContext) -> None:
    """Callback data no feature claims (forged, garbage, or from a button that no longer
    exists): say so, so that the phone's spinner stops; nothing changes."""
    await answer(update, context.tr.gettext("This button is no longer active."), alert=True)


async def on_my_chat_member(update: Update, context: SaathiContext) -> None:
    """The user blocked (kicked) or unblocked the bot in their private chat."""
    change = update.my_chat_member
    if change is None or change.chat.type != change.chat.PRIVATE:
        return
    reachable = change.new_chat_member.status not in (ChatMember.BANNED, ChatMember.LEFT)
    await users_service.set_active(context.db, change.chat.id, reachable)


PRIVATE = filters.ChatType.PRIVATE

HANDLERS = [
    CommandHandler("cancel", cancel, filters=PRIVATE),
    MessageHandler(PRIVATE & filters.UpdateType.EDITED, on_edited),
    MessageHandler(PRIVATE & filters.COMMAND, unknown_command),
    MessageHandler(PRIVATE & filters.UpdateType.MESSAGE, on_message),
    ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
    CallbackQueryHandler(unknown_button),
]
