"""Every environment variable and folder carescale reads, in one place (issue 20, "one of each").

| variable / folder | read by | meaning |
|---|---|---|
| ``CARESCALE_HOME`` | :func:`user_home`, :func:`cache_dir`, :func:`user_areas_dir` | the user's own data (saved areas, the SQLite store) and, under ``cache/``, the disk cache; default: the platform's user data / cache folders |
| ``CARESCALE_NO_CACHE`` | :func:`cache_enabled` | ``1`` turns the disk cache off |
| ``DATABASE_URL`` | :func:`database_url` | the store's database (``carescale.store.config`` turns it into a SQLAlchemy URL) |
| ``COLUMNS`` | :func:`columns` | the width the CLI prints in |
| ``PYDANTIC_DISABLE_PLUGINS`` | :func:`pydantic_plugins_chosen` | pydantic's own: when it is set (even empty), the ``carescale`` command leaves pydantic to find its plugins; unset, the command runs without them (``carescale.cli``) |
| ``CARESCALE_PUBLIC_URL`` | :func:`public_url` | the address the web app is reached at (``carescale.web.security`` checks it) |
| ``CARESCALE_OIDC_PROVIDERS`` | :func:`oidc_providers_file` | the single sign-on providers file (``carescale.accounts.oidc``; docs/accounts.md) |
| the variable a providers file names | :func:`named_secret` | an organisation's client secret, kept out of the file |
| ``CARESCALE_<LIMIT>`` | :func:`env_int`, :func:`env_float` | the web server's limits (``carescale.web.policy``) |
| ``CARESCALE_NPV_KERNEL`` | :func:`npv_kernel` | the NPV route's compiled kernel (``carescale.appraisal.npv_kernel``): ``1`` loaded at the first Monte Carlo run, ``0`` never, unset (``auto``) once a process has run two million draws |
| ``OPENBLAS_THREAD_TIMEOUT`` | :func:`blas_threads_sleep_when_idle` | OpenBLAS's own: how long its idle threads spin before they sleep; the ``carescale`` command sets it (when unset) before numpy loads |
| rich's own (``TERM``, ``COLORTERM``, ``NO_COLOR``, ``FORCE_COLOR``, ...: :data:`RICH_VARIABLES`) | :func:`rich_environment` | read (never set) to name a kept table output by what rich lays it out and colours it by (``carescale.cli.rendered``) |
| ``NUMBA_CACHE_DIR`` | :func:`numba_cache_dir` | where numba keeps compiled machine code; set to ``cache/numba`` under :func:`cache_dir` when carescale's code folder cannot be written |
| :data:`PACKAGE_DIR`, :data:`DATA_DIR`, :data:`PRICES_DIR` | | carescale's own code, its packaged library and its price indices |

Every function reads the environment when it is called (nothing is cached at import), so a
test's ``monkeypatch.setenv`` and a server's settings take effect at once. A bad value is one
:class:`~carescale.errors.SettingsError` line naming the variable.

Logging goes through one logger per package, ``carescale.<package>`` (:func:`logger`), so an
administrator turns a package's messages on or off by name; carescale never configures
handlers itself (the web server's and the CLI's are left to the application).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from .errors import SettingsError

if TYPE_CHECKING:  # pragma: no cover - annotations only
    import logging

#: carescale's own code
PACKAGE_DIR = Path(__file__).resolve().parent
#: the packaged library: interventions, areas, case studies, sources, defaults
DATA_DIR = PACKAGE_DIR / "data"
#: the packaged price indices (the HM Treasury GDP deflator)
PRICES_DIR = DATA_DIR / "prices"

HOME = "CARESCALE_HOME"
NO_CACHE = "CARESCALE_NO_CACHE"
DATABASE = "DATABASE_URL"
COLUMNS = "COLUMNS"
PUBLIC_URL = "CARESCALE_PUBLIC_URL"
OIDC_PROVIDERS = "CARESCALE_OIDC_PROVIDERS"
PYDANTIC_PLUGINS = "PYDANTIC_DISABLE_PLUGINS"
NPV_KERNEL = "CARESCALE_NPV_KERNEL"
NUMBA_CACHE = "NUMBA_CACHE_DIR"
BLAS_TIMEOUT = "OPENBLAS_THREAD_TIMEOUT"

#: every variable this module reads by name (the web's limits are ``CARESCALE_<LIMIT>``)
VARIABLES = (HOME, NO_CACHE, DATABASE, COLUMNS, PUBLIC_URL, OIDC_PROVIDERS, PYDANTIC_PLUGINS, NPV_KERNEL, NUMBA_CACHE,
             BLAS_TIMEOUT)


def _get(name: str, env: Mapping[str, str] | None = None) -> str:
    return (os.environ if env is None else env).get(name, "").strip()


# -- folders ------------------------------------------------------------------------------------


def home() -> Path | None:
    """``$CARESCALE_HOME`` (user-expanded), or None when it is not set."""
    value = _get(HOME)
    return Path(value).expanduser() if value else None


def user_home() -> Path:
    """carescale's folder for the user's own data: ``$CARESCALE_HOME`` if set, else the
    platform's user data directory (platformdirs; ``$XDG_DATA_HOME/carescale``, that is
    ``~/.local/share/carescale``, on Linux)."""
    given = home()
    if given is not None:
        return given
    from platformdirs import user_data_dir  # deferred: only needed when no CARESCALE_HOME is set

    return Path(user_data_dir("carescale", appauthor=False))


def user_areas_dir() -> Path:
    """Where imported area profiles are saved, one ``ID.yaml`` each."""
    return user_home() / "areas"


def user_official_dir() -> Path:
    """Where ``carescale data build`` writes rebuilt official figures; when it holds them they are
    read instead of the packaged copy (docs/data.md)."""
    return user_home() / "official"


def cache_dir() -> Path:
    """``$CARESCALE_HOME/cache`` when CARESCALE_HOME is set, else the user cache folder
    (``~/.cache/carescale`` on Linux)."""
    given = home()
    if given is not None:
        return given / "cache"
    import platformdirs  # deferred: only needed when no CARESCALE_HOME is set

    return Path(platformdirs.user_cache_dir("carescale", appauthor=False))


def cache_enabled() -> bool:
    """False when ``CARESCALE_NO_CACHE=1``."""
    return os.environ.get(NO_CACHE) != "1"


def database_url() -> str | None:
    """``$DATABASE_URL`` as given (None when unset or blank); ``carescale.store.config``
    checks and normalises it."""
    return _get(DATABASE) or None


def public_url() -> str:
    """``$CARESCALE_PUBLIC_URL`` as given, stripped ("" when unset); the web's security module
    checks it is an http(s) address."""
    return _get(PUBLIC_URL)


def oidc_providers_file() -> str:
    """``$CARESCALE_OIDC_PROVIDERS`` as given, stripped ("" when unset): the single sign-on
    providers file, which ``carescale.accounts.oidc`` reads and checks."""
    return _get(OIDC_PROVIDERS)


def named_secret(name: str) -> str:
    """The environment variable ``name`` that a settings file names for a secret (an
    organisation's client secret), stripped; "" when unset. The file holds the name, never the value."""
    return _get(name)


def pydantic_plugins_chosen() -> bool:
    """Whether ``$PYDANTIC_DISABLE_PLUGINS`` is set at all (pydantic reads its value)."""
    return PYDANTIC_PLUGINS in os.environ


def columns() -> int | None:
    """``$COLUMNS`` when it is a whole number above 0, else None (the terminal decides)."""
    value = _get(COLUMNS)
    return int(value) if value.isdigit() and int(value) > 0 else None


def npv_kernel() -> str:
    """``$CARESCALE_NPV_KERNEL`` as ``on`` (``1``, ``on``, ``yes``, ``true``), ``off`` (``0``,
    ``off``, ``no``, ``false``) or ``auto`` (unset, blank or ``auto``); another value is a
    SettingsError line."""
    value = _get(NPV_KERNEL).lower()
    for mode, words in (("on", ("1", "on", "yes", "true")), ("off", ("0", "off", "no", "false")), ("auto", ("", "auto"))):
        if value in words:
            return mode
    raise SettingsError(f"{NPV_KERNEL}: {value!r} is not valid; give 1, 0 or auto")


#: every environment variable rich reads (``rich.console``) to choose the width, colours and
#: terminal it writes for; ``tests/test_cli_rendered.py`` checks rich reads no other
RICH_VARIABLES = ("COLUMNS", "LINES", "JUPYTER_COLUMNS", "JUPYTER_LINES", "NO_COLOR", "FORCE_COLOR",
                  "TTY_COMPATIBLE", "TTY_INTERACTIVE", "TERM", "COLORTERM", "DATABRICKS_RUNTIME_VERSION")


def rich_environment() -> tuple[str | None, ...]:
    """The values of :data:`RICH_VARIABLES` (None for each one unset), in that order."""
    return tuple(os.environ.get(name) for name in RICH_VARIABLES)


#: 2**20 processor cycles (about half a millisecond): what OpenBLAS's idle threads spin before they sleep
BLAS_IDLE_SPIN = "20"


def blas_threads_sleep_when_idle() -> None:
    """OpenBLAS (numpy's BLAS) starts its threads when numpy is imported, and each spins on its
    core for 2**28 cycles (about 50 ms of CPU here) waiting for work before it sleeps: in every
    process, whether or not it ever multiplies a matrix (``carescale run``'s CPU was above its
    wall time by that much, issue 25). Set before numpy loads, ``$OPENBLAS_THREAD_TIMEOUT``
    (:data:`BLAS_IDLE_SPIN`) has them sleep after about half a millisecond instead. The threads,
    and how work is split between them, are the same, so no figure changes; a thread asleep is
    woken when work comes. Set ``$OPENBLAS_THREAD_TIMEOUT`` (or ``GOTO_THREAD_TIMEOUT``) yourself
    and OpenBLAS reads yours."""
    if BLAS_TIMEOUT not in os.environ and "GOTO_THREAD_TIMEOUT" not in os.environ:
        os.environ[BLAS_TIMEOUT] = BLAS_IDLE_SPIN


def one_blas_thread() -> None:
    """One BLAS and OpenMP thread in a process that is one of several on the cores (a background
    job's, a compute process's), set before numpy loads unless the variables are set already."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def numba_cache_dir(code_dir: Path) -> Path | None:
    """Where numba will keep the machine code it compiles from ``code_dir``: ``$NUMBA_CACHE_DIR``
    when set; else next to the code (numba's own choice, None) when that folder can be written;
    else ``numba`` under :func:`cache_dir`, which this sets as ``$NUMBA_CACHE_DIR`` (call it before
    numba is imported: numba reads it then)."""
    if _get(NUMBA_CACHE):
        return Path(_get(NUMBA_CACHE))
    if os.access(code_dir, os.W_OK):
        return None
    folder = cache_dir() / "numba"
    os.environ[NUMBA_CACHE] = str(folder)
    return folder


# -- numbers from the environment ---------------------------------------------------------------------


def env_int(name: str, default: int, *, above: float | None = None, at_least: float | None = None,
            hint: str | None = None, env: Mapping[str, str] | None = None) -> int:
    """The whole number in variable ``name`` (``1_000`` reads as 1000), or ``default`` when it
    is unset or blank. A value that is not a whole number, or not above ``above`` / at least
    ``at_least``, is one SettingsError line: ``NAME: 'x' is not valid; give HINT``."""
    return _env_number(name, default, int, above, at_least, hint, env)  # type: ignore[return-value]


def env_float(name: str, default: float, *, above: float | None = None, at_least: float | None = None,
              hint: str | None = None, env: Mapping[str, str] | None = None) -> float:
    """As :func:`env_int` for a number (finite; ``2.5``, ``1e3``)."""
    return _env_number(name, default, float, above, at_least, hint, env)


def _env_number(name: str, default: float, kind: type, above: float | None, at_least: float | None,
                hint: str | None, env: Mapping[str, str] | None) -> float:
    raw = _get(name, env)
    if not raw:
        return default
    if hint is None:
        hint = "a whole number" if kind is int else "a number"
        if above is not None:
            hint += f" above {above:g}"
        elif at_least is not None:
            hint += f" of at least {at_least:g}"
    try:
        value = kind(raw.replace("_", ""))
    except ValueError:
        value = None
    if (value is None or not math.isfinite(value) or (above is not None and value <= above)
            or (at_least is not None and value < at_least)):
        raise SettingsError(f"{name}: {raw[:40]!r} is not valid; give {hint}")
    return value


# -- logging --------------------------------------------------------------------------------------


def logger(package: str) -> "logging.Logger":
    """The logger of one carescale package, ``carescale.<package>`` (``logger("web")``,
    ``logger("cache")``). Call it where a message is logged, not at import: the CLI's start-up
    does not import :mod:`logging`."""
    import logging

    name = package if package == "carescale" or package.startswith("carescale.") else f"carescale.{package}"
    return logging.getLogger(name)
