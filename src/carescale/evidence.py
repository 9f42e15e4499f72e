"""The evidence base: browsing and searching care models and case studies, and checking figures.

Three things live here, all library functions the CLI (``carescale evidence ...``) only wraps:

* **The figure check.** Every *published* number must be one of the numbers written in the
  verbatim quote it cites (see :mod:`carescale.library.checks`, which the library runs on every
  case study it loads; its names are re-exported here: :func:`numbers_in`,
  :func:`figure_in_quote`, :func:`figure_problems`, :func:`check_case_study`,
  :func:`load_case_study_file`). See docs/evidence.md.
* **Browsing.** :func:`records` lists every model and case study as a flat :class:`Record`
  (kind, id, name, transformation areas, target group, payers who save, evidence level).
* **Search.** :func:`search` ranks records for a free-text query with BM25 (``rank_bm25``) over
  stemmed words (Snowball, ``snowballstemmer``) with a short list of synonyms, and filters by
  transformation area, target group, payer and minimum evidence level. No network, no models.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

from .errors import SettingsError, UnknownIdError
from .library import default_library
from .library.checks import check_case_study, figure_in_quote, figure_problems, numbers_in
from .library.checks import (  # noqa: F401 (the figure check's private names, as before the move)
    _FRACTIONS,
    _NUMBER,
    _SCALE,
    _SUFFIX,
    _TENS_WORDS,
    _UNITS_WORDS,
    _WORD,
    _scale,
)
from .library.files import load_case_study_file
from .schema import PAYERS, Intervention, Quantity
from .schema.case_study import CaseStudy
from .schema.walk import iter_quantities, iter_references

__all__ = [
    "Hit",
    "Record",
    "case_studies_for",
    "check_case_study",
    "detail",
    "figure_in_quote",
    "figure_problems",
    "load_case_study_file",
    "model_payers",
    "numbers_in",
    "record",
    "records",
    "search",
    "tokens",
]

# -- browsing ------------------------------------------------------------------------------------

Kind = Literal["model", "case study"]


@dataclass(frozen=True)
class Record:
    """One entry of the evidence base, flattened for listing, filtering and search."""

    kind: Kind
    id: str
    name: str
    status: str  # runnable / promising for models; 'case study' for case studies
    transformation_areas: tuple[int, ...]
    target_group: str
    payers: tuple[str, ...]  # who the evidence says saves
    level: int
    summary: str
    place: str = ""
    links: tuple[str, ...] = ()  # case studies of a model, or models of a case study
    text: str = ""  # everything searchable

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "transformation_areas": list(self.transformation_areas),
            "target_group": self.target_group,
            "payers": list(self.payers),
            "evidence_level": self.level,
            "place": self.place,
            "links": list(self.links),
            "summary": self.summary,
        }


def model_payers(iv: Intervention) -> tuple[str, ...]:
    """Who saves money under a model: the payers of its outcomes and spend reductions (runnable
    models) or the payers its sources name (``savings_to``, promising models)."""
    found = set(iv.savings_to)
    for seg in iv.segments:
        found |= {o.payer for o in seg.outcomes} | {r.payer for r in seg.spend_reductions}
    return tuple(p for p in PAYERS if p in found)


def _model_text(iv: Intervention, cases: list[CaseStudy]) -> str:
    parts = [iv.name, iv.name, iv.name, iv.target_group, iv.target_group, " ".join(iv.keywords)]
    parts += [" ".join(iv.keywords), iv.description, iv.evidence]
    if iv.source:
        parts += [iv.source.site, iv.source.description]
    parts += [r.quote for r in iv.references]
    parts += [o.description for o in iv.reported_outcomes]
    for seg in iv.segments:
        parts += [seg.description] + [o.description for o in seg.outcomes]
    parts += [c.place for c in cases]  # a model is found by the places it was tried
    parts += _reference_text(iv)
    return " ".join(parts)


def _reference_text(obj: Any) -> list[str]:
    """The distinct section headings and quotes an object cites (headings such as 'Helping
    isolated older people - Community Agents' say what a passage is about)."""
    seen: dict[str, None] = {}
    for _, ref in iter_references(obj):
        seen.setdefault(ref.section, None)
        seen.setdefault(ref.quote, None)
    return list(seen)


def _case_text(cs: CaseStudy) -> str:
    parts = [cs.name, cs.name, cs.place, cs.place, cs.target_group, cs.target_group]
    parts += [cs.what_was_done, " ".join(cs.organisations)]
    parts += [r.description for r in cs.results] + [r.value.ref.quote for r in cs.results]
    parts += [f.text for f in cs.findings] + _reference_text(cs)
    return " ".join(parts)


def records(library: Any = None) -> list[Record]:
    """Every model and case study in the evidence base, models first (by transformation area)."""
    lib = library or default_library()
    by_model: dict[str, list[CaseStudy]] = {}
    for cs in lib.case_studies.values():
        for mid in cs.models:
            by_model.setdefault(mid, []).append(cs)
    out: list[Record] = []
    for iv in lib.interventions.values():
        cases = by_model.get(iv.id, [])
        out.append(
            Record(
                kind="model", id=iv.id, name=iv.name, status=iv.status,
                transformation_areas=(iv.transformation_area,), target_group=iv.target_group,
                payers=model_payers(iv), level=iv.evidence_grade.level,
                summary=_first_sentence(iv.description),
                place=iv.source.site if iv.source else "",
                links=tuple(c.id for c in cases), text=_model_text(iv, cases),
            )
        )
    for cs in lib.case_studies.values():
        models = [lib.interventions[m] for m in cs.models]
        areas = tuple(sorted({m.transformation_area for m in models}))
        out.append(
            Record(
                kind="case study", id=cs.id, name=cs.name, status="case study",
                transformation_areas=areas, target_group=cs.target_group,
                payers=tuple(p for p in PAYERS if p in cs.savings_to),
                level=cs.evidence_grade.level, summary=_first_sentence(cs.what_was_done),
                place=cs.place, links=cs.models, text=_case_text(cs),
            )
        )
    return out


def _first_sentence(text: str) -> str:
    m = re.match(r"(.+?[.!?])(\s|$)", text.strip())
    return m.group(1) if m else text.strip()


def record(rid: str, library: Any = None) -> Intervention | CaseStudy:
    """The full model or case study with id ``rid``."""
    lib = library or default_library()
    if rid in lib.interventions:
        return lib.interventions[rid]
    if rid in lib.case_studies:
        return lib.case_studies[rid]
    raise UnknownIdError("evidence record", rid, [*lib.interventions, *lib.case_studies])


def case_studies_for(model_id: str, library: Any = None) -> list[CaseStudy]:
    """The case studies that are evidence for a model."""
    lib = library or default_library()
    return [cs for cs in lib.case_studies.values() if model_id in cs.models]


# -- search --------------------------------------------------------------------------------------

_STEMMER = None

#: Words a commissioner may use for the same thing. Each group is expanded both ways: a query
#: word in a group also searches for the group's other words (at a lower weight).
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("lonely", "loneliness", "isolated", "isolation", "alone", "connected", "connection"),
    ("older", "elderly", "aged", "over 60", "over 65"),
    ("home", "housing", "accommodation"),
    ("micro-enterprise", "micro-enterprises", "micro-providers", "community enterprises"),
    ("carer", "carers", "family"),
    ("technology", "telecare", "telehealth", "assistive", "digital", "sensors"),
    ("dementia", "alzheimer"),
    ("mental health", "mental health needs"),
    ("work", "employment", "job", "training"),
    ("gp", "general practice", "primary care", "social prescribing"),
)
SYNONYM_WEIGHT = 0.5
#: BM25 parameters: the usual k1, and a lower length penalty than the usual 0.75, because the
#: runnable models carry long definitions that say no more about their subject than a short one.
BM25_K1 = 1.5
BM25_B = 0.5
_STOP = frozenset(
    "a an and are as at be by for from has have in into is it its of on or that the their them "
    "they this to was were which who with people person".split()
)


