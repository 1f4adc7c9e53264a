"""The in-memory model of the Telegram Bot API emulator: users, chats, messages, updates,
files, rate limits and injected faults. HTTP lives in ``server.py``; this module is plain
asyncio and can be driven directly as well.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import inspect
import itertools
import json
import math
import random
import re
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .entities import (
    ParseError,
    clip_entities,
    detect_entities,
    parse_html,
    render_html,
    trim_text,
    utf16_len,
)
from .media import FileStore, StoredFile, type_name

__all__ = ["ApiError", "ControlError", "Emulator", "EmulatorConfig", "Outcome", "Upload"]

# --------------------------------------------------------------------------- constants

SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendSticker",
        "sendLocation",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)
FAULT_KINDS = ("500", "502", "drop", "timeout", "429")
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
REPLY_BUTTON_REQUESTS = (
    "request_contact",
    "request_location",
    "request_poll",
    "request_users",
    "request_chat",
    "web_app",
)
COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)

# Bot API parameters that arrive as JSON text in form/multipart bodies
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "media",
        "commands",
        "scope",
        "menu_button",
        "allowed_updates",
        "reply_parameters",
        "link_preview_options",
        "message_ids",
        "reaction",
        "options",
        "explanation_entities",
        "question_entities",
        "rights",
        "permissions",
        "results",
    }
)
INT_PARAMS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "user_id",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "max_connections",
        "duration",
        "width",
        "height",
        "length",
        "live_period",
        "heading",
        "proximity_alert_radius",
        "until_date",
        "video_start_timestamp",
    }
)
FLOAT_PARAMS = frozenset({"latitude", "longitude", "horizontal_accuracy", "timeout"})
BOOL_PARAMS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "disable_web_page_preview",
        "is_big",
        "show_caption_above_media",
        "allow_paid_broadcast",
        "supports_streaming",
        "only_if_banned",
        "revoke_messages",
        "for_channels",
        "remove_caption",
    }
)
CHAT_ID_PARAMS = frozenset({"chat_id", "from_chat_id"})

_STICKER_BYTES = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
_VOICE_BYTES = b"OggS\x00\x02" + b"\x00" * 58
_VIDEO_NOTE_BYTES = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """A Bot API error reply: {"ok": false, "error_code": code, "description": ...}."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class ControlError(Exception):
    """An error of a /_emu control call (status 400 or 404)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Upload:
    """A file uploaded in a multipart request."""

    data: bytes
    filename: str | None = None
    content_type: str | None = None


@dataclass
class Outcome:
    """What the HTTP layer should answer: a JSON body, a raw body, or drop the connection."""

    status: int = 200
    body: dict[str, Any] | None = None
    raw: bytes | None = None
    content_type: str = "application/json"
    drop: bool = False


@dataclass
class EmulatorConfig:
    global_rate: float | None = None  # messages/s over all chats
    per_chat_rate: float | None = None  # messages/s per chat
    group_rate_per_minute: float | None = None  # messages/min per group chat
    rate_methods: list[str] | None = None  # default: SEND_METHODS
    fault_rate: float = 0.0
    fault_kinds: list[str] = field(default_factory=lambda: list(FAULT_KINDS))
    fault_methods: list[str] | None = None  # default: SEND_METHODS
    fault_phase: str = "before"  # "before": the call has no effect; "after": it has
    timeout_seconds: float = 5.0
    fault_retry_after: int = 1
    # An outage: for this many seconds from when it is set, every Bot API call (getUpdates
    # included) has its connection dropped before it has any effect; 0 ends it.
    outage_seconds: float = 0.0
    seed: int | None = None
    strict_html_amp: bool = True  # bare "&" in HTML -> 400 (Telegram keeps it literally)
    # True = Telegram's privacy mode: in groups the bot gets only commands, replies to it and
    # @mentions. Off by default: every group message becomes an update.
    group_privacy: bool = False
    max_call_log: int = 100_000
    max_update_history: int = 100_000


# --------------------------------------------------------------------------- model objects


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    phone_number: str | None = None
    started: bool = False
    blocked: bool = False

    def to_api(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            d["last_name"] = self.last_name
        if self.username:
            d["username"] = self.username
        if self.language_code:
            d["language_code"] = self.language_code
        return d


class Chat:
    __slots__ = (
        "action",
        "answers",
        "event",
        "id",
        "last_seq",
        "menu_button",
        "messages",
        "next_message_id",
        "reply_keyboard",
        "title",
        "type",
        "user",
    )

    def __init__(self, chat_id: int, chat_type: str, *, user: User | None = None, title=None):
        self.id = chat_id
        self.type = chat_type
        self.user = user
        self.title = title
        self.messages: OrderedDict[int, Msg] = OrderedDict()  # ordered by seq (move_to_end)
        self.answers: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.next_message_id = 1
        self.last_seq = 0
        self.event: asyncio.Event | None = None
        self.reply_keyboard: dict[str, Any] | None = None
        self.action: dict[str, Any] | None = None
        self.menu_button: dict[str, Any] | None = None

    def to_api(self) -> dict[str, Any]:
        if self.type == "private" and self.user is not None:
            u = self.user
            d: dict[str, Any] = {"id": self.id, "type": "private", "first_name": u.first_name}
            if u.last_name:
                d["last_name"] = u.last_name
            if u.username:
                d["username"] = u.username
            return d
        return {"id": self.id, "type": self.type, "title": self.title or ""}

    def notify(self) -> None:
        if self.event is not None:
            self.event.set()
            self.event = None


class Msg:
    __slots__ = (
        "caption",
        "caption_entities",
        "chat",
        "content",
        "date",
        "deleted",
        "edit_date",
        "entities",
        "forward_origin",
        "from_user",
        "kind",
        "media_group_id",
        "message_id",
        "reply_markup",
        "reply_to",
        "sender",
        "seq",
        "text",
    )

    def __init__(self, chat: Chat, message_id: int, sender: str, from_user: dict, kind: str):
        self.chat = chat
        self.message_id = message_id
        self.sender = sender  # "bot" | "user"
        self.from_user = from_user
        self.kind = kind
        self.date = int(time.time())
        self.text: str | None = None
        self.entities: list[dict[str, Any]] = []
        self.caption: str | None = None
        self.caption_entities: list[dict[str, Any]] = []
        self.content: dict[str, Any] = {}
        self.reply_markup: dict[str, Any] | None = None
        self.media_group_id: str | None = None
        self.reply_to: int | None = None
        self.forward_origin: dict[str, Any] | None = None
        self.edit_date: int | None = None
        self.deleted = False
        self.seq = 0

    @property
    def inline_markup(self) -> dict[str, Any] | None:
        rm = self.reply_markup
        return rm if rm is not None and "inline_keyboard" in rm else None

    @property
    def has_media(self) -> bool:
        return self.kind in ("photo", "document", "audio", "video", "animation", "voice")

    def to_api(self, *, with_reply: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.from_user,
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if with_reply and self.reply_to is not None:
            target = self.chat.messages.get(self.reply_to)
            if target is not None and not target.deleted:
                d["reply_to_message"] = target.to_api(with_reply=False)
        if self.forward_origin is not None:
            d["forward_origin"] = self.forward_origin
        if self.media_group_id is not None:
            d["media_group_id"] = self.media_group_id
        if self.edit_date is not None:
            d["edit_date"] = self.edit_date
        if self.text is not None:
            d["text"] = self.text
            if self.entities:
                d["entities"] = self.entities
        d.update(self.content)
        if self.caption is not None:
            d["caption"] = self.caption
            if self.caption_entities:
                d["caption_entities"] = self.caption_entities
        if self.inline_markup is not None:
            d["reply_markup"] = self.inline_markup
        return d

    def entry(self) -> dict[str, Any]:
        """The transcript entry shown by /_emu/users/{uid}/chat."""
        photo = None
        document = None
        file_entry = None
        if self.content.get("photo"):
            big = self.content["photo"][-1]
            photo = {
                "file_id": big["file_id"],
                "url": f"/_emu/files/{big['file_id']}",
                "width": big.get("width", 0),
                "height": big.get("height", 0),
            }
        if "document" in self.content:
            doc = self.content["document"]
            document = {
                "file_id": doc["file_id"],
                "file_name": doc.get("file_name"),
                "mime_type": doc.get("mime_type"),
                "file_size": doc.get("file_size"),
                "url": f"/_emu/files/{doc['file_id']}",
            }
        for k in ("voice", "audio", "video", "animation", "video_note", "sticker"):
            if k in self.content:
                obj = self.content[k]
                file_entry = dict(obj)
                file_entry["url"] = f"/_emu/files/{obj['file_id']}"
        entry: dict[str, Any] = {
            "seq": self.seq,
            "message_id": self.message_id,
            "from": self.sender,
            "user_id": self.from_user.get("id"),
            "date": self.date,
            "kind": self.kind,
            "text": self.text,
            "entities": self.entities if self.text is not None else None,
            "caption": self.caption,
            "caption_entities": self.caption_entities if self.caption is not None else None,
            "html": render_html(self.text, self.entities)
            if self.text is not None
            else render_html(self.caption, self.caption_entities),
            "photo": photo,
            "document": document,
            "file": file_entry,
            "reply_markup": self.reply_markup,
            "edited": self.edit_date is not None,
            "deleted": self.deleted,
            "media_group_id": self.media_group_id,
            "reply_to_message_id": self.reply_to,
        }
        for k in ("location", "contact", "poll", "sticker"):
            if k in self.content:
                entry[k] = self.content[k]
        if self.forward_origin is not None:
            entry["forward_origin"] = self.forward_origin
        return entry


# --------------------------------------------------------------------------- helpers


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return bool(v)
    return str(v).strip().lower() in ("true", "1", "yes", "on")


def coerce_params(params: dict[str, Any]) -> dict[str, Any]:
    """Turn form/query strings into the types the Bot API expects for each parameter."""
    out: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, str):
            if k in JSON_PARAMS:
                try:
                    v = json.loads(v)
                except ValueError as exc:
                    what = "reply keyboard markup" if k == "reply_markup" else k
                    raise ApiError(400, f"Bad Request: can't parse {what} JSON object") from exc
            elif k in CHAT_ID_PARAMS:
                s = v.strip()
                if re.fullmatch(r"-?\d+", s):
                    v = int(s)
                elif not s:
                    v = None
            elif k in INT_PARAMS:
                s = v.strip()
                if s == "":
                    v = None
                else:
                    try:
                        v = int(s)
                    except ValueError:
                        try:
                            v = int(float(s))
                        except ValueError as exc:
                            raise ApiError(
                                400, f'Bad Request: field "{k}" must be of type Integer'
                            ) from exc
            elif k in FLOAT_PARAMS:
                try:
                    v = float(v)
                except ValueError as exc:
                    raise ApiError(400, f'Bad Request: field "{k}" must be of type Float') from exc
            elif k in BOOL_PARAMS:
                v = _bool(v)
        out[k] = v
    return out


def _loggable(params: dict[str, Any], files: dict[str, Upload]) -> dict[str, Any]:
    d = dict(params)
    for name, up in files.items():
        d[name if name not in d else f"{name}#file"] = (
            f"<file {up.filename or name} {len(up.data)} bytes>"
        )
    return d


def _b64decode(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise ControlError(f"{what} must be a base64 string")
    if value.startswith("data:") and "," in value:
        value = value.split(",", 1)[1]
    try:
        return base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ControlError(f"{what} is not valid base64") from exc


_MEDIA_KEYS = (
    "photo",
    "document",
    "sticker",
    "voice",
    "video_note",
    "location",
    "contact",
    "poll",
)


def split_long_text(text: str, limit: int) -> list[str]:
    """Split like a Telegram client: chunks of <= limit UTF-16 units, at a newline or space
    when there is one in the second half of the chunk."""
    parts: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        units = 0
        cut = 0
        for idx, ch in enumerate(rest):
            units += 2 if ord(ch) > 0xFFFF else 1
            if units > limit:
                cut = idx
                break
        head = rest[:cut]
        for sep in ("\n", " "):
            pos = head.rfind(sep)
            if pos > cut // 2:
                cut = pos + 1
                break
        chunk = rest[:cut].strip()
        if chunk:
            parts.append(chunk)
        rest = rest[cut:]
    if rest.strip():
        parts.append(rest.strip())
    return parts


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class _MethodSpec:
    name: str
    fn: Callable[[dict[str, Any], dict[str, Upload]], Any]


# --------------------------------------------------------------------------- the emulator


class Emulator:
    """The whole fake Telegram for one bot (token)."""

    def __init__(
        self,
        token: str,
        *,
        bot_username: str = "odop_saathi_bot",
        bot_name: str = "ODOP Saathi",
    ) -> None:
        self.token = token
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 123456789
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.closing = False
        # counters that survive reset() so a running bot's offset / a page's seq stay valid
        self._update_ids = itertools.count(1)
        self._seqs = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._media_groups = itertools.count(13_000_000_000_000_001)
        self._poll_generation = 0
        self._updates_event: asyncio.Event | None = None
        self._webhook_task: asyncio.Task | None = None
        self._methods = self._build_methods()
        self._init_state()

    # ---------------------------------------------------------------- state

    def _init_state(self) -> None:
        self.config = EmulatorConfig()
        self.rng = random.Random()
        self._outage_ends = 0.0  # time.monotonic() when the outage set by outage_seconds ends
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.files = FileStore()
        self.pending: deque[dict[str, Any]] = deque()
        self.forced: list[dict[str, Any]] = []
        self.history: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self.callbacks: dict[str, dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], dict[str, Any]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.default_menu_button: dict[str, Any] = {"type": "default"}
        self.allowed_updates: frozenset[str] | None = None
        self.webhook: dict[str, Any] | None = None
        self.call_log: deque[dict[str, Any]] = deque(maxlen=self.config.max_call_log)
        self._call_n = 0
        self._next_user_id = 1_000_001
        self._next_group_id = 1
        self._buckets: dict[Any, _Bucket] = {}
        self.counters: dict[str, Counter] = {
            "calls": Counter(),
            "ok": Counter(),
            "errors": Counter(),
            "faults": Counter(),
            "deliveries": Counter(),
        }
        self.rate_limited = 0
        self.updates_created = 0
        self.updates_delivered = 0

    def reset(self) -> None:
        """Forget everything (users, chats, files, queue, config, logs). Ids keep growing."""
        for chat in self.chats.values():
            chat.notify()
        self._stop_webhook()
        self._init_state()
        self._notify_updates()

    def close(self) -> None:
        """Wake every long poll so the server can shut down quickly."""
        self.closing = True
        for chat in self.chats.values():
            chat.notify()
        self._notify_updates()
        self._stop_webhook()

    def configure(self, **cfg: Any) -> dict[str, Any]:
        names = {f.name for f in fields(EmulatorConfig)}
        unknown = set(cfg) - names
        if unknown:
            raise ControlError(f"unknown config keys: {sorted(unknown)}")
        for k, v in cfg.items():
            if k == "fault_kinds" and v is not None:
                bad = [x for x in v if str(x) not in FAULT_KINDS]
                if bad:
                    raise ControlError(f"unknown fault kinds {bad}; use {list(FAULT_KINDS)}")
                v = [str(x) for x in v]
            if k == "fault_rate" and not (0 <= float(v) <= 1):
                raise ControlError("fault_rate must be within 0..1")
            if k == "fault_phase" and v not in ("before", "after"):
                raise ControlError('fault_phase must be "before" or "after"')
            if k == "outage_seconds":
                v = float(v)
                if v < 0:
                    raise ControlError("outage_seconds must be 0 or more")
                self._outage_ends = time.monotonic() + v
            setattr(self.config, k, v)
        if "seed" in cfg:
            self.rng.seed(cfg["seed"])
        if "max_call_log" in cfg:
            self.call_log = deque(self.call_log, maxlen=int(cfg["max_call_log"]))
        if {"global_rate", "per_chat_rate", "group_rate_per_minute"} & set(cfg):
            self._buckets.clear()
        return asdict(self.config)

    def stats(self) -> dict[str, Any]:
        return {
            "calls": dict(self.counters["calls"]),
            "sent": dict(self.counters["ok"]),
            "errors": {str(k): v for k, v in self.counters["errors"].items()},
            "rate_limited": self.rate_limited,
            "faults": dict(self.counters["faults"]),
            "deliveries": {str(k): v for k, v in self.counters["deliveries"].items()},
            "updates_created": self.updates_created,
            "updates_delivered": self.updates_delivered,
            "pending_updates": len(self.pending) + len(self.forced),
            "users": len(self.users),
            "chats": len(self.chats),
            "config": asdict(self.config),
        }

    # ---------------------------------------------------------------- users, chats

    def create_user(
        self,
        *,
        id: int | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        phone_number: str | None = None,
        started: bool | None = None,
    ) -> dict[str, Any]:
        """Create or update a user (private chat id == user id)."""
        if id is None:
            while self._next_user_id in self.users:
                self._next_user_id += 1
            id = self._next_user_id
            self._next_user_id += 1
        id = int(id)
        if id <= 0:
            raise ControlError("user id must be positive")
        user = self.users.get(id)
        if user is None:
            if not first_name:
                first_name = f"User{id}"
            user = User(id=id, first_name=first_name)
            self.users[id] = user
            self.chats[id] = Chat(id, "private", user=user)
        elif first_name:
            user.first_name = first_name
        if last_name is not None:
            user.last_name = last_name or None
        if username is not None:
            user.username = username.lstrip("@") or None
        if language_code is not None:
            user.language_code = language_code or None
        if phone_number is not None:
            user.phone_number = phone_number or None
        if started is not None:
            user.started = bool(started)
        return self.user_info(user)

    def user_info(self, user: User) -> dict[str, Any]:
        chat = self.chats[user.id]
        bot_msgs = sum(1 for m in chat.messages.values() if m.sender == "bot")
        return {
            **asdict(user),
            "last_seq": chat.last_seq,
            "message_count": len(chat.messages),
            "bot_message_count": bot_msgs,
        }

    def list_users(self) -> list[dict[str, Any]]:
        return [self.user_info(u) for u in self.users.values()]

    def _user(self, uid: Any) -> User:
        try:
            user = self.users.get(int(uid))
        except (TypeError, ValueError):
            user = None
        if user is None:
            raise ControlError(f"user {uid} not found", 404)
        return user

    def create_group(
        self, *, id: int | None = None, title: str | None = None, type: str | None = None
    ) -> dict[str, Any]:
        chat_type = type or "group"
        if chat_type not in ("group", "supergroup", "channel"):
            raise ControlError('type must be "group", "supergroup" or "channel"')
        if id is None:
            n = self._next_group_id
            self._next_group_id += 1
            id = -(4_000_000 + n) if chat_type == "group" else -(1_001_000_000_000 + n)
        id = int(id)
        if id >= 0:
            raise ControlError("group ids are negative")
        chat = self.chats.get(id)
        if chat is None:
            chat = Chat(id, chat_type, title=title or f"Group {-id}")
            self.chats[id] = chat
        elif title:
            chat.title = title
        return chat.to_api()

    def channel_post(self, chat_id: Any, payload: dict[str, Any]) -> dict[str, Any]:
        """A post in a channel the bot is in: a `channel_post` update with `sender_chat` and
        no `from`; `{edit_message_id, text}` edits one (`edited_channel_post`)."""
        chat = self._group(chat_id)
        if chat.type != "channel":
            raise ControlError(f"chat {chat_id} is not a channel")
        kind = "channel_post"
        if "edit_message_id" in payload:
            msg = chat.messages.get(int(payload["edit_message_id"]))
            if msg is None or msg.deleted or msg.sender != "channel":
                raise ControlError(f"post {payload['edit_message_id']} not found", 404)
            msg.edit_date = int(time.time())
            kind = "edited_channel_post"
        else:
            msg = self._new_msg(chat, "channel", {}, "text")
        msg.text, msg.entities = self._user_text(payload.get("text"), 4096, "text")
        self._touch(msg)
        post = msg.to_api()
        del post["from"]
        post["sender_chat"] = chat.to_api()
        update_id = self._emit(kind, post)
        return {"update_id": update_id, "message_id": msg.message_id, "seq": msg.seq}

    def _group(self, chat_id: Any) -> Chat:
        try:
            chat = self.chats.get(int(chat_id))
        except (TypeError, ValueError):
            chat = None
        if chat is None or chat.type == "private":
            raise ControlError(f"group {chat_id} not found", 404)
        return chat

    def chat_by_id(self, chat_id: Any) -> Chat:
        try:
            chat = self.chats.get(int(chat_id))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise ControlError(f"chat {chat_id} not found", 404)
        return chat

    def set_blocked(self, uid: Any, blocked: bool) -> dict[str, Any]:
        user = self._user(uid)
        blocked = bool(blocked)
        if user.blocked != blocked:
            user.blocked = blocked
            if user.started:
                old, new = ("member", "kicked") if blocked else ("kicked", "member")
                new_member: dict[str, Any] = {"user": self.bot_user, "status": new}
                if new == "kicked":
                    new_member["until_date"] = 0
                old_member: dict[str, Any] = {"user": self.bot_user, "status": old}
                if old == "kicked":
                    old_member["until_date"] = 0
                self._emit(
                    "my_chat_member",
                    {
                        "chat": self.chats[user.id].to_api(),
                        "from": user.to_api(),
                        "date": int(time.time()),
                        "old_chat_member": old_member,
                        "new_chat_member": new_member,
                    },
                )
        return self.user_info(user)

    # ---------------------------------------------------------------- seq / notifications

    def _touch(self, msg: Msg) -> None:
        msg.seq = next(self._seqs)
        chat = msg.chat
        chat.messages[msg.message_id] = msg
        chat.messages.move_to_end(msg.message_id)
        chat.last_seq = msg.seq
        chat.notify()

    def _bump(self, chat: Chat) -> int:
        seq = next(self._seqs)
        chat.last_seq = seq
        chat.notify()
        return seq

    def transcript(self, chat_id: Any, after: int = 0) -> dict[str, Any]:
        chat = self.chat_by_id(chat_id)
        msgs: list[Msg] = []
        for m in reversed(chat.messages.values()):
            if m.seq <= after:
                break
            msgs.append(m)
        msgs.sort(key=lambda m: m.message_id)
        answers = []
        for a in reversed(chat.answers.values()):
            if a["seq"] <= after:
                break
            answers.append(a)
        answers.reverse()
        action = None
        if chat.action is not None and chat.action["until"] > time.time():
            action = chat.action["action"]
        return {
            "chat_id": chat.id,
            "messages": [m.entry() for m in msgs],
            "last_seq": chat.last_seq,
            "reply_keyboard": chat.reply_keyboard,
            "callback_answers": answers,
            "chat_action": action,
        }

    async def wait_transcript(self, chat_id: Any, after: int = 0, wait: float = 0) -> dict:
        chat = self.chat_by_id(chat_id)
        deadline = time.monotonic() + max(0.0, float(wait))
        while chat.last_seq <= after and not self.closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if chat.event is None:
                chat.event = asyncio.Event()
            ev = chat.event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ev.wait(), remaining)
            if self.chats.get(chat.id) is not chat:  # reset() happened
                break
        return (
            self.transcript(chat_id, after)
            if self.chats.get(chat.id) is chat
            else {
                "chat_id": chat.id,
                "messages": [],
                "last_seq": after,
                "reply_keyboard": None,
                "callback_answers": [],
                "chat_action": None,
            }
        )

    # ---------------------------------------------------------------- updates

    def _notify_updates(self) -> None:
        if self._updates_event is not None:
            self._updates_event.set()
            self._updates_event = None

    def _emit(self, kind: str, obj: dict[str, Any]) -> int | None:
        allowed = self.allowed_updates or DEFAULT_UPDATE_TYPES
        if kind not in allowed:
            return None
        uid = next(self._update_ids)
        upd = {"update_id": uid, kind: obj}
        self.pending.append(upd)
        self.history[uid] = upd
        if len(self.history) > self.config.max_update_history:
            self.history.popitem(last=False)
        self.updates_created += 1
        self._notify_updates()
        return uid

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        pending = self.pending
        if offset < 0:
            keep = -offset
            while len(pending) > keep:
                pending.popleft()
            return
        while pending and pending[0]["update_id"] < offset:
            pending.popleft()

    def _take(self, limit: int) -> list[dict[str, Any]]:
        batch = self.forced[:limit]
        del self.forced[: len(batch)]
        room = limit - len(batch)
        if room > 0:
            batch.extend(itertools.islice(self.pending, room))
        self.updates_delivered += len(batch)
        return batch

    def pending_count(self) -> int:
        return len(self.pending) + len(self.forced)

    def redeliver(self, update_id: int) -> dict[str, Any]:
        upd = self.history.get(int(update_id))
        if upd is None:
            raise ControlError(f"update {update_id} not found", 404)
        self.forced.append(upd)
        self.forced.sort(key=lambda u: u["update_id"])
        self._notify_updates()
        return {"update_id": upd["update_id"], "pending": self.pending_count()}

    # ---------------------------------------------------------------- incoming (user side)

    def user_send(
        self, uid: Any, payload: dict[str, Any], files: dict[str, Upload] | None = None
    ) -> dict[str, Any] | list[dict[str, Any]]:
        user = self._user(uid)
        user.blocked = False  # a blocked bot can't get messages: sending restarts it
        user.started = True
        return self._incoming(self.chats[user.id], user, payload, files or {})

    def group_send(
        self,
        chat_id: Any,
        from_uid: Any,
        payload: dict[str, Any],
        files: dict[str, Upload] | None = None,
    ) -> dict[str, Any] | list[dict[str, Any]]:
        chat = self._group(chat_id)
        user = self._user(from_uid)
        return self._incoming(chat, user, payload, files or {})

    def _new_msg(self, chat: Chat, sender: str, from_user: dict[str, Any], kind: str) -> Msg:
        mid = chat.next_message_id
        chat.next_message_id += 1
        return Msg(chat, mid, sender, from_user, kind)

    def _group_wants(self, chat: Chat, msg: Msg) -> bool:
        """Privacy mode: which group messages a bot gets."""
        if chat.type == "private" or not self.config.group_privacy:
            return True
        text = msg.text if msg.text is not None else (msg.caption or "")
        low = text.lower()
        if text.startswith("/"):
            first = low.split(None, 1)[0] if low.split() else low
            if "@" not in first or first.endswith("@" + self.bot_username.lower()):
                return True
        if "@" + self.bot_username.lower() in low:
            return True
        if msg.reply_to is not None:
            target = chat.messages.get(msg.reply_to)
            if target is not None and target.sender == "bot":
                return True
        return False

    def _incoming(
        self, chat: Chat, user: User, payload: dict[str, Any], files: dict[str, Upload]
    ) -> dict[str, Any] | list[dict[str, Any]]:
        if "edit_message_id" in payload:
            return self._incoming_edit(chat, user, payload)
        if "media_group" in payload:
            items = payload["media_group"]
            if not isinstance(items, list) or not 2 <= len(items) <= 10:
                raise ControlError("media_group must be a list of 2-10 base64 photos")
            group_id = str(next(self._media_groups))
            results = []
            for idx, item in enumerate(items):
                sub = {"photo": item}
                if idx == 0 and payload.get("caption"):
                    sub["caption"] = payload["caption"]
                results.append(self._incoming_one(chat, user, sub, {}, media_group_id=group_id))
            return results
        text = payload.get("text")
        if (
            isinstance(text, str)
            and utf16_len(text) > 4096
            and not files
            and not any(k in payload for k in _MEDIA_KEYS)
        ):
            # a Telegram client splits a long text into several messages
            return [
                self._incoming_one(chat, user, {**payload, "text": part}, {})
                for part in split_long_text(text, 4096)
            ]
        return self._incoming_one(chat, user, payload, files)

    def _user_text(self, text: Any, limit: int, what: str) -> tuple[str, list[dict]]:
        if not isinstance(text, str):
            raise ControlError(f"{what} must be a string")
        text, _ = trim_text(text, [])
        if not text:
            raise ControlError(f"{what} is empty")
        if utf16_len(text) > limit:
            raise ControlError(f"{what} is too long")
        return text, detect_entities(text)

    def _incoming_one(
        self,
        chat: Chat,
        user: User,
        payload: dict[str, Any],
        files: dict[str, Upload],
        *,
        media_group_id: str | None = None,
    ) -> dict[str, Any]:
        from_user = user.to_api()
        caption = payload.get("caption")
        upload_photo = files.get("photo")
        upload_doc = files.get("document")
        if upload_photo is not None or payload.get("photo"):
            data = upload_photo.data if upload_photo else _b64decode(payload["photo"], "photo")
            sizes = self.files.add_photo(data)
            if sizes is None:
                raise ControlError("photo is not a PNG/JPEG/GIF/WebP/BMP image")
            msg = self._new_msg(chat, "user", from_user, "photo")
            msg.content["photo"] = sizes
        elif upload_doc is not None or payload.get("document"):
            if upload_doc is not None:
                data = upload_doc.data
                name = payload.get("file_name") or upload_doc.filename or "file"
                mime = payload.get("mime_type") or upload_doc.content_type
            else:
                data = _b64decode(payload["document"], "document")
                name = payload.get("file_name") or "file"
                mime = payload.get("mime_type")
            if mime in (None, "", "application/octet-stream"):
                mime = None
            sf = self.files.add("document", data, name, mime)
            msg = self._new_msg(chat, "user", from_user, "document")
            msg.content["document"] = self.files.describe(sf)
        elif payload.get("sticker"):
            st = payload["sticker"] if isinstance(payload["sticker"], dict) else {}
            sf = self.files.add("sticker", _STICKER_BYTES, None, "image/webp")
            msg = self._new_msg(chat, "user", from_user, "sticker")
            msg.content["sticker"] = {
                "file_id": sf.file_id,
                "file_unique_id": sf.file_unique_id,
                "file_size": sf.size,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": st.get("emoji", "👍"),
                "set_name": st.get("set_name", "EmulatorStickers"),
            }
        elif payload.get("voice"):
            v = payload["voice"]
            data = _b64decode(v, "voice") if isinstance(v, str) else _VOICE_BYTES
            sf = self.files.add("voice", data, None, "audio/ogg")
            msg = self._new_msg(chat, "user", from_user, "voice")
            msg.content["voice"] = {**self.files.describe(sf), "duration": 2}
        elif payload.get("video_note"):
            v = payload["video_note"]
            data = _b64decode(v, "video_note") if isinstance(v, str) else _VIDEO_NOTE_BYTES
            sf = self.files.add("video_note", data, None, "video/mp4")
            msg = self._new_msg(chat, "user", from_user, "video_note")
            msg.content["video_note"] = {**self.files.describe(sf), "length": 240, "duration": 3}
        elif payload.get("location"):
            loc = payload["location"]
            try:
                lat, lon = float(loc["latitude"]), float(loc["longitude"])
            except (TypeError, KeyError, ValueError) as exc:
                raise ControlError("location needs latitude and longitude") from exc
            msg = self._new_msg(chat, "user", from_user, "location")
            msg.content["location"] = {"latitude": lat, "longitude": lon}
        elif payload.get("contact"):
            c = payload["contact"]
            if isinstance(c, dict):
                if not c.get("phone_number") or not c.get("first_name"):
                    raise ControlError("contact needs phone_number and first_name")
                contact = {"phone_number": str(c["phone_number"]), "first_name": c["first_name"]}
                for k in ("last_name", "user_id", "vcard"):
                    if c.get(k) is not None:
                        contact[k] = c[k]
            else:
                phone = user.phone_number or f"+9198{user.id % 100_000_000:08d}"
                contact = {"phone_number": phone, "first_name": user.first_name}
                if user.last_name:
                    contact["last_name"] = user.last_name
                contact["user_id"] = user.id
            msg = self._new_msg(chat, "user", from_user, "contact")
            msg.content["contact"] = contact
        elif payload.get("poll"):
            p = payload["poll"] if isinstance(payload["poll"], dict) else {}
            options = p.get("options") or ["हाँ", "नहीं"]
            msg = self._new_msg(chat, "user", from_user, "poll")
            msg.content["poll"] = {
                "id": str(5_000_000_000_000_000_000 + msg.message_id * 1000 + user.id % 1000),
                "question": p.get("question", "?"),
                "options": [
                    {"text": str(o), "voter_count": 0, "persistent_id": str(i)}
                    for i, o in enumerate(options)
                ],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            }
        elif "text" in payload and payload["text"] is not None:
            text, ents = self._user_text(payload["text"], 4096, "text")
            msg = self._new_msg(chat, "user", from_user, "text")
            msg.text = text
            msg.entities = ents
        else:
            raise ControlError(
                "nothing to send: give text, photo, document, sticker, voice, video_note, "
                "location, contact, poll, media_group or edit_message_id"
            )
        if caption and msg.kind in ("photo", "document", "voice"):
            msg.caption, msg.caption_entities = self._user_text(caption, 1024, "caption")
        msg.media_group_id = media_group_id
        reply_to = payload.get("reply_to_message_id")
        if reply_to is not None:
            target = chat.messages.get(int(reply_to))
            if target is None or target.deleted:
                raise ControlError(f"message {reply_to} to reply to not found", 404)
            msg.reply_to = target.message_id
        self._touch(msg)
        if chat.type != "private" and not self._group_wants(chat, msg):
            update_id = None
        else:
            update_id = self._emit("message", msg.to_api())
        return {
            "update_id": update_id,
            "message_id": msg.message_id,
            "seq": msg.seq,
            "delivered": update_id is not None,
        }

    def _incoming_edit(self, chat: Chat, user: User, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            mid = int(payload["edit_message_id"])
        except (TypeError, ValueError) as exc:
            raise ControlError("edit_message_id must be an integer") from exc
        msg = chat.messages.get(mid)
        if msg is None or msg.deleted or msg.sender != "user" or msg.from_user["id"] != user.id:
            raise ControlError(f"message {mid} of this user not found", 404)
        if msg.text is not None:
            msg.text, msg.entities = self._user_text(payload.get("text"), 4096, "text")
        elif msg.has_media:
            new = payload.get("caption", payload.get("text"))
            msg.caption, msg.caption_entities = self._user_text(new, 1024, "caption")
        else:
            raise ControlError("this message can't be edited")
        msg.edit_date = int(time.time())
        self._touch(msg)
        update_id = None
        if chat.type == "private" or self._group_wants(chat, msg):
            update_id = self._emit("edited_message", msg.to_api())
        return {"update_id": update_id, "message_id": msg.message_id, "seq": msg.seq}

    def user_callback(
        self, uid: Any, message_id: Any, data: str | None, *, chat_id: Any = None
    ) -> dict[str, Any]:
        user = self._user(uid)
        chat = self.chats[user.id] if chat_id is None else self._group(chat_id)
        try:
            mid = int(message_id)
        except (TypeError, ValueError) as exc:
            raise ControlError("message_id must be an integer") from exc
        msg = chat.messages.get(mid)
        if msg is None or msg.deleted:
            raise ControlError(f"message {message_id} not found in chat {chat.id}", 404)
        qid = str(4_000_000_000_000_000_000 + next(self._callback_ids))
        cq: dict[str, Any] = {
            "id": qid,
            "from": user.to_api(),
            "message": msg.to_api(),
            "chat_instance": str(-(abs(chat.id * 7919 + self.bot_id) % 10**18)),
        }
        if data is not None:
            cq["data"] = str(data)
        self.callbacks[qid] = {"chat_id": chat.id, "answered": False, "t": time.time()}
        answer = {
            "seq": self._bump(chat),
            "callback_query_id": qid,
            "message_id": mid,
            "data": data,
            "answered": False,
            "text": None,
            "show_alert": False,
            "url": None,
        }
        chat.answers[qid] = answer
        update_id = self._emit("callback_query", cq)
        return {"update_id": update_id, "callback_query_id": qid, "seq": answer["seq"]}

    def file_bytes(self, file_id: str) -> StoredFile:
        sf = self.files.get(file_id)
        if sf is None:
            raise ControlError(f"file {file_id} not found", 404)
        return sf

    def commands_registry(self) -> list[dict[str, Any]]:
        return [dict(v) for v in self.commands.values()]

    # ---------------------------------------------------------------- call log, dispatch

    def calls(self, method: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        low = method.lower() if method else None
        out = []
        for rec in reversed(self.call_log):
            if rec["n"] <= since:
                break
            if low is None or rec["method"].lower() == low:
                out.append(rec)
        out.reverse()
        return out

    def _draw_fault(self, name: str) -> str | None:
        cfg = self.config
        if cfg.fault_rate <= 0 or not cfg.fault_kinds:
            return None
        methods = cfg.fault_methods if cfg.fault_methods is not None else SEND_METHODS
        if name not in methods:
            return None
        if self.rng.random() >= cfg.fault_rate:
            return None
        return self.rng.choice(cfg.fault_kinds)

    def _fault_outcome(self, rec: dict[str, Any], kind: str) -> Outcome:
        self.counters["faults"][kind] += 1
        rec["fault"] = kind
        rec["ok"] = False
        if kind == "500":
            rec.update(error_code=500, description="Internal Server Error")
            return Outcome(
                500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            )
        if kind == "502":
            rec.update(error_code=502, description="Bad Gateway")
            body = (
                b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
                b"</body>\r\n</html>\r\n"
            )
            return Outcome(502, raw=body, content_type="text/html")
        if kind == "429":
            ra = max(1, int(self.config.fault_retry_after))
            desc = f"Too Many Requests: retry after {ra}"
            rec.update(error_code=429, description=desc)
            return Outcome(
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": desc,
                    "parameters": {"retry_after": ra},
                },
            )
        rec.update(error_code=None, description="connection dropped")
        return Outcome(drop=True)

    async def handle(
        self, method: str, params: dict[str, Any], files: dict[str, Upload] | None = None
    ) -> Outcome:
        """Run one Bot API call; returns what to answer over HTTP."""
        files = files or {}
        spec = self._methods.get(method.lower())
        name = spec.name if spec is not None else method
        self._call_n += 1
        rec: dict[str, Any] = {
            "n": self._call_n,
            "method": name,
            "params": _loggable(params, files),
            "ok": None,
            "error_code": None,
            "description": None,
            "t": time.time(),
        }
        self.call_log.append(rec)
        self.counters["calls"][name] += 1
        if time.monotonic() < self._outage_ends:
            self.counters["faults"]["outage"] += 1
            rec.update(fault="outage", ok=False, description="connection dropped (outage)")
            return Outcome(drop=True)
        if spec is None:
            return self._error(rec, ApiError(404, "Not Found"))
        fault = self._draw_fault(name)
        after_fault = None
        if fault is not None:
            if fault == "timeout":
                self.counters["faults"]["timeout"] += 1
                rec["fault"] = "timeout"
                if self.config.fault_phase == "before":
                    await asyncio.sleep(float(self.config.timeout_seconds))
                else:
                    after_fault = "timeout"
            elif self.config.fault_phase == "before":
                return self._fault_outcome(rec, fault)
            else:
                after_fault = fault
        try:
            p = coerce_params(params)
            if name in (self.config.rate_methods or SEND_METHODS):
                self._check_rate(name, p)
            result = spec.fn(p, files)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return self._error(rec, exc)
        if after_fault == "timeout":
            await asyncio.sleep(float(self.config.timeout_seconds))
        elif after_fault is not None:
            return self._fault_outcome(rec, after_fault)
        rec["ok"] = True
        self.counters["ok"][name] += 1
        return Outcome(200, {"ok": True, "result": result})

    def _error(self, rec: dict[str, Any], exc: ApiError) -> Outcome:
        rec.update(ok=False, error_code=exc.code, description=exc.description)
        self.counters["errors"][exc.code] += 1
        body: dict[str, Any] = {
            "ok": False,
            "error_code": exc.code,
            "description": exc.description,
        }
        if exc.parameters:
            body["parameters"] = exc.parameters
        return Outcome(exc.code, body)

    # ---------------------------------------------------------------- rate limits

    def _take_token(self, key: Any, rate: float, count: int, now: float) -> float:
        """Token bucket (burst = one second's worth); returns seconds to wait, 0 if ok."""
        cap = max(1.0, rate)
        b = self._buckets.get(key)
        if b is None:
            b = self._buckets[key] = _Bucket(cap, now)
        b.tokens = min(cap, b.tokens + (now - b.stamp) * rate)
        b.stamp = now
        if b.tokens >= count or (count > cap and b.tokens >= cap):
            return 0.0
        return (min(count, cap) - b.tokens) / rate

    def _check_rate(self, name: str, p: dict[str, Any]) -> None:
        cfg = self.config
        if not (cfg.global_rate or cfg.per_chat_rate or cfg.group_rate_per_minute):
            return
        count = (
            len(p["media"]) if name == "sendMediaGroup" and isinstance(p.get("media"), list) else 1
        )
        chat_id = p.get("chat_id")
        now = time.monotonic()
        checks: list[tuple[Any, float]] = []
        if cfg.global_rate:
            checks.append(("*", float(cfg.global_rate)))
        if cfg.per_chat_rate and chat_id is not None:
            checks.append((("chat", chat_id), float(cfg.per_chat_rate)))
        if cfg.group_rate_per_minute and isinstance(chat_id, int) and chat_id < 0:
            checks.append((("group", chat_id), float(cfg.group_rate_per_minute) / 60.0))
        wait = max(self._take_token(k, r, count, now) for k, r in checks)
        if wait > 0:
            self.rate_limited += 1
            ra = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {ra}", {"retry_after": ra})
        for k, _ in checks:
            b = self._buckets[k]
            b.tokens = max(0.0, b.tokens - count)

    # ---------------------------------------------------------------- Bot API helpers

    def _target_chat(self, p: dict[str, Any], key: str = "chat_id", *, write: bool = True) -> Chat:
        cid = p.get(key)
        if cid is None or cid == "":
            raise ApiError(400, f"Bad Request: {key} is empty")
        if not isinstance(cid, int):
            raise ApiError(400, "Bad Request: chat not found")
        chat = self.chats.get(cid)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.type == "private":
            user = chat.user
            assert user is not None
            if not user.started:
                raise ApiError(400, "Bad Request: chat not found")
            if write and user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _format(
        self,
        text: Any,
        parse_mode: Any,
        entities: Any,
        *,
        caption: bool = False,
    ) -> tuple[str | None, list[dict[str, Any]]]:
        if text is None or text == "":
            if caption:
                return None, []
            raise ApiError(400, "Bad Request: message text is empty")
        if not isinstance(text, str):
            text = json.dumps(text) if isinstance(text, dict | list) else str(text)
        ents: list[dict[str, Any]] = []
        try:
            if entities is not None:
                ents = clip_entities(text, entities)
            elif parse_mode:
                mode = str(parse_mode).lower()
                if mode == "html":
                    text, ents = parse_html(text, strict_amp=self.config.strict_html_amp)
                elif mode in ("markdown", "markdownv2"):
                    raise ApiError(
                        400,
                        f"Bad Request: can't parse entities: parse_mode {parse_mode} is not "
                        "supported by the emulator; use HTML",
                    )
                else:
                    raise ApiError(400, "Bad Request: unsupported parse_mode")
        except ParseError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from exc
        text, ents = trim_text(text, ents)
        if not text:
            if caption:
                return None, []
            raise ApiError(400, "Bad Request: message text is empty")
        limit = 1024 if caption else 4096
        if utf16_len(text) > limit:
            raise ApiError(
                400,
                "Bad Request: message caption is too long"
                if caption
                else "Bad Request: message is too long",
            )
        return text, detect_entities(text, ents)

    def _validate_markup(self, rm: Any, chat: Chat) -> dict[str, Any] | None:
        if rm is None:
            return None
        if not isinstance(rm, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in rm:
            return {"inline_keyboard": self._validate_inline(rm["inline_keyboard"])}
        if "keyboard" in rm:
            return self._validate_reply_keyboard(rm, chat)
        if rm.get("remove_keyboard"):
            out: dict[str, Any] = {"remove_keyboard": True}
            if rm.get("selective") is not None:
                out["selective"] = bool(rm["selective"])
            return out
        if rm.get("force_reply"):
            out = {"force_reply": True}
            for k in ("input_field_placeholder", "selective"):
                if rm.get(k) is not None:
                    out[k] = rm[k]
            return out
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")

    @staticmethod
    def _validate_inline(rows: Any) -> list[list[dict[str, Any]]]:
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(
                400,
                'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be '
                "an Array of Arrays",
            )
        total = 0
        out_rows = []
        for row in rows:
            out_row = []
            for btn in row:
                total += 1
                if not isinstance(btn, dict):
                    raise ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        "InlineKeyboardButton must be an Object",
                    )
                text = btn.get("text")
                if not isinstance(text, str):
                    raise ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        'Field "text" must be of type String',
                    )
                if not text.strip():
                    raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
                actions = [a for a in INLINE_ACTIONS if btn.get(a) is not None]
                if not actions:
                    raise ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard",
                    )
                if len(actions) > 1:
                    raise ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: exactly one of the "
                        f"optional fields must be used, got {', '.join(actions)}",
                    )
                if "callback_data" in actions:
                    data = btn["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if "url" in actions:
                    url = btn["url"]
                    if not isinstance(url, str) or not re.match(
                        r"^(https?://[^\s/$.?#][^\s]*|tg://\S+)$", url, re.I
                    ):
                        raise ApiError(
                            400,
                            f"Bad Request: inline keyboard button URL '{url}' is invalid: "
                            "Wrong HTTP URL",
                        )
                out_row.append(dict(btn))
            out_rows.append(out_row)
        if total > 100:
            raise ApiError(400, "Bad Request: reply markup is too long")
        return out_rows

    @staticmethod
    def _validate_reply_keyboard(rm: dict[str, Any], chat: Chat) -> dict[str, Any]:
        rows = rm["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(
                400,
                'Bad Request: field "keyboard" of the ReplyKeyboardMarkup should be an Array '
                "of Arrays",
            )
        out_rows = []
        total = 0
        for row in rows:
            out_row = []
            for btn in row:
                total += 1
                if isinstance(btn, str):
                    btn = {"text": btn}
                if not isinstance(btn, dict) or not isinstance(btn.get("text"), str):
                    raise ApiError(
                        400,
                        "Bad Request: can't parse keyboard button: "
                        'Field "text" must be of type String',
                    )
                if not btn["text"].strip():
                    raise ApiError(400, "Bad Request: keyboard button text must be non-empty")
                reqs = [r for r in REPLY_BUTTON_REQUESTS if btn.get(r) not in (None, False)]
                if len(reqs) > 1:
                    raise ApiError(
                        400,
                        "Bad Request: can't parse keyboard button: only one of the optional "
                        f"fields can be used, got {', '.join(reqs)}",
                    )
                if (
                    reqs
                    and reqs[0] in ("request_contact", "request_location", "web_app")
                    and (chat.type != "private")
                ):
                    raise ApiError(
                        400,
                        f"Bad Request: keyboard button {reqs[0]} can be used only in private chats",
                    )
                out_row.append(dict(btn))
            out_rows.append(out_row)
        if total > 300:
            raise ApiError(400, "Bad Request: reply markup is too long")
        placeholder = rm.get("input_field_placeholder")
        if placeholder is not None and len(str(placeholder)) > 64:
            raise ApiError(400, "Bad Request: input field placeholder is too long")
        out: dict[str, Any] = {"keyboard": out_rows}
        for k in (
            "is_persistent",
            "resize_keyboard",
            "one_time_keyboard",
            "input_field_placeholder",
            "selective",
        ):
            if rm.get(k) is not None:
                out[k] = rm[k]
        return out

    def _reply_to(self, chat: Chat, p: dict[str, Any]) -> int | None:
        rp = p.get("reply_parameters")
        if rp is None and p.get("reply_to_message_id") is not None:
            rp = {
                "message_id": p["reply_to_message_id"],
                "allow_sending_without_reply": p.get("allow_sending_without_reply", False),
            }
        if rp is None:
            return None
        if not isinstance(rp, dict) or "message_id" not in rp:
            raise ApiError(400, "Bad Request: can't parse reply parameters JSON object")
        target = chat
        if rp.get("chat_id") not in (None, chat.id):
            target = self._target_chat({"chat_id": rp.get("chat_id")}, write=False)
        try:
            mid = int(rp["message_id"])
        except (TypeError, ValueError) as exc:
            raise ApiError(400, "Bad Request: message to be replied not found") from exc
        msg = target.messages.get(mid)
        if msg is None or msg.deleted or target is not chat:
            if _bool(rp.get("allow_sending_without_reply", False)):
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return mid

    def _input_file(
        self, p: dict[str, Any], files: dict[str, Upload], name: str, ref: Any = None
    ) -> Upload | StoredFile:
        """Resolve a photo/document argument: upload, attach://, file_id or (rejected) URL."""
        value = p.get(name) if ref is None else ref
        if ref is None and name in files:
            return files[name]
        if isinstance(value, str) and value.startswith("attach://"):
            up = files.get(value[len("attach://") :])
            if up is None:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            return up
        if value is None or value == "":
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        if not isinstance(value, str):
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I):
            raise ApiError(400, "Bad Request: wrong HTTP URL")
        sf = self.files.get(value.strip())
        if sf is None:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return sf

    def _photo_content(self, src: Upload | StoredFile) -> list[dict[str, Any]]:
        if isinstance(src, Upload):
            if len(src.data) > 10 * 1024 * 1024:
                raise ApiError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
            sizes = self.files.add_photo(src.data)
            if sizes is None:
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            return sizes
        if src.kind != "photo":
            raise ApiError(
                400, f"Bad Request: can't use file of type {type_name(src.kind)} as Photo"
            )
        return self.files.photo_sizes(src.file_id)

    def _file_content(
        self, kind: str, src: Upload | StoredFile, p: dict[str, Any]
    ) -> dict[str, Any]:
        if isinstance(src, Upload):
            if len(src.data) > 50 * 1024 * 1024:
                raise ApiError(413, "Request Entity Too Large")
            if not src.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            mime = src.content_type
            if mime in (None, "", "application/octet-stream"):
                mime = None
            sf = self.files.add(kind, src.data, src.filename, mime)
            if kind == "voice":
                sf.extra.setdefault("duration", int(p.get("duration") or 1))
            if kind in ("video", "animation", "video_note", "audio"):
                sf.extra.setdefault("duration", int(p.get("duration") or 1))
            if kind in ("video", "animation"):
                sf.extra.setdefault("width", int(p.get("width") or 640))
                sf.extra.setdefault("height", int(p.get("height") or 480))
            if kind == "video_note":
                sf.extra.setdefault("length", int(p.get("length") or 240))
            if kind == "sticker":
                sf.extra.update(
                    type="regular",
                    width=512,
                    height=512,
                    is_animated=False,
                    is_video=False,
                    emoji=p.get("emoji") or "🙂",
                )
        else:
            sf = src
            if sf.kind != kind:
                raise ApiError(
                    400,
                    f"Bad Request: can't use file of type {type_name(sf.kind)} as "
                    f"{type_name(kind)}",
                )
        return self.files.describe(sf)

    def _store_bot_message(
        self,
        chat: Chat,
        msg: Msg,
        markup: dict[str, Any] | None,
        reply_to: int | None,
        method: str,
    ) -> Msg:
        msg.reply_markup = markup
        msg.reply_to = reply_to
        if markup is not None:
            if "keyboard" in markup:
                chat.reply_keyboard = markup
            elif "remove_keyboard" in markup:
                chat.reply_keyboard = None
        chat.action = None
        self._touch(msg)
        self.counters["deliveries"][chat.id] += 1
        return msg

    def _bot_msg(self, chat: Chat, kind: str) -> Msg:
        return self._new_msg(chat, "bot", self.bot_user, kind)

    # ---------------------------------------------------------------- Bot API methods

    def _build_methods(self) -> dict[str, _MethodSpec]:
        table: dict[str, Callable[[dict[str, Any], dict[str, Upload]], Any]] = {
            "getMe": self._m_get_me,
            "logOut": lambda p, f: True,
            "close": lambda p, f: True,
            "getUpdates": self._m_get_updates,
            "setWebhook": self._m_set_webhook,
            "deleteWebhook": self._m_delete_webhook,
            "getWebhookInfo": self._m_get_webhook_info,
            "setMyCommands": self._m_set_my_commands,
            "getMyCommands": self._m_get_my_commands,
            "deleteMyCommands": self._m_delete_my_commands,
            "setChatMenuButton": self._m_set_chat_menu_button,
            "getChatMenuButton": self._m_get_chat_menu_button,
            "setMyDescription": lambda p, f: self._set_text_prop(p, "description", 512),
            "getMyDescription": lambda p, f: self._get_text_prop(p, "description"),
            "setMyShortDescription": lambda p, f: self._set_text_prop(p, "short_description", 120),
            "getMyShortDescription": lambda p, f: self._get_text_prop(p, "short_description"),
            "setMyName": lambda p, f: self._set_text_prop(p, "name", 64),
            "getMyName": lambda p, f: self._get_text_prop(p, "name"),
            "sendMessage": self._m_send_message,
            "sendPhoto": self._m_send_photo,
            "sendDocument": lambda p, f: self._m_send_file(p, f, "document", "sendDocument"),
            "sendAudio": lambda p, f: self._m_send_file(p, f, "audio", "sendAudio"),
            "sendVideo": lambda p, f: self._m_send_file(p, f, "video", "sendVideo"),
            "sendAnimation": lambda p, f: self._m_send_file(p, f, "animation", "sendAnimation"),
            "sendVoice": lambda p, f: self._m_send_file(p, f, "voice", "sendVoice"),
            "sendVideoNote": lambda p, f: self._m_send_file(p, f, "video_note", "sendVideoNote"),
            "sendSticker": lambda p, f: self._m_send_file(p, f, "sticker", "sendSticker"),
            "sendLocation": self._m_send_location,
            "sendMediaGroup": self._m_send_media_group,
            "sendChatAction": self._m_send_chat_action,
            "copyMessage": lambda p, f: self._m_copy(p, forward=False),
            "forwardMessage": lambda p, f: self._m_copy(p, forward=True),
            "editMessageText": self._m_edit_text,
            "editMessageCaption": self._m_edit_caption,
            "editMessageReplyMarkup": self._m_edit_markup,
            "editMessageMedia": self._m_edit_media,
            "deleteMessage": self._m_delete_message,
            "deleteMessages": self._m_delete_messages,
            "answerCallbackQuery": self._m_answer_callback,
            "getFile": self._m_get_file,
            "getChat": self._m_get_chat,
            "getChatMember": self._m_get_chat_member,
            "setMessageReaction": self._m_message_exists_ok,
            "pinChatMessage": self._m_message_exists_ok,
            "unpinChatMessage": lambda p, f: bool(self._target_chat(p)),
            "unpinAllChatMessages": lambda p, f: bool(self._target_chat(p)),
        }
        return {name.lower(): _MethodSpec(name, fn) for name, fn in table.items()}

    @property
    def method_names(self) -> list[str]:
        return sorted(spec.name for spec in self._methods.values())

    def _m_get_me(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.config.group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_get_updates(self, p: dict[str, Any], f: dict[str, Upload]) -> list:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = p.get("offset")
        limit = p.get("limit") or 100
        limit = min(100, max(1, int(limit)))
        timeout = float(p.get("timeout") or 0)
        if p.get("allowed_updates") is not None:
            au = p["allowed_updates"]
            if not isinstance(au, list):
                raise ApiError(400, "Bad Request: can't parse allowed_updates JSON object")
            self.allowed_updates = frozenset(au) if au else None
        self._poll_generation += 1
        gen = self._poll_generation
        self._notify_updates()  # terminates an older long poll with 409
        self._confirm(offset)
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            if gen != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            if self.pending or self.forced or self.closing:
                return self._take(limit)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            if self._updates_event is None:
                self._updates_event = asyncio.Event()
            ev = self._updates_event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ev.wait(), remaining)

    # ----- webhook

    def _m_set_webhook(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        url = p.get("url") or ""
        if not url:
            return self._m_delete_webhook(p, f)
        m = re.match(r"^(https?)://([^/:]+|\[[^\]]+\])(?::(\d+))?(/.*)?$", url, re.I)
        if not m:
            raise ApiError(400, "Bad Request: bad webhook: Wrong HTTP URL specified")
        scheme, host = m.group(1).lower(), m.group(2).lower()
        local = host in ("127.0.0.1", "localhost", "[::1]")
        if scheme != "https" and not local:
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if p.get("drop_pending_updates"):
            self.pending.clear()
            self.forced.clear()
        if p.get("allowed_updates") is not None:
            au = p["allowed_updates"]
            self.allowed_updates = frozenset(au) if au else None
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": int(p.get("max_connections") or 40),
            "last_error_date": None,
            "last_error_message": None,
        }
        self._poll_generation += 1
        self._notify_updates()
        self._start_webhook()
        return True

    def _m_delete_webhook(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        self._stop_webhook()
        self.webhook = None
        if p.get("drop_pending_updates"):
            self.pending.clear()
            self.forced.clear()
        return True

    def _m_get_webhook_info(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": self.pending_count(),
        }
        if self.webhook:
            info["url"] = self.webhook["url"]
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook["last_error_date"]:
                info["last_error_date"] = self.webhook["last_error_date"]
                info["last_error_message"] = self.webhook["last_error_message"]
            if self.allowed_updates:
                info["allowed_updates"] = sorted(self.allowed_updates)
        return info

    def _start_webhook(self) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._webhook_loop())

    def _stop_webhook(self) -> None:
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None

    async def _webhook_loop(self) -> None:
        """Deliver pending updates to the webhook like Telegram: up to `max_connections`
        requests in flight, but one user's updates one at a time and in order (the next is
        posted only after the previous was answered 2xx); a failed delivery is posted again
        after 0.5 s."""
        import aiohttp  # local: the model itself doesn't need aiohttp

        in_flight: dict[int, asyncio.Task[None]] = {}  # update_id -> its delivery
        busy: set[Any] = set()  # users with a delivery in flight

        def finished(uid: int, who: Any) -> None:
            in_flight.pop(uid, None)
            busy.discard(who)
            self._notify_updates()  # a slot (and that user's next update) is free

        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            try:
                while self.webhook is not None and not self.closing:
                    hook = self.webhook
                    room = max(1, int(hook["max_connections"])) - len(in_flight)
                    for upd in self._webhook_candidates(busy, in_flight) if room > 0 else ():
                        who = _update_sender(upd)
                        busy.add(who)
                        task = asyncio.get_running_loop().create_task(
                            self._post_update(session, hook, upd)
                        )
                        in_flight[upd["update_id"]] = task
                        task.add_done_callback(
                            lambda _t, uid=upd["update_id"], who=who: finished(uid, who)
                        )
                        room -= 1
                        if room <= 0:
                            break
                    if self._updates_event is None:
                        self._updates_event = asyncio.Event()
                    ev = self._updates_event
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(ev.wait(), 1.0)
            finally:
                for task in in_flight.values():
                    task.cancel()
                await asyncio.gather(*in_flight.values(), return_exceptions=True)

    def _webhook_candidates(
        self, busy: set[Any], in_flight: dict[int, Any]
    ) -> list[dict[str, Any]]:
        """Each user's oldest undelivered update, unless one of theirs is in flight."""
        seen: set[Any] = set()
        out = []
        for upd in itertools.chain(list(self.forced), list(self.pending)):
            who = _update_sender(upd)
            if who in seen:
                continue
            seen.add(who)
            if who not in busy and upd["update_id"] not in in_flight:
                out.append(upd)
        return out

    async def _post_update(self, session: Any, hook: dict[str, Any], upd: dict[str, Any]) -> None:
        import aiohttp

        headers = {}
        if hook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        try:
            async with session.post(
                hook["url"],
                json=upd,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=30),
            ) as resp:
                body = await resp.read()
                ok = 200 <= resp.status < 300
                reason = f"Wrong response from the webhook: {resp.status} {resp.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            ok, body, reason = False, b"", f"Connection failed: {exc}"
        if not ok:
            hook["last_error_date"] = int(time.time())
            hook["last_error_message"] = reason
            await asyncio.sleep(0.5)  # that user's updates wait; posted again afterwards
            return
        if upd in self.forced:
            self.forced.remove(upd)
        else:
            with contextlib.suppress(ValueError):
                self.pending.remove(upd)
        self.updates_delivered += 1
        try:
            reply = json.loads(body) if body else None
        except ValueError:
            reply = None
        if isinstance(reply, dict) and isinstance(reply.get("method"), str):
            params = {k: v for k, v in reply.items() if k != "method"}
            await self.handle(reply["method"], params, {})

    # ----- commands, menu, descriptions

    @staticmethod
    def _scope_key(scope: Any) -> tuple[str, dict[str, Any]]:
        if scope is None:
            scope = {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        if scope["type"] in ("chat", "chat_administrators", "chat_member") and scope.get(
            "chat_id"
        ) in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        if scope["type"] == "chat_member" and scope.get("user_id") in (None, ""):
            raise ApiError(400, "Bad Request: user_id is empty")
        return json.dumps(scope, sort_keys=True), scope

    @staticmethod
    def _lang(p: dict[str, Any]) -> str:
        lang = p.get("language_code") or ""
        if lang and not re.fullmatch(r"[a-z]{2}", str(lang)):
            raise ApiError(400, "Bad Request: invalid language code specified")
        return str(lang)

    def _m_set_my_commands(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        cmds = p.get("commands")
        if not isinstance(cmds, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(cmds) > 100:
            raise ApiError(400, "Bad Request: too many commands specified")
        clean = []
        for c in cmds:
            if not isinstance(c, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            command = c.get("command")
            desc = c.get("description")
            if not isinstance(command, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(desc, str) or not 1 <= len(desc.strip()) or len(desc) > 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": command, "description": desc})
        key, scope = self._scope_key(p.get("scope"))
        lang = self._lang(p)
        if not clean:
            self.commands.pop((key, lang), None)
        else:
            self.commands[(key, lang)] = {"scope": scope, "language_code": lang, "commands": clean}
        return True

    def _m_get_my_commands(self, p: dict[str, Any], f: dict[str, Upload]) -> list[dict]:
        key, _ = self._scope_key(p.get("scope"))
        rec = self.commands.get((key, self._lang(p)))
        return list(rec["commands"]) if rec else []

    def _m_delete_my_commands(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        key, _ = self._scope_key(p.get("scope"))
        self.commands.pop((key, self._lang(p)), None)
        return True

    def _m_set_chat_menu_button(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        mb = p.get("menu_button") or {"type": "default"}
        if not isinstance(mb, dict) or mb.get("type") not in ("default", "commands", "web_app"):
            raise ApiError(400, "Bad Request: can't parse menu button JSON object")
        if mb["type"] == "web_app" and (not mb.get("text") or not mb.get("web_app")):
            raise ApiError(400, "Bad Request: can't parse menu button JSON object")
        if p.get("chat_id") is not None:
            self._target_chat(p, write=False).menu_button = mb
        else:
            self.default_menu_button = mb
        return True

    def _m_get_chat_menu_button(self, p: dict[str, Any], f: dict[str, Upload]) -> dict:
        if p.get("chat_id") is not None:
            chat = self._target_chat(p, write=False)
            if chat.menu_button is not None:
                return chat.menu_button
        return self.default_menu_button

    def _set_text_prop(self, p: dict[str, Any], prop: str, limit: int) -> bool:
        value = p.get(prop) or ""
        if len(str(value)) > limit:
            raise ApiError(400, f"Bad Request: {prop.replace('_', ' ')} is too long")
        lang = self._lang(p)
        if value:
            self.descriptions[(prop, lang)] = str(value)
        else:
            self.descriptions.pop((prop, lang), None)
        return True

    def _get_text_prop(self, p: dict[str, Any], prop: str) -> dict[str, str]:
        lang = self._lang(p)
        value = self.descriptions.get((prop, lang))
        if value is None:
            value = self.descriptions.get((prop, ""), self.bot_name if prop == "name" else "")
        return {prop: value}

    # ----- sending

    def _m_send_message(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        chat = self._target_chat(p)
        text, ents = self._format(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = self._validate_markup(p.get("reply_markup"), chat)
        reply_to = self._reply_to(chat, p)
        msg = self._bot_msg(chat, "text")
        msg.text = text
        msg.entities = ents
        return self._store_bot_message(chat, msg, markup, reply_to, "sendMessage").to_api()

    def _caption(self, p: dict[str, Any], msg: Msg) -> None:
        msg.caption, msg.caption_entities = self._format(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
        )

    def _m_send_photo(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        chat = self._target_chat(p)
        src = self._input_file(p, f, "photo")
        msg = self._bot_msg(chat, "photo")
        self._caption(p, msg)
        markup = self._validate_markup(p.get("reply_markup"), chat)
        reply_to = self._reply_to(chat, p)
        msg.content["photo"] = self._photo_content(src)
        if p.get("has_spoiler"):
            msg.content["has_media_spoiler"] = True
        return self._store_bot_message(chat, msg, markup, reply_to, "sendPhoto").to_api()

    def _m_send_file(
        self, p: dict[str, Any], f: dict[str, Upload], kind: str, method: str
    ) -> dict[str, Any]:
        chat = self._target_chat(p)
        src = self._input_file(p, f, kind)
        msg = self._bot_msg(chat, kind)
        if kind not in ("sticker", "video_note"):
            self._caption(p, msg)
        markup = self._validate_markup(p.get("reply_markup"), chat)
        reply_to = self._reply_to(chat, p)
        msg.content[kind] = self._file_content(kind, src, p)
        return self._store_bot_message(chat, msg, markup, reply_to, method).to_api()

    def _m_send_location(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        chat = self._target_chat(p)
        lat, lon = p.get("latitude"), p.get("longitude")
        if not isinstance(lat, float | int) or not isinstance(lon, float | int):
            raise ApiError(400, "Bad Request: wrong latitude or longitude specified")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ApiError(400, "Bad Request: wrong latitude or longitude specified")
        markup = self._validate_markup(p.get("reply_markup"), chat)
        reply_to = self._reply_to(chat, p)
        msg = self._bot_msg(chat, "location")
        msg.content["location"] = {"latitude": float(lat), "longitude": float(lon)}
        return self._store_bot_message(chat, msg, markup, reply_to, "sendLocation").to_api()

    def _m_send_media_group(self, p: dict[str, Any], f: dict[str, Upload]) -> list[dict]:
        chat = self._target_chat(p)
        media = p.get("media")
        if not isinstance(media, list):
            raise ApiError(400, "Bad Request: can't parse media JSON object")
        if len(media) < 2:
            raise ApiError(400, "Bad Request: media group must contain at least 2 items")
        if len(media) > 10:
            raise ApiError(400, "Bad Request: too many messages to send as an album")
        types = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in (
                "photo",
                "video",
                "document",
                "audio",
            ):
                raise ApiError(400, "Bad Request: can't parse InputMedia JSON object")
            types.append(item["type"])
        for solo in ("document", "audio"):
            if solo in types and any(t != solo for t in types):
                raise ApiError(400, f"Bad Request: {solo} can't be mixed with other media types")
        reply_to = self._reply_to(chat, p)
        prepared = []
        for item in media:
            src = self._input_file({}, f, item["type"], ref=item.get("media"))
            msg = self._bot_msg(chat, item["type"])
            self._caption(item, msg)
            if item["type"] == "photo":
                msg.content["photo"] = self._photo_content(src)
            else:
                msg.content[item["type"]] = self._file_content(item["type"], src, item)
            prepared.append(msg)
        group_id = str(next(self._media_groups))
        out = []
        for msg in prepared:
            msg.media_group_id = group_id
            out.append(
                self._store_bot_message(chat, msg, None, reply_to, "sendMediaGroup").to_api()
            )
        return out

    def _m_send_chat_action(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        chat = self._target_chat(p)
        action = p.get("action")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        chat.action = {"action": action, "until": time.time() + 5}
        self._bump(chat)
        return True

    def _m_copy(self, p: dict[str, Any], *, forward: bool) -> dict[str, Any]:
        what = "forward" if forward else "copy"
        chat = self._target_chat(p)
        src_chat = self._target_chat(p, "from_chat_id", write=False)
        mid = p.get("message_id")
        src = src_chat.messages.get(mid) if isinstance(mid, int) else None
        if src is None or src.deleted:
            raise ApiError(400, f"Bad Request: message to {what} not found")
        if src.kind == "poll" and not forward:
            raise ApiError(400, "Bad Request: message can't be copied")
        msg = self._bot_msg(chat, src.kind)
        msg.text = src.text
        msg.entities = list(src.entities)
        msg.content = dict(src.content)
        msg.caption, msg.caption_entities = src.caption, list(src.caption_entities)
        markup = None
        reply_to = None
        if forward:
            origin_user = src.from_user
            msg.forward_origin = {"type": "user", "sender_user": origin_user, "date": src.date}
        else:
            if "caption" in p and msg.has_media:
                self._caption(p, msg)
            markup = self._validate_markup(p.get("reply_markup"), chat)
            reply_to = self._reply_to(chat, p)
        stored = self._store_bot_message(
            chat, msg, markup, reply_to, "forwardMessage" if forward else "copyMessage"
        )
        return stored.to_api() if forward else {"message_id": stored.message_id}

    # ----- editing

    def _edit_target(self, p: dict[str, Any], what: str = "edit") -> Msg:
        if p.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._target_chat(p)
        mid = p.get("message_id")
        if mid is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        msg = chat.messages.get(mid)
        if msg is None or msg.deleted:
            raise ApiError(400, f"Bad Request: message to {what} not found")
        return msg

    def _finish_edit(self, msg: Msg, markup: dict[str, Any] | None) -> dict[str, Any]:
        if markup is not None:
            msg.reply_markup = markup
        elif msg.inline_markup is not None:
            msg.reply_markup = None
        msg.edit_date = int(time.time())
        self._touch(msg)
        return msg.to_api()

    def _edit_markup_arg(self, p: dict[str, Any], msg: Msg) -> dict[str, Any] | None:
        markup = self._validate_markup(p.get("reply_markup"), msg.chat)
        if markup is not None and "inline_keyboard" not in markup:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        return markup

    def _m_edit_text(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        msg = self._edit_target(p)
        if msg.sender != "bot":
            raise ApiError(400, "Bad Request: message can't be edited")
        if msg.text is None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, ents = self._format(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = self._edit_markup_arg(p, msg)
        if text == msg.text and ents == msg.entities and markup == msg.inline_markup:
            raise ApiError(400, NOT_MODIFIED)
        msg.text, msg.entities = text, ents
        return self._finish_edit(msg, markup)

    def _m_edit_caption(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        msg = self._edit_target(p)
        if msg.sender != "bot":
            raise ApiError(400, "Bad Request: message can't be edited")
        if not msg.has_media:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        cap, ents = self._format(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
        )
        markup = self._edit_markup_arg(p, msg)
        if cap == msg.caption and ents == msg.caption_entities and markup == msg.inline_markup:
            raise ApiError(400, NOT_MODIFIED)
        msg.caption, msg.caption_entities = cap, ents
        return self._finish_edit(msg, markup)

    def _m_edit_markup(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        msg = self._edit_target(p)
        if msg.sender != "bot":
            raise ApiError(400, "Bad Request: message can't be edited")
        markup = self._edit_markup_arg(p, msg)
        if markup == msg.inline_markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._finish_edit(msg, markup)

    def _m_edit_media(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        msg = self._edit_target(p)
        if msg.sender != "bot":
            raise ApiError(400, "Bad Request: message can't be edited")
        if not msg.has_media:
            raise ApiError(400, "Bad Request: there is no media in the message to edit")
        item = p.get("media")
        if not isinstance(item, dict) or item.get("type") not in (
            "photo",
            "video",
            "document",
            "audio",
            "animation",
        ):
            raise ApiError(400, "Bad Request: can't parse InputMedia JSON object")
        kind = item["type"]
        src = self._input_file({}, f, kind, ref=item.get("media"))
        markup = self._edit_markup_arg(p, msg)
        cap, ents = self._format(
            item.get("caption"), item.get("parse_mode"), item.get("caption_entities"), caption=True
        )
        content = (
            {"photo": self._photo_content(src)}
            if kind == "photo"
            else {kind: self._file_content(kind, src, item)}
        )
        if (
            content == msg.content
            and cap == msg.caption
            and ents == msg.caption_entities
            and markup == msg.inline_markup
        ):
            raise ApiError(400, NOT_MODIFIED)
        msg.kind = kind
        msg.content = content
        msg.caption, msg.caption_entities = cap, ents
        return self._finish_edit(msg, markup)

    def _m_delete_message(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        msg = self._edit_target(p, "delete")
        msg.deleted = True
        self._touch(msg)
        return True

    def _m_delete_messages(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        chat = self._target_chat(p)
        ids = p.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message_ids must contain 1-100 identifiers")
        for mid in ids:
            msg = chat.messages.get(int(mid))
            if msg is not None and not msg.deleted:
                msg.deleted = True
                self._touch(msg)
        return True

    def _m_message_exists_ok(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        chat = self._target_chat(p)
        msg = chat.messages.get(p.get("message_id"))
        if msg is None or msg.deleted:
            raise ApiError(400, "Bad Request: message not found")
        return True

    # ----- callbacks, files, chats

    def _m_answer_callback(self, p: dict[str, Any], f: dict[str, Upload]) -> bool:
        qid = str(p.get("callback_query_id") or "")
        rec = self.callbacks.get(qid)
        if rec is None or rec["answered"]:
            raise ApiError(400, QUERY_TOO_OLD)
        text = p.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        rec["answered"] = True
        chat = self.chats.get(rec["chat_id"])
        if chat is not None and qid in chat.answers:
            ans = chat.answers[qid]
            ans.update(
                answered=True,
                text=text,
                show_alert=bool(p.get("show_alert", False)),
                url=p.get("url"),
                cache_time=p.get("cache_time"),
                seq=self._bump(chat),
            )
            chat.answers.move_to_end(qid)
        return True

    def _m_get_file(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        fid = p.get("file_id")
        sf = self.files.get(str(fid or "").strip())
        if sf is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if sf.size > 20 * 1024 * 1024:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": sf.file_id,
            "file_unique_id": sf.file_unique_id,
            "file_size": sf.size,
            "file_path": sf.file_path,
        }

    def _m_get_chat(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        chat = self._target_chat(p, write=False)
        d = chat.to_api()
        d.update(
            accent_color_id=(abs(chat.id) % 7),
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return d

    def _m_get_chat_member(self, p: dict[str, Any], f: dict[str, Upload]) -> dict[str, Any]:
        chat = self._target_chat(p, write=False)
        uid = p.get("user_id")
        if uid == self.bot_id:
            return {"user": self.bot_user, "status": "member"}
        user = self.users.get(uid) if isinstance(uid, int) else None
        if user is None or (chat.type == "private" and chat.id != uid):
            raise ApiError(400, "Bad Request: user not found")
        return {"user": user.to_api(), "status": "member"}


def _update_sender(upd: dict[str, Any]) -> Any:
    """Whose update this is (the sender, else the chat), for per-user delivery order."""
    for kind, obj in upd.items():
        if kind != "update_id" and isinstance(obj, dict):
            who = obj.get("from") or obj.get("user") or obj.get("chat")
            if isinstance(who, dict) and "id" in who:
                return who["id"]
    return None
