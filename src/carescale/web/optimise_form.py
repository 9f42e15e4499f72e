"""The optimiser page's form (``/optimise``): what the person typed, read into the options of
:func:`carescale.optimise.make_spec`, and each problem as a GOV.UK error-summary item naming the
field in words. The form is sent by GET, so a result has its own address that can be shared and
bookmarked; nothing here chooses a model (that is :mod:`carescale.optimise`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlencode

from ..errors import SettingsError
from ..formatting import parse_number
from .forms import ErrorSummary

#: the objectives offered on the page, in words (the probability objective needs a Monte Carlo per
#: candidate and is left to the CLI and the API; docs/web.md)
OBJECTIVES: dict[str, tuple[str, str]] = {
    "npv": ("Net present value (NPV)", "Savings less costs over the appraisal period, discounted as the Green Book asks."),
    "budget-impact": ("Net saving in one year", "Savings less costs in the year you name, not discounted: the budget view."),
    "social": ("Social value", "The present value of wellbeing and health gained (not public money)."),
    "npv-with-social": ("NPV plus social value", "Public money and social value together."),
}
BUDGET_KINDS: dict[str, tuple[str, str]] = {
    "budget": ("In total over the appraisal period", "Set-up and running cost over every year of the appraisal, all payers."),
    "running_budget_per_year": ("Each year", "Running cost in every year of the appraisal (set-up investment not limited)."),
}
PAYERS = {"": "Council and NHS together", "asc": "The council (adult social care)", "nhs": "The NHS"}
CHOICES = ("may", "must", "not")  # a model: may run, must run, must not run


def role_field(role: str) -> str:
    return "staff-" + re.sub(r"[^a-z0-9]+", "-", role.lower()).strip("-")


@dataclass
class OptimiseForm:
    """The optimiser's form as typed (``values``, shown again as typed) and as read (``options``)."""

    values: dict[str, str] = field(default_factory=dict)
    choices: dict[str, str] = field(default_factory=dict)  # model id -> may / must / not
    staff: dict[str, str] = field(default_factory=dict)  # role -> what was typed
    errors: ErrorSummary = field(default_factory=ErrorSummary)
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, query: Mapping[str, str], models: list[str], roles: list[str], years: int) -> "OptimiseForm":
        """Read the form's fields (``objective``, ``payer``, ``year``, ``budget``, ``budget_kind``,
        ``staff.<role>``, ``model.<id>``) for an area whose candidate models and staff roles are given."""
        f = cls()
        get = lambda k, d="": str(query.get(k, d) or d).strip()  # noqa: E731
        f.values = {"objective": get("objective", "npv"), "payer": get("payer"), "year": get("year"),
                    "budget": get("budget"), "budget_kind": get("budget_kind", "budget")}
        v = f.values
        if v["objective"] not in OBJECTIVES:
            f.errors.add("Choose what to maximise", "objective")
            v["objective"] = "npv"
        if v["payer"] not in PAYERS:
            f.errors.add("Choose whose money to count: the council and NHS together, the council, or the NHS", "payer")
            v["payer"] = ""
        if v["budget_kind"] not in BUDGET_KINDS:
            f.errors.add("Choose whether the budget is in total or each year", "budget_kind")
            v["budget_kind"] = "budget"
        opts: dict[str, Any] = {"objective": v["objective"]}
        if v["payer"] and v["objective"] in ("npv", "budget-impact"):
            opts["payer"] = v["payer"]
        if v["objective"] == "budget-impact":
            year = _whole(v["year"])
            if not v["year"]:
                f.errors.add(f"Enter the year of the appraisal to maximise the net saving in (1 to {years})", "year")
            elif year is None or not 1 <= year <= years:
                f.errors.add(f"The year must be a whole number from 1 to {years}", "year")
            else:
                opts["year"] = year
        if v["budget"]:
            try:
                amount = parse_number(v["budget"], "money", "budget")
            except SettingsError:
                amount = None
            if amount is None or amount < 0:
                f.errors.add("Enter the budget in pounds, for example £2m, 2,000,000 or 500k", "budget")
            else:
                opts[v["budget_kind"]] = amount
        staff: dict[str, float] = {}
        for role in roles:
            typed = get(f"staff.{role}")
            f.staff[role] = typed
            if not typed:
                continue
            try:
                n = parse_number(typed, "people", role)
            except SettingsError:
                n = None
            if n is None or n < 0:
                f.errors.add(f"Enter the {role} available as a number of people, for example 10", role_field(role))
            else:
                staff[role] = n
        if staff:
            opts["staff"] = staff
        include, exclude = [], []
        for iid in models:
            c = get(f"model.{iid}", "may")
            if c not in CHOICES:
                f.errors.add("Choose whether each model may run, must run or must not run", f"model-{iid}")
                c = "may"
            f.choices[iid] = c
            (include if c == "must" else exclude if c == "not" else []).append(iid)
        if include:
            opts["include"] = ",".join(include)
        if exclude:
            opts["exclude"] = ",".join(exclude)
        f.options = opts
        return f

    def query(self) -> str:
        """The form as the query string of its result's address (blank fields left out)."""
        pairs = [(k, val) for k, val in self.values.items() if val]
        pairs += [(f"staff.{r}", t) for r, t in self.staff.items() if t]
        pairs += [(f"model.{i}", c) for i, c in self.choices.items() if c != "may"]
        return urlencode(pairs)

    def budget_stated(self) -> str:
        """The budget in words, as the person gave it (``£2,000,000 in total over the appraisal period``)."""
        from ..formatting import money

        kind = self.values["budget_kind"]
        amount = self.options.get(kind)
        if amount is None:
            return "no budget limit"
        return f"{money(amount)} {'in total over the appraisal period' if kind == 'budget' else 'of running cost each year'}"


def _whole(text: str) -> int | None:
    try:
        x = float(text.replace(",", ""))
    except ValueError:
        return None
    return int(x) if x.is_integer() else None
