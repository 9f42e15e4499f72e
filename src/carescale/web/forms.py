"""Form models: what each page's form sends, read and checked in one place, with every problem as
a GOV.UK error-summary item (``{"text": message, "href": "#field-id"}``; docs/web.md).

A route reads its form with the model's ``read``, shows the page again with ``errors.items``
(status 422) when there is anything wrong, and otherwise turns the answer into a new scenario
document. The messages are one line each and name the field the way the page labels it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..errors import CarescaleError, SettingsError
from ..formatting import parse_number, typed_kind
from .wording import label_words


@dataclass
class ErrorSummary:
    """The items of a page's GOV.UK error summary, each linking to the field it is about."""

    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, text: str, anchor: str) -> None:
        self.items.append({"text": text, "href": f"#{anchor}"})

    def add_error(self, exc: CarescaleError, anchor: str) -> None:
        """A project error's one line, linked to ``anchor``."""
        self.add(exc.message, anchor)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def ids(self) -> list[str]:
        """The ids of the fields with a problem (the page marks each one)."""
        return [e["href"].lstrip("#") for e in self.items]


def number(text: str) -> float | None:
    """A number as a person types it, read by carescale.formatting.parse_number as everywhere
    else: '2,000', '2 000', '£400', '£2m', '250k', '12.5%' (a percentage: 0.125), or blank
    (None). ValueError for anything else (including '2,00': commas only separate thousands)."""
    t = text.strip()
    if not t:
        return None
    try:
        return parse_number(t, typed_kind(t))
    except SettingsError:
        raise ValueError(text) from None


def _text(form: Mapping[str, Any], name: str) -> str:
    return str(form.get(name) or "")


@dataclass
class AreaForm:
    """Step 1: a built-in area (``area``), or ``area=national`` and a council (``national``)."""

    area: str
    national: str

    @classmethod
    def read(cls, form: Mapping[str, Any]) -> "AreaForm":
        return cls(_text(form, "area"), _text(form, "national"))

    def missing(self) -> ErrorSummary:
        """Nothing chosen: the one problem there can be before the document is built."""
        errors = ErrorSummary()
        if not self.area:
            errors.add("Select the area you want to plan for", "area")
        return errors

    @staticmethod
    def no_council() -> ErrorSummary:
        errors = ErrorSummary()
        errors.add("Select a council from the list", "national")
        return errors


@dataclass
class ModelsForm:
    """Step 2: the care models ticked (``interventions``), how far to scale each
    (``scale:<id>``, a percentage), the basis and whether to reprice."""

    picked: list[str]
    scale: dict[str, float]
    basis: str
    reprice: bool
    errors: ErrorSummary

    @classmethod
    def read(cls, form: Any, models: list[dict[str, Any]]) -> "ModelsForm":
        """Read the form against the page's model choices (``models``, each updated with what was
        sent, so the page shows it again: ``checked`` and ``scale``)."""
        picked = [str(v) for v in form.getlist("interventions")]
        errors = ErrorSummary()
        scale: dict[str, float] = {}
        for m in models:
            if m["id"] not in picked:
                continue
            raw = _text(form, f"scale:{m['id']}").strip()
            try:
                pct = number(raw.rstrip("%")) if raw else 100.0
            except ValueError:
                errors.add(f"{m['name']}: how far: {raw!r} is not a number; enter a percentage from 0 to 100", f"scale-{m['id']}")
                continue
            if pct is None or not 0 <= pct <= 100:
                errors.add(f"{m['name']}: how far: enter a percentage from 0 to 100", f"scale-{m['id']}")
                continue
            if pct != 100:
                scale[m["id"]] = round(pct / 100, 6)
            m["scale"] = pct
        for m in models:
            m["checked"] = m["id"] in picked
        if not picked:
            errors.add("Select at least one care model", "interventions")
        return cls(picked, scale, _text(form, "basis") or "potential", (_text(form, "reprice") or "yes") != "no", errors)


