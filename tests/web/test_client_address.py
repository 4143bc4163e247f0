"""Who the client is: REMOTE_ADDR, unless a trusted proxy says whom it forwarded for."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from django.test import RequestFactory

from civildesk.web.client import client_address

PROXY = "127.0.0.1"
VISITOR = "203.0.113.7"


def trust(settings: Any, *networks: str) -> None:
    settings.CIVILDESK_TRUSTED_PROXIES = tuple(ipaddress.ip_network(n) for n in networks)


def address(remote: str | None = PROXY, forwarded: str | None = None) -> str:
    meta: dict[str, str] = {}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    return client_address(request)


class TestNoTrustedProxy:
    def test_by_default_the_forwarded_header_is_ignored(self, settings: Any) -> None:
        settings.CIVILDESK_TRUSTED_PROXIES = ()
        assert address(PROXY, VISITOR) == PROXY
        assert address(VISITOR, "127.0.0.1") == VISITOR

    def test_without_the_setting_at_all_remote_addr_is_used(self, settings: Any) -> None:
        del settings.CIVILDESK_TRUSTED_PROXIES
        assert address(PROXY, VISITOR) == PROXY

    def test_a_request_not_from_a_trusted_proxy_cannot_claim_another_address(self, settings: Any) -> None:
        trust(settings, PROXY)
        assert address(VISITOR, "198.51.100.1") == VISITOR
        assert address(VISITOR, PROXY) == VISITOR


class TestBehindATrustedProxy:
    @pytest.fixture(autouse=True)
    def _trust_loopback(self, settings: Any) -> None:
        trust(settings, "127.0.0.1", "::1", "10.0.0.0/8")

    def test_the_address_the_proxy_appended_is_the_client(self) -> None:
        assert address(PROXY, VISITOR) == VISITOR

    def test_a_value_the_client_sent_before_the_proxy_appended_is_not_believed(self) -> None:
        # The client sent "X-Forwarded-For: 198.51.100.1"; nginx appended the real peer.
        assert address(PROXY, f"198.51.100.1, {VISITOR}") == VISITOR

    def test_a_client_claiming_to_be_a_trusted_proxy_gains_nothing(self) -> None:
        assert address(PROXY, f"198.51.100.1, 10.0.0.5, {VISITOR}") == VISITOR
        assert address(PROXY, f"127.0.0.1, {VISITOR}") == VISITOR

    def test_several_trusted_hops_are_walked_past(self) -> None:
        # client -> load balancer 10.0.0.9 -> nginx on 10.0.0.5 -> gunicorn on loopback
        assert address(PROXY, f"{VISITOR}, 10.0.0.9, 10.0.0.5") == VISITOR

    def test_the_walk_stops_at_the_first_untrusted_hop(self) -> None:
        # 192.0.2.50 is not ours: what it claims (the leftmost entry) is not believed.
        assert address(PROXY, f"{VISITOR}, 192.0.2.50, 10.0.0.5") == "192.0.2.50"

    def test_when_every_hop_is_trusted_the_leftmost_is_the_client(self) -> None:
        assert address(PROXY, "10.1.2.3, 10.0.0.5") == "10.1.2.3"

    def test_without_the_header_the_proxy_itself_is_the_client(self) -> None:
        assert address(PROXY, None) == PROXY
        assert address(PROXY, "") == PROXY
        assert address(PROXY, "  ") == PROXY

    def test_ipv6_clients_and_proxies(self) -> None:
        assert address("::1", "2001:db8::1") == "2001:db8::1"
        assert address("::1", "2001:DB8:0:0::1") == "2001:db8::1"  # one spelling, one client
        assert address("::1", "[2001:db8::1]:443") == "2001:db8::1"
        assert address(PROXY, f"{VISITOR}, 2001:db8::99") == "2001:db8::99"

    def test_an_ipv4_peer_on_a_dual_stack_socket_is_still_the_trusted_proxy(self) -> None:
        assert address("::ffff:127.0.0.1", VISITOR) == VISITOR
        assert address(PROXY, "::ffff:203.0.113.7") == VISITOR

    def test_a_port_written_by_the_proxy_is_dropped(self) -> None:
        assert address(PROXY, "203.0.113.7:51234") == VISITOR

    @pytest.mark.parametrize(
        "junk",
        [
            "unknown",
            "not an address",
            "203.0.113.999",
            "203.0.113.7:port",
            "[2001:db8::1",
            "[2001:db8::1]x",
            "\x00\xff",
            ",",
            "203.0.113.7,",
            "2001:db8::1::2",
            "1.2.3.4/24",
        ],
    )
    def test_a_malformed_last_entry_leaves_the_proxy_as_the_client(self, junk: str) -> None:
        assert address(PROXY, junk) == PROXY

    def test_a_malformed_entry_stops_the_walk_at_the_last_good_address(self) -> None:
        assert address(PROXY, f"198.51.100.1, garbage, {VISITOR}") == VISITOR
        assert address(PROXY, "198.51.100.1, garbage, 10.0.0.5") == "10.0.0.5"
        assert address(PROXY, "198.51.100.1,,10.0.0.5") == "10.0.0.5"

    def test_a_junk_or_missing_remote_addr_is_returned_as_it_is(self) -> None:
        assert address("", VISITOR) == ""
        assert address("not-an-ip", VISITOR) == "not-an-ip"
        assert address(None, VISITOR) == ""

    def test_a_very_long_header_is_read_from_the_right_without_error(self) -> None:
        assert address(PROXY, ", ".join(["198.51.100.1"] * 2000 + [VISITOR])) == VISITOR
