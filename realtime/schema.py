"""The protocol's frames as one JSON Schema document (see docs/frontend.md).

``protocol_schema()`` describes every registered inbound command
(``realtime.commands.COMMANDS``) and outbound event
(``realtime.events.EVENTS``), so the browser client's types can be generated
from the same pydantic models the server validates with. Call it after the
apps are ready: the apps above realtime (classroom, quizzes) register their
frames from ``AppConfig.ready``.

The document's root is an object with three maps from a frame's ``type`` to
its shape:

- ``commands``: what a client may send (validation mode: a field with a
  default may be left out);
- ``events``: what a client may receive. Every field is present
  (``realtime.broadcast`` dumps whole models) and ``seq`` is required on
  sequenced events and absent from the others;
- ``logged_events``: the events that are written to the event log and sent
  to no socket (neither sequenced nor ephemeral: ``sequenced=False,
  logged=True``, as ``realtime/events.py`` registers them).

Top-level shapes are named after the wire type (``set_viewport`` ->
``SetViewportCommand``, ``quiz_ack`` -> ``QuizAckEvent``); nested shapes keep
their Python class names. Each description names the Python model and, for
commands, the roles that may send it; for events, whether they carry ``seq``
and their coalescing key. ``manage.py protocol_schema`` writes the document
and ``make protocol-types`` turns it into ``frontend/types/protocol.d.ts``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema
from pydantic_core import core_schema

from realtime.commands import COMMANDS, CommandSpec
from realtime.events import EVENTS, PROTOCOL_VERSION, EventSpec
from realtime.roles import ROLES

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_REF_PREFIX = "#/$defs/"


class _FramesSchema(GenerateJsonSchema):
    """Outbound frames are dumped whole: in serialization mode a field with a
    default is still always present, so every field is required."""

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        if self.mode == "serialization":
            return not field.get("serialization_exclude")
        return super().field_is_required(field, total)


def camel(type_name: str) -> str:
    """``set_viewport`` -> ``SetViewport``."""
    return "".join(part[:1].upper() + part[1:] for part in type_name.split("_"))


def is_logged_only(spec: EventSpec) -> bool:
    """Written to the event log, never sent (``student_view``, ``joined``...)."""
    return spec.logged and not spec.sequenced


def _roles(roles: Iterable[str]) -> str:
    return ", ".join(r for r in ROLES if r in roles) or "nobody"


def _python_name(model: type[BaseModel]) -> str:
    return f"{model.__module__}.{model.__qualname__}"


def _command_note(spec: CommandSpec) -> str:
    return f"Sent by: {_roles(spec.roles)}. Server model: {_python_name(spec.model)}."


def _event_note(spec: EventSpec) -> str:
    if is_logged_only(spec):
        delivery = "Logged only, never sent"
    elif spec.sequenced:
        delivery = "Sequenced (carries seq)"
    else:
        delivery = "Not sequenced (no seq)"
    if spec.coalesce:
        delivery += f"; latest value wins (key {spec.coalesce!r})"
    return f"{delivery}. Server model: {_python_name(spec.model)}."


def _walk(node: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    """Call ``visit`` on every schema object below ``node`` (keywords only:
    the names inside ``properties`` and ``$defs`` are data, not keywords)."""
    if not isinstance(node, dict):
        return
    visit(node)
    for key in ("properties", "$defs"):
        for child in node.get(key, {}).values():
            _walk(child, visit)
    for key in ("items", "additionalProperties", "not"):
        _walk(node.get(key), visit)
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for child in node.get(key, []):
            _walk(child, visit)


@dataclass
class _Frames:
    """Every frame model's schema in one ``$defs`` map, renamed after the wire types."""

    defs: dict[str, Any] = field(default_factory=dict)
    renames: dict[str, str] = field(default_factory=dict)  # pydantic's name -> ours
    commands: dict[str, str] = field(default_factory=dict)  # type -> definition name
    events: dict[str, str] = field(default_factory=dict)


