"""How long `saathi run` takes to start polling, and how much memory it holds when idle.

    python -m bench.startup              # 3 starts; prints a table and one JSON line
    python -m bench.startup --runs 5

Each run starts `python -m bot run` as a fresh process (the real command, environment
variables only) against the emulator in its own process and a migrated SQLite database, and
reads the emulator's call log:
- first_poll_s: from just before the process is spawned to the emulator receiving its first
  getUpdates (interpreter start, imports, settings, schema check, building the Application,
  the start-up Bot API calls: commands and names per language, deleteWebhook).
- idle_rss_mb: VmRSS of the process after it has been idle (polling, nothing to do) for
  `--idle` seconds (5).
The JSON reports the median of the runs; the table shows each run and a breakdown.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.updates import REPO, TOKEN, calibration_s, rss_mb, start_emulator, stop_process


def _calls(url: str, since: int = 0) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/_emu/calls?since={since}", timeout=5) as resp:
        return json.loads(resp.read())


def _import_seconds() -> float:
    """Seconds for a fresh interpreter to import the bot (bot.app and every handler)."""
    code = "import time; t = time.perf_counter(); import bot.app; print(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def one_run(url: str, database_url: str, idle: float, log_path: Path) -> dict[str, float]:
    since = _calls(url)[-1]["n"] if _calls(url) else 0
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "INFO",
    }
    env.pop("WEBHOOK_URL", None)
    with log_path.open("wb") as log:
        started = time.time()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=REPO, env=env, stdout=log, stderr=log
        )
    try:
        first_call = first_poll = None
        deadline = time.monotonic() + 60
        while first_poll is None:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"`python -m bot run` exited ({proc.returncode}); see {log_path}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError("no getUpdates within 60 s")
            for call in _calls(url, since):
                since = call["n"]
                first_call = first_call if first_call is not None else call["t"]
                if call["method"] == "getUpdates":
                    first_poll = call["t"]
                    break
            else:
                time.sleep(0.01)
        time.sleep(idle)
        rss = rss_mb(proc.pid)
        stopping = time.monotonic()
        stop_process(proc)
        stop_s = time.monotonic() - stopping
    finally:
        stop_process(proc)
    assert first_call is not None
    return {
        "first_poll_s": first_poll - started,
        "first_api_call_s": first_call - started,
        "idle_rss_mb": rss,
        "stop_s": stop_s,
    }


def main(argv: list[str] | None = None) -> int:
    from bot import db as dbmod

    ap = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--idle", type=float, default=5.0, help="seconds idle before reading RSS")
    ap.add_argument("--log-dir", default="/tmp/saathi-bench-logs")
    args = ap.parse_args(argv)
    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="saathi-startup-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'saathi.db'}"
        dbmod.upgrade(database_url)
        imports = _import_seconds()
        emulator, url = start_emulator(TOKEN, log_dir / "startup-emulator.log")
        try:
            runs = [
                one_run(url, database_url, args.idle, log_dir / f"startup-bot-{i}.log")
                for i in range(args.runs)
            ]
        finally:
            stop_process(emulator)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(f"`python -m bot run`, {args.runs} starts, SQLite, emulator in its own process")
    print(f"  {'run':<5}{'first getUpdates s':>20}{'first API call s':>18}{'idle RSS MB':>13}")
    for i, r in enumerate(runs, 1):
        print(
            f"  {i:<5}{r['first_poll_s']:>20.2f}{r['first_api_call_s']:>18.2f}"
            f"{r['idle_rss_mb']:>13.1f}"
        )
    print(f"  import bot.app in a fresh interpreter: {imports:.2f} s")
    print(f"  stop (SIGTERM to exit), median: {median('stop_s'):.2f} s")
    calibration = calibration_s()
    print(f"  goals: first_poll_s ≤ 2, idle_rss_mb ≤ 120;  load average {os.getloadavg()[0]:.1f}")
    print(f"  CPU speed: sum(range(10**7)) in {calibration:.3f} s")
    out = {
        "first_poll_s": round(median("first_poll_s"), 2),
        "idle_rss_mb": round(median("idle_rss_mb"), 1),
        "runs": args.runs,
        "first_poll_s_all": [round(r["first_poll_s"], 2) for r in runs],
        "idle_rss_mb_all": [round(r["idle_rss_mb"], 1) for r in runs],
        "import_s": round(imports, 2),
        "first_api_call_s": round(median("first_api_call_s"), 2),
        "stop_s": round(median("stop_s"), 2),
        "calibration_s": round(calibration, 3),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
