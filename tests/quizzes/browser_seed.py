"""Seeds the assignment browser test's server database.

Run as ``python -m tests.quizzes.browser_seed <storage dir>`` with the
server's environment: the frontend seed (a small real slide and the
personas), then the demo question set assigned to the course. Prints the ids
as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import django


def seed(storage: Path) -> dict[str, int | str]:
    from classroom.models import Course
    from quizzes.demo import load_demo_questions
    from quizzes.models import Assignment
    from slides.models import Slide
    from tests.frontend.browser_seed import seed as seed_frontend

    ids = seed_frontend(storage)
    course = Course.objects.get(code="PATH101")
    slide = Slide.objects.get(pk=ids["slide_id"])
    load_demo_questions(course, [slide])
    assignment = Assignment.objects.get(course=course)
    return {**ids, "assignment_id": assignment.pk}


if __name__ == "__main__":
    django.setup()
    print(json.dumps(seed(Path(sys.argv[1]))))
