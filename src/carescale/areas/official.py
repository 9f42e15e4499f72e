"""A built-in profile for each of the 153 councils, from the official figures shipped with
carescale (``data/official/``, :func:`carescale.official.councils.read_council_figures`).

Every figure of the six runnable models that an official series holds comes from it:

* ``cohorts.population_all_ages``, ``population_18_64``, ``population_65_plus``: ONS mid-2023
  (MYE2 - Persons);
* ``cohorts.learning_disability_long_term_support`` and ``mental_health_long_term_support``:
  SALT (ASC-FR 2021-22, Table 37), clients aged 18-64 on long-term support at 31 March 2022 by
  primary support reason;
* ``spend.long_term_placements``: ASC-FR 2021-22 Table 44, gross current expenditure on long-term
  nursing plus residential care for people aged 65 and over (£ thousands x 1,000), price year
  2021/22: every run with a price base re-prices it with the GDP deflator like any other money
  figure (``carescale run`` does by default);
* ``spend.short_term_placements``: ASC-FR 2021-22 Table 31, gross current expenditure on short-term
  care for people aged 65 and over that is not to maximise independence ("Other Short Term",
  mostly short-term residential and nursing care: respite and interim placements); ASC-FR gives
  short-term care by purpose, not by setting, and short-term care to maximise independence
  (reablement, the service the hospital discharge model itself uses more of) is not counted.

* ``cohorts.older_people_community_long_term_support``: SALT (ASC-FR 2021-22, Table 38), people
  aged 65+ on long-term support at 31 March 2022 less those in nursing and residential care.

What no series by council holds is not invented: ``cohorts.older_people_very_limited`` and the
Shared Lives counts (``provision.shared-lives.*``) are left out, and the models size on the
official groups instead (``sizing.otherwise``: Support at Home on the Table 38 group, Shared
Lives by the paper's printed share of the Table 37 cohorts; docs/fidelity.md, "Official target
groups").

A series with no figure for a council (not submitted, suppressed, or no row) gives an estimate
from the documented rates of ``data/prevalence.yaml`` (status ``estimated``), and the figure's
note names the missing cell. The Birmingham paper profile
(``birmingham``) stays as published; the official Birmingham profile is ``birmingham-official``
(the same ``-official`` suffix for every council whose name is a packaged profile's id).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from dataclasses import dataclass

from ..library import packaged_library
from ..library.core import register_council_profiles
from ..official.councils import CouncilFigures, figures_folder, read_council_figures
from ..official.figures import Figure
from ..schema import Area, Quantity, Reference
from .keys import with_figures
from .prevalence import default_prevalence, estimate_figure

#: Documents (data/sources.yaml) of each group of series.
DOCUMENTS = {"ascfr": "nhs-digital-ascfr-2022", "ons": "ons-mye-2023"}
POPULATION = {
    "population_all_ages": "ons_population_all_ages",
    "population_18_64": "ons_population_18_64",
    "population_65_plus": "ons_population_65_plus",
}
CLIENTS = {
    "learning_disability_long_term_support": "ascfr_lts_year_end_18_64_learning_disability",
    "mental_health_long_term_support": "ascfr_lts_year_end_18_64_mental_health",
}
#: SALT Table 38, people aged 65+ on long-term support at the year end: all, nursing, residential.
COMMUNITY = ("ascfr_lts_year_end_65_plus_total", "ascfr_lts_year_end_65_plus_nursing", "ascfr_lts_year_end_65_plus_residential")
#: Figures of data/prevalence.yaml the built-in profiles do not estimate: the models size these
#: groups on official series instead (each intervention's ``sizing.otherwise``; docs/fidelity.md,
#: "Official target groups"), so an estimate would be a number no run reads.
NOT_ESTIMATED = {
    "cohorts.older_people_very_limited": "Support at Home is sized on older people on long-term support in the community (SALT Table 38)",
    "provision.shared-lives.learning-disability": "Shared Lives is sized by the paper's printed share of the SALT cohort (51 of 2,177)",
    "provision.shared-lives.mental-health": "Shared Lives is sized by the paper's printed share of the SALT cohort (1 of 461)",
}
PLACEMENTS = ("ascfr_ltc_65_plus_nursing", "ascfr_ltc_65_plus_residential")
SHORT_TERM = "ascfr_stc_65_plus_other"


@dataclass(frozen=True)
class OfficialProfile:
    area: Area
    estimated: tuple[str, ...]  # keys of the figures that are estimates
    notes: tuple[str, ...]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _price_year(year: str) -> str:
    """ASC-FR's ``2021-22`` as a price year, ``2021/22``."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", year)
    return f"{m.group(1)}/{m.group(2)}" if m else year


