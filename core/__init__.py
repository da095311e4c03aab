"""The kernel every addresshub package shares: settings, engines, errors, ids and the clock."""
