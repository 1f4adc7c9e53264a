"""A corpus of hostile and odd input, sent at every prompt of every conversation, and the
machinery that sends it (`Hammer`).

`CORPUS` holds messages (what `Phone.send(**item)` takes). `ODD_UPDATES` adds what is not a
plain message: an edit of the user's last message, a message in a group (chatter, and a
command), a channel post. Callback data is forged per test (`forged_callbacks`: another user's
ids, ids that do not exist, garbage, 64 bytes, known prefixes with the wrong number of parts)
or taken from an old, finished message (`Hammer.stale`).
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bot.db import Database
from bot.emulator.client import EmulatorClient
from bot.emulator.core import split_long_text
from models import metadata
from tests.e2e.phone import Phone, texts

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 64).decode()

CORPUS: list[dict[str, Any]] = [
    {"text": "\u3164 \u200b"},  # looks empty (what phones send for an "empty" message)
    {"text": "क" * 5000},
    {"text": "a\u200d\u200c\u200b\u2060b"},  # zero-width joiners
    {"text": "😀🙏🏽👩‍👩‍👧‍👦"},
    {"text": "\u202eمرحبا بالعالم\u202c"},  # right-to-left
    {"text": "<b>bold</b> <script>alert(1)</script> &amp; <a href='x'>x</a>"},
    {"text": "*bold* _it_ [link](http://x) `code`"},
    {"text": "'; DROP TABLE users; --"},
    {"text": "\x00\x01\x07 control"},
    {"text": "-5"},
    {"text": "99999999999999999999999"},
    {"text": "NaN"},
    {"text": "/" + "x" * 300},
    {"text": "/help " + "<b>&" * 900},  # a known command with very long arguments
    {"sticker": True},
    {"voice": True},
    {"location": {"latitude": 26.85, "longitude": 80.95}},
    {"video_note": True},
    {"poll": True},
    {"photo": PNG},
]

#: Updates that are not a new private message: {"edit": text} edits the user's newest text
#: message; {"group": text} is said in a group the user is in; {"channel": text} is a post in
#: a channel the bot was added to.
ODD_UPDATES: list[dict[str, str]] = [
    {"edit": "<b>बदला</b> & changed"},
    {"group": "सब को नमस्ते <i>"},
    {"group": "/start"},
    {"channel": "<b>सूचना</b> & news"},
]

MISSING_ID = 987_654


def forged_callbacks(other_product: int, other_sale: int) -> list[str]:
    """Callback data no button of this user's screens ever carried."""
    return [
        f"p:open:{other_product}",  # another user's product
        f"p:e:{other_product}:price",
        f"p:delok:{other_product}",
        f"s:p:{other_product}",
        f"s:delok:{other_sale}",  # another user's sale
        f"p:open:{MISSING_ID}",  # no such product
        f"p:delok:{MISSING_ID}",
        "zz",  # garbage
        "☃:\u200b:\x00",
        "x" * 64,  # the longest callback data Telegram carries
        "p:open:" + "9" * 57,
        "s:q:" + "9" * 60,
        "p:list:" + "9" * 40,
        "s:q:²",  # "²".isdigit() is true, int("²") fails
        "p:e",  # known prefixes, wrong number of parts
        "pn:e:name:extra",
        "pn:",
        "s:dd:1",
        "ob",
        "im:ok:1",
        "nb:",
        "n:ack",
        "t:p",
    ]


#: Latin a Hindi screen may show: the other language's name, file formats, the "as a file"
#: menu (📎 → File), a district typed in English as an example, and the keywords of /export
#: in the officers' /help.
HINDI_SCREEN_LATIN = {
    *("English", "XLSX", "CSV", "JSON", "JPG", "PNG", "File", "px", "Agra"),
    *("artisans", "products", "sales"),
}


def hindi_problem(shown: str, echo: str) -> str | None:
    """Latin words on a Hindi screen that are not the user's own text or a command."""
    own = set(re.findall(r"[A-Za-z]+", echo)) | HINDI_SCREEN_LATIN
    rest = re.sub(r"/\w+", "", shown)
    words = [w for w in re.findall(r"[A-Za-z]{3,}", rest) if w not in own]
    return f"English words {words[:5]}" if words else None


