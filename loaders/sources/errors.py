"""Errors of the source loaders: branches of the one tree in :mod:`core.errors`."""

from __future__ import annotations

from core.errors import Forbidden, InvalidInput, NotFound, SupplyRefused


class SourceRefused(SupplyRefused):
    """The source has structural errors; nothing was changed. ``details`` carries the report."""

    code = "source_refused"
    title = "Source refused"


class SourceUnreadable(InvalidInput):
    """A named file does not exist or cannot be opened."""

    code = "source_unreadable"
    title = "Source file unreadable"


class InvalidSourceOptions(InvalidInput):
    """The options given for a source contradict each other or name nothing."""

    code = "invalid_source_options"
    title = "Invalid source options"


class LoadPathNotAllowed(Forbidden):
    """A server-side path outside the directory the settings allow, or none is allowed."""

    code = "load_path_not_allowed"
    title = "Load path not allowed"


class LoadRunNotFound(NotFound):
    code = "load_run_not_found"
    title = "Load run not found"


class UnknownLoadFormat(InvalidInput):
    code = "unknown_load_format"
    title = "Unknown load format"
