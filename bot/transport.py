"""An aiohttp transport for python-telegram-bot: `AiohttpRequest`, a `telegram.request.BaseRequest`.

PTB's default `HTTPXRequest` costs several times as much per Bot API call: against the loopback
emulator one sendMessage took 3.9 ms with it and 0.8–1.4 ms with this class, 300 at once went
at 145–193/s and 760–920/s, and the whole bot needs ~16 % less CPU per update (bench/README.md).
It is a drop-in replacement:

    ApplicationBuilder().request(AiohttpRequest(...)).get_updates_request(AiohttpRequest(...))

Behaviour follows `HTTPXRequest`:
- one shared `aiohttp.ClientSession` per instance (created by `initialize`, or lazily on the
  first request; closed by `shutdown`) with a pool of `connection_pool_size` keep-alive
  connections;
- timeouts: `connect_timeout` for opening a connection, `read_timeout` between two reads of the
  response, `pool_timeout` to wait for a free connection (then `TimedOut` with "Pool timeout",
  the request not sent). aiohttp has no per-write timeout, so `write_timeout` (or
  `media_write_timeout` for uploads) bounds the request as part of one overall deadline of
  connect + write + read;
- errors: any timeout raises `telegram.error.TimedOut`, any other transport failure (refused,
  reset or dropped connection, a truncated body) `telegram.error.NetworkError`; HTTP statuses
  are left to `BaseRequest` as usual;
- bodies: parameters as one JSON object (`application/json`, which the Bot API accepts), or
  `multipart/form-data` through PTB's `RequestData` when files are uploaded;
- proxies: `proxy=`, or (like httpx) HTTP(S)_PROXY / ALL_PROXY / NO_PROXY from the environment,
  looked up only when one of them is set.

Request URLs contain the token: nothing here logs them (aiohttp's client does not log URLs).
"""

from __future__ import annotations

import asyncio
import urllib.request
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

_JSON_HEADERS = {"Content-Type": "application/json"}
_POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* sent "
    "to Telegram. Consider adjusting the connection pool size or the pool timeout."
)


class AiohttpRequest(BaseRequest):
    """`BaseRequest` over one pooled `aiohttp.ClientSession` (see the module docstring)."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool",
        "_pool_size",
        "_pool_timeout",
        "_proxy",
        "_read_timeout",
        "_session",
        "_trust_env",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        *,
        proxy: str | None = None,
        trust_env: bool = True,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._proxy = proxy
        # Like httpx, HTTP(S)_PROXY / ALL_PROXY / NO_PROXY from the environment are honoured
        # by default. aiohttp then looks them (and ~/.netrc) up again on every request, in two
        # worker-thread round trips: so only when the environment names a proxy at all.
        self._trust_env = trust_env and proxy is None and _environment_has_proxy()
        self._session: aiohttp.ClientSession | None = None
        self._pool: asyncio.Semaphore | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds the long-poll time to it for getUpdates)."""
        return self._read_timeout

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._pool_size, limit_per_host=self._pool_size, ttl_dns_cache=300
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.USER_AGENT},
            timeout=aiohttp.ClientTimeout(total=None),
            cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies
            trust_env=self._trust_env,
        )
        # Our own gate in front of the connector, so that waiting for a free connection has
        # its own timeout (the connector's would count it as connecting).
        self._pool = asyncio.Semaphore(self._pool_size)
        return self._session

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._open()

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None:
            session = self._open()  # first use without initialize(): inside the running loop
        elif session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        pool = self._pool
        assert pool is not None

        files = request_data is not None and request_data.contains_files
        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = self._pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if files else self._write_timeout

        body: Any = None
        headers = None
        if request_data is not None:
            if files:
                body = _form(request_data)
            else:
                body, headers = request_data.json_payload, _JSON_HEADERS

        if pool.locked():  # every connection busy: wait at most pool_timeout for one
            try:
                await asyncio.wait_for(pool.acquire(), pool_timeout)
            except TimeoutError as exc:
                raise TimedOut(message=_POOL_TIMEOUT_MESSAGE) from exc
        else:
            await pool.acquire()  # returns at once
        try:
            deadline = _sum(connect_timeout, write_timeout, read_timeout)
            async with asyncio.timeout(deadline):
                async with session.request(
                    method,
                    url,
                    data=body,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(
                        total=None, sock_connect=connect_timeout, sock_read=read_timeout
                    ),
                    proxy=self._proxy,
                    allow_redirects=False,
                ) as response:
                    return response.status, await response.read()
        except TimeoutError as exc:
            # asyncio's deadline, and aiohttp's ServerTimeoutError / ConnectionTimeoutError
            # (which are TimeoutErrors too).
            raise TimedOut(f"Timed out: {exc.__class__.__name__}") from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc
        except OSError as exc:
            raise NetworkError(f"{exc.__class__.__name__}: {exc}") from exc
        finally:
            pool.release()


def _environment_has_proxy() -> bool:
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


def _sum(*parts: float | None) -> float | None:
    """None (no deadline) as soon as one part is unlimited."""
    if any(p is None for p in parts):
        return None
    return float(sum(parts))  # type: ignore[arg-type]


def _form(request_data: RequestData) -> aiohttp.FormData:
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
