"""The emulator against python-telegram-bot's real ``telegram.Bot``."""

from __future__ import annotations

import asyncio
import importlib.util
import time

import pytest
import telegram
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken

from .conftest import TOKEN, make_png


async def test_get_me_and_bot_id(bot):
    me = await bot.get_me()
    assert me.id == 123456 and me.is_bot and me.username == "odop_saathi_bot"


async def test_wrong_token_is_unauthorized(emu):
    other = telegram.Bot("123456:wrong", base_url=f"{emu.url}/bot")
    with pytest.raises(InvalidToken):
        await other.get_me()


async def test_unknown_method_is_not_found(bot):
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendHologram", api_kwargs={"chat_id": 1})


async def test_receive_and_offset_semantics(bot, client, user):
    uid = user["id"]
    r1 = await client.send(uid, "/start")
    r2 = await client.send(uid, "नमस्ते")
    r3 = await client.send(uid, "three")
    ups = await bot.get_updates()
    assert [u.update_id for u in ups] == [r1["update_id"], r2["update_id"], r3["update_id"]]
    first = ups[0].message
    assert first.text == "/start" and first.chat.type == "private" and first.chat.id == uid
    assert first.entities[0].type == "bot_command" and first.entities[0].length == 6
    assert first.from_user.language_code == "hi" and first.from_user.username == "ramesh_k"
    # not confirmed yet -> delivered again
    assert len(await bot.get_updates()) == 3
    # offset confirms everything below it, forever
    again = await bot.get_updates(offset=r2["update_id"])
    assert [u.update_id for u in again] == [r2["update_id"], r3["update_id"]]
    assert [u.update_id for u in await bot.get_updates(offset=0)] == [
        r2["update_id"],
        r3["update_id"],
    ]
    assert len(await bot.get_updates(limit=1)) == 1
    # negative offset: only the last one survives
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == [r3["update_id"]]
    assert await bot.get_updates(offset=r3["update_id"] + 1) == ()
    assert await client.pending() == 0


async def test_long_poll_wakes_up(bot, client, user):
    t0 = time.monotonic()
    task = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not task.done()
    await client.send(user["id"], "hello")
    ups = await asyncio.wait_for(task, 3)
    assert ups[0].message.text == "hello"
    assert time.monotonic() - t0 < 2
    # an empty long poll waits for its timeout
    t0 = time.monotonic()
    assert await bot.get_updates(offset=ups[0].update_id + 1, timeout=0.3) == ()
    assert 0.25 < time.monotonic() - t0 < 2


async def test_second_poller_conflicts(emu, bot, client, user):
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with telegram.Bot(TOKEN, base_url=f"{emu.url}/bot") as other_instance:
        second = asyncio.create_task(other_instance.get_updates(timeout=1))
        with pytest.raises(telegram.error.Conflict, match="terminated by other getUpdates"):
            await first
        await client.send(user["id"], "x")
        assert (await second)[0].message.text == "x"


async def test_chat_not_found_and_blocked(bot, client, user):
    uid = user["id"]
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(uid, "before start")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "nobody")
    await client.send(uid, "/start")
    await bot.send_message(uid, "ok now")
    await client.block(uid)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(uid, "hello?")
    ups = await bot.get_updates()
    mcm = ups[-1].my_chat_member
    assert mcm.new_chat_member.status == "kicked" and mcm.old_chat_member.status == "member"
    assert mcm.new_chat_member.user.id == bot.id
    await client.block(uid, False)
    ups = await bot.get_updates(offset=ups[-1].update_id + 1)
    assert ups[-1].my_chat_member.new_chat_member.status == "member"
    await bot.send_message(uid, "welcome back")
    # a blocked user who writes again has restarted the bot
    await client.block(uid)
    await client.send(uid, "hi again")
    await bot.send_message(uid, "fine")


