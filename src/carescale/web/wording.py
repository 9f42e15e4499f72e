"""Figures and their names in words on the web's pages (issue 26: plain figures everywhere).

A page never shows a figure's path (``segments[older-people].outcomes[...].unit_saving``,
``living-well.older-people-multiple-ltc.sizing.rate``) as its name: :func:`figure_words` names an
evidence figure by what it is, :func:`label_words` turns the engine's parameter labels into words
(cohort ids become the vocabulary's descriptions), and the path itself only appears in a "for
analysts" detail. :func:`status_words` says truly where a figure comes from (a re-priced figure
says so); :func:`plain_numbers` writes the numbers in a worked-out line as a reader reads them;
:func:`refusal_words` turns the library's one-line refusal of a changed figure into a sentence
naming the figure in words. Every number goes through :mod:`carescale.formatting`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from .. import formatting

STATUS = {
    "published": "published",
    "implied": "worked out from published figures",
    "assumption": "our assumption",
    "estimated": "estimated from national rates",
}


@functools.lru_cache(maxsize=1)
def _vocabulary() -> dict[str, str]:
    from ..library import default_library

    vocab = default_library().vocabulary
    out: dict[str, str] = {}
    for group in (vocab.cohorts, vocab.spend_lines):
        for key, entry in group.items():
            text = str(getattr(entry, "description", "") or key.replace("_", " "))
            out[key] = text[:1].lower() + text[1:]
    return out


def words(key: str) -> str:
    """A cohort or spend line id (``population_65_plus``) as the vocabulary describes it."""
    return _vocabulary().get(key) or key.replace("_", " ")


_ID = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def label_words(label: Any) -> str:
    """A parameter label with every vocabulary id in words: "take-up (share of population_65_plus)"
    reads "take-up (share of usual resident population aged 65 and over)"; any other
    snake_case word loses its underscores."""
    return _ID.sub(lambda m: words(m.group(0)), str(label or ""))


def series_words(measure: Any) -> str:
    """An official series named by its published header, as a reader reads it (its id,
    ``ascfr_gce_total``, only in a "for analysts" detail): without the table's number (the page
    gives the table beside it) or the publisher's note marks, capitals in sentence case:
    "Table 14: Gross Current Expenditure, by care type, 2021-22: Total Gross Current Expenditure
    (GCE)" reads "Gross Current Expenditure, by care type, 2021-22: Total Gross Current
    Expenditure (GCE)"; "TOTAL ADULT SOCIAL CARE  [note 2] - Net Current Expenditure" reads
    "Total adult social care - Net Current Expenditure"."""
    text = re.sub(r"^Table \d+[A-Za-z]?:\s*", "", str(measure or ""))
    text = re.sub(r"\s*\[note \d+\]", "", text)
    text = re.sub(r"\b[A-Z]{2,}(?: [A-Z]{2,})+\b", lambda m: m.group(0).capitalize(), text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:1].upper() + text[1:]


def status_words(status: Any, published_year: Any = None, price_year: Any = None) -> str:
    """Where a figure comes from, truly: "published"; a money figure moved to another price
    year says "re-priced from published 2015/16 prices" (or "worked out from published figures,
    re-priced from 2015/16 prices"); the year it is now in is stated beside it."""
    base = STATUS.get(str(status), str(status or ""))
    if published_year and price_year and str(published_year) != str(price_year):
        if status == "published":
            return f"re-priced from published {published_year} prices"
        return f"{base}, re-priced from {published_year} prices"
    return base


def stated(value: Any, unit: Any) -> str:
    """A figure as a reader reads it: money with £, shares as %, people whole (``formatting``)."""
    if value is None:
        return formatting.DASH
    u = str(unit or "")
    if u in ("people", "count", "people_per_year"):
        return formatting.people(value)
    v = float(value)
    if u.startswith("GBP") and v < 0:  # -£5, never £-5
        return "-" + formatting.stated(-v, u)
    return formatting.stated(v, u)


_NUMBER = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)(?![\w.,]*\d)")


def plain_numbers(text: Any) -> str:
    """A worked-out line with its numbers as a reader reads them: thousands separated
    (1000000 reads 1,000,000), at most four significant decimals (0.0180708377 reads 0.01807)."""
    def one(m: re.Match[str]) -> str:
        s = m.group(1)
        v = float(s)
        if "." not in s:  # a whole number; a four-digit one from 1900 to 2100 may be a year
            return s if len(s) < 4 or (len(s) == 4 and 1900 <= int(s) <= 2100) else f"{int(s):,}"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.4g}" if abs(v) < 1 else f"{v:,.2f}".rstrip("0").rstrip(".")
    return _NUMBER.sub(one, str(text or ""))


# -- an evidence figure's name in words -------------------------------------------------------------------


_PART = re.compile(r"([a-z_]+)(?:\[([^\]]+)\])?")


def _find(items: Any, key: str) -> Any:
    items = tuple(items or ())
    if key.isdigit() and int(key) < len(items):
        return items[int(key)]
    return next((x for x in items if getattr(x, "id", None) == key), None)


