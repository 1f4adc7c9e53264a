"""Groups and channels: one polite line that the bot works in private chat, nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import MessageHandler, filters

from handlers.common import say

if TYPE_CHECKING:
    from bot.turn import SaathiContext


async def in_group(update: Update, context: SaathiContext) -> None:
    """Answer commands and mentions in a group once; ignore ordinary group chatter."""
    message = update.effective_message
    if message is None:
        return
    text = message.text or ""
    mentioned = context.bot.username and f"@{context.bot.username}".lower() in text.lower()
    if not (text.startswith("/") or mentioned):
        return
    await say(
        update,
        context,
        context.tr.gettext(
            "🙏 I work only in a private chat. Please open a chat with me and send /start."
        ),
    )


HANDLERS = [
    MessageHandler(filters.ChatType.GROUPS & filters.UpdateType.MESSAGES, in_group),
]
