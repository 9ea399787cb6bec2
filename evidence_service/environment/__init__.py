"""The environmental side of destruction: emission factors as data and the estimated releases of
each batch (``factors``, ``estimate``), licensed facilities and distances (``facilities``),
the safeguards of sites on open ground (``sites``), the destruction planner (``planner``) and
the manager's report (``report``, ``report_files``).

Import the modules themselves (``from ..environment.estimate import ...``): this package file
imports nothing, so the destruction views can ask for an estimate while the planner builds on
the destruction workflow."""
