"""Delivery errors: branches of the one tree in :mod:`core.errors`.

::

    InvalidInput
    ├── InvalidSecret            invalid_secret          not a usable ``whsec_`` secret
    ├── TargetNotAllowed         target_not_allowed      SSRF guard: scheme, port or address refused
    └── HostNotResolved          host_not_resolved       the target host has no address (DNS)
    Unauthenticated
    └── SignatureMismatch        signature_mismatch      a signed request failed verification
    NotFound
    ├── DeliveryNotFound         delivery_not_found
    ├── EndpointNotFound         endpoint_not_found
    └── SubscriptionNotFound     subscription_not_found
    Conflict
    ├── DispatcherBusy           dispatcher_busy         SQLite: another worker holds the lock
    ├── ReplayRefused            replay_refused          only dead or held deliveries replay
    ├── RerouteRefused           reroute_refused         the target subscription cannot take it
    └── ValidationFailed         validation_failed       the endpoint failed its handshake
"""

from __future__ import annotations

from core.errors import Conflict, InvalidInput, NotFound, Unauthenticated


class InvalidSecret(InvalidInput):
    code = "invalid_secret"
    title = "Invalid signing secret"


class TargetNotAllowed(InvalidInput):
    code = "target_not_allowed"
    title = "Webhook target not allowed"


class HostNotResolved(InvalidInput):
    code = "host_not_resolved"
    title = "Webhook target did not resolve"


class SignatureMismatch(Unauthenticated):
    code = "signature_mismatch"
    title = "Signature verification failed"


class DeliveryNotFound(NotFound):
    code = "delivery_not_found"
    title = "Delivery not found"


class EndpointNotFound(NotFound):
    code = "endpoint_not_found"
    title = "Endpoint not found"


class SubscriptionNotFound(NotFound):
    code = "subscription_not_found"
    title = "Subscription not found"


class DispatcherBusy(Conflict):
    code = "dispatcher_busy"
    title = "Another worker holds the dispatcher lock"


class ReplayRefused(Conflict):
    code = "replay_refused"
    title = "Delivery cannot be replayed"


class RerouteRefused(Conflict):
    code = "reroute_refused"
    title = "Delivery cannot be rerouted"


class ValidationFailed(Conflict):
    code = "validation_failed"
    title = "Endpoint validation failed"