async def test_text_length_limits(bot, client, user):
    uid = user["id"]
    await client.send(uid, "/start")
    await bot.send_message(uid, "x" * 4096)
    await bot.send_message(uid, "क" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(uid, "क" * 4097)
    # the limit applies after entity parsing
    await bot.send_message(uid, "<b>" + "क" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(uid, "<b>" + "ख" * 4097 + "</b>", parse_mode="HTML")
    # UTF-16: an emoji outside the BMP counts twice
    await bot.send_message(uid, "😀" * 2048)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(uid, "😀" * 2048 + "a")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(uid, "   \n ")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(uid, "<b> </b>", parse_mode="HTML")


async def test_caption_limit(bot, client, user):
    uid = user["id"]
    await client.send(uid, "/start")
    png = make_png()
    await bot.send_photo(uid, png, caption="च" * 1024)
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_photo(uid, png, caption="च" * 1025)


async def test_callback_data_limits(bot, client, user):
    uid = user["id"]
    await client.send(uid, "/start")

    def kb(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("बटन", callback_data=data)]])

    await bot.send_message(uid, "ok", reply_markup=kb("a" * 64))
    await bot.send_message(uid, "ok", reply_markup=kb("क" * 21))  # 63 bytes
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(uid, "no", reply_markup=kb("a" * 65))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(uid, "no", reply_markup=kb("क" * 22))  # 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)text buttons are unallowed"):
        await bot.send_message(
            uid, "no", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x")]])
        )
    with pytest.raises(BadRequest):
        await bot.send_message(uid, "no", reply_markup=kb_text("", "d"))


def seconds(value) -> float:
    """PTB 22 gives int or timedelta depending on PTB_TIMEDELTA."""
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


def kb_text(text: str, data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)]])


@pytest.mark.parametrize(
    "bad",
    [
        "<b>unclosed",
        "a < b",
        "<x>unknown</x>",
        "<b>mismatch</i>",
        "</b>",
        "Tom & Jerry",
        '<span class="other">s</span>',
        "<b>x</b",
    ],
)
async def test_malformed_html_rejected(bot, client, user, bad):
    await client.send(user["id"], "/start")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(user["id"], bad, parse_mode="HTML")


async def test_well_formed_html_accepted_and_rendered(bot, client, user):
    uid = user["id"]
    sent = await client.send(uid, "/start")
    text = (
        "<b>बोल्ड</b> <i>it</i> <u>u</u> <s>s</s> <tg-spoiler>sp</tg-spoiler> "
        '<a href="https://example.com/?a=1&amp;b=2">link</a> <code>c</code> '
        '<pre><code class="language-python">print(1)</code></pre> &lt;tag&gt; &amp; &quot; &#2325;'
    )
    msg = await bot.send_message(uid, text, parse_mode="HTML")
    assert msg.text == 'बोल्ड it u s sp link c print(1) <tag> & " क'
    types = [(e.type, e.offset, e.length) for e in msg.entities]
    assert ("bold", 0, 5) in types
    pre = next(e for e in msg.entities if e.type == "pre")
    assert pre.language == "python"
    link = next(e for e in msg.entities if e.type == "text_link")
    assert link.url == "https://example.com/?a=1&b=2"
    [entry] = await client.wait_bot_messages(uid, after=sent["seq"])
    assert entry["html"].startswith("<b>बोल्ड</b> <i>it</i>")
    assert "&lt;tag&gt;" in entry["html"] and '<pre data-language="python">' in entry["html"]
    assert 'href="https://example.com/?a=1&amp;b=2"' in entry["html"]


async def test_bare_ampersand_allowed_when_not_strict(bot, client, user):
    await client.send(user["id"], "/start")
    await client.configure(strict_html_amp=False)
    msg = await bot.send_message(user["id"], "Tom & Jerry &copy", parse_mode="HTML")
    assert msg.text == "Tom & Jerry &copy"


async def test_markdown_v2_is_refused(bot, client, user):
    await client.send(user["id"], "/start")
    with pytest.raises(BadRequest, match=r"(?i)not supported by the emulator"):
        await bot.send_message(user["id"], "*b*", parse_mode="MarkdownV2")


