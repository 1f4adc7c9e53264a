"""Telegram handlers: one module per feature, each exposing HANDLERS. Thin: parse, call a
service, reply."""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    admin,
    broadcast,
    errors,
    groups,
    language,
    menu,
    onboarding,
    privacy,
    products,
    reports,
    router,
    sales,
    sales_import,
    stats,
    summaries,
    tips,
)


def register(app: Application) -> None:  # type: ignore[type-arg]
    # Groups first, so that nothing else answers there; then commands; the router last.
    for module in (
        groups,
        onboarding,
        menu,
        language,
        sales,
        reports,
        sales_import,
        privacy,
        summaries,
        products,
        tips,
        admin,
        broadcast,
        stats,
        router,
    ):
        app.add_handlers(module.HANDLERS)
    app.add_error_handler(errors.on_error)
