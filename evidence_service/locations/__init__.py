"""Warehouses, the location tree inside them, and the rules of what may be placed where.

- ``tree``: warehouses and locations (room/zone → shelf → bin), lookups and usage
- ``placement``: the check before anything is placed: hazard classes, segregation, capacity
- ``hazards``: the hazard classes and segregation levels, as pure rules
- ``hazard_table``: loading and checking ``data/hazard_segregation.toml``
"""

from .hazard_table import load_hazard_table, normalise_hazard_classes
from .placement import CapacityExceeded, HazardConflict, Placement, check_placements, room_of
from .tree import (
    LOCATION_CODE_PATTERN,
    Custodian,
    LocationCreate,
    LocationPublic,
    LocationSummary,
    Usage,
    WarehouseCreate,
    WarehousePublic,
    awaiting_destruction_locations,
    create_location,
    create_warehouse,
    get_location,
    get_warehouse,
    list_locations,
    list_warehouses,
    location_public,
    subtree_usage,
    warehouse_agency_id,
    warehouse_public,
)

__all__ = [
    "LOCATION_CODE_PATTERN",
    "CapacityExceeded",
    "HazardConflict",
    "LocationCreate",
    "LocationPublic",
    "LocationSummary",
    "Placement",
    "Usage",
    "Custodian",
    "WarehouseCreate",
    "WarehousePublic",
    "awaiting_destruction_locations",
    "check_placements",
    "create_location",
    "create_warehouse",
    "get_location",
    "get_warehouse",
    "list_locations",
    "list_warehouses",
    "load_hazard_table",
    "location_public",
    "normalise_hazard_classes",
    "room_of",
    "subtree_usage",
    "warehouse_agency_id",
    "warehouse_public",
]