@dataclass
class AssumptionsForm:
    """Step 3: each figure's value (``v:<path>``), the value the page showed (``d:<path>``:
    unchanged text is no change) and a note (``n:<path>``)."""

    overrides: dict[str, Any]
    errors: ErrorSummary

    @classmethod
    def read(cls, form: Mapping[str, Any], groups: list[dict[str, Any]]) -> "AssumptionsForm":
        errors = ErrorSummary()
        overrides: dict[str, Any] = {}
        for g in groups:
            for item in [*g["people"], *g["params"]]:
                path = item["path"]
                raw = _text(form, f"v:{path}")
                shown = form.get(f"d:{path}")
                note = _text(form, f"n:{path}").strip()
                label = item.get("label") or f"{g['name']}: people supported a year"
                old = item.get("override")
                if shown is not None and raw.strip() == str(shown).strip():
                    if old is not None or note:
                        overrides[path] = {"value": old["value"] if old else number(raw), "note": note} if note else old["value"]
                    continue
                try:
                    value = number(raw)
                except ValueError:
                    errors.add(f"{label_words(label)}: {raw.strip()!r} is not a number; type it as 2,000, 9% or £2m",
                               item["id"])
                    continue
                if value is None:
                    continue
                overrides[path] = {"value": value, "note": note} if note else value
        return cls(overrides, errors)

    def refused(self, exc: CarescaleError, field_id: Any, items: list[dict[str, Any]] | None = None) -> None:
        """The document's one-line refusal, linked to the first changed figure it names, with
        that figure named in words (``web.wording.refusal_words``; ``items``: the page's figures)."""
        from .wording import refusal_words

        anchor = next((field_id(p) for p in sorted(self.overrides, key=len, reverse=True) if p in exc.message),
                      "assumptions")
        self.errors.add(refusal_words(exc.message, items or []), anchor)


@dataclass
class DrawsForm:
    """The larger analysis: how many Monte Carlo draws (``draws``, a whole number up to the
    policy's ``max_draws``)."""

    draws: int | None
    errors: ErrorSummary

    @classmethod
    def read(cls, form: Mapping[str, Any], most: int) -> "DrawsForm":
        raw = _text(form, "draws")
        try:
            n = number(raw)
        except ValueError:
            n = None
        errors = ErrorSummary()
        if n is None or not n.is_integer() or not 1 <= n <= most:
            errors.add(f"Simulated cases: {raw.strip()!r} is not valid; enter a whole number from 1 to {most:,}", "draws")
            return cls(None, errors)
        return cls(int(n), errors)


@dataclass
class EvidenceFilters:
    """The evidence browser's search box and filters (query parameters)."""

    q: str
    filters: dict[str, Any]
    errors: ErrorSummary

    @classmethod
    def read(cls, q: str, kind: str, area: str, payer: str, min_level: str) -> "EvidenceFilters":
        errors = ErrorSummary()
        filters: dict[str, Any] = {}
        try:
            if area:
                filters["area"] = int(area)
            if min_level:
                filters["min_level"] = int(min_level)
        except ValueError:
            errors.add("Choose a transformation area and level from the lists", "area")
        if payer in ("asc", "nhs"):
            filters["payer"] = payer
        if kind in ("model", "case study"):
            filters["kind"] = kind
        return cls(q[:500], filters, errors)


@dataclass
class SaveForm:
    """Save a scenario: a name (required, up to 200 characters) and a note (up to 2,000)."""

    name: str = ""
    note: str = ""
    errors: ErrorSummary = field(default_factory=ErrorSummary)

    NAME_MAX = 200
    NOTE_MAX = 2000

    @classmethod
    def read(cls, form: Any) -> "SaveForm":
        out = cls(name=str(form.get("name") or "").strip(), note=str(form.get("note") or "").strip())
        if not out.name:
            out.errors.add("Enter a name for the scenario", "name")
        elif len(out.name) > cls.NAME_MAX:
            out.errors.add(f"The name must be {cls.NAME_MAX} characters or fewer (it has {len(out.name):,})", "name")
        if len(out.note) > cls.NOTE_MAX:
            out.errors.add(f"The note must be {cls.NOTE_MAX:,} characters or fewer (it has {len(out.note):,})", "note")
        return out


