"""Loading the open and council sources: Code-Point Open, OS Open UPRN, address lists, areas.

Readers (``loaders.readers``) stream typed rows; this package stages them in bulk (``COPY`` on
PostgreSQL, batched ``executemany`` on SQLite), applies one set-based diff in the caller's
transaction, and records a load run with a report in the shape every load shares.
"""
