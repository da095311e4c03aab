"""The ``addresshub`` command line."""
