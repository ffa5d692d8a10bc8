"""The join-code rate limit counts the address nginx saw, not one the client chose.

Real nginx with the shipped site (deploy/nginx/scopecast.conf) in front of a
real daphne started with the shipped unit's options (``--proxy-headers``):
a client that sends its own ``X-Forwarded-For`` with every guess still meets
the limit (docs/deploy.md, "nginx"; docs/protocol.md, "Joining by code").
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.daphne import shipped_daphne
from tests.support.nginx import shipped_site

pytestmark = [pytest.mark.slow]

HOST = "scopecast.example.edu"


def test_guessing_codes_with_forged_forwarded_for_headers_meets_the_limit(
    tmp_path: Path,
) -> None:
    env = {"ALLOWED_HOSTS": f"{HOST},127.0.0.1"}
    (tmp_path / "daphne").mkdir()
    (tmp_path / "nginx").mkdir()
    with (
        shipped_daphne(tmp_path / "daphne", extra_env=env) as daphne,
        shipped_site(tmp_path / "nginx", daphne.port, [daphne.port, daphne.port]) as site,
        httpx.Client(base_url=site.https, verify=False, headers={"Host": HOST}) as client,
    ):
        statuses = [
            client.post(
                "/courses/join",
                json={"code": f"ZZZZ{i:02d}", "name": "Mallory"},
                headers={"X-Forwarded-For": f"10.9.0.{i}"},
            ).status_code
            for i in range(15)
        ]
    assert statuses[:10] == [404] * 10  # wrong codes, within the limit (10 a minute)
    assert statuses[10:] == [429] * 5
