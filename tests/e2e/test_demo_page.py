"""The demo chat page used like a person would: headless chromium on a phone-sized screen,
typing and tapping through onboarding against the real Application (and `saathi demo`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from models import User

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
PHONE_VIEWPORT = {"width": 390, "height": 800}
STEP_TIMEOUT_MS = 10_000
HAVE_CHROMIUM = os.path.exists(CHROMIUM)

COMMAND = re.compile(r"/[A-Za-z_]+")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Latin a Hindi screen may show besides commands: the other language's own name.
ALLOWED_LATIN = {"English"}

# Everything a person can read on the page: the body's visible text, the tab title, the
# placeholder of the message box and the tooltips of visible controls.
SCREEN_TEXT_JS = """() => {
  const parts = [document.body.innerText, document.title];
  document.querySelectorAll('[placeholder],[title]').forEach((e) => {
    if (e.offsetParent === null) return;
    parts.push(e.getAttribute('placeholder') || '', e.getAttribute('title') || '');
  });
  return parts.join('\\n');
}"""


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not HAVE_CHROMIUM:
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            await b.close()


@pytest.fixture
async def page(browser) -> AsyncIterator[Any]:  # type: ignore[no-untyped-def]
    context = await browser.new_context(
        viewport=PHONE_VIEWPORT, device_scale_factor=2, has_touch=True, is_mobile=True
    )
    p = await context.new_page()
    p.set_default_timeout(STEP_TIMEOUT_MS)
    yield p
    await context.close()


class Screen:
    """The page as a person sees it, with a record of every text shown on the way."""

    def __init__(self, page: Any, name: str) -> None:
        self.page, self.name = page, name
        self.snapshots: list[tuple[str, str]] = []
        self.bot_name = ""

    async def open(self, url: str) -> None:
        await self.page.goto(url)
        await self.page.wait_for_selector("body[data-ready='1']")
        await self.page.wait_for_selector("#start-btn:not([hidden])")  # the empty chat
        self.bot_name = (await self.page.locator("#bot-name").inner_text()).strip()

    async def type_and_send(self, text: str, *, enter: bool = False) -> None:
        box = self.page.locator("#msg-input")
        await box.click()
        await box.fill(text)
        if enter:
            await box.press("Enter")
        else:
            await self.page.locator("#send-btn").click()
        # the page echoes the sent message as a user bubble
        await self.bubble(text, side="user").wait_for()

    def bubble(self, text: str, *, side: str = "bot") -> Any:
        return self.page.locator(f".msg.{side} .text", has_text=text).last

    def inline(self, data: str) -> Any:
        return self.page.locator(f".inline-btn[data-data='{data}']").last

    def inline_text(self, text: str) -> Any:
        return self.page.locator(".inline-btn", has_text=re.compile(f"^{re.escape(text)}$")).last

    def reply(self, text: str) -> Any:
        return self.page.locator(f".reply-btn[data-text='{text}']")

    async def snap(self, step: str, screenshot: bool = True) -> str:
        text = await self.page.evaluate(SCREEN_TEXT_JS)
        self.snapshots.append((step, text))
        if screenshot:
            await self.page.screenshot(path=f"/tmp/demo_{self.name}_{step}.png")
        return text

    def latin(self) -> dict[str, set[str]]:
        """Latin words per step, besides commands, allowed words and the header's bot name."""
        found = {}
        for step, text in self.snapshots:
            if self.bot_name:
                text = text.replace(self.bot_name, " ", 1)  # the header comes first
            words = set(LATIN_WORD.findall(COMMAND.sub(" ", text))) - ALLOWED_LATIN
            if words:
                found[step] = words
        return found


async def stored_user(database, uid: int) -> User | None:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        return await session.get(User, uid)


async def pick_district_from_list(screen: Screen, name: str, code: str) -> int:
    """Page through the district list with ▶️ until `name` shows; tap it. Returns the page."""
    page_no = 0
    while not await screen.inline(f"ob:d:{code}").is_visible():
        assert page_no < 10, f"{name} not found in the district list"
        page_no += 1
        await screen.inline(f"ob:dp:{page_no}").click()  # ▶️
        # the same message, edited: its middle button now says "<page>/<pages>"
        await screen.page.locator(
            f".inline-btn[data-data='ob:dp:{page_no}']", has_text=f"{page_no + 1}/"
        ).wait_for()
        if page_no == 1:
            await screen.snap("2b_district_page2")
    button = screen.inline(f"ob:d:{code}")
    assert (await button.inner_text()).strip() == name
    await button.click()
    return page_no


