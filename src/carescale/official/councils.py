"""Per-council official figures in one compact file shipped with carescale (issue 22).

:func:`build_council_figures` reads the published files (ASC-FR and SALT 2021-22, RO3 outturn,
ONS mid-year population, the National Cost Collection) and keeps, for each of the 153 councils
on April 2023 boundaries, the figures the models and the baseline spend use. Two CSV files and
the attributions are written by :meth:`CouncilFigures.write` (into
``src/carescale/data/official/`` for the packaged copy):

* ``series.csv``: one row a series: its id, source, table, year, measure (the published header),
  unit, sheet and column, and the file it was read from;
* ``councils.csv``: one row a council and series: code, name, series id, value (blank when the
  cell is suppressed or missing), why it is missing, the spreadsheet row, and a note (the April
  2023 split of Cumbria's figures, stated with its shares and populations).

:func:`read_council_figures` loads them back; every figure keeps its source, table, year and
cell (``Figure.cell`` = sheet, column and row). A council absent from a file has a row saying
so, never a zero.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..errors import OfficialDataError
from ..io.paths import display_path
from .figures import Figure

PACKAGED = Path(__file__).resolve().parents[1] / "data" / "official"
ENGLAND = "E92000001"

#: ASC-FR series: id -> (table, header words).
ASCFR_SERIES: dict[str, tuple[int, tuple[str, ...]]] = {
    "gce_total": (14, ("Total Gross Current Expenditure (GCE)",)),
    "gce_long_term": (14, ("Long Term Support GCE",)),
    "gce_short_term": (14, ("Short Term Support GCE",)),
    "gce_other": (14, ("Other GCE",)),
    "gce_18_64_learning_disability": (18, ("18 to 64", "Learning Disability Support")),
    "gce_18_64_mental_health": (18, ("18 to 64", "Mental Health Support")),
    "gce_18_64_total": (18, ("18 to 64", "Total")),
    "gce_65_plus_memory_cognition": (18, ("65 and Over", "Support with Memory and Cognition")),
    "gce_65_plus_total": (18, ("65 and Over", "Total")),
    "ltc_18_64_nursing": (43, ("Nursing",)),
    "ltc_18_64_residential": (43, ("Residential",)),
    "ltc_18_64_home_care": (43, ("Community: Home Care",)),
    "ltc_18_64_total": (43, ("Total",)),
    "ltc_65_plus_nursing": (44, ("Nursing",)),
    "ltc_65_plus_residential": (44, ("Residential",)),
    "ltc_65_plus_home_care": (44, ("Community: Home Care",)),
    "ltc_65_plus_total": (44, ("Total",)),
    "lts_clients_18_64": (33, ("In Year", "18 to 64")),
    "lts_clients_65_plus": (33, ("In Year", "65 and over")),
    "lts_clients_65_plus_nursing": (34, ("65 and over", "Nursing")),
    "lts_clients_65_plus_residential": (34, ("65 and over", "Residential")),
    "lts_year_end_65_plus_nursing": (38, ("65 and over", "Nursing")),
    "lts_year_end_65_plus_residential": (38, ("65 and over", "Residential")),
    "lts_year_end_65_plus_total": (38, ("65 and over", "Total")),
    "lts_year_end_18_64_learning_disability": (37, ("18 to 64", "Learning Disability Support")),
    "lts_year_end_18_64_mental_health": (37, ("18 to 64", "Mental Health Support")),
    "st_max_episodes_new_clients": (22, ("Total",)),
    "stc_65_plus_max_independence": (31, ("To Maximise Independence", "Total")),
    "stc_65_plus_other": (31, ("Other Short Term", "Total")),
    "stc_18_64_max_independence": (30, ("To Maximise Independence", "Total")),
    "stc_18_64_other": (30, ("Other Short Term", "Total")),
    "carers_supported": (47, ("Total",)),
    "home_care_hour_in_house": (51, ("2021-22", "In House")),
    "home_care_hour_external": (51, ("2021-22", "External")),
    "nursing_week_65_plus": (52, ("Nursing", "2021-22", "65 and Over")),
    "residential_week_65_plus": (52, ("Residential", "2021-22", "65 and Over")),
    "nursing_week_18_64": (52, ("Nursing", "2021-22", "18 to 64")),
    "residential_week_18_64": (52, ("Residential", "2021-22", "18 to 64")),
    "residential_week_18_64_learning_disability": (53, ("Residential", "Learning Disability Support")),
    "residential_week_18_64_mental_health": (53, ("Residential", "Mental Health Support")),
}
#: ASCOF series: id -> (measure code, measure type, what).
ASCOF_SERIES: dict[str, tuple[str, str, str]] = {
    "2a2_admissions_65_plus": ("2A2", "Numerator", "Long-term support needs of older adults aged 65 and over met by admission to residential and nursing care homes: admissions (numerator)"),
    "2a2_admissions_65_plus_per_100k": ("2A2", "Outcome", "Long-term support needs of older adults aged 65 and over met by admission to residential and nursing care homes, per 100,000 population"),
}
NCC_SERIES = ("a_and_e_attendance", "non_elective_long_stay", "non_elective_short_stay", "non_elective_spell")
LICENCE = "Open Government Licence v3.0"
ATTRIBUTIONS = {
    "ascfr": "Source: NHS Digital, Adult Social Care Activity and Finance Report, England 2021-22, licensed under the Open Government Licence v3.0.",
    "ro3": "Source: Ministry of Housing, Communities and Local Government, Local authority revenue expenditure and financing: individual local authority data - outturn, licensed under the Open Government Licence v3.0.",
    "ons": "Source: Office for National Statistics licensed under the Open Government Licence v3.0.",
    "ncc": "Source: NHS England, National Cost Collection for the NHS 2023/24, licensed under the Open Government Licence v3.0; extracted by NICE (COSTmos).",
    "ascof": "Source: NHS Digital, Adult Social Care Outcomes Framework 2020-21, licensed under the Open Government Licence v3.0.",
}
SERIES_COLUMNS = ("series", "group", "source", "table", "year", "measure", "unit", "sheet", "column", "file", "markers")


@dataclass(frozen=True)
class Series:
    id: str
    group: str  # ascfr, ro3, ons, ncc: the attribution that applies
    source: str
    table: str
    year: str
    measure: str
    unit: str
    sheet: str
    column: str  # spreadsheet column letter, or the rows' description
    file: str  # the file's name (no folders)
    markers: str = ""  # "[x]=data not submitted; [c]=data less than 5": what a marker in councils.csv means


@dataclass
class CouncilFigures:
    series: dict[str, Series] = field(default_factory=dict)
    councils: dict[str, str] = field(default_factory=dict)  # code -> name, April 2023 boundaries
    rows: list[tuple[str, str, str, float | None, str, str, str]] = field(default_factory=list)
    #: code -> (region code, region name), from ASC-FR's rows (successors take their predecessor's)
    regions: dict[str, tuple[str, str]] = field(default_factory=dict)
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    def figure(self, code: str, series: str) -> Figure:
        s = self.series.get(series)
        if s is None:
            raise OfficialDataError(f"official figures: no series {series!r}; the series are: {', '.join(self.series)}")
        if len(self._index) != len(self.rows):
            self._index = {(r[0], r[2]): r for r in self.rows}
        hit = self._index.get((code, series))
        if hit is not None:
            c, name, sid, value, missing, row, note = hit
            cell = f"{s.sheet}!{s.column}{row}" if re.fullmatch(r"[A-Z]+", s.column) else f"{s.sheet}, {s.column} {row}".strip()
            return Figure(value=value, source=s.source, table=s.table, year=s.year, cell=cell, area=c, name=name,
                          measure=s.measure, unit=s.unit, missing=missing or None, note=note or None)
        raise OfficialDataError(f"official figures: no council {code!r}; there are {len(self.councils)} councils")

    def write(self, folder: Path) -> list[Path]:
        """Write ``series.csv``, ``councils.csv`` (one row an area, one column a series: the
        value, or a marker such as ``[x]`` that series.csv explains), ``rows.csv`` (each area's
        spreadsheet row in each sheet: a figure's cell is its series' column and this row),
        ``notes.csv`` (the April 2023 splits and recodes, stated per figure) and ``ATTRIBUTION.md``."""
        folder.mkdir(parents=True, exist_ok=True)
        sids = list(self.series)
        sheets = list(dict.fromkeys(s.sheet for s in self.series.values()))
        markers: dict[str, dict[str, str]] = {sid: {} for sid in sids}
        values: dict[str, dict[str, str]] = {}
        rows: dict[str, dict[str, str]] = {}
        names: dict[str, str] = {}
        notes: list[tuple[str, str, str]] = []
        for code, name, sid, value, missing, row, note in self.rows:
            names.setdefault(code, name)
            if value is not None:
                text = _number(value)
            else:
                token, meaning = _marker(missing)
                markers[sid][token] = meaning
                text = token
            values.setdefault(code, {})[sid] = text
            if row:
                rows.setdefault(code, {})[self.series[sid].sheet] = row
            if note:
                notes.append((code, sid, note))
        with open(folder / "series.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(SERIES_COLUMNS)
            for s in self.series.values():
                mk = "; ".join(f"{k}={v}" for k, v in sorted(markers[s.id].items()))
                w.writerow([s.id, s.group, s.source, s.table, s.year, s.measure, s.unit, s.sheet, s.column, s.file, mk])
        with open(folder / "councils.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["code", "name", *sids])
            for code, vals in values.items():
                w.writerow([code, names[code], *(vals.get(sid, "") for sid in sids)])
        with open(folder / "rows.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["code", *sheets])
            for code in values:
                w.writerow([code, *(rows.get(code, {}).get(sh, "") for sh in sheets)])
        with open(folder / "notes.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["code", "series", "note"])
            w.writerows(notes)
        if self.regions:
            with open(folder / "regions.csv", "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(["code", "region_code", "region_name"])
                w.writerows([c, *r] for c, r in self.regions.items())
        # lines an earlier ATTRIBUTION.md gives for other files of the folder ("- `ascof_2a2.csv` ..."),
        # written by other builders, are kept
        old = folder / "ATTRIBUTION.md"
        others = [line for line in old.read_text(encoding="utf-8").splitlines() if line.startswith("- `")] if old.is_file() else []
        groups = sorted({s.group for s in self.series.values()})
        lines = ["# Attributions for the official figures in this folder", "",
                 "Built by `carescale.official.councils.build_council_figures` from the published files named in",
                 "`series.csv` (column `file`). Crown copyright; each licensed under the Open Government Licence v3.0",
                 "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).", ""]
        lines += [f"- {ATTRIBUTIONS[g]}" for g in groups] + others
        (folder / "ATTRIBUTION.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        files = ("series.csv", "councils.csv", "rows.csv", "notes.csv", *(("regions.csv",) if self.regions else ()), "ATTRIBUTION.md")
        return [folder / f for f in files]


def _marker(missing: str) -> tuple[str, str]:
    """A missing figure's reason as (token, meaning): "[x] data not submitted" -> ("[x]", ...)."""
    m = re.match(r"^(\[[a-z]+\])\s*(.*)$", missing or "")
    if m:
        return m.group(1), m.group(2)
    if missing.startswith("no row"):
        return "[absent]", missing
    return "[blank]", missing or "blank"


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(round(v, 6))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower().replace("65+", "65_plus")).strip("_")


