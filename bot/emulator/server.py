"""HTTP face of the emulator: the Bot API (``/bot{token}/{method}``, ``/file/bot{token}/...``),
the ``/_emu/...`` control routes used by tests and the demo page, and the page itself.

    async with EmulatorServer("123:ABC") as emu:
        app = Application.builder().token("123:ABC").base_url(f"{emu.url}/bot") ...
"""

from __future__ import annotations

import json
import logging
import mimetypes
from pathlib import Path
from typing import Any

from aiohttp import web

from .core import ApiError, ControlError, Emulator, EmulatorConfig, Outcome, Upload

__all__ = ["Emulator", "EmulatorConfig", "EmulatorServer", "create_app"]

STATIC_DIR = Path(__file__).with_name("static")
EMULATOR_KEY = web.AppKey("emulator", Emulator)
_log = logging.getLogger(__name__)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=_dumps(data).encode("utf-8"),
        status=status,
        content_type="application/json",
        charset="utf-8",
    )


def _outcome_response(out: Outcome) -> web.Response:
    if out.raw is not None:
        return web.Response(body=out.raw, status=out.status, content_type=out.content_type)
    return _json(out.body, out.status)


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Query string + body (JSON, form-urlencoded or multipart) -> (params, files)."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if not request.body_exists:
        return params, files
    ctype = request.content_type
    if ctype == "application/json":
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError as exc:
                raise ApiError(400, "Bad Request: can't parse JSON object") from exc
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: can't parse JSON object")
            params.update(body)
    elif ctype == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if part is None or part.name is None:
                continue
            if part.filename is not None:
                data = await part.read(decode=False)
                ptype = part.headers.get("Content-Type")
                files[part.name] = Upload(bytes(data), part.filename, ptype)
            else:
                params[part.name] = await part.text()
    else:
        form = await request.post()
        for k, v in form.items():
            if isinstance(v, str):
                params[k] = v
            else:  # a FileField in an odd content type
                files[k] = Upload(v.file.read(), v.filename, v.content_type)
    return params, files


# --------------------------------------------------------------------------- Bot API routes


async def bot_api(request: web.Request) -> web.StreamResponse:
    emu = request.app[EMULATOR_KEY]
    if request.match_info["token"] != emu.token:
        return _json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
    method = request.match_info["method"]
    try:
        params, files = await _read_params(request)
    except ApiError as exc:
        return _json(
            {"ok": False, "error_code": exc.code, "description": exc.description}, exc.code
        )
    out = await emu.handle(method, params, files)
    if out.drop:
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise web.HTTPServiceUnavailable()  # never reaches the client: the socket is gone
    return _outcome_response(out)


async def bot_no_method(request: web.Request) -> web.Response:
    emu = request.app[EMULATOR_KEY]
    if request.match_info["token"] != emu.token:
        return _json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
    return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)


async def bot_file(request: web.Request) -> web.Response:
    emu = request.app[EMULATOR_KEY]
    if request.match_info["token"] != emu.token:
        return _json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
    sf = emu.files.by_path.get(request.match_info["path"])
    if sf is None:
        return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
    return web.Response(body=sf.data, content_type=sf.mime_type)


# --------------------------------------------------------------------------- control routes


def _control(handler):
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request, request.app[EMULATOR_KEY])
        except ControlError as exc:
            return _json({"ok": False, "error": str(exc)}, exc.status)

    wrapped.__name__ = handler.__name__
    return wrapped


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise ControlError("body must be JSON") from exc
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


async def _payload(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    if request.content_type == "multipart/form-data":
        payload: dict[str, Any] = {}
        files: dict[str, Upload] = {}
        reader = await request.multipart()
        async for part in reader:
            if part is None or part.name is None:
                continue
            if part.filename is not None:
                data = await part.read(decode=False)
                files[part.name] = Upload(
                    bytes(data), part.filename, part.headers.get("Content-Type")
                )
            else:
                payload[part.name] = await part.text()
        return payload, files
    return await _body(request), {}


def _int_arg(request: web.Request, name: str, default: int | float = 0) -> float:
    value = request.query.get(name)
    if value in (None, ""):
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ControlError(f"{name} must be a number") from exc


_USER_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "username",
    "language_code",
    "phone_number",
    "started",
)


