"""Output safety: user text never becomes a spreadsheet formula, terminal markup or a terminal
escape sequence, and an output path that cannot be written is one line, not a traceback.

Every CSV or XLSX writer and every terminal printer in carescale goes through this module
(CLI, reports, web downloads). It imports nothing heavy: rich is imported only inside
:func:`make_console` and :func:`styled`, openpyxl/xlsxwriter never (you pass their objects in).

Spreadsheets (CSV and XLSX)
---------------------------
``FORMULA_START``
    The characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (or
    DDE command) when it starts with one: ``= + - @``, tab and carriage return.
``sheet_value(v) -> Any``
    The value to put in a CSV or XLSX cell. Text starting with a ``FORMULA_START`` character
    gets a leading apostrophe (``'=HYPERLINK(...)``), which every spreadsheet shows as literal
    text; ``None`` becomes ``""``; numbers (``int``, ``float``, numpy scalars) stay numbers, so
    ``-5`` is still the number minus five; ``bool`` stays as is.
``unguard(text) -> str``
    Undo :func:`sheet_value` on text read back from our own CSV (the area importer uses it).
``csv_text(rows, header=None, bom=False) -> str``
    Rows (sequences of cells) as CSV text, every cell through :func:`sheet_value`.
``csv_records(records, bom=False) -> str``
    A list of dicts as CSV (header from the first record's keys), every cell guarded.
``xlsx_cell(cell, v)``
    Set an openpyxl cell: text is stored as a plain string cell (type ``s``, with Excel's
    quote prefix when it starts with a ``FORMULA_START`` character), never as a formula;
    numbers as numbers; ``None``/``""`` leave the cell empty.
``xlsxwriter_cell(worksheet, row, col, v, cell_format=None)``
    The same for an xlsxwriter worksheet: ``write_string`` for text (never ``write`` or
    ``write_formula``), ``write_number`` for finite numbers, ``write_blank`` for ``None``.
``write_output(path, text, option="--output", bom=False) -> Path``
    Write text to a file the user named; with ``bom=True`` a UTF-8 byte-order mark is written
    first so that Excel opens UTF-8 CSV correctly (use it for every CSV written with ``-o``;
    never for CSV printed to the terminal). Raises :class:`~carescale.errors.OutputPathError`
    (one line) for a folder, a missing parent folder, a name too long, or any OS error.
``check_output_path(path, option="--output") -> Path``
    The same checks without writing (for writers that open the file themselves, such as
    openpyxl's ``Workbook.save``; wrap the save in :func:`output_errors`).
``output_errors(path, option="--output")``
    Context manager turning an ``OSError`` while writing ``path`` into ``OutputPathError``.

JSON
----
``finite_json(data, **json_dumps_options) -> str``
    ``json.dumps`` with ``allow_nan=False``: JSON never carries ``Infinity`` or ``NaN`` (which
    are not JSON, and which no other reader accepts). A non-finite number raises
    :class:`~carescale.errors.NonFiniteError`, one line naming where it is. Every JSON writer
    (CLI output, web downloads, stored and canonical documents) goes through it.

Terminal
--------
``visible(text, newlines=True) -> str``
    Control characters (C0 and C1, DEL, escape sequences) and bidirectional-override
    characters made visible as ``\\x1b``-style escapes, so nothing the user typed can move the
    cursor, recolour or rewrite the terminal. Tabs become a space; newlines are kept unless
    ``newlines=False`` (then shown as ``\\n``: one line guaranteed, used for ``error:`` lines).
``term(text) -> str``
    :func:`visible`, then rich markup escaped: safe inside a rich markup string.
``one_line(text) -> str``
    ``visible(text, newlines=False)``.
``echo(text, err=False, nl=True)``
    ``typer.echo``/``click.echo`` of a message through :func:`visible`: use it (never a bare
    ``typer.echo``) for any line that holds a file name, an area name or other user text.
``echo_data(text)``
    Data (CSV, YAML) printed to standard output: written exactly when it goes to a pipe or
    file, with control characters other than tab, CR and LF made visible when it goes to a
    terminal (so a cell holding ``\x1b[31m`` cannot recolour the screen).
``styled(*parts) -> rich.text.Text``
    Styled output without markup parsing: each part is a string (plain) or a
    ``(text, style)`` pair, e.g. ``styled(("Total", "bold"), f" ({n} councils)")``; every
    part goes through :func:`visible`.
``make_console(stderr=False) -> rich.console.Console``
    A console that never interprets markup or emoji codes in strings it prints, makes control
    characters visible in every string it renders (tables, titles, text), and takes its width
    from ``COLUMNS`` or the terminal each time it prints (160 for a file or pipe). The CLI's
    shared ``console`` is one of these; use :func:`styled` (not ``[bold]`` markup) for emphasis.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from numbers import Number
from pathlib import Path
from typing import Any

from . import config
from .errors import NonFiniteError, OutputPathError

__all__ = [
    "FORMULA_START",
    "check_output_path",
    "csv_records",
    "csv_text",
    "echo",
    "echo_data",
    "finite_json",
    "make_console",
    "one_line",
    "output_errors",
    "sheet_value",
    "styled",
    "term",
    "unguard",
    "visible",
    "write_output",
    "xlsx_cell",
    "xlsxwriter_cell",
]

#: A cell starting with one of these is read as a formula by common spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: The longest file name most file systems accept (bytes, UTF-8).
MAX_NAME_BYTES = 255

# -- JSON ----------------------------------------------------------------------------------


def _non_finite(data: Any, where: str = "") -> tuple[str, float] | None:
    """The first non-finite number in ``data`` and where it is (``a.b[2]``), or None."""
    if isinstance(data, float):
        return None if math.isfinite(data) else (where or "the value", data)
    if isinstance(data, Mapping):
        for k, v in data.items():
            found = _non_finite(v, f"{where}.{k}" if where else str(k))
            if found:
                return found
    elif isinstance(data, (list, tuple)):
        for i, v in enumerate(data):
            found = _non_finite(v, f"{where}[{i}]")
            if found:
                return found
    return None


def finite_json(data: Any, **options: Any) -> str:
    """``json.dumps(data, allow_nan=False, **options)``; a non-finite number is refused as one
    :class:`~carescale.errors.NonFiniteError` line naming where it is."""
    import json

    try:
        return json.dumps(data, allow_nan=False, **options)
    except ValueError as exc:
        if "JSON compliant" not in str(exc):
            raise
        where, value = _non_finite(data) or ("a figure", float("nan"))
        raise NonFiniteError(
            f"{where}: {value} is not a finite number and cannot be written as JSON; a figure of the "
            "inputs is too large or divides by 0 (check overrides and area figures)"
        ) from None


# -- spreadsheets ---------------------------------------------------------------------------


def _is_number(v: Any) -> bool:
    return isinstance(v, Number) and not isinstance(v, bool)


def sheet_value(v: Any) -> Any:
    """The value to write in a CSV/XLSX cell: formula-looking text gets a leading apostrophe."""
    if v is None:
        return ""
    if isinstance(v, str):
        return "'" + v if v[:1] in FORMULA_START else v
    if isinstance(v, bool) or _is_number(v):
        if _is_number(v) and not isinstance(v, (int, float)):  # numpy scalars
            v = v.item() if hasattr(v, "item") else float(v)  # type: ignore[union-attr]
        return v
    return sheet_value(str(v))


def unguard(text: str) -> str:
    """Undo the apostrophe :func:`sheet_value` puts before formula-looking text."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        return text[1:]
    return text


