"""The unit-cost library: one place for what a unit of care costs, by council and year, with its
source (``data/unit_costs.yaml``, schema :mod:`carescale.schema.unit_cost`).

:func:`unit_cost_library` reads the kinds and any figures given outright, and takes each kind's
per-council figure from the shipped official data (:func:`.councils.read_council_figures`):
ASC-FR 2021-22 Tables 51-52 (a care-home week, a home-care hour) for every council, the NHS
National Cost Collection 2023/24 (an A&E attendance, a non-elective admission) for England. A
user's own figures (:func:`read_user_unit_costs`, files in ``$CARESCALE_HOME/unit_costs/``) come
first. :meth:`UnitCostLibrary.get` answers one council's figure of one kind: the user's, else
the council's official one, else England's (the note says so). A code retired in April 2023
on the same footprint (Somerset E10000027) is read as its successor's. Re-pricing to a scenario's price
base is :mod:`carescale.prices`' job, as for every money figure.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from ..config import user_home
from ..errors import InputFileError
from ..io.messages import display_path, load_model
from ..io.paths import DATA_DIR
from ..schema.base import Reference
from ..schema.unit_cost import UnitCost, UnitCostKind, UnitCostSet, UserUnitCosts
from .boundaries import APRIL_2023_RECODES
from .councils import ENGLAND, read_council_figures

#: A code retired in April 2023 for a council on the same footprint (Somerset, North Yorkshire):
#: the official figures are kept under the new code.
SAME_FOOTPRINT = {r.old: r.new for r in APRIL_2023_RECODES}

PACKAGED = DATA_DIR / "unit_costs.yaml"


def user_unit_costs_dir() -> Path:
    """Where a user's unit-cost files live: ``$CARESCALE_HOME/unit_costs/*.yaml``."""
    return user_home() / "unit_costs"


@dataclass(frozen=True)
class UnitCostLibrary:
    kinds: dict[str, UnitCostKind]
    given: tuple[UnitCost, ...] = ()  # from data/unit_costs.yaml
    user: tuple[UnitCost, ...] = ()  # from the user's files
    _official: dict = field(default_factory=dict, repr=False, compare=False)

    def kind(self, kind: str) -> UnitCostKind:
        try:
            return self.kinds[kind]
        except KeyError:
            raise InputFileError(
                f"unit cost: unknown kind {kind!r}; the kinds are: {', '.join(sorted(self.kinds))}"
            ) from None

    def official(self, kind: str, council: str) -> UnitCost | None:
        """The official figure of ``kind`` for ``council`` (England's for a national kind), or
        None when the series has no figure for it."""
        k = self.kind(kind)
        if k.official is None:
            return None
        code = ENGLAND if k.official.national else council
        key = (kind, code)
        if key not in self._official:
            if "figures" not in self._official:  # read once per library, not once per council and kind
                self._official["figures"] = read_council_figures()
            self._official[key] = _official_figure(kind, k, code, self._official["figures"])
        return self._official[key]

    def get(self, kind: str, council: str | None) -> UnitCost:
        """One council's figure of ``kind``: the user's own, a figure given in
        ``data/unit_costs.yaml``, the council's official figure, or England's (noted)."""
        k = self.kind(kind)
        council = SAME_FOOTPRINT.get(council, council) if council else council
        for pool in (self.user, self.given):
            mine = [u for u in pool if u.kind == kind and u.council == council]
            if mine:
                return max(mine, key=lambda u: u.price_year or "")
        found = self.official(kind, council) if council else None
        if found is not None:
            return found
        england = self.official(kind, ENGLAND)
        if england is not None and k.official is not None and k.official.national:
            return england
        if england is None:
            raise InputFileError(f"unit cost {kind}: no figure for {council or 'this area'} and none for England")
        why = "the area has no ONS code" if not council else f"the official series has no figure for {council}"
        return england.model_copy(update={
            "note": f"England's figure: {why}" + (f" ({k.official.series})" if k.official else "")})


def _official_figure(kind: str, k: UnitCostKind, code: str, figs=None) -> UnitCost | None:
    figs = figs if figs is not None else read_council_figures()
    src = k.official
    if src is None:
        return None
    try:
        f = figs.figure(code, src.series)
    except Exception:  # noqa: BLE001 - a council the official data does not hold: no figure
        return None
    if f.value is None or f.value <= 0:
        return None
    s = figs.series[src.series]
    return UnitCost(
        kind=kind, council=code, value=f.value * src.scale, unit=k.unit, price_year=src.price_year,
        status="implied" if f.note else "published", derivation=f.note,
        ref=Reference(document=src.document, section=f"{s.file}, {s.table}, {f.cell}: {f.name} ({code})",
                      quote=f.measure),
    )


def read_user_unit_costs(path: Path | str, kinds: dict[str, UnitCostKind] | None = None) -> tuple[UnitCost, ...]:
    """A user's unit-cost file, validated: every entry's kind known and its unit that kind's.
    Problems raise one :class:`~carescale.errors.InputFileError` line naming the file and field."""
    path = Path(path)
    data = load_model(UserUnitCosts, path)
    kinds = kinds if kinds is not None else _packaged_set().kinds
    name = display_path(path)
    for i, uc in enumerate(data.unit_costs):
        if uc.kind not in kinds:
            raise InputFileError(
                f"{name}: unit_costs[{i}].kind: unknown kind {uc.kind!r}; the kinds are: {', '.join(sorted(kinds))}"
            )
        want = kinds[uc.kind].unit
        if uc.unit != want:
            raise InputFileError(f"{name}: unit_costs[{i}].unit: {uc.unit!r} is not the unit of {uc.kind}; it is {want!r}")
    return data.unit_costs


@functools.lru_cache(maxsize=1)
def _packaged_set() -> UnitCostSet:
    """``data/unit_costs.yaml``, validated once and kept in carescale's disk cache (keyed by the
    file and carescale's source, :func:`carescale.cache.stat_key`): ``carescale run`` does not
    parse the YAML nor build the schema's validators for it in every process (issue 25)."""
    from ..cache import cached, stat_key

    return cached("unit-costs", stat_key([PACKAGED], "UnitCostSet"), lambda: load_model(UnitCostSet, PACKAGED))


def _user_files() -> tuple[tuple[str, int], ...]:
    folder = user_unit_costs_dir()
    try:
        return tuple((str(p), p.stat().st_mtime_ns) for p in sorted(folder.glob("*.yaml"))) if folder.is_dir() else ()
    except OSError:
        return ()


@functools.lru_cache(maxsize=4)
def _library(files: tuple[tuple[str, int], ...]) -> UnitCostLibrary:
    base = _packaged_set()
    user: list[UnitCost] = []
    for path, _ in files:
        user.extend(read_user_unit_costs(path, base.kinds))
    return UnitCostLibrary(dict(base.kinds), base.unit_costs, tuple(user))


def unit_cost_library() -> UnitCostLibrary:
    """The packaged unit-cost library plus the user's own files (cached until a file changes)."""
    return _library(_user_files())
