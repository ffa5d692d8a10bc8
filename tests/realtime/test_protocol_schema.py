"""The protocol's JSON Schema (realtime/schema.py) describes the frames honestly.

It lists every registered command and event, quizzes' too; every frame
documented in docs/protocol.md validates against it as sent; and it is as
strict as the server: extra fields, a missing field or a misplaced ``seq``
are invalid.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from jsonschema import Draft202012Validator

from realtime.commands import COMMANDS
from realtime.events import EVENTS
from realtime.schema import protocol_schema, schema_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return protocol_schema()


def _valid(schema: dict[str, Any], kind: str, frame: dict[str, Any]) -> bool:
    """Whether ``frame`` fits the schema's ``kind`` map entry for its type."""
    entry = schema["properties"][kind]["properties"].get(frame.get("type"))
    if entry is None:
        return False
    wrapper = {"$defs": schema["$defs"], "$ref": entry["$ref"]}
    return bool(Draft202012Validator(wrapper).is_valid(frame))


def _documented_frames() -> list[tuple[str, dict[str, Any]]]:
    """(kind, frame) for each JSON example of docs/protocol.md that is a frame."""
    kinds = {"Client → server": "commands", "Server → client": "events", "Snapshot": "events"}
    found: list[tuple[str, dict[str, Any]]] = []
    chapter = heading = ""
    block: list[str] | None = None
    for line in DOC.read_text().splitlines():
        if block is None and line.startswith("## "):
            chapter = heading = line[3:].strip()
        elif block is None and line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.strip() == "```json":
            block = []
        elif block is not None and line.strip() == "```":
            kind = "logged_events" if heading == "Event log" else kinds.get(heading)
            # The quizzes chapter's "Snapshot" example is snapshot.question, not a frame.
            if kind and not (chapter == "Quizzes" and heading == "Snapshot"):
                text, decoder, at = "\n".join(block), json.JSONDecoder(), 0
                while at < len(text):
                    if text[at].isspace():
                        at += 1
                        continue
                    value, at = decoder.raw_decode(text, at)
                    found.append((kind, value))
            block = None
        elif block is not None:
            block.append(line)
    return found


def test_it_lists_every_registered_command_and_event(schema):
    maps = schema["properties"]
    assert set(maps["commands"]["properties"]) == set(COMMANDS)
    sent, logged = set(maps["events"]["properties"]), set(maps["logged_events"]["properties"])
    assert sent | logged == set(EVENTS) and not sent & logged
    assert {"quiz_answer", "quiz_push"} <= set(COMMANDS)  # the quizzes app's, from ready()
    assert {"quiz_ack", "quiz_question"} <= sent
    assert logged == {"student_view", "joined", "left", "follow"}


def test_frames_are_named_after_their_wire_type(schema):
    commands = schema["properties"]["commands"]["properties"]
    events = schema["properties"]["events"]["properties"]
    assert commands["set_viewport"] == {"$ref": "#/$defs/SetViewportCommand"}
    assert events["quiz_ack"] == {"$ref": "#/$defs/QuizAckEvent"}
    assert schema["$defs"]["SetViewportCommand"]["title"] == "SetViewportCommand"
    assert schema["properties"]["protocol_version"] == {"const": 1}


def test_every_documented_frame_validates(schema):
    frames = _documented_frames()
    assert len(frames) > 50
    invalid = [(kind, frame) for kind, frame in frames if not _valid(schema, kind, frame)]
    assert not invalid, invalid
    documented = {(kind, frame["type"]) for kind, frame in frames}
    for kind in ("commands", "events", "logged_events"):
        missing = {
            t for t in schema["properties"][kind]["properties"] if (kind, t) not in documented
        }
        assert not missing, f"{kind} without an example in docs/protocol.md: {missing}"


def test_seq_is_required_on_sequenced_events_and_absent_from_the_others(schema):
    view = {"slide_id": 7, "x": 1.0, "y": 2.0, "zoom": 0.5, "rotation": 0.0}
    assert _valid(schema, "events", {"seq": 41, "type": "viewport", "viewport": view})
    assert not _valid(schema, "events", {"type": "viewport", "viewport": view})
    assert _valid(schema, "events", {"type": "pointer", "point": [1.0, 2.0]})
    assert not _valid(schema, "events", {"seq": 3, "type": "pointer", "point": None})
    ack = {"type": "pong", "last_seq": 3}
    assert _valid(schema, "events", ack) and not _valid(schema, "events", ack | {"seq": 3})


def test_events_carry_every_field_even_those_with_a_default(schema):
    # AgendaEntry.notes defaults to None on the server, and is always sent.
    agenda = schema["$defs"]["AgendaEntry"]
    assert "notes" in agenda["required"]
    hand = {"seq": 5, "type": "hand", "participant": "u:1", "name": "A", "raised": True}
    assert _valid(schema, "events", hand)
    assert not _valid(schema, "events", {k: v for k, v in hand.items() if k != "name"})


def test_commands_may_leave_out_defaults_but_not_add_fields(schema):
    frame = {"type": "set_viewport", "slide_id": 7, "x": 1.0, "y": 2.0, "zoom": 0.5}
    assert _valid(schema, "commands", frame)
    assert not _valid(schema, "commands", frame | {"colour": "#ffffff"})
    assert not _valid(schema, "commands", frame | {"zoom": 0})
    assert not _valid(schema, "commands", {"type": "no_such_command"})


def test_descriptions_name_the_roles_and_the_delivery(schema):
    defs = schema["$defs"]
    assert "Sent by: teacher, assistant." in defs["SetViewportCommand"]["description"]
    assert "Sent by: student, guest." in defs["QuizAnswerCommand"]["description"]
    assert "Sequenced" in defs["ViewportEvent"]["description"]
    assert "key 'viewport'" in defs["ViewportEvent"]["description"]
    assert "quizzes.events.QuizAckEvent" in defs["QuizAckEvent"]["description"]
    assert "never sent" in defs["JoinedEvent"]["description"]


def test_the_command_writes_the_schema_to_stdout_or_a_file(tmp_path):
    out = io.StringIO()
    call_command("protocol_schema", stdout=out)
    assert out.getvalue() == schema_text()
    target = tmp_path / "schema.json"
    call_command("protocol_schema", output=str(target))
    assert json.loads(target.read_text()) == json.loads(schema_text())


def test_the_command_refuses_a_file_in_a_missing_directory(tmp_path):
    with pytest.raises(CommandError, match="is not a directory"):
        call_command("protocol_schema", output=str(tmp_path / "nowhere" / "schema.json"))
