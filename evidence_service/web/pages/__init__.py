"""The page routers. A new page module adds its ``router`` to ``ROUTERS``."""

from fastapi import APIRouter

from . import (
    account,
    approvals,
    cases,
    custody_checks,
    dashboard,
    destruction,
    downloads,
    environment,
    facilities,
    handovers,
    imports,
    intake,
    item_photos,
    items,
    labels,
    locations,
    login,
    scan,
    shortlinks,
    stocktakes,
)

ROUTERS: list[APIRouter] = [
    login.router,
    scan.router,
    intake.router,
    handovers.router,
    items.router,
    item_photos.router,
    approvals.router,
    account.router,
    cases.router,
    locations.router,
    labels.router,
    dashboard.router,
    destruction.router,
    environment.router,
    facilities.router,
    stocktakes.router,
    imports.router,
    downloads.router,
    custody_checks.router,
    shortlinks.router,
]
