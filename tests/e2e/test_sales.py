"""Sales end to end: by buttons, by one typed line (a table), undo/delete, reports, the chart,
and order-report imports — the real Application over HTTP through the emulator."""

from __future__ import annotations

import base64
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from PIL import Image
from sqlmodel import select

from models import Product, Sale
from tests.e2e.phone import Phone, texts
from tests.e2e.seed import product, registered_user

pytestmark = pytest.mark.usefixtures("bot")

# 2026-11-23 is a Monday; 10:00 IST.
NOW = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
TODAY = date(2026, 11, 23)
DATA = Path(__file__).resolve().parent.parent / "data"


async def artisan(phone_for, database, uid: int, lang: str = "hi") -> tuple[Phone, dict[str, int]]:  # type: ignore[no-untyped-def]
    await registered_user(database, uid, language=lang)
    phone = await phone_for(uid, "Seema", lang)
    ids = {
        "kurta": await product(database, uid, "कुर्ता", 45_000, stock=50),
        "diya": await product(database, uid, "दीया सेट", 15_000, stock=50),
        "toran": await product(database, uid, "Toran", 24_000, stock=50),
        "dupatta": await product(database, uid, "दुपट्टा", 30_000, stock=3, sku="DUP-01"),
        "saree": await product(database, uid, "Banarasi Saree", 250_000, stock=50),
    }
    return phone, ids


def button_data(replies: list[dict]) -> list[str]:
    return [
        b["callback_data"]
        for m in replies
        for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
        for b in row
    ]


async def sales_of(database, uid: int) -> list[Sale]:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        return list(
            (await session.exec(select(Sale).where(Sale.user_id == uid).order_by(Sale.id))).all()
        )


async def stock_of(database, product_id: int) -> int:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        item = await session.get(Product, product_id)
        assert item is not None
        return item.stock


@pytest.mark.parametrize("lang", ["hi", "en"])
async def test_record_by_buttons_in_four_taps(phone_for, database, lang: str) -> None:  # type: ignore[no-untyped-def]
    phone, ids = await artisan(phone_for, database, 2101 if lang == "hi" else 2102, lang)
    await phone.send("💰 बिक्री दर्ज करें" if lang == "hi" else "💰 Record a sale")
    await phone.press("दुपट्टा")  # tap 1
    await phone.press("2")  # tap 2
    await phone.press("₹300")  # tap 3: the usual price
    saved = await phone.press("Flipkart" if lang == "en" else "फ्लिपकार्ट")  # tap 4
    shown = texts(saved)
    assert "₹600" in shown
    assert ("स्टॉक" in shown) if lang == "hi" else ("stock" in shown.lower())
    assert "⚠️" in shown  # 3 - 2 = 1 piece left: at or below the threshold of 2
    [sale] = await sales_of(database, phone.uid)
    assert (sale.quantity, sale.unit_price_paise, sale.total_paise, sale.channel, sale.source) == (
        2,
        30_000,
        60_000,
        "flipkart",
        "buttons",
    )
    assert await stock_of(database, ids["dupatta"]) == 1


