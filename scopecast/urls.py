from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from frontend import accounts

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include(accounts.urlpatterns)),
    path("slides/", include("slides.urls")),
    path("courses/", include("classroom.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("", include("frontend.urls")),
]
