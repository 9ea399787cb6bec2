"""HTTP layer: thin routes over the domain modules."""
