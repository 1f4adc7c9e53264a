"""One outbox drainer per PostgreSQL database: when the drainer process is killed (SIGKILL), a
standby process takes the advisory lock over within about its standby poll interval."""

from __future__ import annotations

import asyncio
import signal
import sys
import time

import pytest
from telegram import Bot

from bot.db import Database, is_sqlite
from bot.outbox import ADVISORY_LOCK_KEY, Outbox
from tests.conftest import TOKEN

HOLDER = """
import sys, time, psycopg
conn = psycopg.connect(sys.argv[1], autocommit=True)
conn.execute("SELECT pg_advisory_lock(%s)", (int(sys.argv[2]),))
print("locked", flush=True)
time.sleep(600)
"""


async def test_a_standby_takes_over_when_the_drainer_is_killed(database: Database) -> None:
    if is_sqlite(database.url):
        pytest.skip("the drainer lock is a PostgreSQL advisory lock (SQLite: one process)")
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLDER,
        database.url,
        str(ADVISORY_LOCK_KEY),
        stdout=asyncio.subprocess.PIPE,
    )
    outbox = Outbox(Bot(TOKEN, base_url="http://127.0.0.1:9/bot"), database, standby_poll=0.2)
    try:
        assert holder.stdout is not None
        assert await holder.stdout.readline() == b"locked\n"
        outbox.start()
        await asyncio.sleep(0.5)  # a few standby polls: the lock is taken
        assert not outbox.leader.is_set()
        holder.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        await asyncio.wait_for(outbox.leader.wait(), timeout=10)
        print(f"takeover after {time.monotonic() - killed:.2f} s")
    finally:
        if holder.returncode is None:
            holder.kill()
        await holder.wait()
        await outbox.stop()
