"""How many updates a second the whole bot handles, how fast it answers, and how that compares
with a bare PTB echo bot. See bench/README.md.

    python -m bench.updates                 # 100k artisans / 1M sales (a SQLite file in /tmp)
    python -m bench.updates --reseed        # seed the database again
    python -m bench.updates --quick         # shorter phases, for a smoke run

Three processes: the emulator (`python -m bot.emulator`), the bot under test (this module with
`--serve saathi`: `build_application` + `serve`, exactly as `saathi run` does; or `--serve echo`:
a plain PTB `Application` at its defaults with `run_polling`), and this driver. The driver plays
many artisans through the emulator's `/_emu/` control routes and reads every Bot API call the bot
makes from `/_emu/calls` (each with the emulator's timestamp "t", the same clock as the driver's).

Workload, per artisan, one update in flight at a time (each waits until the bot has finished
with the previous one): "❓ Help", "/start" (registered: the welcome back + menu), "📊 My sales"
followed by a tap on a period button (`r:today` / `r:month`, which edits the report), and a sale
typed as one line ("sold 2 kurta 450 each", "3 दुपट्टे 900 कुल बिके", …) followed by its
confirmation `s:ok` (the sale is stored, stock goes down). Hindi artisans use the Hindi labels.

Before measuring, one artisan is played through every kind once and the run stops if the bot
does not answer as the driver expects (so a changed handler cannot silently skew the figures).

Figures (a table, then one JSON line):
- updates_per_s: closed loop, `--concurrency` (200) artisans at once, each sending its next
  update as soon as the bot has finished the last one: updates finished per second over
  `--seconds` (15) after `--warmup` (3).
- p50_ms / p99_ms: open loop at `--rate` (200) updates/s on a fixed schedule, whatever the bot
  does: from sending an update to the bot's first answer to it (a message, an edit, or the answer
  to a button) as the emulator logged it. An update not answered within 30 s counts as 30 s
  (the figure is then a lower bound; `unanswered_at_rate` says how many). When the bot's maximum
  is below `--rate`, it is also timed at half its maximum (`p50_ms_at_half_max`, ...).
- echo_updates_per_s: the same closed loop against the echo bot (it answers every text with the
  same text and every button with an empty answer); ratio_to_echo = updates_per_s / that.
- bot_cpu_ms_per_update / echo_cpu_ms_per_update: CPU time of the bot process per update
  finished; `other_processes_cores` is what everything else on the machine used meanwhile.

One run at a time (a lock file); pending updates a stopped bot left behind are dropped before
the next bot starts. Logs of every process go to `--log-dir` (/tmp/saathi-bench-logs).
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import random
import runpy
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TOKEN = "100002:BENCH-odop-saathi-loopback-token-00000"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
DONE_TIMEOUT_S = 30.0
LOCK_PATH = "/tmp/saathi-bench-updates.lock"

# What the driver sends (kind -> how it is sent) and which Bot API call ends each kind.
TEXT_KINDS = ("help", "start", "report", "sale")
BUTTON_KINDS = ("period", "confirm")
SAATHI_LAST_CALL = {
    "help": "sendMessage",
    "start": "sendMessage",
    "report": "sendMessage",  # the report with its period buttons
    "sale": "sendMessage",  # "I understood: … Shall I save it?" with ✅ (s:ok)
    "period": "editMessageText",  # answerCallbackQuery, then the report edited in place
    "confirm": "sendMessage",  # answerCallbackQuery, buttons closed, then "✅ Saved …"
}
ECHO_LAST_CALL = dict.fromkeys(TEXT_KINDS, "sendMessage") | dict.fromkeys(
    BUTTON_KINDS, "answerCallbackQuery"
)
# Weights of what an artisan with nothing open does next; "report" and "sale" are followed by
# their button ("period", "confirm") as the artisan's next update.
IDLE_WEIGHTS = {"help": 20, "start": 10, "report": 35, "sale": 35}
SALE_LINES = {
    "en": (
        "sold {q} kurta {p} each",
        "sold {q} dupatta {p2} each on flipkart",
        "{q} toran {t} total",
        "meesho pe {q} dupatta {p2} each",
    ),
    "hi": (
        "{q} कुर्ते {p} रुपये प्रति पीस बेचे",
        "{q} दुपट्टे {t} कुल बिके",
        "{q} तोरण 240 प्रति पीस बेचे",
    ),
}


# --- processes ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_emulator(token: str, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`python -m bot.emulator` in its own process on a free loopback port: (process, URL)."""
    port = free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.emulator", "--port", str(port), "--token", token],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the emulator exited; see {log_path}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    stop_process(proc)
    raise RuntimeError("the emulator did not start within 30 s")


