from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from classroom.models import (
    AgendaItem,
    Annotation,
    Course,
    Guest,
    LiveSession,
    Membership,
    SessionEvent,
)


class MembershipInline(admin.TabularInline[Membership, Course]):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin[Course]):
    list_display = ["code", "title", "created_at"]
    search_fields = ["code", "title"]
    filter_horizontal = ["slides"]
    inlines = [MembershipInline]


class AgendaInline(admin.TabularInline[AgendaItem, LiveSession]):
    model = AgendaItem
    extra = 1


@admin.register(LiveSession)
class LiveSessionAdmin(admin.ModelAdmin[LiveSession]):
    list_display = ["title", "course", "state", "join_code", "allow_guests", "started_at"]
    list_filter = ["state", "course"]
    readonly_fields = ["join_code"]
    inlines = [AgendaInline]


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin[Annotation]):
    list_display = ["id", "session", "slide", "kind", "colour", "created_by", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["session", "slide", "created_by"]


@admin.register(SessionEvent)
class SessionEventAdmin(admin.ModelAdmin[SessionEvent]):
    """The event log is append-only: readable, never edited here."""

    list_display = ["session", "seq", "type", "actor", "created_at"]
    list_filter = ["type"]
    search_fields = ["actor"]
    raw_id_fields = ["session"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SessionEvent | None = None) -> bool:
        return False


@admin.register(Guest)
class GuestAdmin(admin.ModelAdmin[Guest]):
    list_display = ["display_name", "session", "created_at"]
    search_fields = ["display_name"]
    raw_id_fields = ["session"]
