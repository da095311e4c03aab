"""Why the demo could not run or finish."""

from __future__ import annotations

from core.errors import AddressHubError


class DemoFailed(AddressHubError):
    """A demo process did not start, or the sample move did not reach its receivers."""

    code = "demo_failed"
    title = "The demo failed"