def start_bot(
    kind: str, api: str, args: argparse.Namespace, log_path: Path
) -> subprocess.Popen[bytes]:
    """The bot under test in its own process (this module with --serve)."""
    cmd = [sys.executable, "-m", "bench.updates", "--serve", kind, "--api", api]
    cmd += ["--database-url", args.database_url, "--bot-transport", args.bot_transport]
    if args.profile_bot and kind == "saathi" and "smoke" not in log_path.name:
        cmd += ["--profile-bot", args.profile_bot]
    if args.bot_preload and kind == "saathi":
        cmd += ["--bot-preload", args.bot_preload]
    with log_path.open("wb") as log:
        return subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)


def stop_process(proc: subprocess.Popen[bytes] | None, timeout: float = 20) -> None:
    """SIGTERM, wait, then SIGKILL — only this one process, which we started."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine so far (all cores; /proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def cpu_snapshot(pids: dict[str, int]) -> dict[str, float]:
    snap = {k: cpu_seconds(p) for k, p in pids.items()}
    snap["machine"] = machine_cpu_seconds()
    return snap


def cpu_shares(
    before: dict[str, float], after: dict[str, float], seconds: float
) -> dict[str, float]:
    """Cores used per process over a window, and by everything else on the machine."""
    shares = {k: (after[k] - before[k]) / seconds for k in before}
    machine = shares.pop("machine")
    shares["others"] = max(0.0, machine - sum(shares.values()))
    return shares


def rss_mb(pid: int) -> float:
    """Resident set size (VmRSS, /proc/<pid>/status) in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def calibration_s() -> float:
    """CPU seconds for `sum(range(10**7))` here and now (best of 3): how fast this machine's
    cores are at the moment (a shared vCPU varies by 2x); ~0.15 s on a current desktop."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        sum(range(10**7))
        best = min(best, time.process_time() - started)
    return best


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * q // 100)))
    return ordered[int(rank) - 1]


# --- the bots under test (run in their own process: `--serve saathi|echo`) ----------------------


def serve_saathi(api: str, database_url: str, transport: str) -> None:
    """The real bot: build_application + serve, as `saathi run` does (logs at LOG_LEVEL)."""
    from pydantic import SecretStr

    import bot.app as app_module
    from bot.__main__ import _serve_until_signal
    from bot.config import Settings
    from bot.db import check_schema
    from bot.logs import setup_logging

    if transport != "app":  # compare transports without editing bot/app.py
        from telegram.request import HTTPXRequest

        from bot.transport import AiohttpRequest

        chosen = AiohttpRequest if transport == "aiohttp" else HTTPXRequest
        for name in ("HTTPXRequest", "AiohttpRequest"):
            if hasattr(app_module, name):
                setattr(app_module, name, chosen)
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN), telegram_api_url=api, database_url=database_url
    )
    setup_logging(settings.log_level, TOKEN)
    check_schema(database_url)
    app = app_module.build_application(settings)
    asyncio.run(_serve_until_signal(app))


def serve_echo(api: str) -> None:
    """A no-op echo bot from plain PTB at its defaults (HTTPXRequest, Updater, run_polling)."""
    from telegram import Update
    from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler
    from telegram.ext import filters as f

    async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    async def button(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(f.TEXT, echo))
    app.add_handler(CallbackQueryHandler(button))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


# --- the driver ---------------------------------------------------------------------------------


@dataclass
class Artisan:
    uid: int
    lang: str
    report_id: int | None = None  # the report message (its period buttons), once shown
    report_period: str = "week"
    card_id: int | None = None  # a sale waiting for ✅
    press_next: bool = False


@dataclass
class Flight:
    """One update in flight: sent, first answered, finished."""

    uid: int
    kind: str
    last_call: str
    sent: float
    first: float | None = None
    done: float | None = None
    failed: str | None = None
    future: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Driver:
    def __init__(self, url: str, artisans: list[Artisan], seed: int = 7) -> None:
        import aiohttp

        from bot import i18n

        self.url = url
        self.artisans = {a.uid: a for a in artisans}
        self.rng = random.Random(seed)
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1024),
            timeout=aiohttp.ClientTimeout(total=60),
        )
        self.labels = {
            lang: {
                "help": i18n.translator(lang).gettext("❓ Help"),
                "report": i18n.translator(lang).gettext("📊 My sales"),
            }
            for lang in ("hi", "en")
        }
        self.last_call = SAATHI_LAST_CALL
        self.flights: dict[int, Flight] = {}
        self.query_owner: dict[str, int] = {}
        self.unowned: dict[str, list[dict[str, Any]]] = {}
        self.finished: list[Flight] = []
        self.call_errors: Counter[str] = Counter()
        self.calls_seen = 0
        self._since = 0
        self._watcher: asyncio.Task[None] | None = None

    # --- plumbing

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        async with self.session.post(self.url + path, json=body) as resp:
            data = await resp.json()
            if resp.status >= 400:
                raise RuntimeError(f"POST {path} -> {resp.status}: {data}")
            return data

    async def _get(self, path: str, **params: Any) -> Any:
        async with self.session.get(self.url + path, params=params) as resp:
            return await resp.json()

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
        await self.session.close()

    async def create_users(self) -> None:
        sem = asyncio.Semaphore(64)

        async def one(a: Artisan) -> None:
            async with sem:
                await self._post(
                    "/_emu/users",
                    {
                        "id": a.uid,
                        "first_name": f"A{a.uid}",
                        "language_code": a.lang,
                        "started": True,
                    },
                )

        await asyncio.gather(*(one(a) for a in self.artisans.values()))

    async def drop_pending_updates(self) -> None:
        """Acknowledge whatever a stopped bot left unhandled, as Telegram clients do with
        offset -1 (so the next bot starts with an empty queue)."""
        api = f"/bot{TOKEN}/getUpdates"
        last = (await self._post(api, {"offset": -1, "timeout": 0}))["result"]
        if last:
            await self._post(api, {"offset": last[-1]["update_id"] + 1, "timeout": 0})

    async def wait_for_poll(self, timeout: float = 60) -> None:  # noqa: ASYNC109
        """Until the bot under test has asked for updates (it is started)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await self._get("/_emu/calls", method="getUpdates", since=self._since):
                return
            await asyncio.sleep(0.05)
        raise RuntimeError(f"the bot made no getUpdates call within {timeout:.0f} s")

    # --- reading what the bot does

    def start_watching(self) -> None:
        self._watcher = asyncio.create_task(self._watch())

    async def skip_past_calls(self) -> None:
        calls = await self._get("/_emu/calls", since=self._since)
        if calls:
            self._since = calls[-1]["n"]

    async def _watch(self) -> None:
        while True:
            calls = await self._get("/_emu/calls", since=self._since)
            for call in calls:
                self._since = call["n"]
                self._on_call(call)
            if len(calls) < 20:
                await asyncio.sleep(0.01)

    def _on_call(self, call: dict[str, Any]) -> None:
        method = call["method"]
        if method in ("getUpdates", "deleteWebhook", "getMe"):
            return
        self.calls_seen += 1
        if call.get("ok") is False:
            self.call_errors[f"{method}: {call.get('description')}"] += 1
        params = call.get("params") or {}
        uid: int | None = None
        if "chat_id" in params:
            try:
                uid = int(params["chat_id"])
            except (TypeError, ValueError):
                return
        elif "callback_query_id" in params:
            qid = str(params["callback_query_id"])
            uid = self.query_owner.pop(qid, None)
            if uid is None:  # answered before the driver saw the press's response
                self.unowned.setdefault(qid, []).append(call)
                return
        if uid is None:
            return
        self._attribute(uid, call)

    def _attribute(self, uid: int, call: dict[str, Any]) -> None:
        flight = self.flights.get(uid)
        if flight is None or flight.done is not None:
            return
        t = float(call["t"])
        if flight.first is None:
            flight.first = t
        if call["method"] == flight.last_call:
            flight.done = t
            del self.flights[uid]
            if not flight.future.done():
                flight.future.set_result(None)

    # --- playing an artisan

    def next_kind(self, a: Artisan) -> str:
        if a.card_id is not None:
            return "confirm"
        if a.press_next and a.report_id is not None:
            return "period"
        kinds = list(IDLE_WEIGHTS)
        return self.rng.choices(kinds, weights=[IDLE_WEIGHTS[k] for k in kinds])[0]

    def _text(self, a: Artisan, kind: str) -> str:
        if kind == "start":
            return "/start"
        if kind == "sale":
            q = self.rng.randint(1, 5)
            p, p2 = self.rng.choice((400, 450, 500)), self.rng.choice((280, 300, 320))
            line = self.rng.choice(SALE_LINES[a.lang])
            return line.format(q=q, p=p, p2=p2, t=q * 240)
        return self.labels[a.lang][kind]

    async def play(self, uid: int, kind: str | None = None) -> Flight:
        """Send the artisan's next update and wait until the bot has finished with it."""
        a = self.artisans[uid]
        kind = kind or self.next_kind(a)
        flight = Flight(uid, kind, self.last_call[kind], sent=0.0)
        self.flights[uid] = flight
        try:
            if kind in TEXT_KINDS:
                flight.sent = time.time()
                sent = await self._post(
                    f"/_emu/users/{uid}/messages", {"text": self._text(a, kind)}
                )
                # The bot's answer is the next message in this chat (one update at a time).
                if kind == "report":
                    a.report_id, a.report_period, a.press_next = (
                        sent["message_id"] + 1,
                        "week",
                        True,
                    )
                elif kind == "sale":
                    a.card_id = sent["message_id"] + 1
            else:
                if kind == "confirm":
                    message_id, data = a.card_id, "s:ok"
                    a.card_id = None
                else:
                    period = "month" if a.report_period != "month" else "today"
                    message_id, data = a.report_id, f"r:{period}"
                    a.report_period, a.press_next = period, False
                flight.sent = time.time()
                pressed = await self._post(
                    f"/_emu/users/{uid}/callback", {"message_id": message_id, "data": data}
                )
                qid = str(pressed["callback_query_id"])
                early = self.unowned.pop(qid, None)
                if early is None:
                    self.query_owner[qid] = uid
                else:
                    for call in early:
                        self._attribute(uid, call)
            await asyncio.wait_for(asyncio.shield(flight.future), DONE_TIMEOUT_S)
        except TimeoutError:
            flight.failed = "no answer"
        except Exception as exc:  # reported; the run goes on
            flight.failed = f"{type(exc).__name__}: {exc}"[:200]
        finally:
            self.flights.pop(uid, None)
            if flight.failed:
                a.card_id, a.press_next = None, False
        self.finished.append(flight)
        return flight

    # --- the phases

    async def closed_loop(self, uids: list[int], concurrency: int, seconds: float) -> None:
        """`concurrency` artisans at once, each sending its next update when the last is done."""
        deadline = time.monotonic() + seconds
        queue = deque(uids)

        async def worker() -> None:
            while time.monotonic() < deadline:
                uid = queue.popleft()
                await self.play(uid)
                queue.append(uid)

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    async def open_loop(self, uids: list[int], rate: float, seconds: float) -> int:
        """Updates offered on a fixed schedule, whatever the bot does; returns how many were
        skipped because every artisan still waited for an answer."""
        ready = deque(uids)
        tasks: set[asyncio.Task[None]] = set()
        skipped = 0
        start = time.monotonic()
        for k in range(int(rate * seconds)):
            delay = start + k / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if not ready:
                skipped += 1
                continue
            uid = ready.popleft()

            async def run(uid: int = uid) -> None:
                await self.play(uid)
                ready.append(uid)

            task = asyncio.create_task(run())
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        return skipped

    def window(self, since: float, until: float) -> list[Flight]:
        return [f for f in self.finished if since <= f.sent < until]


