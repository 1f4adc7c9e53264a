"""Faults survived, end to end: the emulator fails 5% of the Bot API calls in every way (429
with retry_after, 500, 502, a dropped connection, a time-out; before or after the call took
effect) while many users register, record sales and open reports; the Bot API unreachable for
30 s; a reply that keeps failing (redelivered — by polling and by webhook — then given up);
SQLite busy under a second writer. Every user gets every answer; no record is stored twice; nobody sees an apology."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select

from bot.app import build_application
from bot.db import Database, is_sqlite
from bot.emulator.client import EmulatorClient
from bot.retry import RetryingRequest
from bot.services import updates as updates_service
from bot.turn import SaathiApplication
from models import ProcessedUpdate, Sale
from tests.e2e.conftest import running
from tests.e2e.phone import Phone, texts
from tests.e2e.seed import product, registered_user
from tests.e2e.test_webhook import webhook_bot  # noqa: F401 (a fixture)

FAULTED_METHODS = [
    "sendMessage",
    "sendPhoto",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
]  # not getUpdates: the poller's own backoff is the outage test's subject, and without it the
# number of faulted calls (and so each kind drawn) does not depend on timing.
APOLOGIES = ("Sorry, something went wrong", "माफ़ कीजिए")
# name, district, "welcome", a sale by buttons (menu, product, qty, price, channel, saved),
# a one-line sale and its saved text, the reports button and a period.
LANGS: dict[str, dict[str, Any]] = {
    "hi": {
        "button": "हिन्दी",
        "name": "सीमा देवी",
        "ask_district": "ज़िले",
        "district": "लखनऊ",
        "welcome": "स्वागत",
        "record": "💰 बिक्री दर्ज करें",
        "channel": "फ्लिपकार्ट",
        "line": "आज ३ कुर्ते ४५० रुपये प्रति पीस बेचे",
        "reports": "📊 मेरी बिक्री",
    },
    "en": {
        "button": "English",
        "name": "Ravi Kumar",
        "ask_district": "district",
        "district": "Lucknow",
        "welcome": "Welcome",
        "record": "💰 Record a sale",
        "channel": "Flipkart",
        "line": "sold 3 kurta 450 each",
        "reports": "📊 My sales",
    },
}


class BusyPhone(Phone):
    """A phone for many users at once on SQLite: a dozen phones polling the database for their
    update ids, each read taking the write lock (BEGIN IMMEDIATE), can starve one poller past
    the busy timeout; it then just looks again."""

    async def processed(self, update_id: int, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                async with self.database.sessions() as session:
                    if await updates_service.seen(session, update_id):
                        return
            except OperationalError as exc:
                if "locked" not in str(exc):
                    raise
            await asyncio.sleep(0.05)
        raise AssertionError(f"update {update_id} was not processed within {timeout}s")


def fast_retries(app: SaathiApplication) -> None:
    """The production policy with shorter waits, so that a test full of faults stays quick:
    an attempt is cut after 0.5 s (the emulator holds a "timeout" for 1 s)."""
    request = app.bot.request
    assert isinstance(request, RetryingRequest)
    request.policy = replace(request.policy, attempt_timeout=0.5, base_delay=0.05)


def callback_data(messages: list[dict[str, Any]]) -> list[str]:
    return [
        b["callback_data"]
        for m in messages
        for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
        for b in row
    ]


def answered(replies: list[dict[str, Any]], *words: str) -> str:
    """Assert that the bot answered, without an apology, showing `words` (text or buttons)."""
    buttons = [
        b["text"]
        for m in replies
        for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
        for b in row
    ]
    shown = "\n".join([texts(replies), *buttons])
    assert replies, f"no answer (expected {words})"
    assert not any(a in shown for a in APOLOGIES), shown
    for word in words:
        assert word in shown, (word, shown)
    return shown


async def tap(phone: Phone, label: str, data: str | None = None) -> list[dict[str, Any]]:
    """Tap the button `label` (or with callback `data`) as a person would: on the newest message
    that has it; if that was a duplicate the bot no longer counts (a retried send whose first
    try also arrived: "This button is no longer active"), on the one before."""
    for message in reversed(await phone.transcript()):
        if message["from"] != "bot":
            continue
        buttons = [
            b
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
            if (b["callback_data"] == data if data else label in b["text"])
        ]
        if buttons:
            replies = await phone.press_data(message["message_id"], buttons[0]["callback_data"])
            if replies:
                return replies
    return []


async def journey(phone: Phone, database: Database, lang: str, *, onboard: bool) -> None:
    """One artisan: registration (when `onboard`), a sale by buttons, a one-line sale, a report;
    every step must bring its answer."""
    t = LANGS[lang]
    if onboard:
        answered(await phone.send("/start"), t["button"])
        answered(await tap(phone, t["button"]))
        answered(await phone.send(t["name"]), t["ask_district"])
        answered(await phone.send(t["district"]))
        answered(await tap(phone, "✅"))
        answered(await tap(phone, "✅", "ob:yes"))
        answered(await phone.send(contact=True), t["welcome"])
        await product(database, phone.uid, "कुर्ता", 45_000, stock=500)
        await product(database, phone.uid, "दुपट्टा", 30_000, stock=500)
    answered(await phone.send(t["record"]), "दुपट्टा")
    answered(await tap(phone, "दुपट्टा"))
    answered(await tap(phone, "2"))
    answered(await tap(phone, "₹300"))
    answered(await tap(phone, t["channel"]), "₹600")
    card = await phone.send(t["line"])
    answered(card, "₹1,350")
    assert "s:ok" in callback_data(card), texts(card)
    answered(await tap(phone, "✅", "s:ok"), "₹1,350")
    answered(await phone.send(t["reports"]))
    answered(await tap(phone, "📅", "r:month"), "₹")


async def sales_by_user(database: Database) -> dict[int, list[tuple[int, int]]]:
    async with database.sessions() as session:
        rows = (await session.exec(select(Sale).order_by(col(Sale.id)))).all()
    found: dict[int, list[tuple[int, int]]] = {}
    for sale in rows:
        found.setdefault(sale.user_id, []).append((sale.quantity, sale.total_paise))
    return found


async def failed_updates(database: Database) -> list[int]:
    async with database.sessions() as session:
        rows = await session.exec(
            select(ProcessedUpdate.update_id).where(ProcessedUpdate.outcome != "ok")
        )
        return list(rows.all())


async def test_five_percent_faults_of_every_kind(bot, client, database, emu) -> None:  # type: ignore[no-untyped-def]
    fast_retries(bot)
    users = [(7001 + i, "hi" if i % 2 else "en") for i in range(12)]
    phones = {}
    for uid, lang in users:
        await client.create_user(id=uid, first_name=f"U{uid}", language_code=lang)
        phones[uid] = BusyPhone(client, database, uid)
    faults: dict[str, dict[str, int]] = {}
    for phase in ("before", "after"):
        before = dict((await client.stats())["faults"])
        await client.configure(
            fault_rate=0.05,
            fault_kinds=["429", "500", "502", "drop", "timeout"],
            fault_methods=FAULTED_METHODS,
            fault_phase=phase,
            fault_retry_after=1,
            timeout_seconds=1.0,
            seed=11,  # every kind drawn at least twice within the first 160 calls
        )
        await asyncio.gather(
            *(
                journey(phones[uid], database, lang, onboard=phase == "before")
                for uid, lang in users
            )
        )
        after = (await client.stats())["faults"]
        faults[phase] = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    await client.configure(fault_rate=0)
    # Every kind of fault happened in both phases…
    for phase, counts in faults.items():
        assert all(counts.get(k, 0) >= 1 for k in ("429", "500", "502", "drop", "timeout")), (
            phase,
            counts,
        )
    # …yet each sale is stored exactly once, and no update ended in an error.
    expected = [(2, 60_000), (3, 135_000)] * 2
    assert await sales_by_user(database) == {uid: expected for uid, _ in users}
    assert await failed_updates(database) == []


async def test_bot_api_unreachable_for_30_seconds(bot, client, database) -> None:  # type: ignore[no-untyped-def]
    users = [7101 + i for i in range(5)]
    for uid in users:
        await registered_user(database, uid, language="en", name="Ravi")
        await client.create_user(id=uid, first_name="Ravi", language_code="en")
    phones = [Phone(client, database, uid) for uid in users]
    answered(await phones[0].send("/help"))  # the bot is up
    start = await asyncio.gather(*(phone.seq() for phone in phones))

    await client.configure(outage_seconds=30)
    # Users keep typing meanwhile. The long poll in progress still hands the first updates
    # over, but no answer gets out, and no further getUpdates gets through.
    sent = [await client.send(uid, text) for uid in users for text in ("/help", "📊 My sales")]

    # The same process recovers by itself once the Bot API is back: every update answered.
    for item in sent:
        await phones[0].processed(item["update_id"], timeout=90)
    assert (await client.stats())["faults"]["outage"] >= 2
    for phone, seq in zip(phones, start, strict=True):
        replies = [m for m in (await client.chat(phone.uid, after=seq))["messages"]]
        bot_replies = [m for m in replies if m["from"] == "bot"]
        assert len(bot_replies) >= 2, texts(replies)
        answered(bot_replies)
    assert await failed_updates(database) == []


async def test_a_reply_failing_for_a_while_is_redelivered_not_apologised(
    bot, client, database
) -> None:  # type: ignore[no-untyped-def]
    fast_retries(bot)
    await registered_user(database, 7201, language="en", name="Ravi")
    phone = Phone(client, database, 7201)
    await client.create_user(id=7201, first_name="Ravi", language_code="en")
    seq = await phone.seq()
    calls_before = len(await client.calls("sendMessage"))
    await client.configure(fault_rate=1.0, fault_kinds=["502"], fault_methods=["sendMessage"])
    sent = await client.send(7201, "/help")

    async def two_rounds_failed() -> bool:
        # All the attempts of a first handling, and a second handling (a redelivery) started.
        return len(await client.calls("sendMessage")) - calls_before > 4

    await client.wait_until(two_rounds_failed, timeout=30)
    await client.configure(fault_rate=0)
    await phone.processed(sent["update_id"], timeout=30)
    replies = [m for m in (await client.chat(7201, after=seq))["messages"] if m["from"] == "bot"]
    answered(replies, "/help")
    assert await failed_updates(database) == []


@pytest.mark.usefixtures("webhook_bot")
async def test_over_webhook_a_failing_reply_is_answered_500_and_delivered_again(
    client, database
) -> None:  # type: ignore[no-untyped-def]
    await registered_user(database, 7203, language="en", name="Ravi")
    phone = Phone(client, database, 7203)
    await client.create_user(id=7203, first_name="Ravi", language_code="en")
    seq = await phone.seq()
    calls_before = len(await client.calls("sendMessage"))
    await client.configure(fault_rate=1.0, fault_kinds=["502"], fault_methods=["sendMessage"])
    sent = await client.send(7203, "/help")

    async def redelivered() -> bool:  # the production policy: 4 tries, then HTTP 500, again
        return len(await client.calls("sendMessage")) - calls_before > 4

    await client.wait_until(redelivered, timeout=30)
    await client.configure(fault_rate=0)
    await phone.processed(sent["update_id"], timeout=30)
    replies = [m for m in (await client.chat(7203, after=seq))["messages"] if m["from"] == "bot"]
    answered(replies, "/help")
    assert await failed_updates(database) == []


async def test_a_poisoned_reply_ends_after_a_few_redeliveries(bot, client, database) -> None:  # type: ignore[no-untyped-def]
    fast_retries(bot)
    await registered_user(database, 7202, language="en", name="Ravi")
    phone = Phone(client, database, 7202)
    await client.create_user(id=7202, first_name="Ravi", language_code="en")
    calls_before = len(await client.calls("sendMessage"))
    await client.configure(fault_rate=1.0, fault_kinds=["500"], fault_methods=["sendMessage"])
    sent = await client.send(7202, "/help")
    await phone.processed(sent["update_id"], timeout=60)
    assert await failed_updates(database) == [sent["update_id"]]
    # 1 handling + 3 redeliveries, 4 attempts each, then the apology's 4 attempts.
    assert len(await client.calls("sendMessage")) - calls_before == 4 * 4 + 4
    await client.configure(fault_rate=0)
    answered(await phone.send("/help"), "/help")  # the bot goes on with the next update


@pytest.fixture
async def busy_bot(emu, db_url, settings_for):  # type: ignore[no-untyped-def]
    """The bot on a Database whose SQLite busy timeout is 0.1 s (instead of 10 s)."""
    if not is_sqlite(db_url):
        pytest.skip("SQLite only")
    database = Database(db_url, busy_timeout_ms=100)
    async with running(build_application(settings_for(emu.url), db=database)) as app:
        yield app


async def test_sqlite_busy_is_retried_and_never_shown(
    busy_bot, client: EmulatorClient, database, db_url, caplog
) -> None:  # type: ignore[no-untyped-def]
    await registered_user(database, 7301, language="en", name="Ravi")
    await client.create_user(id=7301, first_name="Ravi", language_code="en")
    phone = Phone(client, database, 7301)
    seq = await phone.seq()
    # Another writer holds SQLite's write lock far longer than the busy timeout.
    other = sqlite3.connect(
        make_url(db_url).database, isolation_level=None, timeout=30, check_same_thread=False
    )
    # In a thread: the bot runs in this event loop and may be holding the lock right now.
    await asyncio.to_thread(other.execute, "BEGIN IMMEDIATE")
    try:
        sent = await client.send(7301, "sold 2 kurta 450 each")
        retries = busy_bot.database.busy_retries

        async def retried() -> bool:
            return busy_bot.database.busy_retries >= retries + 3

        await client.wait_until(retried, timeout=30)
        handled = other.execute(
            "SELECT count(*) FROM processed_updates WHERE update_id = ?", (sent["update_id"],)
        )
        assert handled.fetchone() == (0,)  # nothing got through meanwhile
    finally:
        other.execute("COMMIT")
        other.close()
    await phone.processed(sent["update_id"])
    replies = [m for m in (await client.chat(7301, after=seq))["messages"] if m["from"] == "bot"]
    assert len(replies) == 1, texts(replies)  # the turn began again before any handler ran
    answered(replies)
    assert not any("could not process update" in r.getMessage() for r in caplog.records)
    assert await failed_updates(database) == []
