"""The demo question set that ``make demo`` loads (see docs/quizzes.md).

``load_demo_questions(course, slides, teacher=None)`` is idempotent: it
returns the existing demo set of the course if there is one. Locate questions
are placed on the first demo slide, with regions computed from its dimensions
so they always lie inside it; a slide without MPP gets a pixel tolerance.
It also assigns the set as a self-paced assignment due in two weeks, so the
demo students can try that flow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from classroom.models import Course
from quizzes.models import Assignment, Choice, Question, QuestionSet, QuestionSetItem
from slides.models import Slide

DEMO_SET_TITLE = "Demo: liver histology warm-up"
DEMO_ASSIGNMENT_TITLE = "Demo homework: liver warm-up"


def _choices(q: Question, options: Sequence[tuple[str, bool]]) -> None:
    Choice.objects.bulk_create(
        Choice(question=q, position=i, text=text, is_correct=correct)
        for i, (text, correct) in enumerate(options)
    )


def _locate_fields(slide: Slide) -> dict[str, Any]:
    if slide.mpp_x and slide.mpp_y:
        return {"tolerance_um": 50.0}
    return {"tolerance_px": 200.0}


@transaction.atomic
def load_demo_questions(
    course: Course, slides: Sequence[Slide], teacher: User | None = None
) -> QuestionSet:
    qs = QuestionSet.objects.filter(course=course, title=DEMO_SET_TITLE).first()
    if qs is None:
        qs = _create_set(course, slides)
    if not Assignment.objects.filter(course=course, title=DEMO_ASSIGNMENT_TITLE).exists():
        Assignment.objects.create(
            course=course,
            question_set=qs,
            title=DEMO_ASSIGNMENT_TITLE,
            due_at=timezone.now() + timedelta(days=14),
            created_by=teacher,
        )
    return qs


def _create_set(course: Course, slides: Sequence[Slide]) -> QuestionSet:
    qs = QuestionSet.objects.create(
        course=course,
        title=DEMO_SET_TITLE,
        description="Seven short questions of every type, two of them on the slide.",
    )
    questions: list[Question] = []

    def add(**fields: Any) -> Question:
        q = Question.objects.create(course=course, **fields)
        questions.append(q)
        return q

    q = add(
        type=Question.Type.SINGLE,
        prompt="Which cells line the hepatic sinusoids and **phagocytose** debris?",
        explanation="Kupffer cells are the liver's resident macrophages.",
        time_limit=30,
    )
    _choices(
        q,
        [("Kupffer cells", True), ("Hepatocytes", False), ("Stellate (Ito) cells", False)],
    )
    q = add(
        type=Question.Type.MULTIPLE,
        prompt="Which structures make up a portal triad? Select all that apply.",
        explanation="A branch of the hepatic artery, a branch of the portal vein and a bile duct.",
        time_limit=45,
        points=2,
    )
    _choices(
        q,
        [
            ("Hepatic artery branch", True),
            ("Portal vein branch", True),
            ("Bile duct", True),
            ("Central vein", False),
        ],
    )
    add(
        type=Question.Type.TRUEFALSE,
        prompt="In H&E staining, haematoxylin colours nuclei blue-purple.",
        explanation="Haematoxylin binds nucleic acids; eosin stains cytoplasm pink.",
        truefalse_answer=True,
        time_limit=20,
    )
    add(
        type=Question.Type.NUMERIC,
        prompt="About how wide is a classic hepatic lobule, in millimetres?",
        explanation="Roughly 1 mm across, hexagonal in section.",
        numeric_answer=1.0,
        numeric_tolerance=0.5,
        numeric_unit="mm",
        time_limit=30,
    )
    add(
        type=Question.Type.TEXT,
        prompt="Name the stain that colours nuclei blue-purple.",
        explanation="Haematoxylin (spelled hematoxylin in American English).",
        accepted_answers=["haematoxylin", "hematoxylin"],
        time_limit=30,
    )
    if slides:
        slide = slides[0]
        course.slides.add(slide)
        w, h = float(slide.width), float(slide.height)
        # About a 1,600 px wide screen's worth of the slide around its centre.
        centre_view = {"x": w / 2, "y": h / 2, "zoom": min(1.0, 1600 / w), "rotation": 0.0}
        add(
            type=Question.Type.LOCATE,
            prompt="Click the centre of the tissue section.",
            explanation="The target ellipse covers the middle of the section.",
            slide=slide,
            view=centre_view,
            regions=[
                {
                    "kind": "ellipse",
                    "cx": w / 2,
                    "cy": h / 2,
                    "rx": w * 0.12,
                    "ry": h * 0.09,
                    "rotation": 20.0,
                }
            ],
            time_limit=40,
            points=2,
            **_locate_fields(slide),
        )
        add(
            type=Question.Type.LOCATE,
            prompt="Click anywhere in the upper-left quarter of the slide.",
            explanation="Any point inside the outlined (concave) region counts.",
            slide=slide,
            regions=[
                {
                    "kind": "polygon",
                    "points": [
                        [w * 0.05, h * 0.05],
                        [w * 0.45, h * 0.05],
                        [w * 0.45, h * 0.45],
                        [w * 0.25, h * 0.25],
                        [w * 0.05, h * 0.45],
                    ],
                }
            ],
            time_limit=40,
            **_locate_fields(slide),
        )
    add(
        type=Question.Type.OPEN,
        prompt="What would you like to look at again next week?",
        time_limit=60,
        points=0,
    )
    QuestionSetItem.objects.bulk_create(
        QuestionSetItem(question_set=qs, question=q, position=i) for i, q in enumerate(questions)
    )
    for q in questions:
        q.to_spec()  # every demo question must be pushable
    return qs
