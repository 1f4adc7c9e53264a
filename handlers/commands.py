"""The bot's command list, per language (shown by Telegram's menu button)."""

from __future__ import annotations

from telegram import BotCommand

from bot.i18n import N_, Translator

COMMANDS = (
    ("menu", N_("Main menu")),
    ("help", N_("Help")),
    ("language", N_("Change language / भाषा बदलें")),
    ("cancel", N_("Stop what you are doing")),
    ("settings", N_("Summaries: on or off, day and time")),
    ("privacy", N_("Your data and privacy")),
    ("start", N_("Register or start again")),
)


def bot_commands(tr: Translator) -> list[BotCommand]:
    return [BotCommand(name, tr.gettext(description)) for name, description in COMMANDS]
