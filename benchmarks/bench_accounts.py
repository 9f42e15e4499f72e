"""Signing in and authenticated API calls (issue 27; figures in docs/accounts.md, "Measured").

    .venv/bin/python benchmarks/bench_accounts.py [--clients 20] [--requests 25]

``carescale serve`` in its own process on a free loopback port, over a SQLite database made here
with one council (an admin with a password and a personal API token, and one plan of theirs).
Reported:

* **sign-in latency** through the page (``POST /sign-in`` with its CSRF token, as a browser
  sends it): 7 right passwords, 5 wrong passwords for the account and 5 for an address with no
  account (each from its own loopback address, so the rate limit of 5 failures a minute does not
  refuse them), median and range; and one argon2id verification in this process for comparison;
* **authenticated API calls** at ``--clients`` concurrent clients, each with its own connection
  and the ``Authorization: Bearer csk_...`` header, each making ``--requests`` calls of
  ``GET /api/v1/plans`` (the token looked up, the organisation's plans listed) and as many of
  ``GET /api/v1/account``: p50 / p95 / max and requests a second;
* the load average before and after (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from measure import hammer, serve

EMAIL = "bench@birmingham.gov.uk"
PASSWORD = "a long benchmark password"


def setup(url: str) -> str:
    """The council, its admin, one plan of theirs; the admin's API token."""
    from carescale.accounts import open_accounts
    from carescale.plans import cycle

    acc = open_accounts(url)
    acc.create_admin(EMAIL, "birmingham", PASSWORD, org_name="Birmingham City Council")
    cycle.create_plan_from({"id": "bench-plan", "name": "Benchmark plan", "library": "community-agents",
                            "area": "birmingham", "start": "2027-04-01", "end": "2028-03-31", "budget": 2_000_000,
                            "phases": [{"name": "all", "start": "2027-04-01", "end": "2028-03-31", "scale": 0.5}],
                            "funding": {"route": "transition_funds", "source": "Fund"}}, url=url, owner="birmingham")
    return acc.create_api_token(acc.get_user(EMAIL), "benchmark")[1]


def sign_in_once(url: str, email: str, password: str, source: str) -> tuple[float, int]:
    """One sign-in through the page from ``source``: (seconds, status)."""
    with httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address=source),
                      headers={"Origin": url}) as c:
        page = c.get("/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        t0 = time.perf_counter()
        r = c.post("/sign-in", data={"email": email, "password": password, "next": "/", "csrf_token": token})
        return time.perf_counter() - t0, r.status_code


def summary(xs: list[float]) -> str:
    return (f"median {1000 * statistics.median(xs):,.0f} ms (fastest {1000 * min(xs):,.0f}, "
            f"slowest {1000 * max(xs):,.0f}; {len(xs)} tries)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=25)
    args = ap.parse_args()
    load_before = os.getloadavg()
    home = Path(tempfile.mkdtemp(prefix="carescale-bench-accounts-"))
    db = f"sqlite:///{home / 'store.db'}"
    token = setup(db)
    with serve(home, db, tries=600) as (url, _pid):
        right = [sign_in_once(url, EMAIL, PASSWORD, "127.0.0.1") for _ in range(7)]
        wrong = [sign_in_once(url, EMAIL, "not the right password", "127.0.0.2") for _ in range(5)]
        unknown = [sign_in_once(url, f"nobody{k}@birmingham.gov.uk", PASSWORD, "127.0.0.3") for k in range(5)]
        statuses = {s for _, s in right}, {s for _, s in wrong}, {s for _, s in unknown}
        bearer = {"Authorization": f"Bearer {token}"}
        listed = [p["id"] for p in httpx.get(url + "/api/v1/plans", headers=bearer, timeout=60).json()]
        anonymous = httpx.get(url + "/api/v1/plans", timeout=60).json()
        if listed != ["bench-plan"] or anonymous != []:  # the token is what shows the council's plan
            raise RuntimeError(f"the token's listing is {listed}, the anonymous one {anonymous}")
        api = hammer(url, args.clients, args.requests,
                     lambda c, k, i: ("plans", c.get("/api/v1/plans", headers=bearer)) if i % 2 == 0
                     else ("account", c.get("/api/v1/account", headers=bearer)))
    from carescale.accounts import passwords

    stored = passwords.hash_password(PASSWORD)
    verify = []
    for _ in range(7):
        t0 = time.perf_counter()
        passwords.verify_password(stored, PASSWORD)
        verify.append(time.perf_counter() - t0)
    load_after = os.getloadavg()
    print(f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after ({os.cpu_count()} cores)")
    print(f"argon2id verify in process (m=64 MiB, t=3, p=4): {summary(verify)}")
    print(f"sign-in, right password (303): {summary([t for t, _ in right])}; statuses {sorted(statuses[0])}")
    print(f"sign-in, wrong password (401): {summary([t for t, _ in wrong])}; statuses {sorted(statuses[1])}")
    print(f"sign-in, no such account (401): {summary([t for t, _ in unknown])}; statuses {sorted(statuses[2])}")
    for label in ("plans", "account"):
        r = api[label]
        print(f"GET /api/v1/{label} with a Bearer token, {args.clients} concurrent clients: {r['requests']} calls, "
              f"p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, max {r['max_ms']:.0f} ms, {r['rps']:.0f} a second")
    print(f"API answers other than 200: {api['errors']}")
    ok = statuses == ({303}, {401}, {401}) and api["errors"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
