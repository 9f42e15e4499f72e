"""What every command shares: the typer apps, output formats and small printing helpers."""


from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, Callable, Optional

import typer


from .apps import app, areas_app, evidence_app, interventions_app  # noqa: F401  (the apps, light: cli.apps)

from ..safe_text import echo, echo_data  # user text never reaches the terminal raw
from ..errors import CarescaleError
from ..formatting import figure, parse_number
from ..library import Library, default_library, iter_quantities, load_area_file
from ..safe_text import csv_records, finite_json, make_console, one_line, write_output

class _SharedConsole:
    """The CLI's console (:func:`carescale.safe_text.make_console`): never parses markup, makes
    control characters visible, and fits the terminal or ``COLUMNS``. :func:`reset_console`
    (called by ``main`` for each command) makes a fresh one, so output follows the current
    ``sys.stdout`` and environment."""

    _console: Any = None

    def __getattr__(self, name: str) -> Any:
        if _SharedConsole._console is None:
            _SharedConsole._console = make_console()
        return getattr(_SharedConsole._console, name)


def reset_console() -> None:
    _SharedConsole._console = None


console: Any = _SharedConsole()


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class Basis(str, Enum):
    potential = "potential"
    current = "current"


def echo_json(data: Any) -> None:
    echo_data(finite_json(data, indent=2, ensure_ascii=False) + "\n")


def echo_csv(rows: list[dict[str, Any]], output: Optional[Path] = None) -> None:
    """Records as CSV, every cell guarded against formulas (:mod:`carescale.safe_text`):
    printed, or written to ``output`` with a UTF-8 byte-order mark for Excel."""
    if output is not None:
        write_output(output, csv_records(rows), bom=True)
        echo(f"wrote {output}", err=True)
        return
    echo_data(csv_records(rows))


def output_option() -> Any:
    return typer.Option(
        None, "--output", "-o",
        help="Write the output to this file instead of printing it (--format csv or json; a .csv or "
        ".json name picks the format). CSV files get a byte-order mark so that Excel reads UTF-8.",
    )


def emit(
    fmt: Format,
    data: Any,
    *,
    rows: Optional[Callable[[], list[dict[str, Any]]]] = None,
    table: Optional[Callable[[], None]] = None,
    output: Optional[Path] = None,
    command: str = "this command",
) -> None:
    """What every command does with ``--format`` and ``--output``, so they mean the same
    everywhere: ``json`` prints (or writes) ``data``; ``csv`` prints (or writes, with a BOM)
    ``rows()``, every cell guarded against formulas, or is refused in one line if the command has
    no rows; ``table`` prints ``table()``. With ``--output`` and no ``--format``, the file's
    extension decides (.csv or .json)."""
    if output is not None and fmt is Format.table:
        suffix = output.suffix.lower()
        if suffix not in (".csv", ".json"):
            raise CarescaleError(
                f"--output: {one_line(str(output))!r}: a table is only printed; give --format csv or "
                f"--format json, or a file name ending in .csv or .json"
            )
        fmt = Format.csv if suffix == ".csv" else Format.json
    if fmt is Format.csv and rows is None:
        valid = "table, json" if table is not None else "json"
        raise CarescaleError(f"--format: 'csv' is not available for {command}; valid formats are: {valid}")
    if fmt is Format.table and table is None:
        fmt = Format.json
    if fmt is Format.json:
        text = finite_json(data, indent=2, ensure_ascii=False) + "\n"
        if output is not None:
            write_output(output, text)
            echo(f"wrote {output}", err=True)
        else:
            echo_data(text)
    elif fmt is Format.csv and rows is not None:
        echo_csv(rows(), output)
    elif table is not None:
        table()


def split_ids(value: Optional[str]) -> Optional[list[str]]:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


DEFAULT_AREA = "birmingham"


def library_with_area(area: Optional[str], area_file: Optional[Path]) -> tuple[Library, str]:
    """The library and the id to run: ``--area`` (default birmingham) or ``--area-file``, never
    both (one would be silently ignored)."""
    lib = default_library()
    if area_file is None:
        return lib, area or DEFAULT_AREA
    if area is not None:
        raise CarescaleError(
            f"--area {one_line(area)!r} and --area-file {one_line(str(area_file))!r}: give one of them, not both"
        )
    loaded = load_area_file(area_file, lib)
    return lib.with_area(loaded, str(area_file)), loaded.id


