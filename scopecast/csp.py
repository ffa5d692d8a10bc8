"""A strict Content-Security-Policy on every response (see docs/deploy.md, "Security").

The pages load their scripts and styles from this origin only and have no
inline scripts, inline styles or style attributes (page data travels in
``json_script`` data blocks), so the policy needs no nonces and no
``'unsafe-inline'``. Websockets go to this host (``ws:``/``wss:`` spelled out
for browsers whose ``'self'`` does not cover them). Django 6.0 brings a CSP
middleware of its own; until then these lines are the whole feature, where
django-csp would add nonce machinery nothing here uses.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

HEADER = "Content-Security-Policy"


def policy_for(request: HttpRequest) -> str:
    try:
        host = request.get_host()
    except DisallowedHost:  # the 400 page for a foreign Host: no websockets anywhere
        return "; ".join([*settings.CONTENT_SECURITY_POLICY, "connect-src 'self'"])
    connect = f"connect-src 'self' wss://{host} ws://{host}"
    return "; ".join([*settings.CONTENT_SECURITY_POLICY, connect])


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    """Sync and async alike (MiddlewareMixin): no thread hop under ASGI."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if HEADER not in response:
            response[HEADER] = policy_for(request)
        return response
