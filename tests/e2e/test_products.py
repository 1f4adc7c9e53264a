"""Products end to end, through the emulator: register one with photos (Hindi and English), an
album, edits, archive and delete, photo checks, tips, a forged button, and kill -9 mid-way."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import subprocess
from typing import Any

import pytest
from sqlmodel import col, select

from bot.services import conversation, photo_checks
from bot.services import products as products_service
from models import Product, ProductPhoto
from tests import photo_samples
from tests.conftest import TOKEN
from tests.e2e.phone import Phone, button_data, texts
from tests.e2e.seed import registered_user
from tests.e2e.test_onboarding import latin_words, screen_text
from tests.e2e.test_onboarding_robustness import _start_bot

LABELS = {
    "hi": {
        "new": "➕ नया उत्पाद",
        "list": "📦 मेरे उत्पाद",
        "tips": "💡 सुझाव",
        "skip": "⏭️ छोड़ें",
        "done": "✅ हो गया",
        "save": "✅ सहेजें",
    },
    "en": {
        "new": "➕ New product",
        "list": "📦 My products",
        "tips": "💡 Tips",
        "skip": "⏭️ Skip",
        "done": "✅ Done",
        "save": "✅ Save",
    },
}
# Latin that may appear on a Hindi screen: commands, the "as a file" menu (📎 → File), the
# marketplace title and search words (English on purpose), and px.
ALLOWED_LATIN = {"cancel", "File", "px"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def artisan(phone_for, database, uid: int, lang: str = "hi", **kw: Any) -> Phone:  # type: ignore[no-untyped-def]
    await registered_user(database, uid, language=lang, **kw)
    return await phone_for(uid, "Seema", lang)


async def products_of(database, uid: int) -> list[Product]:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        result = await session.exec(
            select(Product).where(Product.user_id == uid).order_by(col(Product.id))
        )
        return list(result.all())


async def photos_of(database, product_id: int) -> list[ProductPhoto]:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        return await products_service.photos_of(session, product_id)


async def draft(database, uid: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        conv = await conversation.get(session, uid)
        assert conv is not None
        return {"step": conv.step, **conv.data}


async def seed_product(database, uid: int, **fields: Any) -> int:  # type: ignore[no-untyped-def]
    values = {"name": "Chikan kurta", "category": "kurta", "price_paise": 120_000, "stock": 5}
    values.update(fields)
    async with database.session() as session:
        product = Product(user_id=uid, **values)
        session.add(product)
        await session.flush()
        assert product.id is not None
        return product.id


async def seed_photos(emu, database, pid: int, images: list[bytes]) -> None:  # type: ignore[no-untyped-def]
    """Photos as if sent by the artisan: stored by the emulator, checked, attached."""
    async with database.session() as session:
        for position, data in enumerate(images):
            largest = emu.emulator.files.add_photo(data)[-1]
            session.add(
                ProductPhoto(
                    product_id=pid,
                    file_id=largest["file_id"],
                    file_unique_id=largest["file_unique_id"],
                    position=position,
                    checks=photo_checks.analyse(data).to_json(),
                )
            )


def hindi_only(messages: list[dict[str, Any]]) -> set[str]:
    """Latin words on screen, except the marketplace title/keywords which are English on purpose."""
    shown = []
    for line in screen_text(messages).splitlines():
        if "Handmade" in line or line.startswith("🔎"):
            continue
        shown.append(line)
    return {w for w in latin_words("\n".join(shown)) if w not in ALLOWED_LATIN}


async def register_product(phone: Phone, lang: str, *, photos: int = 1) -> list[dict[str, Any]]:
    label = LABELS[lang]
    seen: list[dict[str, Any]] = []
    seen += await phone.send(label["new"])
    seen += await phone.send("चिकनकारी सूती कुर्ता" if lang == "hi" else "Chikankari cotton kurta")
    assert "✅" in seen[-1]["reply_markup"]["inline_keyboard"][0][0]["text"]  # kurta guessed
    seen += await phone.press("✅")
    seen += await phone.send("₹1,200")
    seen += await phone.send("10")
    for seed in range(1, photos + 1):
        seen += await phone.send(photo=b64(photo_samples.good_photo(seed)))
    seen += await phone.press(label["done"])
    seen += await phone.send(label["skip"])
    seen += await phone.send("सूती" if lang == "hi" else "Cotton")
    seen += await phone.send("44 इंच" if lang == "hi" else "44 inch")
    return seen


@pytest.mark.usefixtures("bot")
@pytest.mark.parametrize("lang", ["hi", "en"])
async def test_register_a_product_with_a_photo(phone_for, database, lang: str) -> None:  # type: ignore[no-untyped-def]
    uid = 4101 if lang == "hi" else 4102
    phone = await artisan(phone_for, database, uid, lang)
    seen = await register_product(phone, lang)
    card = seen[-1]
    assert card["kind"] == "photo" and card["photo"] is not None
    assert "₹1,200" in card["caption"] and ("कुर्ता" in card["caption"] or "Kurta" in card["caption"])
    seen += await phone.press(LABELS[lang]["save"], card)

    [product] = await products_of(database, uid)
    assert product.name == ("चिकनकारी सूती कुर्ता" if lang == "hi" else "Chikankari cotton kurta")
    assert (product.category, product.price_paise, product.stock) == ("kurta", 120_000, 10)
    assert product.material == ("सूती" if lang == "hi" else "Cotton")
    assert product.size == ("44 इंच" if lang == "hi" else "44 inch")
    assert product.description is None and not product.archived
    [photo] = await photos_of(database, product.id)
    assert photo.kind == "photo" and photo.checks["findings"] == [] and photo.checks["width"] > 0
    async with database.sessions() as session:
        assert await conversation.get(session, uid) is None
    # Saved: the main menu is back, and the new listing's score and tips follow.
    shown = texts(seen[-3:])
    assert "/100" in shown
    assert "Lucknow Chikankari Cotton Kurta" in shown  # the suggested marketplace title
    keyboard = await phone.reply_keyboard()
    assert LABELS[lang]["list"] in keyboard
    if lang == "hi":
        assert hindi_only(seen) == set(), screen_text(seen)


@pytest.mark.usefixtures("bot")
async def test_price_errors_are_explained(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await artisan(phone_for, database, 4103, "en")
    await phone.send("➕ New product")
    await phone.send("Brass diya")
    await phone.press("Other textile")
    for typed, expected in [
        ("0", "cannot be zero"),
        ("-50", "cannot be negative"),
        ("abc", "could not read a price"),
        ("2 crore", "more than ₹10,00,000"),
        ("0.50", "less than ₹1"),
        ("99.505", "two decimal places"),
    ]:
        replies = await phone.send(typed)
        assert expected in texts(replies), (typed, texts(replies))
        assert (await draft(database, 4103))["step"] == "price"
    await phone.send("डेढ़ हज़ार")
    state = await draft(database, 4103)
    assert state["price"] == 150_000 and state["step"] == "stock"
    replies = await phone.send("2.5")
    assert "whole pieces" in texts(replies)
    await phone.send("0")  # sold out for now is allowed
    assert (await draft(database, 4103))["stock"] == 0


@pytest.mark.usefixtures("bot")
async def test_edit_the_price_with_devanagari_digits(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await artisan(phone_for, database, 4104, "hi")
    pid = await seed_product(database, 4104)
    listing = await phone.send(LABELS["hi"]["list"])
    assert "Chikan kurta" in texts(listing) and "₹1,200" in texts(listing)
    card = (await phone.press("1."))[-1]
    assert "₹1,200" in (card.get("caption") or card.get("text") or "")
    prompt = await phone.press("💰", card)
    assert "₹1,200" in texts(prompt)
    replies = await phone.send("१,५००")
    [product] = await products_of(database, 4104)
    assert product.id == pid and product.price_paise == 150_000
    assert "₹1,500" in texts(replies)
    async with database.sessions() as session:
        assert await conversation.get(session, 4104) is None


@pytest.mark.usefixtures("bot")
async def test_album_of_three_photos(phone_for, database, client) -> None:  # type: ignore[no-untyped-def]
    phone = await artisan(phone_for, database, 4105, "en")
    await phone.send("➕ New product")
    await phone.send("Chikan kurta")
    await phone.press("✅")
    await phone.send("1200")
    await phone.send("4")
    before = await phone.seq()
    album = [
        b64(photo_samples.good_photo(1)),
        b64(photo_samples.photo(2, sharp=False)),
        b64(photo_samples.good_photo(3)),
    ]
    results = await client.send(4105, media_group=album)
    assert isinstance(results, list) and len(results) == 3
    for item in results:
        await phone.processed(item["update_id"])
    replies = [m for m in (await client.chat(4105, after=before))["messages"] if m["from"] == "bot"]
    # One status message for the whole album, edited as the photos came in.
    assert len(replies) == 1, replies
    status = replies[0]
    assert "3 photos received" in status["text"] and "Photo 2: blurred" in status["text"]
    assert status["edited"]
    state = await draft(database, 4105)
    assert len(state["photos"]) == 3 and state["step"] == "photos"
    assert [p["checks"]["findings"] for p in state["photos"]] == [[], ["blurred"], []]
    await phone.press("✅ Done", status)
    await phone.send("⏭️ Skip")
    await phone.send("⏭️ Skip")
    card = (await phone.send("⏭️ Skip"))[-1]
    assert "3 photos" in card["caption"]
    await phone.press("✅ Save", card)
    [product] = await products_of(database, 4105)
    photos = await photos_of(database, product.id)
    assert [p.position for p in photos] == [0, 1, 2]
    assert [p.file_unique_id for p in photos] == [p["file_unique_id"] for p in state["photos"]]


@pytest.mark.usefixtures("bot")
async def test_photo_problems_and_a_photo_sent_as_a_file(phone_for, database, client) -> None:  # type: ignore[no-untyped-def]
    phone = await artisan(phone_for, database, 4106, "en")
    await phone.send("➕ New product")
    await phone.send("Terracotta horse")
    await phone.press_data((await phone.message_with_button("🧩"))["message_id"], "pn:groups")
    await phone.press("Terracotta and pottery")
    await phone.press("Figures")
    await phone.send("800")
    await phone.send("3")
    dark = await phone.send(photo=b64(photo_samples.photo(4, light="dark")))
    assert "Photo 1: too dark" in texts(dark)
    small = await phone.send(photo=b64(photo_samples.photo(5, size=photo_samples.SMALL_SIZE)))
    assert "Photo 2: small (640×480 px)" in texts(small) and "as a file" in texts(small)
    big = photo_samples.photo(6, size=(3000, 2250))
    sent = await phone.send(document=b64(big), file_name="horse.jpg", mime_type="image/jpeg")
    assert "3 photos received" in texts(sent)
    not_image = await phone.send(document=b64(b"%PDF-1.4"), file_name="a.pdf")
    assert "not a picture" in texts(not_image)
    state = await draft(database, 4106)
    assert [p["kind"] for p in state["photos"]] == ["photo", "photo", "document"]
    assert state["photos"][2]["checks"]["width"] == 3000  # a file keeps its resolution
    await phone.press("✅ Done")
    await phone.send("⏭️ Skip")
    await phone.send("⏭️ Skip")
    card = (await phone.send("⏭️ Skip"))[-1]
    await phone.press("✅ Save", card)
    [product] = await products_of(database, 4106)
    photos = await photos_of(database, product.id)
    assert photos[0].checks["findings"] == ["too_dark"]
    # The tips name the photos and say what to do.
    await phone.send("💡 Tips")
    tips = texts(await phone.press("📋 All tips"))
    assert "Photo 1 is too dark: take it in daylight" in tips
    assert "Photo 2 is small" in tips and "as a file" in tips


@pytest.mark.usefixtures("bot")
async def test_document_image_is_shown_through_a_preview(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await artisan(phone_for, database, 4107, "en")
    await phone.send("➕ New product")
    await phone.send("Brass lota")
    await phone.press_data((await phone.message_with_button("🧩"))["message_id"], "pn:grp:metal")
    await phone.press("Brass utensils")
    await phone.send("650")
    await phone.send("2")
    await phone.send(
        document=b64(photo_samples.photo(2, size=(2000, 1500))),
        file_name="lota.jpg",
        mime_type="image/jpeg",
    )
    await phone.press("✅ Done")
    for _ in range(2):
        await phone.send("⏭️ Skip")
    card = (await phone.send("⏭️ Skip"))[-1]
    # sendPhoto does not take a document's file id: a preview was uploaded, and is kept.
    assert card["kind"] == "photo"
    assert (await draft(database, 4107))["photos"][0]["preview_file_id"]
    await phone.press("✅ Save", card)
    [product] = await products_of(database, 4107)
    [photo] = await photos_of(database, product.id)
    assert photo.kind == "document" and photo.preview_file_id
    again = await phone.press_data(card["message_id"], f"p:open:{product.id}")
    assert again[-1]["kind"] == "photo"


@pytest.mark.usefixtures("bot")
async def test_edit_from_the_summary_card(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await artisan(phone_for, database, 4108, "en")
    seen = await register_product(phone, "en", photos=2)
    card = seen[-1]
    await phone.press("💰", card)
    replies = await phone.send("1,350")
    new_card = replies[-1]
    assert "₹1,350" in new_card["caption"]
    assert (await draft(database, 4108))["step"] == "summary"
    stale = await phone.press_data(card["message_id"], "pn:save")  # the old card's button
    assert stale == [] and await products_of(database, 4108) == []
    # photos from the card: remove one (a double tap removes only that one), then back
    photos = (await phone.press("🖼️", new_card))[-1]
    assert "2 photos received" in photos["text"]
    await phone.press("🗑️ 1", photos)
    again = await phone.press_data(photos["message_id"], button_data(photos, "🗑️ 1"))
    assert again == []  # refused with an alert: that photo is gone already
    state = await draft(database, 4108)
    assert len(state["photos"]) == 1 and state["step"] == "photos"
    new_card = (await phone.press("✅ Done"))[-1]
    assert "1 photo" in new_card["caption"]
    await phone.press("✅ Save", new_card)
    [product] = await products_of(database, 4108)
    assert product.price_paise == 135_000
    assert len(await photos_of(database, product.id)) == 1


@pytest.mark.usefixtures("bot")
async def test_cancel_at_any_step_saves_nothing(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await artisan(
        phone_for, database, 4109, "hi", district="gorakhpur", craft_group="clay_terracotta"
    )
    await phone.send(LABELS["hi"]["new"])
    await phone.send("मिट्टी का दीया")
    await phone.press("✅")
    replies = await phone.send("/cancel")
    assert "सहेजा नहीं" in texts(replies)
    assert await products_of(database, 4109) == []
    async with database.sessions() as session:
        assert await conversation.get(session, 4109) is None


@pytest.mark.usefixtures("bot")
async def test_buttons_of_a_cancelled_draft_do_not_drive_the_next(
    phone_for, database, client
) -> None:  # type: ignore[no-untyped-def]
    phone = await artisan(phone_for, database, 4113, "en")
    await phone.send(LABELS["en"]["new"])
    [old_prompt] = await phone.send("Old kurta")  # the type question, with its buttons
    old_type = button_data(old_prompt, "✅")
    await phone.send("/cancel")
    await phone.send(LABELS["en"]["new"])
    [prompt] = await phone.send("New dupatta")
    before = await phone.seq()
    assert await phone.press_data(old_prompt["message_id"], old_type) == []
    [note] = (await client.chat(4113, after=before))["callback_answers"]
    assert note["show_alert"] and "no longer active" in note["text"]
    async with database.sessions() as session:
        conv = await conversation.get(session, 4113)
    assert conv is not None and conv.step == "category" and conv.data["name"] == "New dupatta"
    await phone.press_data(prompt["message_id"], button_data(prompt, "✅"))
    async with database.sessions() as session:
        assert (await conversation.get(session, 4113)).step == "price"  # type: ignore[union-attr]


@pytest.mark.usefixtures("bot")
async def test_list_pages_archive_restore_and_delete(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await artisan(phone_for, database, 4110, "en")
    ids = [await seed_product(database, 4110, name=f"Kurta {i}") for i in range(1, 8)]
    listing = (await phone.send("📦 My products"))[-1]
    assert "(page 1 of 2)" in listing["text"] and "Kurta 7" in listing["text"]
    assert "Kurta 2" not in listing["text"]
    page2 = (await phone.press("▶️", listing))[-1]
    assert page2["message_id"] == listing["message_id"]  # edited in place
    assert "Kurta 1" in page2["text"] and "(page 2 of 2)" in page2["text"]

    card = (await phone.press_data(listing["message_id"], f"p:open:{ids[0]}"))[-1]
    await phone.press("🗄️ Archive", card)
    assert (await products_of(database, 4110))[0].archived
    listing = (await phone.send("📦 My products"))[-1]
    assert "Kurta 1" not in listing["text"] and "Archived (1)" in texts([listing]) + str(
        listing["reply_markup"]
    )
    archived = (await phone.press("Archived", listing))[-1]
    assert "Kurta 1" in archived["text"]
    card = (await phone.press("1.", archived))[-1]
    await phone.press("♻️", card)
    assert not (await products_of(database, 4110))[0].archived

    card = (await phone.press_data(listing["message_id"], f"p:open:{ids[1]}"))[-1]
    confirm = (await phone.press("🗑️ Delete", card))[-1]
    assert "for good" in confirm["text"]
    await phone.press("No, keep it", confirm)
    assert len(await products_of(database, 4110)) == 7
    await phone.press("Yes, delete", confirm)
    assert [p.id for p in await products_of(database, 4110)] == [ids[0], *ids[2:]]


@pytest.mark.usefixtures("bot")
async def test_forged_callback_for_another_artisans_product(phone_for, database, client) -> None:  # type: ignore[no-untyped-def]
    await artisan(phone_for, database, 4111, "en")
    victim_pid = await seed_product(database, 4111, name="Victim kurta", price_paise=99_900)
    attacker = await artisan(phone_for, database, 4112, "en")
    own = (await attacker.send("/help"))[-1]
    before = await attacker.seq()
    for data in (
        f"p:open:{victim_pid}",
        f"p:e:{victim_pid}:price",
        f"p:ar:{victim_pid}",
        f"p:delok:{victim_pid}",
        f"p:phd:{victim_pid}:1",
        f"p:q:{victim_pid}:closeup:1",
        f"p:c:{victim_pid}:cat:saree",
        f"t:p:{victim_pid}",
        f"t:fix:{victim_pid}",
        "p:open:abc",
        "p:open:99999999999999999999",
    ):
        replies = await attacker.press_data(own["message_id"], data)
        assert replies == [], (data, replies)  # nothing shown or edited
    answers = (await client.chat(4112, after=before))["callback_answers"]
    assert len(answers) == 11
    assert all(a["show_alert"] and "not found, or it is not yours" in a["text"] for a in answers)
    [product] = await products_of(database, 4111)
    assert (product.name, product.price_paise, product.archived) == ("Victim kurta", 99_900, False)
    assert product.category == "kurta" and product.photo_answers == {}
    async with database.sessions() as session:
        assert await conversation.get(session, 4112) is None


@pytest.mark.usefixtures("bot")
async def test_tips_weakest_first_and_fix_raises_the_score(phone_for, database, emu) -> None:  # type: ignore[no-untyped-def]
    phone = await artisan(phone_for, database, 4113, "hi")
    strong = await seed_product(
        database,
        4113,
        name="चिकनकारी सूती कुर्ता",
        material="सूती",
        size="44",
        description="हाथ से बना, लखनऊ के कारीगरों की पीढ़ियों पुरानी कला। हल्के हाथ से धोएं।" * 3,
        cost_paise=40_000,
        photo_answers={"closeup": True, "scale": True},
    )
    weak = await seed_product(database, 4113, name="दुपट्टा", category="dupatta", stock=0)
    good = [photo_samples.good_photo(seed) for seed in range(1, 6)]
    await seed_photos(emu, database, strong, good)
    await seed_photos(emu, database, weak, good)
    replies = await phone.send(LABELS["hi"]["tips"])
    shown = texts(replies)
    assert "दुपट्टा" in shown and "चिकनकारी" not in shown.split("\n")[1]
    assert shown.count("\n1. ") == 1 and "\n3. " in shown and "\n4. " not in shown
    before = int(shown.split("/100")[0].split()[-1])
    # The weakest field: it is sold out (10 points), so the fix asks for the stock.
    prompt = await phone.press("🔧")
    assert "0" in texts(prompt)
    after = await phone.send("१२")
    async with database.sessions() as session:
        product = await session.get(Product, weak)
        assert product is not None and product.stock == 12
    text = texts(after)
    assert f"{before} → " in text and "⬆️" in text
    assert hindi_only(replies + prompt + after) == set(), screen_text(replies + prompt + after)


@pytest.mark.usefixtures("bot")
async def test_photo_questions_are_asked_once(phone_for, database, emu) -> None:  # type: ignore[no-untyped-def]
    phone = await artisan(phone_for, database, 4114, "en")
    pid = await seed_product(
        database,
        4114,
        name="Chikankari cotton kurta",
        material="cotton",
        size="M",
        stock=20,
        cost_paise=30_000,
        description="Hand embroidered by artisans of Lucknow for generations. Wash gently by hand. "
        "Lucknow Chikan Craft, GI tag. " * 2,
    )
    await seed_photos(emu, database, pid, [photo_samples.good_photo(s) for s in range(1, 6)])
    tips = texts(await phone.send("💡 Tips"))
    assert "close-up" in tips
    question = await phone.press("🔧 Answer now")
    assert "close-up of the craft detail" in texts(question)
    answered = await phone.press("✅ Yes")
    assert "⬆️" in texts(answered)
    async with database.sessions() as session:
        product = await session.get(Product, pid)
        assert product is not None and product.photo_answers == {"closeup": True}
    # the next fix is the other question; "No" asks for such a photo
    await phone.press("🔧 Answer now")
    nope = await phone.press("❌ No")
    assert "Send the photos to add" in texts(nope)
    async with database.sessions() as session:
        product = await session.get(Product, pid)
        assert product is not None and product.photo_answers == {"closeup": True, "scale": False}


async def once_started(phone: Phone, text: str) -> list[dict[str, Any]]:
    """Send the first message to a bot process that may still be starting (a busy machine)."""
    before = await phone.seq()
    sent = await phone.client.send(phone.uid, text)
    await phone.processed(sent["update_id"], timeout=60)
    messages = (await phone.client.chat(phone.uid, after=before))["messages"]
    return [m for m in messages if m["from"] == "bot"]


async def test_kill_9_mid_registration_then_continue(emu, client, database, db_url) -> None:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": emu.url,
        "DATABASE_URL": db_url,
        "LOG_LEVEL": "INFO",
    }
    await registered_user(database, 4115, language="hi")
    await client.create_user(id=4115, first_name="Seema", language_code="hi")
    phone = Phone(client, database, 4115)
    proc = _start_bot(env)
    try:
        await once_started(phone, LABELS["hi"]["new"])
        await phone.send("ज़रदोज़ी दुपट्टा")
        await phone.press("✅")
        await phone.send("२५००")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc = _start_bot(env)
        replies = await once_started(phone, "३")
        assert "फ़ोटो" in texts(replies)  # the next question: the photos
        await phone.send(photo=b64(photo_samples.good_photo(2)))
        await phone.press(LABELS["hi"]["done"])
        for _ in range(3):
            card = (await phone.send(LABELS["hi"]["skip"]))[-1]
        await phone.press(LABELS["hi"]["save"], card)
        [product] = await products_of(database, 4115)
        assert (product.name, product.category) == ("ज़रदोज़ी दुपट्टा", "dupatta")
        assert (product.price_paise, product.stock) == (250_000, 3)
        assert len(await photos_of(database, product.id)) == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        await asyncio.sleep(0)


@pytest.mark.usefixtures("bot")
async def test_manage_the_photos_of_a_saved_product(phone_for, database, client, emu) -> None:  # type: ignore[no-untyped-def]
    phone = await artisan(phone_for, database, 4116, "en")
    pid = await seed_product(database, 4116, name="Chikankari cotton kurta", material="cotton")
    await seed_photos(
        emu, database, pid, [photo_samples.good_photo(1), photo_samples.good_photo(2)]
    )
    card = (await phone.press_data((await phone.send("/help"))[-1]["message_id"], f"p:open:{pid}"))[
        -1
    ]
    assert card["kind"] == "photo" and "2 photos" in card["caption"]
    screen = await phone.press("🖼️", card)
    assert [m["kind"] for m in screen] == ["photo", "photo", "text"]  # the album, then the list
    listing = screen[-1]
    assert "2 photos (at most 10)" in listing["text"]
    prompt = await phone.press("➕ Add photos", listing)
    assert "Send the photos to add" in texts(prompt)
    before = await phone.seq()
    results = await client.send(
        4116,
        media_group=[b64(photo_samples.photo(3, plain=False)), b64(photo_samples.good_photo(4))],
    )
    for item in results:
        await phone.processed(item["update_id"])
    [status] = [
        m for m in (await client.chat(4116, after=before))["messages"] if m["from"] == "bot"
    ]
    assert "4 photos received" in status["text"] and "Photo 3: busy background" in status["text"]
    done = await phone.press("✅ Done", status)
    assert "Listing score:" in texts(done) and done[-1]["kind"] == "photo"
    photos = await photos_of(database, pid)
    assert len(photos) == 4 and photos[2].checks["findings"] == ["busy_background"]

    listing = (await phone.press("🖼️", done[-1]))[-1]
    await phone.press_data(listing["message_id"], f"p:phc:{pid}:{photos[3].id}")  # ⭐ 4
    assert (await photos_of(database, pid))[0].id == photos[3].id
    listing = await phone.message_with_button("🗑️ 1")
    await phone.press("🗑️ 1", listing)
    assert [p.id for p in await photos_of(database, pid)] == [
        photos[0].id,
        photos[1].id,
        photos[2].id,
    ]
    # the last photo stays: a product needs one
    for photo in (await photos_of(database, pid))[1:]:
        await phone.press_data(listing["message_id"], f"p:phd:{pid}:{photo.id}")
    [last] = await photos_of(database, pid)
    before = await phone.seq()
    await phone.press_data(listing["message_id"], f"p:phd:{pid}:{last.id}")
    answers = (await client.chat(4116, after=before))["callback_answers"]
    assert "at least one photo" in answers[-1]["text"]
    assert len(await photos_of(database, pid)) == 1


@pytest.mark.usefixtures("bot")
async def test_edit_type_cost_and_description_of_a_saved_product(phone_for, database, emu) -> None:  # type: ignore[no-untyped-def]
    phone = await artisan(phone_for, database, 4117, "hi")
    pid = await seed_product(
        database, 4117, name="ज़रदोज़ी क्लच", category="kurta", price_paise=30_000
    )
    await seed_photos(emu, database, pid, [photo_samples.good_photo(1)])
    card = (await phone.press_data((await phone.send("/help"))[-1]["message_id"], f"p:open:{pid}"))[
        -1
    ]
    types = (await phone.press("🗂️", card))[-1]
    other = (await phone.press("🧩", types))[-1]
    assert other["message_id"] == types["message_id"]  # the same message, now the crafts
    await phone.press("गहने", other)  # jewellery and accessories
    await phone.press("एक्सेसरी")
    async with database.sessions() as session:
        product = await session.get(Product, pid)
        assert product is not None and product.category == "accessories"
    card = await phone.message_with_button("🧮")
    await phone.press("🧮", card)
    replies = await phone.send("₹400")
    async with database.sessions() as session:
        product = await session.get(Product, pid)
        assert product is not None and product.cost_paise == 40_000
    # the cost is known now: the floor price shows in the tips, and the price is below it
    tips = texts(await phone.press("💡", replies[-1]))
    assert "सबसे कम सुरक्षित दाम: ₹577" in tips  # (400 + 70 + 20) / 0.85, rounded up
    assert "₹577 से नीचे" in tips
    card = await phone.message_with_button("📝")
    await phone.press("📝", card)
    too_long = await phone.send("क" * 1200)
    assert "1000" in texts(too_long)
    await phone.send("हाथ से की गई ज़रदोज़ी, बरेली के कारीगरों की पुरानी कला। सूखे कपड़े से पोंछें।")
    async with database.sessions() as session:
        product = await session.get(Product, pid)
        assert (
            product is not None and product.description and product.description.startswith("हाथ से")
        )


@pytest.mark.usefixtures("bot")
async def test_photos_arriving_after_done_are_kept(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    """On a slow network an album uploads photo by photo: Done may come before the last ones."""
    phone = await artisan(phone_for, database, 4118, "en")
    await phone.send("➕ New product")
    await phone.send("Chikan kurta")
    await phone.press("✅")
    await phone.send("1200")
    await phone.send("4")
    await phone.send(photo=b64(photo_samples.good_photo(1)))
    await phone.press("✅ Done")
    late = await phone.send(photo=b64(photo_samples.good_photo(2)))
    assert "2 photos received" in texts(late)
    assert (await draft(database, 4118))["step"] == "description"  # the question still stands
    await phone.send("⏭️ Skip")
    await phone.send("⏭️ Skip")
    card = (await phone.send("⏭️ Skip"))[-1]
    later = await phone.send(photo=b64(photo_samples.good_photo(3)))
    assert "3 photos received" in texts(later)
    await phone.press("✅ Save", card)
    [product] = await products_of(database, 4118)
    assert len(await photos_of(database, product.id)) == 3


@pytest.mark.parametrize("lang", ["hi", "en"])
def test_captions_stay_within_1024_characters(lang: str) -> None:
    """Every field at its longest, with characters HTML must escape and emoji (2 UTF-16 units)."""
    from bot.i18n import translator
    from handlers import products as handlers

    longest = {
        "name": ("<b>&" + "😀क" * 40)[: products_service.NAME_MAX],
        "category": "home_textile",
        "price": products_service.MAX_PRICE_PAISE,
        "stock": products_service.MAX_STOCK,
        "photos": [{}] * 10,
        "description": ("& <i>हाथ से बना 😀 " * 80)[: products_service.DESCRIPTION_MAX],
        "material": ("<&>" * 40)[: products_service.DETAIL_MAX],
        "size": ("😀" * 80)[: products_service.DETAIL_MAX],
    }
    tr = translator(lang)
    caption = handlers.summary_caption(tr, longest)
    assert handlers.visible_length(caption) <= 1024
    assert "&lt;b&gt;&amp;" in caption and "<i>" not in caption
    assert "📝 " in caption  # the description, cut to fit
    product = Product(
        user_id=1,
        name=longest["name"],
        category="home_textile",
        price_paise=longest["price"],
        cost_paise=longest["price"],
        stock=1,
        description=longest["description"],
        material=longest["material"],
        size=longest["size"],
        archived=True,
    )
    assert handlers.visible_length(handlers.card_caption(tr, product, 10, 100)) <= 1024
