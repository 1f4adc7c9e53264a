"""The main menu: one registry that each feature adds its buttons to, in order.

Only features that exist add themselves, so the menu never offers what is not there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot import i18n

MenuCallback = Callable[[Any, Any], Awaitable[None]]


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str  # an untranslated msgid, e.g. N_("❓ Help")
    callback: MenuCallback
    order: int = 100
    # Who sees it: None = everyone; else roles such as {"officer", "admin"}. The callback
    # still checks the role itself (a stale keyboard or a typed label reaches it too).
    roles: frozenset[str] | None = None

    def shown_to(self, role: str | None) -> bool:
        return self.roles is None or (role is not None and role in self.roles)


_ITEMS: dict[str, MenuItem] = {}


def add(item: MenuItem) -> None:
    _ITEMS[item.key] = item


def items(role: str | None = None) -> list[MenuItem]:
    """The menu for someone of `role` (None: only the items everyone sees)."""
    return sorted(
        (item for item in _ITEMS.values() if item.shown_to(role)), key=lambda item: item.order
    )


def find(text: str | None) -> MenuItem | None:
    """The menu item whose label (in any language, emoji optional) is this text."""
    if not text:
        return None
    wanted = _normalise(text)
    for item in _ITEMS.values():
        for lang in i18n.LANGUAGES:
            if _normalise(i18n.translator(lang).gettext(item.label)) == wanted:
                return item
    return None


def is_label(text: str, msgid: str) -> bool:
    """Is `text` this button label in any language (a stale keyboard may be in the other one)?"""
    wanted = _normalise(text)
    return any(
        _normalise(i18n.translator(lang).gettext(msgid)) == wanted for lang in i18n.LANGUAGES
    )


def _normalise(text: str) -> str:
    kept = "".join(ch for ch in text if ch.isalnum() or ch.isspace())
    return " ".join(kept.casefold().split())
