"""Reading a whole library from a folder laid out like ``carescale/data``, and the packaged one.

Every file is read by the strict YAML reader (:mod:`carescale.io.yaml`), validated into its
schema model, then checked against the others (:class:`~.core.Library`'s checks; case studies
by :mod:`.checks`). :func:`packaged_library` caches the packaged library in memory and on disk.
"""

from __future__ import annotations

import functools
from os import PathLike
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from ..cache import cached, stat_key
from ..errors import InputFileError, expect
from ..io.messages import display_path, load_model
from ..io.paths import DATA_DIR
from ..schema import Area, Intervention, OverlapSet, PortfolioSet, SourceSet, Vocabulary
from ..schema.case_study import CaseStudy
from .checks import check_case_study
from .core import Library

M = TypeVar("M", bound=BaseModel)


def load_area_yaml(path: Path, library: Library) -> Area:
    """Read one area profile from a YAML file and check it against ``library``."""
    area = load_model(Area, path)
    return library.check_area(area, display_path(path))


def load_library(data_dir: Path | str = DATA_DIR) -> Library:
    """Load a whole library from a folder laid out like ``carescale/data``."""
    expect(data_dir, (str, PathLike), "data_dir", "the path of a folder laid out like carescale/data")
    data_dir = Path(data_dir)
    sources = load_model(SourceSet, data_dir / "sources.yaml")
    vocabulary = load_model(Vocabulary, data_dir / "vocabulary.yaml")
    files: dict[str, Path] = {}

    def load_dir(sub: str, model: type[M]) -> dict[str, M]:
        out: dict[str, M] = {}
        for path in sorted((data_dir / sub).glob("*.yaml")):
            obj = load_model(model, path)
            oid = getattr(obj, "id")
            if oid != path.stem:
                raise InputFileError(
                    f"{display_path(path)}: id: {oid!r} does not match the file name; "
                    f"it must be {path.stem!r}"
                )
            out[oid] = obj
            files[f"{sub}/{oid}"] = path
        return out

    loaded = load_dir("interventions", Intervention)
    # The paper's order: by transformation area (1-5), then by id.
    interventions = dict(sorted(loaded.items(), key=lambda kv: (kv[1].transformation_area, kv[0])))
    areas = load_dir("areas", Area)
    overlaps = load_model(OverlapSet, data_dir / "overlaps.yaml")
    portfolios = load_model(PortfolioSet, data_dir / "portfolios.yaml")
    has_cases = (data_dir / "case_studies").is_dir()
    case_studies = load_dir("case_studies", CaseStudy) if has_cases else {}
    lib = Library(
        interventions, areas, overlaps, vocabulary, sources, portfolios, files,
        case_studies=case_studies,
    )
    pf_name = display_path(data_dir / "portfolios.yaml")
    for pid, pf in portfolios.portfolios.items():
        for iid in pf.interventions:
            if iid not in interventions:
                raise InputFileError(
                    f"{pf_name}: portfolios.{pid}.interventions: unknown intervention {iid!r}; "
                    f"valid ids are: {', '.join(sorted(interventions))}"
                )
            if interventions[iid].status != "runnable":
                raise InputFileError(
                    f"{pf_name}: portfolios.{pid}.interventions: {iid!r} is a promising model "
                    f"with no numbers to run it; a portfolio lists runnable models only: "
                    f"{', '.join(sorted(lib.runnable))}"
                )
    lib.check_refs(portfolios, pf_name)
    for iid, iv in interventions.items():
        lib.check_intervention(iv, display_path(files[f"interventions/{iid}"]))
    for aid, area in areas.items():
        lib.check_area(area, display_path(files[f"areas/{aid}"]))
    ov_name = display_path(data_dir / "overlaps.yaml")
    for ov in overlaps.overlaps:
        for iid in ov.interventions:
            if iid not in interventions:
                raise InputFileError(
                    f"{ov_name}: overlaps[{ov.id}].interventions: unknown intervention {iid!r}; "
                    f"valid ids are: {', '.join(sorted(interventions))}"
                )
    check_overlap_payers(overlaps, interventions, ov_name)
    lib.check_refs(overlaps, ov_name)
    for cid, cs in case_studies.items():
        check_case_study(lib, cs, display_path(files[f"case_studies/{cid}"]))
    return lib


def person_payers(iv) -> set[str]:
    """The payers an intervention saves money for per person (its outcomes, and the netted
    full costs added back to its gross saving)."""
    out = {o.payer for seg in iv.segments for o in seg.outcomes}
    return out | {fc.payer for fc in iv.full_costs if fc.netted}


def check_overlap_payers(overlaps, interventions, name: str) -> None:
    """Every overlapping pair is deducted on every payer both its schemes save money for per
    person: a missing payer is refused in one line."""
    have = {(tuple(sorted(o.interventions)), o.payer) for o in overlaps.overlaps}
    for ov in overlaps.overlaps:
        a, b = (interventions[i] for i in ov.interventions)
        for payer in sorted(person_payers(a) & person_payers(b)):
            if (tuple(sorted(ov.interventions)), payer) not in have:
                raise InputFileError(
                    f"{name}: overlaps[{ov.id}]: {a.id} and {b.id} both save {payer} money per person, "
                    f"but no overlap of the pair has payer: {payer}; add one (in_paper: false if the paper leaves it out)"
                )


@functools.lru_cache(maxsize=1)
def packaged_library() -> Library:
    """The library shipped with carescale, without the user's saved areas (cached in memory,
    and on disk by its files: :mod:`carescale.cache`, so a new process skips the YAML parsing,
    validation and cross-checks when neither the data nor the code has changed)."""
    files = sorted(p for p in DATA_DIR.rglob("*") if p.is_file())
    key = stat_key(files, [str(p.relative_to(DATA_DIR)) for p in files])
    return cached("library", key, lambda: load_library(DATA_DIR))