# (typed line, quantity, amount paise, answer if asked "per piece or total?", product, channel, days ago)
ONE_LINERS = [
    ("आज ३ कुर्ते ४५० में बेचे", 3, 45_000, "unit", "kurta", "other", 0),
    ("कल दो दीये सेट 300 रुपये के", 2, 30_000, "total", "diya", "other", 1),
    ("sold 2 diya set for 300 each on flipkart", 2, 30_000, "unit", "diya", "flipkart", 0),
    ("kal 5 toran 1200", 5, 120_000, "total", "toran", "other", 1),
    ("5 kurta 2250 total", 5, 225_000, "total", "kurta", "other", 0),
    ("3 कुर्ते बिके 1350 कुल, फ्लिपकार्ट पर", 3, 135_000, "total", "kurta", "flipkart", 0),
    ("meesho pe 4 dupatta 300 each", 4, 30_000, "unit", "dupatta", "meesho", 0),
    ("डेढ़ सौ का एक दीया सेट बेचा", 1, 15_000, "unit", "diya", "other", 0),
    ("1 kurta 450 becha", 1, 45_000, "unit", "kurta", "other", 0),
    ("आज एक साड़ी 2500 में बिकी", 1, 250_000, "unit", "saree", "other", 0),
    ("sold one saree for 2500 on amazon", 1, 250_000, "unit", "saree", "amazon", 0),
    ("2 sarees sold 5000 total", 2, 500_000, "total", "saree", "other", 0),
    ("कल ४ तोरण २४० प्रति पीस बेचे", 4, 24_000, "unit", "toran", "other", 1),
    ("परसों 2 कुर्ते 900 कुल", 2, 90_000, "total", "kurta", "other", 2),
    ("मेले में 6 दीये सेट 150 के हिसाब से बेचे", 6, 15_000, "unit", "diya", "odop_mart", 0),
    ("whatsapp pe 2 kurte 450 each beche", 2, 45_000, "unit", "kurta", "whatsapp", 0),
    ("dukan pe 3 toran 720 total", 3, 72_000, "total", "toran", "local", 0),
    ("gem par 10 kurta 4500 kul", 10, 450_000, "total", "kurta", "gem", 0),
    ("aaj teen kurte 1350 mein beche", 3, 135_000, "total", "kurta", "other", 0),
    ("do dupatte 600 ke beche", 2, 60_000, "total", "dupatta", "other", 0),
    ("ek kurta 450 ka becha", 1, 45_000, "unit", "kurta", "other", 0),
    ("दो हज़ार में एक साड़ी बेची", 1, 200_000, "unit", "saree", "other", 0),
    ("ढाई हज़ार की साड़ी बिकी", 1, 250_000, "unit", "saree", "other", 0),
    ("sold 3 torans at 240 each", 3, 24_000, "unit", "toran", "other", 0),
    ("yesterday sold 2 kurtas for 900", 2, 90_000, "total", "kurta", "other", 1),
    ("flipkart 1 saree 2600", 1, 260_000, "unit", "saree", "flipkart", 0),
    ("amazon par 2 diya set 300 total", 2, 30_000, "total", "diya", "amazon", 0),
    ("४ दुपट्टे ३०० रुपये प्रति पीस बिके", 4, 30_000, "unit", "dupatta", "other", 0),
    ("कल 1 कुर्ता ₹450 में बेचा", 1, 45_000, "unit", "kurta", "other", 1),
    ("आज 2 कुर्ते ₹1,100 कुल बेचे", 2, 110_000, "total", "kurta", "other", 0),
    ("3 दीया सेट 450/- में बेचे", 3, 45_000, "total", "diya", "other", 0),
    ("sold 1 toran 250 rs", 1, 25_000, "unit", "toran", "other", 0),
    ("5 diye set bike 750", 5, 75_000, "total", "diya", "other", 0),
    ("kal meesho par 2 dupatta 320 each", 2, 32_000, "unit", "dupatta", "meesho", 1),
    ("aaj 1 saree 2400 ki biki", 1, 240_000, "unit", "saree", "other", 0),
    ("प्रदर्शनी में 8 कुर्ते 3600 कुल बिके", 8, 360_000, "total", "kurta", "odop_mart", 0),
    ("sold 2 kurta 450 each to a local shop", 2, 45_000, "unit", "kurta", "local", 0),
    ("ek diya set 160 me becha", 1, 16_000, "unit", "diya", "other", 0),
    ("२ साड़ियाँ ५००० में बिकीं", 2, 500_000, "total", "saree", "other", 0),
    ("3 toran 240 ke hisab se beche", 3, 24_000, "unit", "toran", "other", 0),
    ("sold 4 dupattas 1200 total on whatsapp", 4, 120_000, "total", "dupatta", "whatsapp", 0),
]

NOT_SALES = [
    "कितने कुर्ते बिके?",
    "how do I add a product",
    "आज 5 मीटर कपड़ा खरीदा 500 का",
    "bought thread for 200",
    "कल 3 कुर्ते बेचूंगा",
    "will sell 5 tomorrow",
    "नमस्ते",
    "hello",
    "450",
    "क्या आप मदद करेंगे?",
    "धागा 300 रुपये में लिया",
]


