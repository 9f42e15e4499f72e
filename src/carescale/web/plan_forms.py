"""The forms of the plan cycle's pages (docs/web.md, "Logic models, plans and reviews"): the
logic-model builder's questions (one a page), the plan form and the review form. Each reads its
form, gives every problem as a GOV.UK error-summary item naming the field in words, and returns
plain answers for :mod:`carescale.plans.cycle`; nothing here knows how a plan is appraised.

The builder keeps its answers so far in the page address (``?d=``: JSON, compressed, base64url)
rather than in a cookie or on the server: no state is kept between pages, every question page has an
address the back link can return to, and nothing half-built is stored. The answers are checked
again, in full, before a logic model is saved.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import zlib
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..errors import SettingsError
from .forms import ErrorSummary, number

MAX_DRAFT = 12_000  # characters of the ?d= parameter (a full draft is about 2,000; a request line stays under 16 KB)
MAX_TEXT = 2_000


class DraftError(SettingsError):
    """The answers in a builder address cannot be read (cut short or changed by hand)."""


def encode(draft: Mapping[str, Any]) -> str:
    raw = json.dumps(dict(draft), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def decode(text: str | None) -> dict[str, Any]:
    """The answers in ``?d=`` (an empty draft when there is none); one line when unreadable."""
    if not text:
        return {}
    if len(text) > MAX_DRAFT or not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise DraftError("d: the answers in this address cannot be read; start the logic model again")
    try:
        raw = zlib.decompressobj().decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), 200_000)
        data = json.loads(raw)
    except (binascii.Error, zlib.error, ValueError):
        raise DraftError("d: the answers in this address cannot be read; start the logic model again") from None
    if not isinstance(data, dict):
        raise DraftError("d: the answers in this address cannot be read; start the logic model again")
    # a draft changed by hand keeps only what the pages can show: the full check comes before saving
    if not isinstance(data.get("document", {}), dict):
        data.pop("document")
    outs = data.get("outcomes")
    if outs is not None and not (isinstance(outs, list) and all(isinstance(o, dict) for o in outs)):
        data.pop("outcomes")
    return data


# -- the builder's questions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One input of a question page."""

    name: str
    label: str
    kind: str = "text"  # text, textarea, lines, radios, select, percent, money, whole
    hint: str = ""
    required: bool = True
    what: str = ""  # the field in words, for messages ("the name of the service")
    options: tuple[tuple[str, str], ...] = ()
    width: str = ""

    @property
    def id(self) -> str:
        return self.name.replace("_", "-")


@dataclass(frozen=True)
class Step:
    id: str
    title: str  # the question (the page's h1)
    fields: tuple[Field, ...]
    intro: str = ""


PAYERS = (("nhs", "The NHS"), ("asc", "The council (adult social care)"))
LEVELS = tuple((str(i), f"Level {i}: {t}") for i, t in enumerate((
    "a clear account of what the service does and why",
    "data showing a positive change, without showing the service caused it",
    "a comparison group showing the service caused the change",
    "independent replication, with cost data",
    "manuals and systems showing it works at scale"), start=1))
AREAS = tuple((str(i), f"{i}: {t}") for i, t in enumerate((
    "Prevention and early intervention", "Personalised care and support", "Community-based support",
    "Integrated care", "Care in the home and technology"), start=1))
OUTCOME_SLOTS = 3


def outcome_fields(i: int) -> tuple[Field, ...]:
    req = i == 1
    return (
        Field(f"o{i}_description", f"Outcome {i}: what changes for a person", hint="For example: a fall needing a hospital admission is avoided",
              required=req, what=f"outcome {i}"),
        Field(f"o{i}_payer", f"Outcome {i}: who saves money when it happens", kind="radios", options=PAYERS, required=req,
              what=f"who saves from outcome {i}"),
        Field(f"o{i}_rate", f"Outcome {i}: share of the people supported who achieve it in a year", kind="percent",
              hint="For example 8.7%", required=req, what=f"the share of people who achieve outcome {i}", width="5"),
        Field(f"o{i}_saving", f"Outcome {i}: saving each time it is achieved", kind="money", hint="In pounds, for example £3,500",
              required=req, what=f"the saving from outcome {i}", width="10"),
    )


