"""One update's unit of work: a database transaction, the user, and their language.

`SaathiApplication.process_update` opens a `Turn` around PTB's normal handler dispatch: the
update id is checked (a redelivered update is dropped), the user is loaded, every handler
writes through the same session, and the whole update commits once — conversation state and
effects together — or rolls back as a whole when a handler fails.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot import i18n
from bot.retry import Redeliver
from bot.services import updates as updates_service
from bot.services import users as users_service
from models import User

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.db import Database

log = logging.getLogger(__name__)

_CURRENT: ContextVar[Turn | None] = ContextVar("saathi_turn", default=None)


@dataclass
class Turn:
    session: AsyncSession
    update_id: int
    user: User | None
    tr: i18n.Translator
    failed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def set_user(self, user: User | None) -> None:
        self.user = user
        if user is not None:
            self.tr = i18n.translator(user.language)


def current_turn() -> Turn:
    turn = _CURRENT.get()
    if turn is None:
        raise RuntimeError("no update is being processed")
    return turn


class SaathiContext(CallbackContext[ExtBot, dict, dict, dict]):
    """PTB's context plus the current turn: `context.db`, `context.user`, `context._`."""

    @property
    def turn(self) -> Turn:
        return current_turn()

    @property
    def db(self) -> AsyncSession:
        return current_turn().session

    @property
    def user(self) -> User | None:
        return current_turn().user

    @property
    def tr(self) -> i18n.Translator:
        return current_turn().tr

    @property
    def settings(self) -> Settings:
        return self.bot_data["settings"]


class SaathiApplication(Application):  # type: ignore[type-arg]
    """PTB's Application with a database transaction around each update."""

    @property
    def database(self) -> Database:
        return self.bot_data["db"]

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        started = time.perf_counter()
        outcome = "error"
        try:
            outcome = await self._process_in_turn(update)
        except IntegrityError:
            # Another worker committed the same update id first: it was handled there.
            outcome = "duplicate"
        except Redeliver:
            outcome = "redeliver"
            raise
        finally:
            log_update(update, outcome, time.perf_counter() - started, self.bot.token)

    async def _process_in_turn(self, update: Update) -> str:
        try:
            async with self.database.session() as session:  # SQLite busy: retried in there
                await self.process_in(session, update)
                return "ok"
        except RolledBack:
            # A handler failed and its effects were rolled back. Remember the id, so that a
            # redelivery of the same poisoned update does not fail again and again.
            async with self.database.session() as session:
                updates_service.mark(session, update.update_id, outcome="error")
            return "error"

    async def process_in(self, session: AsyncSession, update: Update) -> None:
        """Handle `update` inside a transaction the caller began and commits (`bot/inbox.py`
        claims the stored update in the same one). Raises IntegrityError when the id was
        handled already, `Redeliver`, or `RolledBack` when a handler failed."""
        # Claim the update id first: a redelivery fails here on the primary key (mapped
        # to "duplicate" above); on PostgreSQL a concurrent claim of the same id waits
        # for the first transaction and then fails the same way.
        await updates_service.claim(session, update.update_id)
        turn = await self._open_turn(session, update)
        token = _CURRENT.set(turn)
        try:
            await super().process_update(update)
        finally:
            _CURRENT.reset(token)
        if turn.failed:
            # A transient Bot API failure (handlers/errors.py): to be delivered again.
            if "redeliver" in turn.extra:
                raise Redeliver(update.update_id, turn.extra["redeliver"])
            raise RolledBack

    @staticmethod
    async def _open_turn(session: AsyncSession, update: Update) -> Turn:
        tg_user = update.effective_user
        user = await users_service.get(session, tg_user.id) if tg_user else None
        if user is not None:
            lang = user.language
            chat = update.effective_chat
            if chat is not None and chat.type == chat.PRIVATE and update.my_chat_member is None:
                await users_service.touch(session, user)
        else:
            lang = i18n.language_from_telegram(tg_user.language_code if tg_user else None)
        return Turn(session, update.update_id, user, i18n.translator(lang))


def update_kind(update: Update) -> str:
    """What an update is, without personal data: a command name, a button prefix, a type."""
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        return "button:" + data.split(":", 1)[0][:12]
    message = update.effective_message
    if update.edited_message is not None:
        return "edited_message"
    if message is not None:
        if message.text and message.text.startswith("/"):
            return "command:" + message.text.split()[0].split("@")[0][1:20].lower()
        for kind in ("text", "photo", "document", "contact", "sticker", "voice", "location"):
            if getattr(message, kind, None):
                return "message:" + kind
        return "message:other"
    if update.my_chat_member is not None:
        return "my_chat_member"
    return "other"


def user_hash(user_id: int, key: str) -> str:
    """A stable, non-reversible stand-in for the user id in logs (keyed by the bot token)."""
    return hmac.new(key.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:12]


def log_update(update: Update, outcome: str, seconds: float, key: str) -> None:
    user = update.effective_user
    log.info(
        "update id=%s user=%s kind=%s outcome=%s ms=%.1f",
        update.update_id,
        user_hash(user.id, key) if user else "-",
        update_kind(update),
        outcome,
        seconds * 1000,
    )


class RolledBack(Exception):
    """Raised inside the transaction to roll a failed update back."""
