"""Evidence storage and destruction tracking service."""