def _frame_defs() -> _Frames:
    commands = sorted(COMMANDS.items())
    events = sorted(EVENTS.items())
    inputs: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (spec.model, "validation") for _, spec in commands
    ] + [(spec.model, "serialization") for _, spec in events]
    refs, document = models_json_schema(
        inputs, ref_template=_REF_PREFIX + "{model}", schema_generator=_FramesSchema
    )
    defs: dict[str, Any] = document.get("$defs", {})
    frames = _Frames()
    for type_name, command in commands:
        old = refs[(command.model, "validation")]["$ref"].removeprefix(_REF_PREFIX)
        frames.renames[old] = frames.commands[type_name] = camel(type_name) + "Command"
    for type_name, event in events:
        old = refs[(event.model, "serialization")]["$ref"].removeprefix(_REF_PREFIX)
        frames.renames[old] = frames.events[type_name] = camel(type_name) + "Event"
    new_names = list(frames.renames.values())
    if len(set(new_names)) != len(new_names):
        raise ValueError(f"two frame models share a name: {sorted(new_names)}")
    clashes = set(new_names) & (set(defs) - set(frames.renames))
    if clashes:
        raise ValueError(f"a nested model is named like a frame: {sorted(clashes)}")
    frames.defs = {frames.renames.get(name, name): body for name, body in defs.items()}
    return frames


def protocol_schema() -> dict[str, Any]:
    """The JSON Schema of every registered frame (see the module docstring)."""
    from realtime import routing  # noqa: F401  (the consumer registers the built-in commands)

    frames = _frame_defs()
    defs, renames = frames.defs, frames.renames

    def clean(node: dict[str, Any]) -> None:
        # Field titles ("Slide Id") would become needless type aliases.
        node.pop("title", None)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            old = ref.removeprefix(_REF_PREFIX)
            node["$ref"] = _REF_PREFIX + renames.get(old, old)

    for body in defs.values():
        _walk(body, clean)
    for name, body in defs.items():
        body["title"] = name

    for type_name, command in COMMANDS.items():
        body = defs[frames.commands[type_name]]
        body["description"] = _described(body, _command_note(command))
    for type_name, event in EVENTS.items():
        body = defs[frames.events[type_name]]
        body["description"] = _described(body, _event_note(event))
        properties: dict[str, Any] = body["properties"]
        required: list[str] = [f for f in body.get("required", []) if f != "seq"]
        properties.pop("seq", None)
        if event.sequenced:
            properties["seq"] = {"type": "integer", "minimum": 1}
            required.append("seq")
        body["required"] = required

    def frame_map(title: str, entries: dict[str, str], what: str) -> dict[str, Any]:
        return {
            "title": title,
            "description": what,
            "type": "object",
            "properties": {t: {"$ref": _REF_PREFIX + n} for t, n in sorted(entries.items())},
            "required": sorted(entries),
            "additionalProperties": False,
        }

    commands = frames.commands
    sent = {t: n for t, n in frames.events.items() if not is_logged_only(EVENTS[t])}
    logged = {t: n for t, n in frames.events.items() if is_logged_only(EVENTS[t])}
    return {
        "$schema": DRAFT,
        "title": "Protocol",
        "description": "The live session websocket's frames (docs/protocol.md).",
        "type": "object",
        "properties": {
            "protocol_version": {"const": PROTOCOL_VERSION},
            "commands": frame_map("CommandMap", commands, "Client -> server frames, by type."),
            "events": frame_map("EventMap", sent, "Server -> client frames, by type."),
            "logged_events": frame_map(
                "LoggedEventMap", logged, "Event-log rows that are never sent, by type."
            ),
        },
        "required": ["protocol_version", "commands", "events", "logged_events"],
        "additionalProperties": False,
        "$defs": dict(sorted(defs.items())),
    }


def _described(body: dict[str, Any], note: str) -> str:
    doc = str(body.get("description", "")).strip()
    return f"{doc}\n\n{note}" if doc else note


def schema_text() -> str:
    """``protocol_schema()`` as the exact text ``manage.py protocol_schema`` writes."""
    return json.dumps(protocol_schema(), indent=2, ensure_ascii=False) + "\n"


def schema_digest(text: str) -> str:
    """The SHA-256 recorded in the generated types' header."""
    return hashlib.sha256(text.encode()).hexdigest()
