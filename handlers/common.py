"""Small helpers every handler uses: send in the chat, answer a button."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.error import BadRequest

from bot.numbers import normalize_digits

if TYPE_CHECKING:
    from telegram._utils.types import ReplyMarkup

    from bot.turn import SaathiContext


async def say(
    update: Update, context: SaathiContext, text: str, reply_markup: ReplyMarkup | None = None
) -> Message:
    """Send `text` (HTML; escape user text before) to the chat this update came from."""
    assert update.effective_chat is not None
    return await context.bot.send_message(update.effective_chat.id, text, reply_markup=reply_markup)


async def answer(update: Update, text: str | None = None, alert: bool = False) -> None:
    """Answer a button press so the phone stops its spinner; never fails the update."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest:
        # Too old: Telegram forgets a query after a while. Nothing left to answer.
        pass


async def close_buttons(update: Update, note: str | None = None) -> None:
    """Take the inline buttons off the message a button was pressed on (optionally add a line)."""
    query = update.callback_query
    if query is None or query.message is None or not isinstance(query.message, Message):
        return
    try:
        if note:
            base = query.message.text_html or ""
            await query.edit_message_text(f"{base}\n\n{note}" if base else note)
        else:
            await query.edit_message_reply_markup(None)
    except BadRequest:
        pass  # already edited (a double tap), or too old to edit


#: The largest id a database column holds (BIGINT).
MAX_ID = 2**63 - 1


def whole_number(text: str | None, limit: int = MAX_ID) -> int | None:
    """`text` as a whole number from 0 to `limit` (ASCII or Devanagari digits), else None.

    For ids and counts in buttons (which a client can forge) and typed ids. Not
    `text.isdigit()` then `int(text)`: "²".isdigit() is true but int("²") fails, and 30
    digits overflow a database column."""
    digits = normalize_digits((text or "").strip())
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(limit)):
        return None
    value = int(digits)
    return value if value <= limit else None


#: Letters that draw nothing: Hangul fillers (what some phones send for an "empty" message)
#: and the blank Braille pattern.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible(text: str | None) -> bool:
    """True when `text` shows something: not only spaces, zero-width or control characters
    and blank letters."""
    return any(
        ch not in _BLANK_LETTERS and unicodedata.category(ch) not in ("Zs", "Zl", "Zp", "Cc", "Cf")
        for ch in text or ""
    )


def local_today(context: SaathiContext) -> date:
    """Today in the configured time zone (IST by default)."""
    return datetime.now(ZoneInfo(context.settings.timezone)).date()
