"""The classroom app: courses, sessions, agendas, annotations (docs/architecture.md).

``ready`` plugs the classroom into the transport (realtime), which knows
nothing of courses: who may join a session's socket, the commands and events
of a lecture, the classroom's part of the snapshot, the live-state fields it
keeps, where the event log is written, and what a session's hub reads as it
starts. It answers the slide library's questions about courses too (who may
see a course's slides, who teaches, linking a slide to a course).
"""

from typing import Any

from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "classroom"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from classroom import admission, eventlog, events, facts, snapshot, ws
        from classroom.library import CourseLibrary
        from classroom.models import LiveSession
        from realtime import eventlog as realtime_eventlog
        from realtime.admission import register_admission
        from realtime.hub import register_hub_start_hook
        from realtime.state import register_state_fields
        from slides.courses import register_course_directory

        events.register_events()
        ws.register()
        snapshot.register()
        register_admission(admission.admit)
        register_state_fields(
            "slide_id", "agenda_index", "viewport", "locked", "spotlight", "state"
        )
        realtime_eventlog.register_sink(eventlog.write_events)
        register_hub_start_hook(facts.warm_session_facts)
        post_delete.connect(_forget_deleted_session, sender=LiveSession, dispatch_uid="forget")
        # slides asks its questions about courses through this (slides/courses.py).
        register_course_directory(CourseLibrary())


def _forget_deleted_session(sender: Any, instance: Any, **kwargs: Any) -> None:
    from classroom.admission import forget_session
    from classroom.facts import forget_session_facts

    forget_session(instance.pk)
    forget_session_facts(instance.pk)
