"""The one error handler: a short apology in the user's language; the details go to the log."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.turn import current_turn

if TYPE_CHECKING:
    from bot.turn import SaathiContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: SaathiContext) -> None:
    error = context.error
    if not isinstance(update, Update):
        # Errors outside an update (network trouble while polling, a job): log them only.
        log.warning("error outside an update: %r", error)
        return
    log.error("update %s failed", update.update_id, exc_info=error)
    try:
        turn = current_turn()
    except RuntimeError:
        return
    turn.failed = True  # the update's database effects are rolled back
    chat = update.effective_chat
    if chat is None or isinstance(error, Forbidden):
        return
    try:
        await context.bot.send_message(
            chat.id,
            turn.tr.gettext("Sorry, something went wrong. Please try again in a little while."),
        )
    except TelegramError:
        log.warning("could not send the apology for update %s", update.update_id)
