"""Every response carries the strict Content-Security-Policy (scopecast/csp.py).

Whether the pages keep to it is checked in Chromium (tests/frontend, every page).
"""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/join/", "/healthz", "/nope/"])
def test_every_response_sends_the_strict_policy(path: str) -> None:
    policy = Client().get(path, HTTP_HOST="localhost")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline scripts, no eval
    assert directives["style-src"] == "'self'"  # no inline styles
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["connect-src"] == "'self' wss://localhost ws://localhost"


def test_a_foreign_host_gets_its_400_with_the_policy_and_no_websocket_hosts() -> None:
    response = Client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Security-Policy"].endswith("connect-src 'self'")