@dataclass
class PhaseResult:
    updates_per_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    p99_done_ms: float = 0.0
    finished: int = 0
    failed: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    skipped: int = 0
    unanswered: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def bot_cpu_ms(self) -> float:
        """CPU milliseconds the bot process spent per update finished."""
        return 1000 * self.cpu.get("bot", 0.0) / self.updates_per_s if self.updates_per_s else 0.0


async def measure_bot(
    args: argparse.Namespace,
    url: str,
    emulator: subprocess.Popen[bytes],
    kind: str,
    artisans: list[Artisan],
    log_dir: Path,
) -> tuple[PhaseResult, PhaseResult | None, PhaseResult | None]:
    """Start the bot (`kind`), run the phases against it, stop it: (max, at --rate, at half
    the max when that is below --rate)."""
    driver = Driver(url, artisans)
    if kind == "echo":
        driver.last_call = ECHO_LAST_CALL
    uids = [a.uid for a in artisans]
    bot: subprocess.Popen[bytes] | None = None
    try:
        await driver.skip_past_calls()
        bot = start_bot(kind, url, args, log_dir / f"bench-{kind}-bot.log")
        await driver.wait_for_poll()
        driver.start_watching()
        print(f"  {kind}: warming up ({args.warmup:.0f} s)", flush=True)
        await driver.closed_loop(uids, args.concurrency, args.warmup)
        pids = {"bot": bot.pid, "emulator": emulator.pid, "driver": os.getpid()}

        print(f"  {kind}: as fast as it goes ({args.seconds:.0f} s)", flush=True)
        cpu0, t0 = cpu_snapshot(pids), time.time()
        await driver.closed_loop(uids, args.concurrency, args.seconds)
        t1, cpu1 = time.time(), cpu_snapshot(pids)
        done = [f for f in driver.finished if f.done is not None and t0 <= f.done < t1]
        throughput = PhaseResult(
            updates_per_s=len(done) / (t1 - t0),
            finished=len(done),
            failed=sum(1 for f in driver.window(t0, t1) if f.failed),
            cpu=cpu_shares(cpu0, cpu1, t1 - t0),
            by_kind=dict(Counter(f.kind for f in done)),
        )
        _latencies(throughput, driver.window(t0, t1))
        latency = gentle = None
        if kind == "saathi" or args.echo_latency:

            async def at_rate(rate: float, seconds: float) -> PhaseResult:
                print(f"  {kind}: {rate:.0f} updates/s offered ({seconds:.0f} s)", flush=True)
                await driver.open_loop(uids, rate, 2.0)  # settle at the new rate
                cpu0, t0 = cpu_snapshot(pids), time.time()
                skipped = await driver.open_loop(uids, rate, seconds)
                t1, cpu1 = time.time(), cpu_snapshot(pids)
                flights = driver.window(t0, t1)
                result = PhaseResult(
                    updates_per_s=len(flights) / (t1 - t0),
                    finished=sum(1 for f in flights if f.done is not None),
                    failed=sum(1 for f in flights if f.failed),
                    cpu=cpu_shares(cpu0, cpu1, t1 - t0),
                    skipped=skipped,
                )
                _latencies(result, flights)
                return result

            if throughput.updates_per_s < args.rate:
                # Overloaded at --rate: also time it where it keeps up (before the overload,
                # which leaves a backlog behind).
                gentle = await at_rate(max(1.0, throughput.updates_per_s / 2), args.latency_seconds)
            latency = await at_rate(args.rate, args.latency_seconds)
        if driver.call_errors:
            print(f"  {kind}: Bot API errors: {dict(driver.call_errors.most_common(5))}")
        failures = Counter(f.failed for f in driver.finished if f.failed)
        if failures:
            print(f"  {kind}: updates without a complete answer: {dict(failures.most_common(5))}")
        return throughput, latency, gentle
    finally:
        stop_process(bot)
        await driver.drop_pending_updates()
        await driver.close()