def steps(cohorts: list[tuple[str, str]]) -> dict[str, Step]:
    """The builder's pages in order (``source`` is skipped for a blank start)."""
    out = [
        Step("start", "How do you want to start your logic model?", (
            Field("start", "How do you want to start your logic model?", kind="radios", what="how to start", options=(
                ("model", "From a model in the evidence library (promising, or calibrated to one site)"),
                ("case-study", "From a case study of what a council did"),
                ("blank", "From a blank logic model (your own idea)"))),)),
        Step("source", "Which one do you want to start from?", (
            Field("source", "Which one do you want to start from?", kind="select", what="the model or case study to start from"),)),
        Step("about", "What is the service?", (
            Field("name", "Name of the service", what="the name of the service", width="full"),
            Field("description", "What the service does", kind="textarea", what="what the service does"),
            Field("transformation_area", "Which of SCIE's transformation areas it belongs to", kind="radios", options=AREAS,
                  what="the transformation area"),
        )),
        Step("who", "Who is the service for?", (
            Field("target_group", "Who the service is for", hint="For example: older people at risk of falls",
                  what="who the service is for", width="full"),
            Field("cohort", "The group of people it is sized on", kind="radios", options=tuple(cohorts),
                  hint="The service reaches a share of this group each year", what="the group it is sized on"),
        )),
        Step("reach", "How many people will it reach?", (
            Field("take_up", "Share of that group reached a year at full scale", kind="percent",
                  hint="For example 0.5% (747 people a year among Birmingham's 149,412 people aged 65 and over)",
                  what="the share of people reached a year", width="5"),
        )),
        Step("cost", "What will it cost?", (
            Field("unit_cost", "Running cost per person supported a year", kind="money", hint="In pounds, for example £400",
                  what="the cost per person a year", width="10"),
            Field("council_share", "Share of the running cost the council pays", kind="percent",
                  hint="The NHS pays the rest. For example 50%", what="the council's share of the cost", width="5"),
            Field("price_year", "Prices of these figures (financial year)", hint="For example 2024/25",
                  what="the price year", width="5"),
        )),
        Step("outcomes", "Which outcomes will save money?", tuple(f for i in range(1, OUTCOME_SLOTS + 1) for f in outcome_fields(i)),
             intro="Give at least one outcome. Leave outcomes 2 and 3 blank if there are no more."),
        Step("change", "How will the service bring about the change?", (
            Field("activities", "What the service does (activities)", kind="lines", hint="One a line", what="at least one activity"),
            Field("resources", "What it needs (staff, volunteers, places, equipment)", kind="lines", hint="One a line",
                  what="at least one thing the service needs"),
            Field("own_contribution", "What people and their families contribute", kind="lines", hint="One a line (optional)",
                  required=False),
            Field("assumptions", "What must hold for the activities to lead to the outcomes", kind="lines", hint="One a line",
                  what="at least one assumption"),
            Field("short_term_outcomes", "The changes people make in the short term", kind="lines", hint="One a line",
                  what="at least one short-term outcome"),
            Field("longer_term_outcomes", "Longer-term outcomes", kind="lines", hint="One a line (optional)", required=False),
        )),
        Step("evidence", "What evidence is there so far?", (
            Field("evidence", "What the evidence says", kind="textarea", what="what the evidence says"),
            Field("evidence_level", "Strength of the evidence (Nesta's Standards of Evidence)", kind="radios", options=LEVELS,
                  what="the strength of the evidence"),
            Field("evidence_reason", "Why that level", kind="textarea", what="why the evidence is at that level"),
            Field("document_title", "Title of the document your figures come from", what="the document's title", width="full"),
            Field("document_publisher", "Who published it", hint="For example: your council", what="who published the document",
                  width="full"),
            Field("document_quote", "A sentence from it that supports your figures, word for word", kind="textarea",
                  what="a sentence from the document"),
        )),
    ]
    return {s.id: s for s in out}


