"""Reading a filled-in area template (CSV or XLSX) into an :class:`~carescale.schema.Area`.

Every problem is reported as one line naming the file, the row (and cell) and what is expected,
as an :class:`AreaFileError`; nothing is saved unless the whole file is valid. Cell text is only
ever read as text or as a plain number: formulas are never evaluated (an XLSX formula in a number
cell is an error; text that starts with ``=``, ``+``, ``-`` or ``@`` in a text cell stays text).
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from pydantic import ValidationError

from ..errors import InputFileError, SettingsError
from ..formatting import parse_number, typed_kind
from ..library import Library, default_library, display_path, format_validation_error
from ..io.spreadsheet import BROKEN_XLSX, column_letter
from ..safe_text import unguard
from ..schema import Area, Quantity, Reference
from ..schema.base import MAX_PEOPLE, MAX_VALUE
from .keys import ASSUMPTIONS, assumption_rows, required_keys, template_rows
from .prevalence import estimate_missing

#: Largest file accepted: a filled-in template is about 3 KB (CSV) or 8 KB (XLSX).
MAX_BYTES = 1_000_000
#: Most rows read from a file (the template has about 20).
MAX_ROWS = 500
COLUMNS = ("key", "description", "unit", "value", "period", "status", "source")
REQUIRED_COLUMNS = ("key", "value")
STATUSES = ("published", "estimated", "implied", "assumption")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: Longest id: it becomes a file name (ID.yaml) in the user's area folder.
MAX_ID_LENGTH = 64
ID_RULE = "use lower-case letters, digits and single hyphens, for example 'leeds' or 'north-yorkshire'"


def id_problem(value: str) -> str | None:
    """Why ``value`` cannot be an area id (the message after the cell), or None if it can."""
    if len(value) > MAX_ID_LENGTH:
        return (f"{value[:24]!r}... is {len(value)} characters long; an id may be at most "
                f"{MAX_ID_LENGTH} characters ({ID_RULE})")
    if not ID_PATTERN.match(value):
        return f"{value!r} is not a valid id; {ID_RULE}"
    return None
KINDS = ("council", "source-site")
#: A number written with thousands separators: 149,412 or 1,234,567.5 (not 1,4,9,4,1,2).
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
USER_DOCUMENT = "user-area-file"


class AreaFileError(InputFileError):
    """A filled-in area template that cannot be imported (the message says where and why)."""


@dataclass(frozen=True)
class Cell:
    value: Any  # str, int, float, None (or another type openpyxl returns)
    formula: bool = False  # an XLSX formula cell (never evaluated)


@dataclass(frozen=True)
class ImportedArea:
    area: Area
    estimated: tuple[str, ...]  # figures carescale estimated because the file left them blank
    given_as_estimates: tuple[str, ...]  # figures the file marked as estimated
    blank: tuple[str, ...]  # figures left blank that could not be estimated
    #: the assumptions section: parameter path -> {"value", "note"} (overrides of model figures)
    assumptions: dict = field(default_factory=dict)


def _read_bytes_checked(path: Path, name: str) -> None:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        got = f"it ends in {path.suffix!r}" if path.suffix else "it has no extension"
        raise AreaFileError(
            f"{name}: not a CSV or XLSX file ({got}); save the area template as .csv or .xlsx "
            f"(see 'carescale areas template')"
        )
    if not path.exists():
        raise AreaFileError(f"{name}: file not found")
    if path.is_dir():
        raise AreaFileError(f"{name}: is a folder, not a CSV or XLSX file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise AreaFileError(
            f"{name}: the file is {size:,} bytes; an area template may be at most {MAX_BYTES:,} "
            f"bytes (a filled-in template is a few kilobytes): is this the right file?"
        )


def _empty(name: str) -> AreaFileError:
    return AreaFileError(
        f"{name}: the file is empty; expected a header row ({', '.join(COLUMNS)}) and one row "
        f"per figure, as written by 'carescale areas template'"
    )


def _too_many(name: str) -> AreaFileError:
    return AreaFileError(
        f"{name}: more than {MAX_ROWS} rows; an area template has one row per figure "
        f"(about 20): is this the right file?"
    )


def _read_csv(path: Path, name: str) -> list[list[Cell]]:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise AreaFileError(f"{name}: not a CSV text file (it contains binary data); save the template as CSV or XLSX")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's "CSV (Comma delimited)" on Windows
    rows: list[list[Cell]] = []
    try:
        for i, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if i > MAX_ROWS:
                raise _too_many(name)
            rows.append([Cell(unguard(v)) for v in row])
    except csv.Error as exc:
        raise AreaFileError(f"{name}: not a valid CSV file ({exc})") from None
    return rows


def _read_xlsx(path: Path, name: str) -> list[list[Cell]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # data_only=False: a formula cell gives its formula text, never a computed value
        wb = openpyxl.load_workbook(str(path), read_only=True, data_only=False)
    except (InvalidFileException, OSError, *BROKEN_XLSX) as exc:
        raise AreaFileError(
            f"{name}: not a valid XLSX workbook ({type(exc).__name__}); save the template from "
            f"your spreadsheet as 'Excel Workbook (.xlsx)' or as CSV"
        ) from None
    try:
        rows: list[list[Cell]] = []
        if not wb.worksheets:
            raise AreaFileError(f"{name}: the workbook has no sheets; save the template from your spreadsheet "
                                "as 'Excel Workbook (.xlsx)' or as CSV")
        sheets = [wb.worksheets[0], *(ws for ws in wb.worksheets[1:] if ws.title == "assumptions")]
        for n, ws in enumerate(sheets):
            try:
                for i, row in enumerate(ws.iter_rows(max_col=len(COLUMNS) + 10), start=1):
                    if len(rows) >= MAX_ROWS:
                        raise _too_many(name)
                    cells = [Cell(c.value, getattr(c, "data_type", None) == "f") for c in row]
                    if n and i == 1 and cells and _text(cells[0]).lower() == "key":
                        continue  # the assumptions sheet repeats the header row
                    rows.append(cells)
            except BROKEN_XLSX as exc:
                raise AreaFileError(
                    f"{name}: the workbook is damaged and cannot be read ({type(exc).__name__} in its "
                    f"{'first' if n == 0 else 'assumptions'} sheet); save it again from your spreadsheet as "
                    "'Excel Workbook (.xlsx)' or as CSV"
                ) from None
        return rows
    finally:
        wb.close()


def _text(cell: Cell | None) -> str:
    if cell is None or cell.value is None:
        return ""
    v = cell.value
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _number(cell: Cell, where: str, unit: str) -> float | None:
    """A cell as a number; None if blank. Raises for anything else."""
    example = "149412" if unit == "people" else "31961538"
    expected = (
        f"expected {'a count of people' if unit == 'people' else 'pounds a year'}, for example "
        f"{example}, or a blank cell if not known"
    )
    v = cell.value
    if cell.formula:
        raise AreaFileError(
            f"{where}: {v!r} is a formula; carescale never evaluates formulas: type the number "
            f"itself ({expected})"
        )
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, bool):
        raise AreaFileError(f"{where}: {v!r} is not a number; {expected}")
    if isinstance(v, (int, float)):
        num = float(v)
    elif isinstance(v, str):
        s = v.strip()
        cleaned = s.replace("£", "").replace(" ", "").replace("\u00a0", "")
        if "," in cleaned and not THOUSANDS.match(cleaned):
            raise AreaFileError(
                f"{where}: {s!r} is not a number: commas may only separate thousands (149,412); {expected}"
            )
        try:  # as people type a number everywhere (carescale.formatting): 149,412, £2m, 250k, 9%
            num = parse_number(s, typed_kind(s))
        except SettingsError:
            try:
                num = float(cleaned.replace(",", ""))
            except ValueError:
                hint = " (formulas are not evaluated)" if s[0] in "=@" else ""
                raise AreaFileError(f"{where}: {s!r} is not a number{hint}; {expected}") from None
    else:
        raise AreaFileError(f"{where}: {v!r} is not a number; {expected}")
    if not math.isfinite(num):
        raise AreaFileError(f"{where}: {v!r} is not a finite number; {expected}")
    if num < 0:
        what = "a count of people" if unit == "people" else "spend"
        raise AreaFileError(f"{where}: {num:g} is negative; {what} must be 0 or more")
    limit = MAX_PEOPLE if unit == "people" else MAX_VALUE
    if num > limit:
        what = "more people than live in the UK" if unit == "people" else "more than any council spends"
        raise AreaFileError(f"{where}: {num:g} is too large ({what}); {expected}")
    return num


def _unknown_key(where: str, what: str, key: str, valid: list[str], listed_in: str) -> AreaFileError:
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return AreaFileError(f"{where}: unknown {what} {key!r}{hint}; the valid keys are the ones in {listed_in}")


class _Problems:
    """Every problem in a file, so that one import reports them all (row and cell each) in one
    line: the message of a single problem is unchanged; several are counted and joined."""

    #: Most problems listed (a file with a problem on every row is the wrong file).
    MOST = 20

    def __init__(self, name: str):
        self.name = name
        self.items: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, message: str) -> None:
        self.items.append(message.removeprefix(f"{self.name}: "))

    @contextmanager
    def collect(self) -> Iterator[None]:
        try:
            yield
        except AreaFileError as exc:
            self.add(exc.message)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        if len(self.items) == 1:
            raise AreaFileError(f"{self.name}: {self.items[0]}")
        shown = self.items[: self.MOST]
        more = len(self.items) - len(shown)
        tail = f"; and {more} more" if more else ""
        raise AreaFileError(f"{self.name}: {len(self.items)} problems: " + "; ".join(shown) + tail)


def _figure_row(name: str, file_name: str, key: str, tr: Any, r: int, row: list[Cell], cell: Any, ref: Any,
                has_period: bool, given_est: list[str]) -> Quantity | None:
    """One figure row as a Quantity (None if its value is blank); raises for a bad cell."""
    where = f"{name}: row {r} ({key}), cell {ref('value', r)}"
    vcell = cell(row, "value") or Cell(None)
    num = _number(vcell, where, tr.unit)
    if num is None:
        return None
    status = _text(cell(row, "status")).lower() or "published"
    if status not in STATUSES:
        raise AreaFileError(
            f"{name}: row {r} ({key}), cell {ref('status', r)}: status {status!r} is not "
            f"valid; expected {', '.join(STATUSES)} (blank means published)"
        )
    if tr.unit == "people" and status == "published" and not num.is_integer():
        raise AreaFileError(
            f"{where}: {num:g} is not a whole number of people; give the count (a figure "
            f"worked out from others may have decimals: set its status to implied and show "
            f"the arithmetic in the source cell)"
        )
    period = _text(cell(row, "period")) or None
    source = _text(cell(row, "source")) or None
    if tr.kind == "spend" and not period:
        where_p = f"cell {ref('period', r)}" if has_period else "no 'period' column"
        raise AreaFileError(
            f"{name}: row {r} ({key}), {where_p}: the price year is missing; pounds need "
            f"the year their prices are in, for example 2020/21"
        )
    derivation = None
    if status != "published":
        derivation = source or f"given as {status} in {file_name}, row {r}, with no working shown"
        if status == "estimated":
            given_est.append(key)
    raw = vcell.value if not isinstance(vcell.value, str) else vcell.value.strip()
    return Quantity(
        value=num,
        unit=tr.unit,  # type: ignore[arg-type]
        price_year=period if tr.kind == "spend" else None,
        period=None if tr.kind == "spend" else period,
        status=status,  # type: ignore[arg-type]
        derivation=derivation,
        ref=Reference(document=USER_DOCUMENT, section=f"{file_name}, row {r}", quote=f"{key} = {raw}"),
        note=source if status == "published" else None,
    )


def parse_rows(rows: list[list[Cell]], name: str, lib: Library, estimate: bool = True) -> ImportedArea:
    """Validate template rows (the first non-blank row is the header) into an area. Blank
    figures of a council are estimated (``data/prevalence.yaml``) unless ``estimate`` is False."""
    first = next((i for i, r in enumerate(rows) if any(_text(c) for c in r)), None)
    if first is None:
        raise _empty(name)
    header_no = first + 1
    header = [_text(c).lower() for c in rows[first]]
    while header and not header[-1]:
        header.pop()
    for j, col in enumerate(header):
        if col not in COLUMNS:
            raise AreaFileError(
                f"{name}: row {header_no}, cell {column_letter(j + 1)}{header_no}: unknown "
                f"column {col!r}; the columns are: {', '.join(COLUMNS)}"
            )
    for col in REQUIRED_COLUMNS:
        if col not in header:
            raise AreaFileError(
                f"{name}: row {header_no}: no {col!r} column; the header row must name the "
                f"columns {', '.join(COLUMNS)} (as in 'carescale areas template')"
            )
    col = {c: j for j, c in enumerate(header)}
    spec = {r.key: r for r in template_rows(lib)}

    def cell(row: list[Cell], c: str) -> Cell | None:
        j = col.get(c)
        return row[j] if j is not None and j < len(row) else None

    def ref(c: str, r: int) -> str:
        return f"{column_letter(col[c] + 1)}{r}"

    problems = _Problems(name)
    found: dict[str, tuple[int, list[Cell]]] = {}
    assumed: dict[str, dict[str, Any]] = {}
    assumable = {r.key for r in assumption_rows(lib)}
    suggested: set[str] = set()  # keys offered for a mistyped one (not reported missing as well)
    for i in range(first + 1, len(rows)):
        r = i + 1
        row = rows[i]
        if not any(_text(c) for c in row):
            continue
        with problems.collect():
            key = _text(cell(row, "key"))
            if not key:
                raise AreaFileError(
                    f"{name}: row {r}, cell {ref('key', r)}: the key is blank; every row needs the "
                    f"key from the template (for example cohorts.population_65_plus)"
                )
            if key.startswith(ASSUMPTIONS):
                where = f"{name}: row {r} ({key}), cell {ref('value', r)}"
                if key not in assumable:
                    raise _unknown_key(f"{name}: row {r}, cell {ref('key', r)}", "assumption", key, sorted(assumable),
                                       "the assumptions section of 'carescale areas template'")
                if key.removeprefix(ASSUMPTIONS) in assumed:
                    raise AreaFileError(f"{name}: row {r}, cell {ref('key', r)}: {key!r} is given twice; keep one")
                num = _number(cell(row, "value") or Cell(None), where, "number")
                if num is not None:
                    note = _text(cell(row, "source")) or None
                    assumed[key.removeprefix(ASSUMPTIONS)] = {"value": num, **({"note": note} if note else {})}
                continue
            if key not in spec:
                suggested.update(difflib.get_close_matches(key, list(spec), n=1))
                raise _unknown_key(f"{name}: row {r}, cell {ref('key', r)}", "key", key, list(spec),
                                   "'carescale areas template'")
            if key in found:
                raise AreaFileError(
                    f"{name}: row {r}, cell {ref('key', r)}: {key!r} is given twice (rows "
                    f"{found[key][0]} and {r}); keep one"
                )
            found[key] = (r, row)
    if not found and not problems:
        raise AreaFileError(
            f"{name}: the file has a header row but no figures; expected one row per figure, "
            f"as written by 'carescale areas template'"
        )
    for key in required_keys(lib):
        tr = spec[key]
        if key not in found and key not in suggested:
            label = re.split(r"\. |: ", tr.description)[0]
            problems.add(
                f"{name}: no row for {key!r} ({label}); the models need this row: add it "
                f"back from 'carescale areas template', and leave its value blank if you do not "
                f"know it"
            )

    # -- text rows ------------------------------------------------------------------------
    text: dict[str, str] = {}
    for key, tr in spec.items():
        if tr.kind != "text":
            continue
        if key not in found:
            text[key] = ""
            continue
        r, row = found[key]
        c = cell(row, "value")
        val = _text(c)  # formula-looking text stays text; an XLSX formula keeps its text
        if tr.required and not val:
            problems.add(f"{name}: row {r} ({key}), cell {ref('value', r)}: the value is blank; expected {tr.description[0].lower()}{tr.description[1:]}")
        text[key] = val
    aid = text["area.id"]
    if "area.id" in found and aid:
        r_id = found["area.id"][0]
        problem = id_problem(aid)
        if problem:
            problems.add(f"{name}: row {r_id} (area.id), cell {ref('value', r_id)}: {problem}")
    kind = text["area.kind"]
    if "area.kind" in found and kind and kind not in KINDS:
        r_k = found["area.kind"][0]
        problems.add(
            f"{name}: row {r_k} (area.kind), cell {ref('value', r_k)}: {kind!r} is not valid; "
            f"expected {' or '.join(KINDS)}"
        )

    # -- figures ----------------------------------------------------------------------------
    file_name = Path(name).name
    cohorts: dict[str, Quantity] = {}
    spend: dict[str, Quantity] = {}
    provision: dict[str, dict[str, Quantity]] = {}
    blank: list[str] = []
    given_est: list[str] = []
    rows_of: dict[str, int] = {}
    for key, tr in spec.items():
        if tr.kind == "text":
            continue
        if key not in found:
            blank.append(key)
            continue
        r, row = found[key]
        with problems.collect():
            q = _figure_row(name, file_name, key, tr, r, row, cell, ref, "period" in col, given_est)
            if q is None:
                blank.append(key)
                continue
            rows_of[key] = r
            section, _, rest = key.partition(".")
            if section == "cohorts":
                cohorts[rest] = q
            elif section == "spend":
                spend[rest] = q
            else:
                iid, _, sid = rest.partition(".")
                provision.setdefault(iid, {})[sid] = q

    # a cohort cannot be larger than the population it belongs to
    for cid, q in cohorts.items():
        parent = lib.vocabulary.cohorts[cid].within
        if parent and parent in cohorts and q.value > cohorts[parent].value:
            r = rows_of[f"cohorts.{cid}"]
            problems.add(
                f"{name}: row {r} (cohorts.{cid}), cell {ref('value', r)}: {q.value:,.0f} is "
                f"larger than cohorts.{parent} ({cohorts[parent].value:,.0f}, row "
                f"{rows_of[f'cohorts.{parent}']}); a cohort cannot be larger than the "
                f"population it belongs to"
            )
    problems.raise_if_any()
    try:
        area = Area(
            id=aid,
            name=text["area.name"],
            kind=kind,  # type: ignore[arg-type]
            ons_code=text["area.ons_code"] or None,
            description=text["area.description"] or f"Imported from {file_name}.",
            cohorts=cohorts,
            spend=spend,
            provision=provision,
        )
    except ValidationError as exc:  # pragma: no cover - every field is checked above
        raise AreaFileError(format_validation_error(name, exc)) from None

    keys: tuple[str, ...] = ()
    if estimate and area.kind == "council":  # a source site is kept exactly as its source reports
        est = estimate_missing(area)
        area, keys = est.area, est.keys
    area = lib.check_area(area, name)
    left = tuple(k for k in blank if k not in keys)
    return ImportedArea(area, keys, tuple(given_est), left, assumed)


def read_area_file(path: Path | str, library: Library | None = None, estimate: bool = True) -> ImportedArea:
    """Read and validate a filled-in area template (``.csv`` or ``.xlsx``); blank figures of a
    council are estimated from its population unless ``estimate`` is False."""
    lib = library or default_library()
    path = Path(path)
    name = display_path(path)
    _read_bytes_checked(path, name)
    if path.stat().st_size == 0:
        raise _empty(name)
    rows = _read_csv(path, name) if path.suffix.lower() == ".csv" else _read_xlsx(path, name)
    return parse_rows(rows, name, lib, estimate)
