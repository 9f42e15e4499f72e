"""Every English council for the area choice: the 153 built-in profiles from official figures
(:func:`builtin_councils`, always there), or, when the person running the server gives the files
(``carescale serve --mye ... --ascof ...``), the profiles ``carescale national --mye --ascof`` builds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class NationalAreas:
    """Council profiles by id, in name order, with the figures estimated for each."""

    profiles: dict[str, Any]  # id -> CouncilProfile

    def choices(self) -> list[tuple[str, str]]:
        return sorted(((pid, p.area.name) for pid, p in self.profiles.items()), key=lambda t: t[1])

    def area(self, area_id: str) -> Any | None:
        prof = self.profiles.get(area_id)
        return None if prof is None else prof.area


def load_national(mye: Path, ascof: Path, boundaries: str = "2023") -> NationalAreas:
    from ..national import build_profiles
    from ..official import read_ascof, read_mye

    inputs = build_profiles(read_mye(mye), read_ascof(ascof), boundaries)
    return NationalAreas({p.area.id: p for p in inputs.councils})


@dataclass(frozen=True)
class BuiltinCouncils:
    """The built-in council profiles (:mod:`carescale.areas.official`) by id, in name order: a
    choice is saved as the profile's id, which every entry point resolves."""

    names: dict[str, str]  # id -> council name

    def choices(self) -> list[tuple[str, str]]:
        return sorted(self.names.items(), key=lambda t: t[1])

    def area(self, area_id: str) -> Any | None:
        if area_id not in self.names:
            return None
        from ..library import default_library

        return default_library().area(area_id)


def builtin_councils() -> BuiltinCouncils:
    from ..areas.official import official_profiles

    return BuiltinCouncils({aid: p.area.name for aid, p in official_profiles().items()})
