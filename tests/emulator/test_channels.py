"""Channel posts: what a bot added to a channel receives (no sender user, a sender chat)."""

from __future__ import annotations

import pytest

from bot.emulator.client import EmulatorError


async def test_channel_post_and_its_edit(bot, client) -> None:  # type: ignore[no-untyped-def]
    channel = await client.create_channel("ODOP समाचार")
    assert channel["type"] == "channel" and str(channel["id"]).startswith("-100")
    sent = await client.channel_post(channel["id"], "नई सूचना <b>")
    edited = await client.channel_post(
        channel["id"], "बदली सूचना", edit_message_id=sent["message_id"]
    )
    first, second = await bot.get_updates()
    post = first.channel_post
    assert post is not None and post.from_user is None
    assert post.sender_chat.id == channel["id"] and post.chat.type == "channel"
    assert post.text == "नई सूचना <b>" and first.update_id == sent["update_id"]
    assert second.edited_channel_post is not None and second.update_id == edited["update_id"]
    assert second.edited_channel_post.text == "बदली सूचना"
    assert second.effective_user is None


async def test_only_a_channel_takes_posts(client, user) -> None:  # type: ignore[no-untyped-def]
    group = await client.create_group("Group")
    with pytest.raises(EmulatorError, match="not a channel"):
        await client.channel_post(group["id"], "x")
