"""`kill -9` at the worst moments, with the bot in its own process against the emulator:

- while the ✅ of a sale confirmation is being handled: the sale is written in the open
  transaction and the bot is waiting for Telegram to take its "✅ Saved" message (the emulator
  holds that call). After a restart the unacknowledged update comes again and the sale is
  recorded exactly once; the conversation goes on.
- in the middle of a scheduled summary run: the first page of users is committed (ledger and
  outbox rows together, their sends held by the emulator, so none reached anyone), the process
  dies inside the second page's transaction. After a restart the run picks up the rest and
  every user gets the summary exactly once.

(Mid-onboarding, mid-product and mid-broadcast kills are in test_onboarding_robustness.py,
test_products.py and test_broadcast.py.)
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from bot.emulator.client import EmulatorClient
from models import Delivery, ProcessedUpdate, Sale, SummaryLedger
from models.notice import DeliveryStatus
from tests.conftest import ADMIN_ID, TOKEN
from tests.e2e.phone import Phone, texts
from tests.e2e.seed import product, registered_user

MONDAY_1100_IST = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)
HOLD = {"fault_rate": 1.0, "fault_kinds": ["timeout"], "timeout_seconds": 600}


def environment(emu_url: str, db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": emu_url,
        "DATABASE_URL": db_url,
        "ADMIN_IDS": str(ADMIN_ID),
        "LOG_LEVEL": "WARNING",
    }


class Processes:
    """Starts bot processes; every one is gone after the `with` block (SIGTERM, then SIGKILL)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str, stdout: int | None = None) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([sys.executable, *args], env=self.env, stdout=stdout)
        self.started.append(proc)
        return proc

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)


def kill_9(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


async def held_call(client: EmulatorClient, method: str, since: int) -> dict[str, Any]:
    """Wait until the bot has made a `method` call that the emulator is holding."""

    async def found() -> dict[str, Any] | None:
        for call in await client.calls(method, since=since):
            if call.get("fault") == "timeout" and call["ok"] is None:
                return call
        return None

    return await client.wait_until(found, timeout=60)


async def last_call(client: EmulatorClient) -> int:
    calls = await client.calls()
    return calls[-1]["n"] if calls else 0


async def rows(database, model, *where) -> list[Any]:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        return list((await session.exec(select(model).where(*where))).all())


async def test_kill_9_while_a_sale_confirmation_is_answered(emu, client, database, db_url) -> None:  # type: ignore[no-untyped-def]
    uid = 7401
    await registered_user(database, uid, language="en", name="Ravi")
    kurta = await product(database, uid, "Kurta", 45_000, stock=20)
    await client.create_user(id=uid, first_name="Ravi", language_code="en")
    phone = Phone(client, database, uid)
    with Processes(environment(emu.url, db_url)) as bots:
        bot = bots.start("-m", "bot", "run")
        sent = await client.send(uid, "sold 3 kurta 450 each")
        await phone.processed(sent["update_id"], timeout=60)  # a starting process may be slow
        card = next(
            m
            for m in reversed(await phone.transcript())
            if m["from"] == "bot" and "s:ok" in str(m.get("reply_markup"))
        )
        since = await last_call(client)
        # Telegram takes the "✅ Saved" message and never answers: the bot is stuck in that
        # call, its transaction (the sale, the stock) open.
        await client.configure(fault_methods=["sendMessage"], **HOLD)
        pressed = await client.press(uid, card["message_id"], "s:ok")
        await held_call(client, "sendMessage", since)
        kill_9(bot)
        assert await rows(database, Sale, col(Sale.user_id) == uid) == []
        assert (
            await rows(
                database, ProcessedUpdate, col(ProcessedUpdate.update_id) == pressed["update_id"]
            )
            == []
        )

        await client.configure(fault_rate=0)
        seq = await phone.seq()
        bots.start("-m", "bot", "run")
        await phone.processed(pressed["update_id"], timeout=60)  # delivered again, handled
        [sale] = await rows(database, Sale, col(Sale.user_id) == uid)
        assert (sale.product_id, sale.quantity, sale.total_paise) == (kurta, 3, 135_000)
        saved = [m for m in (await client.chat(uid, after=seq))["messages"] if m["from"] == "bot"]
        assert "₹1,350" in texts(saved)
        # The conversation goes on: the next sale is recorded as usual.
        card = (await phone.send("sold 1 kurta 450"))[-1]
        await phone.press_data(card["message_id"], "s:ok")
        assert len(await rows(database, Sale, col(Sale.user_id) == uid)) == 2


async def test_kill_9_in_the_middle_of_a_summary_run(emu, client, database, db_url) -> None:  # type: ignore[no-untyped-def]
    users = list(range(7501, 7531))  # 30 artisans, 10 a page: three pages
    for uid in users:
        await registered_user(database, uid, language="hi" if uid % 2 else "en")
        await client.create_user(id=uid, first_name=f"A{uid}", language_code="hi", started=True)
    run = ["-m", "tests.e2e.summary_run", MONDAY_1100_IST.isoformat(), "--page=10"]
    with Processes(environment(emu.url, db_url)) as bots:
        # The first page's sends are held by Telegram (never delivered, never answered).
        await client.configure(fault_methods=["sendMessage", "sendPhoto"], **HOLD)
        proc = bots.start(*run, "--hold-at-page=2", stdout=subprocess.PIPE)
        assert proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), timeout=120)
        assert line.strip() == b"holding"  # inside the second page's transaction
        kill_9(proc)
        ledger = await rows(database, SummaryLedger)
        assert len(ledger) == 10  # the first page only: the second died uncommitted
        assert len(await rows(database, Delivery)) == 10

        await client.configure(fault_rate=0)
        bots.start(*run, stdout=subprocess.DEVNULL)

        async def all_sent() -> bool:
            deliveries = await rows(database, Delivery)
            return len(deliveries) == len(users) and all(
                d.status == DeliveryStatus.SENT for d in deliveries
            )

        await client.wait_until(all_sent, timeout=120, interval=0.2)
    ledger = await rows(database, SummaryLedger)
    assert sorted(row.user_id for row in ledger) == users
    for uid in users:
        received = [m for m in (await client.chat(uid))["messages"] if m["from"] == "bot"]
        assert len(received) == 1, (uid, texts(received))
