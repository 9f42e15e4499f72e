"""The web app and JSON API (docs/web.md): ``carescale serve``.

``create_app()`` (in :mod:`carescale.web.app`) builds the FastAPI application. This package
imports FastAPI, Starlette and Jinja2, so nothing reachable from ``import carescale`` or the CLI
modules imports it at module level; ``carescale serve`` imports it inside the command.
"""


def create_app(*args, **kwargs):  # noqa: ANN002,ANN003 - thin re-export
    from .app import create_app as make

    return make(*args, **kwargs)


__all__ = ["create_app"]