def _ref(figs: CouncilFigures, series: str, f: Figure) -> Reference:
    s = figs.series[series]
    return Reference(document=DOCUMENTS[s.group], section=f"{s.file}, {s.table}, cell {f.cell}: {f.name} ({f.area})",
                     quote=f.measure)


def _official_count(figs: CouncilFigures, series: str, f: Figure) -> Quantity:
    status = "implied" if f.note else "published"
    return Quantity(value=f.value, unit="people", period=f.year, status=status,
                    derivation=f.note, ref=_ref(figs, series, f))


def council_profile(figs: CouncilFigures, code: str, area_id: str | None = None) -> OfficialProfile:
    """The profile of one council (ONS code, April 2023 boundaries) from the official figures."""
    name = figs.councils[code]
    prev = default_prevalence()
    cohorts: dict[str, Quantity] = {}
    spend: dict[str, Quantity] = {}
    notes: list[str] = []
    missing: dict[str, str] = {}  # key -> why no official figure
    for key, sid in {**POPULATION, **CLIENTS}.items():
        f = figs.figure(code, sid)
        if f.value is None:
            missing[f"cohorts.{key}"] = f"{figs.series[sid].table} cell {f.cell} {f.missing}"
        else:
            cohorts[key] = _official_count(figs, sid, f)
    total, nursing, residential = (figs.figure(code, sid) for sid in COMMUNITY)
    if all(p.value is not None for p in (total, nursing, residential)):
        value = total.value - nursing.value - residential.value  # type: ignore[operator]
        s = figs.series[COMMUNITY[0]]
        split = "; ".join(dict.fromkeys(p.note for p in (total, nursing, residential) if p.note))
        cohorts["older_people_community_long_term_support"] = Quantity(
            value=value, unit="people", period=s.year, status="implied",
            derivation=(f"{total.value:,.10g} in all - {nursing.value:,.10g} nursing - {residential.value:,.10g} residential "
                        f"= {value:,.10g} (people aged 65+ on long-term support at the year end, {s.year}, not in a care "
                        "home: the community settings, and prison, which is 70 people in all England)"
                        + (f"; {split}" if split else "")),
            ref=Reference(document=DOCUMENTS[s.group],
                          section=f"{s.file}, {s.table}, cells {total.cell}, {nursing.cell} and {residential.cell}: {total.name} ({code})",
                          quote=s.measure.rsplit(":", 1)[0]),
        )
    else:
        bad = next(p for p in (total, nursing, residential) if p.value is None)
        missing["cohorts.older_people_community_long_term_support"] = f"{bad.table} cell {bad.cell} {bad.missing}"
    parts = [figs.figure(code, sid) for sid in PLACEMENTS]
    if all(p.value is not None for p in parts):
        total = sum(p.value for p in parts) * 1000  # type: ignore[misc]
        s = figs.series[PLACEMENTS[0]]
        split = "; ".join(dict.fromkeys(p.note for p in parts if p.note))
        spend["long_term_placements"] = Quantity(
            value=total, unit="GBP_per_year", price_year=_price_year(s.year), period=s.year, status="implied",
            derivation=(f"({parts[0].value:,.10g} nursing + {parts[1].value:,.10g} residential) x 1,000 = {total:,.10g} "
                        f"(long-term care for people aged 65+, £ thousands, cash of {s.year}; re-priced by the run's price base)"
                        + (f"; {split}" if split else "")),
            ref=Reference(document=DOCUMENTS[s.group],
                          section=f"{s.file}, {s.table}, cells {parts[0].cell} and {parts[1].cell}: {parts[0].name} ({code})",
                          quote=s.measure.rsplit(":", 1)[0]),
        )
    else:
        bad = next(p for p in parts if p.value is None)
        missing["spend.long_term_placements"] = f"{bad.table} cell {bad.cell} {bad.missing}"
    st = figs.figure(code, SHORT_TERM)
    if st.value is not None and st.value < 0:  # a return with more recharges than spend on the line
        missing["spend.short_term_placements"] = f"{st.table} cell {st.cell} is negative ({st.value:,.10g}), not a spend"
    elif st.value is not None:
        s = figs.series[SHORT_TERM]
        value = st.value * 1000
        spend["short_term_placements"] = Quantity(
            value=value, unit="GBP_per_year", price_year=_price_year(s.year), period=s.year, status="implied",
            derivation=(f"{st.value:,.10g} x 1,000 = {value:,.10g} (short-term care for people aged 65+ other than to "
                        f"maximise independence, £ thousands, cash of {s.year}; re-priced by the run's price base)"
                        + (f"; {st.note}" if st.note else "")),
            ref=Reference(document=DOCUMENTS[s.group], section=f"{s.file}, {s.table}, cell {st.cell}: {st.name} ({code})",
                          quote=s.measure.rsplit(":", 1)[0]),
            note=("ASC-FR gives short-term care by purpose, not by setting: 'Other Short Term' (mostly short-term "
                  "residential and nursing care) is taken as the short-term placements; reablement is not counted."),
        )
    else:
        missing["spend.short_term_placements"] = f"{st.table} cell {st.cell} {st.missing}"
    area = Area(id=area_id or slug(name), name=name, kind="council", ons_code=code,
                description=(f"{name}: built-in profile from official figures (ONS mid-2023, ASC-FR/SALT 2021-22); "
                             "figures no series holds are estimated (see each figure's status and derivation)."),
                cohorts=cohorts, spend=spend)
    # what no series holds, or a series lacks for this council: estimated, saying from what
    new: dict[str, Quantity] = {}
    for key, est in prev.estimates.items():
        section, _, rest = key.partition(".")
        if (section == "cohorts" and rest in cohorts) or (section == "spend" and rest in spend) or key in NOT_ESTIMATED:
            continue
        base_section, _, base_rest = est.base.partition(".")
        base = new.get(est.base) or (cohorts.get(base_rest) if base_section == "cohorts" else None)
        if base is None:
            continue
        q = estimate_figure(key, est, base)
        if key in missing:
            q = q.model_copy(update={"note": f"Estimated: the official series has no figure for {name} ({missing[key]})."})
            notes.append(f"{key}: no official figure ({missing[key]}); estimated from {est.base}")
        new[key] = q
    area = with_figures(area, new) if new else area
    return OfficialProfile(area, tuple(new), tuple(notes))


