"""Question bank, live questions and answers, assignments (see docs/quizzes.md).

A bank ``Question`` is edited by teachers; when it goes live its complete
``QuestionSpec`` is frozen into ``LiveQuestion.spec`` so later edits never
change a running or past question, and ad-hoc questions use the same path.
An ``Assignment`` freezes its questions' specs the same way when it is created.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from quizzes.specs import QuestionSpec, SpecError, parse_spec


class Question(models.Model):
    class Type(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        TRUEFALSE = "truefalse", "True / false"
        NUMERIC = "numeric", "Numeric"
        TEXT = "text", "Short text"
        OPEN = "open", "Open response (ungraded)"
        LOCATE = "locate", "Locate on slide"

    course = models.ForeignKey(
        "classroom.Course", on_delete=models.CASCADE, related_name="questions"
    )
    type = models.CharField(max_length=10, choices=Type.choices)
    prompt = models.TextField(help_text="Markdown")
    explanation = models.TextField(blank=True, help_text="Shown at the reveal (markdown)")
    slide = models.ForeignKey(
        "slides.Slide", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    view = models.JSONField(
        null=True, blank=True, help_text='{"x": px, "y": px, "zoom": float, "rotation": deg}'
    )
    time_limit = models.PositiveIntegerField(default=30, help_text="Seconds (5-3600)")
    points = models.PositiveIntegerField(default=1)

    # True/false
    truefalse_answer = models.BooleanField(null=True, blank=True)
    # Numeric
    numeric_answer = models.FloatField(null=True, blank=True)
    numeric_tolerance = models.FloatField(default=0.0)
    numeric_unit = models.CharField(max_length=20, blank=True)
    # Short text
    accepted_answers = models.JSONField(default=list, blank=True, help_text='["mitosis", ...]')
    case_sensitive = models.BooleanField(default=False)
    # Locate on slide: level-0 pixel regions, see docs/quizzes.md
    regions = models.JSONField(
        default=list,
        blank=True,
        help_text='[{"kind": "rect", "x": 0, "y": 0, "width": 10, "height": 10}, '
        '{"kind": "polygon", "points": [[x, y], ...]}, '
        '{"kind": "ellipse", "cx": 0, "cy": 0, "rx": 5, "ry": 3, "rotation": 0}]',
    )
    tolerance_um = models.FloatField(
        null=True, blank=True, help_text="Micrometres; needs a slide with MPP"
    )
    tolerance_px = models.FloatField(
        null=True, blank=True, help_text="Level-0 pixels; for slides without MPP"
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "id"]

    def __str__(self) -> str:
        first_line = self.prompt.strip().splitlines()[0] if self.prompt.strip() else ""
        return f"{self.get_type_display()}: {first_line[:60]}"

    def to_spec(self, choices: Sequence[Choice] | None = None) -> QuestionSpec:
        """The complete spec; raises SpecError. ``choices`` overrides the saved ones."""
        return parse_spec(self.spec_data(choices))

    def spec_data(self, choices: Sequence[Choice] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type}
        if self.type in (self.Type.SINGLE, self.Type.MULTIPLE):
            if choices is None:
                choices = list(self.choices.all()) if self.pk else []
            body["options"] = [
                {"id": c.option_id(i), "text": c.text, "correct": c.is_correct}
                for i, c in enumerate(choices)
            ]
        elif self.type == self.Type.TRUEFALSE:
            body["answer"] = self.truefalse_answer
        elif self.type == self.Type.NUMERIC:
            body.update(
                answer=self.numeric_answer,
                tolerance=self.numeric_tolerance,
                unit=self.numeric_unit,
            )
        elif self.type == self.Type.TEXT:
            body.update(accepted=self.accepted_answers, case_sensitive=self.case_sensitive)
        elif self.type == self.Type.LOCATE:
            body.update(
                regions=self.regions,
                tolerance_um=self.tolerance_um,
                tolerance_px=self.tolerance_px,
            )
        slide = self.slide
        return {
            "prompt": self.prompt,
            "explanation": self.explanation,
            "time_limit": self.time_limit,
            "points": self.points,
            "slide": slide_ref(slide) if slide is not None else None,
            "view": self.view,
            "body": body,
        }

    def clean(self) -> None:
        if (
            self.slide_id is not None
            and self.course_id is not None
            and not self.course.slides.filter(pk=self.slide_id).exists()
        ):
            raise ValidationError(
                {
                    "slide": "this slide is not one of the course's slides; add it to the course first"
                }
            )
        if self.type in (self.Type.SINGLE, self.Type.MULTIPLE):
            return  # validated with its choices (ChoiceFormSet / to_spec)
        try:
            self.to_spec()
        except SpecError as e:
            raise ValidationError(str(e)) from None


def slide_ref(slide: Any) -> dict[str, Any]:
    return {
        "id": slide.pk,
        "width": int(slide.width),
        "height": int(slide.height),
        "mpp_x": slide.mpp_x,
        "mpp_y": slide.mpp_y,
    }


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=1000)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text

    def option_id(self, index: int) -> str:
        """Stable once saved (the primary key); positional while unsaved."""
        return str(self.pk) if self.pk else f"new{index}"


class QuestionSet(models.Model):
    course = models.ForeignKey(
        "classroom.Course", on_delete=models.CASCADE, related_name="question_sets"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    questions = models.ManyToManyField(Question, through="QuestionSetItem", related_name="sets")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "title", "id"]

    def __str__(self) -> str:
        return self.title

    def ordered_questions(self) -> list[Question]:
        items = self.items.select_related("question__slide").order_by("position", "id")
        return [item.question for item in items]


class QuestionSetItem(models.Model):
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question_set", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question_set", "question"], name="question_set_item_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.question}"


class LiveQuestion(models.Model):
    """A question pushed into a live session; its spec is frozen at push time."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        REVEALED = "revealed", "Revealed"

    session = models.ForeignKey(
        "classroom.LiveSession", on_delete=models.CASCADE, related_name="live_questions"
    )
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_uses"
    )
    type = models.CharField(max_length=10, choices=Question.Type.choices)
    spec = models.JSONField(help_text="The complete QuestionSpec, correct answer included")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    allow_change = models.BooleanField(default=True)
    show_distribution = models.BooleanField(default=True)
    speed_scoring = models.BooleanField(default=False)
    show_leaderboard = models.BooleanField(default=False)
    opened_at = models.DateTimeField()
    deadline_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=10, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    pushed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["session", "-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(state="open"),
                name="live_question_one_open_per_session",
            )
        ]
        indexes = [models.Index(fields=["state", "deadline_at"], name="live_question_state")]

    def __str__(self) -> str:
        return f"{self.type} question {self.pk} in session {self.session_id} ({self.state})"

    def get_spec(self) -> QuestionSpec:
        return parse_spec(self.spec)


