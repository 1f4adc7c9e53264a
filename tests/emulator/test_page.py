"""The demo chat page driven by Debian's chromium through Playwright."""

from __future__ import annotations

import asyncio
import os
import re

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from .conftest import make_png

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = "/tmp/emulator_page.png"
HAVE_CHROMIUM = os.path.exists(CHROMIUM)


@pytest.fixture
async def page(emu):
    if not HAVE_CHROMIUM:
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await browser.new_context(
                viewport={"width": 390, "height": 780}, device_scale_factor=2, has_touch=True
            )
            yield await context.new_page()
        finally:
            await browser.close()


async def next_updates(bot, offset: int, within: float = 5.0):
    """get_updates until something arrives (the page acts asynchronously)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        ups = await bot.get_updates(offset=offset, timeout=1)
        if ups:
            return ups
    raise AssertionError("no update from the page")


async def chrome_text(page) -> str:
    """All visible page chrome (labels, placeholders, tooltips) outside message bubbles and
    outside content such as the bot's and users' names."""
    return await page.evaluate(
        """() => {
        const parts = [document.title];
        const skip = (n) => n.closest('.msg-wrap, #bot-name, #user-select, #toast, #alert');
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          const n = walker.currentNode;
          if (!skip(n.parentElement) && n.parentElement.offsetParent !== null) parts.push(n.textContent);
        }
        document.querySelectorAll('[placeholder],[title],[aria-label]').forEach((e) => {
          if (skip(e)) return;
          parts.push(e.getAttribute('placeholder') || '', e.getAttribute('title') || '',
                     e.getAttribute('aria-label') || '');
        });
        const sel = document.querySelector('#user-select');
        if (sel) parts.push(sel.options[0].textContent);
        return parts.join(' ');
    }"""
    )


async def test_demo_page_chat(emu, bot, client, page):
    user = await client.create_user("Ramesh", language_code="hi")
    uid = user["id"]
    await client.send(uid, "/start")
    ups = await bot.get_updates()
    offset = ups[-1].update_id + 1
    await bot.send_message(
        uid,
        "<b>नमस्ते रमेश!</b> मैं <i>ओडीओपी साथी</i> हूँ। भाषा चुनें:",
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("हिंदी", callback_data="lang:hi"),
                    InlineKeyboardButton("English", callback_data="lang:en"),
                ]
            ]
        ),
    )
    await bot.send_message(
        uid,
        "अपना मोबाइल नंबर साझा करें या मदद लें।",
        reply_markup=ReplyKeyboardMarkup(
            [[KeyboardButton("नंबर साझा करें", request_contact=True)], ["मदद", "उत्पाद"]],
            resize_keyboard=True,
        ),
    )
    await bot.send_photo(uid, make_png(64, 40, (210, 120, 40)), caption="बनारसी साड़ी")

    await page.goto(f"{emu.url}/?user={uid}")
    await page.wait_for_selector("body[data-ready='1']")
    await page.wait_for_function("document.querySelectorAll('.msg.bot').length === 3")
    assert await page.locator(".msg.user").count() == 1
    first = page.locator(".msg.bot").first
    assert await first.locator("b").inner_text() == "नमस्ते रमेश!"
    assert await page.locator("#msg-input").get_attribute("placeholder") == "संदेश लिखें…"
    assert await page.locator(".reply-btn").count() == 3
    assert await page.locator(".msg.bot img.photo").count() == 1

    # the chrome speaks Hindi only
    chrome = await chrome_text(page)
    assert not re.search(r"[A-Za-z]", chrome), chrome

    # tapping an inline button -> callback_query update; the answer shows as a toast
    await page.locator(".inline-btn", has_text="हिंदी").click()
    ups = await next_updates(bot, offset)
    cq = ups[-1].callback_query
    assert cq.data == "lang:hi" and cq.from_user.id == uid
    offset = ups[-1].update_id + 1
    await cq.answer("भाषा सहेजी गई")
    await page.wait_for_selector("#toast:not([hidden])")
    assert await page.locator("#toast").inner_text() == "भाषा सहेजी गई"
    await cq.edit_message_text("भाषा: हिंदी ✓")
    await page.wait_for_function(
        "document.querySelector('.msg.bot[data-message-id=\"2\"]')?.dataset.edited === '1'"
    )
    assert await page.locator(".msg.bot").first.locator(".text").inner_text() == "भाषा: हिंदी ✓"
    assert await page.locator(".inline-btn").count() == 0  # keyboard removed by the edit

    # typing + send -> message update
    await page.locator("#msg-input").fill("मुझे लोन चाहिए")
    await page.locator("#send-btn").click()
    ups = await next_updates(bot, offset)
    assert ups[-1].message.text == "मुझे लोन चाहिए"
    offset = ups[-1].update_id + 1
    await page.wait_for_function("document.querySelectorAll('.msg.user').length === 2")
    assert await page.locator("#msg-input").input_value() == ""

    # reply keyboard: the request_contact button shares the user's own contact
    await page.locator(".reply-btn[data-request='contact']").click()
    ups = await next_updates(bot, offset)
    assert ups[-1].message.contact.user_id == uid
    offset = ups[-1].update_id + 1

    # attach a photo (multipart upload)
    await page.locator("#photo-input").set_input_files(
        {"name": "saree.png", "mimeType": "image/png", "buffer": make_png(8, 8)}
    )
    ups = await next_updates(bot, offset)
    assert ups[-1].message.photo[-1].width == 8

    await bot.send_message(uid, "धन्यवाद! 🙏 /help देखें।")
    await page.wait_for_function("document.querySelectorAll('.msg.bot').length === 4")
    await page.wait_for_timeout(300)
    await page.screenshot(path=SCREENSHOT)


async def test_page_in_english_and_new_user(emu, client, page):
    await client.create_user("Anita", language_code="en")
    await page.goto(emu.url + "/")
    await page.wait_for_selector("body[data-ready='1']")
    # a single user is opened automatically, in English
    assert await page.locator("#msg-input").get_attribute("placeholder") == "Message…"
    await page.locator("#new-user-btn").click()
    await page.locator("#new-user-name").fill("सुनीता")
    await page.locator("#new-user-lang").select_option("hi")
    await page.locator("#new-user-create").click()
    await page.wait_for_function("new URL(location.href).searchParams.get('user') !== null")
    # The page switches to the new user's language right after: wait for it, don't race it.
    await page.wait_for_function(
        "document.querySelector('#msg-input').placeholder === 'संदेश लिखें…'", timeout=10_000
    )
    users = await client.users()
    assert [u["first_name"] for u in users] == ["Anita", "सुनीता"]
    await page.locator("#start-btn").click()
    # The click sends /start from the page asynchronously: wait until it has arrived.
    chat = await client.chat(users[1]["id"], wait=10)
    assert chat["messages"][0]["text"] == "/start"