ORDER = ("start", "source", "about", "who", "reach", "cost", "outcomes", "change", "evidence")
DOCUMENT_FIELDS = ("document_title", "document_publisher", "document_quote")


def step_fields(step: Step, draft: Mapping[str, Any]) -> tuple[Field, ...]:
    """The fields a page shows: the evidence page asks for the council's own document only for a
    blank start (a model or case study gives the reference)."""
    if step.id == "evidence" and draft.get("start") != "blank":
        return tuple(f for f in step.fields if f.name not in DOCUMENT_FIELDS)
    return step.fields


def next_step(current: str, draft: Mapping[str, Any]) -> str:
    i = ORDER.index(current)
    nxt = ORDER[i + 1] if i + 1 < len(ORDER) else "check"
    if nxt == "source" and draft.get("start") == "blank":
        nxt = "about"
    return nxt


def previous_step(current: str, draft: Mapping[str, Any]) -> str | None:
    if current == "check":
        return ORDER[-1]
    i = ORDER.index(current)
    if i == 0:
        return None
    prev = ORDER[i - 1]
    if prev == "source" and draft.get("start") == "blank":
        prev = "start"
    return prev


def shown_value(f: Field, draft: Mapping[str, Any]) -> str:
    """What a field shows from the draft (percentages as typed, lines one a line)."""
    if f.name.startswith("o") and "_" in f.name and f.name[1:2].isdigit():
        i, key = int(f.name[1]), f.name.split("_", 1)[1]
        outs = draft.get("outcomes") or []
        v = outs[i - 1].get(key) if i <= len(outs) and isinstance(outs[i - 1], dict) else None
    elif f.name in DOCUMENT_FIELDS:
        v = (draft.get("document") or {}).get(f.name.split("_", 1)[1])
    else:
        v = draft.get(f.name)
    if v is None:
        return ""
    number_ = v if isinstance(v, (int, float)) and not isinstance(v, bool) else None  # a draft changed by hand shows as text
    if (f.kind == "percent" or f.name.endswith("_rate")) and number_ is not None:
        return f"{float(number_) * 100:.10g}%"
    if f.kind == "money" and number_ is not None:
        return f"£{float(number_):,.10g}"
    if f.kind == "lines" and isinstance(v, list):
        return "\n".join(str(x) for x in v)
    return str(v)


def _read(f: Field, raw: str, errors: ErrorSummary, valid: set[str] | None = None) -> Any:
    """One field's value, or None (with a problem added when it is required or wrong)."""
    text = raw.strip()
    what = f.what or f.label.lower()
    if not text:
        if f.required:
            verb = "Select" if f.kind in ("radios", "select") else "Enter"
            errors.add(f"{verb} {what}", f.id)
        return None
    if len(text) > (MAX_TEXT if f.kind in ("textarea", "lines") else 500):
        most = MAX_TEXT if f.kind in ("textarea", "lines") else 500
        errors.add(f"{what[0].upper()}{what[1:]} must be {most:,} characters or fewer", f.id)
        return None
    if "\x00" in text:
        errors.add(f"{what[0].upper()}{what[1:]} contains a NUL character; remove it", f.id)
        return None
    if f.kind in ("radios", "select"):
        if valid is not None and text not in valid:
            errors.add(f"Select {what} from the list", f.id)
            return None
        return text
    if f.kind in ("percent", "money", "whole"):
        try:
            v = number(text if f.kind != "percent" or text.endswith("%") else text + "%")
        except ValueError:
            v = None
        if v is None:
            example = {"percent": "8.7%", "money": "£400", "whole": "95"}[f.kind]
            errors.add(f"{what[0].upper()}{what[1:]} must be a number, like {example}", f.id)
            return None
        if f.kind == "percent" and not 0 <= v <= 1:
            errors.add(f"{what[0].upper()}{what[1:]} must be between 0% and 100%", f.id)
            return None
        if f.kind == "money" and not 0 < v <= 1e13:
            errors.add(f"{what[0].upper()}{what[1:]} must be more than £0 and at most £10,000,000,000,000", f.id)
            return None
        return v
    if f.kind == "lines":
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        if len(lines) > 20:
            errors.add(f"Give at most 20 lines for {what}", f.id)
            return None
        return lines
    return text


