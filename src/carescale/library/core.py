"""The :class:`Library`: every definition carescale knows about, checked against each other.

Look-ups by id with one-line errors naming the valid ids, the cross-file checks (every cohort and
spend line in the vocabulary, every reference naming a known document), and copies with one more
area, intervention or set of documents. Reading the files is :mod:`.load`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from pydantic import BaseModel

from ..errors import InputFileError, ModelError, SettingsError, UnknownIdError
from ..schema import Area, Intervention, OverlapSet, PortfolioSet, SourceSet, Vocabulary
from ..schema.case_study import CaseStudy
from ..schema.walk import iter_references


#: Providers of the built-in council profiles (id -> Area), registered from a higher layer:
#: ``import carescale`` registers a stand-in that imports :mod:`carescale.areas.official` on first use.
#: The list lives in :mod:`carescale.io.registry` (light, so ``import carescale`` need not load this).
from ..io.registry import COUNCIL_PROFILES as _COUNCIL_PROFILES, register_council_profiles  # noqa: E402


def council_profiles() -> Mapping[str, Area]:
    """The built-in council profiles built from the shipped official figures, by id (empty when
    none is registered). A library's own areas (packaged or the user's) come first."""
    return _COUNCIL_PROFILES[0]() if _COUNCIL_PROFILES else {}


@dataclass(frozen=True)
class Library:
    """Every definition carescale knows about, checked against each other."""

    interventions: dict[str, Intervention]
    areas: dict[str, Area]
    overlaps: OverlapSet
    vocabulary: Vocabulary
    sources: SourceSet
    portfolios: PortfolioSet
    files: dict[str, Path] = field(default_factory=dict)
    case_studies: dict[str, CaseStudy] = field(default_factory=dict)
    #: Saved area profiles (``carescale areas import``) whose file no longer loads: id -> the
    #: one-line problem. They are left out, so one broken file does not break every command;
    #: asking for one of them gives its problem.
    broken_areas: dict[str, str] = field(default_factory=dict)

    # -- look-ups ------------------------------------------------------------------------------
    def intervention(self, iid: str) -> Intervention:
        try:
            return self.interventions[iid]
        except KeyError:
            raise UnknownIdError("intervention", iid, list(self.interventions)) from None

    def area(self, aid: str) -> Area:
        if not isinstance(aid, str):
            raise SettingsError(f"area: give an area id as text, not {type(aid).__name__} {aid!r}")
        try:
            return self.areas[aid]
        except KeyError:
            if aid in self.broken_areas:
                raise InputFileError(
                    f"{self.broken_areas[aid]} (fix the file, or remove it with 'carescale areas remove {aid}')"
                ) from None
            builtin = council_profiles()
            if aid in builtin:
                return builtin[aid]
            raise UnknownIdError("area", aid, list(self.areas)) from None

    def portfolio(self, pid: str | None = None) -> tuple[Intervention, ...]:
        """The interventions of a named portfolio (the default one if ``pid`` is None)."""
        pid = pid or self.portfolios.default
        if pid not in self.portfolios.portfolios:
            raise UnknownIdError("portfolio", pid, list(self.portfolios.portfolios))
        return tuple(self.intervention(i) for i in self.portfolios.portfolios[pid].interventions)

    def select(self, ids: Iterable[str] | None) -> tuple[Intervention, ...]:
        """The named interventions, or the default portfolio when ``ids`` is None. Each may be
        named once; a bare string is refused (it is not a list of ids)."""
        if ids is not None:
            ids = check_id_list(ids, "interventions")
        chosen = self.portfolio() if ids is None else tuple(self.intervention(i) for i in ids)
        for iv in chosen:
            self.require_runnable(iv)
        return chosen

    @property
    def runnable(self) -> dict[str, Intervention]:
        """The interventions the engine can run (``status: runnable``)."""
        return {i: iv for i, iv in self.interventions.items() if iv.status == "runnable"}

    def require_runnable(self, iv: Intervention) -> Intervention:
        """``iv``, or a :class:`ModelError` if it is a promising model (no numbers to run it)."""
        if iv.status != "runnable":
            raise ModelError(
                f"intervention {iv.id!r} cannot be run: it is a promising model and the seeds do "
                f"not give {'; '.join(iv.missing_numbers)} (see 'carescale evidence show {iv.id}'); "
                f"runnable models are: {', '.join(sorted(self.runnable))}"
            )
        return iv

    def case_study(self, cid: str) -> CaseStudy:
        try:
            return self.case_studies[cid]
        except KeyError:
            raise UnknownIdError("case study", cid, list(self.case_studies)) from None

    # -- checks across files -------------------------------------------------------------------
    def check_area(self, area: Area, name: str) -> Area:
        vocab = self.vocabulary
        for key in area.cohorts:
            if key not in vocab.cohorts:
                raise InputFileError(
                    f"{name}: cohorts.{key}: unknown cohort; valid cohorts are: "
                    f"{', '.join(sorted(vocab.cohorts))}"
                )
        for key in area.spend:
            if key not in vocab.spend_lines:
                raise InputFileError(
                    f"{name}: spend.{key}: unknown spend line; valid spend lines are: "
                    f"{', '.join(sorted(vocab.spend_lines))}"
                )
        for key, q in area.cohorts.items():
            parent = vocab.cohorts[key].within
            if parent and parent in area.cohorts and q.value > area.cohorts[parent].value:
                raise InputFileError(
                    f"{name}: cohorts.{key}: {q.value:,.0f} is larger than the cohort it belongs "
                    f"to, {parent} ({area.cohorts[parent].value:,.0f})"
                )
        for iid, segs in area.provision.items():
            if iid not in self.interventions:
                raise InputFileError(
                    f"{name}: provision.{iid}: unknown intervention; valid ids are: "
                    f"{', '.join(sorted(self.interventions))}"
                )
            valid = [s.id for s in self.interventions[iid].segments]
            for sid in segs:
                if sid not in valid:
                    raise InputFileError(
                        f"{name}: provision.{iid}.{sid}: unknown segment; valid segments of "
                        f"{iid} are: {', '.join(valid)}"
                    )
        self.check_refs(area, name)
        return area

    def check_intervention(self, iv: Intervention, name: str) -> Intervention:
        vocab = self.vocabulary
        for seg in iv.segments:
            for field, sz in (("sizing", seg.sizing), ("sizing.otherwise", seg.sizing.otherwise)):
                c = sz.cohort if sz is not None else None
                if c and c not in vocab.cohorts:
                    raise InputFileError(
                        f"{name}: segments[{seg.id}].{field}.cohort: unknown cohort {c!r}; valid "
                        f"cohorts are: {', '.join(sorted(vocab.cohorts))}"
                    )
            for red in seg.spend_reductions:
                if red.spend_line not in vocab.spend_lines:
                    raise InputFileError(
                        f"{name}: segments[{seg.id}].spend_reductions[{red.id}].spend_line: "
                        f"unknown spend line {red.spend_line!r}; valid spend lines are: "
                        f"{', '.join(sorted(vocab.spend_lines))}"
                    )
        if iv.source and iv.source.area and iv.source.area not in self.areas:
            raise InputFileError(
                f"{name}: source.area: unknown area {iv.source.area!r}; valid areas are: "
                f"{', '.join(sorted(self.areas))}"
            )
        self.check_refs(iv, name)
        from .social import check_wider_benefits

        check_wider_benefits(iv, name)
        return iv

    def check_refs(self, obj: BaseModel, name: str) -> None:
        docs = self.sources.documents
        for loc, ref in iter_references(obj):
            if ref.document not in docs:
                raise InputFileError(
                    f"{name}: {loc}.document: unknown document {ref.document!r}; valid documents "
                    f"are: {', '.join(sorted(docs))}"
                )

    def with_area(self, area: Area, name: str = "<area>") -> "Library":
        """A copy of the library with one more (or a replaced) area profile."""
        self.check_area(area, name)
        broken = {k: v for k, v in self.broken_areas.items() if k != area.id}
        return replace(self, areas={**self.areas, area.id: area}, broken_areas=broken)

    def with_documents(self, documents: dict[str, Any], name: str = "<file>") -> "Library":
        """A copy of the library whose references may also name a file's own ``documents``
        (a local business case); an id of a document in sources.yaml may not be reused."""
        if not documents:
            return self
        clash = sorted(d for d in documents if d in self.sources.documents)
        if clash:
            raise InputFileError(
                f"{name}: documents.{clash[0]}: this id is a document in sources.yaml already; "
                "refer to it without redefining it, or give yours another id"
            )
        return replace(self, sources=SourceSet(documents={**self.sources.documents, **documents}))

    def with_intervention(
        self, iv: Intervention, name: str = "<intervention>", documents: dict[str, Any] | None = None
    ) -> "Library":
        """A copy of the library with one more intervention (a logic model turned into an
        :class:`Intervention`) and the documents its references name, checked like a file of
        the library. An id already used by the library's own models is refused."""
        if iv.id in self.interventions and f"interventions/{iv.id}" in self.files:
            raise InputFileError(
                f"{name}: id: {iv.id!r} is a model in the evidence library; give your model its own id"
            )
        lib = self.with_documents(documents or {}, name)
        lib.check_intervention(iv, name)
        return replace(lib, interventions={**lib.interventions, iv.id: iv})


def check_id_list(ids: Any, what: str) -> list[str]:
    """``ids`` as a list of distinct id strings, or a one-line :class:`SettingsError`."""
    if isinstance(ids, str):
        raise SettingsError(
            f"{what}: give a list of ids, not the text {ids!r} (for example [{ids!r}]; on the "
            f"command line, ids separated by commas)"
        )
    try:
        out = list(ids)
    except TypeError:
        raise SettingsError(f"{what}: give a list of ids, not {type(ids).__name__} {ids!r}") from None
    seen: set[str] = set()
    for i in out:
        if not isinstance(i, str):
            raise SettingsError(f"{what}: every id must be text; got {type(i).__name__} {i!r}")
        if i in seen:
            raise SettingsError(f"{what}: {i!r} is listed twice; list each id once")
        seen.add(i)
    return out
