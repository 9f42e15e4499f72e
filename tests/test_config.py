"""carescale.config: every environment variable and folder, read when asked (issue 20)."""

from __future__ import annotations

import re

import pytest

from carescale import cache, config, safe_text
from carescale.errors import SettingsError
from carescale.store.config import database_url, default_sqlite_path

from .conftest import run_probe


def test_home_and_folders_follow_the_environment_at_call_time(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path / "a"))
    assert config.user_home() == tmp_path / "a"
    assert config.user_areas_dir() == tmp_path / "a" / "areas"
    assert config.cache_dir() == cache.cache_dir() == tmp_path / "a" / "cache"
    assert default_sqlite_path() == tmp_path / "a" / "carescale.db"
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path / "b"))
    assert config.cache_dir() == tmp_path / "b" / "cache"
    monkeypatch.delenv("CARESCALE_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert config.home() is None
    assert config.user_home() == tmp_path / "xdg" / "carescale"  # platformdirs on Linux


def test_cache_switch_database_url_and_columns(monkeypatch) -> None:
    monkeypatch.setenv("CARESCALE_NO_CACHE", "1")
    assert config.cache_enabled() is False and cache.enabled() is False
    monkeypatch.setenv("CARESCALE_NO_CACHE", "0")
    assert config.cache_enabled() is True
    monkeypatch.setenv("DATABASE_URL", " postgres://u@h:5/db ")
    assert config.database_url() == "postgres://u@h:5/db"
    assert database_url() == "postgresql+psycopg://u@h:5/db"
    monkeypatch.setenv("DATABASE_URL", "  ")
    assert config.database_url() is None
    for value, width in (("61", 61), ("0", None), ("wide", None), ("", None)):
        monkeypatch.setenv("COLUMNS", value)
        assert config.columns() == width
    monkeypatch.setenv("COLUMNS", "73")
    assert safe_text.output_width() == 73


def test_folders_are_the_package_s() -> None:
    assert (config.DATA_DIR / "sources.yaml").is_file()
    assert (config.PRICES_DIR).is_dir()
    assert (config.PACKAGE_DIR / "config.py").is_file()


@pytest.mark.parametrize(("raw", "kwargs", "value"), [
    (None, {}, 7), ("  ", {}, 7), ("12", {}, 12), ("1_000", {}, 1000), ("3", {"above": 0}, 3), ("0", {"at_least": 0}, 0),
])
def test_env_int(monkeypatch, raw, kwargs, value) -> None:
    env = {} if raw is None else {"CARESCALE_X": raw}
    assert config.env_int("CARESCALE_X", 7, env=env, **kwargs) == value


@pytest.mark.parametrize(("raw", "kind", "kwargs", "message"), [
    ("1.5", "int", {}, "CARESCALE_X: '1.5' is not valid; give a whole number"),
    ("0", "int", {"above": 0}, "CARESCALE_X: '0' is not valid; give a whole number above 0"),
    ("-1", "int", {"at_least": 0}, "CARESCALE_X: '-1' is not valid; give a whole number of at least 0"),
    ("lots", "float", {}, "CARESCALE_X: 'lots' is not valid; give a number"),
    ("inf", "float", {}, "CARESCALE_X: 'inf' is not valid; give a number"),
    ("nan", "float", {"above": 0}, "CARESCALE_X: 'nan' is not valid; give a number above 0"),
    ("2", "int", {"at_least": 0, "hint": "0 or 1"}, None),
    ("x" * 60, "float", {"hint": "a number above 0"}, "CARESCALE_X: '" + "x" * 40 + "' is not valid; give a number above 0"),
])
def test_env_numbers_refuse_in_one_line(monkeypatch, raw, kind, kwargs, message) -> None:
    monkeypatch.setenv("CARESCALE_X", raw)
    read = config.env_int if kind == "int" else config.env_float
    if message is None:
        assert read("CARESCALE_X", 1, **kwargs) == 2
        return
    with pytest.raises(SettingsError) as info:
        read("CARESCALE_X", 1, **kwargs)
    assert info.value.message == message


def test_env_float_reads_at_call_time(monkeypatch) -> None:
    monkeypatch.setenv("CARESCALE_WAIT", "2.5")
    assert config.env_float("CARESCALE_WAIT", 20.0) == 2.5
    monkeypatch.setenv("CARESCALE_WAIT", "1e3")
    assert config.env_float("CARESCALE_WAIT", 20.0) == 1000.0


def test_logger_names_the_package() -> None:
    assert config.logger("cache").name == "carescale.cache"
    assert config.logger("carescale.web").name == "carescale.web"
    assert config.logger("carescale").name == "carescale"


#: the only modules besides carescale.config that touch the environment, and why
ENVIRONMENT_EXCEPTIONS: dict[str, set[str]] = {}


def test_only_config_reads_the_environment() -> None:
    """A new os.environ / os.getenv outside carescale.config fails here: add the variable to
    carescale.config (and its table) instead."""
    import re
    from pathlib import Path

    pattern = re.compile(r"\bos\.(?:environ|getenv|putenv|unsetenv)\b(?:\.\w+)?|\bfrom\s+os\s+import\b[^\n]*\b(?:environ|getenv)\b")
    src = Path(config.PACKAGE_DIR)
    found: dict[str, set[str]] = {}
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src).as_posix()
        if rel == "config.py":
            continue
        uses = set(pattern.findall(path.read_text(encoding="utf-8")))
        if uses:
            found[rel] = uses
    assert found == ENVIRONMENT_EXCEPTIONS


