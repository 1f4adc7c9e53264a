"""Notices end to end: an officer writes one (with a photo), previews it, sends it; it reaches
exactly the district's active artisans in their language through the outbox; blocked users
become inactive; 429s are honoured; acknowledgements are counted; a kill -9 mid-broadcast
resumes without duplicates."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import subprocess
import sys
from typing import Any

import pytest
from sqlmodel import col, select

from bot.emulator.client import EmulatorClient
from models import AuditEntry, Delivery, Notice, User
from models.notice import DeliveryStatus, NoticeStatus
from tests.conftest import ADMIN_ID, TOKEN
from tests.e2e.phone import Phone, texts
from tests.e2e.seed import registered_user
from tests.emulator.conftest import make_png

OFFICER = 6001
NOTICE_HI = "कल सुबह 10 बजे लखनऊ हाट में मेला है। <सभी> आएँ & अपने उत्पाद लाएँ।"


async def artisan(
    client: EmulatorClient,
    database,
    uid: int,
    lang: str = "hi",
    district: str = "lucknow",
    **kw: Any,
) -> None:  # type: ignore[no-untyped-def]
    await client.create_user(id=uid, first_name=f"A{uid}", language_code=lang, started=True)
    await registered_user(database, uid, language=lang, district=district, **kw)


async def officer(
    client: EmulatorClient,
    database,
    uid: int = OFFICER,
    lang: str = "hi",
    district: str = "lucknow",
) -> Phone:  # type: ignore[no-untyped-def]
    await client.create_user(id=uid, first_name="Officer", language_code=lang, started=True)
    await registered_user(
        database, uid, language=lang, district=district, role="officer", name="अधिकारी"
    )
    return Phone(client, database, uid)


def bot_messages(chat: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in chat["messages"] if m["from"] == "bot"]


async def wait_report(
    client: EmulatorClient,
    uid: int,
    words: str,
    timeout: float = 30,  # noqa: ASYNC109
) -> dict[str, Any]:
    async def found() -> dict[str, Any] | None:
        for m in reversed(bot_messages(await client.chat(uid))):
            if words in (m.get("text") or ""):
                return m
        return None

    return await client.wait_until(found, timeout=timeout, interval=0.1)


async def deliveries(database) -> list[Delivery]:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        return list((await session.exec(select(Delivery).order_by(col(Delivery.id)))).all())


@pytest.mark.usefixtures("bot")
async def test_officer_notice_with_photo_reaches_exactly_the_district(client, database) -> None:  # type: ignore[no-untyped-def]
    hindi = [6101, 6102, 6103]
    await asyncio.gather(*(artisan(client, database, uid) for uid in hindi))
    await artisan(client, database, 6104, lang="en")
    await artisan(client, database, 6105, district="agra")  # another district
    await artisan(client, database, 6106, role="officer")  # not an artisan
    await artisan(client, database, 6107)
    await client.block(6107)  # blocked the bot…

    async def noticed() -> bool:
        async with database.sessions() as session:
            return not (await session.get(User, 6107)).active  # type: ignore[union-attr]

    await client.wait_until(noticed)
    await artisan(client, database, 6108)
    async with database.session() as session:
        # …but say the bot missed that update (it was down): only the send will tell.
        (await session.get(User, 6107)).active = True  # type: ignore[union-attr]
        (await session.get(User, 6108)).active = False  # type: ignore[union-attr]
    phone = await officer(client, database)

    replies = await phone.send("📢 सूचना भेजें")
    assert "हिन्दी" in texts(replies)
    replies = await phone.send(photo=base64.b64encode(make_png(40, 30)).decode(), caption=NOTICE_HI)
    assert "अंग्रेज़ी" in texts(replies)
    await phone.send("/help")  # an unrelated command in the middle changes nothing
    replies = await phone.send(sticker=True)
    assert "कृपया अंग्रेज़ी पाठ भेजें" in texts(replies)
    replies = await phone.press("⏭️")
    shown = texts(replies)
    # The preview: the photo with the Hindi text, the English version with a heading, counts.
    previews = [m for m in replies if m.get("kind") == "photo"]
    assert len(previews) == 2
    assert "&lt;" not in previews[0]["caption"] and "<सभी>" in previews[0]["caption"]
    assert "(in Hindi)" in previews[1]["caption"]
    assert "5" in shown and "हिन्दी: 4" in shown and "अंग्रेज़ी: 1" in shown
    async with database.sessions() as session:
        assert (await session.exec(select(Notice))).all() == []  # nothing sent before confirming

    replies = await phone.press("🚀")
    assert "0 / 5" in texts(replies)
    report = await wait_report(client, OFFICER, "भेज दी")
    assert "5 में से 4" in report["text"]  # delivered 4 of 5: one blocked the bot

    for uid in hindi:
        [notice] = bot_messages(await client.chat(uid))
        assert notice["kind"] == "photo" and "मेला है" in notice["caption"]
        assert "ओडीओपी" in notice["caption"] and "लखनऊ" in notice["caption"]
        assert notice["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ समझ गया / Got it"
    [english] = bot_messages(await client.chat(6104))
    assert english["caption"].startswith("📢 Notice from the ODOP office, Lucknow (in Hindi):")
    assert "मेला है" in english["caption"]
    for uid in (6105, 6106, 6107, 6108):
        assert bot_messages(await client.chat(uid)) == []
    async with database.sessions() as session:
        assert (await session.get(User, 6107)).active is False  # type: ignore[union-attr]
        [notice_row] = (await session.exec(select(Notice))).all()
        assert notice_row.status == NoticeStatus.DONE and notice_row.total == 5
        assert notice_row.media_kind == "photo"
        actions = [a.action for a in (await session.exec(select(AuditEntry))).all()]
        assert "notice.send" in actions
    statuses = sorted(d.status for d in await deliveries(database))
    assert statuses == ["blocked", "sent", "sent", "sent", "sent"]

    # Acknowledgements: two artisans tap "Got it" (one twice); the officer updates the counts.
    a = Phone(client, database, 6101)
    await a.press("समझ गया")
    await a.press("समझ गया")
    await Phone(client, database, 6104).press("Got it")
    answers = (await client.chat(6101))["callback_answers"]
    assert any("धन्यवाद" in (x.get("text") or "") for x in answers)
    updated = await phone.press("🔄", report)
    assert "“समझ गया” दबाया: 4 में से 2" in texts(updated)


@pytest.mark.usefixtures("bot")
async def test_english_officer_with_english_text(client, database) -> None:  # type: ignore[no-untyped-def]
    for uid in range(6201, 6204):
        await artisan(client, database, uid, lang="en", district="agra")
    phone = await officer(client, database, 6200, lang="en", district="agra")
    await phone.send("/notice")
    await phone.send("आगरा में प्रशिक्षण शिविर")
    await phone.send("Training camp in Agra")
    replies = await phone.send("x" * 5000)  # stays on the preview: buttons only
    assert "buttons" in texts(replies)
    replies = await phone.press("Edit")
    replies = await phone.press("English text")
    await phone.send("Training camp in Agra on Monday")
    replies = await phone.transcript()
    preview = [
        m
        for m in replies
        if m["from"] == "bot" and "Training camp in Agra on Monday" in (m.get("text") or "")
    ]
    assert preview and "(in Hindi)" not in preview[-1]["text"]
    await phone.press("Send now")
    await wait_report(client, 6200, "is sent")
    for uid in range(6201, 6204):
        [notice] = bot_messages(await client.chat(uid))
        assert (
            "Training camp in Agra on Monday" in notice["text"] and "प्रशिक्षण" not in notice["text"]
        )


@pytest.mark.usefixtures("bot")
async def test_scheduled_notice_and_cancel(client, database) -> None:  # type: ignore[no-untyped-def]
    await artisan(client, database, 6301)
    phone = await officer(client, database, 6300)
    await phone.send("/notice")
    await phone.send("कल प्रदर्शनी")
    await phone.press("⏭️")
    replies = await phone.press("🌅")
    assert "#" in texts(replies)
    async with database.sessions() as session:
        [notice] = (await session.exec(select(Notice))).all()
        assert notice.status == NoticeStatus.SCHEDULED and notice.send_at is not None
    replies = await phone.press("⛔")
    async with database.sessions() as session:
        [notice] = (await session.exec(select(Notice))).all()
        assert notice.status == NoticeStatus.CANCELLED
    assert await deliveries(database) == []


@pytest.mark.usefixtures("bot")
async def test_due_scheduled_notice_goes_out(client, database) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from models.types import utcnow

    await artisan(client, database, 6401)
    phone = await officer(client, database, 6400)
    async with database.session() as session:
        session.add(
            Notice(
                author_id=6400,
                author_role="officer",
                text_hi="समय पर सूचना",
                districts=["lucknow"],
                status=NoticeStatus.SCHEDULED,
                send_at=utcnow() - timedelta(seconds=1),
            )
        )
    await wait_report(client, 6400, "भेज दी")
    [notice] = bot_messages(await client.chat(6401))
    assert "समय पर सूचना" in notice["text"]
    assert phone.uid == 6400


@pytest.mark.usefixtures("bot")
async def test_429_is_answered_and_honoured(client, database) -> None:  # type: ignore[no-untyped-def]
    ids = list(range(6501, 6506))
    for uid in ids:
        await artisan(client, database, uid)
    phone = await officer(client, database, 6500)
    await phone.send("/notice")
    await phone.send("दर सीमा की जाँच")
    await phone.press("⏭️")
    # From now on Telegram (the emulator) allows 3 messages per second overall.
    await client.configure(global_rate=3.0)
    await phone.press("🚀")
    await wait_report(client, 6500, "भेज दी", timeout=60)
    for uid in ids:
        assert len(bot_messages(await client.chat(uid))) == 1
    calls = await client.calls("sendMessage")
    flood = [c for c in calls if c["error_code"] == 429]
    assert flood, "the emulator should have answered 429 at least once"
    rows = await deliveries(database)
    assert all(r.status == DeliveryStatus.SENT for r in rows)


@pytest.mark.usefixtures("bot")
async def test_officer_stops_a_running_notice(client, database) -> None:  # type: ignore[no-untyped-def]
    ids = list(range(6701, 6707))
    for uid in ids:
        await artisan(client, database, uid)
    phone = await officer(client, database, 6700)
    await phone.send("/notice")
    await phone.send("रोकने की जाँच")
    await phone.press("⏭️")
    await client.configure(global_rate=0.2)  # slow: the notice is still going out
    replies = await phone.press("🚀")
    progress = next(m for m in replies if "⛔" in str(m.get("reply_markup")))
    answered = await phone.press("⛔", progress)
    assert answered is not None
    await client.configure(global_rate=None)
    report = await wait_report(client, 6700, "रोक दी")
    rows = await deliveries(database)
    cancelled = [r for r in rows if r.status == DeliveryStatus.CANCELLED]
    assert cancelled and len(cancelled) + sum(r.status == DeliveryStatus.SENT for r in rows) == 6
    for r in cancelled:
        assert bot_messages(await client.chat(r.chat_id)) == []
    assert "नहीं भेजी गई (रोकी गई)" in report["text"]
    async with database.sessions() as session:
        [notice] = (await session.exec(select(Notice))).all()
        assert notice.status == NoticeStatus.CANCELLED


def _start_bot(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_kill_9_mid_broadcast_resumes_without_duplicates(
    emu, client, database, db_url
) -> None:  # type: ignore[no-untyped-def]
    ids = list(range(6601, 6631))
    for uid in ids:
        await artisan(client, database, uid)
    phone = await officer(client, database, 6600)
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": emu.url,
        "DATABASE_URL": db_url,
        "ADMIN_IDS": str(ADMIN_ID),
        "OUTBOX_RATE": "15",
        "LOG_LEVEL": "WARNING",
    }
    proc = _start_bot(env)
    try:
        await phone.send("/notice")
        await phone.send("बीच में रुकने की जाँच")
        await phone.press("⏭️")
        await phone.press("🚀")

        async def some_sent() -> bool:
            return sum(r.status == DeliveryStatus.SENT for r in await deliveries(database)) >= 10

        await client.wait_until(some_sent, timeout=30, interval=0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        in_flight = sum(r.status == DeliveryStatus.SENDING for r in await deliveries(database))
        sent_before = sum(r.status == DeliveryStatus.SENT for r in await deliveries(database))
        assert sent_before < len(ids)
        proc = _start_bot(env)
        await wait_report(client, 6600, "भेज दी", timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    counts = [len(bot_messages(await client.chat(uid))) for uid in ids]
    assert all(n >= 1 for n in counts), "nobody is left out"
    duplicated = sum(n - 1 for n in counts)
    assert duplicated <= in_flight
    assert all(r.status == DeliveryStatus.SENT for r in await deliveries(database))
