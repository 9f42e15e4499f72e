"""`carescale users create-admin|list|reset-password|check-sso` (docs/accounts.md): bootstrap an
installation's first administrator, list the accounts, print a one-time password reset token, and
check the single sign-on providers file against each provider."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import Format, app, echo_listing, output_option

users_app = typer.Typer(help="Accounts: create the first administrator, list users, reset a password, check single sign-on.",
                        no_args_is_help=True)
app.add_typer(users_app, name="users")

USER_COLUMNS = [("Email", "email"), ("Organisations", "organisations"), ("Sign-in", "sign_in"),
                ("Disabled", "disabled")]


def _password(password_file: Optional[Path]) -> str:
    """From the file (its first line, without the line end), else typed twice at a prompt that
    never echoes it."""
    if password_file is not None:
        from ..io.yaml import read_user_text

        text = read_user_text(password_file, "password file")
        return text.splitlines()[0] if text else ""
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("create-admin")
def create_admin_command(
    email: str = typer.Option(..., "--email", help="The administrator's email address."),
    org: str = typer.Option(..., "--org", help="The organisation's id (lower-case, e.g. birmingham); made if new."),
    org_name: Optional[str] = typer.Option(None, "--org-name", help="The organisation's name, if it is new (default: its id)."),
    kind: str = typer.Option("council", "--kind", help="council, icb, provider or other, if it is new."),
    password_file: Optional[Path] = typer.Option(
        None, "--password-file", help="Read the password from this file's first line instead of a prompt."),
) -> None:
    """Create the first administrator of an organisation (the password is never echoed)."""
    from ..accounts import open_accounts
    from ..accounts.core import check_email, check_slug
    from ..accounts.passwords import check_password
    from ..accounts.roles import check_kind

    # check everything typed before asking for a password
    check_email(email), check_slug(org), check_kind(kind)
    password = _password(password_file)
    check_password(password)
    user = open_accounts().create_admin(email, org, password, org_name=org_name, kind=kind)
    typer.echo(f"Created {user.email}, admin of {org}.")


@users_app.command("list")
def list_command(
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
    output: Optional[Path] = output_option(),
) -> None:
    """Every account, with its role in each organisation."""
    from ..accounts import open_accounts

    rows = [{"email": u.email,
             "organisations": ", ".join(f"{o} ({r})" for o, r in sorted(u.roles.items())),
             "sign_in": "single sign-on" if u.single_sign_on else "password",
             "disabled": "yes" if u.disabled else "no"}
            for u in open_accounts().list_users()]
    if not rows and fmt is Format.table:
        typer.echo("No accounts yet: carescale users create-admin --email EMAIL --org ORGANISATION")
        return
    echo_listing(rows, fmt, "Accounts", USER_COLUMNS, output)


@users_app.command("reset-password")
def reset_password_command(
    email: str = typer.Option(..., "--email", help="The account whose password is to be reset."),
) -> None:
    """Print a one-time token (valid 24 hours) with which the user sets a new password."""
    from ..accounts import open_accounts

    from .. import config

    token = open_accounts().issue_password_reset(email, actor="carescale users reset-password")
    base = (config.public_url() or "http://127.0.0.1:8000").rstrip("/")  # the web app's page for it (issue 27)
    typer.echo(f"One-time reset token for {email.lower()} (valid 24 hours, works once):\n{token}\n"
               f"They set their new password at {base}/reset-password/{token}")


SSO_COLUMNS = [("Organisation", "organisation"), ("Issuer", "issuer"), ("Signing keys", "keys"),
               ("Redirect URI to register", "redirect_uri"), ("Problem", "problem")]


@users_app.command("check-sso")
def check_sso_command(
    providers: Optional[Path] = typer.Option(None, "--providers", help="The providers file (default: $CARESCALE_OIDC_PROVIDERS)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Check the single sign-on providers file and each provider's discovery document and keys,
    and print the redirect URI to register at each provider; exits 2 if any provider fails."""
    from .. import config
    from ..accounts.oidc import ENV, SingleSignOn, load_providers
    from ..errors import CarescaleError, IdentityProviderError

    loaded = load_providers(providers)
    if loaded is None:
        raise CarescaleError(f"--providers: give the providers file, or set {ENV} (docs/accounts.md)")
    sso = SingleSignOn(loaded, accounts=None)
    base = (config.public_url() or "http://127.0.0.1:8000").rstrip("/")
    rows, failed = [], []
    for org, provider in sorted(loaded.by_org.items()):
        row = {"organisation": org, "issuer": provider.issuer, "keys": "",
               "redirect_uri": f"{base}/sign-in/{org}/sso/callback", "problem": ""}
        try:
            row["keys"] = str(len(sso.jwks(org).get("keys") or []))
        except CarescaleError as exc:
            row["problem"] = exc.message
            failed.append(org)
        rows.append(row)
    echo_listing(rows, fmt, "Single sign-on providers", SSO_COLUMNS)
    if failed:
        raise IdentityProviderError(f"check-sso: {len(failed)} of {len(rows)} providers failed ({', '.join(failed)}); "
                                    "see the Problem column")
