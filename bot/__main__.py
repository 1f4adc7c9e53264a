"""The `saathi` command (also `python -m bot`): run, demo, db upgrade."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import tempfile
from pathlib import Path

from pydantic import SecretStr, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from bot import db as dbmod
from bot.config import Settings
from bot.logs import setup_logging

log = logging.getLogger("bot")

NO_TOKEN_MESSAGE = """\
ODOP Saathi needs a Telegram bot token to run.

  1. Open Telegram and start a chat with @BotFather.
  2. Send /newbot and follow the steps; BotFather replies with a token like 123456:ABC-DEF...
  3. Set it and start again:   export TELEGRAM_BOT_TOKEN='<your token>'   then   saathi run

To try the bot without a token, run:   saathi demo
(it starts the bot against a built-in Telegram emulator and opens a web chat page).
"""

DEMO_TOKEN = "100001:DEMO-odop-saathi-loopback-token-0000"
DEMO_USERS = (
    # (id, first name, Telegram language_code)
    (1001, "सीमा", "hi"),
    (1002, "Ravi", "en"),
    (1003, "अधिकारी", "hi"),
    (1004, "Admin", "en"),
)
DEMO_ADMIN_ID = 1004


def _settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        print(f"Configuration error:\n{exc}", file=sys.stderr)
        raise SystemExit(2) from None


def prepare_database(settings: Settings) -> None:
    """Create and migrate the default SQLite database; elsewhere refuse an old schema."""
    if settings.database_is_default:
        dbmod.upgrade(settings.database_url)
    dbmod.check_schema(settings.database_url)


def cmd_run(_args: argparse.Namespace) -> int:
    settings = _settings()
    if not settings.token:
        print(NO_TOKEN_MESSAGE, file=sys.stderr)
        return 2
    if settings.webhook_url and not settings.webhook_secret:
        print(
            "WEBHOOK_URL is set but WEBHOOK_SECRET is not: set a secret (letters, digits, _ and -).",
            file=sys.stderr,
        )
        return 2
    webhook_secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    setup_logging(settings.log_level, settings.token, webhook_secret)
    try:
        prepare_database(settings)
    except dbmod.SchemaOutOfDate as exc:
        print(str(exc), file=sys.stderr)
        return 3
    except SQLAlchemyError as exc:
        print(f"Cannot use the database: {_reason(exc)}", file=sys.stderr)
        return 3
    from bot.app import build_application

    app = build_application(settings)
    log.info("ODOP Saathi starting (API %s)", settings.telegram_api_url)
    asyncio.run(_serve_until_signal(app))
    return 0


async def _serve_until_signal(app) -> None:  # type: ignore[no-untyped-def]
    from bot.app import serve

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await serve(app, stop)


def cmd_db(args: argparse.Namespace) -> int:
    settings = _settings()
    setup_logging(settings.log_level)
    try:
        return _db_action(args.action, settings)
    except SQLAlchemyError as exc:
        print(f"Cannot use the database: {_reason(exc)}", file=sys.stderr)
        return 3


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's own message, without SQLAlchemy's statement/URL context."""
    original = getattr(exc, "orig", None)
    return str(original or exc).splitlines()[0]


def _db_action(action: str, settings: Settings) -> int:
    if action == "upgrade":
        dbmod.upgrade(settings.database_url)
        print(f"Database is at revision {dbmod.current_revision(settings.database_url)}.")
        return 0
    current, head = dbmod.current_revision(settings.database_url), dbmod.head_revision()
    print(f"current: {current}\nhead:    {head}")
    return 0 if current == head else 1


async def run_demo(host: str, port: int, data_dir: Path) -> None:
    from bot.app import build_application
    from bot.emulator.client import EmulatorClient
    from bot.emulator.server import EmulatorServer

    url = f"sqlite:///{data_dir / 'demo.db'}"
    dbmod.upgrade(url)
    async with EmulatorServer(DEMO_TOKEN, host=host, port=port) as emu:
        async with EmulatorClient(emu.url) as client:
            for uid, name, lang in DEMO_USERS:
                await client.create_user(id=uid, first_name=name, language_code=lang)
        settings = _settings(
            telegram_bot_token=SecretStr(DEMO_TOKEN),
            telegram_api_url=emu.url,
            database_url=url,
            admin_ids=frozenset({DEMO_ADMIN_ID}),
        )
        app = build_application(settings)
        await _seed_demo_officer(app.bot_data["db"])
        print(
            f"\nODOP Saathi demo is running: open {emu.url}/ in a browser.\nPress Ctrl+C to stop.",
            flush=True,
        )
        await _serve_until_signal(app)


DEMO_OFFICER_ID, DEMO_OFFICER_DISTRICT = 1003, "lucknow"


async def _seed_demo_officer(db) -> None:  # type: ignore[no-untyped-def]
    """Demo user 1003 is the district officer of Lucknow, so broadcasts can be tried at once."""
    from models import Role, User
    from models.types import utcnow

    async with db.session() as session:
        if await session.get(User, DEMO_OFFICER_ID) is None:
            now = utcnow()
            session.add(
                User(
                    id=DEMO_OFFICER_ID,
                    language="hi",
                    role=Role.OFFICER.value,
                    name="ज़िला अधिकारी",
                    district_code=DEMO_OFFICER_DISTRICT,
                    consent_version="staff",
                    consent_at=now,
                    onboarded_at=now,
                )
            )


def cmd_demo(args: argparse.Namespace) -> int:
    setup_logging("WARNING", DEMO_TOKEN)
    with tempfile.TemporaryDirectory(prefix="saathi-demo-") as tmp:
        asyncio.run(run_demo(args.host, args.port, Path(tmp)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="saathi", description="ODOP Saathi Telegram bot")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot (long polling)").set_defaults(func=cmd_run)
    demo = sub.add_parser("demo", help="run the bot against the built-in emulator + web chat")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.set_defaults(func=cmd_demo)
    dbp = sub.add_parser("db", help="database schema")
    dbp.add_argument("action", choices=["upgrade", "check"])
    dbp.set_defaults(func=cmd_db)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
