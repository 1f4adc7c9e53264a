"""A thin async client for the emulator's ``/_emu`` control routes (used by tests).

async with EmulatorClient(emu.url) as tg:
    user = await tg.create_user(first_name="Ramesh", language_code="hi")
    sent = await tg.send(user["id"], "/start")
    [reply] = await tg.wait_bot_messages(user["id"], after=sent["seq"])
    kind, data = tg.find_button(reply, "हिंदी")
    await tg.press(user["id"], reply["message_id"], data)
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import aiohttp

__all__ = ["EmulatorClient", "EmulatorError"]


class EmulatorError(AssertionError):
    """A control call failed (status >= 400)."""


class EmulatorClient:
    def __init__(self, url: str, *, session: aiohttp.ClientSession | None = None) -> None:
        self.url = url.rstrip("/")
        self._session = session
        self._own_session = session is None

    # ---------------------------------------------------------------- plumbing

    async def __aenter__(self) -> EmulatorClient:
        self._ensure_session()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
            self._own_session = True
        return self._session

    async def close(self) -> None:
        if self._own_session and self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        data: Any = None,
    ) -> Any:
        session = self._ensure_session()
        if params:
            params = {k: str(v) for k, v in params.items() if v is not None}
        async with session.request(
            method, self.url + path, json=json_body, params=params, data=data
        ) as resp:
            body = await resp.read()
            try:
                result = json.loads(body) if body else None
            except ValueError:
                result = body
            if resp.status >= 400:
                raise EmulatorError(f"{method} {path} -> {resp.status}: {result!r}")
            return result

    # ---------------------------------------------------------------- users

    async def create_user(
        self,
        first_name: str = "Test",
        *,
        id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "hi",
        phone_number: str | None = None,
        started: bool | None = None,
    ) -> dict[str, Any]:
        body = {
            "id": id,
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
            "phone_number": phone_number,
            "started": started,
        }
        return await self._request(
            "POST", "/_emu/users", json_body={k: v for k, v in body.items() if v is not None}
        )

    async def users(self) -> list[dict[str, Any]]:
        return await self._request("GET", "/_emu/users")

    async def send(self, uid: int, text: str | None = None, **kind: Any) -> Any:
        """The user sends a message: ``send(uid, "hi")``, ``send(uid, contact=True)``,
        ``send(uid, location={"latitude": 26.8, "longitude": 80.9})``, ``send(uid,
        edit_message_id=5, text="new")``... Returns {"update_id", "message_id", "seq"}."""
        body = dict(kind)
        if text is not None:
            body["text"] = text
        return await self._request("POST", f"/_emu/users/{uid}/messages", json_body=body)

    async def send_photo(self, uid: int, data: bytes, caption: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"photo": base64.b64encode(data).decode()}
        if caption is not None:
            body["caption"] = caption
        return await self._request("POST", f"/_emu/users/{uid}/messages", json_body=body)

    async def send_document(
        self,
        uid: int,
        data: bytes,
        file_name: str,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"document": base64.b64encode(data).decode(), "file_name": file_name}
        if mime_type:
            body["mime_type"] = mime_type
        if caption is not None:
            body["caption"] = caption
        return await self._request("POST", f"/_emu/users/{uid}/messages", json_body=body)

    async def press(self, uid: int, message_id: int, data: str | None) -> dict[str, Any]:
        """The user taps an inline button: returns {"update_id", "callback_query_id", "seq"}."""
        return await self._request(
            "POST",
            f"/_emu/users/{uid}/callback",
            json_body={"message_id": message_id, "data": data},
        )

    async def block(self, uid: int, blocked: bool = True) -> dict[str, Any]:
        return await self._request(
            "POST", f"/_emu/users/{uid}/block", json_body={"blocked": blocked}
        )

    # ---------------------------------------------------------------- transcript

    async def chat(self, uid: int, after: int = 0, wait: float = 0) -> dict[str, Any]:
        return await self._request(
            "GET", f"/_emu/users/{uid}/chat", params={"after": after, "wait": wait}
        )

    async def wait_bot_messages(
        self,
        uid: int,
        after: int = 0,
        count: int = 1,
        timeout: float = 10,  # noqa: ASYNC109
    ) -> list[dict[str, Any]]:
        """Bot entries (new or changed) with seq > after; waits until ``count`` arrived."""
        deadline = time.monotonic() + timeout
        found: dict[int, dict[str, Any]] = {}
        cursor = after
        while True:
            remaining = deadline - time.monotonic()
            res = await self.chat(uid, after=cursor, wait=max(0.0, min(remaining, 25)))
            for m in res["messages"]:
                if m["from"] == "bot":
                    found[m["seq"]] = m
            cursor = max(cursor, res["last_seq"])
            if len(found) >= count:
                return [found[s] for s in sorted(found)]
            if time.monotonic() >= deadline:
                full = await self.chat(uid)
                lines = "\n".join(
                    f"  #{m['message_id']} seq={m['seq']} {m['from']}: "
                    f"{m['text'] if m['text'] is not None else m['caption'] or m['kind']!r}"
                    for m in full["messages"]
                )
                raise AssertionError(
                    f"waited {timeout}s for {count} bot message(s) after seq {after} for user "
                    f"{uid}, got {len(found)}. Transcript:\n{lines or '  (empty)'}"
                )

    async def last_bot_message(self, uid: int) -> dict[str, Any] | None:
        res = await self.chat(uid)
        bot = [m for m in res["messages"] if m["from"] == "bot" and not m["deleted"]]
        return max(bot, key=lambda m: m["message_id"]) if bot else None

    async def callback_answers(self, uid: int, after: int = 0) -> list[dict[str, Any]]:
        return (await self.chat(uid, after=after))["callback_answers"]

    async def wait_callback_answer(
        self,
        uid: int,
        callback_query_id: str,
        timeout: float = 10,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        cursor = 0
        while True:
            res = await self.chat(
                uid, after=cursor, wait=min(25, max(0.0, deadline - time.monotonic()))
            )
            for a in res["callback_answers"]:
                if a["callback_query_id"] == callback_query_id and a["answered"]:
                    return a
            cursor = max(cursor, res["last_seq"])
            if time.monotonic() >= deadline:
                raise AssertionError(f"callback query {callback_query_id} was not answered")

    @staticmethod
    def buttons(message: dict[str, Any]) -> list[tuple[str, str, Any]]:
        """All buttons of a transcript entry as (kind, text, data)."""
        out: list[tuple[str, str, Any]] = []
        markup = message.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for b in row:
                for kind in ("callback_data", "url", "web_app", "copy_text", "switch_inline_query"):
                    if b.get(kind) is not None:
                        name = "callback" if kind == "callback_data" else kind
                        out.append((name, b["text"], b[kind]))
                        break
        for row in markup.get("keyboard", []):
            for b in row:
                b = {"text": b} if isinstance(b, str) else b
                if b.get("request_contact"):
                    out.append(("contact", b["text"], None))
                elif b.get("request_location"):
                    out.append(("location", b["text"], None))
                else:
                    out.append(("reply", b["text"], b["text"]))
        return out

    @classmethod
    def find_button(cls, message: dict[str, Any], text_substring: str) -> tuple[str, Any]:
        """(kind, data) of the first button whose text contains ``text_substring``.

        kind: "callback" (data = callback_data), "url", "reply" (data = the text to send),
        "contact", "location", ... Raises AssertionError listing the buttons if none matches.
        """
        buttons = cls.buttons(message)
        needle = text_substring.casefold()
        for kind, text, data in buttons:
            if needle in text.casefold():
                return kind, data
        raise AssertionError(
            f"no button containing {text_substring!r} in message #{message.get('message_id')}; "
            f"buttons: {[t for _, t, _ in buttons]}"
        )

    # ---------------------------------------------------------------- groups

    async def create_group(
        self, title: str = "Test group", *, id: int | None = None, type: str = "group"
    ) -> dict[str, Any]:
        body = {"title": title, "type": type}
        if id is not None:
            body["id"] = id
        return await self._request("POST", "/_emu/groups", json_body=body)

    async def group_send(
        self, chat_id: int, from_uid: int, text: str | None = None, **kind: Any
    ) -> dict[str, Any]:
        body = {"from": from_uid, **kind}
        if text is not None:
            body["text"] = text
        return await self._request("POST", f"/_emu/groups/{chat_id}/messages", json_body=body)

    async def create_channel(self, title: str = "Test channel") -> dict[str, Any]:
        return await self.create_group(title, type="channel")

    async def channel_post(
        self, chat_id: int, text: str, *, edit_message_id: int | None = None
    ) -> dict[str, Any]:
        """A post in a channel (a `channel_post` update, no `from`); with `edit_message_id`,
        an edit of that post (`edited_channel_post`)."""
        body: dict[str, Any] = {"text": text}
        if edit_message_id is not None:
            body["edit_message_id"] = edit_message_id
        return await self._request("POST", f"/_emu/channels/{chat_id}/posts", json_body=body)

    async def group_chat(self, chat_id: int, after: int = 0, wait: float = 0) -> dict[str, Any]:
        return await self._request(
            "GET", f"/_emu/groups/{chat_id}/chat", params={"after": after, "wait": wait}
        )

    # ---------------------------------------------------------------- inspection, control

    async def calls(self, method: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        return await self._request(
            "GET", "/_emu/calls", params={"method": method, "since": since or None}
        )

    async def commands(self) -> list[dict[str, Any]]:
        return await self._request("GET", "/_emu/commands")

    async def redeliver(self, update_id: int) -> dict[str, Any]:
        return await self._request("POST", f"/_emu/updates/{update_id}/redeliver")

    async def pending(self) -> int:
        return (await self._request("GET", "/_emu/updates/pending"))["pending"]

    async def configure(self, **cfg: Any) -> dict[str, Any]:
        return await self._request("POST", "/_emu/config", json_body=cfg)

    async def stats(self) -> dict[str, Any]:
        return await self._request("GET", "/_emu/stats")

    async def reset(self) -> None:
        await self._request("POST", "/_emu/reset")

    async def file_bytes(self, file_id: str) -> bytes:
        session = self._ensure_session()
        async with session.get(f"{self.url}/_emu/files/{file_id}") as resp:
            if resp.status >= 400:
                raise EmulatorError(f"file {file_id} -> {resp.status}")
            return await resp.read()

    async def wait_until(self, predicate, timeout: float = 10, interval: float = 0.02) -> Any:  # noqa: ASYNC109
        """Poll an async/sync ``predicate()`` until it returns something truthy."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if asyncio.iscoroutine(value):
                value = await value
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(f"condition not met within {timeout}s")
            await asyncio.sleep(interval)
