"""The login page (django.contrib.auth views with our template)."""

from __future__ import annotations

from django.test import Client

from tests.support.personas import PASSWORD, Personas


def test_it_renders_the_login_form(client: Client, db: None) -> None:
    response = client.get("/accounts/login/?next=/view/3/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'value="/view/3/"' in html


def test_it_logs_a_student_in_and_returns_to_the_page_they_wanted(
    client: Client, personas: Personas
) -> None:
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "/view/3/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/view/3/"


def test_it_rejects_a_wrong_password_with_a_clear_message(
    client: Client, personas: Personas
) -> None:
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()


def test_it_logs_out_with_a_post_from_the_top_bar(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    assert 'action="/accounts/logout/"' in client.get("/").content.decode()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "Log in" in client.get("/").content.decode()