async def test_photo_upload_get_file_download(bot, client, user):
    uid = user["id"]
    await client.send(uid, "/start")
    png = make_png(16, 9)
    msg = await bot.send_photo(uid, png, caption="<b>फोटो</b>", parse_mode="HTML")
    assert msg.caption == "फोटो" and msg.caption_entities[0].type == "bold"
    big = msg.photo[-1]
    assert (big.width, big.height) == (16, 9)
    f = await bot.get_file(big.file_id)
    assert f.file_path and f.file_size == big.file_size
    data = bytes(await f.download_as_bytearray())
    if importlib.util.find_spec("PIL") is None:
        assert data == png
    else:
        assert data[:2] == b"\xff\xd8"  # re-encoded to JPEG like Telegram
    # the same file_id can be sent again; a URL cannot (no internet)
    again = await bot.send_photo(uid, big.file_id)
    assert again.photo[-1].file_unique_id == big.file_unique_id
    with pytest.raises(BadRequest, match=r"(?i)wrong http url"):
        await bot.send_photo(uid, "https://example.com/a.jpg")
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(uid, "AgACnotAFileId")
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(uid, b"definitely not an image")
    doc = await bot.send_document(uid, b"%PDF-1.4 fake", filename="catalog.pdf")
    assert doc.document.file_name == "catalog.pdf"
    assert doc.document.mime_type == "application/pdf"
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type document as photo"):
        await bot.send_photo(uid, doc.document.file_id)
    got = await (await bot.get_file(doc.document.file_id)).download_as_bytearray()
    assert bytes(got) == b"%PDF-1.4 fake"
    entry = await client.last_bot_message(uid)
    assert entry["kind"] == "document" and entry["document"]["file_name"] == "catalog.pdf"
    assert await client.file_bytes(entry["document"]["file_id"]) == b"%PDF-1.4 fake"


async def test_user_photo_and_document_downloaded_by_bot(bot, client, user):
    uid = user["id"]
    png = make_png(5, 7, (1, 2, 3))
    await client.send_photo(uid, png, caption="मेरा सामान")
    await client.send_document(uid, "नमस्ते".encode(), "note.txt")
    ups = await bot.get_updates()
    photo_msg, doc_msg = ups[0].message, ups[1].message
    assert photo_msg.caption == "मेरा सामान"
    size = photo_msg.photo[-1]
    f = await size.get_file()
    data = bytes(await f.download_as_bytearray())
    if importlib.util.find_spec("PIL") is None:
        assert data == png and (size.width, size.height) == (5, 7)
    assert doc_msg.document.file_name == "note.txt"
    assert doc_msg.document.mime_type == "text/plain"
    data = await (await doc_msg.document.get_file()).download_as_bytearray()
    assert bytes(data).decode() == "नमस्ते"
    # the bot can send the user's photo on by file_id
    echoed = await bot.send_photo(uid, size.file_id)
    assert echoed.photo[-1].file_unique_id == size.file_unique_id


async def test_media_group_with_attach_uploads(bot, client, user):
    uid = user["id"]
    await client.send(uid, "/start")
    msgs = await bot.send_media_group(
        uid,
        [
            InputMediaPhoto(make_png(2, 2), caption="एक"),
            InputMediaPhoto(make_png(3, 3)),
        ],
    )
    assert len(msgs) == 2 and msgs[0].media_group_id == msgs[1].media_group_id
    assert msgs[0].caption == "एक" and msgs[1].photo[-1].width == 3
    calls = await client.calls("sendMediaGroup")
    assert "attach://" in calls[-1]["params"]["media"]


async def test_set_my_commands_per_language(bot, client):
    from telegram import BotCommand, BotCommandScopeAllPrivateChats

    await bot.set_my_commands([BotCommand("start", "शुरू करें")], language_code="hi")
    await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    await bot.set_my_commands([BotCommand("help", "Help")], scope=BotCommandScopeAllPrivateChats())
    hi = await bot.get_my_commands(language_code="hi")
    assert [(c.command, c.description) for c in hi] == [("start", "शुरू करें")]
    assert await bot.get_my_commands() == ()
    reg = await client.commands()
    keys = {(r["scope"]["type"], r["language_code"]) for r in reg}
    assert keys == {("default", "hi"), ("default", "en"), ("all_private_chats", "")}
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start-Now", "x")])
    await bot.delete_my_commands(language_code="en")
    assert len(await client.commands()) == 2
    await bot.set_my_description("विवरण", language_code="hi")
    assert (await bot.get_my_description("hi")).description == "विवरण"
    await bot.set_chat_menu_button(menu_button=telegram.MenuButtonCommands())
    assert (await bot.get_chat_menu_button()).type == "commands"


