"""Rate limits and injected faults (all off by default)."""

from __future__ import annotations

import pytest
import telegram
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from .conftest import TOKEN
from .test_bot_api import seconds


async def test_defaults_are_off(client):
    cfg = (await client.stats())["config"]
    assert cfg["global_rate"] is None and cfg["per_chat_rate"] is None
    assert cfg["fault_rate"] == 0


async def test_per_chat_rate_limit_429(bot, client, user):
    uid = user["id"]
    await client.send(uid, "/start")
    await client.configure(per_chat_rate=1)
    await bot.send_message(uid, "one")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(uid, "two")
    assert seconds(info.value.retry_after) >= 1
    calls = await client.calls("sendMessage")
    assert calls[-1]["error_code"] == 429
    assert calls[-1]["description"].startswith("Too Many Requests: retry after ")
    # other chats are not affected by a per-chat limit
    other = await client.create_user("Other")
    await client.send(other["id"], "/start")
    await bot.send_message(other["id"], "fine")
    stats = await client.stats()
    assert stats["rate_limited"] == 1 and stats["errors"]["429"] == 1
    assert stats["deliveries"][str(uid)] == 1


async def test_global_rate_limit(bot, client, user):
    a = user["id"]
    b = (await client.create_user("B"))["id"]
    await client.send(a, "/start")
    await client.send(b, "/start")
    await client.configure(global_rate=2)
    await bot.send_message(a, "1")
    await bot.send_message(b, "2")
    with pytest.raises(RetryAfter):
        await bot.send_message(a, "3")
    # non-sending methods are never limited
    await bot.get_me()


async def test_faults_500_502_drop_429_are_reproducible(bot, client, user):
    uid = user["id"]
    await client.send(uid, "/start")
    for kind, exc in (("500", NetworkError), ("502", NetworkError), ("drop", NetworkError)):
        await client.configure(fault_rate=1.0, fault_kinds=[kind], seed=1)
        with pytest.raises(exc):
            await bot.send_message(uid, "x")
        await bot.get_me()  # faults hit only sending methods by default
    await client.configure(fault_rate=1.0, fault_kinds=["429"], fault_retry_after=3)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(uid, "x")
    assert seconds(info.value.retry_after) == 3
    stats = await client.stats()
    assert stats["faults"] == {"500": 1, "502": 1, "drop": 1, "429": 1}
    # "before" phase: nothing was delivered
    assert not [m for m in (await client.chat(uid))["messages"] if m["from"] == "bot"]

    # same seed -> same sequence of outcomes
    async def pattern() -> list[bool]:
        await client.configure(fault_rate=0.5, fault_kinds=["500"], seed=42)
        out = []
        for _ in range(12):
            try:
                await bot.send_message(uid, "p")
                out.append(True)
            except NetworkError:
                out.append(False)
        return out

    first = await pattern()
    assert first == await pattern() and True in first and False in first


async def test_fault_after_phase_delivers_but_loses_response(bot, client, user):
    uid = user["id"]
    sent = await client.send(uid, "/start")
    await client.configure(fault_rate=1.0, fault_kinds=["500"], fault_phase="after")
    with pytest.raises(NetworkError):
        await bot.send_message(uid, "delivered anyway")
    [entry] = await client.wait_bot_messages(uid, after=sent["seq"])
    assert entry["text"] == "delivered anyway"


async def test_timeout_fault_holds_request(emu, client, user):
    uid = user["id"]
    await client.send(uid, "/start")
    await client.configure(fault_rate=1.0, fault_kinds=["timeout"], timeout_seconds=1.0)
    impatient = telegram.Bot(
        TOKEN,
        base_url=f"{emu.url}/bot",
        request=HTTPXRequest(read_timeout=0.3, connect_timeout=1),
    )
    async with impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(uid, "slow")
    assert (await client.stats())["faults"]["timeout"] == 1


async def test_reset_clears_everything(bot, client, user):
    await client.send(user["id"], "/start")
    await client.configure(per_chat_rate=5)
    await client.reset()
    assert await client.users() == []
    assert await client.pending() == 0
    assert (await client.stats())["config"]["per_chat_rate"] is None
    # update ids keep growing so a running bot's offset stays valid
    u = await client.create_user("New")
    r = await client.send(u["id"], "/start")
    assert r["update_id"] > 1
