"""Helpers shared by the conversation modules: inputs validated into one-line errors, the
council's built-in profile, who did something."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import ConversationError
from ..io.messages import format_validation_error

M = TypeVar("M", bound=BaseModel)


def parse_input(model: type[M], data: Any, name: str) -> M:
    """``data`` validated into ``model``; a problem is one :class:`ConversationError` line naming
    ``name``, the field, the bad value and what is valid."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConversationError(format_validation_error(name, exc, data)) from None


def council_area_id(code: str) -> str:
    """The built-in profile id of a council (``E08000025`` -> ``birmingham-official``)."""
    import carescale.areas  # noqa: F401 - registers the council profiles
    from ..library.core import council_profiles
    from ..official.boundaries import APRIL_2023_RECODES

    code = next((r.new for r in APRIL_2023_RECODES if r.old == code), code)
    for aid, area in council_profiles().items():
        if getattr(area, "ons_code", None) == code:
            return aid
    raise ConversationError(f"council: {code!r} has no built-in profile; give an ONS code such as E08000025 (Birmingham)")


def who(by: str | None) -> str:
    """The person or account that did something (the operating-system user when not given)."""
    if by:
        return by[:200]
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user name in the environment
        return "unknown"