async def test_callback_press_and_answer(bot, client, user):
    uid = user["id"]
    await client.send(uid, "/start")
    msg = await bot.send_message(
        uid,
        "चुनें",
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("हिंदी", callback_data="lang:hi")],
                [InlineKeyboardButton("site", url="https://odop.up.gov.in")],
            ]
        ),
    )
    entry = await client.last_bot_message(uid)
    assert client.find_button(entry, "हिंदी") == ("callback", "lang:hi")
    assert client.find_button(entry, "site") == ("url", "https://odop.up.gov.in")
    with pytest.raises(AssertionError, match="no button"):
        client.find_button(entry, "English")
    pressed = await client.press(uid, msg.message_id, "lang:hi")
    ups = await bot.get_updates()
    cq = ups[-1].callback_query
    assert ups[-1].update_id == pressed["update_id"]
    assert cq.id == pressed["callback_query_id"] and cq.data == "lang:hi"
    assert cq.message.message_id == msg.message_id and cq.from_user.id == uid
    assert await cq.answer("सहेजा गया", show_alert=True)
    answer = await client.wait_callback_answer(uid, cq.id)
    assert answer["text"] == "सहेजा गया" and answer["show_alert"] is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await cq.answer()
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")
    # forged data for a message that doesn't exist -> control error
    with pytest.raises(AssertionError, match="404"):
        await client.press(uid, 9999, "x")
    p2 = await client.press(uid, msg.message_id, "forged")
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(p2["callback_query_id"], text="x" * 201)


