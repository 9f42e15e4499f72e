"""OpenID Connect single sign-on (issue 27, docs/accounts.md "Single sign-on with OpenID Connect"):
the providers file and its one-line errors; the whole authorization code flow against a real
provider on a loopback port (``oidc-provider-mock``, a Flask app built on Authlib's server side);
and, against a provider this file plays itself (its own RSA key served as a JWKS, its token
endpoint answering the ID token each test signs), each check of the ID token: a wrong audience, an
expired token, a wrong nonce, a wrong issuer, a foreign key, an HMAC signature, and a replayed or
forged state are each refused with their one line, and PKCE's S256 verifier reaches the token
endpoint. The sign-in through the browser is tests/test_oidc_browser.py."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from carescale.errors import IdentityProviderError, InputFileError, NotFound, SignInError, SingleSignOnError

from .conftest import INVALID, require_tool, run_cli
from .store_fixtures import store_url  # noqa: F401 - the fixture

CALLBACK = "http://127.0.0.1:8000/sign-in/birmingham/sso/callback"
SECRET_ENV = "CARESCALE_TEST_OIDC_SECRET"
CLIENT_ID = "carescale-test"


def _accounts(url):
    from carescale.accounts import open_accounts

    return open_accounts(url)


def _providers(issuer: str, **over):
    from carescale.accounts.oidc import Provider, Providers

    fields = dict(name="Birmingham City Council", issuer=issuer, client_id=CLIENT_ID,
                  client_secret_env=SECRET_ENV, allowed_email_domains=["birmingham.gov.uk"]) | over
    return Providers("providers.yaml", {"birmingham": Provider(**fields)})


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture(autouse=True)
def _secret(monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "test-client-secret")
    from carescale.accounts import oidc

    oidc.CACHE.clear()  # each provider here listens on a new port


# -- the providers file --------------------------------------------------------------------------

CASES = {
    "missing_client_id.yaml": "providers.birmingham.client_id: required key is missing",
    "http_issuer.yaml": ("providers.birmingham.issuer: 'http://login.example.org/birmingham' is not an https:// "
                         "issuer URL (for example https://login.microsoftonline.com/<tenant id>/v2.0; http:// only "
                         "on this computer)"),
    "secret_in_file.yaml": ("providers.birmingham: client_secret: the secret itself does not belong in this file; "
                            "set it in an environment variable and name that variable in client_secret_env"),
    "bad_domain.yaml": ("providers.birmingham.allowed_email_domains: '@Birmingham.gov.uk' is not an email domain "
                        "in lower case (for example birmingham.gov.uk)"),
    "unknown_role.yaml": ("providers.birmingham.first_sign_in_role: input should be 'viewer', 'editor', "
                          "'approver' or 'admin' (got 'owner')"),
    "bad_organisation_id.yaml": ("providers: 'Birmingham City' is not an organisation id (lower-case letters, "
                                 "digits and hyphens, at most 64 characters, for example birmingham)"),
    "secret_not_set.yaml": ("providers.birmingham.client_secret_env: the environment variable "
                            "CARESCALE_TEST_OIDC_UNSET is not set (it holds birmingham's client secret)"),
    "no_providers.yaml": "providers: no provider is configured; give at least one organisation id and its provider",
    "no_openid_scope.yaml": "providers.birmingham.scope: 'email profile' must include 'openid'",
}


def test_every_invalid_providers_fixture_has_a_case():
    assert sorted(p.name for p in (INVALID / "accounts" / "oidc").glob("*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_invalid_providers_file_gives_its_exact_line(name, monkeypatch):
    from carescale.accounts.oidc import load_providers
    from carescale.io.paths import display_path

    monkeypatch.delenv("CARESCALE_TEST_OIDC_UNSET", raising=False)
    path = INVALID / "accounts" / "oidc" / name
    with pytest.raises(InputFileError) as err:
        load_providers(path)
    assert err.value.message == f"{display_path(path)}: {CASES[name]}"
    assert "do-not-show-this-secret" not in err.value.message


def test_providers_file_loads_from_the_environment_variable(tmp_path, monkeypatch):
    from carescale.accounts import ROLES
    from carescale.accounts.oidc import ENV, Provider, load_providers

    path = tmp_path / "providers.yaml"
    path.write_text(yaml.safe_dump({"providers": {
        "birmingham": {"name": "Birmingham City Council",
                       "issuer": "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0",
                       "client_id": "0a1b2c3d", "client_secret_env": SECRET_ENV,
                       "allowed_email_domains": ["birmingham.gov.uk"], "first_sign_in_role": "editor"},
        "nhs-bsol": {"name": "NHS Birmingham and Solihull ICB", "issuer": "https://idp.nhs.example/bsol",
                     "client_id": "x", "client_secret_env": SECRET_ENV, "kind": "icb",
                     "allowed_email_domains": ["nhs.net"]}}}))
    monkeypatch.delenv(ENV, raising=False)
    assert load_providers() is None  # not configured: no single sign-on
    monkeypatch.setenv(ENV, str(path))
    loaded = load_providers()
    assert sorted(loaded.by_org) == ["birmingham", "nhs-bsol"]
    assert loaded.get("birmingham").first_sign_in_role == "editor" and loaded.get("nhs-bsol").first_sign_in_role == "viewer"
    assert loaded.client_secret("birmingham") == "test-client-secret"
    assert loaded.buttons() == [
        {"org": "birmingham", "name": "Birmingham City Council", "href": "/sign-in/birmingham/sso"},
        {"org": "nhs-bsol", "name": "NHS Birmingham and Solihull ICB", "href": "/sign-in/nhs-bsol/sso"}]
    with pytest.raises(NotFound, match="organisation: 'leeds' has no single sign-on configured"):
        loaded.get("leeds")
    assert Provider.model_fields["first_sign_in_role"].annotation.__args__ == ROLES  # one list of roles


def test_serve_stops_with_one_line_for_a_bad_providers_file(monkeypatch):
    """A providers file with a problem stops `carescale serve` before it listens, with its line."""
    from carescale.accounts.oidc import ENV
    from carescale.io.paths import display_path

    path = INVALID / "accounts" / "oidc" / "http_issuer.yaml"
    monkeypatch.setenv(ENV, str(path))
    res = run_cli("serve", "--port", "1")  # never reached: the file is checked first
    assert res.code == 2 and "Traceback" not in res.err
    assert res.err.strip().endswith(f"{display_path(path)}: providers.birmingham.issuer: 'http://login.example.org/"
                                    "birmingham' is not an https:// issuer URL (for example https://login."
                                    "microsoftonline.com/<tenant id>/v2.0; http:// only on this computer)")
    assert "carescale is running" not in res.out


def test_next_path_stays_on_this_site():
    from carescale.accounts.oidc import safe_next

    assert safe_next("/plans?x=1") == "/plans?x=1"
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "plans", "", None, "/a\nb"):
        assert safe_next(bad) == "/", bad


# -- a real provider on a loopback port ------------------------------------------------------------


@pytest.fixture(scope="module")
def mock_issuer():
    """oidc-provider-mock as a real server (werkzeug, a thread) on a free loopback port; it insists
    on a nonce in every authorization request."""
    try:
        import oidc_provider_mock
    except ImportError:
        oidc_provider_mock = None
    require_tool(oidc_provider_mock is not None, "oidc-provider-mock (the test extra: pip install oidc-provider-mock)")
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def _authorize_at_mock(url: str, email: str) -> dict[str, str]:
    """What the mock's authorization form does when a person types their email and presses
    Authorize: the provider redirects to our callback with a code and the state."""
    import requests

    answer = requests.post(url, data={"sub": email, "action": "authorize"}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    assert answer.headers["Location"].startswith(CALLBACK + "?")
    return _query(answer.headers["Location"])


def test_sign_in_through_a_real_provider_makes_a_passwordless_member_with_a_session(store_url, mock_issuer):
    from carescale.accounts.oidc import SingleSignOn, code_challenge

    acc = _accounts(store_url)
    sso = SingleSignOn(_providers(mock_issuer, first_sign_in_role="editor"), acc)
    url, pending = sso.begin("birmingham", CALLBACK, "/plans")
    sent = _query(url)
    assert url.startswith(mock_issuer + "/oauth2/authorize?")
    assert sent["client_id"] == CLIENT_ID and sent["redirect_uri"] == CALLBACK and sent["response_type"] == "code"
    assert sent["state"] == pending.state and sent["nonce"] == pending.nonce and len(pending.state) >= 43
    assert sent["code_challenge_method"] == "S256" and sent["code_challenge"] == code_challenge(pending.verifier)
    assert pending.verifier not in url and pending.next == "/plans"

    answer = _authorize_at_mock(url, "Ann.Smith@birmingham.gov.uk")
    user, token = sso.finish("birmingham", pending, answer, CALLBACK)
    assert user.email == "ann.smith@birmingham.gov.uk" and user.single_sign_on
    assert user.roles == {"birmingham": "editor"}
    assert acc.session_user(token).email == "ann.smith@birmingham.gov.uk"
    assert [o["name"] for o in acc.organisations()] == ["Birmingham City Council"]
    with pytest.raises(SignInError, match="sign-in failed"):  # no local password for this account
        acc.sign_in("ann.smith@birmingham.gov.uk", "any password at all")
    log = [(a["action"], a["actor"]) for a in acc.audit_log()]
    assert ("sign-in.sso-start", "anonymous") in log and ("sign-in.sso-state-used", "anonymous") in log
    assert ("sign-in", "ann.smith@birmingham.gov.uk") in log
    assert acc.audit_log()[-2]["detail"] == f"single sign-on: birmingham ({mock_issuer})"

    # the same answer again (a replayed state, e.g. from the browser's history): refused, audited
    with pytest.raises(SingleSignOnError) as err:
        sso.finish("birmingham", pending, answer, CALLBACK)
    assert err.value.message == ("state: this sign-in was already used (a replayed answer is refused); start again")
    assert acc.audit_log()[-1]["action"] == "sign-in.failed" and "already used" in acc.audit_log()[-1]["detail"]

    # the second sign-in finds the same user and keeps the role an admin gave them since
    acc.set_role("ann.smith@birmingham.gov.uk", "birmingham", "approver")
    url, pending = sso.begin("birmingham", CALLBACK)
    user, second = sso.finish("birmingham", pending, _authorize_at_mock(url, "ann.smith@birmingham.gov.uk"), CALLBACK)
    assert user.id == acc.get_user("ann.smith@birmingham.gov.uk").id and user.roles == {"birmingham": "approver"}
    assert second != token and acc.session_user(second) is not None


def test_an_email_outside_the_organisations_domains_is_refused(tmp_path, mock_issuer):
    from carescale.accounts.oidc import SingleSignOn

    acc = _accounts(f"sqlite:///{tmp_path / 'a.db'}")
    sso = SingleSignOn(_providers(mock_issuer), acc)
    url, pending = sso.begin("birmingham", CALLBACK)
    with pytest.raises(SingleSignOnError) as err:
        sso.finish("birmingham", pending, _authorize_at_mock(url, "eve@birmingham.gov.uk.evil.example"), CALLBACK)
    assert err.value.message == ("email: 'eve@birmingham.gov.uk.evil.example' is not in a domain Birmingham City "
                                 "Council signs in (birmingham.gov.uk)")
    assert acc.list_users() == []  # nobody was made


def test_a_disabled_account_gets_no_session_through_single_sign_on(tmp_path, mock_issuer):
    from carescale.accounts.oidc import SingleSignOn

    acc = _accounts(f"sqlite:///{tmp_path / 'a.db'}")
    acc.create_user("bob@birmingham.gov.uk", None)
    acc.set_disabled("bob@birmingham.gov.uk")
    sso = SingleSignOn(_providers(mock_issuer), acc)
    url, pending = sso.begin("birmingham", CALLBACK)
    with pytest.raises(SignInError) as err:
        sso.finish("birmingham", pending, _authorize_at_mock(url, "bob@birmingham.gov.uk"), CALLBACK)
    assert err.value.message == "sign-in failed: the email address or the password is not right"
    assert acc.get_user("bob@birmingham.gov.uk").roles == {}  # not made a member either
    assert acc.audit_log()[-1]["action"] == "sign-in.failed"
    assert acc.audit_log()[-1]["detail"].endswith("the account is disabled")


def test_a_denied_authorization_is_one_line(tmp_path, mock_issuer):
    import requests

    from carescale.accounts.oidc import SingleSignOn

    sso = SingleSignOn(_providers(mock_issuer), _accounts(f"sqlite:///{tmp_path / 'a.db'}"))
    url, pending = sso.begin("birmingham", CALLBACK)
    answer = requests.post(url, data={"action": "deny"}, allow_redirects=False, timeout=10)
    with pytest.raises(SingleSignOnError) as err:
        sso.finish("birmingham", pending, _query(answer.headers["Location"]), CALLBACK)
    assert err.value.message.startswith("sign-in with Birmingham City Council was not completed: the provider "
                                        "answered 'access_denied'")


# -- a provider played by this file, to check the ID token precisely -----------------------------


class FakeProvider:
    """Discovery, JWKS and a token endpoint on a loopback port. The token endpoint answers with
    the ID token the test set (``self.id_token``) and keeps the form it was sent."""

    def __init__(self) -> None:
        from joserfc.jwk import KeySet, RSAKey

        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-1", "use": "sig", "alg": "RS256"})
        self.jwks = KeySet([self.key]).as_dict(private=False)
        self.id_token = ""
        self.discovery_changes: dict[str, str] = {}
        self.token_forms: list[dict[str, str]] = []
        self.token_auth: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _json(self, data) -> None:
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._json({"issuer": fake.issuer, "authorization_endpoint": fake.issuer + "/authorize",
                                "token_endpoint": fake.issuer + "/token", "jwks_uri": fake.issuer + "/jwks",
                                "id_token_signing_alg_values_supported": ["RS256"],
                                "token_endpoint_auth_methods_supported": ["client_secret_post"]}
                               | fake.discovery_changes)
                elif self.path == "/jwks":
                    self._json(fake.jwks)
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                fake.token_forms.append({k: v[0] for k, v in parse_qs(body).items()})
                fake.token_auth.append(self.headers.get("Authorization") or "")
                self._json({"access_token": "at-123", "token_type": "Bearer", "expires_in": 3600,
                            "id_token": fake.id_token})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def sign(self, claims: dict, key=None, alg: str = "RS256") -> str:
        from joserfc import jwt

        key = key or self.key
        header = {"alg": alg, **({"kid": key.kid} if getattr(key, "kid", None) else {})}
        return jwt.encode(header, claims, key, algorithms=[alg])

    def claims(self, this_nonce: str, **over) -> dict:
        now = int(time.time())
        return {"iss": self.issuer, "sub": "user-1", "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                "nonce": this_nonce, "email": "ann@birmingham.gov.uk", "email_verified": True} | over


@pytest.fixture(scope="module")
def fake():
    provider = FakeProvider()
    provider.thread.start()
    yield provider
    provider.server.shutdown()


def _finish_with(fake, acc, make_token, pending_change=None):
    """Start a sign-in, let the fake provider answer with ``make_token(nonce)`` as the ID token,
    and finish it: (user, token) or the refusal."""
    from carescale.accounts.oidc import SingleSignOn

    sso = SingleSignOn(_providers(fake.issuer), acc)
    url, pending = sso.begin("birmingham", CALLBACK, "/")
    fake.id_token = make_token(pending.nonce)
    return sso.finish("birmingham", pending_change(pending) if pending_change else pending,
                      {"code": "code-1", "state": pending.state}, CALLBACK)


def test_a_right_token_signs_in_and_the_code_is_exchanged_with_the_pkce_verifier(tmp_path, fake):
    from carescale.accounts.oidc import SingleSignOn, code_challenge

    acc = _accounts(f"sqlite:///{tmp_path / 'a.db'}")
    sso = SingleSignOn(_providers(fake.issuer), acc)
    url, pending = sso.begin("birmingham", CALLBACK)
    fake.id_token = fake.sign(fake.claims(pending.nonce))
    user, token = sso.finish("birmingham", pending, {"code": "code-1", "state": pending.state}, CALLBACK)
    assert user.email == "ann@birmingham.gov.uk" and acc.session_user(token) is not None
    form = fake.token_forms[-1]
    assert form["grant_type"] == "authorization_code" and form["code"] == "code-1"
    assert form["redirect_uri"] == CALLBACK and form["code_verifier"] == pending.verifier
    assert _query(url)["code_challenge"] == code_challenge(pending.verifier)
    expected = base64.urlsafe_b64encode(hashlib.sha256(pending.verifier.encode()).digest()).rstrip(b"=").decode()
    assert code_challenge(pending.verifier) == expected  # RFC 7636 S256, worked out here by hand
    # the provider lists only client_secret_post: the secret goes in the form, never in a header
    assert form["client_id"] == CLIENT_ID and form["client_secret"] == "test-client-secret"
    assert fake.token_auth[-1] == ""


def _other_key():
    from joserfc.jwk import RSAKey

    return RSAKey.generate_key(2048, parameters={"kid": "test-1"})  # the same kid, another key


REFUSED = {
    "wrong audience": (lambda f, n: f.sign(f.claims(n, aud="another-application")),
                       f"ID token: audience 'another-application' is not this application's client id '{CLIENT_ID}'"),
    "wrong nonce": (lambda f, n: f.sign(f.claims(n, nonce="a-nonce-from-another-sign-in")),
                    "ID token: the nonce is not this sign-in's (the token was issued for another sign-in); start again"),
    "no nonce": (lambda f, n: f.sign({k: v for k, v in f.claims(n).items() if k != "nonce"}),
                 "ID token: the nonce claim is missing"),
    "wrong issuer": (lambda f, n: f.sign(f.claims(n, iss="https://login.example.org/other")),
                     "ID token: issuer 'https://login.example.org/other' is not this organisation's issuer '{issuer}'"),
    "foreign key": (lambda f, n: f.sign(f.claims(n), key=_other_key()),
                    "ID token: the signature does not match the provider's keys"),
    "not signed": (lambda f, n: "not-a-token", "ID token: the provider's answer holds no signed ID token (a JWS in compact form)"),
    "email not verified": (lambda f, n: f.sign(f.claims(n, email_verified=False)),
                           "email: the provider says 'ann@birmingham.gov.uk' is not verified"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_each_bad_id_token_is_refused_with_its_line(case, tmp_path, fake):
    acc = _accounts(f"sqlite:///{tmp_path / 'a.db'}")
    make, message = REFUSED[case]
    with pytest.raises(SingleSignOnError) as err:
        _finish_with(fake, acc, lambda n: make(fake, n))
    assert err.value.message == message.format(issuer=fake.issuer)
    assert err.value.http_status == 401 and "\n" not in err.value.message
    assert acc.list_users() == []  # nobody made, nobody signed in
    assert acc.audit_log()[-1]["action"] == "sign-in.failed"
    assert acc.audit_log()[-1]["detail"] == f"single sign-on birmingham: {err.value.message}"


def test_an_expired_token_is_refused_naming_when_it_expired(tmp_path, fake):
    acc = _accounts(f"sqlite:///{tmp_path / 'a.db'}")
    exp = int(time.time()) - 600  # ten minutes ago, past the 60 s allowed for clock skew
    with pytest.raises(SingleSignOnError) as err:
        _finish_with(fake, acc, lambda n: fake.sign(fake.claims(n, iat=exp - 3600, exp=exp)))
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(exp))
    assert err.value.message.startswith(f"ID token: expired at {when} (now ")
    assert err.value.message.endswith("); sign in again")


def test_an_hmac_signed_token_is_refused_even_with_the_client_secret(tmp_path, fake):
    """An ID token signed with the client secret (HS256) would let anyone holding the secret mint
    tokens; only the provider's public keys are accepted."""
    from joserfc import jwt
    from joserfc.jwk import OctKey

    acc = _accounts(f"sqlite:///{tmp_path / 'a.db'}")
    secret = OctKey.import_key("test-client-secret" + "x" * 14)

    with pytest.raises(SingleSignOnError) as err:
        _finish_with(fake, acc, lambda n: jwt.encode({"alg": "HS256"}, fake.claims(n), secret, algorithms=["HS256"]))
    assert err.value.message == "ID token: signed with 'HS256', which is not allowed (allowed: RS256)"


