"""A course's question bank as the teacher console lists it (see docs/quizzes.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from quizzes.models import Question
from quizzes.specs import SpecError

PROMPT_CHARS = 140


class BankEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: int
    type: str
    type_label: str
    prompt: str  # the first line, plain, at most PROMPT_CHARS
    time_limit: int
    points: int
    slide_id: int | None
    ready: bool  # complete enough to push
    problem: str  # why not, when it is not


def question_bank(course_id: int) -> list[BankEntry]:
    """Every question of the course, newest first, with whether it can be pushed now."""
    entries = []
    questions = Question.objects.filter(course_id=course_id).prefetch_related("choices")
    for q in questions.order_by("-id"):
        problem = ""
        try:
            q.to_spec()
        except SpecError as e:
            problem = str(e)
        first = next((line.strip() for line in q.prompt.splitlines() if line.strip()), "")
        first = first.lstrip("#").strip()
        if len(first) > PROMPT_CHARS:
            first = first[: PROMPT_CHARS - 1].rstrip() + "…"
        entries.append(
            BankEntry(
                id=q.pk,
                type=q.type,
                type_label=q.get_type_display(),
                prompt=first,
                time_limit=q.time_limit,
                points=q.points,
                slide_id=q.slide_id,
                ready=not problem,
                problem=problem,
            )
        )
    return entries
