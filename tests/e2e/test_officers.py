"""Officers and admins end to end: staff onboarding, appointing (by id, forwarded message,
invite code), moving and removing officers, the audit log, /stats against seeded data, and
/export files read back with openpyxl."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, date, datetime

import pytest
import time_machine
from openpyxl import load_workbook
from sqlmodel import select

from bot.emulator.client import EmulatorClient
from models import AuditEntry, OfficerInvite, Sale, User
from tests.conftest import ADMIN_ID
from tests.e2e.phone import Phone, texts
from tests.e2e.seed import product, registered_user

pytestmark = pytest.mark.usefixtures("bot")

# Monday 23 November 2026, 10:00 IST: FY 2026-27, quarter 3 (October-December).
NOW = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)


async def admin_phone(client: EmulatorClient, database, lang: str = "en") -> Phone:  # type: ignore[no-untyped-def]
    await client.create_user(id=ADMIN_ID, first_name="Asha", last_name="Admin", language_code=lang)
    phone = Phone(client, database, ADMIN_ID)
    await phone.send("/start")
    return phone


async def get_user(database, uid: int) -> User | None:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        return await session.get(User, uid)


async def audit_actions(database) -> list[tuple[str, int | None, str | None]]:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        rows = (await session.exec(select(AuditEntry).order_by(AuditEntry.id))).all()  # type: ignore[arg-type]
        return [(r.action, r.target_user_id, r.district_code) for r in rows]


@pytest.mark.parametrize("lang", ["en", "hi"])
async def test_admin_first_start_skips_artisan_questions(client, database, lang: str) -> None:  # type: ignore[no-untyped-def]
    await client.create_user(id=ADMIN_ID, first_name="Asha", language_code=lang)
    phone = Phone(client, database, ADMIN_ID)
    shown = texts(await phone.send("/start"))
    assert ("state admin" in shown) if lang == "en" else ("राज्य एडमिन" in shown)
    keyboard = await phone.reply_keyboard()
    assert ("📢 Send a notice" if lang == "en" else "📢 सूचना भेजें") in keyboard
    assert ("📊 Statistics" if lang == "en" else "📊 आँकड़े") in keyboard
    user = await get_user(database, ADMIN_ID)
    assert user is not None and user.is_registered and user.role == "admin"
    assert user.name == "Asha" and user.craft_group is None
    details = texts(await phone.send("👤 My details" if lang == "en" else "👤 मेरी जानकारी"))
    assert "Asha" in details
    assert "/appoint" in texts(await phone.send("/help"))


async def test_appoint_by_id_move_remove_and_audit(client, database) -> None:  # type: ignore[no-untyped-def]
    admin = await admin_phone(client, database)
    await client.create_user(id=7001, first_name="Ravi", language_code="hi")
    shown = texts(await admin.send("/appoint 7001 lakhnau"))
    assert "7001" in shown and "Lucknow" in shown
    officer = await get_user(database, 7001)
    assert officer is not None and officer.role == "officer" and officer.district_code == "lucknow"
    assert officer.is_registered

    # The new officer's /start shows the staff menu in their language.
    phone = Phone(client, database, 7001)
    await phone.send("/start")
    assert "📢 सूचना भेजें" in await phone.reply_keyboard()

    assert "Agra" in texts(await admin.send("/move 7001 आगरा"))
    assert (await get_user(database, 7001)).district_code == "agra"  # type: ignore[union-attr]
    shown = texts(await admin.send("/officers"))
    assert "Agra" in shown and "7001" in shown
    assert "no longer" in texts(await admin.send("/removeofficer 7001"))
    removed = await get_user(database, 7001)
    assert removed is not None and removed.role == "artisan" and not removed.is_registered
    # Mistakes change nothing.
    assert "not a district officer" in texts(await admin.send("/removeofficer 7001"))
    assert "could not find" in texts(await admin.send("/appoint 7001 Atlantis"))
    assert "state admin" in texts(await admin.send(f"/appoint {ADMIN_ID} Agra"))

    assert await audit_actions(database) == [
        ("officer.appoint", 7001, "lucknow"),
        ("officer.move", 7001, "agra"),
        ("officer.remove", 7001, "agra"),
    ]
    log = texts(await admin.send("/audit"))
    assert "appointed officer" in log and "moved officer" in log and "removed officer" in log
    assert log.index("removed officer") < log.index("appointed officer")  # newest first


async def test_appoint_by_forwarded_message(emu, client, database) -> None:  # type: ignore[no-untyped-def]
    admin = await admin_phone(client, database)
    shown = texts(await admin.send("/appoint Varanasi"))
    assert "forward" in shown
    shown = texts(await admin.send(sticker=True))
    assert "forward a message" in shown
    # A message from Meena (7002), forwarded by the admin (the emulator's web page cannot
    # forward, so the update is put in its queue directly).
    before = await admin.seq()
    chat = {"id": ADMIN_ID, "type": "private", "first_name": "Asha"}
    update_id = emu.emulator._emit(
        "message",
        {
            "message_id": 9999,
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Asha"},
            "text": "नमस्ते, मैं मीना हूँ",
            "forward_origin": {
                "type": "user",
                "date": int(time.time()) - 60,
                "sender_user": {"id": 7002, "is_bot": False, "first_name": "Meena"},
            },
        },
    )
    await admin.processed(update_id)
    replies = [
        m for m in (await client.chat(ADMIN_ID, after=before))["messages"] if m["from"] == "bot"
    ]
    assert "Meena" in texts(replies) and "Varanasi" in texts(replies)
    officer = await get_user(database, 7002)
    assert officer is not None and officer.role == "officer" and officer.district_code == "varanasi"
    assert officer.name == "Meena"
    async with database.sessions() as session:
        [entry] = (await session.exec(select(AuditEntry))).all()
        assert entry.details.get("via") == "forward"


async def test_invite_code_once(client, database) -> None:  # type: ignore[no-untyped-def]
    admin = await admin_phone(client, database)
    shown = texts(await admin.send("/invite Gorakhpur"))
    async with database.sessions() as session:
        [invite] = (await session.exec(select(OfficerInvite))).all()
    assert invite.code in shown and invite.district_code == "gorakhpur"
    # A new person opens the link: no artisan onboarding, straight to officer.
    await client.create_user(id=7003, first_name="Suresh", language_code="hi")
    phone = Phone(client, database, 7003)
    shown = texts(await phone.send(f"/start {invite.code}"))
    assert "गोरखपुर" in shown and "अधिकारी" in shown
    officer = await get_user(database, 7003)
    assert (
        officer is not None and officer.role == "officer" and officer.district_code == "gorakhpur"
    )
    # Used once only.
    await client.create_user(id=7004, first_name="Other", language_code="en")
    other = Phone(client, database, 7004)
    assert "already been used" in texts(await other.send(f"/start {invite.code}"))
    assert "not valid" in texts(await other.send("/start OFFNOSUCHCODE"))
    assert (await get_user(database, 7004)) is None or not (
        await get_user(database, 7004)
    ).is_registered  # type: ignore[union-attr]
    assert ("officer.appoint", 7003, "gorakhpur") in await audit_actions(database)


# --- /stats and /export --------------------------------------------------------------------


async def seed_district(database) -> None:  # type: ignore[no-untyped-def]
    """Lucknow: 3 artisans (one seen 10 days ago, one blocked); Agra: 1 artisan."""
    await registered_user(database, 7101, district="lucknow", name="सीमा")
    await registered_user(database, 7102, district="lucknow", name="Ravi", language="en")
    await registered_user(database, 7103, district="lucknow", name="Geeta")
    await registered_user(database, 7201, district="agra", name="Aslam", craft_group="leather")
    async with database.session() as session:
        ravi = await session.get(User, 7102)
        ravi.last_seen_at = datetime(2026, 11, 13, 6, 0, tzinfo=UTC)  # type: ignore[union-attr]
        ravi.phone = "+919876543210"  # type: ignore[union-attr]
        geeta = await session.get(User, 7103)
        geeta.active = False  # type: ignore[union-attr]
        geeta.last_seen_at = datetime(2026, 9, 1, tzinfo=UTC)  # type: ignore[union-attr]
        seema = await session.get(User, 7101)
        seema.last_seen_at = NOW  # type: ignore[union-attr]
        aslam = await session.get(User, 7201)
        aslam.last_seen_at = NOW  # type: ignore[union-attr]
    kurta = await product(database, 7101, "कुर्ता", 45_000)
    dupatta = await product(database, 7102, "Dupatta", 30_000)
    shoes = await product(database, 7201, "Juti", 80_000)

    def sale(uid: int, pid: int, district: str, group: str, qty: int, unit: int, day: date) -> Sale:
        return Sale(
            user_id=uid, district_code=district, craft_group=group, product_id=pid, quantity=qty,
            unit_price_paise=unit, total_paise=qty * unit, sold_on=day, channel="local",
        )  # fmt: skip

    async with database.session() as session:
        session.add_all(
            [
                sale(7101, kurta, "lucknow", "textile", 2, 45_000, date(2026, 11, 23)),  # this week
                sale(
                    7102, dupatta, "lucknow", "textile", 1, 30_000, date(2026, 11, 17)
                ),  # last week
                sale(
                    7101, kurta, "lucknow", "textile", 10, 45_000, date(2026, 10, 5)
                ),  # last month
                sale(7101, kurta, "lucknow", "textile", 4, 50_000, date(2026, 5, 5)),  # Q1 this FY
                sale(7201, shoes, "agra", "leather", 3, 80_000, date(2026, 11, 20)),
            ]
        )


async def test_officer_stats_match_seeded_data(client, database) -> None:  # type: ignore[no-untyped-def]
    await seed_district(database)
    await client.create_user(id=7300, first_name="Officer", language_code="hi")
    await registered_user(database, 7300, role="officer", district="lucknow", name="अधिकारी")
    phone = Phone(client, database, 7300)
    with time_machine.travel(NOW, tick=True):
        shown = texts(await phone.send("/stats"))
    assert "लखनऊ" in shown and "आगरा" not in shown
    assert "पंजीकृत कारीगर: 3" in shown
    assert "पिछले 7 दिनों में सक्रिय: 1 · 30 दिनों में: 2" in shown
    assert "बॉट ब्लॉक किया: 1" in shown
    assert "लिस्ट किए उत्पाद: 2" in shown
    # Week: ₹900 against ₹300 last week; month: ₹1,200 against ₹4,500 in October;
    # quarter (Oct-Dec): ₹5,700 against nothing; FY: ₹5,700 + ₹2,000 in May = ₹7,700.
    assert "हफ़्ता: 1 बिक्री, ₹900 (+200%)" in shown
    assert "महीना: 2 बिक्री, ₹1,200 (-73%)" in shown
    assert "3 बिक्री, ₹5,700 (—)" in shown
    assert "4 बिक्री, ₹7,700 (—)" in shown
    assert "कुर्ता: 16 × = ₹7,400" in shown  # top product this FY
    # An officer cannot look at another district.
    assert "अनुमति नहीं" in texts(await phone.send("/stats आगरा"))


async def test_admin_stats_state_and_districts(client, database) -> None:  # type: ignore[no-untyped-def]
    await seed_district(database)
    with time_machine.travel(NOW, tick=True):
        admin = await admin_phone(client, database)
        shown = texts(await admin.send("/stats"))
        assert "Uttar Pradesh (all districts)" in shown
        assert "Artisans registered: 4" in shown
        assert "₹10,100" in shown  # FY: ₹7,700 Lucknow + ₹2,400 Agra
        top = shown[shown.index("Top districts") :]
        assert top.index("Lucknow") < top.index("Agra")
        agra = texts(await admin.send("/stats Agra"))
        assert "Agra" in agra and "₹2,400" in agra and "Lucknow" not in agra


async def _files(client: EmulatorClient, messages: list[dict]) -> dict[str, bytes]:  # type: ignore[type-arg]
    found = {}
    for m in messages:
        doc = (m.get("document") or {}) if isinstance(m.get("document"), dict) else {}
        if doc:
            found[doc["file_name"].rsplit(".", 1)[1]] = await client.file_bytes(doc["file_id"])
    return found


async def test_exports_by_role(client, database) -> None:  # type: ignore[no-untyped-def]
    await seed_district(database)
    await client.create_user(id=7300, first_name="Officer", language_code="en")
    await registered_user(
        database, 7300, role="officer", district="lucknow", name="Officer", language="en"
    )
    officer = Phone(client, database, 7300)
    with time_machine.travel(NOW, tick=True):
        replies = await officer.send("/export artisans")
        files = await _files(client, replies)
        rows = list(load_workbook(io.BytesIO(files["xlsx"])).active.iter_rows(values_only=True))
        assert rows[0][0] == "User id" and "Mobile" not in rows[0]
        assert sorted(r[0] for r in rows[1:]) == [7101, 7102, 7103]  # Lucknow only, no phones
        text = files["csv"].decode("utf-8-sig")
        assert "+919876543210" not in text and "Aslam" not in text
        assert len(list(csv.reader(io.StringIO(text)))) == 4

        replies = await officer.send("/export sales month")
        rows = list(
            load_workbook(io.BytesIO((await _files(client, replies))["xlsx"])).active.iter_rows(
                values_only=True
            )
        )
        assert [(r[2], r[7], r[9]) for r in rows[1:]] == [
            ("lucknow", 1, 300.0),
            ("lucknow", 2, 900.0),
        ]
        assert "not allowed" in texts(await officer.send("/export sales Agra"))

        admin = await admin_phone(client, database)
        replies = await admin.send("/export artisans")
        rows = list(
            load_workbook(io.BytesIO((await _files(client, replies))["xlsx"])).active.iter_rows(
                values_only=True
            )
        )
        assert rows[0][-1] == "Mobile"
        assert sorted(r[0] for r in rows[1:]) == [7101, 7102, 7103, 7201]  # artisans only
        assert "+919876543210" in [r[-1] for r in rows]
