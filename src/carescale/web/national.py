"""Every English council from the national files, when the person running the server gives them
(``carescale serve --mye ... --ascof ...``): the same profiles ``carescale national`` builds."""

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
