"""Which URLs the feeds may fetch, and the canonical form entries are deduplicated by.

The address policy: a URL must be http or https, and every address its host resolves to must
be a public one; loopback, private, link-local, multicast, reserved, unspecified and shared
(carrier-grade NAT) addresses are refused unless FEEDS_ALLOW_PRIVATE is set. IPv6 forms that
carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, 6to4, Teredo, NAT64 `64:ff9b::/96`) are
judged by the IPv4 address inside. Without the rule, anyone who may add a feed could make the
server read its own admin pages, a cloud's metadata service (169.254.169.254) or the intranet.
The check is made when connecting (`index.feeds.http`), on the address connected to.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from index.errors import FeedError, FeedUrlError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga",
     "ref_src", "cmpid", "ocid", "mkt_tok", "spm"}
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "oly_")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is one of the forms that carry one."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client's address
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(address: IPAddress) -> str | None:
    """Why an address is not a public one ("loopback", "private", …); None when it is."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = refusal(inner)
        return None if reason is None else f"{reason} (inside {address})"
    for reason, flag in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not globally reachable", not address.is_global),
    ):
        if flag:
            return reason
    return None


def check_address(address: str | IPAddress, *, allow_private: bool) -> IPAddress:
    """The address, when the policy lets it be connected to; else FeedError naming why."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    reason = None if allow_private else refusal(ip)
    if reason is not None:
        raise FeedError(
            f"refused to connect to {ip}: a {reason} address (FEEDS_ALLOW_PRIVATE=true allows it)"
        )
    return ip


def check_url(url: str) -> str:
    """The URL, stripped, when it is http(s) with a host that httpx can connect to; else
    FeedUrlError. Its addresses are checked when connecting, since what a name resolves to may
    change.

    `urlsplit` takes hosts that httpx refuses at request time (`http://0177.0.0.1/`, an octal
    IPv4 form): httpx's own parser is asked too, so such a URL is refused here, in one line,
    rather than failing a whole round of fetching later."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError as exc:
        raise FeedUrlError(f"not a valid URL: {shown_url(url)} ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FeedUrlError(f"only http and https URLs can be fetched, not {shown_url(url)}")
    if not parts.hostname:
        raise FeedUrlError(f"the URL {shown_url(url)} names no host")
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise FeedUrlError(f"not a valid URL: {shown_url(url)} ({exc})") from None
    return url


def canonical_url(url: str) -> str:
    """The form two links to the same page share: lower-case scheme and host, no default port,
    no fragment, no tracking parameters (utm_*, fbclid, …), the others kept in their order."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name.lower() not in TRACKING_PARAMS and not name.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


def shown_url(url: str) -> str:
    """The URL as it may be logged: a user name and password in it replaced by `***`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<an unreadable URL>"
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))
