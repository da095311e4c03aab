"""The SSRF guard (§6.10): HTTPS on allowed ports, and only global addresses (V14)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notify import delivery_errors, ssrf

STRICT = ssrf.TargetPolicy()
LOCAL = ssrf.TargetPolicy.for_deployment(allow_private_targets=True)

NON_GLOBAL = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::7f00:1",
    "2002:7f00:1::1",
    "fe80::1%eth0",
    "not-an-address",
]
GLOBAL = ["8.8.8.8", "1.1.1.1", "151.101.0.81", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", NON_GLOBAL)
def test_non_global_addresses_are_refused(address: str) -> None:
    assert not ssrf.address_permitted(address)
    with pytest.raises(delivery_errors.TargetNotAllowed):
        ssrf.check_addresses([address], STRICT)


@pytest.mark.parametrize("address", GLOBAL)
def test_global_addresses_pass(address: str) -> None:
    assert ssrf.address_permitted(address)
    assert ssrf.check_addresses([address], STRICT) == [address]


@settings(max_examples=200)
@given(address=st.ip_addresses())
def test_a_permitted_address_is_global_and_so_is_what_it_embeds(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        mapped = ssrf.address_permitted(str(address))
        address = address.ipv4_mapped
        assert mapped == ssrf.address_permitted(str(address))
    if not ssrf.address_permitted(str(address)):
        return
    assert address.is_global
    assert not (address.is_loopback or address.is_private or address.is_link_local)
    assert not (address.is_multicast or address.is_unspecified or address.is_reserved)


@settings(max_examples=100)
@given(good=st.lists(st.sampled_from(GLOBAL), min_size=1), bad=st.sampled_from(NON_GLOBAL))
def test_one_bad_answer_among_good_ones_refuses_the_target(good: list[str], bad: str) -> None:
    with pytest.raises(delivery_errors.TargetNotAllowed):
        ssrf.check_addresses([*good, bad], STRICT)


def test_an_empty_answer_did_not_resolve() -> None:
    with pytest.raises(delivery_errors.HostNotResolved):
        ssrf.check_addresses([], STRICT)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.org/in",
        "ftp://hooks.example.org/in",
        "https://hooks.example.org:8080/in",
        "https://user:pw@hooks.example.org/in",
        "https:///in",
        "https://127.0.0.1/in",
        "https://[::1]/in",
        "https://169.254.169.254/latest/meta-data",
        "https://hooks.example.org:notaport/in",
        "https://hooks.example.org:0/in",
        "https://:@hooks.example.org/in",
        "https://user@hooks.example.org/in",
        "https://hooks.example.org\\@evil.example/in",
        "https://[::ffff:127.0.0.1]/in",
        "https://[::ffff:7f00:1]/in",
        "https://0.0.0.0/in",
        "https://[::]/in",
        "https://[fc00::1]/in",
        "https://[fd00:ec2::254]/in",
        "https://[fe80::1]/in",
        "https://[fe80::1%25eth0]/in",
        "https://100.64.0.1/in",
        "https://10.0.0.5/in",
        "https://172.16.0.1/in",
        "https://192.168.1.1/in",
        "https://localhost/in",
        "https://localhost./in",
        "https://LocalHost/in",
        "https://hooks.localhost/in",
        "https://ＬＯＣＡＬＨＯＳＴ/in",
        "https://127。0。0。1/in",
        "https://169．254．169．254/in",
    ],
)
def test_strict_policy_refuses_these_urls(url: str) -> None:
    with pytest.raises(delivery_errors.TargetNotAllowed):
        ssrf.check_url(url, STRICT)


LEGACY_IPV4 = [
    "2130706433",
    "0x7f000001",
    "0x7f.0.0.1",
    "0177.0.0.1",
    "127.1",
    "127.0.1",
    "0",
    "0x",
    "127.0.0.1.",
    "127.000.000.001",
    "8.8.8.010",
    "134744072",
    "0x08.0x08.0x08.0x08",
    "example.0x10",
    "example.42",
]


@pytest.mark.parametrize("host", LEGACY_IPV4)
@pytest.mark.parametrize("policy", [STRICT, LOCAL], ids=["strict", "local"])
def test_a_host_ending_in_a_number_is_a_dotted_quad_or_refused(
    host: str, policy: ssrf.TargetPolicy
) -> None:
    """libc (and the client's resolver) reads these as IPv4 addresses, ``ipaddress`` does not:
    refused whatever the policy, 8.8.8.8 spelt 134744072 included."""
    with pytest.raises(delivery_errors.TargetNotAllowed):
        ssrf.check_url(f"https://{host}/in", policy)


def _spellings(address: ipaddress.IPv4Address) -> list[str]:
    """Other ways resolvers accept to write ``address``."""
    n, octets = int(address), address.packed
    return [
        str(n),
        hex(n),
        ".".join(f"0{b:o}" for b in octets),
        ".".join(hex(b) for b in octets),
        f"{octets[0]}.{n & 0xFFFFFF}",
        f"{octets[0]}.{octets[1]}.{n & 0xFFFF}",
        f"{address}.",
        "。".join(str(b) for b in octets),
    ]


@settings(max_examples=200)
@given(address=st.ip_addresses(v=4))
def test_every_spelling_of_a_non_global_ipv4_address_is_refused(
    address: ipaddress.IPv4Address,
) -> None:
    if ssrf.address_permitted(str(address)):
        return
    for spelling in [str(address), *_spellings(address)]:
        with pytest.raises(delivery_errors.TargetNotAllowed):
            ssrf.check_url(f"https://{spelling}/in", STRICT)


@settings(max_examples=200)
@given(address=st.ip_addresses(v=6))
def test_a_bracketed_ipv6_literal_passes_only_when_global(address: ipaddress.IPv6Address) -> None:
    url = f"https://[{address}]/in"
    if ssrf.address_permitted(str(address)):
        assert ipaddress.ip_address(ssrf.check_url(url, STRICT).host) == address
    else:
        with pytest.raises(delivery_errors.TargetNotAllowed):
            ssrf.check_url(url, STRICT)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://8.8.8.8/in", "8.8.8.8"),
        ("https://[2606:4700:4700::1111]/in", "2606:4700:4700::1111"),
        ("https://hooks.example.org./in", "hooks.example.org."),
        ("https://Bücher.example/in", "xn--bcher-kva.example"),
        ("https://localhost.example.org/in", "localhost.example.org"),
        ("https://v2.example/in", "v2.example"),
        ("https://0x.example/in", "0x.example"),
    ],
)
def test_strict_policy_accepts_names_and_global_literals(url: str, host: str) -> None:
    assert ssrf.check_url(url, STRICT).host == host


@pytest.mark.parametrize(
    ("url", "port"),
    [("https://hooks.example.org/in", 443), ("https://Hooks.Example.org:8443/x", 8443)],
)
def test_strict_policy_accepts_https_on_allowed_ports(url: str, port: int) -> None:
    target = ssrf.check_url(url, STRICT)
    assert target.port == port
    assert target.host == target.host.lower()


def test_a_url_is_judged_under_each_policy_every_time() -> None:
    """Checks are kept per URL and policy: a URL one policy allows is still refused by
    another, and a refusal is raised again."""
    url = "http://127.0.0.1:8081/hook"
    for _ in range(2):
        assert ssrf.check_url(url, LOCAL).port == 8081
        with pytest.raises(delivery_errors.TargetNotAllowed):
            ssrf.check_url(url, STRICT)


def test_a_deployment_that_allows_private_targets_accepts_local_receivers() -> None:
    target = ssrf.check_url("http://127.0.0.1:8081/hook", LOCAL)
    assert (target.host, target.port) == ("127.0.0.1", 8081)
    assert ssrf.check_addresses(["127.0.0.1"], LOCAL) == ["127.0.0.1"]
    with pytest.raises(delivery_errors.TargetNotAllowed):
        ssrf.check_url("ftp://127.0.0.1/hook", LOCAL)
    assert ssrf.check_url("http://localhost:8081/hook", LOCAL).host == "localhost"
    assert ssrf.check_url("http://[::1]:8081/hook", LOCAL).port == 8081
