"""A profile for every English council with adult social care responsibilities, built from ONS
and NHS Digital files (the roll-up over them is :mod:`carescale.national.run`).

For each council: population (all ages, 18-64, 65+) from ONS MYE2; adults 18-64 with a learning
disability on long-term support from ASCOF (measure 1E denominator); every other figure the models
need estimated from the population and a documented rate (``data/prevalence.yaml``). Every
estimated figure is listed per council and counted in the totals. Councils are never dropped
silently: a council without ASCOF data gets an estimate and a note; an ASCOF council with no
population row is listed under ``excluded`` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from pydantic import ValidationError

from ..errors import OfficialDataError, SettingsError
from ..official.ascof import AscofTable
from ..official.boundaries import (
    APRIL_2023_MERGES,
    APRIL_2023_RECODES,
    BOUNDARIES,
    PREDECESSORS,
    is_upper_tier,
)
from ..official.mye import PopulationTable
from ..areas.keys import estimated_keys
from ..areas.official import official_profiles
from ..areas.prevalence import PrevalenceSet, estimate_missing
from ..library import Library, default_library, packaged_library, user_areas_dir
from ..schema import Area, Quantity, Reference

ASCOF_QUOTE = "Proportion of adults with learning disabilities in paid employment"


@dataclass(frozen=True)
class CouncilProfile:
    area: Area
    estimated: tuple[str, ...]  # keys of figures that are estimates
    notes: tuple[str, ...]
    cassr: str | None = None  # NHS Digital council code
    #: which profile the roll-up used: "official" (built-in, carescale.areas.official),
    #: "imported" (the user's own, carescale areas import) or "files" (--mye/--ascof)
    profile: str = "files"


@dataclass(frozen=True)
class NationalInputs:
    councils: tuple[CouncilProfile, ...]
    excluded: tuple[dict[str, str], ...]
    boundaries: str
    mye: PopulationTable | None = None
    ascof: AscofTable | None = None


@dataclass(frozen=True)
class _Pop:
    code: str
    name: str
    all_ages: Quantity
    aged_18_64: Quantity
    aged_65_plus: Quantity
    replaces: str | None = None  # the code this council had in older files
    note: str | None = None


def _official(where: str, **fields: Any) -> Quantity:
    """A figure read from an official file; a value the schema refuses (a negative count, ...)
    is one line naming the file, row and value."""
    try:
        return Quantity(**fields)
    except ValidationError as exc:
        problem = exc.errors(include_url=False)[0]
        msg = str(problem["msg"]).removeprefix("Value error, ")
        raise OfficialDataError(f"{where}: {msg}") from None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _pop_quantities(mye: PopulationTable, code: str, name: str, rows: list) -> tuple[Quantity, Quantity, Quantity]:
    file = mye.path.name
    specs = (
        ("all ages", lambda r: r.all_ages, "All ages"),
        ("18-64", lambda r: r.aged_18_64, "sum of single years of age 18 to 64"),
        ("65+", lambda r: r.aged_65_plus, "sum of single years of age 65 to 90+"),
    )
    out = []
    for label, get, quote in specs:
        values = [get(r) for r in rows]
        total = float(sum(values))
        if len(rows) == 1:
            r = rows[0]
            out.append(
                _official(
                    f"{file}, sheet '{mye.sheet}', row {r.row} ({r.code} {r.name}), {label}",
                    value=total, unit="people", period=mye.period,
                    ref=Reference(document=mye.document, section=f"{file}, sheet '{mye.sheet}', row {r.row}: {r.code} {r.name}", quote=quote),
                )
            )
        else:
            parts = " + ".join(f"{r.name} {r.code} ({v:,.0f})" for r, v in zip(rows, values))
            rows_txt = ", ".join(str(r.row) for r in rows)
            out.append(
                _official(
                    f"{file}, sheet '{mye.sheet}', rows {rows_txt}, {label}",
                    value=total, unit="people", period=mye.period, status="implied",
                    derivation=f"{parts} = {total:,.0f} (population {label} of the districts that make up {name})",
                    ref=Reference(document=mye.document, section=f"{file}, sheet '{mye.sheet}', rows {rows_txt}", quote=quote),
                )
            )
    return out[0], out[1], out[2]


def check_boundaries(boundaries: str) -> str:
    if boundaries not in BOUNDARIES:
        raise SettingsError(f"boundaries: {boundaries!r} is not valid; valid values are: {', '.join(BOUNDARIES)}")
    return boundaries


def council_populations(mye: PopulationTable, boundaries: str = "2023") -> list[_Pop]:
    """Every upper-tier English council in the MYE file, on the given boundaries."""
    check_boundaries(boundaries)
    merges = {m.replaces for m in APRIL_2023_MERGES} if boundaries == "2023" else set()
    recodes = {r.old: r for r in APRIL_2023_RECODES} if boundaries == "2023" else {}
    out: list[_Pop] = []
    for code, row in mye.rows.items():
        if not is_upper_tier(code):
            continue
        if code in merges:
            for m in APRIL_2023_MERGES:
                if m.replaces != code or m.code in mye.rows:
                    continue
                parts = [mye.get(d) for d in m.districts]
                missing = [d for d, p in zip(m.districts, parts) if p is None]
                if missing:
                    raise OfficialDataError(
                        f"{mye.path.name}: sheet '{mye.sheet}': no row for district {missing[0]}, "
                        f"needed to build {m.name} ({m.code}) from {row.name}'s districts"
                    )
                a, b, c = _pop_quantities(mye, m.code, m.name, parts)
                out.append(_Pop(m.code, m.name, a, b, c, replaces=code,
                                note=f"April 2023: {m.name} ({m.code}) built from {', '.join(p.name for p in parts)} (part of {row.name} {code})"))
            continue
        if code in recodes:
            rc = recodes[code]
            if rc.new in mye.rows:
                continue  # the file already has the new code
            a, b, c = _pop_quantities(mye, rc.new, rc.name, [row])
            out.append(_Pop(rc.new, rc.name, a, b, c, replaces=code,
                            note=f"April 2023: {rc.name} became a unitary council on the same footprint ({code} -> {rc.new})"))
            continue
        a, b, c = _pop_quantities(mye, code, row.name, [row])
        out.append(_Pop(code, row.name, a, b, c))
    return out


def _ascof_ld(ascof: AscofTable, c) -> Quantity:
    doc = "nhs-digital-ascof-2021" if "2021" in ascof.path.name else "nhs-digital-ascof"
    return _official(
        f"{ascof.path.name}, row {c.ld_row} ({c.name} {c.ons_code}), measure {c.ld_measure} denominator",
        value=c.ld_long_term_support, unit="people", period="2020-21" if doc.endswith("2021") else None,
        ref=Reference(
            document=doc,
            section=f"{ascof.path.name}, row {c.ld_row}: {c.cassr} {c.name} ({c.ons_code}), measure {c.ld_measure}, Total, Denominator",
            quote=ASCOF_QUOTE,
        ),
    )


def build_profiles(
    mye: PopulationTable,
    ascof: AscofTable,
    boundaries: str = "2023",
    prevalence: PrevalenceSet | None = None,
) -> NationalInputs:
    """A profile for every council in the MYE file, with ASCOF counts where they exist."""
    pops = council_populations(mye, boundaries)
    by_code = {p.code: p for p in pops}
    used_ascof: set[str] = set()
    # predecessor -> its successors' populations aged 18-64 (to share its counts)
    successors: dict[str, list[_Pop]] = {}
    for p in pops:
        parent = PREDECESSORS.get(p.code)
        if parent and ascof.get(p.code) is None:
            successors.setdefault(parent, []).append(p)
    profiles: list[CouncilProfile] = []
    for p in pops:
        notes = [p.note] if p.note else []
        cohorts: dict[str, Quantity] = {
            "population_all_ages": p.all_ages,
            "population_18_64": p.aged_18_64,
            "population_65_plus": p.aged_65_plus,
        }
        extra_estimated: list[str] = []
        recoded = p.replaces if p.replaces and p.code not in PREDECESSORS else None
        c = ascof.get(p.code) or (ascof.get(recoded) if recoded else None)
        cassr = c.cassr if c else None
        parent_code = PREDECESSORS.get(p.code)
        if c is not None:
            used_ascof.add(c.ons_code)
            if c.ld_long_term_support is not None:
                cohorts["learning_disability_long_term_support"] = _ascof_ld(ascof, c)
            else:
                notes.append(f"ASCOF has no learning-disability count for {c.name} ({c.ld_missing}); estimated from population")
        elif parent_code and ascof.get(parent_code) is not None:
            parent = ascof.get(parent_code)
            used_ascof.add(parent.ons_code)
            cassr = parent.cassr
            if parent.ld_long_term_support is not None:
                share_pop = sum(s.aged_18_64.value for s in successors[parent_code])
                value = parent.ld_long_term_support * p.aged_18_64.value / share_pop
                src = _ascof_ld(ascof, parent)
                cohorts["learning_disability_long_term_support"] = Quantity(
                    value=value, unit="people", period=src.period, status="estimated",
                    derivation=(
                        f"{parent.ld_long_term_support:,.0f} x {p.aged_18_64.value:,.0f} / {share_pop:,.0f} = {value:,.6g} "
                        f"({parent.name}'s ASCOF count shared by population aged 18-64 among "
                        f"{', '.join(s.name for s in successors[parent_code])})"
                    ),
                    ref=src.ref,
                )
                extra_estimated.append("cohorts.learning_disability_long_term_support")
            notes.append(f"ASCOF counts of {parent.name} ({parent_code}) shared by population aged 18-64")
        else:
            notes.append("not in the ASCOF file: learning-disability count estimated from population")
        area = Area(
            id=_slug(p.name),
            name=p.name,
            kind="council",
            ons_code=p.code,
            description=f"Built by 'carescale national' from {mye.path.name} and {ascof.path.name}.",
            cohorts=cohorts,
        )
        est = estimate_missing(area, prevalence)
        keys = tuple(dict.fromkeys([*extra_estimated, *est.keys]))
        profiles.append(CouncilProfile(est.area, keys, tuple(notes), cassr))
    excluded = []
    for code, c in ascof.councils.items():
        if code not in used_ascof and code not in by_code:
            excluded.append({
                "code": code, "name": c.name,
                "reason": f"in the ASCOF file (row {c.row}) but no population row in {mye.path.name} "
                          f"on {boundaries} boundaries, so it cannot be modelled",
            })
    return NationalInputs(tuple(profiles), tuple(excluded), boundaries, mye, ascof)


def official_inputs(library: Library | None = None) -> NationalInputs:
    """The 153 councils' built-in profiles from the shipped official figures
    (:mod:`carescale.areas.official`), except where the user has imported a council profile of
    their own (``carescale areas import``, same ONS code, kind council): that one is used instead,
    and the council's ``profile`` says so."""
    lib = library or default_library()
    packaged = packaged_library().areas
    imported: dict[str, Area] = {}
    for aid, area in lib.areas.items():
        if aid not in packaged and area.kind == "council" and area.ons_code:
            imported.setdefault(area.ons_code, area)
    out: list[CouncilProfile] = []
    for aid, prof in official_profiles().items():
        code = prof.area.ons_code or ""
        own = imported.get(code)
        if own is not None:
            est = estimate_missing(own)
            note = (f"the user's imported profile {own.id!r} ({user_areas_dir() / (own.id + '.yaml')}) "
                    f"used instead of the built-in one")
            out.append(CouncilProfile(est.area, estimated_keys(est.area), (note,), None, "imported"))
        else:
            out.append(CouncilProfile(prof.area, prof.estimated, prof.notes, None, "official"))
    return NationalInputs(tuple(out), (), "2023")


def select_councils(inputs: NationalInputs, codes: str | Iterable[str] | None) -> NationalInputs:
    """Only the councils with these ONS codes (a comma-separated string or a list), in the
    file's order; None keeps every council. An unknown code is a one-line error."""
    if codes is None:
        return inputs
    wanted = [c.strip() for c in (codes.split(",") if isinstance(codes, str) else codes) if c.strip()]
    known = {c.area.ons_code: c for c in inputs.councils}
    if not wanted:
        raise SettingsError("--councils: no council codes given; give ONS codes separated by commas, e.g. E08000025")
    for code in wanted:
        if code not in known:
            close = [k for k in known if k and k[:5] == code[:5]][:5]
            raise SettingsError(
                f"--councils: {code!r} is not a council in these files on {inputs.boundaries} boundaries; "
                f"give ONS codes such as {', '.join(close or list(known)[:3])}"
            )
    keep = set(wanted)
    return NationalInputs(tuple(c for c in inputs.councils if c.area.ons_code in keep), inputs.excluded,
                          inputs.boundaries, inputs.mye, inputs.ascof)