def _latencies(result: PhaseResult, flights: list[Flight]) -> None:
    """Percentiles over every update sent; one never answered counts as DONE_TIMEOUT_S (the
    figure is then a lower bound, and `unanswered` says how many)."""
    cap = DONE_TIMEOUT_S * 1000
    first = [(f.first - f.sent) * 1000 if f.first is not None else cap for f in flights]
    done = [(f.done - f.sent) * 1000 if f.done is not None else cap for f in flights]
    result.unanswered = sum(1 for f in flights if f.first is None)
    if first:
        result.p50_ms, result.p99_ms = percentile(first, 50), percentile(first, 99)
        result.p99_done_ms = percentile(done, 99)


async def smoke(url: str, artisans: list[Artisan]) -> None:
    """Play one artisan through every kind once and check that the bot answers as the driver
    expects (the message ids it predicts, the last call of each kind); fail loudly otherwise."""
    driver = Driver(url, artisans[:1])
    a = artisans[0]
    try:
        await driver.skip_past_calls()
        driver.start_watching()
        for kind in ("help", "start", "report", "period", "period", "sale", "confirm"):
            flight = await driver.play(a.uid, kind)
            if flight.failed:
                raise RuntimeError(f"smoke: {kind} got no complete answer: {flight.failed}")
            if kind in ("report", "sale"):
                wanted, button = (
                    (a.report_id, "r:month") if kind == "report" else (a.card_id, "s:ok")
                )
                chat = await driver._get(f"/_emu/users/{a.uid}/chat")
                found = [m for m in chat["messages"] if m["message_id"] == wanted]
                if not found or found[0]["from"] != "bot" or button not in json.dumps(found[0]):
                    raise RuntimeError(f"smoke: message {wanted} has no {button} button: {found}")
        if driver.call_errors:
            raise RuntimeError(f"smoke: Bot API errors {dict(driver.call_errors)}")
    finally:
        await driver.close()
        a.report_id, a.card_id, a.press_next, a.report_period = None, None, False, "week"


