"""Every JSON example in docs/protocol.md is a real frame (up to its Quizzes
section, which the quizzes app documents and tests).

Examples under "Client → server" must parse as registered commands; those
under "Server → client", "Snapshot" and "Event log" must validate against
the event shapes in realtime/events.py, as delivered. Every built-in command
and event type has at least one example.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from realtime.commands import COMMANDS, parse_command
from realtime.events import EVENTS, validate_event

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
COMMAND_SECTIONS = {"Client → server"}
EVENT_SECTIONS = {"Server → client", "Snapshot", "Event log"}
NOT_FRAMES = {"Joining by code (HTTP)"}  # an HTTP exchange, not websocket frames


def _examples() -> list[tuple[str, Any]]:
    """(section heading, decoded object) for each JSON value in the ```json blocks."""
    found: list[tuple[str, Any]] = []
    heading, in_block = "", False
    block: list[str] = []
    for line in DOC.read_text().splitlines():
        if not in_block and line.startswith("#"):
            heading = line.lstrip("#").strip()
            if heading == "Quizzes":
                break
        elif line.strip() == "```json":
            in_block, block = True, []
        elif in_block and line.strip() == "```":
            in_block = False
            text, decoder, at = "\n".join(block), json.JSONDecoder(), 0
            if heading in NOT_FRAMES:
                continue
            while at < len(text):
                if text[at].isspace():
                    at += 1
                    continue
                value, at = decoder.raw_decode(text, at)
                found.append((heading, value))
        elif in_block:
            block.append(line)
    return found


def _builtin(names: Any) -> set[str]:
    return {n for n in names if not n.startswith(("quiz_", "test_"))}


def test_every_example_is_in_a_known_section() -> None:
    sections = {heading for heading, _ in _examples()}
    assert sections <= COMMAND_SECTIONS | EVENT_SECTIONS, sections


def test_every_client_example_parses_as_its_command() -> None:
    commands = [value for heading, value in _examples() if heading in COMMAND_SECTIONS]
    for value in commands:
        command, _ = parse_command(json.dumps(value))
        assert command.type == value["type"]
    missing = _builtin(COMMANDS) - {value["type"] for value in commands}
    assert not missing, f"document these commands with an example: {sorted(missing)}"


def test_every_server_example_matches_its_event_shape() -> None:
    events = [value for heading, value in _examples() if heading in EVENT_SECTIONS]
    for value in events:
        validate_event(value, delivered=True)
    missing = _builtin(EVENTS) - {value["type"] for value in events}
    assert not missing, f"document these events with an example: {sorted(missing)}"
