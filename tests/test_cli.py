"""The `saathi` command: clear messages instead of tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot import db as dbmod


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, **(env or {})},
        cwd="/",
    )


def test_run_without_token_explains_and_exits_nonzero() -> None:
    result = run("run")
    assert result.returncode == 2
    assert "@BotFather" in result.stderr and "saathi demo" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_out_of_date_schema_is_reported(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    dbmod.upgrade(url, "0001")
    result = run("run", env={"TELEGRAM_BOT_TOKEN": "1:" + "x" * 30, "DATABASE_URL": url})
    assert result.returncode == 3
    assert "saathi db upgrade" in result.stderr and "0001" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_then_check(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    env = {"DATABASE_URL": url}
    assert run("db", "check", env=env).returncode == 1
    upgraded = run("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert run("db", "check", env=env).returncode == 0
    assert dbmod.current_revision(url) == dbmod.head_revision()


def test_unreachable_database_is_explained(tmp_path: Path) -> None:
    unreachable = {
        "missing directory": f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}",
        "refused": "postgresql://saathi:hunter2@127.0.0.1:9/x",
    }
    for name, url in unreachable.items():
        for args, env in (
            (("db", "check"), {"DATABASE_URL": url}),
            (("run",), {"DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": "1:" + "x" * 30}),
        ):
            result = run(*args, env=env)
            output = result.stderr + result.stdout
            assert result.returncode == 3, (name, args, output)
            assert "Cannot use the database" in output, (name, args)
            assert "Traceback" not in output and "hunter2" not in output, (name, args)