async def test_edit_and_delete(bot, client, user):
    uid = user["id"]
    await client.send(uid, "/start")
    kb = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]])
    msg = await bot.send_message(uid, "पहला", reply_markup=kb)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("पहला", uid, msg.message_id, reply_markup=kb)
    edited = await bot.edit_message_text("दूसरा", uid, msg.message_id, reply_markup=kb)
    assert edited.text == "दूसरा" and edited.edit_date is not None
    # omitting reply_markup removes the inline keyboard, like Telegram
    bare = await bot.edit_message_text("दूसरा", uid, msg.message_id)
    assert bare.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(uid, msg.message_id)
    await bot.edit_message_reply_markup(uid, msg.message_id, reply_markup=kb)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", uid, 4242)
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", uid, 1)  # the user's /start
    photo = await bot.send_photo(uid, make_png(), caption="c1")
    await bot.edit_message_caption(uid, photo.message_id, caption="c2")
    with pytest.raises(BadRequest, match=r"(?i)no text in the message"):
        await bot.edit_message_text("x", uid, photo.message_id)
    with pytest.raises(BadRequest, match=r"(?i)no caption in the message"):
        await bot.edit_message_caption(uid, msg.message_id, caption="x")
    before = (await client.chat(uid))["last_seq"]
    assert await bot.delete_message(uid, msg.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(uid, msg.message_id)
    changed = (await client.chat(uid, after=before))["messages"]
    assert [(m["message_id"], m["deleted"]) for m in changed] == [(msg.message_id, True)]


async def test_transcript_edits_move_to_new_seq_and_reply_keyboard(bot, client, user):
    uid = user["id"]
    await client.send(uid, "/start")
    kb = ReplyKeyboardMarkup(
        [[KeyboardButton("📞 नंबर दें", request_contact=True)], ["मदद"]], resize_keyboard=True
    )
    m1 = await bot.send_message(uid, "one", reply_markup=kb)
    m2 = await bot.send_message(uid, "two")
    chat = await client.chat(uid)
    assert chat["reply_keyboard"]["keyboard"][0][0]["request_contact"] is True
    assert chat["reply_keyboard"]["keyboard"][1][0] == {"text": "मदद"}
    assert m1.reply_markup is None  # reply keyboards are not part of the Message object
    seq = chat["last_seq"]
    await bot.edit_message_text("one!", uid, m1.message_id)
    res = await client.chat(uid, after=seq)
    assert [(m["message_id"], m["text"], m["edited"]) for m in res["messages"]] == [
        (m1.message_id, "one!", True)
    ]
    assert client.find_button({"reply_markup": chat["reply_keyboard"]}, "नंबर") == (
        "contact",
        None,
    )
    await bot.send_message(uid, "gone", reply_markup=ReplyKeyboardRemove())
    assert (await client.chat(uid))["reply_keyboard"] is None
    assert m2.message_id == m1.message_id + 1


async def test_chat_long_poll_and_wait_bot_messages(bot, client, user):
    uid = user["id"]
    sent = await client.send(uid, "/start")

    async def later():
        await asyncio.sleep(0.2)
        await bot.send_chat_action(uid, "typing")
        await bot.send_message(uid, "देर से")

    task = asyncio.create_task(later())
    [entry] = await client.wait_bot_messages(uid, after=sent["seq"], timeout=5)
    assert entry["text"] == "देर से" and entry["from"] == "bot"
    await task
    with pytest.raises(AssertionError, match="Transcript"):
        await client.wait_bot_messages(uid, after=entry["seq"], timeout=0.3)


async def test_redeliver_same_update_id(bot, client, user):
    r = await client.send(user["id"], "/start")
    ups = await bot.get_updates()
    assert await bot.get_updates(offset=ups[-1].update_id + 1) == ()
    await client.redeliver(r["update_id"])
    assert await client.pending() == 1
    again = await bot.get_updates(offset=ups[-1].update_id + 1)
    assert [u.update_id for u in again] == [r["update_id"]]
    assert again[0].message.text == "/start"
    assert await bot.get_updates(offset=ups[-1].update_id + 1) == ()


async def test_group_message_update_shape(bot, client, user):
    group = await client.create_group("ODOP कारीगर")
    gid = group["id"]
    assert gid < 0
    await client.configure(group_privacy=True)  # Telegram's default for bots
    cmd = await client.group_send(gid, user["id"], "/start@odop_saathi_bot")
    plain = await client.group_send(gid, user["id"], "just chatting")
    assert cmd["delivered"] and not plain["delivered"]
    ups = await bot.get_updates()
    assert len(ups) == 1
    m = ups[0].message
    assert m.chat.type == "group" and m.chat.id == gid and m.chat.title == "ODOP कारीगर"
    assert m.from_user.id == user["id"] and m.text == "/start@odop_saathi_bot"
    assert m.entities[0].type == "bot_command" and m.entities[0].length == len(m.text)
    reply = await bot.send_message(gid, "नमस्ते समूह")
    assert reply.chat.type == "group"
    await client.group_send(gid, user["id"], "replying", reply_to_message_id=reply.message_id)
    ups = await bot.get_updates(offset=ups[-1].update_id + 1)
    assert ups[-1].message.reply_to_message.message_id == reply.message_id
    sg = await client.create_group("Super", type="supergroup")
    await client.configure(group_privacy=False)  # the emulator's default
    assert (await bot.get_me()).can_read_all_group_messages
    await client.group_send(sg["id"], user["id"], "hello all")
    ups = await bot.get_updates(offset=ups[-1].update_id + 1)
    assert ups[-1].message.chat.type == "supergroup"
    assert str(sg["id"]).startswith("-100")


async def test_user_message_kinds(bot, client, user):
    uid = user["id"]
    await client.create_user(id=uid, phone_number="+919876543210")
    await client.send(uid, contact=True)
    await client.send(uid, contact={"phone_number": "+911234", "first_name": "Sita"})
    await client.send(uid, location={"latitude": 26.85, "longitude": 80.95})
    await client.send(uid, sticker=True)
    await client.send(uid, voice=True)
    await client.send(uid, video_note=True)
    await client.send(uid, poll=True)
    long = await client.send(uid, ("शब्द " * 1000).strip())  # 4999 chars -> split in two
    assert len(long) == 2
    t = await client.send(uid, "typo")
    await client.send(uid, edit_message_id=t["message_id"], text="fixed")
    group = await client.send(
        uid, media_group=[__import__("base64").b64encode(make_png()).decode()] * 2
    )
    assert len(group) == 2
    ups = await bot.get_updates()
    long_parts = [u.message.text for u in ups[7:9]]
    assert len(long_parts[0]) <= 4096 and " ".join(long_parts) == ("शब्द " * 1000).strip()
    ups = ups[:7] + ups[9:]
    msgs = [u.message or u.edited_message for u in ups]
    assert msgs[0].contact.phone_number == "+919876543210" and msgs[0].contact.user_id == uid
    assert msgs[1].contact.user_id is None and msgs[1].contact.first_name == "Sita"
    assert msgs[2].location.latitude == pytest.approx(26.85)
    assert msgs[3].sticker.emoji
    assert seconds(msgs[4].voice.duration) >= 1
    assert msgs[5].video_note.length == 240
    assert msgs[6].poll.options
    assert ups[8].edited_message.text == "fixed" and ups[8].edited_message.edit_date
    assert msgs[9].media_group_id == msgs[10].media_group_id is not None
    voice_file = await msgs[4].voice.get_file()
    assert (await voice_file.download_as_bytearray())[:4] == b"OggS"


async def test_copy_and_forward(bot, client, user):
    uid = user["id"]
    r = await client.send(uid, "मूल संदेश")
    copied = await bot.copy_message(uid, uid, r["message_id"])
    fwd = await bot.forward_message(uid, uid, r["message_id"])
    assert fwd.text == "मूल संदेश" and fwd.forward_origin.sender_user.id == uid
    assert copied.message_id == fwd.message_id - 1
    with pytest.raises(BadRequest, match=r"(?i)message to copy not found"):
        await bot.copy_message(uid, uid, 999)


async def test_get_chat_and_member(bot, client, user):
    uid = user["id"]
    await client.send(uid, "/start")
    chat = await bot.get_chat(uid)
    assert chat.first_name == "Ramesh" and chat.type == "private"
    member = await bot.get_chat_member(uid, uid)
    assert member.status == "member" and member.user.id == uid


async def test_raw_http_forms_json_get_and_case(emu):
    import aiohttp

    base = f"{emu.url}/bot{TOKEN}"
    emu.emulator.create_user(id=77, first_name="Raw", started=True)
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{base}/GETME") as r:
            assert r.status == 200 and (await r.json())["result"]["id"] == 123456
        async with s.get(f"{base}/sendMessage", params={"chat_id": "77", "text": "q"}) as r:
            assert (await r.json())["result"]["text"] == "q"
        async with s.post(f"{base}/sendmessage", json={"chat_id": 77, "text": "j"}) as r:
            assert (await r.json())["result"]["text"] == "j"
        async with s.post(f"{base}/sendMessage", data={"chat_id": "77", "text": "123"}) as r:
            assert (await r.json())["result"]["text"] == "123"
        async with s.post(f"{base}/nope") as r:
            assert r.status == 404
            assert await r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with s.post(f"{emu.url}/botWRONG/getMe") as r:
            assert r.status == 401
            assert await r.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with s.post(
            f"{base}/sendMessage", data={"chat_id": "77", "text": "x", "reply_markup": "{bad"}
        ) as r:
            assert r.status == 400 and "can't parse" in (await r.json())["description"]
    calls = emu.emulator.calls("sendMessage")
    assert [c["params"]["text"] for c in calls] == ["q", "j", "123", "x"]
    assert calls[-1]["ok"] is False and calls[-1]["error_code"] == 400


async def test_webhook_delivery_and_conflict(bot, client, user):
    from aiohttp import web

    got: list[dict] = []

    async def hook(request: web.Request) -> web.Response:
        assert request.headers.get("X-Telegram-Bot-Api-Secret-Token") == "s3cret"
        got.append(await request.json())
        return web.json_response(
            {"method": "sendMessage", "chat_id": user["id"], "text": "via hook"}
        )

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        with pytest.raises(telegram.error.Conflict, match="webhook is active"):
            await bot.get_updates()
        sent = await client.send(user["id"], "/start")
        [entry] = await client.wait_bot_messages(user["id"], after=sent["seq"], timeout=5)
        assert entry["text"] == "via hook"
        assert got[0]["update_id"] == sent["update_id"]
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        await bot.delete_webhook()
        await client.send(user["id"], "poll again")
        assert (await bot.get_updates())[-1].message.text == "poll again"
    finally:
        await runner.cleanup()
