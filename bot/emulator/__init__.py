"""A loopback Telegram Bot API emulator (aiohttp) and a web chat demo page.

The real python-telegram-bot ``Application`` talks to it exactly as to api.telegram.org when
configured with ``base_url=f"{url}/bot"`` and ``base_file_url=f"{url}/file/bot"``.
"""

from .client import EmulatorClient
from .core import ApiError, Emulator, EmulatorConfig
from .server import EmulatorServer, create_app

__all__ = [
    "ApiError",
    "Emulator",
    "EmulatorClient",
    "EmulatorConfig",
    "EmulatorServer",
    "create_app",
]
