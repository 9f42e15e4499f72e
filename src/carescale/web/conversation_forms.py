"""The public response form and the staff forms of a conversation (issue 28; docs/conversations.md,
"The pages"): what each sends, read and checked in one place, every problem a GOV.UK error-summary
item in the register the form was shown in.

Spam and duplicate protection uses no outside service:

* a **honeypot** field (``website``) that people leave empty (it is hidden from sight and says so
  to screen readers); a form that fills it is thanked and dropped;
* a **signed timestamp** (``started``: the time the form was drawn, with an HMAC of the app's own
  secret): a form sent sooner than :data:`MIN_SECONDS` after it was drawn is refused with a
  sentence, one older than :data:`MAX_SECONDS` (or with a bad signature) drawn again;
* a **per-client limit** and **duplicate refusal** in the library
  (:mod:`carescale.conversations`: the same view from the same client is refused; a client's
  responses to one conversation in an hour are bounded), answered here with a sentence.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..conversations.model import MAX_COMMENT, RESPONDENT_TYPES, STANCES
from .forms import ErrorSummary

MIN_SECONDS = 3.0  #: a person reads the idea before answering; a script posts at once
MAX_SECONDS = 4 * 3600.0  #: a form drawn longer ago than this is drawn again
HONEYPOT = "website"
RESPONDENTS = tuple(RESPONDENT_TYPES)

__all__ = ["HONEYPOT", "MAX_COMMENT", "MAX_SECONDS", "MIN_SECONDS", "ResponseForm", "form_secret", "sign_time",
           "signed_age", "themes_of"]


def form_secret(state: Any) -> bytes:
    """The app's own key for signing form timestamps (made once per process)."""
    key = getattr(state, "form_secret", None)
    if key is None:
        key = state.form_secret = secrets.token_bytes(32)
    return key


def sign_time(secret: bytes, when: float | None = None) -> str:
    """``<unix time>.<hmac>``: when the form was drawn, signed."""
    stamp = f"{(time.time() if when is None else when):.3f}"
    mac = hmac.new(secret, stamp.encode("ascii"), hashlib.sha256).hexdigest()[:32]
    return f"{stamp}.{mac}"


def signed_age(secret: bytes, token: str, now: float | None = None) -> float | None:
    """Seconds since a signed timestamp was made; None when it is not one of ours."""
    stamp, _, mac = token.rpartition(".")
    try:
        when = float(stamp)
    except ValueError:
        return None
    good = hmac.new(secret, stamp.encode("ascii"), hashlib.sha256).hexdigest()[:32]
    if not hmac.compare_digest(good, mac):
        return None
    return (time.time() if now is None else now) - when


@dataclass
class ResponseForm:
    """A member of the public's view of one proposal."""

    stance: str
    respondent: str
    comment: str
    started: str
    trap: str
    errors: ErrorSummary = field(default_factory=ErrorSummary)
    spam: bool = False  # the honeypot was filled: thank, then drop
    expired: bool = False  # draw the form again

    @classmethod
    def read(cls, form: Mapping[str, Any], t: Any, secret: bytes, now: float | None = None) -> "ResponseForm":
        got = cls(stance=str(form.get("stance") or ""), respondent=str(form.get("respondent") or ""),
                  comment=str(form.get("comment") or "").replace("\r\n", "\n"), started=str(form.get("started") or ""),
                  trap=str(form.get(HONEYPOT) or ""))
        if got.trap.strip():
            got.spam = True
            return got
        age = signed_age(secret, got.started, now)
        if age is None or age > MAX_SECONDS or age < -5:
            got.expired = True
            got.errors.add(t("error_expired"), "stance")
            return got
        if age < MIN_SECONDS:
            got.errors.add(t("error_too_fast"), "stance")
        if got.stance not in STANCES:
            got.errors.add(t("error_view"), "stance")
        if got.respondent not in RESPONDENTS:
            got.errors.add(t("error_type"), "respondent")
        if len(got.comment) > MAX_COMMENT:
            got.errors.add(t("error_comment_long", limit=f"{MAX_COMMENT:,}"), "comment")
        return got

    def values(self) -> dict[str, str]:
        return {"stance": self.stance, "respondent": self.respondent, "comment": self.comment}


def themes_of(text: str) -> list[str]:
    """Themes as staff type them: separated by commas or new lines, trimmed, each once, in order."""
    seen: dict[str, None] = {}
    for part in text.replace("\n", ",").split(","):
        name = " ".join(part.split())
        if name and name.lower() not in {s.lower() for s in seen}:
            seen[name] = None
    return list(seen)