def test_a_forged_or_altered_pending_sign_in_is_refused(tmp_path, fake):
    """The browser's cookie is checked against what the server recorded when it started the sign-in:
    a cookie made up by someone (or with its 'next' or nonce changed) is refused before any code is
    exchanged."""
    from dataclasses import replace

    from carescale.accounts.oidc import Pending

    acc = _accounts(f"sqlite:///{tmp_path / 'a.db'}")
    before = len(fake.token_forms)
    for change in (lambda p: replace(p, next="/somewhere-else"), lambda p: replace(p, nonce="chosen-by-an-attacker")):
        with pytest.raises(SingleSignOnError) as err:
            _finish_with(fake, acc, lambda n: fake.sign(fake.claims(n)), change)
        assert err.value.message == "state: this server did not start that sign-in (or it was altered); start again"
    assert len(fake.token_forms) == before  # no code was exchanged
    # a cookie round trip keeps every field; rubbish is no pending sign-in at all
    p = Pending("birmingham", "s", "n", "v", "/x", 1)
    assert Pending.from_cookie(p.to_cookie()) == p
    assert Pending.from_cookie("bm90IGpzb24") is None and Pending.from_cookie(None) is None


def test_state_mismatch_missing_cookie_and_old_sign_in_are_refused(tmp_path, fake):
    import datetime as dt

    from carescale.accounts.oidc import SingleSignOn

    acc = _accounts(f"sqlite:///{tmp_path / 'a.db'}")
    sso = SingleSignOn(_providers(fake.issuer), acc)
    url, pending = sso.begin("birmingham", CALLBACK)
    with pytest.raises(SingleSignOnError, match="^state: the provider's answer is not for the sign-in this browser started"):
        sso.finish("birmingham", pending, {"code": "c", "state": "another-state"}, CALLBACK)
    with pytest.raises(SingleSignOnError, match="^state: this browser has no sign-in with this organisation under way"):
        sso.finish("birmingham", None, {"code": "c", "state": pending.state}, CALLBACK)
    later = acc.clock() + dt.timedelta(minutes=11)
    acc.clock = lambda: later
    with pytest.raises(SingleSignOnError) as err:
        sso.finish("birmingham", pending, {"code": "c", "state": pending.state}, CALLBACK)
    assert err.value.message == "state: the sign-in was started more than 10 minutes ago; start again"


