"""Webhook mode: Telegram POSTs each update to us; we answer 200 only after handling it.

- Requests without the right `X-Telegram-Bot-Api-Secret-Token` get 403 (compared in constant
  time, never logged).
- The update is handled before the response, so Telegram's acknowledgement follows the
  commit; a database failure answers 500 and Telegram delivers the update again later.
- Updates of one user are handled in the order they arrive (a lock per user); different
  users in parallel.
- With an inbox (`bot/inbox.py`: several processes behind a load balancer) the update is
  stored and committed, then answered 200; the inbox workers of every process handle it.
- `GET /healthz` reports database reachability, the outbox backlog (messages waiting, how
  late the most overdue one is), the inbox backlog (updates stored, not yet
  handled) and whatever other checks features add.
- Shutdown stops accepting requests and lets the updates in hand finish.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from weakref import WeakValueDictionary

from aiohttp import web
from sqlalchemy import text
from telegram import Update

from bot.inbox import backlog
from bot.outbox import backlog as outbox_backlog
from bot.retry import Redeliver

if TYPE_CHECKING:
    from bot.inbox import InboxWorkers
    from bot.turn import SaathiApplication

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# name -> coroutine(app) returning a JSON-able value; features add their own (e.g. outbox backlog).
HEALTH_CHECKS: dict[str, Callable[[SaathiApplication], Awaitable[Any]]] = {}


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


class WebhookServer:
    def __init__(
        self,
        app: SaathiApplication,
        *,
        url: str,
        secret: str,
        host: str,
        port: int,
        inbox: InboxWorkers | None = None,
    ) -> None:
        self.app, self.url, self.secret = app, url, secret
        self.inbox = inbox
        self.host, self.port = host, port
        self._locks: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()
        self._runner: web.AppRunner | None = None
        self.web = web.Application(client_max_size=1 << 20)
        self.web.router.add_post(webhook_path(url), self.receive)
        self.web.router.add_get("/healthz", self.health)

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.Response(status=403)
        try:
            payload = await request.json()
            update = Update.de_json(payload, self.app.bot)
        except (ValueError, TypeError, KeyError, json.JSONDecodeError):
            return web.Response(status=400)
        if update is None:
            return web.Response(status=400)
        if self.inbox is not None:
            try:
                await self.inbox.receive([(update, payload)])
            except Exception:
                log.exception("could not store update %s; Telegram will retry", update.update_id)
                return web.Response(status=500)
            return web.Response(status=200)
        user = update.effective_user
        lock = self._lock_for(user.id if user else 0)
        async with lock:
            try:
                await self.app.process_update(update)
            except Redeliver:
                # The Bot API failed while answering (bot/retry.py): rolled back; Telegram
                # delivers the update again (a known outcome: one line, no traceback).
                log.warning(
                    "update %s rolled back; Telegram will deliver it again", update.update_id
                )
                return web.Response(status=500)
            except Exception:
                log.exception("could not process update %s; Telegram will retry", update.update_id)
                return web.Response(status=500)
        return web.Response(status=200)

    def _lock_for(self, key: int) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def health(self, _request: web.Request) -> web.Response:
        report: dict[str, Any] = {}
        healthy = True
        try:
            async with self.app.database.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            report["database"] = "ok"
        except Exception as exc:
            report["database"] = f"error: {type(exc).__name__}"
            healthy = False
        try:
            report["outbox"] = await outbox_backlog(self.app.database)
        except Exception as exc:
            report["outbox"] = f"error: {type(exc).__name__}"
            healthy = False
        if self.inbox is not None:
            try:
                report["inbox"] = {"stored": await backlog(self.app.database)}
            except Exception as exc:
                report["inbox"] = f"error: {type(exc).__name__}"
                healthy = False
        for name, check in HEALTH_CHECKS.items():
            try:
                report[name] = await check(self.app)
            except Exception as exc:
                report[name] = f"error: {type(exc).__name__}"
                healthy = False
        report["status"] = "ok" if healthy else "error"
        return web.json_response(report, status=200 if healthy else 503)

    async def start(self) -> None:
        self._runner = web.AppRunner(self.web, access_log=None, shutdown_timeout=30)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        await self.app.bot.set_webhook(
            self.url, secret_token=self.secret, allowed_updates=Update.ALL_TYPES
        )
        log.info("webhook listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()  # stops accepting; waits for requests in hand
            self._runner = None
