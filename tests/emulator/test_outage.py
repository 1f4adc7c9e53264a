"""The emulator's outage switch: every Bot API call dropped for a while, control routes alive."""

from __future__ import annotations

import pytest
from telegram.error import NetworkError


async def test_outage_drops_every_call_until_it_ends(bot, client, user):
    uid = user["id"]
    sent = await client.send(uid, "/start")
    await client.configure(outage_seconds=600)
    with pytest.raises(NetworkError):
        await bot.send_message(uid, "lost")
    with pytest.raises(NetworkError):
        await bot.get_updates(timeout=0)
    # Users can still write (the control routes work); nothing reached the chat.
    later = await client.send(uid, "anyone there?")
    assert (await client.chat(uid, after=sent["seq"]))["messages"][-1]["text"] == "anyone there?"
    stats = await client.stats()
    assert stats["faults"]["outage"] == 2 and stats["sent"].get("sendMessage", 0) == 0
    calls = await client.calls()
    assert [c["fault"] for c in calls[-2:]] == ["outage", "outage"]

    await client.configure(outage_seconds=0)  # ends it
    updates = await bot.get_updates(timeout=0)
    assert later["update_id"] in [u.update_id for u in updates]
    await bot.send_message(uid, "back")


async def test_outage_must_not_be_negative(client):
    with pytest.raises(Exception, match="outage_seconds"):
        await client.configure(outage_seconds=-1)
