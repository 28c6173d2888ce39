"""A callback endpoint on loopback, for the tests of event delivery."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """A callback endpoint on loopback that fails its first ``failures`` requests with 500,
    and with ``every_other`` every second request after them too."""

    def __init__(self, failures: int, *, every_other: bool = False) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, Any], float]] = []
        self.accepted: list[dict[str, Any]] = []
        self._failures = failures
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.requests.append((dict(self.headers), body, time.monotonic()))
                count = len(receiver.requests)
                failed = count <= receiver._failures or (every_other and count % 2 == 1)
                if not failed:
                    receiver.accepted.append(body)
                self.send_response(500 if failed else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/vod/events"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def wait(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