@functools.lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    global _STEMMER
    if _STEMMER is None:
        import snowballstemmer

        _STEMMER = snowballstemmer.stemmer("english")
    return _STEMMER.stemWord(word)


@functools.lru_cache(maxsize=4096)
def _text_tokens(text: str) -> tuple[str, ...]:
    """:func:`tokens` of a record's text, remembered, so that reloading an unchanged library does
    not stem everything again."""
    return tuple(tokens(text))


def tokens(text: str) -> list[str]:
    """Lower-case, stemmed words of ``text`` without stop words ('disabilities' -> 'disabl')."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("&", " and "))
    return [_stem(w) for w in words if w not in _STOP]


@functools.lru_cache(maxsize=1)
def _synonym_map() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for group in SYNONYMS:
        stems = {t for phrase in group for t in tokens(phrase)}
        for s in stems:
            out.setdefault(s, set()).update(stems - {s})
    return out


_INDEX: dict[int, tuple[Any, list[Record], Any]] = {}


def _index(library: Any = None) -> tuple[list[Record], Any]:
    """The records of a library and their BM25 index, built once per library (libraries are
    immutable)."""
    from rank_bm25 import BM25Okapi

    lib = library or default_library()
    hit = _INDEX.get(id(lib))
    if hit is None or hit[0] is not lib:
        recs = records(lib)
        bm25 = BM25Okapi([list(_text_tokens(r.text)) for r in recs], k1=BM25_K1, b=BM25_B)
        _INDEX.clear()  # one library at a time: a reloaded library replaces the old index
        hit = _INDEX[id(lib)] = (lib, recs, bm25)
    return hit[1], hit[2]


@dataclass(frozen=True)
class Hit:
    record: Record
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {**self.record.as_dict(), "score": round(self.score, 4)}


def _matches_target(rec: Record, target_group: str) -> bool:
    want = set(tokens(target_group))
    have = set(tokens(rec.target_group))
    syn = _synonym_map()
    return all(w in have or (syn.get(w, set()) & have) for w in want)


def search(
    query: str = "",
    *,
    area: int | None = None,
    target_group: str | None = None,
    payer: str | None = None,
    min_level: int | None = None,
    kind: str | None = None,
    library: Any = None,
    limit: int | None = None,
) -> list[Hit]:
    """Rank the evidence base for ``query`` and apply the filters.

    Ranking is BM25 (Okapi) over stemmed words of each record's name and target group (counted
    several times, so they weigh more), description, places, results and quotes; query words
    also search their synonyms (:data:`SYNONYMS`) at half weight. Records that match no query
    word are left out. An empty query lists every record that passes the filters.

    Filters: ``area`` (transformation area 1-5; a case study is in the areas of its models),
    ``target_group`` (every word, or a synonym, must be in the record's target group),
    ``payer`` (``asc`` or ``nhs`` saves money), ``min_level`` (Nesta level at least this) and
    ``kind`` ('model' or 'case study')."""
    if not isinstance(query, str):
        raise SettingsError(f"query: give words to look for as text, not {type(query).__name__} {query!r}")
    for label, val in (("transformation_area", area), ("min_level", min_level), ("limit", limit)):
        if val is not None and (isinstance(val, bool) or not isinstance(val, int)):
            raise SettingsError(f"{label}: {val!r} is not a whole number")
    if limit is not None and limit < 1:
        raise SettingsError(f"limit: {limit} is not valid; give how many to show at most, 1 or more")
    if area is not None and not 1 <= area <= 5:
        raise SettingsError(f"transformation_area: {area} is not a transformation area; valid areas are 1 to 5")
    if payer is not None and payer not in PAYERS:
        raise SettingsError(f"payer: {payer!r} is not valid; valid payers are: {', '.join(PAYERS)}")
    if min_level is not None and not 1 <= min_level <= 5:
        raise SettingsError(
            f"min-level: {min_level} is not a Nesta Standards of Evidence level; valid levels are 1 to 5"
        )
    if kind is not None and kind not in ("model", "case study"):
        raise SettingsError(f"kind: {kind!r} is not valid; valid kinds are: model, case study")
    recs, bm25 = _index(library)
    q = tokens(query)
    if q:
        syn = _synonym_map()
        scores = [0.0] * len(recs)
        for term in dict.fromkeys(q):
            for i, s in enumerate(bm25.get_scores([term])):
                scores[i] += max(s, 0.0)
            for other in syn.get(term, set()) - set(q):
                for i, s in enumerate(bm25.get_scores([other])):
                    scores[i] += SYNONYM_WEIGHT * max(s, 0.0)
        hits = [Hit(r, float(s)) for r, s in zip(recs, scores) if s > 0]
        hits.sort(key=lambda h: (-h.score, h.record.kind != "model", h.record.id))
    else:
        hits = [Hit(r, 0.0) for r in recs]
    out = [
        h for h in hits
        if (area is None or area in h.record.transformation_areas)
        and (target_group is None or _matches_target(h.record, target_group))
        and (payer is None or payer in h.record.payers)
        and (min_level is None or h.record.level >= min_level)
        and (kind is None or h.record.kind == kind)
    ]
    return out[:limit] if limit is not None else out


# -- one record in full ----------------------------------------------------------------------------


def _ref_dict(ref: Any, docs: dict[str, Any]) -> dict[str, Any]:
    doc = docs.get(ref.document)
    return {
        "document": ref.document,
        "title": doc.title if doc else "",
        "publisher": doc.publisher if doc else "",
        "date": doc.date if doc else "",
        "section": ref.section,
        "quote": ref.quote,
    }


def _quantity_dict(q: Quantity, docs: dict[str, Any]) -> dict[str, Any]:
    out = {"value": q.value, "unit": q.unit, "status": q.status}
    for key in ("price_year", "period", "derivation", "note"):
        if getattr(q, key):
            out[key] = getattr(q, key)
    out["ref"] = _ref_dict(q.ref, docs)
    return out


def detail(rid: str, library: Any = None) -> dict[str, Any]:
    """Everything about one model or case study, with full references (document titles), the
    case studies of a model or the models of a case study: what ``carescale evidence show``
    prints."""
    lib = library or default_library()
    obj = record(rid, lib)
    docs = lib.sources.documents
    grade = {"scale": obj.evidence_grade.scale, "level": obj.evidence_grade.level,
             "reason": obj.evidence_grade.reason}
    if isinstance(obj, Intervention):
        out: dict[str, Any] = {
            "kind": "model", "id": obj.id, "name": obj.name, "status": obj.status,
            "transformation_area": obj.transformation_area,
            "transformation_area_note": obj.transformation_area_note,
            "description": obj.description, "target_group": obj.target_group,
            "keywords": list(obj.keywords), "payers": list(model_payers(obj)),
            "evidence": obj.evidence, "evidence_grade": grade,
            "evidence_ref": _ref_dict(obj.evidence_ref, docs),
            "references": [_ref_dict(r, docs) for r in obj.references],
            "missing_numbers": list(obj.missing_numbers),
            "source": None if obj.source is None else {
                "site": obj.source.site, "period": obj.source.period,
                "description": obj.source.description, "ref": _ref_dict(obj.source.ref, docs),
            },
            "figures": [{"field": loc, **_quantity_dict(q, docs)} for loc, q in iter_quantities(obj)
                        if not loc.startswith("source")],
            "case_studies": [{"id": c.id, "name": c.name, "place": c.place, "period": c.period}
                             for c in case_studies_for(obj.id, lib)],
            "barriers": list(obj.barriers), "enablers": list(obj.enablers),
            "calibration": obj.calibration,
            "plain_english": [{"label": k, "text": v} for k, v in plain_english(obj)],
        }
        return out
    return {
        "kind": "case study", "id": obj.id, "name": obj.name, "place": obj.place,
        "period": obj.period, "organisations": list(obj.organisations),
        "what_was_done": obj.what_was_done, "target_group": obj.target_group,
        "models": [{"id": m, "name": lib.interventions[m].name,
                    "status": lib.interventions[m].status} for m in obj.models],
        "payers": [p for p in PAYERS if p in obj.savings_to],
        "results": [{"id": r.id, "description": r.description, **_quantity_dict(r.value, docs)}
                    for r in obj.results],
        "findings": [{"text": f.text, "ref": _ref_dict(f.ref, docs)} for f in obj.findings],
        "references": [_ref_dict(r, docs) for r in obj.refs],
        "evidence_grade": grade,
    }


#: What each level of Nesta's Standards of Evidence means, in plain words.
LEVEL_MEANINGS = {
    1: "a clear account of what the model does and why it should work, but no outcome data",
    2: "data showing positive change, but nothing showing the model caused it (no comparison group)",
    3: "a comparison group showing the model caused the change",
    4: "independent evaluations confirming it, with cost data",
    5: "manuals and systems showing it can be replicated at scale",
}
_WHO = {"asc": "the council (adult social care)", "nhs": "the NHS"}


def _money(q: Quantity | None) -> str:
    if q is None:
        return ""
    from .formatting import money

    return f"{money(q.value)} a person a year ({q.price_year} prices)"


def plain_english(iv: Intervention) -> list[tuple[str, str]]:
    """A model in plain words, before any figure table: what it is, who it is for, what it costs,
    what it saves whom, how strong the evidence is (and, for a model calibrated to one site, which
    site and what a council must add). The same lines on ``carescale interventions show``,
    ``carescale evidence show`` and the web's evidence page."""
    out = [("What it is", iv.description), ("Who it is for", iv.target_group)]
    costs = iv.plain_costs
    if costs is None and iv.status == "runnable":
        per = [f"{seg.description}: " + (_money(seg.unit_cost) if seg.unit_cost.value else "no separate cost (the savings are net of it)")
               for seg in iv.segments if seg.unit_cost]
        shares = ", ".join(f"{_WHO[p]} {q.value:.0%}" for p, q in iv.cost_shares.items() if q.value)
        costs = ("; ".join(per) if per else "No running cost per person in the source") + (
            f"; paid by {shares}" if shares else "")
        if iv.setup is not None:
            costs += f"; set-up {_money(iv.setup.cost).replace(' a person a year', '')} for every {iv.setup.per.value:,.0f} places"
    if costs is None:
        costs = "Not known: the sources do not give a cost (see what is missing below)."
    out.append(("What it costs", costs))
    saves = iv.plain_savings
    if saves is None and iv.status == "runnable":
        parts = []
        for seg in iv.segments:
            for o in seg.outcomes:
                share = f"{o.rate.value:.0%} of people: " if o.rate is not None else ""
                parts.append(f"{_WHO[o.payer]}: {o.description} ({share}{_money(o.unit_saving)})")
            for r in seg.spend_reductions:
                parts.append(f"{_WHO[r.payer]}: {r.description} ({r.reduction.value:.0%} of the area's spend on {r.spend_line.replace('_', ' ')})")
        saves = "; ".join(parts)
    elif saves is None:
        who = " and ".join(_WHO[p] for p in PAYERS if p in iv.savings_to)
        saves = f"The sources say it saves {who}, but not how much." if who else "The sources do not say who saves, or how much."
    out.append(("What it saves, and for whom", saves))
    level = iv.evidence_grade.level
    out.append(("How strong the evidence is",
                f"Level {level} of 5 on Nesta's Standards of Evidence: {LEVEL_MEANINGS[level]}. {iv.evidence}"))
    if iv.calibration:
        out.append(("Calibration", iv.calibration))
    if iv.missing_numbers:
        label = "What a council must add" if iv.status == "runnable" else "What is missing before it can be run"
        out.append((label, "; ".join(iv.missing_numbers)))
    return out
