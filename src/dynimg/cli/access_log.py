"""uvicorn's access log without query strings: they carry AccessKeyIds, signatures, AuthKeys."""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG


class DropQueryString(logging.Filter):
    """Cuts the query string off the path of uvicorn's access records (method and path stay)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path, separator, _ = args[2].partition("?")
            record.args = (*args[:2], path + ("?..." if separator else ""), *args[3:])
        return True


def logging_config() -> dict[str, Any]:
    """uvicorn's default logging configuration, with the query strings filtered out."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"drop_query_string": {"()": DropQueryString}}
    config["handlers"]["access"]["filters"] = ["drop_query_string"]
    return config