@_control
async def c_create_user(request: web.Request, emu: Emulator) -> web.Response:
    body = await _body(request)
    return _json(emu.create_user(**{k: body[k] for k in _USER_FIELDS if k in body}))


@_control
async def c_list_users(request: web.Request, emu: Emulator) -> web.Response:
    return _json(emu.list_users())


@_control
async def c_get_user(request: web.Request, emu: Emulator) -> web.Response:
    return _json(emu.user_info(emu._user(request.match_info["uid"])))


@_control
async def c_user_message(request: web.Request, emu: Emulator) -> web.Response:
    payload, files = await _payload(request)
    return _json(emu.user_send(request.match_info["uid"], payload, files))


@_control
async def c_user_callback(request: web.Request, emu: Emulator) -> web.Response:
    body = await _body(request)
    if "message_id" not in body:
        raise ControlError("message_id is required")
    return _json(emu.user_callback(request.match_info["uid"], body["message_id"], body.get("data")))


@_control
async def c_user_chat(request: web.Request, emu: Emulator) -> web.Response:
    uid = request.match_info["uid"]
    user = emu._user(uid)
    after = int(_int_arg(request, "after"))
    wait = min(60.0, _int_arg(request, "wait"))
    return _json(await emu.wait_transcript(user.id, after, wait))


@_control
async def c_user_block(request: web.Request, emu: Emulator) -> web.Response:
    body = await _body(request)
    return _json(emu.set_blocked(request.match_info["uid"], body.get("blocked", True)))


