"""The page bounds every keyset listing of the sharing engine shares (acknowledgements, file
batches, operational notices), for the API, the command line and the services alike."""

from __future__ import annotations

from typing import Final

from core import errors

MAX_PAGE: Final = 500


def check_limit(limit: int) -> None:
    """Refuse a page size outside 1..``MAX_PAGE``."""
    if not 1 <= limit <= MAX_PAGE:
        raise errors.InvalidInput(f"limit lies between 1 and {MAX_PAGE}")
