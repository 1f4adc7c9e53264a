"""/privacy, /mydata and /deleteme end to end: the copy is complete, the erase is real."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import String, Text, select
from sqlalchemy.types import JSON

from models import Sale, metadata
from tests.e2e.phone import texts
from tests.e2e.seed import product, registered_user

pytestmark = pytest.mark.usefixtures("bot")

NAME, PHONE = "गुलनाज़ बानो", "+919812345678"


async def seed(database, phone_for, uid: int, lang: str):  # type: ignore[no-untyped-def]
    await registered_user(database, uid, language=lang, name=NAME)
    async with database.session() as session:
        from models import User

        user = await session.get(User, uid)
        assert user is not None
        user.phone = PHONE
        session.add(user)
    phone = await phone_for(uid, "Gulnaz", lang)
    await product(database, uid, "ज़रदोज़ी बटुआ", 60_000, stock=5)
    return phone


@pytest.mark.parametrize("lang", ["hi", "en"])
async def test_privacy_explains(phone_for, database, lang: str) -> None:  # type: ignore[no-untyped-def]
    phone = await seed(database, phone_for, 2301 if lang == "hi" else 2302, lang)
    shown = texts(await phone.send("/privacy"))
    assert "/mydata" in shown and "/deleteme" in shown
    assert ("अधिकारी" in shown) if lang == "hi" else ("district officer" in shown)


async def test_mydata_sends_everything(phone_for, database, client) -> None:  # type: ignore[no-untyped-def]
    phone = await seed(database, phone_for, 2303, "hi")
    replies = await phone.send("आज 2 ज़रदोज़ी बटुआ 600 प्रति पीस बेचे")
    await phone.press_data(replies[-1]["message_id"], "s:ok")
    replies = await phone.send("/mydata")
    [doc] = [m for m in replies if m.get("document")]
    data = json.loads(await client.file_bytes(doc["document"]["file_id"]))
    assert data["user"]["name"] == NAME and data["user"]["phone"] == PHONE
    assert data["products"][0]["name"] == "ज़रदोज़ी बटुआ"
    assert data["sales"][0]["total_paise"] == 120_000


async def test_deleteme_leaves_no_personal_data(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await seed(database, phone_for, 2304, "en")
    replies = await phone.send("sold 2 ज़रदोज़ी बटुआ 600 each")
    await phone.press_data(replies[-1]["message_id"], "s:ok")
    async with database.session() as session:  # a summary waiting in the outbox names a product
        from bot.services.broadcast import enqueue_deliveries, payload

        await enqueue_deliveries(
            session,
            "summary",
            0,
            [(2304, payload("ज़रदोज़ी बटुआ: ₹1,200"))],
            not_before=datetime(2100, 1, 1, tzinfo=UTC),
        )
    await phone.send("/deleteme")
    # "No" keeps everything.
    await phone.press("No, keep it")
    async with database.sessions() as session:
        assert (await session.exec(select(Sale))).all()[0][0].user_id == 2304
    await phone.send("/deleteme")
    done = texts(await phone.press("Yes, delete my data"))
    assert "deleted" in done
    needles = [NAME, PHONE, "ज़रदोज़ी बटुआ", "Gulnaz"]
    async with database.sessions() as session:
        for table in metadata.sorted_tables:
            text_columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            id_columns = [
                c
                for c in table.columns
                if c.name in ("user_id", "chat_id", "id")
                and table.name in ("users", "conversations")
            ]
            for row in (
                await session.execute(select(*(text_columns or list(table.columns))))
            ).all():
                blob = json.dumps([str(v) for v in row], ensure_ascii=False)
                for needle in needles:
                    assert needle not in blob, (table.name, needle)
            for column in id_columns:
                assert 2304 not in (await session.execute(select(column))).scalars().all(), (
                    table.name
                )
        sales = (await session.execute(select(Sale))).scalars().all()
        assert len(sales) == 1 and sales[0].user_id is None and sales[0].total_paise == 120_000
        assert sales[0].district_code == "lucknow"
    # The next message starts afresh.
    again = texts(await phone.send("hello"))
    assert "language" in again.lower() or "भाषा" in again
