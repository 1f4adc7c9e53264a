"""Benchmark: a notice to 3,000 recipients through the bot's outbox, against the emulator
enforcing Telegram's limits (30 messages/s overall, 1/s per chat, 429 with retry_after) and
failing 2% of sends at random (500, 502, a dropped connection).

    python -m bench.broadcast [--recipients 3000] [--rate 29.5] [--seed 1]

Three runs on one emulator (the emulator lives in this process; the senders run in
subprocesses so that the emulator's clock and the sender's do not share an event loop):

1. clean: the outbox (bot/outbox.py, as the bot runs it) drains 3,000 deliveries;
2. kill:  the same, SIGKILLed at about 50% and restarted; rows left "sending" are counted;
3. baseline: a plain loop over `send_message` with PTB's AIORateLimiter at its defaults.

Prints a table, then one JSON line with: rate_ratio, lost, duplicated, flood_429, kill_lost,
kill_duplicated, kill_in_flight, baseline_rate_ratio (and a few more figures).
Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

TOKEN = "200002:BENCH-odop-saathi-outbox-000000000"
TELEGRAM_RATE = 30.0
FAULT_RATE = 0.02
FAULT_KINDS = ["500", "502", "drop"]
ROOT = str(Path(__file__).resolve().parent.parent)
RUN_BASES = {"clean": 10_000_000, "kill": 20_000_000, "baseline": 30_000_000}


# --- the worker side (a subprocess) -------------------------------------------------------------


async def _drain(db_url: str, emu_url: str, rate: float, owner: int) -> None:
    """Drain the outbox the way the bot does, until this owner's rows are all settled."""
    from sqlalchemy import func
    from sqlmodel import col, select
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from bot.db import Database
    from bot.outbox import Outbox
    from models import Delivery
    from models.notice import DeliveryStatus

    db = Database(db_url)
    bot = Bot(
        TOKEN,
        base_url=f"{emu_url}/bot",
        base_file_url=f"{emu_url}/file/bot",
        request=HTTPXRequest(connection_pool_size=64, read_timeout=15, write_timeout=30),
    )
    async with bot:
        outbox = Outbox(bot, db, rate=rate)
        outbox.start()
        while True:
            await asyncio.sleep(0.5)
            async with db.sessions() as session:
                left = (
                    await session.exec(
                        select(func.count()).where(
                            col(Delivery.owner_id) == owner,
                            col(Delivery.status).in_(
                                [DeliveryStatus.PENDING, DeliveryStatus.SENDING]
                            ),
                        )
                    )
                ).one()
            if left == 0:
                break
        await outbox.stop()
        print(
            json.dumps({"flood_429": outbox.stats.flood_429, "recovered": outbox.stats.recovered})
        )
    await db.dispose()


async def _baseline(emu_url: str, first: int, count: int) -> None:
    """The plain loop: send_message one after another through AIORateLimiter()."""
    from telegram.error import TelegramError
    from telegram.ext import AIORateLimiter, ExtBot
    from telegram.request import HTTPXRequest

    bot = ExtBot(
        TOKEN,
        base_url=f"{emu_url}/bot",
        base_file_url=f"{emu_url}/file/bot",
        request=HTTPXRequest(connection_pool_size=64),
        rate_limiter=AIORateLimiter(),
    )
    failed: Counter[str] = Counter()
    async with bot:
        for chat_id in range(first, first + count):
            try:
                await bot.send_message(chat_id, "📢 Notice: the fair is tomorrow at 10:00.")
            except TelegramError as exc:
                failed[type(exc).__name__] += 1
    print(json.dumps({"failed": dict(failed)}))


# --- the driver ---------------------------------------------------------------------------------


