"""Readiness asks the broker: a reachable RabbitMQ is ok, a closed port is not, quickly."""

from __future__ import annotations

import time

from dynimg.adapters.dispatch.celery_broker import CeleryDispatcher
from dynimg.bootstrap import celery_app
from dynimg.settings import load_settings
from tests.support.server import free_port


def dispatcher_for(url: str, queue: str) -> CeleryDispatcher:
    settings = load_settings({"DYNIMG_QUEUE_URL": url, "DYNIMG_QUEUE_NAME": queue})
    return CeleryDispatcher(celery_app(settings), queue)


def test_a_reachable_broker_is_ready(rabbitmq_queue: tuple[str, str]) -> None:
    dispatcher = dispatcher_for(*rabbitmq_queue)
    try:
        assert dispatcher.reachable()
    finally:
        dispatcher.close()


def test_a_broker_that_is_not_there_is_not_ready_and_says_so_quickly() -> None:
    dispatcher = dispatcher_for(f"amqp://guest:guest@127.0.0.1:{free_port()}//", "nowhere")
    started = time.monotonic()
    try:
        assert not dispatcher.reachable()
    finally:
        dispatcher.close()
    assert time.monotonic() - started < 15
