"""An HTTP server on loopback serving files for URL imports: whole files (with or without a
Content-Length), slowly, as a redirect, or as an error, and counting the requests."""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Origin:
    """``/{name}`` serves ``files[name]``; ``/slow/{name}`` sends it in 16 pieces ``pause``
    seconds apart; ``/bare/{name}`` without a Content-Length; ``/to/{name}`` redirects to it;
    ``/status/{code}`` answers with that status; anything else is 404."""

    def __init__(self, files: dict[str, bytes], pause: float = 0.25) -> None:
        self.files, self.pause, self.hits = files, pause, Counter[str]()
        origin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                origin.hits[path] += 1
                kind, _, name = path.lstrip("/").partition("/")
                if kind == "status":
                    return self._answer(int(name), b"no")
                if kind == "to":
                    self.send_response(302)
                    self.send_header("Location", f"/{name}")
                    self.send_header("Content-Length", "0")
                    return self.end_headers()
                body = origin.files.get(name if kind in ("slow", "bare") else kind)
                if body is None:
                    return self._answer(404, b"not found")
                self.send_response(200)
                if kind != "bare":
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                pieces = 16 if kind == "slow" else 1
                step = -(-len(body) // pieces)
                for start in range(0, len(body), step):
                    self.wfile.write(body[start : start + step])
                    self.wfile.flush()
                    if kind == "slow":
                        time.sleep(origin.pause)

            def _answer(self, code: int, body: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