def print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench import seed

    log_dir = Path(args.log_dir)
    print(f"database: {args.artisans:,} artisans / {args.sales:,} sales", flush=True)
    seeded = seed.ensure_seeded(
        args.database_url, args.artisans, args.sales, force=args.reseed, progress=print
    )
    print(f"  ready in {seeded.seconds:.1f} s ({'reused' if seeded.reused else 'seeded'})")
    load_before = os.getloadavg()[0]
    calibration = calibration_s()
    rng = random.Random(11)
    picked = rng.sample(range(args.artisans), min(args.users, args.artisans))
    artisans = [Artisan(seed.artisan_id(i), seed.artisan_language(i)) for i in picked]

    emulator, url = start_emulator(TOKEN, log_dir / "bench-emulator.log")
    try:
        setup = Driver(url, artisans)
        try:
            await setup.create_users()
        finally:
            await setup.close()
        results: dict[str, tuple[PhaseResult, PhaseResult | None, PhaseResult | None]] = {}
        for kind in ("saathi", "echo"):
            if kind not in args.bots:
                continue
            for a in artisans:
                a.report_id, a.card_id, a.press_next, a.report_period = None, None, False, "week"
            if kind == "saathi" and not args.skip_smoke:
                smoke_bot = start_bot("saathi", url, args, log_dir / "bench-smoke-bot.log")
                try:
                    waiter = Driver(url, [])
                    try:
                        await waiter.wait_for_poll()
                    finally:
                        await waiter.close()
                    await smoke(url, artisans)
                    print("  smoke check: every kind answered as the driver expects", flush=True)
                finally:
                    stop_process(smoke_bot)
            results[kind] = await measure_bot(args, url, emulator, kind, artisans, log_dir)
    finally:
        stop_process(emulator)

    mine, latency, gentle = results.get("saathi", (PhaseResult(), None, None))
    echo = results.get("echo", (PhaseResult(), None, None))[0]
    transport = _transport_name(args.bot_transport)
    rows = [
        (
            "database",
            f"{_backend(args.database_url)}, {args.artisans:,} artisans, {args.sales:,} sales",
        ),
        ("workload", f"{len(artisans):,} artisans, {args.concurrency} at a time (max phase)"),
        ("bot", f"own process; transport {transport}"),
        ("bot: updates/s (max)", f"{mine.updates_per_s:,.0f}  (goal ≥ 1,000)"),
        ("  CPU ms per update (bot)", f"{mine.bot_cpu_ms:.1f}"),
        ("  cores used", _cpu(mine.cpu)),
        ("  mix", ", ".join(f"{k} {v}" for k, v in sorted(mine.by_kind.items()))),
    ]
    if latency is not None:
        lower = "≥ " if latency.unanswered else ""
        rows += [
            (f"bot at {args.rate:.0f}/s offered: p50 ms", f"{lower}{latency.p50_ms:.1f}"),
            (
                f"bot at {args.rate:.0f}/s offered: p99 ms",
                f"{lower}{latency.p99_ms:.1f}  (goal ≤ 50)",
            ),
            ("  p99 ms to the last answer", f"{lower}{latency.p99_done_ms:.1f}"),
            (
                "  offered/s achieved, unanswered",
                f"{latency.updates_per_s:.0f}, {latency.unanswered}",
            ),
            ("  cores used", _cpu(latency.cpu)),
        ]
    if gentle is not None:
        rate = gentle.updates_per_s
        rows += [
            (f"bot at {rate:.0f}/s (half its max): p50 ms", f"{gentle.p50_ms:.1f}"),
            (f"bot at {rate:.0f}/s (half its max): p99 ms", f"{gentle.p99_ms:.1f}"),
        ]
    if echo.updates_per_s:
        rows += [
            ("echo bot (PTB defaults): updates/s", f"{echo.updates_per_s:,.0f}"),
            ("  CPU ms per update (echo)", f"{echo.bot_cpu_ms:.1f}"),
            ("  cores used", _cpu(echo.cpu)),
            ("ratio to echo", f"{mine.updates_per_s / echo.updates_per_s:.2f}  (goal ≥ 1.0)"),
        ]
    rows.append(("load average (1 min) before", f"{load_before:.2f} on {os.cpu_count()} cores"))
    rows.append(("CPU speed: sum(range(10**7))", f"{calibration:.3f} s"))
    print()
    print_table(rows)
    others = [r.cpu.get("others", 0.0) for r in (mine, latency, echo) if r is not None and r.cpu]
    out: dict[str, Any] = {
        "updates_per_s": round(mine.updates_per_s, 1),
        "p50_ms": round(latency.p50_ms, 1) if latency else None,
        "p99_ms": round(latency.p99_ms, 1) if latency else None,
        "echo_updates_per_s": round(echo.updates_per_s, 1) if echo.updates_per_s else None,
        "ratio_to_echo": round(mine.updates_per_s / echo.updates_per_s, 2)
        if echo.updates_per_s and mine.updates_per_s
        else None,
        "artisans": args.artisans,
        "sales": args.sales,
        "users": len(artisans),
        "concurrency": args.concurrency,
        "offered_rate": args.rate,
        "unanswered_at_rate": latency.unanswered if latency else None,
        "half_max_rate": round(gentle.updates_per_s, 1) if gentle else None,
        "p50_ms_at_half_max": round(gentle.p50_ms, 1) if gentle else None,
        "p99_ms_at_half_max": round(gentle.p99_ms, 1) if gentle else None,
        "transport": transport,
        "database": _backend(args.database_url),
        "bot_process": "own process (build_application + serve)",
        "bot_cpu_ms_per_update": round(mine.bot_cpu_ms, 2),
        "echo_cpu_ms_per_update": round(echo.bot_cpu_ms, 2),
        "other_processes_cores": round(max(others), 2) if others else None,
        "loadavg_before": round(load_before, 2),
        "calibration_s": round(calibration, 3),
        "failed_max_phase": mine.failed,
    }
    return out


