"""API keys: each carries one role; stored as a keyed hash, shown in plain text once."""
