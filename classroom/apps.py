from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "classroom"

    def ready(self) -> None:
        from classroom.library import CourseLibrary
        from slides.courses import register_course_directory

        # slides asks its questions about courses through this (slides/courses.py).
        register_course_directory(CourseLibrary())
