"""Onboarding under stress: typed districts, odd input at every step, redelivery, kill -9."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import subprocess
import sys
from typing import Any

import pytest

from bot.services import conversation
from models import User
from tests.conftest import TOKEN
from tests.e2e.hostile import CORPUS
from tests.e2e.phone import Phone, texts
from tests.e2e.test_onboarding import get_user, latin_words

# (typed text, district code): at least 20 in each script.
TYPED_DISTRICTS = [
    ("lucknow", "lucknow"),
    ("LUCKNOW ", "lucknow"),
    ("Lakhnau", "lucknow"),
    ("Allahabad", "prayagraj"),
    ("prayagraj", "prayagraj"),
    ("Noida", "gautam_buddha_nagar"),
    ("Gautam Buddh Nagar", "gautam_buddha_nagar"),
    ("Banaras", "varanasi"),
    ("Benares", "varanasi"),
    ("Faizabad", "ayodhya"),
    ("gorakpur", "gorakhpur"),
    ("Saharanpur", "saharanpur"),
    ("moradabd", "moradabad"),
    ("agra", "agra"),
    ("Firozabad", "firozabad"),
    ("Jhansi", "jhansi"),
    ("Mirzapur", "mirzapur"),
    ("Bhadohi", "bhadohi"),
    ("Sant Ravidas Nagar", "bhadohi"),
    ("Azamgarh", "azamgarh"),
    ("Kannauj", "kannauj"),
    ("लखनऊ", "lucknow"),
    ("लखनउ", "lucknow"),
    ("इलाहाबाद", "prayagraj"),
    ("प्रयागराज", "prayagraj"),
    ("नोएडा", "gautam_buddha_nagar"),
    ("गौतम बुद्ध नगर", "gautam_buddha_nagar"),
    ("बनारस", "varanasi"),
    ("वाराणसी", "varanasi"),
    ("फैजाबाद", "ayodhya"),
    ("अयोध्या", "ayodhya"),
    ("गोरखपुर", "gorakhpur"),
    ("सहारनपुर", "saharanpur"),
    ("मुरादाबाद", "moradabad"),
    ("आगरा", "agra"),
    ("फिरोजाबाद", "firozabad"),
    ("झांसी", "jhansi"),
    ("झाँसी", "jhansi"),
    ("मिर्जापुर", "mirzapur"),
    ("भदोही", "bhadohi"),
    ("आजमगढ़", "azamgarh"),
    ("अलीगढ", "aligarh"),
    ("कन्नौज", "kannauj"),
]


async def to_district_step(phone: Phone, lang: str = "hi") -> None:
    await phone.send("/start")
    await phone.press("हिन्दी" if lang == "hi" else "English")
    await phone.send("सीमा" if lang == "hi" else "Seema")


@pytest.mark.usefixtures("bot")
async def test_typed_district_spellings(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await phone_for(1301, "Seema", "hi")
    await to_district_step(phone)
    for typed, code in TYPED_DISTRICTS:
        async with database.sessions() as session:
            conv = await conversation.get(session, 1301)
            assert conv is not None
            conv.step = "district"
            session.add(conv)
            await session.commit()
        await phone.send(typed)
        async with database.sessions() as session:
            conv = await conversation.get(session, 1301)
            assert conv is not None and conv.data.get("district") == code, (typed, conv.data)


@pytest.mark.usefixtures("bot")
async def test_ambiguous_district_offers_choices(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await phone_for(1302, "Seema", "en")
    await to_district_step(phone, "en")
    replies = await phone.send("Kanpu")
    buttons = [b["text"] for row in replies[-1]["reply_markup"]["inline_keyboard"] for b in row]
    assert "Kanpur Nagar" in buttons and "Kanpur Dehat" in buttons
    await phone.press("Kanpur Dehat")
    async with database.sessions() as session:
        conv = await conversation.get(session, 1302)
        assert conv is not None and conv.data["district"] == "kanpur_dehat" and conv.step == "craft"


@pytest.mark.usefixtures("bot")
async def test_district_list_pages(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await phone_for(1303, "Seema", "en")
    await to_district_step(phone, "en")
    await phone.press("▶️")
    await phone.press("▶️")
    page = await phone.message_with_button("◀️")
    labels = [b["text"] for row in page["reply_markup"]["inline_keyboard"] for b in row]
    assert "3/7" in labels
    await phone.press(labels[0], page)
    async with database.sessions() as session:
        conv = await conversation.get(session, 1303)
        assert conv is not None and conv.step == "craft"


ODD_INPUTS: list[dict[str, Any]] = [
    {"sticker": True},
    {"photo": base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 64).decode()},
    {"voice": True},
    {"text": "क" * 5000},
    {"text": "<b>bold</b> <script>alert(1)</script> &amp;"},
    {"location": {"latitude": 26.85, "longitude": 80.95}},
]


async def snapshot(database, uid: int) -> tuple[Any, Any]:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        user = await session.get(User, uid)
        conv = await conversation.get(session, uid)
        u = user.model_dump(exclude={"last_seen_at"}) if user else None
        c = conv.model_dump(exclude={"updated_at"}) if conv else None
        return u, c


@pytest.mark.usefixtures("bot")
async def test_odd_input_at_every_step(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await phone_for(1304, "Seema", "hi")
    steps = [
        ("language", lambda: phone.send("/start")),
        ("name", lambda: phone.press("हिन्दी")),
        ("district", lambda: phone.send("सीमा")),
        ("craft", lambda: phone.send("आगरा")),
        ("consent", lambda: phone.press("✅")),
        ("phone", None),  # pressed below: the consent message has two buttons
    ]
    for step, action in steps:
        if step == "phone":
            message = await phone.message_with_button("❌")
            await phone.press_data(message["message_id"], "ob:yes")
        else:
            await action()
        before = await snapshot(database, 1304)
        assert before[1] is not None and before[1]["step"] == step
        for odd in ODD_INPUTS + CORPUS:
            if step == "name" and odd == {"text": "NaN"}:
                continue  # letters only: a valid (if odd) name
            replies = await phone.send(**odd)
            assert replies, f"no answer to {odd} at {step}"
            shown = texts(replies)
            assert "Sorry, something went wrong" not in shown
            assert latin_words(shown) == set(), (step, odd, shown)
            assert await snapshot(database, 1304) == before, (step, odd)


@pytest.mark.usefixtures("bot")
async def test_redelivered_update_is_ignored(phone_for, database, client) -> None:  # type: ignore[no-untyped-def]
    phone = await phone_for(1305, "Seema", "hi")
    await phone.send("/start")
    await phone.press("हिन्दी")
    before = await phone.seq()
    sent = await client.send(1305, "सीमा")
    await phone.processed(sent["update_id"])
    state = await snapshot(database, 1305)
    await client.redeliver(sent["update_id"])
    # An update sent after the redelivered one is processed after it (in order).
    await phone.send("/help")
    prompts = [m for m in (await client.chat(1305, after=before))["messages"] if m["from"] == "bot"]
    district_prompts = [m for m in prompts if "ज़िले" in (m.get("text") or "")]
    assert len(district_prompts) == 1
    assert await snapshot(database, 1305) == state


def _start_bot(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


async def test_kill_9_mid_onboarding_then_continue(emu, client, database, db_url) -> None:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": emu.url,
        "DATABASE_URL": db_url,
        "LOG_LEVEL": "INFO",
    }
    await client.create_user(id=1306, first_name="Seema", language_code="hi")
    phone = Phone(client, database, 1306)
    proc = _start_bot(env)
    try:
        await phone.send("/start")
        await phone.press("हिन्दी")
        await phone.send("सीमा देवी")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        output = proc.stdout.read().decode() if proc.stdout else ""
        assert TOKEN not in output and TOKEN.split(":")[1] not in output
        proc = _start_bot(env)
        replies = await phone.send("लखनऊ")
        assert "चिकनकारी" in texts(replies)
        await phone.press("✅")
        await phone.press_data((await phone.message_with_button("❌"))["message_id"], "ob:yes")
        await phone.send("⏭️ छोड़ें")
        user = await get_user(database, 1306)
        assert user is not None and user.is_registered and user.name == "सीमा देवी"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        await asyncio.sleep(0)


@pytest.mark.usefixtures("bot")
async def test_a_failing_handler_apologises_and_changes_nothing(
    phone_for, database, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    phone = await phone_for(1307, "Seema", "hi")
    await phone.send("/start")
    await phone.press("हिन्दी")
    before = await snapshot(database, 1307)

    def boom(text: str) -> str:
        raise RuntimeError("database exploded")

    monkeypatch.setattr("bot.services.users.clean_name", boom)
    replies = await phone.send("सीमा")
    assert "माफ़ कीजिए, कुछ गड़बड़ हो गई" in texts(replies)
    assert await snapshot(database, 1307) == before
    assert any("update" in r.getMessage() and r.exc_info for r in caplog.records)
    assert all(TOKEN not in r.getMessage() for r in caplog.records)
    monkeypatch.undo()
    replies = await phone.send("सीमा")
    assert "ज़िले" in texts(replies)
