"""build_application(settings): the PTB Application with handlers, jobs and the error handler."""

from __future__ import annotations

import asyncio
import logging

from telegram import BotCommandScopeDefault
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults

from bot import i18n, jobs
from bot.config import Settings
from bot.db import Database
from bot.inbox import InboxWorkers
from bot.outbox import from_settings
from bot.polling import Poller
from bot.retry import RetryingRequest
from bot.transport import AiohttpRequest
from bot.turn import SaathiApplication, SaathiContext, current_turn
from bot.webhook import WebhookServer
from handlers import register
from handlers.commands import bot_commands

log = logging.getLogger(__name__)


class MissingToken(RuntimeError):
    pass


def build_application(settings: Settings, db: Database | None = None) -> SaathiApplication:
    token = settings.token
    if not token:
        raise MissingToken("TELEGRAM_BOT_TOKEN is not set")
    root = settings.telegram_api_url
    app = (
        ApplicationBuilder()
        .application_class(SaathiApplication)
        .context_types(ContextTypes(context=SaathiContext))
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=_tz(settings.timezone)))
        # aiohttp instead of PTB's default httpx: the same timeouts and errors, about a third of
        # the CPU per Bot API call (bot/transport.py; measured in bench/README.md). Calls made
        # while handling an update are retried on transient failures (bot/retry.py); the
        # outbox and getUpdates (its own request object) keep their own backoff.
        .request(
            RetryingRequest(
                AiohttpRequest(connection_pool_size=64, read_timeout=15, write_timeout=30),
                active=_handling_update,
            )
        )
        .get_updates_request(AiohttpRequest(connection_pool_size=1, read_timeout=40))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data["settings"] = settings
    app.bot_data["db"] = db or Database(settings.database_url)
    register(app)
    jobs.schedule(app)
    return app  # type: ignore[return-value]


def _handling_update() -> bool:
    try:
        current_turn()
    except RuntimeError:
        return False
    return True


def _tz(name: str):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


async def _post_init(app: SaathiApplication) -> None:
    """Command lists per language: Telegram shows the one matching the phone's language."""
    await app.bot.set_my_commands(
        bot_commands(i18n.translator("en")), scope=BotCommandScopeDefault()
    )
    for lang in i18n.LANGUAGES:
        tr = i18n.translator(lang)
        await app.bot.set_my_commands(
            bot_commands(tr), scope=BotCommandScopeDefault(), language_code=lang
        )
        # The bot's display name per language; Telegram rate-limits setMyName, so only on change.
        name = tr.gettext("ODOP Saathi")
        if (await app.bot.get_my_name(language_code=lang)).name != name:
            await app.bot.set_my_name(name, language_code=lang)


async def serve(
    app: SaathiApplication,
    stop: asyncio.Event,
    *,
    poll_timeout: int = 20,
    started: asyncio.Event | None = None,
) -> None:
    """Run the bot until `stop` is set: start-up work, jobs, and updates by long polling
    (acknowledged after handling) or, with WEBHOOK_URL set, by webhook; with INBOX_WORKERS,
    through the inbox (RECEIVE_UPDATES=false: from the inbox only)."""
    settings: Settings = app.bot_data["settings"]
    async with app:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        # The outbox drainer (bulk notices, bot/outbox.py) runs beside whatever takes updates.
        outbox = from_settings(app.bot, app.database, settings)
        app.bot_data["outbox"] = outbox
        outbox.start()
        # Several processes (bot/inbox.py): received updates are stored, and handled from the
        # store by this many concurrent turns in every process.
        inbox = (
            InboxWorkers(app, workers=settings.inbox_workers) if settings.inbox_workers else None
        )
        if inbox is not None:
            inbox.start()
        if not settings.receive_updates:
            # A worker only: other processes receive the updates.
            if started is not None:
                started.set()
            await stop.wait()
        elif settings.webhook_url:
            secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
            server = WebhookServer(
                app,
                url=settings.webhook_url,
                secret=secret,
                host=settings.host,
                port=settings.port,
                inbox=inbox,
            )
            await server.start()
            if started is not None:
                started.set()
            await stop.wait()
            await server.stop()
        else:
            await app.bot.delete_webhook()
            poller = Poller(app, timeout=poll_timeout, inbox=inbox)
            task = poller.start()
            if started is not None:
                started.set()
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
            await poller.stop()
            stopper.cancel()
        if inbox is not None:
            await inbox.stop()  # finish the turns in hand
        await outbox.stop()  # finish the sends in flight and write their results
        await app.stop()


async def _post_shutdown(app: SaathiApplication) -> None:
    await app.database.dispose()
