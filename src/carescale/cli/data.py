"""`carescale data build|list` (docs/data.md): the official figures behind the built-in council
profiles: rebuild them from newer releases, and list every series with its vintage, coverage
and licence."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..safe_text import echo
from .common import Format, app, console, emit, output_option

data_app = typer.Typer(help="Official data behind the built-in council profiles: rebuild it, list its series.",
                       no_args_is_help=True)
app.add_typer(data_app, name="data")


@data_app.command("build")
def build(
    ascfr: Path = typer.Option(..., "--ascfr", help="NHS Digital's ASC-FR and SALT reference tables (.xlsx)."),
    ro3: List[Path] = typer.Option(..., "--ro3", help="MHCLG RO3 outturn by council (.ods), one --ro3 a year."),
    mye: Path = typer.Option(..., "--mye", help="ONS mid-year population estimates on April 2023 boundaries (.xlsx, .xls or the MYE2 sheet as .csv)."),
    ncc: Optional[Path] = typer.Option(None, "--ncc", help="National Cost Collection schedule as extracted by NICE (.csv)."),
    ascof: Optional[Path] = typer.Option(None, "--ascof", help="NHS Digital ASCOF open data (.csv or .xlsx): care-home admissions 65+ (2A2)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder to write (default: your carescale folder's 'official', which the built-in profiles then read instead of the packaged copy)."),
) -> None:
    """Rebuild the per-council official figures from newer releases of the published files. By
    default they go to your carescale folder and the built-in profiles (run --area, national, the
    web app) read them from then on; a profile you imported yourself still wins."""
    from ..config import user_official_dir
    from ..io.paths import display_path
    from ..official.councils import build_council_figures

    folder = out if out is not None else user_official_dir()
    figures = build_council_figures(ascfr, ro3, mye, ncc, ascof)
    written = figures.write(folder)
    counts = f"{len(figures.councils)} councils, {len(figures.series)} series"
    for path in written:
        echo(display_path(path))
    echo(f"built the official figures of {counts} in {display_path(folder)}", err=True)


@data_app.command("list")
def list_series(
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
    output: Optional[Path] = output_option(),
) -> None:
    """Every official series the built-in profiles read: source, table, year (vintage), what it
    is, unit, how many councils have a figure, and its licence."""
    from ..official.councils import series_catalogue

    rows = series_catalogue()

    def table() -> None:
        from rich.table import Table

        t = Table(title="Official series behind the built-in council profiles (docs/data.md)")
        for col in ("series", "source, table", "year", "unit", "councils with a figure", "licence"):
            t.add_column(col)
        for r in rows:
            t.add_row(r["series"], f"{r['source']}, {r['table']}", r["year"], r["unit"], r["coverage"], r["licence"])
        console.print(t)

    emit(fmt, rows, rows=lambda: rows, table=table, output=output, command="data list")