def read_step(step: Step, form: Mapping[str, Any], draft: dict[str, Any], choices: dict[str, set[str]]) -> tuple[dict[str, Any], ErrorSummary]:
    """The draft with this page's answers, and the page's problems."""
    errors = ErrorSummary()
    new = dict(draft)
    fields = step_fields(step, draft)
    if step.id == "outcomes":
        outs = []
        for i in range(1, OUTCOME_SLOTS + 1):
            group = outcome_fields(i)
            raws = {f.name: str(form.get(f.name) or "") for f in group}
            if i > 1 and not any(v.strip() for v in raws.values()):
                continue
            got = {}
            for f in group:
                req = Field(f.name, f.label, f.kind, f.hint, True, f.what, f.options, f.width)
                got[f.name.split("_", 1)[1]] = _read(req, raws[f.name], errors, {"nhs", "asc"} if f.kind == "radios" else None)
            if got["rate"] is not None and got["rate"] == 0:
                errors.add(f"The share of people who achieve outcome {i} must be more than 0%", f"o{i}-rate")
            outs.append(got)
        new["outcomes"] = outs
        return new, errors
    for f in fields:
        raw = str(form.get(f.name) or "")
        value = _read(f, raw, errors, choices.get(f.name) or ({o[0] for o in f.options} if f.options else None))
        if f.name in DOCUMENT_FIELDS:
            doc = dict(new.get("document") or {})
            doc[f.name.split("_", 1)[1]] = value
            new["document"] = doc
        elif f.name in ("transformation_area", "evidence_level") and value is not None:
            new[f.name] = int(value)
        elif f.kind == "lines":
            new[f.name] = value or []
        else:
            new[f.name] = value
    if step.id == "reach" and new.get("take_up") == 0:
        errors.add("The share of people reached a year must be more than 0%", "take-up")
    if step.id == "cost" and new.get("price_year") and not re.fullmatch(r"\d{4}/\d{2}", str(new["price_year"])):
        errors.add("The price year must be a financial year like 2024/25", "price-year")
    return new, errors


def missing_steps(draft: Mapping[str, Any]) -> list[str]:
    """The pages still to answer before the check page (in order)."""
    need = {
        "start": ("start",), "about": ("name", "description", "transformation_area"), "who": ("target_group", "cohort"),
        "reach": ("take_up",), "cost": ("unit_cost", "council_share"), "outcomes": ("outcomes",),
        "change": ("activities", "resources", "assumptions", "short_term_outcomes"),
        "evidence": ("evidence", "evidence_level", "evidence_reason"),
    }
    out = [s for s, keys in need.items() if any(draft.get(k) in (None, "", []) for k in keys)]
    if draft.get("start") in ("model", "case-study") and not draft.get("source"):
        out.insert(1, "source")
    if draft.get("start") == "blank" and not all((draft.get("document") or {}).get(k) for k in ("title", "publisher", "quote")):
        out.append("evidence") if "evidence" not in out else None
    return [s for s in ORDER if s in out]


# -- the plan form -------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")