def _worker(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench.broadcast", "--worker", *args]


async def _seed(db_url: str, first: int, count: int, owner: int) -> None:
    from bot.db import Database
    from bot.services import broadcast
    from models import User

    db = Database(db_url)
    async with db.session() as session:
        session.add_all(
            User(id=uid, language="hi", name="कारीगर", district_code="lucknow")
            for uid in range(first, first + count)
        )
    async with db.session() as session:
        text = "📢 <b>ओडीओपी कार्यालय, लखनऊ की सूचना</b>\n\nकल सुबह 10 बजे मेला है।"
        payload = broadcast.payload(text, buttons=[[("✅ समझ गया / Got it", f"n:ack:{owner}")]])
        await broadcast.enqueue_deliveries(
            session, "notice", owner, ((uid, payload) for uid in range(first, first + count))
        )
    await db.dispose()


async def _status_counts(db_url: str, owner: int) -> Counter[str]:
    from sqlalchemy import func
    from sqlmodel import col, select

    from bot.db import Database
    from models import Delivery

    db = Database(db_url)
    async with db.sessions() as session:
        rows = (
            await session.exec(
                select(Delivery.status, func.count())
                .where(col(Delivery.owner_id) == owner)
                .group_by(Delivery.status)
            )
        ).all()
    await db.dispose()
    return Counter({status: int(n) for status, n in rows})


def _measure(emu: Any, first: int, count: int) -> dict[str, Any]:
    """From the emulator's call log: deliveries per chat, duration, 429s, faults."""
    per_chat: Counter[int] = Counter()
    ok_times: list[float] = []
    attempts = flood = faults = 0
    for rec in emu.call_log:
        if rec["method"] != "sendMessage":
            continue
        chat = rec["params"].get("chat_id")
        try:
            chat = int(chat)
        except (TypeError, ValueError):
            continue
        if not first <= chat < first + count:
            continue
        attempts += 1
        if rec.get("fault"):
            faults += 1
        elif rec["ok"]:
            per_chat[chat] += 1
            ok_times.append(rec["t"])
        elif rec["error_code"] == 429:
            flood += 1
    delivered = sum(per_chat.values())
    span = (max(ok_times) - min(ok_times)) if len(ok_times) > 1 else float("nan")
    rate = (delivered - 1) / span if span and span == span else float("nan")
    return {
        "attempts": attempts,
        "delivered": delivered,
        "chats": len(per_chat),
        "lost": count - len(per_chat),
        "duplicated": sum(n - 1 for n in per_chat.values()),
        "flood_429": flood,
        "faults": faults,
        "seconds": round(span, 2),
        "rate": rate,
        "rate_ratio": round(rate / TELEGRAM_RATE, 3),
    }


async def _run(cmd: list[str], env: dict[str, str], *, kill_when: Any = None) -> tuple[str, bool]:
    proc = await asyncio.create_subprocess_exec(
        *cmd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    killed = False
    if kill_when is not None:
        while proc.returncode is None:
            if await kill_when():
                proc.send_signal(signal.SIGKILL)
                killed = True
                break
            await asyncio.sleep(0.05)
    out, _ = await proc.communicate()
    return out.decode().strip(), killed


async def main(recipients: int, rate: float, seed: int) -> dict[str, Any]:
    from bot import db as dbmod
    from bot.emulator.server import EmulatorServer

    tmp = Path(tempfile.mkdtemp(prefix="saathi-bench-"))
    db_url = f"sqlite:///{tmp / 'bench.db'}"
    dbmod.upgrade(db_url)
    env = {**os.environ, "PYTHONPATH": ROOT}
    results: dict[str, Any] = {"recipients": recipients, "outbox_rate": rate}

    async with EmulatorServer(TOKEN) as server:
        emu = server.emulator
        emu.configure(max_call_log=1_000_000)
        for base in RUN_BASES.values():
            for uid in range(base, base + recipients):
                emu.create_user(id=uid, first_name="A", language_code="hi", started=True)
        emu.configure(
            global_rate=TELEGRAM_RATE,
            per_chat_rate=1.0,
            fault_rate=FAULT_RATE,
            fault_kinds=FAULT_KINDS,
            seed=seed,
        )

        # 1. clean run
        base = RUN_BASES["clean"]
        await _seed(db_url, base, recipients, owner=1)
        out, _ = await _run(_worker("drain", db_url, server.url, str(rate), "1"), env)
        clean = _measure(emu, base, recipients)
        results["clean"] = clean
        results["clean_worker"] = json.loads(out.splitlines()[-1]) if out else {}
        results["clean_db"] = dict(await _status_counts(db_url, 1))

        # 2. killed at about 50%, restarted
        base = RUN_BASES["kill"]
        await _seed(db_url, base, recipients, owner=2)

        async def half_sent() -> bool:
            return (await _status_counts(db_url, 2)).get("sent", 0) >= recipients // 2

        _, killed = await _run(
            _worker("drain", db_url, server.url, str(rate), "2"), env, kill_when=half_sent
        )
        at_kill = await _status_counts(db_url, 2)
        out, _ = await _run(_worker("drain", db_url, server.url, str(rate), "2"), env)
        kill = _measure(emu, base, recipients)
        results["kill"] = kill
        results["kill_at"] = dict(at_kill)
        results["killed"] = killed
        results["kill_worker"] = json.loads(out.splitlines()[-1]) if out else {}

        # 3. baseline: a plain loop with AIORateLimiter()
        base = RUN_BASES["baseline"]
        try:
            import aiolimiter  # noqa: F401

            out, _ = await _run(_worker("baseline", server.url, str(base), str(recipients)), env)
            results["baseline"] = _measure(emu, base, recipients)
            results["baseline_worker"] = json.loads(out.splitlines()[-1]) if out else {}
        except ImportError:
            results["baseline"] = None
    return results


def _table(r: dict[str, Any]) -> str:
    rows = [("", "outbox", "outbox, kill -9 at ~50%", "baseline (AIORateLimiter loop)")]
    runs = [r["clean"], r["kill"], r.get("baseline") or {}]

    def line(label: str, key: str, fmt: str = "{}") -> None:
        rows.append((label, *(fmt.format(x[key]) if key in x else "—" for x in runs)))

    line("sends attempted", "attempts")
    line("delivered messages", "delivered")
    line("faults injected (500/502/drop)", "faults")
    line("429 Too Many Requests", "flood_429")
    line("recipients lost", "lost")
    line("duplicate messages", "duplicated")
    line("seconds (first to last delivery)", "seconds")
    line("delivered per second", "rate", "{:.2f}")
    line("rate / 30 per second", "rate_ratio", "{:.3f}")
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    out = [" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    out.insert(1, "-+-".join("-" * w for w in widths))
    at = r["kill_at"]
    out.append("")
    out.append(
        f'kill -9 at: sent {at.get("sent", 0)}, in flight ("sending") {at.get("sending", 0)}, '
        f"pending {at.get('pending', 0)}; outbox rate {r['outbox_rate']}/s, "
        f"{r['recipients']} recipients, {FAULT_RATE:.0%} faults"
    )
    return "\n".join(out)


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__)
    parser.add_argument("--recipients", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=29.5, help="outbox messages/s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        mode, *rest = args.worker
        if mode == "drain":
            asyncio.run(_drain(rest[0], rest[1], float(rest[2]), int(rest[3])))
        else:
            asyncio.run(_baseline(rest[0], int(rest[1]), int(rest[2])))
        return 0
    started = time.monotonic()
    r = asyncio.run(main(args.recipients, args.rate, args.seed))
    print(_table(r))
    baseline = r.get("baseline") or {}
    summary = {
        "rate_ratio": r["clean"]["rate_ratio"],
        "lost": r["clean"]["lost"],
        "duplicated": r["clean"]["duplicated"],
        "flood_429": r["clean"]["flood_429"],
        "flood_429_share": round(r["clean"]["flood_429"] / max(1, r["clean"]["attempts"]), 4),
        "kill_lost": r["kill"]["lost"],
        "kill_duplicated": r["kill"]["duplicated"],
        "kill_in_flight": r["kill_at"].get("sending", 0),
        "baseline_rate_ratio": baseline.get("rate_ratio"),
        "baseline_lost": baseline.get("lost"),
        "baseline_flood_429": baseline.get("flood_429"),
        "recipients": r["recipients"],
        "outbox_rate": r["outbox_rate"],
        "wall_seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