#: the appraisal settings the web offers, each explained in one sentence (docs/web.md, "Settings")
OPTIMISM_CHOICES = {
    "green-book": "HM Treasury's supplementary Green Book guidance: costs raised by the upper bound for the "
                  "model's project category (the default).",
    "gmca": "The GMCA (New Economy) confidence grades: costs raised and savings lowered by how sure the evidence is.",
    "nesta-levels": "carescale's own table by Nesta evidence level (what the paper preset uses).",
    "off": "No optimism bias: costs and savings as the evidence gives them.",
}


@dataclass
class SettingsForm:
    """The appraisal settings: period, start date, discount schedule, optimism bias and the
    business-case options. ``values`` holds what was typed (kept on the page when it is refused)."""

    values: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    errors: ErrorSummary = field(default_factory=ErrorSummary)

    @classmethod
    def read(cls, form: Mapping[str, Any]) -> "SettingsForm":
        import datetime as dt

        from ..appraisal.settings import MAX_YEARS

        keys = ("years", "start-day", "start-month", "start-year", "discount", "discount_rate", "optimism",
                "counterfactual", "setup_timing")
        out = cls(values={k: _text(form, k).strip() for k in keys})
        v, got = out.values, out.settings
        try:
            years = int(v["years"].replace(",", ""))
            if not 1 <= years <= MAX_YEARS:
                raise ValueError
            got["years"] = years
        except ValueError:
            out.errors.add(f"Enter the appraisal period as a whole number of years from 1 to {MAX_YEARS}", "years")
        try:
            got["start_date"] = dt.date(int(v["start-year"]), int(v["start-month"]), int(v["start-day"])).isoformat()
            if not 1900 <= int(v["start-year"]) <= 9000:
                raise ValueError
        except ValueError:
            got.pop("start_date", None)
            out.errors.add("Enter the start date as a real date, for example 1 4 2027", "start-day")
        if v["discount"] == "flat":
            try:
                rate = parse_number(v["discount_rate"], "proportion", "discount rate") if v["discount_rate"] else None
            except SettingsError:
                rate = -1.0
            if rate is None:
                out.errors.add("Enter the discount rate a year, for example 3.5%", "discount_rate")
            elif not 0 <= rate <= 0.2:
                out.errors.add("The discount rate must be between 0% and 20% a year, for example 3.5%", "discount_rate")
            else:
                got["discount_rate"] = rate
        elif v["discount"] == "green-book":
            got["discount_rate"] = None
        else:
            out.errors.add("Select how future years are discounted", "discount")
        if v["optimism"] == "off":
            got["optimism_bias"] = False
        elif v["optimism"] in OPTIMISM_CHOICES:
            got.update(optimism_bias=True, optimism_bias_method=v["optimism"])
        else:
            out.errors.add("Select how optimism bias is applied", "optimism")
        if v["counterfactual"] in ("yes", "no"):
            got["counterfactual"] = v["counterfactual"] == "yes"
        else:
            out.errors.add("Select whether deadweight and attribution come from the evidence design", "counterfactual")
        if v["setup_timing"] in ("up-front", "as-places-fill"):
            got["setup_timing"] = v["setup_timing"]
        else:
            out.errors.add("Select when the set-up investment is paid", "setup_timing")
        return out

    @classmethod
    def shown(cls, appraisal: Mapping[str, Any]) -> dict[str, str]:
        """The form's values for a document's appraisal settings (a start date already past is
        shown as the start of the next financial year: the default for a new appraisal)."""
        import datetime as dt

        from ..appraisal.settings import next_financial_year_start

        start = dt.date.fromisoformat(str(appraisal["start_date"]))
        if start < dt.date.today():
            start = next_financial_year_start()
        rate = appraisal.get("discount_rate")
        return {
            "years": str(appraisal["years"]), "start-day": str(start.day), "start-month": str(start.month),
            "start-year": str(start.year), "discount": "green-book" if rate is None else "flat",
            "discount_rate": "" if rate is None else f"{100 * float(rate):g}%",
            "optimism": (appraisal.get("optimism_bias_method") or "green-book") if appraisal.get("optimism_bias") else "off",
            "counterfactual": "yes" if appraisal.get("counterfactual", True) else "no",
            "setup_timing": str(appraisal.get("setup_timing") or "up-front"),
        }
