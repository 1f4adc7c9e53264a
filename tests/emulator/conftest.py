from __future__ import annotations

import struct
import zlib

import pytest
import telegram
from telegram.request import HTTPXRequest

from bot.emulator import EmulatorClient, EmulatorServer

TOKEN = "123456:TEST-emulator-token"


def make_png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 80, 20)) -> bytes:
    """A valid PNG without Pillow."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def emu():
    async with EmulatorServer(TOKEN) as server:
        yield server


def fast_request() -> HTTPXRequest:
    # plain http on loopback: skipping the CA bundle load saves ~60 ms per Bot
    return HTTPXRequest(httpx_kwargs={"verify": False})


@pytest.fixture
async def bot(emu):
    b = telegram.Bot(
        TOKEN,
        base_url=f"{emu.url}/bot",
        base_file_url=f"{emu.url}/file/bot",
        request=fast_request(),
        get_updates_request=fast_request(),
    )
    async with b:
        yield b


@pytest.fixture
async def client(emu):
    async with EmulatorClient(emu.url) as c:
        yield c


@pytest.fixture
async def user(client):
    """A user who has started the bot (sent /start); the update is already drained."""
    u = await client.create_user("Ramesh", language_code="hi", username="ramesh_k")
    return u
