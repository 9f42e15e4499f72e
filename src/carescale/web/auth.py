"""Who is asking, in the web app (issue 27; docs/accounts.md, "In the web app").

The shared interface every route uses (its names are kept stable):

``accounts(request) -> carescale.accounts.Accounts``
    The accounts of the app's database (the scenario store's URL), opened once, when first used.
``current_user(request) -> User | None``
    The user of a personal API token (``Authorization: Bearer csk_...``) or of the session cookie
    (``carescale_session``); None for an anonymous visitor. Worked out once per request.
``require_user(request) -> User``
    The signed-in user; for an anonymous visitor, raises :class:`SignInRequired`, which the app
    answers with a 303 to ``/sign-in?next=<path>`` on a page and a 401 ``{"detail": "..."}``
    under ``/api/``.
``require_role(request, org, action) -> User``
    The signed-in user if their role in ``org`` allows ``action`` (read, change, approve,
    members); else :class:`~carescale.errors.PermissionDeniedError` (403).
``start_session(response, token, request=None)`` / ``end_session(response, request=None)``
    Set or clear the session cookie: HttpOnly, SameSite=Lax, Path=/, Secure when the public
    address is https. ``end_session`` with the request also ends the session in the database.
``csrf_field()``
    A Jinja global: the hidden ``csrf_token`` input every POST form carries (the double-submit
    check is :func:`carescale.web.security.csrf_token_refusal`).
``signed_in()``
    A Jinja global: the user the page header names ("Signed in as ..."), or None.
``shared_page(request)`` / ``personalise(request, page)``
    A page rendered once and kept for every visitor (the result page) carries markers where each
    visitor's CSRF token and header go; ``personalise`` puts them in for the request at hand.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import quote

from ..errors import CarescaleError

if TYPE_CHECKING:  # pragma: no cover
    from ..accounts.core import Accounts, User

SESSION_COOKIE = "carescale_session"
CSRF_COOKIE = "carescale_csrf"
CSRF_FIELD = "csrf_token"
BEARER = "bearer "
SIGN_IN_PATH = "/sign-in"

#: What an anonymous call to the API that needs an account is told.
API_SIGN_IN = "sign in first: send a personal API token as 'Authorization: Bearer csk_...' (create one on /account)"
#: ... and a call whose token is unknown or revoked.
API_BAD_TOKEN = "the API token is not valid (unknown, revoked, or its account is disabled); create a new one on /account"

_open_lock = threading.Lock()
_NOBODY = object()


class SignInRequired(CarescaleError):
    """An anonymous visitor asked for something that needs an account.

    ``app.py`` answers it with a 303 to the sign-in page for a page, a 401 under ``/api/``."""

    http_status = 401

    def __init__(self, message: str, next_path: str = "/"):
        super().__init__(message)
        self.next_path = next_path


def accounts(request: Any) -> "Accounts":
    """The app's :class:`~carescale.accounts.Accounts`, on the scenario store's database."""
    state = request.app.state
    found = getattr(state, "accounts", None)
    if found is None:
        with _open_lock:
            found = getattr(state, "accounts", None)
            if found is None:
                from ..accounts import open_accounts

                found = open_accounts(getattr(state.store, "url", None))
                state.accounts = found
    return found


def _bearer(request: Any) -> str | None:
    value = request.headers.get("authorization")
    if value and value[: len(BEARER)].lower() == BEARER:
        return value[len(BEARER):].strip()
    return None


def current_user(request: Any) -> "User | None":
    """The user behind this request (API token first, then the session cookie), or None."""
    cached = getattr(request.state, "user", _NOBODY)
    if cached is not _NOBODY:
        return cached  # type: ignore[return-value]
    token = _bearer(request)
    user = None
    if token is not None:
        user = accounts(request).api_token_user(token)
    elif (session := request.cookies.get(SESSION_COOKIE)):
        user = accounts(request).session_user(session)
    request.state.user = user
    return user


def _next_path(request: Any) -> str:
    path = request.url.path
    return path + ("?" + request.url.query if request.url.query else "")


def require_user(request: Any) -> "User":
    """The signed-in user, or :class:`SignInRequired` (303 to sign in on a page, 401 on the API)."""
    user = current_user(request)
    if user is None:
        message = API_BAD_TOKEN if _bearer(request) is not None else API_SIGN_IN
        raise SignInRequired(message, _next_path(request))
    return user


def require_role(request: Any, org: str, action: str) -> "User":
    """The signed-in user, if their role in ``org`` allows ``action``; else 403."""
    user = require_user(request)
    accounts(request).require(user, org, action)
    return user


def sign_in_url(next_path: str) -> str:
    return f"{SIGN_IN_PATH}?next={quote(next_path, safe='/')}"


def safe_next(value: object) -> str:
    """Where to go after signing in: a path on this site only (never ``//host`` or ``https://``)."""
    text = str(value or "")
    if (not text.startswith("/") or text.startswith("//") or text.startswith("/\\") or "\\" in text
            or any(ord(c) < 32 for c in text) or text.startswith(SIGN_IN_PATH)):
        return "/"
    return text


# -- cookies ---------------------------------------------------------------------------------------


def secure_cookies(request: Any = None) -> bool:
    """Whether cookies get ``Secure``: when the public address (``CARESCALE_PUBLIC_URL``) is https,
    or the request itself arrived over https. Plain http on a loopback address stays allowed for
    a server on one's own computer (docs/security.md, "Sessions")."""
    from .security import configured_public_url

    configured = configured_public_url()
    if configured and configured.startswith("https://"):
        return True
    return request is not None and request.url.scheme == "https"


def start_session(response: Any, token: str, request: Any = None) -> None:
    """Give the browser its session cookie (the token :meth:`Accounts.sign_in` returned)."""
    from ..accounts.core import SESSION_LIFETIME

    response.set_cookie(SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), path="/",
                        httponly=True, samesite="lax", secure=secure_cookies(request))


