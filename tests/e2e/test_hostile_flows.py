"""Hostile and odd input at every step of every registered conversation, reached through the
real bot: new product (each step, Hindi and English), each field of a product edit, the sale
flow, the import confirmation, appointing an officer, every step of an officer's notice,
/settings and the main menu. At each step the whole corpus (tests/e2e/hostile.py) is sent:
messages, an edit, group and channel updates, forged and stale buttons. Onboarding has its
own walk (test_onboarding_robustness.py)."""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

import pytest

from bot.services import conversation as conversation_service
from handlers import flows
from models import Sale
from tests import photo_samples
from tests.conftest import ADMIN_ID
from tests.e2e.hostile import CORPUS, ODD_UPDATES, Hammer, Step, forged_callbacks
from tests.e2e.phone import Phone
from tests.e2e.seed import product, registered_user

pytestmark = pytest.mark.usefixtures("bot")
DATA = Path(__file__).resolve().parent.parent / "data"
VICTIM = 3900


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def tap(phone: Phone, data: str) -> None:
    """Press the newest button carrying exactly `data` (as a person would)."""
    for message in reversed(await phone.transcript()):
        markup = message.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            if any(b.get("callback_data") == data for b in row):
                await phone.press_data(message["message_id"], data)
                return
    raise AssertionError(f"no button {data!r} on screen")


async def message_with(phone: Phone, data: str) -> int:
    """The id of the newest message that shows a button with `data`."""
    for message in reversed(await phone.transcript()):
        if data in str(message.get("reply_markup")):
            return message["message_id"]
    raise AssertionError(f"no message with {data!r}")


