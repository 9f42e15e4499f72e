"""The web app's routes, one module per area (docs/web.md):

* :mod:`.journey`: the start page and the three steps (area, care models, assumptions);
* :mod:`.results`: the result page, the larger analysis and the downloads;
* :mod:`.settings`: a scenario's appraisal settings (issue 26);
* :mod:`.compare`: a result against its baseline or a saved scenario; saved scenarios (issue 26);
* :mod:`.evidence`: the evidence browser;
* :mod:`.jobs`: a background job's page;
* :mod:`.plans`: the logic-model builder, plans and reviews (issue 24);
* :mod:`.plans_api`: the same cycle in the JSON API;
* :mod:`.optimise`: the optimiser's pages (issue 26);
* :mod:`.national`: England, its regions and every council (issue 26);
* :mod:`.conversations`: a local conversation's pack, response form, report, public plan and staff pages (issue 28);
* :mod:`.info`: accessibility, privacy and the API's documentation page;
* :mod:`.accounts`: signing in and out, the account page, password reset, an organisation's members (issue 27);
* :mod:`.sso`: single sign-on through an organisation's identity provider (issue 27);
* :mod:`.api`: the JSON API under ``/api/v1/``.

The route modules do not import each other (an import-linter contract); what they share is in
:mod:`.common`, :mod:`carescale.web.forms` (form models and their error-summary items),
:mod:`carescale.web.templating` and :mod:`carescale.web.service`.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import (accounts, compare, conversations, evidence, info, jobs, journey, national, optimise, plans, results,
               settings, sso)

#: every page (the JSON API's router is :data:`carescale.web.routes.api.router`)
pages = APIRouter(include_in_schema=False)
for _module in (journey, info, results, compare, settings, jobs, evidence, plans, optimise, national, conversations,
                accounts, sso):
    pages.routes.extend(_module.router.routes)  # the routes themselves (one flat list, in this order)

__all__ = ["pages"]