def csv_text(rows: Iterable[Sequence[Any]], header: Sequence[str] | None = None, bom: bool = False) -> str:
    """Rows as CSV text (``\\n`` line ends), every cell through :func:`sheet_value`."""
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\n")
    # csv quotes a cell holding the line end (\n) but not a lone carriage return, which a reader
    # takes for a line end: a row with one is written with every cell quoted
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def write(cells: list[Any]) -> None:
        (quoted if any("\r" in str(c) for c in cells) else w).writerow(cells)

    if header is not None:
        write([sheet_value(h) for h in header])
    for row in rows:
        write([sheet_value(v) for v in row])
    return buf.getvalue()


def csv_records(records: Sequence[Mapping[str, Any]], bom: bool = False) -> str:
    """Dicts as CSV text with a header row from the first record's keys; every cell guarded."""
    if not records:
        return "\ufeff" if bom else ""
    keys = list(records[0])
    return csv_text(([r.get(k) for k in keys] for r in records), header=keys, bom=bom)


def xlsx_cell(cell: Any, v: Any) -> None:
    """Set an openpyxl cell so that text can never be a formula."""
    if v is None or v == "":
        return
    if isinstance(v, str):
        cell.value = v
        cell.data_type = "s"  # a plain string, even if it starts with '='
        if v[:1] in FORMULA_START:
            cell.quotePrefix = True  # shown and re-typed as literal text
        return
    v = sheet_value(v)
    if isinstance(v, float) and not math.isfinite(v):
        cell.value = str(v)
        cell.data_type = "s"
        return
    cell.value = v