def end_session(response: Any, request: Any = None) -> None:
    """Clear the session cookie; with the request, also end its session in the database."""
    if request is not None and (token := request.cookies.get(SESSION_COOKIE)):
        accounts(request).sign_out(token)
        request.state.user = None
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(request))


# -- Jinja globals -----------------------------------------------------------------------------------


def csrf_token(request: Any) -> str:
    """This browser's CSRF token: the one the middleware read or made for this request."""
    token = getattr(request.state, "csrf_token", None) or request.cookies.get(CSRF_COOKIE)
    return token or ""


#: Where a page rendered once for every visitor (the result page, kept in ``app.state.pages``)
#: has this visitor's CSRF token and header put in by :func:`personalise`. Escaped user text can
#: never contain ``<``, so neither marker can come from what a visitor typed.
CSRF_MARK = "<!--carescale:csrf-->"
ACCOUNT_MARK = "<!--carescale:account-->"


def _shared(request: Any) -> bool:
    return bool(getattr(request.state, "shared_render", False)) if request is not None else False


@contextlib.contextmanager
def shared_page(request: Any) -> Iterator[None]:
    """Render a page that is kept and served to every visitor: its CSRF token and its header's
    "Signed in as" are left as markers, which :func:`personalise` fills for each request."""
    before = getattr(request.state, "shared_render", False)
    request.state.shared_render = True
    try:
        yield
    finally:
        request.state.shared_render = before


def personalise(request: Any, page: bytes) -> bytes:
    """A kept page (see :func:`shared_page`) with this visitor's token and header put in."""
    from markupsafe import escape

    nav = request.app.state.templates.env.get_template("account_nav.html").render(request=request)
    return (page.replace(CSRF_MARK.encode(), str(escape(csrf_token(request))).encode())
            .replace(ACCOUNT_MARK.encode(), nav.encode("utf-8")))


def _csrf_field(context: Any) -> Any:
    from markupsafe import Markup, escape

    request = context.get("request")
    token = CSRF_MARK if _shared(request) else escape(csrf_token(request) if request is not None else "")
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">')


def _shared_page(context: Any) -> bool:
    return _shared(context.get("request"))


def _signed_in(context: Any) -> "User | None":
    from ..errors import StoreError

    request = context.get("request")
    if request is None:
        return None
    if getattr(request.state, "user", _NOBODY) is _NOBODY and not request.cookies.get(SESSION_COOKIE) \
            and _bearer(request) is None:
        return None  # anonymous: no database read
    try:
        return current_user(request)
    except StoreError:  # the database cannot be read: the page (often the 503 page itself) still renders
        return None


def register(env: Any) -> None:
    """Add ``csrf_field()`` and ``signed_in()`` to a Jinja environment."""
    from jinja2 import pass_context

    env.globals["csrf_field"] = pass_context(_csrf_field)
    env.globals["signed_in"] = pass_context(_signed_in)
    env.globals["shared_page"] = pass_context(_shared_page)


csrf_field = _csrf_field  # the name of the interface (in templates: ``{{ csrf_field() }}``)

__all__ = ["API_BAD_TOKEN", "API_SIGN_IN", "CSRF_COOKIE", "CSRF_FIELD", "SESSION_COOKIE", "SignInRequired",
           "accounts", "csrf_field", "csrf_token", "current_user", "end_session", "register", "require_role",
           "require_user", "safe_next", "secure_cookies", "shared_page", "personalise", "sign_in_url", "start_session"]
