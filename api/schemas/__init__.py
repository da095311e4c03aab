"""API schemas: the shapes requests and responses take (never the tables)."""
