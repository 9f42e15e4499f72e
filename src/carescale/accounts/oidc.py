"""OpenID Connect single sign-on, configured per organisation (issue 27; docs/accounts.md,
"Single sign-on with OpenID Connect").

The providers are data: a YAML file named by ``CARESCALE_OIDC_PROVIDERS`` (:func:`load_providers`)
gives each organisation its issuer, client id, the environment variable holding the client secret,
the email domains it vouches for and the role a first sign-in gets. The flow is the authorization
code flow with PKCE (S256), through Authlib's OAuth 2 client:

1. :meth:`SingleSignOn.begin` makes a random ``state``, ``nonce`` and PKCE ``code_verifier`` and
   returns the provider's authorization address and a :class:`Pending` sign-in, which the web app
   keeps in a short-lived cookie of the browser that started it. The server records, in the
   append-only audit log, the SHA-256 of the state and of the whole pending sign-in, so a cookie it
   did not issue (or one that was altered) is refused.
2. :meth:`SingleSignOn.finish` takes the provider's answer: the state must equal the cookie's, be
   younger than :data:`PENDING_LIFETIME`, have been issued here, and be used **once** (its use is
   recorded; a replayed state is refused). The code is exchanged with the ``code_verifier``; the ID
   token is checked against the provider's keys (JWKS, from the discovery document, both cached):
   signature (asymmetric algorithms only), issuer, audience = the client id, expiry, nonce. The
   user is found or made by the verified email (no password: they cannot sign in locally), made a
   member of the organisation, and given a session (:meth:`Accounts.start_session`), all audited.

Every refusal is one line (:class:`~carescale.errors.SingleSignOnError`, 401) saying which check
failed; it never shows a token or a secret. Authlib, joserfc and requests load only when used.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Mapping
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from .. import config
from ..errors import IdentityProviderError, InputFileError, NotFound, SignInError, SingleSignOnError

#: The environment variable naming the providers file.
ENV = config.OIDC_PROVIDERS
#: How long a browser has to come back from the provider.
PENDING_LIFETIME = dt.timedelta(minutes=10)
#: How long the discovery document and the keys are kept before they are fetched again.
METADATA_LIFETIME = dt.timedelta(hours=1)
#: Clock skew allowed between the provider and this server when checking ``exp`` and ``iat``.
LEEWAY_S = 60
#: Only public-key signatures: an ID token signed with the client secret (HS256) or unsigned
#: (``none``) is refused whatever the provider's discovery document lists.
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
#: The audit log actions of the state ledger.
STARTED, USED = "sign-in.sso-start", "sign-in.sso-state-used"

UNKNOWN_KEY = "ID token: signed with a key the provider does not publish (its kid is not in the provider's JWKS)"
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_SLUG = r"[a-z0-9][a-z0-9-]{0,63}"
_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")

def _secure_url(url: str) -> bool:
    """https://, or http:// on this computer (a test provider on a loopback port)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return bool(host) and (parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK))


Role = Literal["viewer", "editor", "approver", "admin"]  # accounts.roles.ROLES (tests/test_oidc.py checks)


# -- configuration ---------------------------------------------------------------------------------


