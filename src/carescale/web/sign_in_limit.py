"""Rate limiting of sign-in (issue 27; docs/security.md, "Sign-in"): after 5 failed sign-ins in a
minute for the same account, or from the same client address, the next attempt is refused with
429 and ``Retry-After`` until the oldest failure is a minute old (a moving window, the `limits`
library). The account key is the address as typed (lower case), whether or not an account
exists, and a refusal is decided before any password is checked: the answer and its timing say
nothing about which accounts exist.

The counts are kept in the server's memory: ``carescale serve`` is one process. Several server
processes behind a proxy would each count on their own (the proxy's own rate limits then apply;
docs/security.md).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

#: failures allowed in a minute, per account and per client address; the next is refused
FAILURES_PER_MINUTE = 5
#: the one line a refused attempt is answered with
TOO_MANY = "Too many failed sign-in attempts: wait a minute, then try again"


class SignInLimit:
    """Counts failed sign-ins per account and per client address over a moving minute."""

    def __init__(self, per_minute: int = FAILURES_PER_MINUTE):
        from limits import RateLimitItemPerMinute
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        self.item = RateLimitItemPerMinute(per_minute)
        self.window = MovingWindowRateLimiter(MemoryStorage())
        self._lock = threading.Lock()

    @staticmethod
    def _keys(email: str, address: str) -> list[tuple[str, str]]:
        return [("account", (email or "").strip().lower()[:320]), ("address", address or "?")]

    def wait(self, email: str, address: str) -> int | None:
        """Seconds to wait before another attempt is taken, or None when it may go on."""
        waits = []
        with self._lock:
            for key in self._keys(email, address):
                if not self.window.test(self.item, *key):
                    reset = self.window.get_window_stats(self.item, *key).reset_time
                    waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits) if waits else None

    def failed(self, email: str, address: str) -> None:
        """Count one failed sign-in against the account and the address."""
        with self._lock:
            for key in self._keys(email, address):
                self.window.hit(self.item, *key)


def limiter(app: Any) -> SignInLimit:
    """The app's one :class:`SignInLimit` (made when first used)."""
    state = app.state
    found = getattr(state, "sign_in_limit", None)
    if found is None:
        found = state.sign_in_limit = SignInLimit()
    return found