def official_profiles() -> dict[str, OfficialProfile]:
    """Every council's built-in profile by id (``leeds``, ``birmingham-official``, ...), from the
    figures in :func:`carescale.official.councils.figures_folder` (the user's rebuilt copy,
    ``carescale data build``, else the packaged one); built once per folder and content."""
    folder = figures_folder()
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.csv")))
    return _profiles(str(folder), stamp)


@functools.lru_cache(maxsize=2)
def _profiles(folder: str, stamp: tuple) -> dict[str, OfficialProfile]:
    """Built once per process, and kept in carescale's disk cache (``carescale.cache``) keyed on
    the figures' files, the prevalence rates, the packaged area profiles and carescale's source."""
    from ..cache import cached, files_key
    from ..config import DATA_DIR

    inputs = [*sorted(Path(folder).glob("*.csv")), DATA_DIR / "prevalence.yaml", *sorted((DATA_DIR / "areas").glob("*.yaml"))]
    return cached("profiles", f"official-{files_key(inputs, 'official-profiles')}", lambda: _build_profiles(folder))


def _build_profiles(folder: str) -> dict[str, OfficialProfile]:
    figs = read_council_figures(folder)
    packaged = set(packaged_library().areas)
    out: dict[str, OfficialProfile] = {}
    for code, name in figs.councils.items():
        aid = slug(name)
        if aid in packaged:
            aid = f"{aid}-official"
        out[aid] = council_profile(figs, code, aid)
    return out


def official_areas() -> dict[str, Area]:
    return {aid: p.area for aid, p in official_profiles().items()}


register_council_profiles(official_areas)