def test_discovery_must_name_the_configured_issuer(tmp_path, fake):
    from carescale.accounts.oidc import SingleSignOn

    sso = SingleSignOn(_providers(fake.issuer + "/"), _accounts(f"sqlite:///{tmp_path / 'a.db'}"))
    with pytest.raises(IdentityProviderError) as err:
        sso.begin("birmingham", CALLBACK)
    assert err.value.message == (f"discovery: {fake.issuer}/.well-known/openid-configuration names issuer "
                                 f"'{fake.issuer}', not the configured '{fake.issuer}/' (providers.yaml: "
                                 "providers.birmingham.issuer)")
    assert err.value.http_status == 502


def test_a_provider_that_cannot_be_reached_is_one_line(tmp_path):
    import socket

    from carescale.accounts.oidc import SingleSignOn

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sso = SingleSignOn(_providers(f"http://127.0.0.1:{port}"), _accounts(f"sqlite:///{tmp_path / 'a.db'}"), timeout=2)
    with pytest.raises(IdentityProviderError) as err:
        sso.begin("birmingham", CALLBACK)
    assert err.value.message == (f"discovery: http://127.0.0.1:{port}/.well-known/openid-configuration cannot be "
                                 "reached (ConnectionError)")


def test_discovery_and_keys_are_fetched_once_and_cached(tmp_path, fake, monkeypatch):
    import requests

    got: list[str] = []
    real = requests.get
    monkeypatch.setattr(requests, "get", lambda url, **kw: got.append(url) or real(url, **kw))
    acc = _accounts(f"sqlite:///{tmp_path / 'a.db'}")
    for _ in range(3):
        user, _token = _finish_with(fake, acc, lambda n: fake.sign(fake.claims(n)))
    assert got == [fake.issuer + "/.well-known/openid-configuration", fake.issuer + "/jwks"]


