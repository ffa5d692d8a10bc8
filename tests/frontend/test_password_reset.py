"""Password reset works where mail can be sent, and is not offered where it cannot.

Without an SMTP relay (``EMAIL_HOST``) a production server has no password
reset: the pages answer 404 (a request used to try SMTP on localhost and log
a traceback) and the login page says whom to ask. With one, or in DEBUG
(mails to the console), the whole reset works.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from tests.support.personas import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _settings_with(**env: str) -> dict[str, str]:
    """EMAIL_BACKEND and PASSWORD_RESET_ENABLED as scopecast/settings.py derives them from ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DEBUG"))}
    code = (
        "import scopecast.settings as s;"
        "print(s.EMAIL_BACKEND.rsplit('.', 2)[-2], s.PASSWORD_RESET_ENABLED)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org", **env},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    backend, enabled = done.stdout.split()
    return {"backend": backend, "enabled": enabled}


def test_production_without_a_relay_sends_no_mail_and_has_no_reset() -> None:
    assert _settings_with(DEBUG="0") == {"backend": "dummy", "enabled": "False"}


def test_a_relay_from_the_environment_turns_reset_on() -> None:
    got = _settings_with(DEBUG="0", EMAIL_HOST="smtp.example.org", EMAIL_PORT="2525")
    assert got == {"backend": "smtp", "enabled": "True"}


def test_debug_without_a_relay_prints_mails_to_the_console() -> None:
    assert _settings_with(DEBUG="1") == {"backend": "console", "enabled": "True"}


def test_tls_and_ssl_together_are_refused_at_start_up() -> None:
    code = "import scopecast.settings"
    env = {**os.environ, "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0 and "EMAIL_USE_TLS and EMAIL_USE_SSL" in done.stderr


def test_without_reset_the_pages_answer_404_and_the_login_page_says_whom_to_ask(
    db: None, settings: object, client: Client
) -> None:
    settings.PASSWORD_RESET_ENABLED = False  # type: ignore[attr-defined]
    settings.ACCOUNT_HELP = "the histology office"  # type: ignore[attr-defined]
    User.objects.create_user("alice", "alice@example.org", PASSWORD)
    assert client.get("/accounts/password_reset/").status_code == 404
    response = client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    assert response.status_code == 404
    assert mail.outbox == []
    login = client.get("/accounts/login/").content.decode()
    assert "/accounts/password_reset/" not in login
    assert "Ask the histology office to reset it." in login


def test_with_reset_a_member_sets_a_new_password_from_the_mailed_link(
    db: None, settings: object, client: Client
) -> None:
    settings.PASSWORD_RESET_ENABLED = True  # type: ignore[attr-defined]
    User.objects.create_user("alice", "alice@example.org", PASSWORD)
    assert "/accounts/password_reset/" in client.get("/accounts/login/").content.decode()
    response = client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your Scopecast password"
    link = re.search(r"http://testserver(/accounts/reset/\S+)", str(mail.outbox[0].body))
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200 and b"Choose a new password" in form.content
    new = "a-brand-new-passphrase-42"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert b"Your new password is set." in done.content
    assert Client().login(username="alice", password=new)


@pytest.mark.parametrize("email", ["nobody@example.org", "not an address"])
def test_an_unknown_or_malformed_address_reveals_nothing_and_sends_nothing(
    db: None, settings: object, client: Client, email: str
) -> None:
    settings.PASSWORD_RESET_ENABLED = True  # type: ignore[attr-defined]
    response = client.post("/accounts/password_reset/", {"email": email})
    assert mail.outbox == []
    if "@" in email:
        assert response.status_code == 302  # the same answer as for a known address
    else:
        assert response.status_code == 200 and b"Enter a valid email address." in response.content
