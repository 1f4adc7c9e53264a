"""A real PTB ``Application`` polling the emulator, end to end."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from .conftest import TOKEN


async def test_application_polling_roundtrip(emu, client):
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        kb = InlineKeyboardMarkup([[InlineKeyboardButton("हिंदी", callback_data="lang:hi")]])
        await update.message.reply_html("<b>नमस्ते</b>, भाषा चुनें:", reply_markup=kb)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        q = update.callback_query
        await q.answer("ठीक है")
        await q.edit_message_text(f"चुना: {q.data}")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text[::-1])

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{emu.url}/bot")
        .base_file_url(f"{emu.url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with app:
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            u = await client.create_user("Kamla", language_code="hi")
            sent = await client.send(u["id"], "/start")
            [welcome] = await client.wait_bot_messages(u["id"], after=sent["seq"])
            assert welcome["text"] == "नमस्ते, भाषा चुनें:"
            assert welcome["html"] == "<b>नमस्ते</b>, भाषा चुनें:"
            assert welcome["reply_to_message_id"] is None
            _kind, data = client.find_button(welcome, "हिंदी")
            pressed = await client.press(u["id"], welcome["message_id"], data)
            answer = await client.wait_callback_answer(u["id"], pressed["callback_query_id"])
            assert answer["text"] == "ठीक है"
            [edited] = await client.wait_bot_messages(u["id"], after=pressed["seq"])
            assert edited["edited"] and edited["text"] == "चुना: lang:hi"
            assert edited["reply_markup"] is None
            sent = await client.send(u["id"], "abc")
            [echoed] = await client.wait_bot_messages(u["id"], after=sent["seq"])
            assert echoed["text"] == "cba"
        finally:
            await app.updater.stop()
            await app.stop()
    methods = {c["method"] for c in await client.calls()}
    assert {"getMe", "deleteWebhook", "getUpdates", "sendMessage"} <= methods
    assert {"answerCallbackQuery", "editMessageText"} <= methods
