"""One error hierarchy for everything a user can get wrong.

Every error carries a single line of text that names where the problem is (file and field),
the bad value and what would be valid. The CLI prints that line and exits with the error's
``exit_code`` (2); the web answers with its ``http_status`` (422 for bad input; 404, 429 and 503
for the classes below that say so): the JSON API with field-level detail, the pages with a GOV.UK
error summary. Library code raises these instead of using ``assert`` for input checks.
"""

from __future__ import annotations


class CarescaleError(Exception):
    """Base class: a problem with the user's input, reported as one line."""

    exit_code: int = 2  # what the CLI exits with
    http_status: int = 422  # what the web app answers with

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class InputFileError(CarescaleError):
    """A data file cannot be read, is not valid YAML, or does not match its schema."""


class UnknownIdError(CarescaleError):
    """An intervention, area or cohort id that is not in the library."""

    def __init__(self, kind: str, value: str, valid: list[str] | tuple[str, ...]):
        self.kind = kind
        self.value = value
        self.valid = sorted(valid)
        super().__init__(
            f"unknown {kind} {value!r}; valid {kind} ids are: {', '.join(self.valid)}"
        )


class SettingsError(CarescaleError):
    """A run setting (years, rate, draws, ...) that is out of range or of the wrong type."""


class ModelError(CarescaleError):
    """A definition that validates on its own but cannot be evaluated with the area given.

    For example an intervention that needs a cohort the area profile does not have."""


class StoreError(CarescaleError):
    """The store cannot be opened, or a saved record is missing or would be overwritten."""


class StoreUnavailableError(StoreError):
    """The store cannot be used at all, through no fault of the input (answered 503).

    The database cannot be reached, is read-only, its disk is full, or its schema was written by
    a newer carescale. The CLI prints the one line and exits 2 like any other error; the web app
    answers 503 (the JSON API with ``{"detail": "..."}``, the pages with an error page) and logs
    the full line, while the web answer names no database address (:attr:`public`)."""

    http_status = 503

    def __init__(self, message: str, public: str | None = None):
        super().__init__(message)
        self.public = public or "the database is not available just now; try again later"


class PlanError(CarescaleError):
    """An investment plan or a review that is not valid (bad actuals, dates, an unknown plan)."""


class OutputPathError(CarescaleError):
    """An output file that cannot be written.

    A folder, a missing parent folder, a name too long for the file system, or a store folder
    that is a file."""


class NonFiniteError(CarescaleError):
    """A result that is not a finite number (infinity or NaN), refused instead of written.

    ``Infinity``/``NaN`` is not JSON, and no page or report shows it."""


class OptimiseError(SettingsError):
    """A constraint or option of the portfolio optimiser that is out of range or unknown."""


class InfeasibleError(OptimiseError):
    """Constraints of the portfolio optimiser that no portfolio can meet.

    The message names the constraint that cannot be met and by how much."""


class OfficialDataError(InputFileError):
    """An ONS or NHS Digital file that cannot be read or does not have the expected layout."""


class ConversationError(CarescaleError):
    """A local conversation's input that is not valid (``carescale.conversations``).

    For example a response to an unknown proposal, a budget below zero, an oversized comment, an
    unknown conversation."""


class AccountError(CarescaleError):
    """An account, organisation, role or token given wrongly (``carescale.accounts``).

    A bad email, an empty password, an unknown role; the line never shows a password or a token."""


class SignInError(AccountError):
    """A sign-in that failed (answered 401).

    One message whatever the reason (no such account, a wrong password, a disabled account), so
    that it never tells whether an account exists."""

    http_status = 401


class PermissionDeniedError(AccountError):
    """A signed-in user whose role does not allow what they asked (answered 403)."""

    http_status = 403


class SingleSignOnError(SignInError):
    """A single sign-on (OpenID Connect) that was refused (answered 401).

    For example a replayed or unknown state, an ID token with a wrong issuer, audience, nonce or signature, or an expired one, an
    email outside the organisation's domains. The line says which check failed (the provider
    already knows the account exists) and never shows a token."""


class IdentityProviderError(AccountError):
    """An organisation's identity provider that cannot be reached or answers wrongly (502)."""

    http_status = 502


class NotFound(CarescaleError):
    """A scenario or job id the server does not know (answered 404)."""

    http_status = 404


class Busy(CarescaleError):
    """Too many jobs are waiting to start, or a client has too many (answered 429)."""

    http_status = 429


def expect(value: object, types: type | tuple[type, ...], what: str, hint: str) -> None:
    """Refuse, as one :class:`SettingsError` line, a Python API argument of the wrong type
    (instead of a raw ``AttributeError`` or ``TypeError`` deep inside). ``hint`` says what to
    give, for example "a Scenario from carescale.define_scenario(...)"."""
    if not isinstance(value, types):
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise SettingsError(f"{what}: expected {hint}, not {type(value).__name__} {shown}")
