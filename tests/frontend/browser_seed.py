"""Seeds the private database of the browser test's server subprocess.

Run as ``python -m tests.frontend.browser_seed <storage dir>`` with the
server's environment: writes a small Aperio-style slide, then the personas
(same names and password as tests/support/personas.py), a live session admitting
guests, and prints the ids and the join code as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import django


def seed(storage: Path) -> dict[str, int | str]:
    import openslide
    from django.contrib.auth.models import User

    from classroom.models import AgendaItem, Course, LiveSession, Membership
    from quizzes.models import Choice, Question
    from slides.models import Slide
    from slides.synthetic_svs import write_svs
    from tests.support.personas import PASSWORD

    path = write_svs(storage / "liver.svs", 6000, 4000, mpp=0.25, magnification=40, seed=3)
    osr = openslide.OpenSlide(path)
    props = dict(osr.properties)
    teacher = User.objects.create_user("tess", password=PASSWORD, first_name="Tess")
    alice = User.objects.create_user("alice", password=PASSWORD, first_name="Alice")
    bob = User.objects.create_user("bob", password=PASSWORD, first_name="Bob")
    User.objects.create_user("olga", password=PASSWORD, first_name="Olga")
    course = Course.objects.create(title="Histopathology 101", code="PATH101")
    Membership.objects.create(course=course, user=teacher, role=Membership.Role.TEACHER)
    Membership.objects.create(course=course, user=alice, role=Membership.Role.STUDENT)
    Membership.objects.create(course=course, user=bob, role=Membership.Role.STUDENT)
    slide = Slide.objects.create(
        title="Liver, H&E",
        organ="liver",
        stain="H&E",
        file_path=path.name,
        format=props.get("openslide.vendor", ""),
        reader="openslide",
        width=osr.dimensions[0],
        height=osr.dimensions[1],
        level_count=osr.level_count,
        level_dimensions=[list(d) for d in osr.level_dimensions],
        mpp_x=float(props["openslide.mpp-x"]),
        mpp_y=float(props["openslide.mpp-y"]),
        objective_power=float(props["openslide.objective-power"]),
        associated_images=list(osr.associated_images),
        properties={k: v for k, v in props.items() if k.startswith("openslide.")},
        status=Slide.Status.READY,
        owner=teacher,
        visibility=Slide.Visibility.COURSE,
    )
    osr.close()
    course.slides.add(slide)
    session = LiveSession.objects.create(
        course=course, title="Liver basics", allow_guests=True, state=LiveSession.State.LIVE
    )
    # The lecture's agenda and questions (tests/frontend/test_live_lecture_*.py).
    w, h = slide.width, slide.height
    AgendaItem.objects.create(session=session, position=0, slide=slide, notes="Orient the class")
    AgendaItem.objects.create(
        session=session,
        position=1,
        slide=slide,
        view={"x": w * 0.3, "y": h * 0.4, "zoom": 0.5, "rotation": 0.0},
        notes="Zoom in on the left lobe",
    )
    choice = Question.objects.create(
        course=course,
        type=Question.Type.SINGLE,
        prompt="Which cells line the sinusoids?",
        explanation="Kupffer cells and endothelium.",
        time_limit=300,
    )
    for i, (text, correct) in enumerate([("Kupffer cells", True), ("Hepatocytes", False)]):
        Choice.objects.create(question=choice, position=i, text=text, is_correct=correct)
    locate = Question.objects.create(
        course=course,
        type=Question.Type.LOCATE,
        prompt="Click anywhere in the left half",
        explanation="The left half of the section.",
        time_limit=300,
        slide=slide,
        regions=[{"kind": "rect", "x": 0, "y": 0, "width": w / 2, "height": h}],
        tolerance_um=10.0,
    )
    return {
        "choice_id": choice.pk,
        "locate_id": locate.pk,
        "slide_id": slide.pk,
        "course_id": course.pk,
        "session_id": session.pk,
        "join_code": session.join_code,
    }


if __name__ == "__main__":
    django.setup()
    print(json.dumps(seed(Path(sys.argv[1]))))
