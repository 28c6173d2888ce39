"""A failure that repeats many times a second is logged a few times, with a count of the rest."""

from __future__ import annotations

import io
import logging
import time

from dynimg.adapters.observability.logs import RepeatLimiter, TextFormatter


def _logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter())
    handler.addFilter(RepeatLimiter(per_second=10, repeat_seconds=0.5))
    logger = logging.getLogger(f"dynimg.test-storms.{name}")
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_a_storm_of_one_error_is_a_few_lines_and_says_how_many_were_held() -> None:
    logger, stream = _logger("one")
    started = time.monotonic()
    while time.monotonic() - started < 1.2:
        try:
            raise ConnectionRefusedError("db down")
        except ConnectionRefusedError:
            logger.exception("polling for due work failed")
        time.sleep(0.001)
    lines = stream.getvalue().splitlines()
    messages = [line for line in lines if "polling for due work failed" in line]
    assert 2 <= len(messages) <= 3, messages  # once per 0.5 s
    assert "more like this suppressed" in messages[-1]
    assert len(lines) < 40, "only the lines that went through carry a traceback"


def test_many_distinct_errors_are_capped_per_second_and_lower_levels_pass() -> None:
    logger, stream = _logger("many")
    for n in range(100):
        logger.warning(f"failure number {n}")  # distinct templates on purpose
        logger.info("request %d answered", n)
    lines = stream.getvalue().splitlines()
    assert sum("failure number" in line for line in lines) == 10
    assert sum("answered" in line for line in lines) == 100, "info lines are not limited"


def test_different_failures_each_get_through() -> None:  # the passing half
    logger, stream = _logger("different")
    logger.error("storage failed")
    logger.error("broker failed")
    logger.error("storage failed")
    assert stream.getvalue().count("failed") == 2
