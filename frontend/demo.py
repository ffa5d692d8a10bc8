"""The demo classroom behind `make demo` (see docs/deploy.md, "Trying it out").

`load_demo()` is idempotent: run it any number of times and the demo users,
the PATH101 course, its live session and agenda end up in the same state,
with the documented password. Demo slides come from `manage.py
make_demo_slides` (slides app); the demo question set from
`quizzes.demo.load_demo_questions`. Both are optional: missing slides are
reported, and a failing question loader leaves the rest of the demo in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When

from classroom.actions.sessions import AgendaSpec, do_create_session, do_start_session
from classroom.models import Course, LiveSession, Membership
from classroom.viewports import View, overview
from quizzes.demo import load_demo_questions
from slides import demo as slide_demo
from slides.models import Slide

DEMO_PASSWORD = "scopecast-demo"
TEACHER = "demo-teacher"
ASSISTANT = "demo-assistant"
STUDENTS = ("demo-student1", "demo-student2", "demo-student3")
ADMIN = "demo-admin"
COURSE_CODE = "PATH101"
COURSE_TITLE = "Histopathology 101"
COURSE_DESCRIPTION = (
    "Normal and diseased liver and kidney under the microscope: a demo course "
    "created by `manage.py load_demo`."
)
SESSION_TITLE = "Liver and kidney basics"
MAX_AGENDA_SLIDES = 8


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    password: str


@dataclass
class DemoSummary:
    users: list[DemoUser]
    course: Course
    session: LiveSession
    slides: list[Slide]
    questions: str = "not loaded"
    notes: list[str] = field(default_factory=list)


def _user(username: str, first: str, last: str, password: str, **flags: bool) -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.first_name = first
    user.last_name = last
    user.email = f"{username}@demo.scopecast.invalid"
    user.is_active = True
    for name, value in flags.items():
        setattr(user, name, value)
    user.set_password(password)
    user.save()
    return user


def find_demo_slides() -> list[Slide]:
    """The slides of `make_demo_slides` in their order; else ready slides, demo-teacher's first."""
    demo = [slide_demo.demo_slide(spec.key) for spec in slide_demo.DEMO_SLIDES]
    made = [s for s in demo if s is not None and s.status == Slide.Status.READY]
    if made:
        return made[:MAX_AGENDA_SLIDES]
    preference = Case(
        When(owner__username=TEACHER, then=Value(0)),
        When(visibility=Slide.Visibility.PUBLIC, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    ready = Slide.objects.filter(status=Slide.Status.READY).annotate(demo_rank=preference)
    return list(ready.order_by("demo_rank", "title", "id")[:MAX_AGENDA_SLIDES])


def detail_view(slide: Slide, magnification: float = 10.0) -> dict[str, float]:
    """A closer look near the centre: ``magnification`` on a calibrated slide, else 25 %."""
    base = slide.objective_power or (10.0 / slide.mpp_x if slide.mpp_x else None)
    zoom = min(1.0, magnification / base) if base else 0.25
    return {
        "x": round(slide.width * 0.45, 1),
        "y": round(slide.height * 0.55, 1),
        "zoom": round(zoom, 6),
        "rotation": 0.0,
    }


def agenda_plan(slides: Sequence[Slide]) -> list[AgendaSpec]:
    """Each slide's overview; the first slide also gets a close-up."""
    plan: list[AgendaSpec] = []
    for i, slide in enumerate(slides):
        plan.append(
            AgendaSpec(slide, overview(slide), f"Overview of {slide.title}: orient the class.")
        )
        if i == 0:
            plan.append(
                AgendaSpec(
                    slide, detail_view(slide), "Zoom in: point out nuclei, stroma and a lumen."
                )
            )
    return plan


def _same_agenda(session: LiveSession, plan: Sequence[AgendaSpec]) -> bool:
    have = [(a.slide_id, a.view, a.notes) for a in session.agenda.order_by("position", "id")]
    want = [
        (p.slide.pk, p.view.model_dump() if isinstance(p.view, View) else p.view, p.notes)
        for p in plan
    ]
    return have == want


def _demo_session(course: Course, teacher: User, slides: Sequence[Slide]) -> LiveSession:
    """The live session, through classroom.actions; rebuilt if it ended or its agenda changed."""
    plan = agenda_plan(slides)
    session = LiveSession.objects.filter(course=course, title=SESSION_TITLE).first()
    if session is not None and (
        session.state == LiveSession.State.ENDED or not _same_agenda(session, plan)
    ):
        session.delete()
        session = None
    if session is None:
        session = do_create_session(
            course, title=SESSION_TITLE, created_by=teacher, agenda=plan, allow_guests=True
        )
    elif not session.allow_guests:
        session.allow_guests = True
        session.save(update_fields=["allow_guests"])
    do_start_session(session)
    return session


def _load_questions(course: Course, teacher: User, slides: list[Slide]) -> str:
    """The demo question set (``quizzes.demo``); a failure keeps the rest of the demo."""
    try:
        with transaction.atomic():  # a savepoint: a failing loader keeps the rest of the demo
            result = load_demo_questions(course=course, slides=slides, teacher=teacher)
    except Exception as e:  # the demo must come up even if the quiz demo is mid-change
        return f"failed: {type(e).__name__}: {e}"
    return f"loaded ({result})"


@transaction.atomic
def load_demo(password: str = DEMO_PASSWORD) -> DemoSummary:
    teacher = _user(TEACHER, "Tess", "Demo-Teacher", password)
    assistant = _user(ASSISTANT, "Ali", "Demo-Assistant", password)
    students = [
        _user(name, f"Student {i}", "Demo", password) for i, name in enumerate(STUDENTS, start=1)
    ]
    _user(ADMIN, "Ada", "Demo-Admin", password, is_staff=True, is_superuser=True)

    course, _ = Course.objects.update_or_create(
        code=COURSE_CODE, defaults={"title": COURSE_TITLE, "description": COURSE_DESCRIPTION}
    )
    roles = [(teacher, Membership.Role.TEACHER), (assistant, Membership.Role.ASSISTANT)]
    roles += [(s, Membership.Role.STUDENT) for s in students]
    for user, role in roles:
        Membership.objects.update_or_create(course=course, user=user, defaults={"role": role})

    slides = find_demo_slides()
    course.slides.add(*slides)
    # make_demo_slides runs before the demo teacher exists on a first `make demo`.
    Slide.objects.filter(pk__in=[s.pk for s in slides], owner__isnull=True).update(owner=teacher)

    session = _demo_session(course, teacher, slides)

    notes: list[str] = []
    if not slides:
        notes.append("No ready slides yet: run `manage.py make_demo_slides`, then load_demo again.")
    questions = _load_questions(course, teacher, slides)

    users = [DemoUser(TEACHER, "teacher", password), DemoUser(ASSISTANT, "assistant", password)]
    users += [DemoUser(s.username, "student", password) for s in students]
    users.append(DemoUser(ADMIN, "admin (Django admin)", password))
    return DemoSummary(
        users=users,
        course=course,
        session=session,
        slides=slides,
        questions=questions,
        notes=notes,
    )
