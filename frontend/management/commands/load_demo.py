"""`manage.py load_demo`: the demo classroom (see docs/deploy.md, "Trying it out")."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from frontend import demo


class Command(BaseCommand):
    help = (
        "Create (or restore) the demo users, the PATH101 course, its live session and "
        "agenda, and the demo questions. Safe to run again. Run make_demo_slides first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=demo.DEMO_PASSWORD,
            help=f"password for every demo login (default: {demo.DEMO_PASSWORD})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = demo.load_demo(password=options["password"])
        root = settings.SITE_ROOT.rstrip("/")
        out = self.stdout
        ok = self.style.SUCCESS
        out.write(ok(f"Demo ready: {summary.course} with {len(summary.slides)} slide(s)."))
        for note in summary.notes:
            out.write(self.style.WARNING(note))
        session = summary.session
        out.write("")
        out.write(
            f"  Live session  {session.title!r}: join code {session.join_code} "
            f"(guests allowed), {session.agenda.count()} agenda item(s)"
        )
        out.write(
            f"  Teach         {root}{reverse('frontend:teach', args=[session.pk])}"
            f"   (log in as {demo.TEACHER})"
        )
        out.write(f"  Projector     {root}{reverse('frontend:project', args=[session.pk])}")
        out.write(
            f"  Students      {root}{reverse('frontend:join-code', args=[session.join_code])}"
            "   (a guest, or log in as a demo student)"
        )
        out.write(f"  Questions     {summary.questions}")
        out.write("")
        out.write(f"  Home          {root}{reverse('frontend:home')}")
        for slide in summary.slides:
            out.write(
                f"  Viewer        {root}{reverse('frontend:viewer', args=[slide.pk])}  {slide}"
            )
        out.write(f"  Admin         {root}{reverse('admin:index')}")
        out.write("")
        out.write("  Demo logins (username / password):")
        width = max(len(u.username) for u in summary.users)
        for user in summary.users:
            out.write(f"    {user.username:<{width}}  {user.password}   {user.role}")
        out.write("")
