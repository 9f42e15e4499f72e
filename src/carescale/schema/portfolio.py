"""Named sets of interventions (``data/portfolios.yaml``)."""

from __future__ import annotations

from pydantic import Field, model_validator

from .base import Reference, StrictModel


class Portfolio(StrictModel):
    name: str
    interventions: tuple[str, ...] = Field(min_length=1)
    ref: Reference


class PortfolioSet(StrictModel):
    default: str
    portfolios: dict[str, Portfolio]

    @model_validator(mode="after")
    def _check(self) -> "PortfolioSet":
        if self.default not in self.portfolios:
            raise ValueError(
                f"default: {self.default!r} is not one of the portfolios: {', '.join(self.portfolios)}"
            )
        return self
