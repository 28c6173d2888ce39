"""Host addresses are read the way the resolver reads them, so no spelling hides an address."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from dynimg.domain.events import validate_callback_url
from dynimg.domain.hosts import inet_aton, is_internal_host
from dynimg.errors import InvalidParameter

INTERNAL = [
    "127.0.0.1",
    "127.1",
    "127.0.1",
    "0x7f000001",
    "0X7F000001",
    "2130706433",
    "0177.0.0.1",
    "017700000001",
    "0x7f.0.0.1",
    "0x7f.1",
    "0000000177.0x0.0.01",
    "127.0.0.1.",
    "0",
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[64:ff9b::7f00:1]",
    "[::127.0.0.1]",
    "１２７.０.０.１",
    "127。0。0。1",
    "%31%32%37.0.0.1",
    "localhost",
    "LOCALHOST.",
    "api.localhost",
    "10.1",
    "0xa000001",
    "192.168.1",
    "2852039166",
    "0xa9.0xfe.0xa9.0xfe",
    "[fe80::1]",
    "[fd00::1]",
]
PUBLIC = [
    "8.8.8.8",
    "0x08080808",
    "134744072",
    "1.1",
    "example.com",
    "0x.example.com",
    "[2001:4860::8888]",
]


@pytest.mark.parametrize("host", INTERNAL)
def test_internal_spellings_are_internal(host: str) -> None:
    assert is_internal_host(host)


@pytest.mark.parametrize("host", PUBLIC)
def test_public_hosts_are_not(host: str) -> None:
    assert not is_internal_host(host)


@pytest.mark.parametrize(
    "text",
    [
        "127.1",
        "0x7f000001",
        "2130706433",
        "0177.0.0.1",
        "127.16777215",
        "1.2.3",
        "0",
        "255.255.255.255",
    ],
)
def test_inet_aton_agrees_with_the_system(text: str) -> None:
    assert inet_aton(text) == ipaddress.IPv4Address(socket.inet_aton(text))


@pytest.mark.parametrize(
    "text", ["1.2.3.4.5", "256.1", "1.256.1", "127..1", "0x", "08", "1.2.3.256", "a"]
)
def test_inet_aton_refuses_what_the_system_refuses(text: str) -> None:
    assert inet_aton(text) is None
    with pytest.raises(OSError):
        socket.inet_aton(text)


@pytest.mark.parametrize("host", ["127.1", "0x7f000001", "[::ffff:127.0.0.1]", "10.1"])
def test_callback_urls_to_internal_spellings_are_refused_unless_allowed(host: str) -> None:
    url = f"http://{host}:8080/hook"
    with pytest.raises(InvalidParameter) as raised:
        validate_callback_url(url, allow_private=False)
    assert raised.value.parameter == "CallbackURL"
    assert "DYNIMG_ALLOW_PRIVATE_CALLBACKS" in raised.value.message
    assert validate_callback_url(url, allow_private=True) == url


def test_delivery_to_an_internal_address_names_the_setting_that_allows_it() -> None:
    from dynimg.adapters.callbacks import DeliveryRefused, HttpCallbackSender

    sender = HttpCallbackSender(allow_private=False)
    try:
        with pytest.raises(DeliveryRefused, match="DYNIMG_ALLOW_PRIVATE_CALLBACKS=true"):
            sender.post("http://localhost:9/hook", b"{}", {})
    finally:
        sender.close()
