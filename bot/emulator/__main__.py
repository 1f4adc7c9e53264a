"""``python -m bot.emulator --host 127.0.0.1 --port 8081 --token 123:ABC``"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from .server import EmulatorServer


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m bot.emulator", description="Loopback Telegram Bot API emulator"
    )
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--token", default="123456789:EMULATOR-TOKEN")
    ap.add_argument("--bot-username", default="odop_saathi_bot")
    ap.add_argument("--bot-name", default="ODOP Saathi")
    args = ap.parse_args(argv)

    async def run() -> None:
        server = EmulatorServer(
            args.token,
            args.host,
            args.port,
            bot_username=args.bot_username,
            bot_name=args.bot_name,
        )
        await server.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        print(f"Telegram Bot API emulator: {server.url}", flush=True)
        print(f"  bot API root (TELEGRAM_API_URL): {server.api_root}", flush=True)
        print(f"  demo chat page: {server.url}/", flush=True)
        try:
            await stop.wait()
        finally:
            await server.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()
