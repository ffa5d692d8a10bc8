"""Admin for the question bank, sets, live questions and assignments.

Teachers write questions here until the browser editor exists. Every save
goes through the same validation as a pushed question (``Question.to_spec``),
so what the admin accepts can always go live. See docs/quizzes.md.

Staff users who are not superusers see and change only what belongs to the
courses they teach (``Membership`` role teacher): every list and object, and
every course, slide, question set and question they can pick in a form.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.db.models.fields.related import RelatedField
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from classroom.models import Course, Membership
from quizzes.actions.assignments import do_refresh_assignment
from quizzes.domain import QuizError
from quizzes.models import (
    Assignment,
    AssignmentAnswer,
    Choice,
    LiveAnswer,
    LiveQuestion,
    Question,
    QuestionSet,
    QuestionSetItem,
)
from quizzes.specs import SpecError
from slides.models import Slide

CHOICE_TYPES = (Question.Type.SINGLE, Question.Type.MULTIPLE)
M = TypeVar("M", bound=Model)
C = TypeVar("C", bound=Model)
P = TypeVar("P", bound=Model)


# --- per-course scoping ------------------------------------------------------------


def taught_course_ids(request: HttpRequest) -> QuerySet[Membership, int]:
    return Membership.objects.filter(
        user_id=int(str(request.user.pk)), role=Membership.Role.TEACHER
    ).values_list("course_id", flat=True)


def scoped_choices(db_field: RelatedField[Any, Any], request: HttpRequest) -> QuerySet[Any] | None:
    """What a non-superuser may pick for a relation: only things of courses they teach."""
    if request.user.is_superuser:
        return None
    courses = taught_course_ids(request)
    model = db_field.related_model
    if model is Course:
        return Course.objects.filter(pk__in=courses)
    if model is Slide:
        return Slide.objects.filter(courses__in=courses).distinct().order_by("title", "id")
    if model is QuestionSet:
        return QuestionSet.objects.filter(course__in=courses)
    if model is Question:
        return Question.objects.filter(course__in=courses)
    if model is Assignment:
        return Assignment.objects.filter(course__in=courses)
    return None


class CourseScopedAdmin(admin.ModelAdmin[M]):
    """Rows of the courses the user teaches only (superusers: everything)."""

    # The path from the model to its course, e.g. "session__course".
    course_path: ClassVar[str] = "course"

    def get_queryset(self, request: HttpRequest) -> QuerySet[M]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.course_path}__in": taught_course_ids(request)})

    def in_scope(self, request: HttpRequest, obj: M | None) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)

    def get_field_queryset(
        self, db: str | None, db_field: RelatedField[Any, Any], request: HttpRequest
    ) -> QuerySet[Any] | None:
        scoped = scoped_choices(db_field, request)
        return scoped if scoped is not None else super().get_field_queryset(db, db_field, request)


class ScopedTabularInline(admin.TabularInline[C, P]):
    def get_field_queryset(
        self, db: str | None, db_field: RelatedField[Any, Any], request: HttpRequest
    ) -> QuerySet[Any] | None:
        scoped = scoped_choices(db_field, request)
        return scoped if scoped is not None else super().get_field_queryset(db, db_field, request)


# --- the bank ----------------------------------------------------------------------


class ChoiceFormSet(BaseInlineFormSet[Choice, Question, Any]):
    """Validates the question together with its choices."""

    def clean(self) -> None:
        super().clean()
        question = self.instance
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("text")
        ]
        if question.type not in CHOICE_TYPES:
            if kept:
                raise ValidationError("only single- and multiple-choice questions have choices")
            return
        kept.sort(key=lambda f: f.cleaned_data.get("position") or 0)
        choices = [
            Choice(text=f.cleaned_data["text"], is_correct=bool(f.cleaned_data.get("is_correct")))
            for f in kept
        ]
        try:
            question.to_spec(choices)
        except SpecError as e:
            raise ValidationError(str(e)) from None


class ChoiceInline(admin.TabularInline[Choice, Question]):
    model = Choice
    formset = ChoiceFormSet
    extra = 3
    fields = ["position", "text", "is_correct"]


@admin.register(Question)
class QuestionAdmin(CourseScopedAdmin[Question]):
    list_display = ["id", "type", "short_prompt", "course", "slide", "points", "time_limit"]
    list_filter = ["type", ("course", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["prompt", "explanation"]
    autocomplete_fields = ["slide"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [ChoiceInline]
    fieldsets = [
        (None, {"fields": ["course", "type", "prompt", "explanation", "points", "time_limit"]}),
        ("Slide", {"fields": ["slide", "view"]}),
        ("True / false", {"fields": ["truefalse_answer"], "classes": ["collapse"]}),
        (
            "Numeric",
            {
                "fields": ["numeric_answer", "numeric_tolerance", "numeric_unit"],
                "classes": ["collapse"],
            },
        ),
        ("Short text", {"fields": ["accepted_answers", "case_sensitive"], "classes": ["collapse"]}),
        (
            "Locate on slide",
            {
                "fields": ["regions", "tolerance_um", "tolerance_px"],
                "classes": ["collapse"],
                "description": "Regions in level-0 pixels; a point on the border is a hit. "
                "Micrometre tolerance needs a slide with MPP (see docs/quizzes.md).",
            },
        ),
        ("History", {"fields": ["created_by", "created_at", "updated_at"]}),
    ]

    def get_autocomplete_fields(self, request: HttpRequest) -> list[str]:
        # The slide search belongs to the slides admin and is not per course;
        # teachers pick from their courses' slides in a plain list instead.
        return ["slide"] if request.user.is_superuser else []

    @admin.display(description="Prompt")
    def short_prompt(self, obj: Question) -> str:
        return obj.prompt.strip()[:80]

    def save_model(self, request: Any, obj: Question, form: Any, change: bool) -> None:
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class QuestionSetItemFormSet(BaseInlineFormSet[QuestionSetItem, QuestionSet, Any]):
    def clean(self) -> None:
        super().clean()
        course_id = self.instance.course_id
        for form in self.forms:
            question = form.cleaned_data.get("question") if form.cleaned_data else None
            if question is not None and question.course_id != course_id:
                raise ValidationError(f"question {question.pk} belongs to another course")


class QuestionSetItemInline(ScopedTabularInline[QuestionSetItem, QuestionSet]):
    model = QuestionSetItem
    formset = QuestionSetItemFormSet
    extra = 3
    raw_id_fields = ["question"]


@admin.register(QuestionSet)
class QuestionSetAdmin(CourseScopedAdmin[QuestionSet]):
    list_display = ["title", "course", "created_at"]
    list_filter = [("course", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title"]
    inlines = [QuestionSetItemInline]


@admin.register(LiveQuestion)
class LiveQuestionAdmin(CourseScopedAdmin[LiveQuestion]):
    course_path = "session__course"
    list_display = ["id", "session", "type", "state", "opened_at", "deadline_at", "close_reason"]
    list_filter = ["state", "type"]
    readonly_fields = [
        "session",
        "question",
        "type",
        "spec",
        "opened_at",
        "deadline_at",
        "closed_at",
        "close_reason",
        "revealed_at",
        "dismissed_at",
        "pushed_by",
    ]

    def has_add_permission(self, request: Any) -> bool:
        return False  # pushed from a live session, never created here


@admin.register(LiveAnswer)
class LiveAnswerAdmin(CourseScopedAdmin[LiveAnswer]):
    course_path = "live_question__session__course"
    list_display = [
        "live_question",
        "participant_key",
        "correct",
        "score",
        "revision",
        "answered_at",
    ]
    list_filter = ["correct"]
    search_fields = ["participant_key", "client_id"]
    readonly_fields = [f.name for f in LiveAnswer._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(Assignment)
class AssignmentAdmin(CourseScopedAdmin[Assignment]):
    list_display = ["title", "course", "question_set", "opens_at", "due_at"]
    list_filter = [("course", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title"]
    readonly_fields = ["created_by", "created_at"]
    actions = ["refresh_from_bank"]

    def save_model(self, request: Any, obj: Assignment, form: Any, change: bool) -> None:
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Take the questions' current versions and regrade saved answers")
    def refresh_from_bank(self, request: Any, queryset: QuerySet[Assignment]) -> None:
        """Assignments grade against the questions as assigned (frozen); this
        takes the bank's current versions (see actions.do_refresh_assignment)."""
        for assignment in queryset:
            try:
                changed = do_refresh_assignment(assignment, by=request.user)
            except QuizError as e:
                self.message_user(request, f"{assignment}: {e.message}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{assignment}: questions updated, {changed} answer(s) regraded"
                )


@admin.register(AssignmentAnswer)
class AssignmentAnswerAdmin(CourseScopedAdmin[AssignmentAnswer]):
    course_path = "assignment__course"
    list_display = ["assignment", "user", "question", "correct", "score", "updated_at"]
    list_filter = [("assignment", admin.RelatedOnlyFieldListFilter), "correct"]
    readonly_fields = [f.name for f in AssignmentAnswer._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False
