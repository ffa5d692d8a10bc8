"""Seeds the assignment browser test's server database.

Run as ``python -m tests.quizzes.browser_seed <storage dir>`` with the
server's environment: the frontend seed (a small real slide and the
personas), then the demo question set assigned to the course, and a second,
past-due assignment whose prompt and explanation carry HTML markup
(``markup_assignment_id``). Prints the ids as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import django

MARKUP_PROMPT = "<img src=x onerror=alert(1)> **b**"
MARKUP_EXPLANATION = "<script>alert(2)</script> *e*"


def seed(storage: Path) -> dict[str, int | str]:
    from datetime import timedelta

    from django.utils import timezone

    from classroom.models import Course
    from quizzes.demo import load_demo_questions
    from quizzes.models import Assignment, Question, QuestionSet, QuestionSetItem
    from slides.models import Slide
    from tests.frontend.browser_seed import seed as seed_frontend

    ids = seed_frontend(storage)
    course = Course.objects.get(code="PATH101")
    slide = Slide.objects.get(pk=ids["slide_id"])
    load_demo_questions(course, [slide])
    assignment = Assignment.objects.get(course=course)

    markup = Question.objects.create(
        course=course,
        type=Question.Type.TRUEFALSE,
        prompt=MARKUP_PROMPT,
        explanation=MARKUP_EXPLANATION,
        truefalse_answer=True,
    )
    markup_set = QuestionSet.objects.create(course=course, title="Markup")
    QuestionSetItem.objects.create(question_set=markup_set, question=markup)
    past_due = Assignment.objects.create(
        course=course,
        question_set=markup_set,
        title="Markup check",
        due_at=timezone.now() - timedelta(minutes=1),  # so the explanation shows too
    )
    return {**ids, "assignment_id": assignment.pk, "markup_assignment_id": past_due.pk}


if __name__ == "__main__":
    django.setup()
    print(json.dumps(seed(Path(sys.argv[1]))))
