"""The retry policy for Bot API calls made while handling an update (bot/retry.py), against a
scripted transport and a fake clock: what is retried, how long it waits, when it gives up."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.retry import (
    RedeliveryBudget,
    RetryingRequest,
    RetryPolicy,
    is_transient,
    retry_after_seconds,
)

URL = "http://127.0.0.1:1/bot123:SECRET/sendMessage"
OK = (200, json.dumps({"ok": True, "result": True}).encode())


def error(code: int, description: str, **parameters: Any) -> tuple[int, bytes]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return code, json.dumps(body).encode()


BAD_GATEWAY = (502, b"<html><h1>502 Bad Gateway</h1></html>")


class Script(BaseRequest):
    """Answers each call with the next scripted step: a (status, body) or an exception to raise;
    "hang" waits until cancelled. Each call advances the fake clock by `cost` seconds."""

    def __init__(self, steps: list[Any], clock: list[float], cost: float = 0.0) -> None:
        self.steps, self.clock, self.cost = list(steps), clock, cost
        self.calls = 0

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url, method, request_data=None, *args: Any) -> tuple[int, bytes]:  # type: ignore[no-untyped-def, override]
        self.calls += 1
        self.clock[0] += self.cost
        step = self.steps.pop(0)
        if step == "hang":
            await asyncio.Event().wait()
        if step == "slow":  # longer than a tiny attempt_timeout, then fine
            await asyncio.sleep(0.05)
            return 200, b"x" if method == "GET" else OK[1]
        if isinstance(step, BaseException):
            raise step
        return step


def retrying(
    steps: list[Any],
    policy: RetryPolicy | None = None,
    *,
    active: bool = True,
    cost: float = 0.0,
) -> tuple[RetryingRequest, Script, list[float]]:
    clock = [0.0]
    waits: list[float] = []
    inner = Script(steps, clock, cost)

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    request = RetryingRequest(
        inner,
        policy,
        active=lambda: active,
        sleep=sleep,
        clock=lambda: clock[0],
        rng=random.Random(1),
    )
    return request, inner, waits


async def test_server_errors_and_dropped_connections_are_retried() -> None:
    steps = [BAD_GATEWAY, error(500, "Internal Server Error"), NetworkError("dropped"), OK]
    request, inner, waits = retrying(steps)
    assert await request.post(URL, RequestData([])) is True
    assert inner.calls == 4
    # Exponential backoff with jitter: 0.25, 0.5, 1 s, each ± 25 %.
    assert [round(w / base, 2) for w, base in zip(waits, (0.25, 0.5, 1.0), strict=True)] == [
        pytest.approx(r, abs=0.25) for r in (1, 1, 1)
    ]


async def test_retry_after_is_honoured_exactly() -> None:
    request, inner, waits = retrying([error(429, "Too Many Requests", retry_after=2), OK])
    assert await request.post(URL) is True
    assert (inner.calls, waits) == (2, [2.0])


async def test_retry_after_longer_than_the_budget_is_not_waited_for() -> None:
    request, inner, waits = retrying([error(429, "Too Many Requests", retry_after=30), OK])
    with pytest.raises(RetryAfter):
        await request.post(URL)
    assert (inner.calls, waits) == (1, [])


@pytest.mark.parametrize(
    ("answer", "exception"),
    [
        (error(400, "Bad Request: chat not found"), BadRequest),
        (error(403, "Forbidden: bot was blocked by the user"), Forbidden),
        (error(413, "Request Entity Too Large"), NetworkError),
    ],
)
async def test_other_client_errors_are_not_retried(answer, exception) -> None:  # type: ignore[no-untyped-def]
    request, inner, waits = retrying([answer, OK])
    with pytest.raises(exception):
        await request.post(URL)
    assert (inner.calls, waits) == (1, [])


async def test_gives_up_after_the_attempts() -> None:
    request, inner, waits = retrying([BAD_GATEWAY] * 10, RetryPolicy(attempts=4))
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await request.post(URL)
    assert inner.calls == 4 and len(waits) == 3


async def test_the_budget_bounds_the_whole_call() -> None:
    # Each attempt takes 3 s (slow failures): no retry starts once the budget would be spent.
    policy = RetryPolicy(attempts=10, budget=10.0)
    request, inner, waits = retrying([NetworkError("reset")] * 10, policy, cost=3.0)
    with pytest.raises(NetworkError):
        await request.post(URL)
    assert inner.calls == 3
    assert 3.0 * inner.calls + sum(waits) <= policy.budget


async def test_a_hanging_attempt_is_cut_and_retried() -> None:
    policy = RetryPolicy(attempt_timeout=0.01)
    request, inner, _ = retrying(["hang", OK], policy)
    assert await request.post(URL) is True
    assert inner.calls == 2


async def test_time_outs_are_retried_then_raised() -> None:
    request, inner, _ = retrying([TimedOut()] * 4)
    with pytest.raises(TimedOut):
        await request.post(URL)
    assert inner.calls == 4


async def test_an_edit_already_in_place_succeeds() -> None:
    not_modified = error(
        400,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    request, inner, _ = retrying([BAD_GATEWAY, not_modified])
    assert await request.post(URL.replace("sendMessage", "editMessageText")) is True
    assert inner.calls == 2
    # Only for edits: a send has no such answer, and any other 400 stays an error.
    request, _, _ = retrying([not_modified])
    with pytest.raises(BadRequest):
        await request.post(URL)


async def test_outside_an_update_nothing_is_retried() -> None:
    request, inner, waits = retrying([BAD_GATEWAY, OK], active=False)
    with pytest.raises(NetworkError):
        await request.post(URL)
    assert (inner.calls, waits) == (1, [])


async def test_the_token_is_not_logged(caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level("INFO")
    request, _, _ = retrying([BAD_GATEWAY] * 4)
    with pytest.raises(NetworkError):
        await request.post(URL)
    assert caplog.records and all("SECRET" not in r.getMessage() for r in caplog.records)
    assert any("sendMessage" in r.getMessage() for r in caplog.records)


def test_transient_failures() -> None:
    assert is_transient(TimedOut()) and is_transient(NetworkError("Bad Gateway"))
    assert is_transient(RetryAfter(3)) and retry_after_seconds(RetryAfter(3)) == 3.0
    assert not is_transient(BadRequest("chat not found")) and not is_transient(Forbidden("x"))
    assert not is_transient(RuntimeError("a bug")) and retry_after_seconds(TimedOut()) == 0.0


def test_redelivery_budget_ends_a_poisoned_update() -> None:
    budget = RedeliveryBudget(limit=3, size=2)
    assert [budget.take(7) for _ in range(4)] == [True, True, True, False]
    assert budget.take(8) and budget.take(9)  # 7 is forgotten: only the newest ids are kept
    assert budget.take(7)


def test_the_bot_retries_only_its_own_calls_while_handling_an_update(settings_for) -> None:  # type: ignore[no-untyped-def]
    from bot.app import _handling_update, build_application
    from bot.transport import AiohttpRequest

    app = build_application(settings_for("http://127.0.0.1:9"))
    get_updates_request, request = app.bot._request  # PTB keeps (getUpdates, everything else)
    assert isinstance(request, RetryingRequest) and isinstance(request.inner, AiohttpRequest)
    assert type(get_updates_request) is AiohttpRequest  # the poller has its own backoff
    # Outside an update (the outbox, jobs, start-up) nothing is retried here.
    assert not _handling_update()


async def test_file_transfers_are_not_cut_at_the_attempt_timeout() -> None:
    policy = RetryPolicy(attempt_timeout=0.01)
    slow = Script(["slow", "slow"], [0.0])
    request = RetryingRequest(slow, policy)
    # A download (GET) and an upload may take longer than a plain call's try…
    assert await request.retrieve("http://127.0.0.1:1/file/bot123:SECRET/photos/1.jpg") == b"x"
    upload = RequestData([])
    upload.contains_files = True  # as for a photo
    assert (await request.do_request(URL, "POST", upload))[0] == 200
    assert slow.calls == 2
    # …a plain call may not.
    request = RetryingRequest(Script(["slow", OK], [0.0]), policy, sleep=_no_wait)
    assert await request.post(URL) is True
    assert request.inner.calls == 2  # type: ignore[attr-defined]


async def _no_wait(_seconds: float) -> None:
    pass