class LiveAnswer(models.Model):
    """One participant's current answer to a live question."""

    live_question = models.ForeignKey(
        LiveQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    # "u:<user id>" or "g:<guest id>"; the unique key across both kinds.
    participant_key = models.CharField(max_length=24)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    guest = models.ForeignKey(
        "classroom.Guest", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    client_id = models.CharField(max_length=64)
    payload = models.JSONField()
    correct = models.BooleanField(null=True)
    score = models.FloatField(default=0.0)
    elapsed_ms = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["live_question", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["live_question", "participant_key"], name="live_answer_one_per_participant"
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) ^ models.Q(guest__isnull=True),
                name="live_answer_user_xor_guest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_key} → question {self.live_question_id}"


class AnswerReceipt(models.Model):
    """Every accepted submission's client id, so a resend gets the same ack."""

    live_question = models.ForeignKey(
        LiveQuestion, on_delete=models.CASCADE, related_name="receipts"
    )
    participant_key = models.CharField(max_length=24)
    client_id = models.CharField(max_length=64)
    revision = models.PositiveIntegerField()
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["live_question", "participant_key", "client_id"],
                name="answer_receipt_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_key}:{self.client_id}"


class Assignment(models.Model):
    """A question set students answer at their own pace before a deadline.

    Like a live question, an assignment grades against frozen specs: when it
    is created (or given another question set) the set's questions, in order
    and complete with their answers, are copied into ``frozen``, so editing a
    bank question later never changes what students see or how saved answers
    were graded. ``quizzes.actions.assignments.do_refresh_assignment`` takes the bank's
    current questions on purpose and regrades every saved answer.
    """

    course = models.ForeignKey(
        "classroom.Course", on_delete=models.CASCADE, related_name="assignments"
    )
    question_set = models.ForeignKey(
        QuestionSet, on_delete=models.PROTECT, related_name="assignments"
    )
    title = models.CharField(max_length=200)
    opens_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # [{"id": <bank question id>, "spec": <QuestionSpec>}, ...] in set order;
    # null only for assignments made before specs were frozen (frozen on first use).
    frozen = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["course", "due_at", "id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.question_set_id and (self._state.adding or self._set_changed()):
            self.freeze()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "frozen"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if (
            self.question_set_id
            and self.course_id
            and self.question_set.course_id != self.course_id
        ):
            raise ValidationError("the question set belongs to another course")
        if self.opens_at and self.due_at and self.opens_at >= self.due_at:
            raise ValidationError("the assignment must open before it is due")
        if self.question_set_id:
            for q in self.question_set.ordered_questions():
                try:
                    q.to_spec()
                except SpecError as e:
                    raise ValidationError(f"question {q.pk} is incomplete: {e}") from None

    def freeze(self) -> None:
        """Copy the set's questions (order and complete specs); raises SpecError."""
        self.frozen = [
            {"id": q.pk, "spec": q.to_spec().model_dump(mode="json")}
            for q in self.question_set.ordered_questions()
        ]

    def _set_changed(self) -> bool:
        saved = Assignment.objects.filter(pk=self.pk).values_list("question_set_id", flat=True)
        return saved.first() != self.question_set_id

    def assigned_questions(self) -> list[tuple[int, QuestionSpec]]:
        """The frozen questions in order, as (bank question id, spec).

        A question deleted from the bank since (its answers went with it) is
        left out.
        """
        if self.frozen is None:
            self.freeze()
            Assignment.objects.filter(pk=self.pk, frozen__isnull=True).update(frozen=self.frozen)
        entries: list[dict[str, Any]] = self.frozen or []
        ids = [int(e["id"]) for e in entries]
        alive = set(Question.objects.filter(pk__in=ids).values_list("pk", flat=True))
        return [(int(e["id"]), parse_spec(e["spec"])) for e in entries if e["id"] in alive]


class AssignmentAnswer(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignment_answers"
    )
    client_id = models.CharField(max_length=64)
    payload = models.JSONField()
    correct = models.BooleanField(null=True)
    score = models.FloatField(default=0.0)
    answered_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["assignment", "user", "question"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "question", "user"], name="assignment_answer_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.question_id} in {self.assignment_id}"


class AssignmentReceipt(models.Model):
    """Every saved submission's client id, so a resend gets the same ack
    (even after a later change, even after the deadline) and changes nothing."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="receipts")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=64)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "question", "user", "client_id"],
                name="assignment_receipt_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.client_id} → {self.question_id} in {self.assignment_id}"
