"""Group names, and the command and event registries other apps extend."""

from __future__ import annotations

from typing import Literal

import pytest

from realtime.commands import (
    COMMANDS,
    Command,
    ProtocolError,
    parse_command,
    register_command,
)
from realtime.events import EVENTS, Event, register_event, validate_event
from realtime.groups import group_name
from realtime.roles import STAFF


def test_group_names_are_short_ascii_and_built_from_valid_ids(settings):
    settings.REALTIME_PREFIX = "scrt"
    assert group_name(42) == "scrt.session.42"
    name = group_name(2**62)
    assert name.isascii() and len(name) < 100
    for bad in (0, -1, True, "42", 4.2):
        with pytest.raises(ValueError):
            group_name(bad)  # type: ignore[arg-type]


def test_a_bad_prefix_is_refused(settings):
    settings.REALTIME_PREFIX = "no spaces please"
    with pytest.raises(ValueError, match="REALTIME_PREFIX"):
        group_name(1)


def test_another_app_can_register_a_command_and_an_event():
    class QuizAnswer(Command):
        type: Literal["test_quiz_answer"]
        choice: int

    class QuizTally(Event):
        type: Literal["test_quiz_tally"]
        counts: list[int]

    async def handler(conn, command):
        return None

    register_command(QuizAnswer, roles=STAFF, rate=1, burst=1, handler=handler)
    register_event(QuizTally, sequenced=True, coalesce="test_quiz_tally")
    try:
        command, spec = parse_command('{"type": "test_quiz_answer", "choice": 2}')
        assert isinstance(command, QuizAnswer) and spec.handler is handler
        validate_event({"type": "test_quiz_tally", "counts": [1, 2]})
        validate_event({"seq": 3, "type": "test_quiz_tally", "counts": [1]}, delivered=True)
    finally:
        del COMMANDS["test_quiz_answer"]
        del EVENTS["test_quiz_tally"]


def test_a_type_cannot_be_registered_twice_with_another_shape():
    class Impostor(Command):
        type: Literal["lock"]

    with pytest.raises(ValueError, match="already registered"):
        register_command(Impostor, roles=STAFF, rate=1, burst=1)


def test_undeclared_or_misshapen_events_fail_validation():
    with pytest.raises(ValueError, match="unknown event type"):
        validate_event({"type": "surprise"})
    with pytest.raises(ValueError):
        validate_event({"type": "lock", "locked": "yes"})
    with pytest.raises(ValueError, match="seq"):
        validate_event({"type": "lock", "locked": True}, delivered=True)
    with pytest.raises(ValueError, match="seq"):
        validate_event({"seq": 1, "type": "pointer", "point": None}, delivered=True)


def test_parse_command_names_the_offending_field():
    with pytest.raises(ProtocolError) as e:
        parse_command('{"type": "open_item", "index": "first"}')
    assert e.value.code == "invalid" and e.value.message.startswith("index")
