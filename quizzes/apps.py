"""The quizzes app (see docs/quizzes.md); ``ready`` wires the live quiz frames
into the session websocket (quizzes/ws.py, docs/protocol.md "Quizzes")."""

from typing import Any

from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quizzes"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from classroom.models import LiveSession
        from quizzes import ws

        ws.register()
        post_save.connect(
            _close_questions_when_session_ends, sender=LiveSession, dispatch_uid="quiz-session-end"
        )


def _close_questions_when_session_ends(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A session that ends closes its open question (``quiz_closed``, reason ``ended``)."""
    from django.db import transaction

    from classroom.models import LiveSession
    from quizzes.actions import close_open_questions

    if instance.state != LiveSession.State.ENDED:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "state" not in update_fields:
        return
    transaction.on_commit(lambda: close_open_questions(instance), robust=True)
