"""Self-paced assignments: create, answer until the due date, refresh, results.

See docs/quizzes.md, "Self-paced assignments".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from classroom.models import Course, Membership
from quizzes.answers import check_client_id
from quizzes.domain import QuizError
from quizzes.grading import grade, score
from quizzes.models import Assignment, AssignmentAnswer, AssignmentReceipt, QuestionSet
from quizzes.permissions import AnyUser, check_course_staff, is_course_student
from quizzes.specs import (
    QuestionSpec,
    SpecError,
    answer_json,
    correct_answer,
    parse_answer,
    public_question,
)


def do_create_assignment(
    course: Course,
    question_set: QuestionSet,
    *,
    title: str,
    due_at: datetime,
    opens_at: datetime | None = None,
    by: AnyUser,
) -> Assignment:
    check_course_staff(by, course.pk)
    if question_set.course_id != course.pk:
        raise QuizError("not_found", "no such question set in this course")
    if not title.strip():
        raise QuizError("invalid", "the title is empty")
    if due_at <= timezone.now():
        raise QuizError("invalid", "the deadline is in the past")
    if opens_at is not None and opens_at >= due_at:
        raise QuizError("invalid", "the assignment must open before it is due")
    if not question_set.items.exists():
        raise QuizError("invalid", "the question set has no questions")
    for q in question_set.ordered_questions():
        try:
            q.to_spec()
        except SpecError as e:
            raise QuizError("invalid", f"question {q.pk} is incomplete: {e}") from None
    return Assignment.objects.create(
        course=course,
        question_set=question_set,
        title=title.strip(),
        due_at=due_at,
        opens_at=opens_at,
        created_by_id=by.pk,
    )


@dataclass(frozen=True)
class AssignmentAck:
    question_id: int
    client_id: str
    saved_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "client_id": self.client_id,
            "saved_at": self.saved_at.isoformat(),
        }


def check_assignment_open(assignment: Assignment) -> None:
    now = timezone.now()
    if assignment.opens_at is not None and now < assignment.opens_at:
        raise QuizError("not_open_yet", "this assignment is not open yet")
    if now > assignment.due_at:
        raise QuizError("late", "the deadline for this assignment has passed")


def _assignment_receipt(
    assignment: Assignment, question_id: int, user_id: int, client_id: str
) -> AssignmentAck | None:
    """The original ack of a submission already saved with this client id, if any."""
    receipt = AssignmentReceipt.objects.filter(
        assignment=assignment, question_id=question_id, user_id=user_id, client_id=client_id
    ).first()
    if receipt is None:
        return None
    return AssignmentAck(question_id, client_id, receipt.saved_at)


def do_submit_assignment_answer(
    assignment: Assignment, user: AnyUser, *, question_id: int, payload: Any, client_id: Any
) -> AssignmentAck:
    """Save (or change, until the deadline) one answer, graded against the frozen spec.

    Idempotent like the live path: every saved submission leaves an
    ``AssignmentReceipt``, and a resend of a known client id (even after a
    later change, even after the deadline) returns the original ack and
    changes nothing, so a delayed resend can never undo a newer answer.
    """
    client_id = check_client_id(client_id)
    if not is_course_student(user, assignment.course_id):
        raise QuizError("not_participant", "only the course's students answer assignments")
    user_id = int(str(user.pk))
    seen = _assignment_receipt(assignment, question_id, user_id, client_id)
    if seen is not None:
        return seen
    check_assignment_open(assignment)
    try:
        return _save_assignment_answer(assignment, question_id, user_id, client_id, payload)
    except IntegrityError:
        # A concurrent first save of this question (or a resend of this very
        # submission) won the race: its receipt is there now.
        seen = _assignment_receipt(assignment, question_id, user_id, client_id)
        if seen is not None:
            return seen
        return _save_assignment_answer(assignment, question_id, user_id, client_id, payload)


def _save_assignment_answer(
    assignment: Assignment, question_id: int, user_id: int, client_id: str, payload: Any
) -> AssignmentAck:
    with transaction.atomic():
        # The assignment's row lock: an answer is graded against the frozen
        # specs as committed, even while a teacher refreshes them.
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        spec = dict(locked.assigned_questions()).get(question_id)
        if spec is None:
            raise QuizError("not_found", "no such question in this assignment")
        seen = _assignment_receipt(assignment, question_id, user_id, client_id)
        if seen is not None:
            return seen
        try:
            answer = parse_answer(spec, payload)
        except SpecError as e:
            raise QuizError("invalid", str(e)) from None
        result = grade(spec, answer)
        now = timezone.now()
        fields = {
            "client_id": client_id,
            "payload": answer_json(answer),
            "correct": result.correct,
            "score": score(spec, result, elapsed_s=None, speed_scoring=False),
            "updated_at": now,
        }
        existing = AssignmentAnswer.objects.filter(
            assignment=assignment, question_id=question_id, user_id=user_id
        ).first()
        if existing is None:
            AssignmentAnswer.objects.create(
                assignment=assignment,
                question_id=question_id,
                user_id=user_id,
                answered_at=now,
                **fields,
            )
        else:
            AssignmentAnswer.objects.filter(pk=existing.pk).update(**fields)
        AssignmentReceipt.objects.create(
            assignment=assignment,
            question_id=question_id,
            user_id=user_id,
            client_id=client_id,
            saved_at=now,
        )
    return AssignmentAck(question_id, client_id, now)


def _grade_saved(spec: QuestionSpec, payload: Any) -> tuple[bool | None, float]:
    """(correct, score) of a saved answer under ``spec``; one that no longer fits is wrong."""
    try:
        answer = parse_answer(spec, payload)
    except SpecError:
        return False, 0.0
    result = grade(spec, answer)
    return result.correct, score(spec, result, elapsed_s=None, speed_scoring=False)


def do_refresh_assignment(assignment: Assignment, *, by: AnyUser) -> int:
    """Take the set's current bank questions into the assignment and regrade.

    For a teacher who fixed a question after students answered: the frozen
    specs are replaced and every saved answer is graded again under them (an
    answer that no longer fits its question, e.g. a deleted option, counts
    as wrong), so what students and the results show always agrees with the
    stored grades. Returns how many answers changed grade.
    """
    check_course_staff(by, assignment.course_id)
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        try:
            locked.freeze()
        except SpecError as e:
            raise QuizError("invalid", f"a question is incomplete: {e}") from None
        locked.save(update_fields=["frozen"])
        specs = dict(locked.assigned_questions())
        changed = []
        for a in AssignmentAnswer.objects.filter(assignment=locked, question_id__in=specs):
            grade_now = _grade_saved(specs[a.question_id], a.payload)
            if grade_now != (a.correct, a.score):
                a.correct, a.score = grade_now
                changed.append(a)
        AssignmentAnswer.objects.bulk_update(changed, ["correct", "score"], batch_size=500)
    assignment.frozen = locked.frozen
    return len(changed)


def assignment_view_for(assignment: Assignment, user: AnyUser) -> dict[str, Any]:
    """The student's page data: questions without answers, their own answers,
    and, once the deadline has passed, the correct answers and their results
    (all from the assignment's frozen specs)."""
    now = timezone.now()
    past_due = now > assignment.due_at
    own = {
        a.question_id: a
        for a in AssignmentAnswer.objects.filter(assignment=assignment, user_id=int(str(user.pk)))
    }
    questions = []
    for position, (question_id, spec) in enumerate(assignment.assigned_questions(), start=1):
        mine = own.get(question_id)
        entry: dict[str, Any] = {
            "id": question_id,
            "position": position,
            "question": public_question(spec).model_dump(mode="json"),
            "your_answer": mine.payload if mine else None,
        }
        if past_due:
            entry["correct_answer"] = correct_answer(spec)
            entry["explanation"] = spec.explanation
            entry["your_result"] = (
                {"correct": mine.correct, "score": mine.score} if mine is not None else None
            )
        questions.append(entry)
    return {
        "assignment": {
            "id": assignment.pk,
            "title": assignment.title,
            "opens_at": assignment.opens_at.isoformat() if assignment.opens_at else None,
            "due_at": assignment.due_at.isoformat(),
            "open": (assignment.opens_at is None or assignment.opens_at <= now) and not past_due,
            "past_due": past_due,
        },
        "questions": questions,
    }


def assignment_results(assignment: Assignment) -> dict[str, Any]:
    """Per question and per student (staff only; the caller checks)."""
    questions = assignment.assigned_questions()
    students = list(
        User.objects.filter(
            memberships__course_id=assignment.course_id,
            memberships__role=Membership.Role.STUDENT,
        ).order_by("last_name", "first_name", "username")
    )
    answers = AssignmentAnswer.objects.filter(
        assignment=assignment, question_id__in=[qid for qid, _ in questions]
    ).values_list("user_id", "question_id", "correct", "score")
    by_student: dict[int, dict[int, tuple[bool | None, float]]] = defaultdict(dict)
    for user_id, question_id, correct, points in answers:
        by_student[user_id][question_id] = (correct, points)
    per_question = []
    for position, (question_id, spec) in enumerate(questions, start=1):
        cells = [by_student[s.pk].get(question_id) for s in students]
        answered = [c for c in cells if c is not None]
        right = sum(1 for c in answered if c[0])
        prompt = spec.prompt.strip()
        per_question.append(
            {
                "id": question_id,
                "position": position,
                "type": spec.type,
                "prompt": prompt.splitlines()[0][:120] if prompt else "",
                "points": spec.points,
                "answered": len(answered),
                "correct": right,
                "correct_rate": right / len(answered) if answered else None,
            }
        )
    per_student = []
    for s in students:
        mine = by_student[s.pk]
        per_student.append(
            {
                "user_id": s.pk,
                "name": s.get_full_name() or s.get_username(),
                "answered": len(mine),
                "correct": sum(1 for c, _ in mine.values() if c),
                "score": round(sum(p for _, p in mine.values()), 3),
                "answers": {
                    str(qid): (mine[qid][0] if qid in mine else "unanswered")
                    for qid, _ in questions
                },
            }
        )
    return {
        "assignment": {
            "id": assignment.pk,
            "title": assignment.title,
            "due_at": assignment.due_at.isoformat(),
            "max_score": sum(spec.points for _, spec in questions),
        },
        "questions": per_question,
        "students": per_student,
    }
