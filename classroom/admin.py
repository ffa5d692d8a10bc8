from __future__ import annotations

from django.contrib import admin

from classroom.models import AgendaItem, Course, LiveSession, Membership


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
