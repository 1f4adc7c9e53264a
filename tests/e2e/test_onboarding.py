"""Onboarding end to end: the real Application over HTTP through the emulator."""

from __future__ import annotations

import re

import pytest

from bot.services import conversation
from models import User
from tests.e2e.phone import Phone, texts

pytestmark = pytest.mark.usefixtures("bot")

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Latin that may appear on a Hindi screen: commands, and the other language's own name.
ALLOWED_LATIN = {
    "start",
    "menu",
    "help",
    "language",
    "cancel",
    "settings",
    "privacy",
    "mydata",
    "deleteme",
    "English",
}


def latin_words(text: str) -> set[str]:
    return {w for w in LATIN_WORD.findall(text) if w not in ALLOWED_LATIN}


def screen_text(messages: list[dict]) -> str:
    parts = []
    for m in messages:
        parts.append(m.get("text") or m.get("caption") or "")
        for row in (m.get("reply_markup") or {}).get("inline_keyboard", []):
            parts.extend(b["text"] for b in row)
        for row in (m.get("reply_markup") or {}).get("keyboard", []):
            parts.extend(b["text"] if isinstance(b, dict) else b for b in row)
    return "\n".join(parts)


async def get_user(database, uid: int) -> User | None:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        return await session.get(User, uid)


async def onboard(phone: Phone, *, lang_button: str, name: str, district: str) -> list[dict]:
    seen = []
    seen += await phone.send("/start")
    seen += await phone.press(lang_button)
    seen += await phone.send(name)
    seen += await phone.send(district)
    craft = await phone.message_with_button("✅")
    seen += await phone.press("✅", craft)
    seen += await phone.press_data((await phone.message_with_button("✅"))["message_id"], "ob:yes")
    seen += await phone.send(contact=True)
    return seen


