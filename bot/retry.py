"""Retries for the Bot API calls the bot makes while handling an update (replies, edits, button
answers), and what happens to the update when they run out.

`RetryingRequest` wraps the transport (`bot/transport.py`) as a `telegram.request.BaseRequest`.
While an update is being handled (`active()` is true) each call is tried up to
`RetryPolicy.attempts` times within `RetryPolicy.budget` seconds, waits included (uploads and
file downloads: `transfer_budget`, with no shorter limit per try):

- retried: a dropped or refused connection, a time-out (a try of a plain call gets at most
  `attempt_timeout` seconds), HTTP 5xx, and 429 whose `retry_after` still fits in the budget
  (honoured exactly; exponential backoff with jitter otherwise);
- not retried: any other 4xx (a bad request stays bad), and 429 asking for longer than the
  budget has left. The last answer then goes to PTB, which raises its usual exception;
- an edit answered "message is not modified" succeeded: the message already shows it (an
  earlier attempt, or an earlier delivery of the same update, did it). The call returns True.

Not retried here: calls outside an update (the outbox and getUpdates have their own backoff,
and the poller has its own request object), so nothing is retried twice over.

A retried `sendMessage` can arrive twice: after a time-out or a lost response Telegram may have
sent it already, and the Bot API has no idempotency key. A duplicate answer is better than a
lost one; what must never double is a record, and records commit in the update's transaction
only after every reply of the handler has gone out.

When the retries run out, `handlers/errors.py` rolls the update back and raises `Redeliver`
(at most `RedeliveryBudget.limit` times per update): the poller leaves the update
unacknowledged and fetches it again, webhook mode answers 500 so Telegram sends it again.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import random
import time
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram._utils.types import ODVInput
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = [
    "Redeliver",
    "RedeliveryBudget",
    "RetryPolicy",
    "RetryingRequest",
    "is_transient",
    "retry_after_seconds",
]

log = logging.getLogger(__name__)

_NOT_MODIFIED = "message is not modified"
_DONE = b'{"ok":true,"result":true}'


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # tries of one call in all
    budget: float = 10.0  # seconds for all tries of a call without files, waits included
    transfer_budget: float = 60.0  # the same for uploads and file downloads (photos, documents)
    attempt_timeout: float = 5.0  # one try of any other call (Telegram answers in < 1 s)
    base_delay: float = 0.25  # backoff: base_delay * 2**(retry - 1), ± 25 %, at most max_delay
    max_delay: float = 2.0

    def backoff(self, retry: int, rng: random.Random) -> float:
        delay = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return delay * rng.uniform(0.75, 1.25)


class RetryingRequest(BaseRequest):
    """A `BaseRequest` that retries transient failures of `inner` (see the module docstring)."""

    __slots__ = ("_active", "_clock", "_rng", "_sleep", "inner", "policy")

    def __init__(
        self,
        inner: BaseRequest,
        policy: RetryPolicy | None = None,
        *,
        active: Callable[[], bool] = lambda: True,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.inner = inner
        self.policy = policy or RetryPolicy()
        self._active, self._sleep, self._clock = active, sleep, clock
        self._rng = rng or random.Random()

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

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
        call = functools.partial(
            self.inner.do_request,
            url,
            method,
            request_data,
            read_timeout,
            write_timeout,
            connect_timeout,
            pool_timeout,
        )
        if not self._active():
            return await call()
        api_method = url.rsplit("/", 1)[-1]  # never log the URL: it holds the token
        policy = self.policy
        # Uploads and file downloads (GET) take as long as their size needs, within their budget.
        transfer = method == "GET" or (request_data is not None and request_data.contains_files)
        deadline = self._clock() + (policy.transfer_budget if transfer else policy.budget)
        tries = 0
        while True:
            tries += 1
            remaining = deadline - self._clock()
            seconds = remaining if transfer else min(policy.attempt_timeout, remaining)
            try:
                answer = _judge(api_method, *await _attempt(call, max(seconds, 0.001)))
            except BadRequest:
                raise
            except NetworkError as exc:  # refused, dropped, timed out (TimedOut is one)
                answer = _Transient(type(exc).__name__, error=exc)
            if not isinstance(answer, _Transient):
                return answer
            wait = answer.wait if answer.wait is not None else policy.backoff(tries, self._rng)
            if tries >= policy.attempts or self._clock() + wait >= deadline:
                log.warning(
                    "Bot API %s failed (%s); giving up after %d attempts",
                    api_method,
                    answer.reason,
                    tries,
                )
                if answer.error is not None:
                    raise answer.error
                assert answer.response is not None
                return answer.response  # PTB raises its usual exception for it
            log.info(
                "Bot API %s failed (%s); attempt %d in %.2f s",
                api_method,
                answer.reason,
                tries + 1,
                wait,
            )
            await self._sleep(wait)


@dataclass(frozen=True)
class _Transient:
    """A failed try worth another: why, what a 429 asked to wait, what to give up with."""

    reason: str
    wait: float | None = None  # None: exponential backoff
    response: tuple[int, bytes] | None = None
    error: Exception | None = None


async def _attempt(
    call: Callable[[], Awaitable[tuple[int, bytes]]], seconds: float
) -> tuple[int, bytes]:
    try:
        async with asyncio.timeout(seconds):
            return await call()
    except TimeoutError as exc:
        raise TimedOut(f"Timed out after {seconds:.1f} s") from exc


def _judge(api_method: str, code: int, payload: bytes) -> tuple[int, bytes] | _Transient:
    """The answer to hand to PTB, or why to try again."""
    if 200 <= code <= 299:
        return code, payload
    if code == 400 and api_method.startswith("editMessage"):
        if _NOT_MODIFIED in _description(payload).lower():
            return 200, _DONE  # the message already shows it
    if code == 429:
        wait = _parameter(payload, "retry_after")
        if wait is not None:
            return _Transient("HTTP 429", wait=wait, response=(code, payload))
    if code >= 500:
        return _Transient(f"HTTP {code}", response=(code, payload))
    return code, payload  # another 4xx: trying again cannot help


def _description(payload: bytes) -> str:
    try:
        body = json.loads(payload)
    except ValueError:
        return ""
    return str(body.get("description") or "") if isinstance(body, dict) else ""


def _parameter(payload: bytes, name: str) -> float | None:
    try:
        body = json.loads(payload)
        value = body["parameters"][name]
    except (ValueError, KeyError, TypeError):
        return None
    return float(value) if isinstance(value, int | float) else None


# --- when the retries ran out ----------------------------------------------------------------


def is_transient(error: BaseException | None) -> bool:
    """A failure that may pass by itself: the network, a time-out, 5xx, or 429."""
    if isinstance(error, RetryAfter):
        return True
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def retry_after_seconds(error: BaseException | None) -> float:
    """What a 429 asked to wait (0 for any other failure)."""
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that the type will become a timedelta
            warnings.simplefilter("ignore")
            value = error.retry_after
        total = getattr(value, "total_seconds", None)
        return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]
    return 0.0


class Redeliver(TelegramError):
    """Raised out of `Application.process_update` when an update failed on a transient Bot API
    error and was rolled back: it is to be handled again (not acknowledged, or HTTP 500)."""

    def __init__(self, update_id: int, wait: float = 0.0) -> None:
        super().__init__(f"update {update_id} is to be delivered again")
        self.update_id, self.wait = update_id, wait


class RedeliveryBudget:
    """How many times one update may be handed back for redelivery (a poisoned update, one
    whose reply fails every time, must end). Kept in memory for the newest `size` ids."""

    def __init__(self, limit: int = 3, size: int = 1024) -> None:
        self.limit, self.size = limit, size
        self._counts: OrderedDict[int, int] = OrderedDict()

    def take(self, update_id: int) -> bool:
        """Count one redelivery of `update_id`; False once its budget is spent."""
        count = self._counts.pop(update_id, 0) + 1
        self._counts[update_id] = count
        while len(self._counts) > self.size:
            self._counts.popitem(last=False)
        return count <= self.limit