def english_problem(shown: str, echo: str) -> str | None:
    """An English screen: more Latin than Devanagari, once the user's own text is set aside."""
    rest = shown.replace(echo, "") if echo else shown
    latin = len(re.findall(r"[A-Za-z]", rest))
    devanagari = len(re.findall(r"[\u0900-\u097f]", rest))
    return None if latin > devanagari else f"not English ({latin} Latin, {devanagari} Hindi)"


APOLOGIES = ("कुछ गड़बड़", "something went wrong", "Traceback")
VOLATILE_COLUMNS = {"updated_at", "last_seen_at"}
SKIPPED_TABLES = {"processed_updates", "inbox"}


def tidy(text: str) -> str:
    """Text as a store may keep it: NFC, control characters dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    return " ".join("".join(ch for ch in text if unicodedata.category(ch) != "Cc").split())


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list | tuple):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


@dataclass
class Step:
    """A prompt to hammer: how to reach it from the main menu, and what may be typed there."""

    name: str
    reach: Callable[[], Awaitable[Any]]
    flow: str | None  # the conversation expected there (None: no flow, e.g. a menu screen)
    free_text: bool = False  # a typed answer is legitimate here (a name, a notice text…)
    media: bool = False  # so is a photo (a notice's picture): it may go into the draft


@dataclass
class Hammer:
    """Sends every odd input at a step and checks the answer and the stored data."""

    phone: Phone
    client: EmulatorClient
    database: Database
    lang: str
    forged: list[str]
    stale: list[tuple[int, str]] = field(default_factory=list)  # (old message id, its data)
    group: int | None = None
    channel: int | None = None
    sent: int = 0
    calls_seen: int = 0  # the newest Bot API call looked at
    accepted: list[str] = field(default_factory=list)  # texts stored earlier (shown again)

    async def setup(self) -> None:
        self.group = (await self.client.create_group(f"Group {self.phone.uid}"))["id"]
        self.channel = (await self.client.create_channel(f"Channel {self.phone.uid}"))["id"]

    async def snapshot(self) -> dict[str, list[str]]:
        """Every stored row (except the handled update ids), volatile timestamps left out."""
        out: dict[str, list[str]] = {}
        async with self.database.sessions() as session:
            for table in metadata.sorted_tables:
                if table.name in SKIPPED_TABLES:
                    continue
                columns = [c for c in table.columns if c.name not in VOLATILE_COLUMNS]
                rows = (await session.exec(select(*columns))).all()  # type: ignore[call-overload]
                out[table.name] = sorted(json.dumps(list(r), default=str) for r in rows)
        return out

    async def conversation(self) -> tuple[str, str] | None:
        snap = await self.snapshot()
        for row in snap["conversations"]:
            values = json.loads(row)
            if values[0] == self.phone.uid:
                return values[1], values[2]
        return None

    async def at(self, step: Step) -> dict[str, list[str]]:
        await step.reach()
        conv = await self.conversation()
        expected = (step.flow, step.name) if step.flow else None
        assert conv == expected, f"reaching {step.name}: at {conv}"
        return await self.snapshot()

    async def hammer(self, step: Step, items: list[dict[str, Any]] | None = None) -> None:
        """Send every item at `step`; after each: a clear answer in the user's language, no
        failed Bot API call, and either nothing stored changed or (a typed answer where text
        is legitimate) the text was kept literally, after which the step is reached again."""
        before = await self.at(step)
        items = (
            items
            if items is not None
            else [*CORPUS, *ODD_UPDATES, *({"press": d} for d in self.forged), *self.stale_items()]
        )
        for item in items:
            label = f"{step.flow}/{step.name} {str(item)[:70]!r}"
            since = await self.last_call()
            shown, echo = await self.deliver(item, label)
            made = await self.client.calls(since=since)
            if made:
                self.calls_seen = made[-1]["n"]
            failed = [
                c
                for c in made
                if c["ok"] is False and "not modified" not in (c["description"] or "")
            ]  # "not modified": a double tap's edit, which the handlers expect and ignore
            assert not failed, f"{label}: Bot API refused {failed[:2]}"
            assert not any(a in shown for a in APOLOGIES), f"{label}: {shown[:300]}"
            if shown:
                echo = "\n".join([echo, *self.accepted])
                problem = (hindi_problem if self.lang == "hi" else english_problem)(shown, echo)
                assert problem is None, f"{label}: {problem} in {shown[:300]!r}"
            after = await self.snapshot()
            if after != before:
                self.accepted_literally(step, item, before, after, label)
                self.accepted.append(item.get("text") or "")
                await self.phone.send("/cancel")
                before = await self.at(step)
            self.sent += 1

    async def last_call(self) -> int:
        """The number of the newest Bot API call (read from where the last look ended, not
        the whole log again: it grows with every item)."""
        newer = await self.client.calls(since=self.calls_seen)
        if newer:
            self.calls_seen = newer[-1]["n"]
        return self.calls_seen

    def stale_items(self) -> list[dict[str, Any]]:
        return [{"press": data, "on": mid} for mid, data in self.stale]

    async def deliver(self, item: dict[str, Any], label: str) -> tuple[str, str]:
        """Send one item; return what the user was shown, and the user's own text (echo)."""
        phone, uid = self.phone, self.phone.uid
        if "press" in item:
            before = await phone.seq()
            on = item.get("on") or await self.newest_bot_message()
            result = await self.client.press(uid, on, item["press"])
            await phone.processed(result["update_id"])
            chat = await self.client.chat(uid, after=before)
            replies = [m for m in chat["messages"] if m["from"] == "bot"]
            notes = [
                a["text"] or ""
                for a in chat["callback_answers"]
                if a["callback_query_id"] == result["callback_query_id"] and a["answered"]
            ]
            # Answered, so the spinner stops; a page button may re-show the page on screen
            # ("not modified"), so a note or a message is not required.
            assert notes, f"{label}: the button press was not answered"
            return "\n".join([*notes, texts(replies)]).strip(), ""
        if "edit" in item:
            mine = [
                m
                for m in (await phone.transcript())
                if m["from"] == "user" and m["text"] and not m["deleted"]
            ]
            replies = await phone.send(edit_message_id=mine[-1]["message_id"], text=item["edit"])
            assert replies, f"{label}: no answer"
            return texts(replies), item["edit"]
        if "group" in item:
            assert self.group is not None
            before_private = await phone.seq()
            before_group = (await self.client.group_chat(self.group))["last_seq"]
            sent = await self.client.group_send(self.group, uid, item["group"])
            await phone.processed(sent["update_id"])
            assert await phone.seq() == before_private, f"{label}: answered in private"
            group = await self.client.group_chat(self.group, after=before_group)
            said = [m for m in group["messages"] if m["from"] == "bot"]
            if item["group"].startswith("/"):
                assert len(said) == 1, f"{label}: a command in a group gets one line"
            else:
                assert not said, f"{label}: group chatter is not answered"
            return texts(said), item["group"]
        if "channel" in item:
            assert self.channel is not None
            before_private = await phone.seq()
            sent = await self.client.channel_post(self.channel, item["channel"])
            await phone.processed(sent["update_id"])
            assert await phone.seq() == before_private, f"{label}: answered in private"
            return "", item["channel"]
        replies = await phone.send(**item)
        assert replies, f"{label}: no answer"
        return texts(replies), item.get("text") or ""

    async def newest_bot_message(self) -> int:
        """The message the user looks at: the newest bot message with inline buttons."""
        messages = [m for m in await self.phone.transcript() if m["from"] == "bot"]
        with_buttons = [m for m in messages if (m.get("reply_markup") or {}).get("inline_keyboard")]
        return (with_buttons or messages)[-1]["message_id"]

    @staticmethod
    def accepted_literally(
        step: Step,
        item: dict[str, Any],
        before: dict[str, list[str]],
        after: dict[str, list[str]],
        label: str,
    ) -> None:
        """A change is allowed only for a text typed where text is an answer, and only when
        what was stored is that text (or, for text the phone split, one of its parts)."""
        changed = {t for t in after if after[t] != before[t]}
        if step.media and "photo" in item:
            assert changed == {"conversations"}, f"{label}: a photo changed {changed}"
            return
        assert step.free_text and "text" in item, f"{label}: stored data changed in {changed}"
        new = set().union(
            *(_strings(json.loads(r)) for t in changed for r in set(after[t]) - set(before[t]))
        )
        stored = {tidy(s) for s in new}
        parts = [tidy(p) for p in split_long_text(item["text"], 4096)]
        assert any(p and p in stored for p in parts), (
            f"{label}: stored {sorted(stored, key=len)[-3:]!r}, not the text as typed"
        )