def test_a_rotated_key_is_fetched_again_once(tmp_path, fake, monkeypatch):
    """The provider rotates its signing key: a token naming the new key id makes the cached JWKS be
    fetched again (once), and the sign-in goes through; a key id it still does not publish is refused."""
    import requests
    from joserfc.jwk import KeySet, RSAKey

    acc = _accounts(f"sqlite:///{tmp_path / 'a.db'}")
    _finish_with(fake, acc, lambda n: fake.sign(fake.claims(n)))  # the first key, cached
    old_key, old_jwks = fake.key, fake.jwks
    got: list[str] = []
    real = requests.get
    monkeypatch.setattr(requests, "get", lambda url, **kw: got.append(url) or real(url, **kw))
    try:
        fake.key = RSAKey.generate_key(2048, parameters={"kid": "test-2", "use": "sig", "alg": "RS256"})
        fake.jwks = KeySet([fake.key]).as_dict(private=False)
        user, _token = _finish_with(fake, acc, lambda n: fake.sign(fake.claims(n)))
        assert user.email == "ann@birmingham.gov.uk" and got == [fake.issuer + "/jwks"]
        stranger = RSAKey.generate_key(2048, parameters={"kid": "test-3"})
        with pytest.raises(SingleSignOnError) as err:
            _finish_with(fake, acc, lambda n: fake.sign(fake.claims(n), key=stranger))
        assert err.value.message == ("ID token: signed with a key the provider does not publish (its kid is not in "
                                     "the provider's JWKS)")
    finally:
        fake.key, fake.jwks = old_key, old_jwks


