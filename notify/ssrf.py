"""The webhook target guard (sharing-and-delivery §6.10).

A target is ``https`` on port 443 or 8443, and every address its host resolves to is global:
no loopback, RFC 1918, link-local (169.254.169.254 included), CGNAT, unique-local, multicast,
reserved or unspecified address. IPv6 forms that embed an IPv4 address (IPv4-mapped, NAT64,
6to4, Teredo) are judged on the embedded address too. The sender connects to the addresses
vetted here (so a DNS answer cannot change between check and connect) and never follows
redirects.

Deployments that allow private targets (tests and the demo; production refuses the setting)
also accept ``http`` and any port, so local receivers work.

:func:`check_url` and :func:`check_addresses` are pure; :func:`resolve` is the thin resolver.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import urllib.parse
from dataclasses import dataclass
from typing import Final

from notify import delivery_errors

DEFAULT_PORTS: Final = frozenset({443, 8443})
DNS_TIMEOUT_S: Final = 2.0
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, kw_only=True, slots=True)
class TargetPolicy:
    allow_private: bool = False
    ports: frozenset[int] = DEFAULT_PORTS

    @classmethod
    def for_deployment(cls, *, allow_private_targets: bool) -> TargetPolicy:
        return cls(allow_private=allow_private_targets)


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int


@functools.lru_cache(maxsize=4096)
def check_url(url: str, policy: TargetPolicy) -> Target:
    """The parsed target, or :class:`TargetNotAllowed` (scheme, credentials, port, literal IP).

    Pure, so kept per URL and policy: the sender checks every request, and a batch sends to a
    few endpoints (a refusal is not kept: it is raised again each time)."""
    parts = urllib.parse.urlsplit(url)
    schemes = {"https", "http"} if policy.allow_private else {"https"}
    if parts.scheme not in schemes:
        raise delivery_errors.TargetNotAllowed("webhook targets must use https")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise delivery_errors.TargetNotAllowed("a webhook target names a host and no credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise delivery_errors.TargetNotAllowed("the target port is not a number") from exc
    if not policy.allow_private and port not in policy.ports:
        raise delivery_errors.TargetNotAllowed(f"port {port} is not allowed for webhook targets")
    literal = _literal(parts.hostname)
    if literal is not None:
        check_addresses([str(literal)], policy)
    return Target(url=url, scheme=parts.scheme, host=parts.hostname, port=port)


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def address_permitted(address: str) -> bool:
    """True when ``address`` (and any IPv4 address embedded in it) is globally routable."""
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return all(_global(a) for a in _with_embedded(parsed))


def _with_embedded(address: Address) -> list[Address]:
    """The address and any IPv4 address inside it; an IPv4-mapped one is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    found: list[Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if address.teredo is not None:
            found.extend(address.teredo)
        if address in _NAT64:
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _global(address: Address) -> bool:
    special = (
        address.is_private,
        address.is_loopback,
        address.is_link_local,
        address.is_multicast,
        address.is_reserved,
        address.is_unspecified,
    )
    return address.is_global and not any(special)


def check_addresses(addresses: list[str], policy: TargetPolicy) -> list[str]:
    """The addresses, all vetted; refused if empty or if any is not global (unless allowed)."""
    if not addresses:
        raise delivery_errors.HostNotResolved("the target host did not resolve")
    if policy.allow_private:
        return addresses
    refused = [a for a in addresses if not address_permitted(a)]
    if refused:
        raise delivery_errors.TargetNotAllowed("the target resolves to a non-global address")
    return addresses


async def resolve(host: str, port: int, *, timeout_s: float = DNS_TIMEOUT_S) -> list[str]:
    """Every address ``host`` resolves to (TCP), within the DNS timeout."""
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout_s
        )
    except (OSError, TimeoutError) as exc:
        raise delivery_errors.HostNotResolved("the target host did not resolve") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def vetted(target: Target, policy: TargetPolicy) -> list[str]:
    """Resolve the target's host and vet every answer (run on every connection)."""
    return check_addresses(await resolve(target.host, target.port), policy)
