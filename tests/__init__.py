"""addresshub tests: unit (no I/O), integration (both engines) and acceptance (CLI and HTTP)."""
