"""The runtime sits below the live flow: what happens at a deadline and how a
process resumes are callbacks that ``QuizzesConfig.ready`` connects
(``runtime.register``; see docs/quizzes.md, "Restart resilience")."""

from __future__ import annotations

import time

import pytest

from quizzes import runtime
from quizzes.actions import resume


def test_the_app_connects_the_deadline_close_and_the_resume() -> None:
    assert runtime._at_deadline is resume.close_at_deadline
    assert runtime._resume is resume.resume_open_questions


def test_a_deadline_without_a_handler_is_logged_and_the_timers_keep_running(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(runtime, "_at_deadline", None)
    runtime._fire_deadline(1)
    assert "no deadline handler connected: live question 1 stays open" in caplog.text
    fired: list[int] = []
    monkeypatch.setattr(runtime, "_at_deadline", fired.append)
    runtime._fire_deadline(2)
    assert fired == [2]


def test_ensure_resumed_runs_the_connected_resume_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[float] = []

    def fake_resume() -> None:
        calls.append(time.monotonic())
        runtime.resumed.set()

    monkeypatch.setattr(runtime, "_resume", fake_resume)
    runtime.resumed.clear()
    runtime.ensure_resumed()
    runtime.ensure_resumed()
    assert len(calls) == 1


def test_ensure_resumed_without_a_resume_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runtime, "_resume", None)
    runtime.resumed.clear()
    with pytest.raises(RuntimeError, match="no resume connected"):
        runtime.ensure_resumed()