def echo_listing(
    rows: list[dict[str, Any]], fmt: Format, title: str, columns: list[tuple[str, str]],
    output: Optional[Path] = None, unit_key: Optional[str] = None,
) -> None:
    """A list of records as JSON, CSV or a table; ``columns`` are (heading, key) pairs. With
    ``unit_key``, numbers in the table are shown by that row's unit (whole people and pounds);
    JSON and CSV keep every digit."""

    def print_table() -> None:
        from rich.table import Table

        table = Table(title=title)
        for heading, _ in columns:
            table.add_column(heading, overflow="fold")
        for r in rows:
            table.add_row(*(
                figure(r[key], r[unit_key]) if unit_key and isinstance(r[key], (int, float)) and not isinstance(r[key], bool)
                else _cell(r[key])
                for _, key in columns
            ))
        console.print(table)

    emit(fmt, rows, rows=lambda: rows, table=print_table, output=output)


def _cell(value: Any) -> str:
    return f"{value:,.10g}" if isinstance(value, float) else str(value)


def quantity_rows(obj: Any) -> list[dict[str, Any]]:
    """One row per number in a definition: where it is, its value, unit, year, status, source."""
    return [
        {"id": obj.id, "name": obj.name, "field": loc, "value": q.value, "unit": q.unit,
         "price_year": q.price_year or "", "period": q.period or "", "status": q.status,
         "derivation": q.derivation or "", "source": f"{q.ref.document}, {q.ref.section}: \"{q.ref.quote}\""}
        for loc, q in iter_quantities(obj)
    ]


def print_quantities(obj: Any) -> None:
    """The numbers of a definition (intervention, area, case study) as a table: field, value in
    its unit, unit, price year, status and source (``interventions show``, ``evidence show``)."""
    from rich.table import Table

    table = Table(show_lines=False)
    for col in ("field", "value", "unit", "price year", "status", "source"):
        table.add_column(col, overflow="fold")
    for loc, q in iter_quantities(obj):
        table.add_row(
            loc,
            figure(q.value, q.unit),
            q.unit,
            q.price_year or q.period or "",
            q.status + (f": {q.derivation}" if q.derivation else ""),
            f"{q.ref.document}, {q.ref.section}: \"{q.ref.quote}\"",
        )
    console.print(table)


# Options several commands share, declared once so their wording stays the same.
def area_option() -> Any:
    return typer.Option(
        None, "--area", show_default=False,
        help="Area profile id (see 'carescale areas list'); default birmingham.",
    )


def area_file_option() -> Any:
    return typer.Option(
        None,
        "--area-file",
        help="Run on an area profile file instead: YAML, or a filled-in template (.csv/.xlsx, see "
        "'carescale areas template').",
    )


def interventions_option() -> Any:
    return typer.Option(
        None, "--interventions", help="Comma-separated intervention ids (default: the paper's six models that the area has figures for)."
    )


def basis_option() -> Any:
    return typer.Option(
        Basis.potential, "--basis", help="potential: scale up by each model's rule; current: what runs there today."
    )


def years_option() -> Any:
    return typer.Option(None, "--years", help="Appraisal period, whole years 1-60 (default 10).")


def start_date_option() -> Any:
    return typer.Option(None, "--start-date", help="YYYY-MM-DD month 1 starts (default 2026-04-01).")


def optimism_bias_option() -> Any:
    return typer.Option(
        None, "--optimism-bias/--no-optimism-bias",
        help="Adjust costs (and, by some methods, savings) for optimism bias by the settings' method (default on: "
        "the Green Book's supplementary guidance).",
    )


# -- scenario documents: --scenario FILE, --set PATH=VALUE and the price base ------------------
def scenario_option() -> Any:
    return typer.Option(
        None, "--scenario", help="A scenario file (YAML/JSON, see 'carescale scenario new'); options given "
        "on the command line change it."
    )


def set_option() -> Any:
    return typer.Option(
        None, "--set", metavar="PATH=VALUE",
        help="Change one figure (repeatable): a path from 'carescale parameters', or "
        "INTERVENTION.SEGMENT.people for a number of people (converted to the take-up rate).",
    )


def reprice_option() -> Any:
    return typer.Option(
        None, "--reprice/--no-reprice",
        help="Re-price every money figure to one price base (default); --no-reprice keeps the prices "
        "as published, as the paper does.",
    )


def preset_option() -> Any:
    return typer.Option(
        None, "--preset",
        help="paper: reproduce the paper (prices as published, the paper's settings); "
        "cannot be combined with --reprice or --price-base.",
    )


def price_base_option() -> Any:
    return typer.Option(
        None, "--price-base", help="Price base year, 2024/25 or 2024 (default: 2024/25, a forecast year of the "
        "HM Treasury financial-year GDP deflator, December 2023)."
    )


