"""Streaming readers per supply format, staging and set-based apply, load runs, exporters."""
