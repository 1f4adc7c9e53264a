"""The one error handler: a short apology in the user's language; the details go to the log.

A transient Bot API failure (the retries of bot/retry.py ran out: network, time-out, 5xx, 429)
is not the user's problem and not a bug: the update is rolled back without an apology and
handed back for redelivery (`Redeliver`, raised by the turn), at most a few times per update,
so that the user gets the real answer once the Bot API is back. After that, or for any other
error, the update is rolled back, the user gets the apology, and the id is stored as "error".
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.retry import RedeliveryBudget, is_transient, retry_after_seconds
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
    try:
        turn = current_turn()
    except RuntimeError:
        log.error("update %s failed", update.update_id, exc_info=error)
        return
    turn.failed = True  # the update's database effects are rolled back
    if is_transient(error) and _redeliveries(context).take(update.update_id):
        log.warning(
            "update %s: the Bot API failed (%s); rolled back, to be delivered again",
            update.update_id,
            type(error).__name__,
        )
        turn.extra["redeliver"] = retry_after_seconds(error)
        return
    log.error("update %s failed", update.update_id, exc_info=error)
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


def _redeliveries(context: SaathiContext) -> RedeliveryBudget:
    budget = context.application.bot_data.get("redeliveries")
    if budget is None:
        budget = context.application.bot_data["redeliveries"] = RedeliveryBudget()
    return budget
