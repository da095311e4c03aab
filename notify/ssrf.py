"""The webhook target guard (sharing-and-delivery §6.10).

A target is ``https`` on port 443 or 8443, its host is a name (not ``localhost``) or a
dotted-quad or bracketed IPv6 address, and every address its host resolves to is global:
no loopback, RFC 1918, link-local (169.254.169.254 included), CGNAT, unique-local, multicast,
reserved or unspecified address. IPv6 forms that embed an IPv4 address (IPv4-mapped, NAT64,
6to4, Teredo) are judged on the embedded address too. The sender connects to the addresses
vetted here (so a DNS answer cannot change between check and connect) and never follows
redirects.

Deployments that allow private targets (tests and the demo; production refuses the setting)
also accept ``http`` and any port, so local receivers work.

:func:`check_url`, :func:`check_host` and :func:`check_addresses` are pure; :func:`resolve` is
the thin resolver.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import string
from dataclasses import dataclass
from typing import Final

import yarl

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
    """The parsed target, or :class:`TargetNotAllowed` (scheme, credentials, port, host).

    The URL is read with the HTTP client's own parser (yarl), so the host judged here is the
    one the client connects to: ``https://127。0。0。1/`` is 127.0.0.1 to both. Pure, so kept per
    URL and policy: the sender checks every request, and a batch sends to a few endpoints (a
    refusal is not kept: it is raised again each time)."""
    parts = _parse(url)
    schemes = {"https", "http"} if policy.allow_private else {"https"}
    if parts.scheme not in schemes:
        raise delivery_errors.TargetNotAllowed("webhook targets must use https")
    if not parts.raw_host or parts.user is not None or parts.password is not None:
        raise delivery_errors.TargetNotAllowed("a webhook target names a host and no credentials")
    port = parts.port if parts.port is not None else 443
    if not policy.allow_private and port not in policy.ports:
        raise delivery_errors.TargetNotAllowed(f"port {port} is not allowed for webhook targets")
    host = parts.raw_host.lower()
    check_host(host, policy)
    return Target(url=url, scheme=parts.scheme, host=host, port=port)


def _parse(url: str) -> yarl.URL:
    try:
        return yarl.URL(url)
    except (TypeError, ValueError) as exc:
        raise delivery_errors.TargetNotAllowed("the target is not a valid URL") from exc


def check_host(host: str, policy: TargetPolicy) -> None:
    """Refuse a literal address that is not global, and a ``localhost`` name (RFC 6761),
    unless private targets are allowed; refuse, always, a host that ends in a number but is
    not a dotted-quad IPv4 address (``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1``): the
    resolver would read it as an address, ``ipaddress`` would not."""
    if ":" in host:
        check_addresses([host], policy)
    elif _ends_in_number(host):
        if _literal(host) is None:
            raise delivery_errors.TargetNotAllowed("an IPv4 target is written a.b.c.d")
        check_addresses([host], policy)
    elif not policy.allow_private and _localhost(host):
        raise delivery_errors.TargetNotAllowed("localhost is not allowed for webhook targets")


def _ends_in_number(host: str) -> bool:
    """The URL Standard's "ends in a number": the last label (a trailing dot aside) is
    decimal digits or ``0x`` hex, so browsers and resolvers take the host as IPv4."""
    labels = host.split(".")
    last = labels[-2] if len(labels) > 1 and not labels[-1] else labels[-1]
    if last.isascii() and last.isdigit():
        return True
    return last[:2] in ("0x", "0X") and all(c in string.hexdigits for c in last[2:])


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _localhost(host: str) -> bool:
    name = host.rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


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