@_control
async def c_file(request: web.Request, emu: Emulator) -> web.Response:
    sf = emu.file_bytes(request.match_info["file_id"])
    headers = {"Cache-Control": "max-age=3600"}
    if sf.file_name:
        safe = sf.file_name.replace('"', "")
        headers["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(safe)}"
    return web.Response(body=sf.data, content_type=sf.mime_type, headers=headers)


def _quote(s: str) -> str:
    from urllib.parse import quote

    return quote(s, safe="")


@_control
async def c_create_group(request: web.Request, emu: Emulator) -> web.Response:
    body = await _body(request)
    return _json(
        emu.create_group(id=body.get("id"), title=body.get("title"), type=body.get("type"))
    )


@_control
async def c_list_groups(request: web.Request, emu: Emulator) -> web.Response:
    return _json([c.to_api() for c in emu.chats.values() if c.type != "private"])


@_control
async def c_group_message(request: web.Request, emu: Emulator) -> web.Response:
    payload, files = await _payload(request)
    from_uid = payload.pop("from", None)
    if from_uid is None:
        raise ControlError('"from" (a user id) is required')
    return _json(emu.group_send(request.match_info["chat_id"], from_uid, payload, files))


@_control
async def c_group_callback(request: web.Request, emu: Emulator) -> web.Response:
    body = await _body(request)
    if "message_id" not in body or "from" not in body:
        raise ControlError('"from" and "message_id" are required')
    return _json(
        emu.user_callback(
            body["from"],
            body["message_id"],
            body.get("data"),
            chat_id=request.match_info["chat_id"],
        )
    )


@_control
async def c_channel_post(request: web.Request, emu: Emulator) -> web.Response:
    return _json(emu.channel_post(request.match_info["chat_id"], await _body(request)))


@_control
async def c_group_chat(request: web.Request, emu: Emulator) -> web.Response:
    chat = emu._group(request.match_info["chat_id"])
    after = int(_int_arg(request, "after"))
    wait = min(60.0, _int_arg(request, "wait"))
    return _json(await emu.wait_transcript(chat.id, after, wait))


@_control
async def c_calls(request: web.Request, emu: Emulator) -> web.Response:
    since = int(_int_arg(request, "since"))
    return _json(emu.calls(request.query.get("method") or None, since))


@_control
async def c_commands(request: web.Request, emu: Emulator) -> web.Response:
    return _json(emu.commands_registry())


@_control
async def c_redeliver(request: web.Request, emu: Emulator) -> web.Response:
    try:
        update_id = int(request.match_info["update_id"])
    except ValueError as exc:
        raise ControlError("update_id must be an integer") from exc
    return _json(emu.redeliver(update_id))


@_control
async def c_pending(request: web.Request, emu: Emulator) -> web.Response:
    return _json({"pending": emu.pending_count()})


@_control
async def c_config(request: web.Request, emu: Emulator) -> web.Response:
    if request.method == "GET":
        return _json(emu.configure())
    return _json(emu.configure(**(await _body(request))))


@_control
async def c_stats(request: web.Request, emu: Emulator) -> web.Response:
    return _json(emu.stats())


@_control
async def c_reset(request: web.Request, emu: Emulator) -> web.Response:
    emu.reset()
    return _json({"ok": True})


@_control
async def c_info(request: web.Request, emu: Emulator) -> web.Response:
    lang = request.query.get("lang") or ""
    try:
        name = emu._get_text_prop({"language_code": lang}, "name")["name"]
    except ApiError:
        name = emu.bot_name
    return _json({"bot": emu.bot_user, "name": name, "methods": emu.method_names})


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


# --------------------------------------------------------------------------- app, server


def create_app(emulator: Emulator) -> web.Application:
    """The aiohttp application serving ``emulator`` (Bot API + control routes + page)."""
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[EMULATOR_KEY] = emulator
    r = app.router
    r.add_route("*", "/bot{token}/{method}", bot_api)
    r.add_route("*", "/bot{token}/", bot_no_method)
    r.add_route("GET", "/file/bot{token}/{path:.+}", bot_file)
    r.add_post("/_emu/users", c_create_user)
    r.add_get("/_emu/users", c_list_users)
    r.add_get("/_emu/users/{uid}", c_get_user)
    r.add_post("/_emu/users/{uid}/messages", c_user_message)
    r.add_post("/_emu/users/{uid}/callback", c_user_callback)
    r.add_get("/_emu/users/{uid}/chat", c_user_chat)
    r.add_post("/_emu/users/{uid}/block", c_user_block)
    r.add_get("/_emu/files/{file_id}", c_file)
    r.add_post("/_emu/groups", c_create_group)
    r.add_get("/_emu/groups", c_list_groups)
    r.add_post("/_emu/groups/{chat_id}/messages", c_group_message)
    r.add_post("/_emu/groups/{chat_id}/callback", c_group_callback)
    r.add_get("/_emu/groups/{chat_id}/chat", c_group_chat)
    r.add_post("/_emu/channels/{chat_id}/posts", c_channel_post)
    r.add_get("/_emu/calls", c_calls)
    r.add_get("/_emu/commands", c_commands)
    r.add_post("/_emu/updates/{update_id}/redeliver", c_redeliver)
    r.add_get("/_emu/updates/pending", c_pending)
    r.add_route("*", "/_emu/config", c_config)
    r.add_get("/_emu/stats", c_stats)
    r.add_post("/_emu/reset", c_reset)
    r.add_get("/_emu/info", c_info)
    r.add_get("/", index)
    r.add_static("/static/", STATIC_DIR, append_version=False)

    async def _on_shutdown(app: web.Application) -> None:
        app[EMULATOR_KEY].close()

    app.on_shutdown.append(_on_shutdown)
    return app


mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/css", ".css")


class EmulatorServer:
    """Runs an :class:`Emulator` over real HTTP on loopback.

    ``async with EmulatorServer(token) as emu:`` -> ``emu.url`` ("http://127.0.0.1:PORT"),
    ``emu.api_root`` (the same; base for ``/bot`` and ``/file/bot``), ``emu.emulator``.
    """

    def __init__(
        self,
        token: str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        bot_username: str = "odop_saathi_bot",
        bot_name: str = "ODOP Saathi",
        emulator: Emulator | None = None,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.emulator = emulator or Emulator(token, bot_username=bot_username, bot_name=bot_name)
        self.app: web.Application | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_root(self) -> str:
        return self.url

    @property
    def base_url(self) -> str:
        """Value for PTB's ``base_url`` (``{url}/bot``)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for PTB's ``base_file_url`` (``{url}/file/bot``)."""
        return f"{self.url}/file/bot"

    async def start(self) -> EmulatorServer:
        self.emulator.closing = False
        self.app = create_app(self.emulator)
        self._runner = web.AppRunner(
            self.app, handle_signals=False, access_log=None, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        self.emulator.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> EmulatorServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
