"""Single sign-on in the web app (issue 27; docs/accounts.md, "Single sign-on with OpenID Connect"):
the configured providers, the :class:`~carescale.accounts.oidc.SingleSignOn` of the app's
accounts, and the ``sso_buttons()`` Jinja global the sign-in page uses to offer "Sign in with
<organisation>" (``{% include "sso_buttons.html" %}``).

The providers file is read once, when the app is made (``CARESCALE_OIDC_PROVIDERS``; a bad file
stops ``carescale serve`` with its one line); tests set ``app.state.sso_providers`` themselves.
"""

from __future__ import annotations

from typing import Any

#: The browser's pending sign-in (state, nonce, PKCE verifier): HttpOnly, SameSite=Lax, ten
#: minutes, sent only to its organisation's /sign-in/<org>/sso addresses.
PENDING_COOKIE = "carescale_sso"


def load(app_state: Any) -> None:
    """Read the providers file named by the environment (None when there is none)."""
    from ..accounts.oidc import load_providers

    app_state.sso_providers = load_providers()


def providers(request: Any) -> Any:
    """The configured providers, or None when single sign-on is not configured."""
    return getattr(request.app.state, "sso_providers", None)


def callback_url(request: Any, org: str) -> str:
    """The redirect URI registered at the provider: the public address, never the Host header."""
    from .security import public_url

    return public_url(request).rstrip("/") + f"/sign-in/{org}/sso/callback"


def single_sign_on(request: Any) -> Any:
    """The app's :class:`SingleSignOn` over its accounts; 404 when nothing is configured."""
    from ..accounts.oidc import SingleSignOn
    from ..errors import NotFound
    from .auth import accounts

    found = providers(request)
    if found is None:
        raise NotFound("single sign-on is not configured on this server (CARESCALE_OIDC_PROVIDERS)")
    return SingleSignOn(found, accounts(request))


def _buttons(context: Any) -> list[dict[str, str]]:
    request = context.get("request")
    found = providers(request) if request is not None else None
    return [] if found is None else found.buttons()


def register(env: Any) -> None:
    """Add ``sso_buttons()`` (a list of {org, name, href}) to a Jinja environment."""
    from jinja2 import pass_context

    env.globals["sso_buttons"] = pass_context(_buttons)
