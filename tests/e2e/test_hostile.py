"""Hostile and odd input at every step of the sale flow and at the main menu: a clear answer
in the user's language, never a traceback, nothing stored changes."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import Conversation, Product, Sale
from tests.e2e.hostile import CORPUS, hindi_problem
from tests.e2e.phone import texts
from tests.e2e.seed import product, registered_user

pytestmark = pytest.mark.usefixtures("bot")
APOLOGY = "कुछ गड़बड़"


async def state(database, uid: int):  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        conv = await session.get(Conversation, uid)
        sales = (await session.exec(select(Sale).where(Sale.user_id == uid))).all()
        stock = [
            (p.id, p.stock)
            for p in (await session.exec(select(Product).where(Product.user_id == uid))).all()
        ]
        return (conv.flow, conv.step, conv.data) if conv else None, len(sales), stock


async def hammer(phone, database) -> None:  # type: ignore[no-untyped-def]
    before = await state(database, phone.uid)
    for odd in CORPUS:
        replies = await phone.send(**odd)
        assert replies, f"no answer to {str(odd)[:60]}"
        shown = texts(replies)
        assert APOLOGY not in shown, (odd, shown)
        assert "Traceback" not in shown
        assert hindi_problem(shown, odd.get("text") or "") is None, (odd, shown)
        assert await state(database, phone.uid) == before, str(odd)[:80]


async def test_hostile_input_at_every_sale_step(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    await registered_user(database, 3101, language="hi")
    phone = await phone_for(3101, "Seema", "hi")
    await product(database, 3101, "कुर्ता", 45_000, stock=9)
    await hammer(phone, database)  # at the main menu (no flow)
    await phone.send("💰 बिक्री दर्ज करें")
    await hammer(phone, database)  # product step
    await phone.press("कुर्ता")
    await hammer(phone, database)  # quantity step
    await phone.press("2")
    await hammer(phone, database)  # price step
    await phone.send("कुर्ता 450 में बेचा")  # still in the flow: typed as a price → refused
    await phone.send("/cancel")
    replies = await phone.send("आज 3 कुर्ते 450 में बेचे")
    assert any("s:k:unit" in str(m.get("reply_markup")) for m in replies)
    await hammer(phone, database)  # "per piece or total?" step
    await phone.press_data(replies[-1]["message_id"], "s:k:unit")
    await hammer(phone, database)  # confirm step
    assert (await state(database, 3101))[1] == 0
