"""Helpers shared by test tiers (import as ``tests.support.<module>``)."""
