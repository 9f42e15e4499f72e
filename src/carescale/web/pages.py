"""Server-rendered pages (Jinja2 on GOV.UK Frontend, our own name and colours; docs/web.md).

The routes live in :mod:`carescale.web.routes` (one module per area: journey, results,
evidence, jobs, info) and the rendering in :mod:`carescale.web.templating`; this module keeps
the old names: ``router`` (every page), ``make_templates``, ``render`` and ``error_page``.

Every page works without JavaScript: each step of the journey is a form whose answer becomes a
new scenario document, stored by its content hash, so every step and every result has its own
address (``/s/<id>/models``, ``/s/<id>/assumptions``, ``/scenario/<id>``) and an old address is
never changed. JavaScript only draws the charts (each has a table beside it) and polls the
progress of a background job.
"""

from __future__ import annotations

from .forms import number as _number  # noqa: F401 - the old name
from .policy import Policy
from .routes import pages as router
from .routes.results import reports_available as _reports_available  # noqa: F401 - the old name
from .templating import ERROR_TEXT, error_page, field_id, make_templates, render, see_other

MAX_DRAWS = Policy.max_draws  # the resource policy's default (carescale.web.policy: CARESCALE_MAX_DRAWS)

__all__ = ["ERROR_TEXT", "MAX_DRAWS", "error_page", "field_id", "make_templates", "render", "router", "see_other"]
