"""bot/transport.py: a real telegram.Bot over AiohttpRequest against the loopback emulator."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator

import pytest
import telegram
from PIL import Image
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TimedOut

from bot.emulator import EmulatorClient, EmulatorServer
from bot.transport import AiohttpRequest

TOKEN = "123456:TEST-transport-token"


def png(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 20)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
async def emu() -> AsyncIterator[EmulatorServer]:
    async with EmulatorServer(TOKEN) as server:
        yield server


@pytest.fixture
async def client(emu: EmulatorServer) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emu.url) as c:
        yield c


def make_bot(emu: EmulatorServer, request: AiohttpRequest, token: str = TOKEN) -> telegram.Bot:
    return telegram.Bot(
        token, base_url=emu.base_url, base_file_url=emu.base_file_url, request=request
    )


@pytest.fixture
async def bot(emu: EmulatorServer) -> AsyncIterator[telegram.Bot]:
    async with make_bot(emu, AiohttpRequest(connection_pool_size=8)) as b:
        yield b


@pytest.fixture
async def uid(client: EmulatorClient) -> int:
    user = await client.create_user("Seema", language_code="hi")
    await client.send(user["id"], "/start")
    return int(user["id"])


async def test_send_message_with_markup_and_unicode(bot, client, uid) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("✅ हाँ", callback_data="s:ok")]])
    sent = await bot.send_message(
        uid, "<b>नमस्ते</b> ₹1,23,456", parse_mode="HTML", reply_markup=markup
    )
    assert sent.text == "नमस्ते ₹1,23,456" and sent.chat.id == uid
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "s:ok"
    [call] = await client.calls("sendMessage")
    assert call["ok"] is True
    assert "User-Agent" not in call["params"]  # headers are not parameters
    assert (await bot.get_me()).id == 123456


async def test_upload_photo_multipart_and_download(bot, client, uid) -> None:
    data = png()
    sent = await bot.send_photo(uid, data, caption="चार्ट <b>₹600</b>", parse_mode="HTML")
    assert sent.photo and sent.caption == "चार्ट ₹600"
    [call] = await client.calls("sendPhoto")
    assert call["ok"] is True and str(call["params"]["photo"]).startswith("<file ")
    # The file comes back through getFile + a GET on the file URL (BaseRequest.retrieve).
    largest = sent.photo[-1]
    file = await bot.get_file(largest.file_id)
    downloaded = await file.download_as_bytearray()
    Image.open(io.BytesIO(bytes(downloaded))).verify()
    # A file sent as a document keeps its (non-ASCII) name.
    doc = await bot.send_document(uid, b"a,b\n1,2\n", filename="बिक्री.csv")
    assert doc.document is not None and doc.document.file_name == "बिक्री.csv"


async def test_api_errors_are_mapped_by_status(bot, client, uid) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(uid, "<b>unclosed", parse_mode="HTML")
    await client.block(uid)
    with pytest.raises(Forbidden):
        await bot.send_message(uid, "hello")


async def test_wrong_token_is_invalid_token(emu) -> None:
    # Bot.initialize() calls getMe.
    with pytest.raises(InvalidToken):
        async with make_bot(emu, AiohttpRequest(), token="999:WRONG"):
            pass


async def test_timeout_fault_is_timed_out(emu, client, uid) -> None:
    await client.configure(fault_rate=1.0, fault_kinds=["timeout"], timeout_seconds=2.0)
    async with make_bot(emu, AiohttpRequest(read_timeout=0.3, connect_timeout=1)) as impatient:
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await impatient.send_message(uid, "slow")
        assert time.monotonic() - started < 1.5
        # The request's own timeout argument wins over the default.
        await client.configure(timeout_seconds=0.5)
        with pytest.raises(TimedOut):
            await impatient.send_message(uid, "slow", read_timeout=0.1)
        await client.configure(fault_rate=0.0)
        assert (await impatient.send_message(uid, "fast")).text == "fast"
    assert (await client.stats())["faults"]["timeout"] == 2


async def test_dropped_connection_is_network_error_and_the_pool_recovers(bot, client, uid) -> None:
    await client.configure(fault_rate=1.0, fault_kinds=["drop"])
    with pytest.raises(NetworkError) as info:
        await bot.send_message(uid, "lost")
    assert not isinstance(info.value, TimedOut)
    await client.configure(fault_rate=0.0)
    assert (await bot.send_message(uid, "again")).text == "again"
    for kind in ("500", "502"):
        await client.configure(fault_rate=1.0, fault_kinds=[kind])
        with pytest.raises(NetworkError):
            await bot.send_message(uid, kind)
    assert (await client.stats())["faults"] == {"drop": 1, "500": 1, "502": 1}


async def test_refused_connection_is_network_error(unused_tcp_port: int) -> None:
    request = AiohttpRequest(connect_timeout=2)
    bot = telegram.Bot(TOKEN, base_url=f"http://127.0.0.1:{unused_tcp_port}/bot", request=request)
    with pytest.raises(NetworkError) as info:
        async with bot:  # getMe
            pass
    assert not isinstance(info.value, TimedOut)
    assert "ClientConnectorError" in str(info.value)


async def test_pool_timeout_when_every_connection_is_busy(emu, client, uid) -> None:
    await client.configure(fault_rate=1.0, fault_kinds=["timeout"], timeout_seconds=1.0)
    request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.1, read_timeout=5)
    async with make_bot(emu, request) as small:
        slow = asyncio.create_task(small.send_message(uid, "holds the only connection"))
        await asyncio.sleep(0.2)
        with pytest.raises(TimedOut, match="Pool timeout"):
            await small.send_message(uid, "waits for it")
        assert (await slow).text == "holds the only connection"


async def test_concurrent_requests_share_the_pool(bot, client, uid) -> None:
    texts = [f"m{i}" for i in range(40)]
    sent = await asyncio.gather(*(bot.send_message(uid, t) for t in texts))
    assert sorted(m.text for m in sent) == sorted(texts)


async def test_shutdown_then_initialize_again(emu, uid) -> None:
    request = AiohttpRequest()
    bot = make_bot(emu, request)
    async with bot:
        await bot.send_message(uid, "one")
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{emu.base_url}{TOKEN}/getMe", "POST")
    async with bot:
        assert (await bot.send_message(uid, "two")).text == "two"


async def test_get_updates_long_poll_uses_read_timeout_plus_poll_time(emu, client) -> None:
    request = AiohttpRequest(read_timeout=0.5)
    async with make_bot(emu, request) as poller:
        user = await client.create_user("Ravi", language_code="en")

        async def later() -> None:
            await asyncio.sleep(1.0)  # longer than read_timeout: PTB adds the poll time to it
            await client.send(user["id"], "hello")

        task = asyncio.create_task(later())
        updates = await poller.get_updates(timeout=3)
        await task
        assert [u.message.text for u in updates if u.message] == ["hello"]


def test_environment_proxies_are_looked_up_only_when_set(monkeypatch) -> None:
    for name in (
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    # Without a proxy in the environment aiohttp's per-request lookups (proxy, ~/.netrc) are off.
    assert AiohttpRequest()._trust_env is False
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    assert AiohttpRequest()._trust_env is True
    assert AiohttpRequest(trust_env=False)._trust_env is False
    assert AiohttpRequest(proxy="http://127.0.0.1:8888")._trust_env is False
