"""The contract of each operational notice's ``data`` (sharing-and-delivery §6.7), pure.

The notices :mod:`notify.ops_notices` records and sends to the hub's operations webhook and to
partners' endpoints that take operational events: ids, codes and counts only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from pydantic import Field, StrictInt, StrictStr

from notify import response
from notify.event_schema_types import Closed, Coordinate, Timestamp

OPS_KINDS: Final = (
    "endpoint.disabled", "endpoint.failing", "endpoint.recovered", "delivery.exhausted",
    "delivery.recovered", "feed.stale",
)  # fmt: skip


class NoDetail(Closed):
    """No detail for this kind of notice."""


class DisabledDetail(Closed):
    reason: response.DisableReason = Field(description="Why the endpoint was disabled.")


class RecoveredDetail(Closed):
    disabled_reason: response.DisableReason | None = Field(description="Why it had been disabled.")


class StaleDetail(Closed):
    last_fetch_at: Timestamp | None = Field(description="Last fetch of the feed, or null.")
    stale_after_days: Coordinate = Field(description="Days without a fetch that make it stale.")
    waiting: StrictInt = Field(description="Events waiting in the partner's pull feeds.")


class OpsNotice(Closed):
    notice_id: StrictStr = Field(description="The notice's id (also the event `id`).")
    partner_id: StrictStr | None = Field(description="The partner it concerns, or null.")
    endpoint_id: StrictStr | None = Field(description="The endpoint it concerns, or null.")
    delivery_id: StrictStr | None = Field(description="The delivery it concerns, or null.")


class EndpointDisabled(OpsNotice):
    """An endpoint was disabled: deliveries to it are held until it is re-enabled."""

    kind: Literal["endpoint.disabled"] = Field(description="The kind of notice.")
    detail: DisabledDetail = Field(description="Why.")


class EndpointFailing(OpsNotice):
    """An endpoint has failed for 24 hours with no success; it is disabled after 5 days."""

    kind: Literal["endpoint.failing"] = Field(description="The kind of notice.")
    detail: NoDetail = Field(description="Always `{}`.")


class EndpointRecovered(OpsNotice):
    """A disabled endpoint was re-enabled; its held deliveries resume."""

    kind: Literal["endpoint.recovered"] = Field(description="The kind of notice.")
    detail: RecoveredDetail = Field(description="Why it had been disabled.")


class DeliveryExhausted(OpsNotice):
    """A delivery failed its last retry and is dead: its lane waits for an operator."""

    kind: Literal["delivery.exhausted"] = Field(description="The kind of notice.")
    detail: NoDetail = Field(description="Always `{}`.")


class DeliveryRecovered(OpsNotice):
    """A dead delivery was sent again successfully."""

    kind: Literal["delivery.recovered"] = Field(description="The kind of notice.")
    detail: NoDetail = Field(description="Always `{}`.")


class FeedStale(OpsNotice):
    """A partner's pull feed has not been fetched for the configured number of days."""

    kind: Literal["feed.stale"] = Field(description="The kind of notice.")
    detail: StaleDetail = Field(description="The last fetch and what is waiting.")


#: The model of ``data`` for every operational notice, by kind.
OPS_MODELS: Final[Mapping[str, type[Closed]]] = {
    "endpoint.disabled": EndpointDisabled,
    "endpoint.failing": EndpointFailing,
    "endpoint.recovered": EndpointRecovered,
    "delivery.exhausted": DeliveryExhausted,
    "delivery.recovered": DeliveryRecovered,
    "feed.stale": FeedStale,
}
