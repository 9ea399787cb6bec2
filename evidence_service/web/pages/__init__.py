"""The page routers. A new page module adds its ``router`` to ``ROUTERS``."""

from fastapi import APIRouter

from . import intake, items, labels, locations, login, scan

ROUTERS: list[APIRouter] = [
    login.router,
    scan.router,
    intake.router,
    items.router,
    locations.router,
    labels.router,
]
