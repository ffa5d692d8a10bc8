from django.apps import AppConfig


class SlidesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "slides"

    def ready(self) -> None:
        # Modules that register background job kinds and housekeeping with
        # slides.jobs (the runner imports none of them; docs/slides.md).
        from slides import import_jobs, prewarm, uploads  # noqa: F401
