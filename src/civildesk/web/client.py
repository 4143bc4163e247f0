"""The address of the client behind a request, believing X-Forwarded-For only from trusted proxies.

Behind nginx every request's REMOTE_ADDR is the proxy, so anything keyed on the client (the
public rating limit) would treat all visitors as one. X-Forwarded-For fixes that, but its left
part is whatever the client chose to send: only the entries appended by proxies listed in
``CIVILDESK_TRUSTED_PROXIES`` can be believed. So the header is read from the right, past the
trusted proxies, and the first address no trusted proxy vouches for beyond is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse(entry: str) -> IPAddress | None:
    """An address as a proxy writes it (bare, ``[v6]``, with or without a port), or None."""
    text = entry.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
            return None
        text = host
    elif text.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has at least two colons
        host, _, port = text.partition(":")
        if not port.isdigit():
            return None
        text = host
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; they are the same client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, proxies: Iterable[Network]) -> bool:
    return any(address in network for network in proxies)


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or, when that is a trusted proxy, the address it says it forwarded for.

    Never raises: a junk header yields the last address that could still be believed.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies: tuple[Network, ...] = tuple(getattr(settings, "CIVILDESK_TRUSTED_PROXIES", ()))
    peer = _parse(remote) if proxies else None
    if peer is None or not _trusted(peer, proxies):
        return remote
    client = remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for entry in reversed(forwarded.split(",")) if forwarded.strip() else ():
        address = _parse(entry)
        if address is None:
            # Whatever sits left of a garbled hop came through no proxy we can vouch for.
            break
        client = str(address)
        if not _trusted(address, proxies):
            break
    return client
