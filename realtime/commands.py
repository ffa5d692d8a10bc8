"""Inbound websocket commands: typed, strict, range-checked (see docs/protocol.md).

Every client frame is a JSON object with a ``type``; ``parse_command`` turns
the raw text into one registered pydantic model or raises ``ProtocolError``
with a machine-readable code. Unknown fields are rejected, numbers are
range-checked, and each type declares who may send it and its rate limit.

Declared here: the transport's own frames (``ping``, ``resume``), which the
consumer handles itself. Higher apps declare ``Command`` subclasses with a
``Literal`` type and call ``register_command(Model, roles=..., rate=...,
burst=..., handler=...)`` from ``AppConfig.ready`` (classroom/ws.py,
quizzes/ws.py); the consumer dispatches to ``handler(conn, command)``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from realtime.events import type_of
from realtime.roles import EVERYONE

if TYPE_CHECKING:
    from realtime.connection import Connection

MAX_FRAME_BYTES = 64 * 1024
Ref = Annotated[str, StringConstraints(max_length=64)]
SeqNumber = Annotated[int, Field(ge=0, le=2**62)]


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    type: str
    ref: Ref | None = None


# --- everyone ---------------------------------------------------------------
class Ping(Command):
    type: Literal["ping"]
    seq: SeqNumber


class Resume(Command):
    type: Literal["resume"]
    since: SeqNumber


Handler = Callable[["Connection", Any], Awaitable[None]]


@dataclass(frozen=True)
class CommandSpec:
    model: type[Command]
    roles: frozenset[str]
    rate: float  # tokens per second
    burst: float
    handler: Handler | None  # None: handled by the consumer itself
    # A continuous stream (the teacher's viewport, pointer): latest value wins
    # on the way IN as well. While one is being handled, newer frames of the
    # same type replace the pending one, so a backlog of stale positions never
    # builds before fan-out. (Students' report_viewport stays in order: a
    # spotlight right after a report must see it; its rate limit already
    # bounds the backlog.)
    latest_wins: bool = False


COMMANDS: dict[str, CommandSpec] = {}


def register_command(
    model: type[Command],
    *,
    roles: frozenset[str],
    rate: float,
    burst: float,
    handler: Handler | None = None,
    latest_wins: bool = False,
) -> None:
    type_name = type_of(model)
    if type_name in COMMANDS and COMMANDS[type_name].model is not model:
        raise ValueError(f"command type {type_name!r} is already registered")
    COMMANDS[type_name] = CommandSpec(model, roles, rate, burst, handler, latest_wins)


def _ref_of(data: dict[str, Any]) -> str | None:
    ref = data.get("ref")
    return ref[:64] if isinstance(ref, str) else None


def parse_command(text: str) -> tuple[Command, CommandSpec]:
    """Parse one text frame; raises ProtocolError with a precise code."""
    if len(text) > MAX_FRAME_BYTES or len(text.encode()) > MAX_FRAME_BYTES:
        raise ProtocolError("too_large", f"frames are limited to {MAX_FRAME_BYTES} bytes")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        raise ProtocolError("bad_json", f"frame is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise ProtocolError("bad_frame", "a frame must be a JSON object with a 'type'")
    ref = _ref_of(data)
    type_name = data.get("type")
    if not isinstance(type_name, str):
        raise ProtocolError("bad_frame", "missing or non-string 'type'", ref)
    spec = COMMANDS.get(type_name)
    if spec is None:
        raise ProtocolError("unknown_type", f"unknown command type {type_name[:40]!r}", ref)
    try:
        command = spec.model.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "frame"
        code = "out_of_range" if is_range_error(first["type"]) else "invalid"
        raise ProtocolError(code, f"{where}: {first['msg']}", ref) from None
    return command, spec


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed")


def is_range_error(kind: str) -> bool:
    return kind in {
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "finite_number",
    }


# The transport's own frames, handled by the consumer itself.
# Acks: every REALTIME_SEND_WINDOW / 2 seqs (docs/protocol.md, "Delivery").
register_command(Ping, roles=EVERYONE, rate=4, burst=10)
register_command(Resume, roles=EVERYONE, rate=0.5, burst=3)
