"""The quizzes app (see docs/quizzes.md); ``ready`` wires the live quiz frames
into the session websocket (quizzes/ws.py, docs/protocol.md "Quizzes") and,
in a process that serves, resumes the open live questions at start-up."""

import os
import sys
from collections.abc import Container, Mapping, Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings


class QuizzesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quizzes"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from classroom.models import LiveSession
        from quizzes import events, runtime, ws
        from quizzes.actions import resume

        events.register_events()
        ws.register()
        # The runtime sits below the actions: its deadline timers and
        # ensure_resumed call them through these.
        runtime.register(at_deadline=resume.close_at_deadline, resume=resume.resume_open_questions)
        post_save.connect(
            _close_questions_when_session_ends, sender=LiveSession, dispatch_uid="quiz-session-end"
        )
        asgi_module = settings.ASGI_APPLICATION.rpartition(".")[0]
        if serves_requests(sys.argv, os.environ, sys.modules, asgi_module=asgi_module):
            resume.resume_in_background()


def serves_requests(
    argv: Sequence[str],
    environ: Mapping[str, str],
    modules: Container[str],
    *,
    asgi_module: str,
) -> bool:
    """Whether this process is starting up to serve (so it resumes live questions).

    An ASGI server (daphne, uvicorn, gunicorn) sets Django up by importing
    the ASGI module, so it is being imported while the apps get ready;
    ``manage.py runserver`` serves in the autoreloader's child (``RUN_MAIN``)
    or with ``--noreload``. Every other management command (``migrate``,
    ``load_demo``, ``run_worker``...), the reloader's parent and the tests
    do not.
    """
    if asgi_module and asgi_module in modules:
        return True
    if len(argv) > 1 and argv[1] == "runserver":
        return "--noreload" in argv or environ.get("RUN_MAIN") == "true"
    return False


def _close_questions_when_session_ends(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A session that ends closes its open question (``quiz_closed``, reason ``ended``)."""
    from django.db import transaction

    from classroom.models import LiveSession
    from quizzes.actions.live import close_open_questions

    if instance.state != LiveSession.State.ENDED:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "state" not in update_fields:
        return
    transaction.on_commit(lambda: close_open_questions(instance), robust=True)
