"""Conversations as data: a flow is a set of named steps; the current step is a database row.

One small dispatcher routes a user's message to the step they are at (`route`), re-asks the
current step's question (`reprompt`), and leaves any flow cleanly (`cancel`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import Update

from bot.services import conversation

if TYPE_CHECKING:
    from bot.turn import SaathiContext
    from models import Conversation

StepFn = Callable[[Update, "SaathiContext", "Conversation"], Awaitable[None]]


@dataclass(frozen=True)
class Step:
    prompt: StepFn  # (re)ask this step's question
    on_message: StepFn  # a message arrived while the user is at this step


@dataclass(frozen=True)
class Flow:
    name: str
    steps: dict[str, Step]
    on_cancel: StepFn  # the user sent /cancel at any step


FLOWS: dict[str, Flow] = {}


def register(flow: Flow) -> Flow:
    FLOWS[flow.name] = flow
    return flow


async def current(context: SaathiContext) -> tuple[Flow, Conversation] | None:
    user = context.user
    if user is None:
        return None
    conv = await conversation.get(context.db, user.id)
    if conv is None or conv.flow not in FLOWS or conv.step not in FLOWS[conv.flow].steps:
        return None
    return FLOWS[conv.flow], conv


async def route(update: Update, context: SaathiContext) -> bool:
    """Give the message to the current step. False when the user is in no flow."""
    found = await current(context)
    if found is None:
        return False
    flow, conv = found
    await flow.steps[conv.step].on_message(update, context, conv)
    return True


async def reprompt(update: Update, context: SaathiContext) -> bool:
    found = await current(context)
    if found is None:
        return False
    flow, conv = found
    await flow.steps[conv.step].prompt(update, context, conv)
    return True


async def cancel(update: Update, context: SaathiContext) -> bool:
    found = await current(context)
    if found is None:
        return False
    flow, conv = found
    await flow.on_cancel(update, context, conv)
    return True