class Provider(BaseModel):
    """One organisation's identity provider."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="the organisation's name, shown on the button 'Sign in with <name>'")
    issuer: str = Field(description="the provider's issuer URL, exactly as its ID tokens give it")
    client_id: Annotated[str, StringConstraints(min_length=1, max_length=400)]
    client_secret_env: Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]{0,127}$")] = Field(
        description="the environment variable holding the client secret (never the secret itself)")
    allowed_email_domains: list[str] = Field(min_length=1)
    first_sign_in_role: Role = "viewer"
    #: only people an admin has already made members may sign in (a shared tenant such as NHSmail
    #: vouches for everyone in it, not only this organisation's staff)
    members_only: bool = False
    kind: Literal["council", "icb", "provider", "other"] = "council"
    email_claim: Literal["email", "preferred_username", "upn"] = "email"
    scope: str = "openid email profile"

    @model_validator(mode="before")
    @classmethod
    def _no_secret(cls, data: Any) -> Any:
        if isinstance(data, dict) and "client_secret" in data:  # refused before it can be echoed in a message
            raise ValueError("client_secret: the secret itself does not belong in this file; set it in an "
                             "environment variable and name that variable in client_secret_env")
        return data

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, value: str) -> str:
        parts = urlsplit(value)
        if not _secure_url(value) or parts.query or parts.fragment:
            raise ValueError(f"{value!r} is not an https:// issuer URL (for example "
                             "https://login.microsoftonline.com/<tenant id>/v2.0; http:// only on this computer)")
        return value

    @field_validator("allowed_email_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        for domain in value:
            if not _DOMAIN.fullmatch(domain):
                raise ValueError(f"{domain!r} is not an email domain in lower case (for example birmingham.gov.uk)")
        return value

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: str) -> str:
        if "openid" not in value.split():
            raise ValueError(f"{value!r} must include 'openid'")
        return value

    def allows(self, email: str) -> bool:
        return email.rpartition("@")[2] in self.allowed_email_domains


class ProvidersFile(BaseModel):
    """The providers file: organisation id -> its provider."""

    model_config = ConfigDict(extra="forbid", strict=True)

    providers: dict[str, Provider]

    @field_validator("providers", mode="before")
    @classmethod
    def _organisations(cls, value: Any) -> Any:
        if isinstance(value, dict):
            if not value:
                raise ValueError("no provider is configured; give at least one organisation id and its provider")
            for org in value:
                if not isinstance(org, str) or not re.fullmatch(_SLUG, org):
                    raise ValueError(f"{org!r} is not an organisation id (lower-case letters, digits and hyphens, "
                                     "at most 64 characters, for example birmingham)")
        return value


@dataclass(frozen=True)
class Providers:
    """The configured providers and the file they came from (for messages)."""

    file: str
    by_org: Mapping[str, Provider]

    def get(self, org: str) -> Provider:
        provider = self.by_org.get(org)
        if provider is None:
            raise NotFound(f"organisation: {org!r} has no single sign-on configured")
        return provider

    def client_secret(self, org: str) -> str:
        provider = self.get(org)
        secret = config.named_secret(provider.client_secret_env)
        if not secret:
            raise InputFileError(f"{self.file}: providers.{org}.client_secret_env: the environment variable "
                                 f"{provider.client_secret_env} is not set (it holds {org}'s client secret)")
        return secret

    def buttons(self) -> list[dict[str, str]]:
        """What the sign-in page offers: one 'Sign in with <name>' a configured organisation."""
        return [{"org": org, "name": p.name, "href": f"/sign-in/{org}/sso"} for org, p in sorted(self.by_org.items())]


def load_providers(path: str | Path | None = None) -> Providers | None:
    """The providers file at ``path`` (default: ``$CARESCALE_OIDC_PROVIDERS``; None when unset).
    Any problem, including a client secret's environment variable that is not set, is one
    :class:`InputFileError` line naming the file and the field."""
    from ..extras import require
    from ..io.messages import display_path, load_model

    if path is None:
        path = config.oidc_providers_file() or None
        if path is None:
            return None
    require(("authlib", "joserfc", "requests"), "web", f"single sign-on ({ENV})")
    path = Path(path)
    parsed = load_model(ProvidersFile, path)
    providers = Providers(display_path(path), dict(parsed.providers))
    for org in providers.by_org:
        providers.client_secret(org)  # set now, not discovered at the first sign-in
    return providers


# -- the pending sign-in (held by the browser) ---------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def code_challenge(verifier: str) -> str:
    """RFC 7636 S256: base64url(SHA-256(verifier)), unpadded."""
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


@dataclass(frozen=True)
class Pending:
    """A sign-in under way: kept by the browser that started it (a short-lived HttpOnly cookie),
    committed to in the audit log by its SHA-256."""

    org: str
    state: str
    nonce: str
    verifier: str
    next: str
    issued: int  # seconds since 1970, UTC

    def to_cookie(self) -> str:
        return _b64(self._canonical().encode("utf-8"))

    def _canonical(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    def commitment(self) -> str:
        return _sha256(self._canonical())

    @classmethod
    def from_cookie(cls, text: str | None) -> "Pending | None":
        if not text or len(text) > 2000:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            pending = cls(**{k: data[k] for k in ("org", "state", "nonce", "verifier", "next", "issued")})
        except (ValueError, KeyError, TypeError):
            return None
        if not all(isinstance(getattr(pending, k), str) for k in ("org", "state", "nonce", "verifier", "next")):
            return None
        return pending if isinstance(pending.issued, int) else None


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > 2000:
        return "/"
    if any(ord(c) < 32 for c in target):
        return "/"
    return target


# -- ID token validation -------------------------------------------------------------------------


def _when(stamp: Any) -> str:
    try:
        return dt.datetime.fromtimestamp(float(stamp), dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (TypeError, ValueError, OverflowError, OSError):
        return repr(stamp)


def _shown(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def validate_id_token(id_token: str, *, jwks: Mapping[str, Any], issuer: str, client_id: str, nonce: str,
                      algorithms: list[str] | None = None, now: float | None = None,
                      access_token: str | None = None, leeway: int = LEEWAY_S) -> dict[str, Any]:
    """The claims of ``id_token`` once its signature verifies against ``jwks`` (the provider's
    keys) and Authlib's ID token checks pass: ``iss`` is ``issuer``, ``aud`` holds ``client_id``
    (and ``azp``, if present, is it), ``exp`` has not passed, ``nonce`` is this sign-in's, the
    ``at_hash`` matches. Any failure is one :class:`SingleSignOnError` line naming the check."""
    from authlib.oidc.core import CodeIDToken
    from joserfc import jwt
    from joserfc.errors import (BadSignatureError, ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError,
                                MissingClaimError, MissingKeyError, UnsupportedAlgorithmError)
    from joserfc.jwk import KeySet
    from joserfc.jws import JWSRegistry

    allowed = [a for a in (algorithms or ASYMMETRIC_ALGORITHMS) if a in ASYMMETRIC_ALGORITHMS]
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        raise SingleSignOnError("ID token: the provider's answer holds no signed ID token (a JWS in compact form)")
    try:
        keys = KeySet.import_key_set(dict(jwks))
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise IdentityProviderError(f"jwks: the provider's keys cannot be read ({type(exc).__name__})") from None
    try:
        token = jwt.decode(id_token, keys, registry=JWSRegistry(algorithms=allowed, strict_check_header=False))
    except UnsupportedAlgorithmError:
        alg = _header_alg(id_token)
        raise SingleSignOnError(f"ID token: signed with {alg!r}, which is not allowed (allowed: "
                                f"{', '.join(allowed)})") from None
    except (InvalidKeyIdError, MissingKeyError, ValueError):
        raise SingleSignOnError(UNKNOWN_KEY) from None
    except BadSignatureError:
        raise SingleSignOnError("ID token: the signature does not match the provider's keys") from None
    except JoseError as exc:
        raise SingleSignOnError(f"ID token: cannot be read ({exc.error})") from None
    stamp = int(time.time() if now is None else now)
    options = {"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client_id},
               "exp": {"essential": True}, "nonce": {"essential": True}}
    params: dict[str, Any] = {"nonce": nonce, "client_id": client_id}
    if access_token:
        params["access_token"] = access_token
    claims = CodeIDToken(token.claims, token.header, options, params)
    try:
        claims.validate(now=stamp, leeway=leeway)
    except ExpiredTokenError:
        raise SingleSignOnError(f"ID token: expired at {_when(claims.get('exp'))} (now {_when(stamp)}); "
                                "sign in again") from None
    except MissingClaimError as exc:
        raise SingleSignOnError(f"ID token: the {exc.claim} claim is missing") from None
    except ClaimError as exc:
        raise SingleSignOnError(_claim_message(exc.claim, claims, issuer, client_id, stamp)) from None
    return dict(claims)


def _header_alg(id_token: str) -> str:
    try:
        head = id_token.split(".", 1)[0]
        return str(json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))).get("alg"))
    except (ValueError, AttributeError):
        return "?"


def _claim_message(claim: str, claims: Mapping[str, Any], issuer: str, client_id: str, now: int) -> str:
    value = claims.get(claim)
    if claim == "iss":
        return f"ID token: issuer {_shown(value)} is not this organisation's issuer {issuer!r}"
    if claim == "aud":
        return f"ID token: audience {_shown(value)} is not this application's client id {client_id!r}"
    if claim == "azp":
        return f"ID token: authorized party (azp) {_shown(value)} is not this application's client id {client_id!r}"
    if claim == "nonce":
        return "ID token: the nonce is not this sign-in's (the token was issued for another sign-in); start again"
    if claim in ("iat", "nbf"):
        return f"ID token: {claim} {_when(value)} is in the future (now {_when(now)}); check the server's clock"
    if claim == "at_hash":
        return "ID token: at_hash does not match the access token"
    return f"ID token: the {claim} claim is not valid ({_shown(value)})"


# -- the provider's metadata ---------------------------------------------------------------------


class _Cache:
    """Discovery documents and key sets by issuer, kept for :data:`METADATA_LIFETIME` (shared by
    every request of the process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: dict[tuple[str, str], tuple[float, Any]] = {}

    def get(self, key: tuple[str, str], fetch: Callable[[], Any], force: bool = False) -> Any:
        with self.lock:
            hit = self.items.get(key)
        if hit is not None and not force and time.monotonic() - hit[0] < METADATA_LIFETIME.total_seconds():
            return hit[1]
        value = fetch()
        with self.lock:
            self.items[key] = (time.monotonic(), value)
        return value

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


CACHE = _Cache()
_LEDGER = threading.Lock()  # one state checked at a time in this process


class SingleSignOn:
    """Sign-in through the organisations' providers, over an :class:`~carescale.accounts.core.Accounts`."""

    def __init__(self, providers: Providers, accounts: Any, *, timeout: float = 10.0,
                 cache: _Cache = CACHE):
        self.providers = providers
        self.accounts = accounts
        self.timeout = timeout
        self.cache = cache

    # -- provider metadata -----------------------------------------------------------------------
    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        import requests

        try:
            answer = requests.get(url, headers={"Accept": "application/json"}, timeout=self.timeout,
                                  allow_redirects=False)
            answer.raise_for_status()
            data = answer.json()
        except requests.HTTPError as exc:
            raise IdentityProviderError(f"{what}: {url} answered {exc.response.status_code}") from None
        except requests.RequestException as exc:
            raise IdentityProviderError(f"{what}: {url} cannot be reached ({type(exc).__name__})") from None
        except ValueError:
            raise IdentityProviderError(f"{what}: {url} did not answer JSON") from None
        if not isinstance(data, dict):
            raise IdentityProviderError(f"{what}: {url} did not answer a JSON object")
        return data

    def metadata(self, org: str) -> dict[str, Any]:
        """The provider's discovery document (OpenID Connect Discovery 1.0), cached; its ``issuer``
        must be the configured one exactly."""
        provider = self.providers.get(org)
        url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"

        def fetch() -> dict[str, Any]:
            data = self._get_json(url, "discovery")
            if data.get("issuer") != provider.issuer:
                raise IdentityProviderError(f"discovery: {url} names issuer {_shown(data.get('issuer'))}, not the "
                                            f"configured {provider.issuer!r} ({self.providers.file}: providers.{org}.issuer)")
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(data.get(key), str):
                    raise IdentityProviderError(f"discovery: {url} gives no {key}")
                if not _secure_url(data[key]):  # the code, the secret and the keys travel over these
                    raise IdentityProviderError(f"discovery: {url} gives {key} {_shown(data[key])}, which is not "
                                                "https:// (http:// only on this computer)")
            return data

        return self.cache.get(("discovery", url), fetch)

    def jwks(self, org: str, force: bool = False) -> dict[str, Any]:
        uri = self.metadata(org)["jwks_uri"]
        return self.cache.get(("jwks", uri), lambda: self._get_json(uri, "jwks"), force=force)

    def _client(self, org: str, redirect_uri: str) -> Any:
        from authlib.integrations.requests_client import OAuth2Session

        provider = self.providers.get(org)
        supported = self.metadata(org).get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        method = "client_secret_basic" if "client_secret_basic" in supported else "client_secret_post"
        return OAuth2Session(client_id=provider.client_id, client_secret=self.providers.client_secret(org),
                             scope=provider.scope, redirect_uri=redirect_uri, code_challenge_method="S256",
                             token_endpoint_auth_method=method, default_timeout=self.timeout)

    # -- the state ledger (append-only audit log) ----------------------------------------------------
    def _now(self) -> dt.datetime:
        return self.accounts.clock()

    def _record_start(self, pending: Pending) -> None:
        self.accounts.audit("anonymous", STARTED, f"sso-state:{_sha256(pending.state)}",
                            f"{pending.org} {pending.commitment()}")

    def _consume(self, pending: Pending) -> None:
        from sqlalchemy import select

        from ..store.models import AuditRow

        obj = f"sso-state:{_sha256(pending.state)}"
        since = self._now() - 2 * PENDING_LIFETIME
        with _LEDGER, self.accounts.store.transaction() as s:
            rows = list(s.scalars(select(AuditRow).where(AuditRow.object == obj, AuditRow.at >= since)))
            if any(r.action == USED for r in rows):
                raise SingleSignOnError("state: this sign-in was already used (a replayed answer is refused); "
                                        "start again")
            if not any(r.action == STARTED and hmac.compare_digest(r.detail, f"{pending.org} {pending.commitment()}")
                       for r in rows):
                raise SingleSignOnError("state: this server did not start that sign-in (or it was altered); start again")
            self.accounts._audit(s, "anonymous", USED, obj, pending.org)

    # -- the flow --------------------------------------------------------------------------------------
    def begin(self, org: str, redirect_uri: str, next_path: str | None = "/") -> tuple[str, Pending]:
        """(the provider's authorization address, the pending sign-in for the browser's cookie)."""
        endpoint = self.metadata(org)["authorization_endpoint"]
        pending = Pending(org=org, state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                          verifier=secrets.token_urlsafe(48), next=safe_next(next_path),
                          issued=int(self._now().timestamp()))
        with self._client(org, redirect_uri) as client:
            url, _ = client.create_authorization_url(endpoint, state=pending.state, nonce=pending.nonce,
                                                     code_verifier=pending.verifier)
        self._record_start(pending)
        return url, pending

    def finish(self, org: str, pending: Pending | None, params: Mapping[str, str], redirect_uri: str) -> tuple[Any, str]:
        """(the user, a new session token) for the provider's answer ``params`` (the callback's
        query), or one :class:`SingleSignOnError` line; every outcome is audited."""
        provider = self.providers.get(org)
        try:
            return self._finish(org, provider, pending, params, redirect_uri)
        except (SingleSignOnError, IdentityProviderError) as exc:
            self.accounts.audit("?", "sign-in.failed", "session", f"single sign-on {org}: {exc.message}")
            raise

    def _finish(self, org: str, provider: Provider, pending: Pending | None, params: Mapping[str, str],
                redirect_uri: str) -> tuple[Any, str]:
        state = params.get("state")
        if params.get("error") and not state:  # some providers leave the state out of an error answer
            raise SingleSignOnError(self._provider_error(provider, params))
        if pending is None or pending.org != org:
            raise SingleSignOnError("state: this browser has no sign-in with this organisation under way (it "
                                    "took more than 10 minutes, or cookies are blocked); start again")
        if not isinstance(state, str) or not hmac.compare_digest(state.encode(), pending.state.encode()):
            raise SingleSignOnError("state: the provider's answer is not for the sign-in this browser started; "
                                    "start again")
        age = self._now().timestamp() - pending.issued
        if not 0 <= age <= PENDING_LIFETIME.total_seconds():
            raise SingleSignOnError("state: the sign-in was started more than 10 minutes ago; start again")
        self._consume(pending)
        if params.get("error"):
            raise SingleSignOnError(self._provider_error(provider, params))
        code = params.get("code")
        if not code:
            raise SingleSignOnError("code: the provider's answer holds no authorization code")
        token = self._exchange(org, code, pending, redirect_uri)
        meta = self.metadata(org)
        algorithms = meta.get("id_token_signing_alg_values_supported") or ["RS256"]
        check = dict(issuer=provider.issuer, client_id=provider.client_id, nonce=pending.nonce,
                     algorithms=list(algorithms), now=self._now().timestamp(),
                     access_token=token.get("access_token"))
        try:
            claims = validate_id_token(token.get("id_token"), jwks=self.jwks(org), **check)
        except SingleSignOnError as exc:
            if exc.message != UNKNOWN_KEY:
                raise
            claims = validate_id_token(token.get("id_token"), jwks=self.jwks(org, force=True), **check)  # keys rotated
        return self._sign_in(org, provider, claims)

    @staticmethod
    def _provider_error(provider: Provider, params: Mapping[str, str]) -> str:
        from ..safe_text import one_line

        detail = params.get("error_description") or ""
        return (f"sign-in with {provider.name} was not completed: the provider answered "
                f"{_shown(one_line(params['error']), 60)}{' (' + _shown(one_line(detail), 120) + ')' if detail else ''}")

    def _exchange(self, org: str, code: str, pending: Pending, redirect_uri: str) -> dict[str, Any]:
        import requests
        from authlib.integrations.base_client import OAuthError

        endpoint = self.metadata(org)["token_endpoint"]
        try:
            with self._client(org, redirect_uri) as client:
                token = client.fetch_token(endpoint, grant_type="authorization_code", code=code,
                                           code_verifier=pending.verifier, redirect_uri=redirect_uri)
        except OAuthError as exc:
            raise SingleSignOnError(f"code: the provider refused the authorization code ({_shown(exc.error, 60)})") from None
        except requests.RequestException as exc:
            raise IdentityProviderError(f"token: {endpoint} cannot be reached ({type(exc).__name__})") from None
        except ValueError:
            raise IdentityProviderError(f"token: {endpoint} did not answer a token") from None
        return dict(token)

    def _sign_in(self, org: str, provider: Provider, claims: Mapping[str, Any]) -> tuple[Any, str]:
        from ..errors import AccountError
        from .core import check_email

        raw = claims.get(provider.email_claim)
        if claims.get("email_verified") is False:
            raise SingleSignOnError(f"email: the provider says {_shown(raw)} is not verified")
        try:
            email = check_email(raw)
        except AccountError:  # say which claim, not a form field
            raise SingleSignOnError(f"{provider.email_claim}: the ID token gives {_shown(raw)}, not an email address "
                                    f"({self.providers.file}: providers.{org}.email_claim)") from None
        if not provider.allows(email):
            raise SingleSignOnError(f"email: {email!r} is not in a domain {provider.name} signs in "
                                    f"({', '.join(provider.allowed_email_domains)})")
        acc = self.accounts
        how = f"single sign-on: {org} ({provider.issuer})"
        if provider.members_only:
            known = acc.get_user(email)
            if known is None or org not in known.roles:
                raise SingleSignOnError(f"email: {email!r} is not a member of {provider.name}; ask its carescale "
                                        "administrator to add you")
        if not any(o["id"] == org for o in acc.organisations()):
            acc.create_organisation(org, provider.name, provider.kind, actor=how)
        user = acc.get_user(email)
        if user is None:
            user = acc.create_user(email, None, actor=how)
        elif user.disabled:  # no membership, no session (the same one line as a password sign-in)
            from .core import SIGN_IN_FAILED

            acc.audit(email, "sign-in.failed", "session", f"{how}: the account is disabled")
            raise SignInError(SIGN_IN_FAILED)
        if org not in user.roles:
            acc.set_role(email, org, provider.first_sign_in_role, actor=how)
            user = acc.get_user(email)
        token = acc.start_session(user, how=how)
        return acc.get_user(email), token