def test_endpoints_over_plain_http_on_another_computer_are_refused(tmp_path, fake):
    from carescale.accounts.oidc import SingleSignOn

    sso = SingleSignOn(_providers(fake.issuer), _accounts(f"sqlite:///{tmp_path / 'a.db'}"))
    fake.discovery_changes = {"token_endpoint": "http://idp.example.org/token"}
    try:
        with pytest.raises(IdentityProviderError) as err:
            sso.begin("birmingham", CALLBACK)
    finally:
        fake.discovery_changes = {}
    assert err.value.message == (f"discovery: {fake.issuer}/.well-known/openid-configuration gives token_endpoint "
                                 "'http://idp.example.org/token', which is not https:// (http:// only on this computer)")


def test_members_only_signs_in_only_people_an_admin_added(tmp_path, mock_issuer):
    """With members_only (a shared tenant such as NHSmail vouches for every NHS address), a person
    the organisation's admin has not added is refused and nothing is made; once added, they sign in
    with the role the admin gave."""
    from carescale.accounts.oidc import SingleSignOn

    acc = _accounts(f"sqlite:///{tmp_path / 'a.db'}")
    sso = SingleSignOn(_providers(mock_issuer, members_only=True), acc)
    url, pending = sso.begin("birmingham", CALLBACK)
    with pytest.raises(SingleSignOnError) as err:
        sso.finish("birmingham", pending, _authorize_at_mock(url, "fay@birmingham.gov.uk"), CALLBACK)
    assert err.value.message == ("email: 'fay@birmingham.gov.uk' is not a member of Birmingham City Council; ask its "
                                 "carescale administrator to add you")
    assert acc.list_users() == [] and acc.organisations() == []
    acc.create_organisation("birmingham", "Birmingham City Council")
    acc.create_user("fay@birmingham.gov.uk", None)
    acc.set_role("fay@birmingham.gov.uk", "birmingham", "approver")
    url, pending = sso.begin("birmingham", CALLBACK)
    user, _token = sso.finish("birmingham", pending, _authorize_at_mock(url, "fay@birmingham.gov.uk"), CALLBACK)
    assert user.roles == {"birmingham": "approver"}