def read_date(form: Mapping[str, Any], name: str, what: str, errors: ErrorSummary, required: bool = True) -> dt.date | None:
    """A GOV.UK date input (``name-day``, ``name-month``, ``name-year``)."""
    parts = [str(form.get(f"{name}-{p}") or "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        if required:
            errors.add(f"Enter {what}", f"{name}-day")
        return None
    if not all(parts):
        missing = [p for p, v in zip(("a day", "a month", "a year"), parts) if not v]
        errors.add(f"{what[0].upper()}{what[1:]} must include {' and '.join(missing)}", f"{name}-day")
        return None
    try:
        d, m, y = (int(p) for p in parts)
        if not 1900 <= y <= 9999:
            raise ValueError
        return dt.date(y, m, d)
    except ValueError:
        errors.add(f"{what[0].upper()}{what[1:]} must be a real date, like 1 4 2027", f"{name}-day")
        return None


@dataclass
class PlanForm:
    """The plan page: name, area, dates, review period, budget, phases and funding."""

    request: dict[str, Any] | None
    values: dict[str, str]
    errors: ErrorSummary = field(default_factory=ErrorSummary)

    @classmethod
    def read(cls, form: Mapping[str, Any], model: dict[str, str], areas: set[str]) -> "PlanForm":
        errors = ErrorSummary()
        values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        name = _read(Field("name", "", what="a name for the plan"), values.get("name", ""), errors)
        area = _read(Field("area", "", kind="select", what="the area"), values.get("area", ""), errors, areas)
        start = read_date(form, "start", "the date the plan starts", errors)
        end = read_date(form, "end", "the date the plan ends", errors)
        period = _read(Field("review_period", "", kind="radios", what="how often the plan is reviewed"),
                       values.get("review_period", ""), errors, {"monthly", "quarterly", "half-yearly", "yearly"})
        budget = _read(Field("budget", "", kind="money", what="the budget"), values.get("budget", ""), errors)
        s1 = _read(Field("phase1_scale", "", kind="percent", what="the share of full scale at the start"),
                   values.get("phase1_scale", ""), errors)
        p1_end = read_date(form, "phase1_end", "the date the first phase ends", errors, required=False)
        s2 = _read(Field("phase2_scale", "", kind="percent", what="the share of full scale after the first phase",
                         required=p1_end is not None), values.get("phase2_scale", ""), errors)
        route = _read(Field("route", "", kind="radios", what="how the plan is paid for"), values.get("route", ""), errors,
                      {"core_budget", "transition_funds", "social_investment"})
        source = line = amount = None
        if route in ("transition_funds", "social_investment"):
            what = "the fund" if route == "transition_funds" else "the investor"
            source = _read(Field("source", "", what=f"the name of {what}"), values.get("source", ""), errors)
        elif route == "core_budget":
            line = _read(Field("line_name", "", what="the service line whose budget is reduced"), values.get("line_name", ""), errors)
            amount = _read(Field("line_amount", "", kind="money", what="the amount it is reduced by a year"),
                           values.get("line_amount", ""), errors)
        cf = None
        cf_text = values.get("cf_description", "").strip()
        cf_kind = values.get("cf_baseline", "").strip()
        if cf_text or cf_kind:
            desc = _read(Field("cf_description", "", what="the outcome you will observe"), cf_text, errors)
            kind = _read(Field("cf_baseline", "", kind="radios", what="what it is compared with"), cf_kind, errors,
                         {"official", "rate", "matched", "waiting-list"})
            baseline: dict[str, Any] = {}
            if kind == "official":
                baseline = {"official": "ascof-2a2"}
            elif kind in ("matched", "waiting-list"):
                baseline = {"comparison": kind}
            elif kind == "rate":
                rate = _read(Field("cf_rate", "", kind="percent", what="the yearly rate without the service"),
                             values.get("cf_rate", ""), errors)
                if rate == 0:
                    errors.add("The yearly rate without the service must be more than 0%", "cf-rate")
                baseline = {"rate": rate}
            if desc and kind:
                cf = {"description": desc, "baseline": baseline}
        if start and end and end <= start:
            errors.add("The date the plan ends must be after the date it starts", "end-day")
        if start and end and p1_end and not start <= p1_end < end:
            errors.add("The date the first phase ends must be after the plan starts and before it ends", "phase1_end-day")
        if errors:
            return cls(None, values, errors)
        if p1_end:
            phases = [{"name": "First phase", "start": start.isoformat(), "end": p1_end.isoformat(), "scale": s1},
                      {"name": "Second phase", "start": (p1_end + dt.timedelta(days=1)).isoformat(), "end": end.isoformat(),
                       "scale": s2}]
        else:
            phases = [{"name": "The whole plan", "start": start.isoformat(), "end": end.isoformat(), "scale": s1}]
        funding: dict[str, Any] = {"route": route}
        if source:
            funding["source"] = source
        counterfactual = [cf] if cf else []
        if line:
            funding["reduced_service_lines"] = [{"name": line, "amount": amount}]
        req = {"id": _slug(name) or "plan", "name": name, **model, "area": area, "start": start.isoformat(),
               "end": end.isoformat(), "review_period": period, "budget": budget, "phases": phases, "funding": funding,
               "counterfactual": counterfactual}
        by = values.get("created_by", "").strip()
        if by:
            req["created_by"] = by[:200]
        return cls(req, values, errors)


@dataclass
class ReviewForm:
    """The review page: the period's end, people supported, how many achieved each outcome, money
    spent, who recorded it and a note."""

    actuals: dict[str, Any] | None
    values: dict[str, str]
    errors: ErrorSummary = field(default_factory=ErrorSummary)

    @classmethod
    def read(cls, form: Mapping[str, Any], outcomes: list[dict[str, Any]],
             counterfactual: list[dict[str, Any]] | None = None) -> "ReviewForm":
        errors = ErrorSummary()
        values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        end = read_date(form, "period_end", "the date the period ends", errors)
        people = _whole(values.get("people_supported", ""), "the number of people supported", "people-supported", errors)
        counts = {}
        for o in outcomes:
            got = _whole(values.get(f"outcome:{o['id']}", ""), f"how many people achieved '{o['description']}'",
                         f"outcome-{o['id']}", errors)
            if got is not None:
                counts[o["id"]] = got
        observed: dict[str, Any] = {}
        for c in counterfactual or []:
            ob = {"events": _whole(values.get(f"events:{c['id']}", ""), f"how many of them: '{c['description']}'",
                                   f"events-{c['id']}", errors)}
            if c["baseline"]["kind"] == "comparison":
                ob["comparison_people"] = _whole(values.get(f"cpeople:{c['id']}", ""),
                                                 "the number of people in the comparison group", f"cpeople-{c['id']}", errors)
                ob["comparison_events"] = _whole(values.get(f"cevents:{c['id']}", ""),
                                                 f"how many in the comparison group: '{c['description']}'",
                                                 f"cevents-{c['id']}", errors)
            observed[c["id"]] = ob
        raw = values.get("money_spent", "")
        try:
            spent = number(raw)
        except ValueError:
            spent = None
        if not raw.strip():
            errors.add("Enter the money spent", "money-spent")
        elif spent is None or not 0 <= spent <= 1e13:
            errors.add("The money spent must be a number of pounds, 0 or more, like £38,000", "money-spent")
            spent = None
        if errors:
            return cls(None, values, errors)
        out = {"period_end": end.isoformat() if end else None, "people_supported": people, "outcomes": counts,
               "money_spent": spent}
        if observed:
            out["observed"] = observed
        note = values.get("note", "").strip()
        if note:
            out["note"] = note[:MAX_TEXT]
        by = values.get("recorded_by", "").strip()
        if by:
            out["recorded_by"] = by
        return cls(out, values, errors)


def _whole(raw: str, what: str, anchor: str, errors: ErrorSummary) -> int | None:
    text = raw.strip().replace(",", "")
    if not text:
        errors.add(f"Enter {what}", anchor)
        return None
    if not re.fullmatch(r"\d{1,9}", text):
        errors.add(f"{what[0].upper()}{what[1:]} must be a whole number, 0 or more, like 95", anchor)
        return None
    return int(text)


def review_anchor(message: str, outcomes: list[dict[str, Any]]) -> str:
    """The field a review's one-line refusal is about (the library names it: ``outcomes.ID``,
    ``people_supported``, ``period_end``, ``money_spent``)."""
    for o in outcomes:
        if f"outcomes.{o['id']}" in message:
            return f"outcome-{o['id']}"
    found = re.search(r"observed\.([a-z0-9-]+)\.(comparison_people|comparison_events)?", message)
    if found:
        return {"comparison_people": "cpeople", "comparison_events": "cevents"}.get(found.group(2) or "", "events") + f"-{found.group(1)}"
    for name, anchor in (("period_end", "period_end-day"), ("people_supported", "people-supported"),
                         ("money_spent", "money-spent"), ("recorded_by", "recorded-by"), ("--by", "recorded-by")):
        if name in message:
            return anchor
    return "period_end-day"