def price_index_option() -> Any:
    return typer.Option(
        None, "--price-index",
        help="Your own price index, a CSV of year,value (default: the HM Treasury GDP deflator).",
    )


SET_EXAMPLE = "for example --set living-well.older-people-multiple-ltc.people=2000"


def parse_sets(items: Optional[list[str]]) -> dict[str, float]:
    """``--set PATH=VALUE`` options as a mapping; a malformed one is a one-line SettingsError."""
    from ..errors import SettingsError

    out: dict[str, float] = {}
    for item in items or []:
        path, eq, text = item.partition("=")
        path, text = path.strip(), text.strip()
        if not eq:
            raise SettingsError(f"--set: {item!r} is not PATH=VALUE; {SET_EXAMPLE}")
        if not path:
            raise SettingsError(f"--set: {item!r} has no path before '='; {SET_EXAMPLE}")
        try:
            value = float(text)  # a plain number (the checks on its figure come with the path)
        except ValueError:
            value = _typed_number(text, path)
        if path in out:
            raise SettingsError(f"--set: {path} is given twice; give each path once")
        out[path] = value
    return out


def _typed_number(text: str, path: str) -> float:
    """A ``--set`` value written as people write numbers (carescale.formatting.parse_number):
    ``2,000`` or ``2 000`` or ``2k``, ``£1.5m``, ``9%`` (0.09); anything else is the one line
    saying it is not a number."""
    from ..errors import SettingsError

    kind = "share" if text.endswith("%") else "money" if "£" in text else "number"
    try:
        return parse_number(text, kind, f"--set: {path}")
    except SettingsError:
        raise SettingsError(f"--set: {path}: {text!r} is not a number; {SET_EXAMPLE}") from None


def _given(ctx: typer.Context, name: str) -> bool:
    """Whether option ``name`` was typed on the command line (not left at its default)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def scenario_document(
    ctx: typer.Context,
    scenario_file: Optional[Path],
    *,
    area: Optional[str] = None,
    area_file: Optional[Path] = None,
    interventions: Optional[str] = None,
    basis: Any = None,
    sets: Optional[list[str]] = None,
    reprice: Optional[bool] = None,
    price_base: Optional[str] = None,
    price_index: Optional[Path] = None,
    preset: Optional[str] = None,
    **fields: Any,
):
    """The scenario document a command runs: the ``--scenario`` file (or the defaults) with the
    options typed on the command line on top. ``fields`` are further document fields
    (``appraisal``, ``uncertainty``) already merged by the caller; None ones are left alone."""
    from ..scenarios import ScenarioDocument, load_scenario

    if area is not None and area_file is not None:
        raise CarescaleError(
            f"--area {one_line(area)!r} and --area-file {one_line(str(area_file))!r}: give one of them, not both"
        )
    doc = load_scenario(scenario_file) if scenario_file is not None else ScenarioDocument()
    fresh = scenario_file is None
    change: dict[str, Any] = {}
    if area is not None and (fresh or _given(ctx, "area")):
        change["area"] = area
    if area_file is not None:
        change["area"] = {"file": str(area_file)}
    if interventions is not None:
        change["interventions"] = split_ids(interventions)
    if basis is not None and (fresh or _given(ctx, "basis")):
        change["basis"] = getattr(basis, "value", basis)
    if sets:
        change["overrides"] = parse_sets(sets)
    if preset is not None:
        change["preset"] = preset
    if reprice is not None:
        change["reprice"] = reprice
    if price_base is not None:
        change["price_base_year"] = price_base
    if price_index is not None:
        change["price_index"] = str(price_index)
    change.update({k: v for k, v in fields.items() if v is not None})
    return doc.with_changes(**change) if change or fresh else doc


def price_statement(data: dict[str, Any]) -> str:
    """The one sentence on the price base (carescale.prices.PriceBase.statement)."""
    from ..engine.summary import PUBLISHED_STATEMENT

    return (data.get("prices") or {}).get("statement") or PUBLISHED_STATEMENT


def price_label(data: dict[str, Any]) -> str:
    """The short price base printed beside a headline money figure."""
    from ..engine.summary import PUBLISHED_LABEL

    return (data.get("prices") or {}).get("label") or PUBLISHED_LABEL


def print_scenario_notes(data: dict[str, Any]) -> None:
    """The lines every table output ends with: the price base and each changed figure."""
    from ..engine.summary import describe_change

    console.print("Prices: " + price_statement(data))
    for c in data.get("changes", []):
        console.print("Changed from the evidence: " + describe_change(c))
    sc = data.get("scenario")
    if sc:
        console.print(f"Scenario {sc['id']}" + (f": {sc['note']}" if sc.get("note") else ""))