async def test_one_line_sales_table(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone, ids = await artisan(phone_for, database, 2103, "hi")
    with time_machine.travel(NOW, tick=True):
        for line, qty, amount, kind, name, channel, days_ago in ONE_LINERS:
            before = len(await sales_of(database, phone.uid))
            replies = await phone.send(line)
            buttons = button_data(replies)
            # Only what is missing or uncertain is asked: the quantity, or "per piece or total?".
            if "s:q:1" in buttons:
                replies = await phone.send(str(qty))
                buttons = button_data(replies)
            if "s:k:unit" in buttons:
                replies = await phone.press_data(replies[-1]["message_id"], f"s:k:{kind}")
                buttons = button_data(replies)
            assert "s:ok" in buttons, (line, texts(replies))
            await phone.press_data(replies[-1]["message_id"], "s:ok")
            stored = await sales_of(database, phone.uid)
            assert len(stored) == before + 1, line
            sale = stored[-1]
            unit = amount if kind == "unit" else amount // qty
            assert (
                sale.quantity,
                sale.unit_price_paise,
                sale.product_id,
                sale.channel,
                sale.sold_on,
            ) == (qty, unit, ids[name], channel, TODAY - timedelta(days=days_ago)), line
    assert len(ONE_LINERS) >= 40


async def test_not_sales_are_not_recorded(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone, _ = await artisan(phone_for, database, 2104, "hi")
    for line in NOT_SALES:
        replies = await phone.send(line)
        assert replies, line
        buttons = [
            b["callback_data"]
            for m in replies
            for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
        ]
        assert "s:ok" not in buttons and not any(b.startswith("s:k:") for b in buttons), line
    assert await sales_of(database, phone.uid) == []


async def test_double_tap_and_redelivery_record_once(phone_for, database, client) -> None:  # type: ignore[no-untyped-def]
    phone, _ = await artisan(phone_for, database, 2105, "en")
    replies = await phone.send("sold 1 kurta 450")
    card = replies[-1]
    first = await client.press(phone.uid, card["message_id"], "s:ok")
    second = await client.press(phone.uid, card["message_id"], "s:ok")
    await phone.processed(first["update_id"])
    await phone.processed(second["update_id"])
    await client.redeliver(first["update_id"])
    await phone.send("/help")
    assert len(await sales_of(database, phone.uid)) == 1
    answers = await client.callback_answers(phone.uid)
    assert any("no longer active" in (a.get("text") or "") for a in answers)


async def test_missing_quantity_is_asked_then_saved(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone, ids = await artisan(phone_for, database, 2106, "hi")
    replies = await phone.send("कुर्ता 450 में बेचा")
    assert "कितने" in texts(replies)
    replies = await phone.send("३")
    assert "s:k:unit" in button_data(replies)  # 3 pieces "450 में": per piece or in total?
    replies = await phone.press_data(replies[-1]["message_id"], "s:k:unit")
    assert "₹1,350" in texts(replies)
    await phone.press_data(replies[-1]["message_id"], "s:ok")
    [sale] = await sales_of(database, phone.uid)
    assert (sale.quantity, sale.unit_price_paise, sale.product_id) == (3, 45_000, ids["kurta"])


async def test_undo_and_delete_restore_stock(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone, ids = await artisan(phone_for, database, 2107, "en")
    replies = await phone.send("sold 2 toran 240 each")
    saved = await phone.press_data(replies[-1]["message_id"], "s:ok")
    assert await stock_of(database, ids["toran"]) == 48
    confirm = await phone.press("Undo", saved[-1])
    await phone.press("Yes, delete", confirm[-1])
    assert await sales_of(database, phone.uid) == []
    assert await stock_of(database, ids["toran"]) == 50


async def test_forged_sale_button_is_refused(phone_for, database, client) -> None:  # type: ignore[no-untyped-def]
    victim, _ = await artisan(phone_for, database, 2108, "en")
    replies = await victim.send("sold 1 kurta 450")
    await victim.press_data(replies[-1]["message_id"], "s:ok")
    [sale] = await sales_of(database, victim.uid)
    attacker, _ = await artisan(phone_for, database, 2109, "en")
    help_msg = (await attacker.send("/help"))[-1]
    await attacker.press_data(help_msg["message_id"], f"s:delok:{sale.id}")
    await attacker.press_data(help_msg["message_id"], f"s:dd:{sale.id}:3")
    assert len(await sales_of(database, victim.uid)) == 1
    assert (await sales_of(database, victim.uid))[0].sold_on == sale.sold_on


async def _seed_sale(
    database, uid: int, product_id: int, qty: int, unit: int, day: date, channel: str = "flipkart"
) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        session.add(
            Sale(
                user_id=uid,
                district_code="lucknow",
                craft_group="textile",
                product_id=product_id,
                quantity=qty,
                unit_price_paise=unit,
                total_paise=qty * unit,
                channel=channel,
                sold_on=day,
                source="chat",
            )
        )


@pytest.mark.parametrize("lang", ["hi", "en"])
async def test_reports_across_period_boundaries(phone_for, database, lang: str) -> None:  # type: ignore[no-untyped-def]
    uid = 2110 if lang == "hi" else 2111
    phone, ids = await artisan(phone_for, database, uid, lang)
    # Frozen at Wednesday 2026-04-01 00:10 IST: a new week-day, a new month, Q1, a new FY.
    moment = datetime(2026, 3, 31, 18, 40, tzinfo=UTC)
    await _seed_sale(database, uid, ids["kurta"], 2, 45_000, date(2026, 4, 1))  # today (IST)
    await _seed_sale(
        database, uid, ids["saree"], 1, 250_000, date(2026, 3, 31)
    )  # yesterday: last FY
    await _seed_sale(
        database, uid, ids["diya"], 4, 15_000, date(2026, 3, 30), "local"
    )  # Monday: this week
    await _seed_sale(database, uid, ids["kurta"], 10, 45_000, date(2026, 1, 5))  # Q4 of FY 2025-26
    with time_machine.travel(moment, tick=True):
        report = texts(await phone.send("📊 मेरी बिक्री" if lang == "hi" else "📊 My sales"))
        # This week (Mon 30 Mar – Sun 5 Apr): 60,000 + 2,50,000 + 90,000 paise = ₹4,000
        assert "₹4,000" in report
        today = texts(await phone.press("आज" if lang == "hi" else "Today"))
        assert "₹900" in today and ("+" not in today or "%" in today)
        quarter = texts(await phone.press("तिमाही" if lang == "hi" else "This quarter"))
        assert "₹900" in quarter and "Q1 2026-27" in quarter
        year = texts(await phone.press("वर्ष" if lang == "hi" else "This year"))
        assert "₹900" in year and "2026-27" in year
        # The previous FY had ₹2,500 + ₹600 + ₹4,500 = ₹7,600: growth is ₹900 / ₹7,600 − 1 = −88%.
        assert "-88%" in year or "−88%" in year
        month = texts(await phone.press("महीना" if lang == "hi" else "This month"))
        assert "₹900" in month


async def test_chart_is_a_png_photo(phone_for, database, client) -> None:  # type: ignore[no-untyped-def]
    phone, ids = await artisan(phone_for, database, 2112, "hi")
    with time_machine.travel(NOW, tick=True):
        for weeks_ago in range(8):
            await _seed_sale(
                database,
                phone.uid,
                ids["kurta"],
                weeks_ago + 1,
                45_000,
                TODAY - timedelta(weeks=weeks_ago),
            )
        await phone.send("📊 मेरी बिक्री")
        replies = await phone.press("📈")
    photos = [m for m in replies if m.get("photo")]
    assert photos, texts(replies)
    # The bot uploads a PNG; like Telegram, the emulator stores photos re-encoded.
    data = await client.file_bytes(photos[-1]["photo"]["file_id"])
    image = Image.open(io.BytesIO(data))
    image.verify()
    image = Image.open(io.BytesIO(data))
    assert image.width >= 600 and image.height >= 300
    assert "₹" in (photos[-1].get("caption") or "")


async def test_import_order_report_twice(phone_for, database, client) -> None:  # type: ignore[no-untyped-def]
    phone, _ = await artisan(phone_for, database, 2113, "en")
    sample = sorted(DATA.glob("flipkart*.csv"))[0]
    payload = base64.b64encode(sample.read_bytes()).decode()
    replies = await phone.send(document=payload, file_name=sample.name)
    summary = texts(replies)
    assert "New sales to add" in summary
    card = replies[-1]
    await phone.press_data(card["message_id"], "im:ok")
    first = await sales_of(database, phone.uid)
    assert first and all(s.source == "import" for s in first)
    again = texts(await phone.send(document=payload, file_name=sample.name))
    assert f"Already imported (skipped): {len(first)}" in again
    assert len(await sales_of(database, phone.uid)) == len(first)


async def test_bad_files_change_nothing(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone, _ = await artisan(phone_for, database, 2114, "hi")
    garbage = base64.b64encode(b"\x00\x01PK\x03\x04 not really a zip" * 100).decode()
    for name in ("orders.xlsx", "orders.csv", "photo.pdf"):
        replies = await phone.send(document=garbage, file_name=name)
        assert replies and "कुछ गड़बड़" not in texts(replies)
    assert await sales_of(database, phone.uid) == []


async def test_correct_a_sale_replaces_it_once(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone, ids = await artisan(phone_for, database, 2115, "en")
    replies = await phone.send("sold 2 toran 240 each")
    await phone.press_data(replies[-1]["message_id"], "s:ok")
    [old] = await sales_of(database, phone.uid)
    await phone.send("📊 My sales")
    listing = await phone.press("Recent sales")
    await phone.press("✏️ 1", listing[-1])
    await phone.press("3")
    await phone.press("₹240")
    await phone.press("Meesho")
    [new] = await sales_of(database, phone.uid)
    assert new.update_id != old.update_id
    assert (new.quantity, new.channel, new.sold_on) == (3, "meesho", old.sold_on)
    assert await stock_of(database, ids["toran"]) == 47
