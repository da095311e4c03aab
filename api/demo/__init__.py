"""The demo: the embedded database, a sample gazetteer, demo partners and receivers."""