def _backend(url: str) -> str:
    return "SQLite" if url.startswith("sqlite") else "PostgreSQL"


def _transport_name(choice: str) -> str:
    if choice != "app":
        return choice
    import bot.app

    return "aiohttp" if hasattr(bot.app, "AiohttpRequest") else "httpx"


def _cpu(cpu: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in cpu.items())


def main(argv: list[str] | None = None) -> int:
    from bench import seed

    ap = argparse.ArgumentParser(prog="python -m bench.updates", description=__doc__.split("\n")[0])
    ap.add_argument("--artisans", type=int, default=100_000)
    ap.add_argument("--sales", type=int, default=1_000_000)
    ap.add_argument("--database-url", help="default: a SQLite file in /tmp, reused between runs")
    ap.add_argument("--reseed", action="store_true", help="seed the database again")
    ap.add_argument("--users", type=int, default=4000, help="artisans the driver plays")
    ap.add_argument("--concurrency", type=int, default=200, help="artisans at once (max phase)")
    ap.add_argument("--seconds", type=float, default=15.0, help="the max-throughput window")
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--rate", type=float, default=200.0, help="updates/s for the latency phase")
    ap.add_argument("--latency-seconds", type=float, default=15.0)
    ap.add_argument("--echo-latency", action="store_true", help="also time the echo bot at --rate")
    ap.add_argument(
        "--bots", default="saathi,echo", help="which bots to measure (for investigations)"
    )
    ap.add_argument("--skip-smoke", action="store_true")
    ap.add_argument("--quick", action="store_true", help="5 s phases")
    ap.add_argument(
        "--bot-transport",
        choices=("app", "aiohttp", "httpx"),
        default="app",
        help="the bot's HTTP transport: as bot/app.py builds it, or forced (for comparisons)",
    )
    ap.add_argument(
        "--profile-bot", metavar="PATH", help="run the bot under cProfile; stats written to PATH"
    )
    ap.add_argument(
        "--bot-preload",
        metavar="FILE",
        help="experiments: a Python file the bot process runs before it starts (e.g. a patch)",
    )
    ap.add_argument("--log-dir", default="/tmp/saathi-bench-logs")
    ap.add_argument("--serve", choices=("saathi", "echo"), help=argparse.SUPPRESS)
    ap.add_argument("--api", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.database_url = args.database_url or seed.default_sqlite_url(args.artisans, args.sales)
    if args.serve == "saathi" and args.bot_preload:  # an experiment: patch, then serve
        runpy.run_path(args.bot_preload)
    if args.serve == "saathi":
        serve = lambda: serve_saathi(args.api, args.database_url, args.bot_transport)  # noqa: E731
        if args.profile_bot:
            import cProfile

            with cProfile.Profile() as profile:
                try:
                    serve()
                finally:
                    profile.dump_stats(args.profile_bot)
        else:
            serve()
        return 0
    if args.serve == "echo":
        serve_echo(args.api)
        return 0
    if args.quick:
        args.seconds = args.latency_seconds = 5.0
        args.warmup = 2.0
    Path(args.log_dir).mkdir(parents=True, exist_ok=True)
    # One run at a time: two would share the database file and the two cores.
    lock = open(LOCK_PATH, "w")  # held until the process exits
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"another `python -m bench.updates` is running ({LOCK_PATH}); try again later")
        return 1
    # SIGTERM like Ctrl+C: the child processes are stopped on the way out.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    out = asyncio.run(run(args))
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
