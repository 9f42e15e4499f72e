"""Third-party files the web app serves from installed packages (never from a CDN at run time)."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def plotly_js() -> Path:
    """plotly.js as shipped inside the Python plotly package (served locally, never a CDN)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the plotly package is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "package_data" / "plotly.min.js"