def figure_words(obj: Any, loc: str) -> str:
    """The name in words of the figure at ``loc`` of a model (``Intervention``), as
    :func:`carescale.schema.walk.iter_quantities` locates it."""
    parts = _PART.findall(loc)
    if not parts:
        return loc
    head, key = parts[0]
    rest = [p[0] for p in parts[1:]]
    if head == "segments":
        seg = _find(getattr(obj, "segments", ()), key)
        name = seg.description if seg is not None else key.replace("-", " ")
        if rest[:2] == ["sizing", "rate"]:
            cohort = getattr(getattr(seg, "sizing", None), "cohort", None)
            return f"{name}: take-up" + (f" (share of {words(cohort)})" if cohort else "")
        if rest == ["unit_cost"]:
            return f"{name}: cost per person a year"
        if len(parts) > 1 and parts[1][0] == "outcomes":
            o = _find(getattr(seg, "outcomes", ()), parts[1][1])
            what = (o.description if o is not None else parts[1][1].replace("-", " ")).lower()
            if rest[-1] == "rate":
                return f"{name}: share who {what}"
            return f"{name}: saving per person ({what})"
        if len(parts) > 1 and parts[1][0] == "spend_reductions":
            r = _find(getattr(seg, "spend_reductions", ()), parts[1][1])
            line = words(r.spend_line) if r is not None else parts[1][1].replace("-", " ")
            return f"{name}: cut in {line}"
    if head == "cost_shares":
        return "Share of the cost paid by " + ("the council (adult social care)" if rest[-1:] == ["asc"] else "the NHS")
    if head == "setup":
        return {"cost": "Set-up investment per tranche", "per": "New places per tranche"}.get(rest[-1] if rest else "", "Set-up")
    if head == "full_costs":
        fc = _find(getattr(obj, "full_costs", ()), key)
        role = fc.role if fc is not None else key.replace("-", " ")
        last = rest[-1] if rest else ""
        return {"unit_cost": f"{role}: cost a year", "staff": f"{role}: staff in post per ratio",
                "per": f"{role}: people or spend each ratio covers"}.get(last, role)
    if head == "workforce":
        w = _find(getattr(obj, "workforce", ()), key)
        role = w.role if w is not None else "staff"
        return {"staff": f"Workforce: {role} needed", "per": f"Workforce: people supported by that many {role}"}.get(
            rest[-1] if rest else "", f"Workforce: {role}")
    if head == "wider_benefits":
        wb = _find(getattr(obj, "wider_benefits", ()), key)
        return f"{wb.description if wb is not None else key.replace('-', ' ')}: value per person"
    if head == "ramp_up":
        return {"months_to_first_beneficiary": "Months to the first person supported",
                "months_to_break_even": "Months to break even, as reported",
                "months_to_full_scale": "Months to full scale"}.get(rest[-1] if rest else "", "Ramp-up")
    if head == "reported_outcomes":
        r = _find(getattr(obj, "reported_outcomes", ()), key)
        return getattr(r, "description", None) or "Reported outcome"
    return re.sub(r"\[[^\]]*\]", "", loc).replace("_", " ").replace(".", ": ")


_KEY = re.compile(r"\b(cohorts|spend)\.([a-z0-9_]+)\b")


def message_words(message: str) -> str:
    """A library message with an area template's keys in words: ``(cohorts.population_65_plus)``
    reads ``(usual resident population aged 65 and over)``."""
    return _KEY.sub(lambda m: words(m.group(2)) + (" spend" if m.group(1) == "spend" else ""), message)


# -- a refused change, in words ---------------------------------------------------------------------------------


def refusal_words(message: str, items: list[dict[str, Any]]) -> str:
    """The library's one line refusing a changed figure (``overrides: PATH: value 1.5 is above 1;
    a proportion must be between 0 and 1``) as a sentence naming the figure in words, with shares
    as percentages: "Community Agents: take-up (share of ...): 150% is above 100%; a share must be
    between 0% and 100%". ``items`` are the page's figures (``path``, ``label``, ``unit``)."""
    text = message.removeprefix("overrides: ")
    for item in sorted(items, key=lambda i: -len(i["path"])):
        path = item["path"]
        if path not in text:
            continue
        label = label_words(item.get("label") or path)
        text = text.replace(f"{path}: ", f"{label}: ").replace(path, label)
        unit = str(item.get("unit") or "")
        if unit and unit != "proportion":  # "value -5 is negative; GBP_per_person must be ..." in words
            text = re.sub(r"value (-?[\d.,]+(?:e-?\d+)?)", lambda m: stated(float(m.group(1).replace(",", "")), unit), text)
            text = re.sub(rf"\b{re.escape(unit)} must be", "it must be", text)
        if unit == "proportion":
            text = re.sub(r"value (-?[\d.]+(?:e-?\d+)?) is (above|below) (-?[\d.]+)",
                          lambda m: f"{formatting.share(float(m.group(1)), 1 if float(m.group(1)) * 100 % 1 else 0)} is "
                                    f"{m.group(2)} {formatting.share(float(m.group(3)))}", text)
            text = text.replace("a proportion must be between 0 and 1", "a share must be between 0% and 100%")
        break
    return text[:1].upper() + text[1:]
