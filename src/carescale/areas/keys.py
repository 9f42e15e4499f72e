"""The rows of the area template: one per figure the models use, keyed by a dotted path.

* ``area.id``, ``area.name``, ``area.kind``, ``area.ons_code``, ``area.description``: text;
* ``cohorts.<cohort>``: people (every cohort in ``data/vocabulary.yaml``);
* ``spend.<spend line>``: pounds a year (every spend line in the vocabulary);
* ``provision.<intervention>.<segment>``: people the intervention already serves in the area
  (every person-based segment in the evidence library);
* ``assumptions.<parameter path>``: the assumptions section (a sheet of its own in XLSX, rows
  after the area's in CSV): any model figure, by its path in ``carescale parameters``, or
  ``assumptions.<intervention>.<segment>.people``. A value there is an override (docs/scenarios.md);
  blank keeps the evidence value; ``source`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping

from ..engine.parameters import ParameterTable
from ..engine.scenario import Scenario
from ..library import Library
from ..schema import Area, Quantity

Kind = Literal["text", "cohort", "spend", "provision", "assumption"]

UNIT_TEXT = {"text": "text", "cohort": "people", "spend": "GBP_per_year", "provision": "people", "assumption": ""}
ASSUMPTIONS = "assumptions."


@dataclass(frozen=True)
class TemplateRow:
    key: str
    kind: Kind
    description: str
    required: bool = False  # text rows that must have a value
    unit_text: str | None = None  # assumption rows: the figure's own unit
    evidence: float | None = None  # assumption rows: the evidence value
    price_year: str | None = None

    @property
    def unit(self) -> str:
        return self.unit_text or UNIT_TEXT[self.kind]


def assumption_rows(lib: Library) -> tuple[TemplateRow, ...]:
    """The assumptions section: every model figure of the runnable interventions (prices as
    published), and a number of people for each person-based segment."""
    ivs = tuple(iv for iv in lib.interventions.values() if iv.status == "runnable")
    area = next(iter(lib.areas.values()))
    rows = []
    for p in ParameterTable.from_scenario(Scenario(area, ivs, (), "potential")):
        if p.path.startswith("area."):
            continue
        q = p.quantity
        prices = f", {q.price_year} prices" if q.price_year else ""
        rows.append(TemplateRow(
            ASSUMPTIONS + p.path, "assumption",
            f"{p.label}. Evidence: {q.value:,.10g} ({q.unit}{prices}). Leave blank to keep it; say why in 'source'",
            unit_text=q.unit, evidence=q.value, price_year=q.price_year,
        ))
        if p.path.endswith(".sizing.rate"):
            pre = p.path.removesuffix(".sizing.rate")
            rows.append(TemplateRow(
                f"{ASSUMPTIONS}{pre}.people", "assumption",
                f"{p.label.split(':')[0]}: number of people a year (converted to the take-up rate). Leave blank to keep the rate",
                unit_text="people",
            ))
    return tuple(rows)


TEXT_ROWS: tuple[TemplateRow, ...] = (
    TemplateRow("area.id", "text", "Short id for this profile: lower-case letters, digits and hyphens, for example leeds", True),
    TemplateRow("area.name", "text", "The area's name, for example Leeds", True),
    TemplateRow("area.kind", "text", "council (an area to scale models to) or source-site (where a model runs today)", True),
    TemplateRow("area.ons_code", "text", "ONS (GSS) code of the council, for example E08000035 (optional)"),
    TemplateRow("area.description", "text", "A sentence on what these figures are and where they come from (optional)"),
)


def template_rows(lib: Library, estimable: Mapping[str, str] | None = None) -> tuple[TemplateRow, ...]:
    """Every row of the template, in order. ``estimable`` maps the keys carescale can estimate
    to the figure each is estimated from (to say so in the description)."""
    est = estimable or {}

    def blank(key: str, default: str) -> str:
        if key in est:
            return f"Leave blank if not known: carescale then estimates it from {est[key]}"
        return default

    rows = list(TEXT_ROWS)
    vocab = lib.vocabulary
    for cid, c in vocab.cohorts.items():
        key = f"cohorts.{cid}"
        within = f" (part of cohorts.{c.within})" if c.within else ""
        rows.append(TemplateRow(key, "cohort", f"{c.description}{within}. {blank(key, 'Leave blank if not known')}"))
    for sid, s in vocab.spend_lines.items():
        key = f"spend.{sid}"
        rows.append(TemplateRow(key, "spend", f"{s.description} (pounds a year; put the price year, for example 2020/21, in 'period'). {blank(key, 'Leave blank if not known')}"))
    for iv in lib.interventions.values():
        for seg in iv.segments:
            if seg.sizing.basis == "none":
                continue
            rows.append(
                TemplateRow(
                    f"provision.{iv.id}.{seg.id}",
                    "provision",
                    f"People {iv.name} already serves here: {seg.description.lower()}. "
                    + blank(f"provision.{iv.id}.{seg.id}", "0 if it does not run here; leave blank if not known"),
                )
            )
    return tuple(rows)


def get_figure(area: Area, key: str) -> Quantity | None:
    """The quantity at ``key`` (``cohorts.X``, ``spend.X``, ``provision.IID.SEG``), or None."""
    section, _, rest = key.partition(".")
    if section == "cohorts":
        return area.cohorts.get(rest)
    if section == "spend":
        return area.spend.get(rest)
    if section == "provision":
        iid, _, sid = rest.partition(".")
        return area.provision.get(iid, {}).get(sid)
    raise KeyError(key)


def figures(area: Area) -> dict[str, Quantity]:
    """Every figure of an area by key."""
    out: dict[str, Quantity] = {}
    for k, q in area.cohorts.items():
        out[f"cohorts.{k}"] = q
    for k, q in area.spend.items():
        out[f"spend.{k}"] = q
    for iid, segs in area.provision.items():
        for sid, q in segs.items():
            out[f"provision.{iid}.{sid}"] = q
    return out


def with_figures(area: Area, new: dict[str, Quantity]) -> Area:
    """A copy of ``area`` with the figures in ``new`` added or replaced."""
    cohorts = dict(area.cohorts)
    spend = dict(area.spend)
    provision = {iid: dict(segs) for iid, segs in area.provision.items()}
    for key, q in new.items():
        section, _, rest = key.partition(".")
        if section == "cohorts":
            cohorts[rest] = q
        elif section == "spend":
            spend[rest] = q
        elif section == "provision":
            iid, _, sid = rest.partition(".")
            provision.setdefault(iid, {})[sid] = q
        else:
            raise KeyError(key)
    return area.model_copy(update={"cohorts": cohorts, "spend": spend, "provision": provision})


def estimated_keys(area: Area) -> tuple[str, ...]:
    """The keys of the area's figures that are estimates (status ``estimated``)."""
    return tuple(k for k, q in figures(area).items() if q.status == "estimated")


def required_keys(lib: Library) -> tuple[str, ...]:
    """Rows an imported file must have (their value may be blank): the id, name and kind, and
    every figure the default portfolio (the paper's six models) reads, with the populations those
    figures belong to. Rows for other figures may be left out (a template written by an older
    version of carescale still imports)."""
    keys = [r.key for r in TEXT_ROWS if r.required]
    vocab = lib.vocabulary

    def add_cohort(cid: str | None) -> None:
        while cid:
            keys.append(f"cohorts.{cid}")
            cid = vocab.cohorts[cid].within if cid in vocab.cohorts else None

    add_cohort("population_18_64")
    for iv in lib.portfolio():
        for seg in iv.segments:
            add_cohort(seg.sizing.cohort)
            if seg.sizing.basis == "additional_to_existing":
                keys.append(f"provision.{iv.id}.{seg.id}")
            for red in seg.spend_reductions:
                keys.append(f"spend.{red.spend_line}")
    valid = {r.key for r in template_rows(lib)}
    return tuple(k for k in dict.fromkeys(keys) if k in valid)
