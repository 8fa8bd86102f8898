"""The address policy and canonical URLs: pure functions, checked directly."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.errors import FeedError
from index.feeds.urls import canonical_url, check_address, check_url, refusal, shown_url

REFUSED = {
    "127.0.0.1": "loopback",
    "127.8.9.10": "loopback",
    "10.0.0.1": "private",
    "172.16.5.4": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "link-local",  # a cloud's metadata service
    "224.0.0.1": "multicast",
    "0.0.0.0": "unspecified",
    "240.0.0.1": "reserved",
    "100.64.0.1": "not globally reachable",  # carrier-grade NAT
    "::1": "loopback",
    "::": "unspecified",
    "fe80::1": "link-local",
    "fc00::1": "private",
    "ff02::1": "multicast",
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped
    "::ffff:10.0.0.1": "private",
    "::ffff:169.254.169.254": "link-local",
    "64:ff9b::7f00:1": "loopback",  # NAT64 of 127.0.0.1
    "2002:c0a8:101::1": "private",  # 6to4 of 192.168.1.1
}
PUBLIC = ["8.8.8.8", "1.1.1.1", "151.101.1.69", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize(("address", "reason"), REFUSED.items())
def test_non_public_addresses_are_refused_naming_their_class(address: str, reason: str) -> None:
    found = refusal(ipaddress.ip_address(address))
    assert found is not None and found.startswith(reason)
    with pytest.raises(FeedError, match=f"refused to connect to .*{reason}.*FEEDS_ALLOW_PRIVATE"):
        check_address(address, allow_private=False)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None
    assert str(check_address(address, allow_private=False)) == str(ipaddress.ip_address(address))


def test_allow_private_lets_every_address_through() -> None:
    for address in REFUSED:
        check_address(address, allow_private=True)


@given(st.ip_addresses(v=4))
def test_an_ipv4_address_and_its_mapped_ipv6_form_are_judged_alike(
    address: ipaddress.IPv4Address,
) -> None:
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    assert (refusal(address) is None) == (refusal(mapped) is None)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/feed", "gopher://x", "javascript:alert(1)",
            "http://", "example.com/rss", "http://example.com:99999/"],
)  # fmt: skip
def test_only_http_and_https_urls_with_a_host_are_accepted(url: str) -> None:
    with pytest.raises(FeedError):
        check_url(url)


def test_http_and_https_urls_are_accepted_stripped() -> None:
    assert check_url("  https://example.com/rss.xml \n") == "https://example.com/rss.xml"
    assert check_url("HTTP://Example.com/feed") == "HTTP://Example.com/feed"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://Example.COM/a/b?utm_source=rss&utm_medium=feed", "https://example.com/a/b"),
        ("https://example.com/a?id=7&fbclid=xyz#comments", "https://example.com/a?id=7"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a?gclid=1&page=2", "https://example.com:8443/a?page=2"),
        ("https://example.com", "https://example.com/"),
        ("http://[::1]:8080/x?utm_campaign=a", "http://[::1]:8080/x"),
    ],
)
def test_canonical_urls_drop_tracking_fragments_and_default_ports(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_credentials_in_a_url_are_never_shown() -> None:
    assert shown_url("https://user:secret@example.com/feed") == "https://***@example.com/feed"
    assert shown_url("https://example.com/feed") == "https://example.com/feed"
