"""Account pages under /accounts/: Django's auth views, password reset only with e-mail.

Password reset needs a way to send mail. ``settings.PASSWORD_RESET_ENABLED``
is on when an SMTP relay is configured (``EMAIL_HOST``, docs/deploy.md) or
in DEBUG (mails go to the console); otherwise the reset pages answer 404,
nothing ever tries to send a mail, and the login page says whom to ask.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import URLPattern, path

View = Callable[..., HttpResponseBase]


def with_reset(view: View) -> View:
    """The view, or 404 while password reset is off (no e-mail configured)."""

    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404("password reset is not available on this server")
        return view(request, *args, **kwargs)

    return guarded


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["password_reset_enabled"] = settings.PASSWORD_RESET_ENABLED
        context["account_help"] = settings.ACCOUNT_HELP
        return context


urlpatterns: list[URLPattern] = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password_reset/",
        with_reset(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        with_reset(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        with_reset(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        with_reset(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
