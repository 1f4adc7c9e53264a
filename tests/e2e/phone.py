"""A person with a phone: sends messages and taps buttons through the emulator's HTTP routes,
and waits until the bot has finished with each update (its id committed in the database)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bot.db import Database
from bot.emulator.client import EmulatorClient
from bot.services import updates as updates_service


class Phone:
    def __init__(self, client: EmulatorClient, database: Database, uid: int) -> None:
        self.client, self.database, self.uid = client, database, uid
        self._seen = 0  # the newest sequence number seen in this chat
        self._mirror: dict[int, dict[str, Any]] = {}  # message id -> message (transcript)
        self._mirrored = 0

    async def seq(self) -> int:
        """The chat's newest sequence number. Asks only for what came after the last look
        (the emulator renders every message it returns; a long chat made this quadratic)."""
        last = int((await self.client.chat(self.uid, after=self._seen))["last_seq"])
        if last < self._seen:  # the emulator was reset: numbering starts again
            self._seen = 0
            return await self.seq()
        self._seen = last
        return last

    async def processed(self, update_id: int, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with self.database.sessions() as session:
                if await updates_service.seen(session, update_id):
                    return
            await asyncio.sleep(0.01)
        raise AssertionError(f"update {update_id} was not processed within {timeout}s")

    async def _replies(self, after: int) -> list[dict[str, Any]]:
        chat = await self.client.chat(self.uid, after=after)
        return [m for m in chat["messages"] if m["from"] == "bot"]

    async def send(self, text: str | None = None, **kind: Any) -> list[dict[str, Any]]:
        """Send something; return what the bot sent or edited in reply."""
        before = await self.seq()
        result = await self.client.send(self.uid, text, **kind)
        results = result if isinstance(result, list) else [result]
        for item in results:
            await self.processed(item["update_id"])
        return await self._replies(before)

    async def press(
        self, label: str, message: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Tap the inline button whose text contains `label` (on `message`, or the newest one)."""
        if message is None:
            message = await self.message_with_button(label)
        data = button_data(message, label)
        return await self.press_data(message["message_id"], data)

    async def press_data(self, message_id: int, data: str) -> list[dict[str, Any]]:
        before = await self.seq()
        result = await self.client.press(self.uid, message_id, data)
        await self.processed(result["update_id"])
        return await self._replies(before)

    async def message_with_button(self, label: str) -> dict[str, Any]:
        chat = await self.client.chat(self.uid)
        for message in reversed(chat["messages"]):
            if (
                message["from"] == "bot"
                and _inline_buttons(message)
                and any(label in b["text"] for b in _inline_buttons(message))
            ):
                return message
        raise AssertionError(f"no bot message has a button {label!r}")

    async def reply_keyboard(self) -> list[str]:
        chat = await self.client.chat(self.uid)
        keyboard = chat.get("reply_keyboard") or {}
        return [
            b["text"] if isinstance(b, dict) else b
            for row in keyboard.get("keyboard", [])
            for b in row
        ]

    async def transcript(self) -> list[dict[str, Any]]:
        """Every message of the chat, oldest first: a copy kept up to date with what changed
        since the last look (new, edited and deleted messages all get a new sequence number)."""
        chat = await self.client.chat(self.uid, after=self._mirrored)
        if chat["last_seq"] < self._mirrored:  # the emulator was reset
            self._mirror, self._mirrored = {}, 0
            return await self.transcript()
        for message in chat["messages"]:
            self._mirror[message["message_id"]] = message
        self._mirrored = int(chat["last_seq"])
        return [self._mirror[k] for k in sorted(self._mirror)]


def _inline_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def button_data(message: dict[str, Any], label: str) -> str:
    for button in _inline_buttons(message):
        if label in button["text"]:
            return button["callback_data"]
    raise AssertionError(f"no button {label!r} in {message.get('text')!r}")


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join((m.get("text") or m.get("caption") or "") for m in messages)
