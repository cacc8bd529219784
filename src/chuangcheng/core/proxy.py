"""Who is really calling: the client address and the scheme, believed from `X-Forwarded-*` only
when the request comes from one of the configured proxies (TRUSTED_PROXIES, with BEHIND_PROXY).

`client_address()` is the one answer used by sign-in throttling and rate limits. `TrustedProxies`
wraps the WSGI application (chuangcheng.wsgi, so `chuangcheng serve` and any other WSGI server):
from a trusted proxy it takes the scheme and the client address from the headers, from anyone
else it drops the headers, so nothing later (Django's SECURE_PROXY_SSL_HEADER included) believes
a forged one."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_BY", "HTTP_FORWARDED")


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks() -> tuple[Network, ...]:
    """The proxies we believe (addresses or CIDR ranges); none unless BEHIND_PROXY is on."""
    if not getattr(settings, "BEHIND_PROXY", False):
        return ()
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def is_trusted(text: str | None, networks: Iterable[Network] | None = None) -> bool:
    address = _address(text)
    nets = trusted_networks() if networks is None else tuple(networks)
    return address is not None and any(address in net for net in nets)


def client_address_of(meta: Mapping[str, Any]) -> str | None:
    """The client's address from a WSGI environ or `request.META`: the peer itself, unless the
    peer is a trusted proxy; then the nearest address in X-Forwarded-For that is not one of ours
    (a client can put anything at the left of that list, only what our proxies appended counts)."""
    peer = meta.get("REMOTE_ADDR") or None
    networks = trusted_networks()
    if not networks or not is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    for hop in reversed(hops):
        if _address(hop) is None:
            return peer  # a malformed list: believe only the proxy itself
        if not is_trusted(hop, networks):
            return str(_address(hop))
    return str(_address(hops[0])) if hops else peer


def client_address(request: HttpRequest) -> str | None:
    """The real client address of a request (used for sign-in throttling and rate limits)."""
    return client_address_of(request.META)


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class TrustedProxies:
    """WSGI middleware: believe X-Forwarded-For/-Proto from trusted proxies only."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        peer = environ.get("REMOTE_ADDR")
        if trusted_networks() and is_trusted(peer):
            proto = str(environ.get("HTTP_X_FORWARDED_PROTO", "")).split(",")[-1].strip().lower()
            if proto in {"http", "https"}:
                environ["wsgi.url_scheme"] = proto
                # Django's SECURE_PROXY_SSL_HEADER reads the header itself: leave only the value used.
                environ["HTTP_X_FORWARDED_PROTO"] = proto
            client = client_address_of(environ)
            if client:
                environ["chuangcheng.proxy_peer"] = peer
                environ["REMOTE_ADDR"] = client
                # The address is settled: a second look (client_address) must not walk the list again.
                environ.pop("HTTP_X_FORWARDED_FOR", None)
        else:
            for header in FORWARDED_HEADERS:
                environ.pop(header, None)
        return self.app(environ, start_response)