def test_check_sso_fetches_each_providers_keys_and_names_the_redirect_uri(tmp_path, fake, monkeypatch):
    """`carescale users check-sso`: for each organisation, the number of signing keys its provider
    publishes and the redirect URI to register there; a provider that cannot be reached is its line,
    and the command ends with one line naming the failed ones (exit 2)."""
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    path = tmp_path / "providers.yaml"
    entry = {"name": "x", "client_id": CLIENT_ID, "client_secret_env": SECRET_ENV,
             "allowed_email_domains": ["birmingham.gov.uk"]}
    path.write_text(yaml.safe_dump({"providers": {"birmingham": entry | {"issuer": fake.issuer}}}))
    monkeypatch.setenv("CARESCALE_PUBLIC_URL", "https://carescale.birmingham.gov.uk")
    res = run_cli("users", "check-sso", "--providers", str(path), "--format", "json")
    assert res.code == 0, res.err
    assert res.json() == [{"organisation": "birmingham", "issuer": fake.issuer, "keys": "1",
                           "redirect_uri": "https://carescale.birmingham.gov.uk/sign-in/birmingham/sso/callback",
                           "problem": ""}]
    path.write_text(yaml.safe_dump({"providers": {"birmingham": entry | {"issuer": fake.issuer},
                                                  "leeds": entry | {"issuer": dead}}}))
    res = run_cli("users", "check-sso", "--providers", str(path), "--format", "json")
    assert res.code == 2 and res.err.strip() == "error: check-sso: 1 of 2 providers failed (leeds); see the Problem column"
    assert [r["problem"] for r in res.json()] == [
        "", f"discovery: {dead}/.well-known/openid-configuration cannot be reached (ConnectionError)"]
    monkeypatch.delenv("CARESCALE_OIDC_PROVIDERS", raising=False)
    res = run_cli("users", "check-sso")
    assert res.code == 2 and res.err.strip().endswith(
        "--providers: give the providers file, or set CARESCALE_OIDC_PROVIDERS (docs/accounts.md)")