@pytest.mark.parametrize("district_by", ["typing", "list"])
async def test_hindi_onboarding_on_the_page(  # type: ignore[no-untyped-def]
    emu, bot, client, database, page, district_by: str
) -> None:
    uid = 2101 if district_by == "typing" else 2102
    await client.create_user(id=uid, first_name="सीमा", language_code="hi")
    screen = Screen(page, f"hi_{district_by}")
    await screen.open(f"{emu.url}/?user={uid}")
    await screen.snap("0_empty", screenshot=district_by == "typing")

    await screen.type_and_send("/start")
    await screen.inline_text("हिन्दी").wait_for()
    await screen.snap("1_language")

    await screen.inline_text("हिन्दी").click()
    await screen.bubble("आपका नाम क्या है?").wait_for()
    await screen.snap("1b_name", screenshot=False)

    await screen.type_and_send("सीमा देवी")
    await screen.bubble("आप किस ज़िले में काम करते हैं?").wait_for()
    await screen.inline("ob:dp:1").wait_for()  # the list's ▶️
    await screen.snap("2_district")

    if district_by == "typing":
        await screen.type_and_send("लखनऊ")
    else:
        pages = await pick_district_from_list(screen, "लखनऊ", "lucknow")
        assert pages >= 1, "Lucknow is not on the first page in Hindi order"
    craft = screen.inline("ob:c:0")
    await craft.wait_for()
    assert (await craft.inner_text()).startswith("✅ चिकनकारी")
    await screen.snap("3_craft")

    await craft.click()
    agree = screen.inline_text("✅ हाँ, मैं सहमत हूँ")
    await agree.wait_for()
    await screen.snap("4_consent")

    await agree.click()
    share = screen.reply("📱 मेरा नंबर भेजें")
    await share.wait_for()
    assert await share.get_attribute("data-request") == "contact"
    await screen.snap("5_phone")

    await share.click()
    await screen.bubble("ओडीओपी साथी में आपका स्वागत है").wait_for()
    for label in ("👤 मेरी जानकारी", "🌐 भाषा", "❓ मदद"):
        await screen.reply(label).wait_for()
    # the keyboard's placeholder is the bot's, in Hindi
    await page.wait_for_function(
        "document.querySelector('#msg-input').placeholder === 'बटन दबाएँ या यहाँ लिखें'"
    )
    await screen.snap("6_menu")

    user = await stored_user(database, uid)
    assert user is not None and user.is_registered
    assert (user.name, user.district_code, user.language) == ("सीमा देवी", "lucknow", "hi")
    assert user.phone and user.phone.startswith("+91")
    # the shared contact shows in the chat as the user's own bubble
    contact = page.locator(".msg.user.kind-contact")
    assert await contact.count() == 1

    # No English anywhere the user could read it, at any step.
    assert screen.latin() == {}, screen.latin()


async def test_english_onboarding_on_the_page(  # type: ignore[no-untyped-def]
    emu, bot, client, database, page
) -> None:
    uid = 2201
    await client.create_user(id=uid, first_name="Ravi", language_code="en")
    screen = Screen(page, "en")
    await screen.open(f"{emu.url}/?user={uid}")
    assert await page.locator("#msg-input").get_attribute("placeholder") == "Message…"
    # the page's own chrome follows the user's language, the switcher included
    chosen = page.locator("#user-select option:checked")
    assert await chosen.inner_text() == "Ravi · English · 2201"

    await screen.type_and_send("/start", enter=True)
    english = screen.inline_text("English")
    await english.wait_for()
    buttons = await page.locator(".inline-btn").all_inner_texts()
    assert buttons == ["English", "हिन्दी"]  # the phone's language first
    await english.click()
    await screen.bubble("What is your name?").wait_for()
    await screen.type_and_send("Ravi Kumar", enter=True)
    await screen.inline("ob:dp:1").wait_for()
    await screen.type_and_send("agra")
    await screen.inline("ob:c:0").click()
    await screen.inline_text("✅ Yes, I agree").click()
    skip = screen.reply("⏭️ Skip")
    await skip.click()
    await screen.bubble("registered").wait_for()
    await screen.reply("❓ Help").wait_for()
    await screen.snap("menu")

    user = await stored_user(database, uid)
    assert user is not None and user.is_registered
    assert (user.name, user.district_code, user.phone, user.language) == (
        "Ravi Kumar",
        "agra",
        None,
        "en",
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
async def test_saathi_demo_command(browser, project_root: Path, stop_signal: int) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for key in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_URL"):
        env.pop(key, None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "demo",
        "--port",
        str(port),
        cwd=project_root,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        url = None
        async with asyncio.timeout(20):
            while url is None:
                line = (await proc.stdout.readline()).decode()
                assert line, "demo exited: " + (await proc.stderr.read()).decode()
                if m := re.search(r"open (http://\S+?)/? in a browser", line):
                    url = m.group(1)
        assert url == f"http://127.0.0.1:{port}"

        context = await browser.new_context(viewport=PHONE_VIEWPORT, device_scale_factor=2)
        page = await context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        await page.goto(url + "/")
        await page.wait_for_selector("body[data-ready='1']")
        options = await page.locator("#user-select option").all_inner_texts()
        for name in ("सीमा", "Ravi", "अधिकारी", "Admin"):
            assert any(o.startswith(name + " ·") for o in options), options
        # the bot behind the page is alive: pick सीमा and start
        await page.locator("#user-select").select_option("1001")
        await page.wait_for_selector("#start-btn:not([hidden])")
        await page.locator("#start-btn").click()
        await page.locator(".inline-btn", has_text="हिन्दी").wait_for()
        if stop_signal == signal.SIGINT:
            await page.screenshot(path="/tmp/demo_cli.png")

        # Ctrl+C (or a service manager's SIGTERM) with the page still open, its long poll
        # in flight
        started = time.monotonic()
        proc.send_signal(stop_signal)
        async with asyncio.timeout(5):
            code = await proc.wait()
        stopped_in = time.monotonic() - started
        print(f"saathi demo exited {stopped_in:.2f} s after {signal.Signals(stop_signal).name}")
        err = (await proc.stderr.read()).decode()
        assert code == 0, err
        assert "Traceback" not in err, err
        assert stopped_in < 5
        await context.close()
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
