"""The web interface: server-rendered pages for keepers (and, later, managers and councils).

``install(app)`` adds the pages and serves ``static/`` at ``/static``. How to add a page:

1. a module in ``pages/`` with ``router = APIRouter(route_class=WebRoute, ...)`` and handlers
   taking ``UserPage`` (GET) or ``FormPage`` (POST, CSRF checked) from ``context``;
2. its router in ``pages.ROUTERS``; a navigation entry in ``context.NAV`` if it has one;
3. a template in ``templates/`` extending ``base.html``; every string in
   ``evidence_service/i18n/vi.toml`` and ``en.toml`` (``tests/test_i18n.py`` checks both
   have the same keys).
"""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .context import STATIC_DIR
from .pages import ROUTERS

__all__ = ["STATIC_DIR", "install"]


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
