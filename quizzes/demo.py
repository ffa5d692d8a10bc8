"""The demo question set that ``make demo`` loads (see docs/quizzes.md).

``load_demo_questions(course, slides, teacher=None)`` is idempotent. It
creates the demo set of the course once; its two locate questions are placed
on the first demo slide, with regions computed from its dimensions so they
always lie inside it (a slide without MPP gets a pixel tolerance). A set
created before any slide existed gains its locate questions on a later run,
once there is a slide; nothing else is ever added twice. It also assigns the
set as a self-paced assignment due in two weeks, so the demo students can
try that flow (re-frozen when the set gained questions, unless someone has
answered it already).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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
NUMBER_WORDS = ["No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"]


@dataclass(frozen=True)
class DemoQuestion:
    fields: dict[str, Any]
    choices: Sequence[tuple[str, bool]] = field(default_factory=tuple)

    @property
    def prompt(self) -> str:
        return str(self.fields["prompt"])


BEFORE_THE_SLIDE = [
    DemoQuestion(
        {
            "type": Question.Type.SINGLE,
            "prompt": "Which cells line the hepatic sinusoids and **phagocytose** debris?",
            "explanation": "Kupffer cells are the liver's resident macrophages.",
            "time_limit": 30,
        },
        [("Kupffer cells", True), ("Hepatocytes", False), ("Stellate (Ito) cells", False)],
    ),
    DemoQuestion(
        {
            "type": Question.Type.MULTIPLE,
            "prompt": "Which structures make up a portal triad? Select all that apply.",
            "explanation": (
                "A branch of the hepatic artery, a branch of the portal vein and a bile duct."
            ),
            "time_limit": 45,
            "points": 2,
        },
        [
            ("Hepatic artery branch", True),
            ("Portal vein branch", True),
            ("Bile duct", True),
            ("Central vein", False),
        ],
    ),
    DemoQuestion(
        {
            "type": Question.Type.TRUEFALSE,
            "prompt": "In H&E staining, haematoxylin colours nuclei blue-purple.",
            "explanation": "Haematoxylin binds nucleic acids; eosin stains cytoplasm pink.",
            "truefalse_answer": True,
            "time_limit": 20,
        }
    ),
    DemoQuestion(
        {
            "type": Question.Type.NUMERIC,
            "prompt": "About how wide is a classic hepatic lobule, in millimetres?",
            "explanation": "Roughly 1 mm across, hexagonal in section.",
            "numeric_answer": 1.0,
            "numeric_tolerance": 0.5,
            "numeric_unit": "mm",
            "time_limit": 30,
        }
    ),
    DemoQuestion(
        {
            "type": Question.Type.TEXT,
            "prompt": "Name the stain that colours nuclei blue-purple.",
            "explanation": "Haematoxylin (spelled hematoxylin in American English).",
            "accepted_answers": ["haematoxylin", "hematoxylin"],
            "time_limit": 30,
        }
    ),
]
AFTER_THE_SLIDE = [
    DemoQuestion(
        {
            "type": Question.Type.OPEN,
            "prompt": "What would you like to look at again next week?",
            "time_limit": 60,
            "points": 0,
        }
    ),
]
CENTRE_PROMPT = "Click the centre of the tissue section."
NOTCHED_PROMPT = (
    "Click in the upper-left quarter of the slide, but not in the V-shaped notch cut "
    "into it from below: the target is shaped like an **M**."
)


def _locate_fields(slide: Slide) -> dict[str, Any]:
    if slide.mpp_x and slide.mpp_y:
        return {"tolerance_um": 50.0}
    return {"tolerance_px": 200.0}


def on_the_slide(slide: Slide) -> list[DemoQuestion]:
    """The locate questions, with regions inside ``slide``."""
    w, h = float(slide.width), float(slide.height)
    # About a 1,600 px wide screen's worth of the slide around its centre.
    centre_view = {"x": w / 2, "y": h / 2, "zoom": min(1.0, 1600 / w), "rotation": 0.0}
    centre = {
        "type": Question.Type.LOCATE,
        "prompt": CENTRE_PROMPT,
        "explanation": "The target ellipse covers the middle of the section.",
        "slide": slide,
        "view": centre_view,
        "regions": [
            {
                "kind": "ellipse",
                "cx": w / 2,
                "cy": h / 2,
                "rx": w * 0.12,
                "ry": h * 0.09,
                "rotation": 20.0,
            }
        ],
        "time_limit": 40,
        "points": 2,
        **_locate_fields(slide),
    }
    notched = {
        "type": Question.Type.LOCATE,
        "prompt": NOTCHED_PROMPT,
        "explanation": (
            "The target is a concave, M-shaped outline filling most of the upper-left quarter: "
            "a click in the notch between its legs is a miss, although it lies in the quarter."
        ),
        "slide": slide,
        "regions": [
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
        "time_limit": 40,
        **_locate_fields(slide),
    }
    return [DemoQuestion(centre), DemoQuestion(notched)]


def _describe(total: int, on_slide: int) -> str:
    def word(n: int) -> str:
        return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)

    if on_slide:
        return (
            f"{word(total)} short questions of every type, {word(on_slide).lower()} on the slide."
        )
    return (
        f"{word(total)} short questions; the questions on the slide are added "
        "once a demo slide exists."
    )


@transaction.atomic
def load_demo_questions(
    course: Course, slides: Sequence[Slide], teacher: User | None = None
) -> QuestionSet:
    qs, created = QuestionSet.objects.get_or_create(course=course, title=DEMO_SET_TITLE)
    wanted = [*BEFORE_THE_SLIDE, *(on_the_slide(slides[0]) if slides else []), *AFTER_THE_SLIDE]
    have = {q.prompt: q for q in qs.ordered_questions()}
    # A new set gets every question; an existing one only gains the questions
    # on the slide it lacked (a set made before any slide existed).
    missing = [d for d in wanted if d.prompt not in have and (created or "slide" in d.fields)]
    if slides and missing:
        course.slides.add(slides[0])
    for demo in missing:
        q = Question.objects.create(course=course, **demo.fields)
        Choice.objects.bulk_create(
            Choice(question=q, position=i, text=text, is_correct=correct)
            for i, (text, correct) in enumerate(demo.choices)
        )
        q.to_spec()  # every demo question must be pushable
        have[q.prompt] = q
        QuestionSetItem.objects.create(question_set=qs, question=q)
    if missing or created:
        _put_in_order(qs, [d.prompt for d in wanted])
    questions = qs.ordered_questions()
    description = _describe(len(questions), sum(1 for q in questions if q.slide_id))
    if qs.description != description:
        qs.description = description
        qs.save(update_fields=["description"])
    _assign(course, qs, teacher)
    return qs


def _put_in_order(qs: QuestionSet, prompts: list[str]) -> None:
    """The demo order; anything a teacher added keeps its relative place at the end."""
    rank = {p: i for i, p in enumerate(prompts)}
    items = list(qs.items.select_related("question").order_by("position", "id"))
    items.sort(key=lambda item: (rank.get(item.question.prompt, len(rank)), item.position))
    for position, item in enumerate(items):
        item.position = position
    QuestionSetItem.objects.bulk_update(items, ["position"])


def _assign(course: Course, qs: QuestionSet, teacher: User | None) -> None:
    assignment = Assignment.objects.filter(course=course, title=DEMO_ASSIGNMENT_TITLE).first()
    if assignment is None:
        Assignment.objects.create(
            course=course,
            question_set=qs,
            title=DEMO_ASSIGNMENT_TITLE,
            due_at=timezone.now() + timedelta(days=14),
            created_by=teacher,
        )
        return
    # Assignments freeze their questions; take the ones the set just gained,
    # unless somebody answered already (then it stays as they saw it).
    frozen = [entry["id"] for entry in assignment.frozen or []]
    current = [q.pk for q in qs.ordered_questions()]
    if frozen != current and not assignment.answers.exists():
        assignment.freeze()
        assignment.save(update_fields=["frozen"])