async def test_onboarding_in_hindi(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await phone_for(1101, "सीमा", "hi")
    seen = await onboard(phone, lang_button="हिन्दी", name="सीमा देवी", district="लखनऊ")

    user = await get_user(database, 1101)
    assert user is not None and user.is_registered
    assert (user.name, user.district_code, user.language) == ("सीमा देवी", "lucknow", "hi")
    assert user.craft_group == "textile" and user.odop_index == 0
    assert user.phone and user.phone.startswith("+91")
    assert user.consent_version and user.consent_at is not None
    # Nothing but Hindi on screen (commands and the word "English" on the language button).
    assert latin_words(screen_text(seen)) == set(), screen_text(seen)
    # The main menu is a reply keyboard in Hindi.
    keyboard = await phone.reply_keyboard()
    assert "❓ मदद" in keyboard
    async with database.sessions() as session:
        assert await conversation.get(session, 1101) is None


async def test_onboarding_in_english(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await phone_for(1102, "Ravi", "en")
    first = await phone.send("/start")
    buttons = [b["text"] for row in first[-1]["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["English", "हिन्दी"]  # the phone's language first
    await phone.press("English")
    await phone.send("Ravi Kumar")
    replies = await phone.send("agra")
    assert "Leather Products" in texts(replies)
    await phone.press("Stone")  # Agra's second ODOP product
    await phone.press("Yes, I agree")
    done = await phone.send("⏭️ Skip")
    assert "registered" in texts(done)
    user = await get_user(database, 1102)
    assert user is not None and user.is_registered
    assert (user.district_code, user.odop_index, user.phone, user.language) == (
        "agra",
        1,
        None,
        "en",
    )
    assert "❓ Help" in await phone.reply_keyboard()


async def test_returning_user_goes_to_menu(phone_for) -> None:  # type: ignore[no-untyped-def]
    phone = await phone_for(1103, "Ravi", "en")
    await onboard(phone, lang_button="English", name="Ravi", district="Varanasi")
    again = await phone.send("/start")
    assert "Welcome back, Ravi" in texts(again)
    assert again[-1]["reply_markup"]["keyboard"]


async def test_no_thanks_stores_nothing(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    phone = await phone_for(1104, "Asha", "hi")
    await phone.send("/start")
    await phone.press("हिन्दी")
    await phone.send("आशा")
    await phone.send("गोरखपुर")
    await phone.press("✅")
    replies = await phone.press_data((await phone.message_with_button("❌"))["message_id"], "ob:no")
    assert "/start" in texts(replies)
    assert await get_user(database, 1104) is None


@pytest.mark.parametrize("step_inputs", [0, 1, 2, 3, 4, 5])
async def test_cancel_from_every_step(phone_for, database, step_inputs: int) -> None:  # type: ignore[no-untyped-def]
    phone = await phone_for(1200 + step_inputs, "Test", "en")
    script = [
        lambda: phone.send("/start"),
        lambda: phone.press("English"),
        lambda: phone.send("Meena"),
        lambda: phone.send("Moradabad"),
        lambda: phone.press("✅"),
        lambda: phone.press("Yes, I agree"),
    ]
    for action in script[: step_inputs + 1]:
        await action()
    replies = await phone.send("/cancel")
    user = await get_user(database, phone.uid)
    if step_inputs == 5:  # at the phone step the user has agreed: cancel skips the number
        assert user is not None and user.is_registered and user.phone is None
        assert "registered" in texts(replies)
    else:
        assert user is None, "cancelling before consent keeps nothing"
        assert "/start" in texts(replies)
    async with database.sessions() as session:
        assert await conversation.get(session, phone.uid) is None
    # Old buttons no longer do anything.
    chat = await phone.transcript()
    old = [
        m
        for m in chat
        if m["from"] == "bot" and (m.get("reply_markup") or {}).get("inline_keyboard")
    ]
    if old and step_inputs < 5:
        data = old[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        if not data.startswith("lang:"):
            await phone.press_data(old[-1]["message_id"], data)
            assert await get_user(database, phone.uid) is None


async def test_language_switch_follows_everywhere(phone_for, database, client) -> None:  # type: ignore[no-untyped-def]
    phone = await phone_for(1105, "Ravi", "en")
    await onboard(phone, lang_button="English", name="Ravi", district="Kanpur Nagar")
    await phone.send("/language")
    replies = await phone.press("हिन्दी")
    assert "मुख्य मेनू" in texts(replies)
    assert "❓ मदद" in await phone.reply_keyboard()
    user = await get_user(database, 1105)
    assert user is not None and user.language == "hi"
    scoped = [c for c in await client.commands() if (c.get("scope") or {}).get("chat_id") == 1105]
    assert scoped and any(cmd["description"] == "मुख्य मेनू" for cmd in scoped[-1]["commands"])
    # A stale English keyboard still works after the switch.
    replies = await phone.send("❓ Help")
    assert "/menu" in texts(replies) and latin_words(texts(replies)) == set()


async def test_commands_registered_per_language(client) -> None:  # type: ignore[no-untyped-def]
    registry = await client.commands()
    by_lang = {
        c.get("language_code") or "": c["commands"]
        for c in registry
        if (c.get("scope") or {}).get("type", "default") == "default"
    }
    assert {"hi", "en"} <= set(by_lang)
    assert [c["command"] for c in by_lang["hi"]] == [
        "menu",
        "help",
        "language",
        "cancel",
        "settings",
        "privacy",
        "start",
    ]
    assert by_lang["hi"][0]["description"] == "मुख्य मेनू"
    assert by_lang["en"][0]["description"] == "Main menu"


async def test_group_message_gets_one_polite_line(client, phone_for) -> None:  # type: ignore[no-untyped-def]
    phone = await phone_for(1106, "Ravi", "en")
    group = await client.create_group(title="ODOP Lucknow")
    chat_id = group["id"]
    before = len((await client.group_chat(chat_id))["messages"])
    chatter = await client.group_send(chat_id, 1106, "hello everyone")
    command = await client.group_send(chat_id, 1106, "/start")
    await phone.processed(chatter["update_id"])
    await phone.processed(command["update_id"])
    bot_lines = [
        m for m in (await client.group_chat(chat_id))["messages"][before:] if m["from"] == "bot"
    ]
    assert len(bot_lines) == 1 and "private chat" in bot_lines[0]["text"]
