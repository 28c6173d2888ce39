"""The callback sender (adapters/callbacks.py) against a receiver on loopback: internal
addresses refused unless allowed, and the POST goes to the address that was checked."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dynimg.adapters.callbacks import DeliveryRefused, HttpCallbackSender
from tests.support.receiver import Receiver

pytestmark = pytest.mark.timeout(30)
BODY = b'{"EventType":"Test","Status":"success"}'


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    served = Receiver(0)
    yield served
    served.close()


def test_loopback_is_delivered_only_when_allowed(receiver: Receiver) -> None:
    with pytest.raises(DeliveryRefused, match="internal address"):
        HttpCallbackSender(allow_private=False).post(receiver.url, BODY, {})
    named = receiver.url.replace("127.0.0.1", "localhost")
    with pytest.raises(DeliveryRefused):  # a name is checked by what it resolves to
        HttpCallbackSender(allow_private=False).post(named, BODY, {})
    assert receiver.requests == []
    HttpCallbackSender(allow_private=True).post(named, BODY, {"X-VOD-TIMESTAMP": "1"})
    headers, body, _ = receiver.requests[0]
    assert body == {"EventType": "Test", "Status": "success"}
    assert headers["Host"] == named.split("/")[2]  # the URL's name, not the address used
    assert headers["X-VOD-TIMESTAMP"] == "1"


def test_a_name_that_changes_its_answer_reaches_nothing_internal(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # rebind.example answers a public address to the first lookup and loopback afterwards:
    # checking one answer and connecting by another would reach the receiver.
    port = int(receiver.url.split(":")[2].split("/")[0])
    real = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.example":
            return real(host, *args, **kwargs)
        lookups.append(host)
        address = "8.8.8.8" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    sender = HttpCallbackSender(allow_private=False, timeout_seconds=0.5)
    with pytest.raises((httpx.HTTPError, DeliveryRefused)):
        sender.post(f"http://rebind.example:{port}/vod/events", BODY, {})
    assert receiver.requests == [], "the POST went to an address that was not checked"
