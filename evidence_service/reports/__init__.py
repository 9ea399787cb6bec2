"""Management reports: capacity, hazard conflicts among stored items, ageing.

Plain functions over a session, scoped to the actor's agencies; the routes in
``api/reports.py`` only add the HTTP and CSV shape.

Capacity reads ``location_usage`` (each location's own usage per category and "destroy"
disposition, kept by triggers on ``items``, see migration 0003) and rolls it up the tree
through the materialised paths: a few thousand rows whatever the number of items, so the
report stays far below 100 ms with a million items on SQLite (bench/bench_reports.py:
~12 ms), where grouping the items themselves takes over a second.
"""

from .ageing import (
    AGEING_CSV_COLUMNS,
    AGEING_REASONS,
    DESTRUCTION_OVERDUE,
    NO_JUDGMENT_LONG,
    NO_JUDGMENT_VERY_LONG,
    AgedItem,
    AgeingGroup,
    AgeingReport,
    AgeingThresholds,
    ageing_csv,
    ageing_report,
)
from .capacity import CAPACITY_CSV_COLUMNS, CapacityReport, capacity_csv, capacity_report
from .common import CATEGORIES, to_csv
from .forecast import (
    FORECAST_CSV_COLUMNS,
    ForecastReport,
    MeasureForecast,
    Projection,
    WarehouseForecast,
    capacity_forecast,
    forecast_csv,
    project,
)
from .hazard_conflicts import HazardConflictReport, hazard_conflict_report
from .legal_deadlines import (
    HolidayYear,
    LegalDeadlineReport,
    holidays_of,
    legal_deadline_report,
)

__all__ = [
    "AGEING_CSV_COLUMNS",
    "AGEING_REASONS",
    "CAPACITY_CSV_COLUMNS",
    "CATEGORIES",
    "DESTRUCTION_OVERDUE",
    "FORECAST_CSV_COLUMNS",
    "NO_JUDGMENT_LONG",
    "NO_JUDGMENT_VERY_LONG",
    "AgedItem",
    "AgeingGroup",
    "AgeingReport",
    "AgeingThresholds",
    "CapacityReport",
    "ForecastReport",
    "HazardConflictReport",
    "HolidayYear",
    "LegalDeadlineReport",
    "MeasureForecast",
    "Projection",
    "WarehouseForecast",
    "ageing_csv",
    "holidays_of",
    "legal_deadline_report",
    "ageing_report",
    "capacity_csv",
    "capacity_forecast",
    "capacity_report",
    "forecast_csv",
    "hazard_conflict_report",
    "project",
    "to_csv",
]
