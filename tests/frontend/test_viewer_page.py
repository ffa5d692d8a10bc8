"""The viewer page: a shell that loads the slide's info JSON in the browser.

Access to the slide is decided by the slide endpoints; the page itself only
needs a login. The browser behaviour is tested in test_viewer_in_browser.py.
"""

from __future__ import annotations

from django.test import Client

from frontend import links
from tests.support.personas import Personas


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client, db: None) -> None:
    response = client.get("/view/7/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/view/7/"


def test_it_gives_the_browser_the_info_url_and_openseadragon(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.alice)
    response = client.get("/view/7/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-info-url="{links.info_url(7)}"' in html
    assert 'src="/static/vendor/openseadragon/openseadragon.min.js"' in html
    assert 'data-osd-prefix="/static/vendor/openseadragon/images/"' in html
    assert "/static/frontend/viewer.js" in html


def test_it_has_an_error_region_announced_to_screen_readers(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.alice)
    html = client.get("/view/7/").content.decode()
    assert 'id="viewer-error" role="alert" hidden' in html


def test_it_rejects_a_slide_id_that_is_not_a_number(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    assert client.get("/view/abc/").status_code == 404