def test_folders_limits_and_the_public_address_come_from_config(monkeypatch, tmp_path) -> None:
    from carescale import library, prices
    from carescale.io import paths
    from carescale.web import policy, security

    assert paths.DATA_DIR == library.DATA_DIR == config.DATA_DIR and prices.PRICES_DIR == config.PRICES_DIR
    assert (config.DATA_DIR / "prices" / "gdp_deflator_calendar_year.csv").is_file()
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path))
    assert library.user_home() == tmp_path and library.user_areas_dir() == tmp_path / "areas"
    monkeypatch.setenv("CARESCALE_INLINE_SLOTS", "3")
    monkeypatch.setenv("CARESCALE_JOB_PROCESSES", "0")
    p = policy.Policy.from_env()
    assert p.inline_slots == 3 and p.job_processes == 0
    for name, bad, hint in (("CARESCALE_INLINE_SLOTS", "0", "above 0"), ("CARESCALE_JOB_PROCESSES", "-1", "0 or 1"),
                            ("CARESCALE_INLINE_SLOTS", "2.5", "above 0")):
        monkeypatch.setenv(name, bad)
        with pytest.raises(SettingsError, match=rf"^{name}: '{re.escape(bad)}' is not valid; give a number {hint}$"):
            policy.Policy.from_env()
        monkeypatch.delenv(name)
    monkeypatch.setenv("CARESCALE_PUBLIC_URL", " https://Carescale.example.org/ ")
    assert config.public_url() == "https://Carescale.example.org/"
    assert security.configured_public_url() == "https://carescale.example.org"
    monkeypatch.setenv("CARESCALE_PUBLIC_URL", "")
    assert security.configured_public_url() is None


def test_carescale_logs_through_one_logger_per_package() -> None:
    """carescale's own messages go through config.logger("<package>") (carescale.<package>);
    getLogger elsewhere only quietens a library's own logger (weasyprint, fontTools)."""
    import re
    from pathlib import Path

    src = Path(config.PACKAGE_DIR)
    named = {}
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src).as_posix()
        if rel != "config.py":
            for arg in re.findall(r"getLogger\(([^)]*)\)", path.read_text(encoding="utf-8")):
                named.setdefault(rel, set()).add(arg)
    assert named == {"reports/html.py": {'"weasyprint"', '"fontTools"'}}
    assert config.logger("web").name == "carescale.web" and config.logger("carescale.cache").name == "carescale.cache"


def test_blas_threads_sleep_when_idle_unless_the_user_chose(monkeypatch) -> None:
    """The carescale command sets OpenBLAS's idle spin (issue 25) only when neither of OpenBLAS's
    own variables is set: the user's value is OpenBLAS's."""
    import os

    for name in ("OPENBLAS_THREAD_TIMEOUT", "GOTO_THREAD_TIMEOUT"):
        monkeypatch.setenv(name, "")  # so that monkeypatch puts back what was there, or nothing
        monkeypatch.delenv(name)
    config.blas_threads_sleep_when_idle()
    assert os.environ["OPENBLAS_THREAD_TIMEOUT"] == config.BLAS_IDLE_SPIN == "20"
    monkeypatch.setenv("OPENBLAS_THREAD_TIMEOUT", "28")
    config.blas_threads_sleep_when_idle()
    assert os.environ["OPENBLAS_THREAD_TIMEOUT"] == "28"
    monkeypatch.delenv("OPENBLAS_THREAD_TIMEOUT")
    monkeypatch.setenv("GOTO_THREAD_TIMEOUT", "28")
    config.blas_threads_sleep_when_idle()
    assert "OPENBLAS_THREAD_TIMEOUT" not in os.environ


def test_the_command_sets_the_blas_spin_before_numpy_loads() -> None:

    probe = ("import os, sys\n"
             "os.environ.pop('OPENBLAS_THREAD_TIMEOUT', None); os.environ.pop('GOTO_THREAD_TIMEOUT', None)\n"
             "import carescale.cli as cli\n"
             "seen = []\n"
             "cli.main = lambda argv=None: seen.append((os.environ.get('OPENBLAS_THREAD_TIMEOUT'), 'numpy' in sys.modules)) or 0\n"
             "try:\n    cli.entry()\nexcept SystemExit:\n    pass\n"
             "print(seen)\n")
    assert run_probe(probe).strip() == "[('20', False)]"
