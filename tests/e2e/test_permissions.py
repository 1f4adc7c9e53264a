"""Every privileged command and button × every role: an artisan, the officer of Lucknow
acting on Agra, and an admin. Who may not gets a plain "not allowed" and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from models import AuditEntry, Delivery, Notice, OfficerInvite, User
from models.notice import NoticeStatus
from tests.conftest import ADMIN_ID
from tests.e2e.phone import Phone, texts
from tests.e2e.seed import registered_user

pytestmark = pytest.mark.usefixtures("bot")

ARTISAN, OFFICER, AGRA_OFFICER, TARGET = 8001, 8002, 8003, 8004
NOT_ALLOWED = "not allowed"

# (what is sent, who may: a set of roles), with Lucknow's officer acting on Agra.
COMMANDS: list[tuple[str, set[str]]] = [
    (f"/appoint {TARGET} Agra", {"admin"}),
    ("/appoint Agra", {"admin"}),
    ("/invite Agra", {"admin"}),
    (f"/move {AGRA_OFFICER} Agra", {"admin"}),
    (f"/removeofficer {AGRA_OFFICER}", {"admin"}),
    ("/officers", {"admin"}),
    ("/audit", {"admin"}),
    ("/notice", {"officer", "admin"}),
    ("/stats", {"officer", "admin"}),
    ("/stats Agra", {"admin"}),
    ("/export artisans", {"officer", "admin"}),
    ("/export sales Agra", {"admin"}),
    ("/export products Agra", {"admin"}),
    ("📢 Send a notice", {"officer", "admin"}),
    ("📊 Statistics", {"officer", "admin"}),
    ("📥 Export", {"officer", "admin"}),
]


async def snapshot(database) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        counts = {
            model.__name__: (await session.exec(select(func.count()).select_from(model))).one()
            for model in (AuditEntry, Notice, Delivery, OfficerInvite)
        }
        users = (await session.exec(select(User).order_by(User.id))).all()  # type: ignore[arg-type]
        counts["users"] = [(u.id, u.role, u.district_code, u.is_registered) for u in users]
        notices = (await session.exec(select(Notice).order_by(Notice.id))).all()  # type: ignore[arg-type]
        counts["notices"] = [(n.id, n.status) for n in notices]
        return counts


async def setup(client, database) -> dict[str, Phone]:  # type: ignore[no-untyped-def]
    people = {
        "artisan": (ARTISAN, "artisan", "lucknow"),
        "officer": (OFFICER, "officer", "lucknow"),
        "admin": (ADMIN_ID, "admin", None),
    }
    phones = {}
    for key, (uid, role, district) in people.items():
        await client.create_user(id=uid, first_name=key, language_code="en", started=True)
        await registered_user(
            database, uid, language="en", district=district or "lucknow", role=role
        )
        phones[key] = Phone(client, database, uid)
    await client.create_user(id=AGRA_OFFICER, first_name="agra", language_code="en", started=True)
    await registered_user(database, AGRA_OFFICER, language="en", district="agra", role="officer")
    await client.create_user(id=TARGET, first_name="target", language_code="en", started=True)
    await registered_user(database, 8005, language="en", district="agra")  # an Agra artisan
    async with database.session() as session:
        # A notice of Agra's officer, still sending (its one delivery is far in the future).
        from datetime import timedelta

        from models.types import utcnow

        notice = Notice(
            author_id=AGRA_OFFICER, author_role="officer", text_hi="आगरा", districts=["agra"],
            status=NoticeStatus.SENDING, started_at=utcnow(), total=1,
        )  # fmt: skip
        session.add(notice)
        await session.flush()
        session.add(
            Delivery(
                owner_kind="notice",
                owner_id=notice.id or 0,
                chat_id=8005,
                payload={"kind": "text", "text": "x"},
                next_attempt_at=utcnow() + timedelta(days=1),
            )
        )
    return phones


@pytest.mark.parametrize("who", ["artisan", "officer", "admin"])
async def test_every_privileged_command(client, database, who: str) -> None:  # type: ignore[no-untyped-def]
    phones = await setup(client, database)
    phone = phones[who]
    for command, allowed in COMMANDS:
        before = await snapshot(database)
        shown = texts(await phone.send(command))
        if who in allowed:
            assert NOT_ALLOWED not in shown, (who, command, shown)
        else:
            assert f"⛔ Sorry, you are {NOT_ALLOWED} to do this." in shown, (who, command, shown)
            assert await snapshot(database) == before, (who, command)
        await phone.send("/cancel")  # leave any flow the command opened


@pytest.mark.parametrize("who", ["artisan", "officer", "admin"])
async def test_every_privileged_button(client, database, who: str) -> None:  # type: ignore[no-untyped-def]
    phones = await setup(client, database)
    phone = phones[who]
    async with database.sessions() as session:
        [notice] = (await session.exec(select(Notice))).all()
    # Buttons are pressed on a message of the bot's own, as a forged or stale press would be.
    [anchor] = [m for m in await phone.send("/help") if m["from"] == "bot"][-1:]
    buttons: list[tuple[str, set[str]]] = [
        (f"n:st:{notice.id}", {"admin"}),  # counts of another officer's notice
        (f"n:stop:{notice.id}", {"admin"}),  # stop another district's notice
        ("ex:artisans", {"officer", "admin"}),
        ("ex:sales", {"officer", "admin"}),
    ]
    for data, allowed in buttons:
        before = await snapshot(database)
        messages = len(await phone.transcript())
        await phone.press_data(anchor["message_id"], data)
        answers = (await client.chat(phone.uid, after=0))["callback_answers"]
        last = answers[-1]
        if who in allowed:
            assert NOT_ALLOWED not in (last.get("text") or ""), (who, data)
        else:
            assert last.get("show_alert") and NOT_ALLOWED in last["text"], (who, data, last)
            assert await snapshot(database) == before, (who, data)
            assert len(await phone.transcript()) == messages  # no message either
    # Composing buttons outside the flow: stale for staff, not allowed for artisans.
    for data in ("nb:now", "nb:paid", "nb:t:state", "nb:x"):
        before = await snapshot(database)
        await phone.press_data(anchor["message_id"], data)
        last = (await client.chat(phone.uid))["callback_answers"][-1]
        assert last.get("show_alert"), (who, data)
        expected = NOT_ALLOWED if who == "artisan" else "no longer active"
        assert expected in last["text"], (who, data, last)
        assert await snapshot(database) == before
    # "Got it" on a notice the person never received: refused, nothing counted.
    await phone.press_data(anchor["message_id"], f"n:ack:{notice.id}")
    last = (await client.chat(phone.uid))["callback_answers"][-1]
    assert last.get("show_alert") and "no longer active" in last["text"]


async def test_paid_broadcast_only_for_admins(client, database) -> None:  # type: ignore[no-untyped-def]
    phones = await setup(client, database)
    officer = phones["officer"]
    await officer.send("/notice")
    await officer.send("सूचना")
    replies = await officer.press("No English text")
    assert "Paid broadcast" not in str([m.get("reply_markup") for m in replies])
    preview = await officer.message_with_button("Send now")
    before = await snapshot(database)
    await officer.press_data(preview["message_id"], "nb:paid")
    last = (await client.chat(officer.uid))["callback_answers"][-1]
    assert NOT_ALLOWED in last["text"] and await snapshot(database) == before

    admin = phones["admin"]
    await admin.send("/notice")
    await admin.send("सूचना")
    await admin.press("No English text")
    await admin.press("The whole state")
    shown = texts(await admin.press("Paid broadcast: off"))
    assert "paid broadcast" in shown and "⭐" in shown
    await admin.press("Send now")
    async with database.sessions() as session:
        sent = (await session.exec(select(Notice).where(Notice.author_id == ADMIN_ID))).one()
        assert sent.paid
        rows = (await session.exec(select(Delivery).where(Delivery.owner_id == sent.id))).all()
        assert rows and all(r.payload.get("paid") for r in rows)
