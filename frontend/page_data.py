"""What the live-session pages hand their ES modules, declared once (docs/frontend.md).

Each page renders one of these models with Django's ``json_script`` (a data
block, not a script: the strict Content-Security-Policy holds); the browser
code reads it and is typed from the same models (``manage.py page_schema``
→ frontend/types/pages.d.ts, kept current by a test).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from quizzes.bank import BankEntry


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SessionRef(_Data):
    id: int
    title: str
    state: Literal["scheduled", "live", "ended"]
    course_code: str
    course_title: str
    allow_guests: bool


class CourseSlide(_Data):
    id: int
    title: str
    subtitle: str
    thumbnail_url: str


class Urls(_Data):
    home: str
    login: str
    join_api: str  # POST /courses/join
    student: str  # the session's page for the class
    teach: str | None  # the teacher console (staff only)
    project: str | None  # projector mode (staff only)
    osd_images: str  # OpenSeadragon's button images


class StudentPage(_Data):
    """``/sessions/<id>/``: the class's view (members, and guests by token)."""

    page: Literal["student"]
    session: SessionRef
    me: str | None  # the logged-in member's name; None: a guest or nobody yet
    member: bool  # a member of the course: connects with the session cookie
    staff: bool  # a teacher or assistant of the course (previewing the class's view)
    urls: Urls


class TeacherPage(_Data):
    """``/sessions/<id>/teach``: the lecturer's console (teachers and assistants)."""

    page: Literal["teacher"]
    session: SessionRef
    me: str
    role: Literal["teacher", "assistant"]
    join_code: str
    join_url: str  # absolute, for the QR code: SITE_ROOT/join/<code>/
    slides: list[CourseSlide]
    questions: list[BankEntry]
    urls: Urls


class ProjectorPage(_Data):
    """``/sessions/<id>/project``: the big screen (staff), without the roster."""

    page: Literal["projector"]
    session: SessionRef
    join_code: str
    join_url: str
    urls: Urls


PAGE_MODELS: tuple[type[_Data], ...] = (StudentPage, TeacherPage, ProjectorPage)


def page_schema_text() -> str:
    """The JSON Schema of the three pages' data, as ``manage.py page_schema`` writes it."""
    import json

    from pydantic.json_schema import models_json_schema

    _, top = models_json_schema([(model, "serialization") for model in PAGE_MODELS], title="Pages")
    names = {model.__name__: {"$ref": f"#/$defs/{model.__name__}"} for model in PAGE_MODELS}
    document = {
        **top,
        "type": "object",
        "properties": names,
        "required": sorted(names),
        "additionalProperties": False,
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