async def victim(database) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Another artisan with a product and a sale: ids a forger might try."""
    await registered_user(database, VICTIM, name="दूसरी")
    pid = await product(database, VICTIM, "दूसरे का कुर्ता", 50_000)
    async with database.session() as session:
        sale = Sale(
            user_id=VICTIM,
            district_code="lucknow",
            product_id=pid,
            quantity=1,
            unit_price_paise=50_000,
            total_paise=50_000,
            sold_on=date(2026, 11, 2),
        )
        session.add(sale)
        await session.flush()
        assert sale.id is not None
        return pid, sale.id


async def hammer_for(phone_for, client, database, uid: int, lang: str, **user) -> Hammer:  # type: ignore[no-untyped-def]
    other_product, other_sale = await victim(database)
    await registered_user(database, uid, language=lang, **user)
    phone = await phone_for(uid, "Seema", lang)
    hammer = Hammer(phone, client, database, lang, forged_callbacks(other_product, other_sale))
    await hammer.setup()
    return hammer


async def finished_sale(phone: Phone) -> list[tuple[int, str]]:
    """Record a sale to the end; its buttons (product, quantity, confirm) are stale after."""
    stale = []
    await phone.send("/cancel")
    replies = await phone.send("आज 3 कुर्ते 450 में बेचे")
    kind = replies[-1]
    stale.append((kind["message_id"], "s:k:unit"))
    confirm = await phone.press_data(kind["message_id"], "s:k:unit")
    stale.append((confirm[-1]["message_id"], "s:ok"))
    await phone.press_data(confirm[-1]["message_id"], "s:ok")
    return stale


LABELS = {
    "hi": {"new": "➕ नया उत्पाद", "name": "चिकनकारी सूती कुर्ता", "skip": "⏭️ छोड़ें"},
    "en": {"new": "➕ New product", "name": "Chikankari cotton kurta", "skip": "⏭️ Skip"},
}


def product_steps(phone: Phone, lang: str) -> list[Step]:
    label = LABELS[lang]

    async def name() -> None:
        await phone.send("/cancel")
        await phone.send(label["new"])

    async def category() -> None:
        await name()
        await phone.send(label["name"])

    async def price() -> None:
        await category()
        await tap(phone, "pn:cat:kurta")

    async def stock() -> None:
        await price()
        await phone.send("₹1,200")

    async def photos() -> None:
        await stock()
        await phone.send("10")

    async def description() -> None:
        await photos()
        await phone.send(photo=b64(photo_samples.good_photo(1)))
        await tap(phone, "pn:done")

    async def material() -> None:
        await description()
        await phone.send(label["skip"])

    async def size() -> None:
        await material()
        await phone.send(label["skip"])

    async def summary() -> None:
        await size()
        await phone.send(label["skip"])

    flow = "product"
    return [
        Step("name", name, flow, free_text=True),
        Step("category", category, flow),
        Step("price", price, flow),
        Step("stock", stock, flow),
        Step("photos", photos, flow),
        Step("description", description, flow, free_text=True),
        Step("material", material, flow, free_text=True),
        Step("size", size, flow, free_text=True),
        Step("summary", summary, flow),
    ]


async def test_every_new_product_step_in_hindi(phone_for, client, database) -> None:  # type: ignore[no-untyped-def]
    hammer = await hammer_for(phone_for, client, database, 3901, "hi")
    await product(database, 3901, "कुर्ता", 45_000)
    hammer.stale = await finished_sale(hammer.phone)
    steps = product_steps(hammer.phone, "hi")
    assert {s.name for s in steps} == set(flows.FLOWS["product"].steps)
    for step in steps:
        await hammer.hammer(step)


async def test_every_new_product_step_in_english(phone_for, client, database) -> None:  # type: ignore[no-untyped-def]
    """The messages of the corpus in English (the forged and stale buttons go through the same
    code whatever the language; the Hindi walk sends them at every step)."""
    hammer = await hammer_for(phone_for, client, database, 3902, "en")
    for step in product_steps(hammer.phone, "en"):
        await hammer.hammer(step, [*CORPUS, *ODD_UPDATES])


async def test_every_product_edit_field(phone_for, client, database) -> None:  # type: ignore[no-untyped-def]
    hammer = await hammer_for(phone_for, client, database, 3903, "hi")
    phone = hammer.phone
    pid = await product(database, 3903, "चिकन कुर्ता", 45_000)

    def edit(field: str):  # type: ignore[no-untyped-def]
        async def reach() -> None:
            await phone.send("/cancel")
            await phone.send("📦 मेरे उत्पाद")
            await tap(phone, f"p:open:{pid}")
            if field == "photos":
                await tap(phone, f"p:ph:{pid}")
                await tap(phone, f"p:pha:{pid}")
            else:
                await tap(phone, f"p:e:{pid}:{field}")

        return reach

    # Stale buttons: the card of a product deleted since, and its delete confirmation.
    gone = await product(database, 3903, "पुराना दीया", 9_000)
    await phone.send("📦 मेरे उत्पाद")
    await tap(phone, f"p:open:{gone}")
    await tap(phone, f"p:del:{gone}")
    confirmation = await message_with(phone, f"p:delok:{gone}")
    await tap(phone, f"p:delok:{gone}")
    hammer.stale = [
        (await message_with(phone, f"p:e:{gone}:price"), f"p:e:{gone}:price"),
        (confirmation, f"p:delok:{gone}"),
    ]
    fields = sorted(flows.FLOWS["product_edit"].steps)
    for field in fields:
        free = field in ("name", "description", "material", "size")
        await hammer.hammer(Step(field, edit(field), "product_edit", free_text=free))


async def test_every_sale_step_import_and_settings(phone_for, client, database) -> None:  # type: ignore[no-untyped-def]
    hammer = await hammer_for(phone_for, client, database, 3904, "hi")
    phone = hammer.phone
    await product(database, 3904, "कुर्ता", 45_000, stock=50)
    hammer.stale = await finished_sale(phone)

    async def menu() -> None:
        await phone.send("/cancel")

    async def pick() -> None:
        await menu()
        await phone.send("💰 बिक्री दर्ज करें")

    async def quantity() -> None:
        await pick()
        await phone.press("कुर्ता")

    async def price() -> None:
        await quantity()
        await phone.press("2")

    async def channel() -> None:
        await price()
        await phone.press("₹450")

    async def kind() -> None:
        await menu()
        await phone.send("आज 3 कुर्ते 450 में बेचे")

    async def confirm() -> None:
        await kind()
        await tap(phone, "s:k:unit")

    async def import_confirm() -> None:
        await menu()
        await phone.send(
            document=b64((DATA / "template_orders.csv").read_bytes()),
            file_name="orders.csv",
            mime_type="text/csv",
        )

    async def settings() -> None:
        await menu()
        await phone.send("/settings")

    steps = [
        Step("product", pick, "sale"),
        Step("quantity", quantity, "sale"),
        Step("price", price, "sale"),
        Step("channel", channel, "sale"),
        Step("kind", kind, "sale"),
        Step("confirm", confirm, "sale"),
    ]
    assert {s.name for s in steps} == set(flows.FLOWS["sale"].steps)
    await hammer.hammer(Step("main menu", menu, None))
    for step in steps:
        await hammer.hammer(step)
    await hammer.hammer(Step("confirm", import_confirm, "import"))
    await hammer.hammer(Step("settings", settings, None))


async def test_every_officer_step(phone_for, client, database) -> None:  # type: ignore[no-untyped-def]
    hammer = await hammer_for(phone_for, client, database, ADMIN_ID, "hi", role="admin")
    phone = hammer.phone

    async def person() -> None:
        await phone.send("/cancel")
        await phone.send("/appoint आगरा")

    async def text_hi() -> None:
        await phone.send("/cancel")
        await phone.send("/notice")

    async def text_en() -> None:
        await text_hi()
        await phone.send("कल आगरा में मेला है")

    async def target() -> None:
        await text_en()
        await tap(phone, "nb:skipen")

    async def districts() -> None:
        await target()
        await tap(phone, "nb:t:d")

    async def preview() -> None:
        await districts()
        await phone.send("आगरा, लखनऊ")

    async def time() -> None:
        await preview()
        await tap(phone, "nb:at")

    await hammer.hammer(Step("person", person, "appoint"))
    steps = [
        Step("text_hi", text_hi, "notice", free_text=True, media=True),
        Step("text_en", text_en, "notice", free_text=True),
        Step("target", target, "notice"),
        Step("districts", districts, "notice"),
        Step("preview", preview, "notice"),
        Step("time", time, "notice"),
    ]
    assert {s.name for s in steps} == set(flows.FLOWS["notice"].steps)
    for step in steps:
        await hammer.hammer(step)
    async with database.sessions() as session:
        assert await conversation_service.get(session, ADMIN_ID) is not None


async def test_settings_button_with_a_superscript_digit(phone_for, client, database) -> None:  # type: ignore[no-untyped-def]
    hammer = await hammer_for(phone_for, client, database, 3905, "hi")

    async def settings() -> None:
        await hammer.phone.send("/settings")

    await hammer.hammer(Step("settings", settings, None), [{"press": "st:day:²"}])