def xlsxwriter_cell(worksheet: Any, row: int, col: int, v: Any, cell_format: Any = None) -> None:
    """Write one xlsxwriter cell so that text can never be a formula."""
    if v is None or v == "":
        worksheet.write_blank(row, col, None, cell_format)
    elif isinstance(v, bool):
        worksheet.write_boolean(row, col, v, cell_format)
    elif _is_number(v) and math.isfinite(float(v)):
        worksheet.write_number(row, col, float(v), cell_format)
    else:
        worksheet.write_string(row, col, str(v), cell_format)


# -- output paths ---------------------------------------------------------------------------


def check_output_path(path: Path | str, option: str = "--output") -> Path:
    """Refuse, in one line, an output path that cannot be a new or replaced file."""
    p = Path(path)
    shown = one_line(str(p))
    name = p.name
    if not name or name in (".", ".."):
        raise OutputPathError(f"{option}: {shown!r} is not a file name; give a file name, for example out.csv")
    if len(name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        raise OutputPathError(
            f"{option}: the file name is {len(name)} characters long; a file name may be at most "
            f"{MAX_NAME_BYTES} bytes: give a shorter name"
        )
    try:
        if p.is_dir():
            raise OutputPathError(
                f"{option}: {shown!r} is a folder; give a file name inside it, for example {one_line(str(p / 'out.csv'))!r}"
            )
        parent = p.parent
        if not parent.exists():
            raise OutputPathError(
                f"{option}: the folder {one_line(str(parent))!r} does not exist; create it first or write somewhere else"
            )
        if not parent.is_dir():
            raise OutputPathError(f"{option}: {one_line(str(parent))!r} is a file, not a folder; write somewhere else")
    except OSError as exc:
        raise OutputPathError(f"{option}: cannot write {shown!r}: {exc.strerror or exc}") from None
    return p


@contextmanager
def output_errors(path: Path | str, option: str = "--output") -> Iterator[None]:
    """Turn an OSError raised while writing ``path`` into a one-line OutputPathError."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputPathError(f"{option}: cannot write {one_line(str(path))!r}: {reason}") from None


def write_output(path: Path | str, text: str, option: str = "--output", bom: bool = False) -> Path:
    """Write ``text`` (UTF-8, with a byte-order mark when ``bom``) to a path the user gave."""
    p = check_output_path(path, option)
    if bom and not text.startswith("\ufeff"):
        text = "\ufeff" + text
    with output_errors(p, option):
        p.write_text(text, encoding="utf-8", newline="")
    return p


# -- terminal -------------------------------------------------------------------------------

# C0 controls except newline, DEL, C1 controls, and the bidirectional override/isolate marks
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_NO_NL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _show(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch == "\t":
        return " "
    if ch == "\n":
        return "\\n"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: Any, newlines: bool = True) -> str:
    """``text`` with control and bidi-override characters shown as escapes (tab -> space)."""
    s = text if isinstance(text, str) else str(text)
    return (_CONTROL if newlines else _CONTROL_NO_NL).sub(_show, s)


def one_line(text: Any) -> str:
    """:func:`visible` with newlines shown as ``\\n``: always exactly one line."""
    return visible(text, newlines=False)


_CONTROL_DATA = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def echo(text: Any, err: bool = False, nl: bool = True) -> None:
    """Print a message with control characters made visible (click writes them raw)."""
    import click

    click.echo(visible(text), err=err, nl=nl)


def echo_data(text: str) -> None:
    """Print data exactly to a pipe or file; to a terminal with control characters made visible."""
    import click

    isatty = getattr(sys.stdout, "isatty", None)
    if isatty is not None and isatty():
        text = _CONTROL_DATA.sub(_show, text)
    click.echo(text, nl=False)


def term(text: Any) -> str:
    """Safe inside a rich markup string: control characters visible, markup escaped."""
    from rich.markup import escape

    return escape(visible(text))


def styled(*parts: str | tuple[str, str]) -> Any:
    """A rich ``Text`` from plain strings and ``(text, style)`` pairs; no markup is parsed."""
    from rich.text import Text

    out = Text()
    for part in parts:
        if isinstance(part, tuple):
            out.append(visible(part[0]), style=part[1])
        else:
            out.append(visible(part))
    return out


_CONSOLE_CLASS: Any = None


def _console_class() -> Any:
    global _CONSOLE_CLASS
    if _CONSOLE_CLASS is None:
        from rich.console import Console

        class SafeConsole(Console):
            """A Console whose strings are never markup and never carry control characters, and
            whose tables never cut a money figure (:func:`fit_table`)."""

            def print(self, *objects: Any, **kwargs: Any) -> None:  # type: ignore[override]
                super().print(*(fit_table(o, self) for o in objects), **kwargs)

            def render_str(self, text: str, **kwargs: Any) -> Any:  # type: ignore[override]
                kwargs["markup"] = False
                kwargs["emoji"] = False
                return super().render_str(visible(text), **kwargs)

            @property
            def size(self) -> Any:  # type: ignore[override]
                from rich.console import ConsoleDimensions

                return ConsoleDimensions(output_width(self.file), 25)

            @size.setter
            def size(self, new_size: Any) -> None:  # pragma: no cover - rich's own setter
                self._width, self._height = new_size

        _CONSOLE_CLASS = SafeConsole
    return _CONSOLE_CLASS


#: a money figure as the tables print it: £1,234,567, -£1.23m, £520k, £1,234.56, +£670,161
MONEY_RE = re.compile(r"[-+]?£[0-9][0-9,]*(?:\.[0-9]+)?[kmbn]?")
#: any figure a table prints (money, people, shares): kept whole, never folded across lines
FIGURE_RE = re.compile(r"[-+]?£?[0-9][0-9,]*(?:\.[0-9]+)?[kmbn%]?\*?")


def _cell_text(cell: Any) -> str:
    return cell.plain if hasattr(cell, "plain") else str(cell)


def fit_table(table: Any, console: Any) -> Any:
    """``table`` made to fit ``console``'s width without cutting a money figure (issue 26): every
    column holding figures is at least as wide as its widest figure (so a figure is never folded
    or cut) and text columns wrap; if a money figure still would not print whole, the least important
    columns are left out (those a table names in ``table.carescale_drop``, in that order; then
    text columns from the right, then money columns from the right, never the first) and a
    caption says which. Anything that is not a rich Table is returned as it is."""
    from rich.table import Table

    if not isinstance(table, Table) or not table.columns:
        return table
    from rich.measure import Measurement

    def money_width(col: Any) -> int:
        found = [len(m) for c in col._cells for m in MONEY_RE.findall(_cell_text(c))]
        return max(found, default=0)

    def header(col: Any) -> str:
        return _cell_text(col.header)

    for col in table.columns:
        w = max((len(m) for c in col._cells for m in FIGURE_RE.findall(_cell_text(c))), default=0)
        if w:
            col.min_width = max(col.min_width or 0, w)
            col.overflow = "fold"
    rest = table.columns[1:]
    names = list(dict.fromkeys([*(getattr(table, "carescale_drop", None) or []),
                                *(header(c) for c in reversed(rest) if not money_width(c)),
                                *(header(c) for c in reversed(rest) if money_width(c))]))
    dropped: list[str] = []
    width = console.width

    def narrow_enough() -> bool:
        """Whether the table's narrowest layout surely fits, read from its text alone: a bound
        of rich's measurement (each column's longest word or its set width, its padding and the
        borders), so the usual table is not measured cell by cell twice over before it is printed
        (a fifth of printing ``carescale run``'s tables, issue 25). False if it may not fit, or a
        cell is not text: then rich measures it."""
        from rich.cells import cell_len
        from rich.padding import Padding
        from rich.text import Text

        _, right, _, left = Padding.unpack(table.padding)
        total = 2 + len(table.columns)  # the borders, at most (rich's Table._extra_width)
        for col in table.columns:
            widest = 1
            if col.width is not None:
                widest = col.width
            else:
                for cell in (col.header, col.footer, *col._cells):
                    if isinstance(cell, Text):
                        text = cell.plain
                    elif isinstance(cell, str):
                        text = visible(cell)  # as SafeConsole.render_str prints it
                    else:
                        return False
                    words = text.split()  # rich's Text measure: the longest word, else the longest line
                    lengths = [cell_len(w) for w in words] if words else [cell_len(x) for x in text.splitlines()]
                    widest = max(widest, *lengths) if lengths else widest
            total += max(widest, col.min_width or 0) + left + right
        return max(total, table.min_width or 0) <= width

    def fits() -> bool:
        """Every money figure prints whole at this width and no text is cut short (…): surely so
        when the columns' narrowest layout fits; else the table is laid out once, aside, and its
        figures and ellipses counted."""
        if narrow_enough() or Measurement.get(console, console.options.update_width(10_000), table).minimum <= width:
            return True
        from collections import Counter

        from rich.console import Console

        want = Counter(m for col in table.columns for c in col._cells for m in MONEY_RE.findall(_cell_text(c)))
        probe = Console(width=width, file=io.StringIO(), markup=False, emoji=False, highlight=False, color_system=None)
        probe.print(table)
        text = probe.file.getvalue()
        got = Counter(MONEY_RE.findall(text))
        cut = text.count("\u2026") > sum(_cell_text(c).count("\u2026") for col in table.columns for c in col._cells) \
            + _cell_text(table.title or "").count("\u2026") + _cell_text(table.caption or "").count("\u2026")
        return not cut and all(got[m] >= n for m, n in want.items())

    while names and not fits():
        name = names.pop(0)
        i = next((i for i, c in enumerate(table.columns) if header(c) == name), None)
        if i is None or i == 0 or len(table.columns) <= 2:
            continue
        table.columns.pop(i)
        for j, c in enumerate(table.columns):
            c._index = j
        dropped.append(name)
    if dropped:
        note = f"Left out to fit {width} columns: {', '.join(dropped)} (a wider terminal, --format csv or json show them)."
        table.caption = f"{table.caption} {note}" if table.caption else note
    return table


#: Width of output that goes to a file or pipe when ``COLUMNS`` is not set.
PIPE_WIDTH = 160


def output_width(stream: Any = None) -> int:
    """Columns to print in: ``COLUMNS`` if set, else the terminal's width, else
    :data:`PIPE_WIDTH` (output to a file or a pipe has no width of its own)."""
    cols = config.columns()
    if cols is not None:
        return cols
    try:
        fileno = (stream if stream is not None else sys.stdout).fileno()
        if os.isatty(fileno):
            return os.get_terminal_size(fileno).columns or PIPE_WIDTH
    except (AttributeError, OSError, ValueError):
        pass
    return PIPE_WIDTH


def make_console(stderr: bool = False) -> Any:
    """A rich console that never parses markup or emoji and makes control characters visible;
    its width is :func:`output_width` at each print (``COLUMNS``, else the terminal)."""
    return _console_class()(stderr=stderr, markup=False, emoji=False, highlight=False)
