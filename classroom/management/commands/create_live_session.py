"""`manage.py create_live_session`: a live session with an agenda (see docs/protocol.md)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from classroom.actions.sessions import AgendaSpec, do_create_session, do_start_session
from classroom.errors import ActionError
from classroom.models import Course
from slides.models import Slide


class Command(BaseCommand):
    help = "Create (and start) a live session of a course, its agenda made of slide ids."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("course", help="course code, e.g. PATH101")
        parser.add_argument("slides", nargs="*", type=int, help="agenda: slide ids in order")
        parser.add_argument("--title", default="Live session")
        parser.add_argument("--teacher", help="username recorded as the creator")
        parser.add_argument("--guests", action="store_true", help="admit guests by join code")
        parser.add_argument("--scheduled", action="store_true", help="do not start it yet")

    def handle(self, *args: Any, **options: Any) -> None:
        course = Course.objects.filter(code=options["course"]).first()
        if course is None:
            raise CommandError(f"no course with code {options['course']!r}")
        teacher = None
        if options["teacher"]:
            teacher = User.objects.filter(username=options["teacher"]).first()
            if teacher is None:
                raise CommandError(f"no user {options['teacher']!r}")
        slides = {s.pk: s for s in Slide.objects.filter(pk__in=options["slides"])}
        missing = [pk for pk in options["slides"] if pk not in slides]
        if missing:
            raise CommandError(f"no slides with ids {missing}")
        try:
            session = do_create_session(
                course,
                title=options["title"],
                created_by=teacher,
                agenda=[AgendaSpec(slides[pk]) for pk in options["slides"]],
                allow_guests=options["guests"],
            )
            if not options["scheduled"]:
                do_start_session(session)
        except ActionError as e:
            raise CommandError(e.message) from e
        self.stdout.write(
            f"session {session.pk} ({session.state}), join code {session.join_code}, "
            f"websocket /ws/sessions/{session.pk}/"
        )