def _ages(measure: str) -> tuple[int, int | None]:
    """The population a split council's figure is shared by: 65+ for older people's figures,
    18-64 for working-age figures, else adults 18+."""
    m = measure.lower()
    if "65" in m:
        return (65, None)
    if "18 to 64" in m or "18-64" in m:
        return (18, 64)
    return (18, None)


def build_council_figures(
    ascfr: Path | str,
    ro3: Sequence[Path | str],
    mye: Path | str,
    ncc: Path | str | None = None,
    ascof: Path | str | None = None,
) -> CouncilFigures:
    """Read the official files and keep each council's figures (April 2023 boundaries, the
    councils of the ``mye`` file). Figures on the old boundaries (ASC-FR 2021-22, RO3 2022-23)
    are carried across in :func:`carescale.official.boundaries.figures_to_2023`."""
    # the readers only here: reading the figures back (carescale run) needs none of them (issue 25)
    from .ascfr import read_ascfr
    from .boundaries import figures_to_2023, is_upper_tier, successors_2023
    from .mye import read_mye
    from .ncc import read_ncc
    from .ro3 import ASC_LINES, read_ro3

    pop = read_mye(mye)
    councils = {c: r.name for c, r in pop.rows.items() if is_upper_tier(c)}
    if not councils:
        raise OfficialDataError(f"{display_path(Path(mye))}: no council rows (codes E06, E08, E09, E10)")
    out = CouncilFigures(councils=councils)

    def add(series: Series, figures: dict[str, Figure], file: str, ages_measure: str | None = None) -> None:
        out.series[series.id] = series
        carried = figures_to_2023(figures, pop, _ages(ages_measure or series.measure), rate=series.unit.startswith("£ per"))
        for code, name in councils.items():
            f = carried.get(code)
            if f is None:
                out.rows.append((code, name, series.id, None, f"no row for this council in {file}", "", ""))
                continue
            row = f.cell.rsplit("!", 1)[-1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            out.rows.append((code, name, series.id, f.value, f.missing or "", row, f.note or ""))
        if ENGLAND in figures:
            f = figures[ENGLAND]
            row = f.cell.rsplit("!", 1)[-1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            out.rows.append((ENGLAND, "England", series.id, f.value, f.missing or "", row, ""))

    book = read_ascfr(ascfr)
    name = Path(ascfr).name
    for sid, (number, words) in ASCFR_SERIES.items():
        t = book.table(number)
        j = t.column(*words)
        figs = {c: t.figure(c, *words) for c in t.rows if c in t.councils or c == ENGLAND}
        any_fig = next(iter(figs.values()))
        measure = f"{t.title}: {any_fig.measure}"
        add(Series(f"ascfr_{sid}", "ascfr", any_fig.source, any_fig.table, any_fig.year, measure, t.unit, t.sheet,
                   t.letters[j], name), figs, name)

    for path in ro3:
        table = read_ro3(path)
        name = Path(path).name
        yslug = table.year.replace("-", "_")
        for line in ASC_LINES:
            measures = ("C3", "C7") if line == "total adult social care" else ("C3",)
            for measure in measures:
                if (line, measure) not in table.columns:
                    table.figure(next(iter(table.councils)), line, measure)  # refuses, in one line, naming the line
                j = table.columns[(line, measure)]
                figs = {c: table.figure(c, line, measure) for c in table.councils}
                eng = table._england()
                if eng is not None:
                    figs[ENGLAND] = table.figure(eng.code, line, measure)
                any_fig = next(iter(figs.values()))
                add(Series(f"ro3_{yslug}_{_slug(line)}_{measure.lower()}", "ro3", any_fig.source, "RO3", table.year,
                           any_fig.measure, "£ thousands", table.sheet, table.letters[j], name), figs, name, line)

    name = Path(mye).name
    for sid, label, lo, hi in (("all_ages", "All ages", 0, None), ("18_64", "aged 18 to 64", 18, 64), ("65_plus", "aged 65 and over", 65, None)):
        out.series[f"ons_population_{sid}"] = Series(
            f"ons_population_{sid}", "ons", "Office for National Statistics, mid-year population estimates",
            pop.sheet, pop.period or "", f"Population {label}", "people", pop.sheet, "row", name)
        for code, cname in [*councils.items(), (ENGLAND, "England")]:
            r = pop.get(code)
            if r is None:
                out.rows.append((code, cname, f"ons_population_{sid}", None, f"no row for this area in {name}", "", ""))
                continue
            value = r.all_ages if lo == 0 else r.between(lo, hi)
            out.rows.append((code, cname, f"ons_population_{sid}", value, "", str(r.row), ""))

    regions: dict[str, str] = {}
    t14 = book.table(14)
    names = {r.code: r.name for r in t14.rows.values() if r.code.startswith("E12")}
    for code, r in t14.councils.items():
        for s in successors_2023(code, pop) or [None]:
            regions[s.code if s else code] = r.region
    out.regions = {c: (regions.get(c, ""), names.get(regions.get(c, ""), "")) for c in councils}

    if ascof is not None:
        from .ascof import read_ascof

        table_a = read_ascof(ascof)
        name = Path(ascof).name
        for sid, (measure, mtype, what) in ASCOF_SERIES.items():
            if not any((measure, mtype) in c.values for c in table_a.councils.values()):
                have = sorted({m for c in table_a.councils.values() for m, _ in c.values})
                raise OfficialDataError(f"{display_path(Path(ascof))}: no council has a row for ASCOF measure {measure} "
                                        f"({mtype}, Disaggregation Level 'Total'); the measures are: {', '.join(have)}")
            figs = {}
            for code, c in table_a.councils.items():
                value, row = c.values.get((measure, mtype), (None, c.row))
                if (measure, mtype) in c.values:
                    why = None if value is not None else c.markers.get((measure, mtype), "[x] not available")
                else:
                    why = f"no row for ASCOF {measure} ({mtype}) for this council in {name}"
                figs[code] = Figure(value=value, source="NHS Digital, Adult Social Care Outcomes Framework 2020-21",
                                    table=measure, year="2020-21", cell=f"{name}, row {row}", area=code, name=c.name,
                                    measure=what, unit="people", missing=why)
            eng = table_a.england.get((measure, mtype))
            if eng is not None:
                figs[ENGLAND] = Figure(value=eng, source="NHS Digital, Adult Social Care Outcomes Framework 2020-21",
                                       table=measure, year="2020-21", cell=f"{name}, England", area=ENGLAND, name="England",
                                       measure=what, unit="people")
            unit = "per 100,000 population aged 65+" if mtype == "Outcome" else "people"
            series = Series(f"ascof_{sid}", "ascof", "NHS Digital, Adult Social Care Outcomes Framework 2020-21",
                            f"ASCOF {measure}", "2020-21", what, unit, f"{name} ({measure} {mtype})", "row", name)
            out.series[series.id] = series
            carried = figures_to_2023(figs, pop, (65, None), rate=mtype == "Outcome")
            for code, cname in councils.items():
                f = carried.get(code)
                if f is None:
                    out.rows.append((code, cname, series.id, None, f"no row for this council in {name}", "", ""))
                    continue
                row = f.cell.rsplit("row ", 1)[-1] if "row " in f.cell else ""
                out.rows.append((code, cname, series.id, f.value, f.missing or "", row, f.note or ""))
            if eng is not None:
                out.rows.append((ENGLAND, "England", series.id, eng, "", "", ""))

    if ncc is not None:
        table = read_ncc(ncc)
        name = Path(ncc).name
        for sid in NCC_SERIES:
            f = table.mean_unit_cost(sid)
            out.series[f"ncc_{sid}"] = Series(f"ncc_{sid}", "ncc", f.source, f.table, f.year, f.measure, "£", name,
                                              f.cell, name)
            out.rows.append((ENGLAND, "England", f"ncc_{sid}", f.value, "", "", f.note or ""))
    return out


def figures_folder() -> Path:
    """The folder the built-in profiles read: the user's rebuilt figures (``carescale data build``,
    ``$CARESCALE_HOME/official``) when it holds them, else the packaged copy."""
    from ..config import user_official_dir

    mine = user_official_dir()
    return mine if (mine / "series.csv").is_file() else PACKAGED


def read_council_figures(folder: Path | str | None = None) -> CouncilFigures:
    """The figures written by :meth:`CouncilFigures.write` (by default :func:`figures_folder`:
    the user's rebuilt copy, else the packaged one). Read once per state of the files: kept in
    carescale's disk cache (:mod:`carescale.cache`), so ``carescale run`` does not parse the CSVs
    again (issue 25), and in this process, so that a page or a cash view that asks several times
    reads and indexes them once (a read from the disk cache is ~10 ms and 16,000 rows to index);
    a file with a problem is never cached, so its message comes every time. The figures are
    shared: read them, never change them."""
    folder = Path(folder) if folder is not None else figures_folder()
    key = council_figures_key(folder)
    if key is None:  # unreadable: the reader says which file, in one line
        return _read_council_figures(folder)
    return _kept_council_figures(str(folder), key)


@functools.lru_cache(maxsize=4)
def _kept_council_figures(folder: str, key: str) -> CouncilFigures:
    """The figures of ``folder`` in the state ``key`` names (:func:`council_figures_key`), for the
    last few folders and states this process read: a rewritten file is another key."""
    from ..cache import cached

    return cached("council-figures", key, lambda: _read_council_figures(Path(folder)))


def council_figures_key(folder: Path | str | None = None) -> str | None:
    """The disk cache's key of the figures in ``folder`` (default :func:`figures_folder`): its
    files' places, sizes and times (:func:`carescale.cache.stat_key`), without reading them;
    None when one cannot be read."""
    from ..cache import stat_key

    folder = Path(folder) if folder is not None else figures_folder()
    names = ("series.csv", "councils.csv", "rows.csv", "notes.csv", "regions.csv")
    try:
        return stat_key([folder / f for f in names if (folder / f).is_file()], "CouncilFigures",
                        tuple((folder / f).is_file() for f in names))
    except OSError:
        return None


def _read_council_figures(folder: Path) -> CouncilFigures:
    tables = {}
    for file in ("series.csv", "councils.csv", "rows.csv", "notes.csv"):
        path = folder / file
        if not path.is_file():
            raise OfficialDataError(f"{display_path(path)}: file not found; build it with build_council_figures(...).write(folder)")
        with open(path, newline="", encoding="utf-8") as fh:
            tables[file] = list(csv.reader(fh))
        if not tables[file]:
            raise OfficialDataError(f"{display_path(path)}: the file is empty")
    if tuple(tables["series.csv"][0]) != SERIES_COLUMNS:
        raise OfficialDataError(f"{display_path(folder / 'series.csv')}: row 1: expected the columns {', '.join(SERIES_COLUMNS)}")
    out = CouncilFigures()
    if (folder / "regions.csv").is_file():
        with open(folder / "regions.csv", newline="", encoding="utf-8") as fh:
            out.regions = {r[0]: (r[1], r[2]) for r in list(csv.reader(fh))[1:] if len(r) == 3}
    for r in tables["series.csv"][1:]:
        out.series[r[0]] = Series(*r)
    head = tables["councils.csv"][0]
    unknown = [h for h in head[2:] if h not in out.series]
    if head[:2] != ["code", "name"] or unknown:
        raise OfficialDataError(
            f"{display_path(folder / 'councils.csv')}: row 1: expected code, name and the series of series.csv"
            + (f"; {unknown[0]!r} is not one" if unknown else "")
        )
    row_head = tables["rows.csv"][0]
    rows = {r[0]: dict(zip(row_head[1:], r[1:])) for r in tables["rows.csv"][1:]}
    notes = {(r[0], r[1]): r[2] for r in tables["notes.csv"][1:]}
    meanings = {sid: dict(part.split("=", 1) for part in s.markers.split("; ") if "=" in part) for sid, s in out.series.items()}
    for i, r in enumerate(tables["councils.csv"][1:], start=2):
        if len(r) != len(head):
            raise OfficialDataError(f"{display_path(folder / 'councils.csv')}: row {i}: {len(r)} fields; expected {len(head)}")
        code, name = r[0], r[1]
        if code != ENGLAND:
            out.councils[code] = name
        for sid, text in zip(head[2:], r[2:]):
            if not text:
                continue  # no figure of this series for this area (national series have England only)
            if text.startswith("["):
                value, missing = None, f"{text} {meanings[sid].get(text, '')}".strip()
            else:
                try:
                    value, missing = float(text), ""
                except ValueError:
                    raise OfficialDataError(
                        f"{display_path(folder / 'councils.csv')}: row {i} ({code}), column {sid}: {text!r} is not a number or a marker"
                    ) from None
            row = rows.get(code, {}).get(out.series[sid].sheet, "")
            out.rows.append((code, name, sid, value, missing, row, notes.get((code, sid), "")))
    return out


LICENCES = {g: LICENCE for g in ATTRIBUTIONS}


def series_catalogue(figures: CouncilFigures | None = None) -> list[dict[str, str]]:
    """Every series of the official figures (the ones the built-in profiles read, by default):
    id, source, table, year (the vintage), what it is (the published header), unit, the file,
    how many of the councils have a figure (coverage) and the licence, one dict a series."""
    figs = figures or read_council_figures()
    have: dict[str, int] = {}
    england: set[str] = set()
    for code, _, sid, value, *_ in figs.rows:
        if code == ENGLAND:
            england.add(sid)
        elif value is not None:
            have[sid] = have.get(sid, 0) + 1
    n = len(figs.councils)
    out = []
    for sid, s in figs.series.items():
        coverage = f"{have.get(sid, 0)} of {n}" if sid in have else ("England only" if sid in england else f"0 of {n}")
        out.append({"series": sid, "group": s.group, "source": s.source, "table": s.table, "year": s.year,
                    "measure": s.measure, "unit": s.unit, "file": s.file, "coverage": coverage,
                    "licence": LICENCES.get(s.group, "")})
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m carescale.official.councils --ascfr FILE --ro3 FILE [FILE ...] --mye FILE
    [--ncc FILE] [--out FOLDER]``: rebuild the packaged figures from newer releases."""
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="python -m carescale.official.councils", description=main.__doc__)
    ap.add_argument("--ascfr", required=True, type=Path)
    ap.add_argument("--ro3", required=True, nargs="+", type=Path)
    ap.add_argument("--mye", required=True, type=Path)
    ap.add_argument("--ncc", type=Path)
    ap.add_argument("--ascof", type=Path)
    ap.add_argument("--out", type=Path, default=PACKAGED)
    args = ap.parse_args(argv)
    try:
        figures = build_council_figures(args.ascfr, args.ro3, args.mye, args.ncc, args.ascof)
        for path in figures.write(args.out):
            print(display_path(path))
    except OfficialDataError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
