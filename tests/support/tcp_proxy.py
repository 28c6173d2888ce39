"""A TCP proxy the test controls, to stand between dynimg and one dependency.

Three modes, switched at any time, and applied to connections already open as well as to new
ones (clients pool their connections, so a fault must reach those too):

- ``forward``: bytes go both ways, as if the proxy were not there;
- ``hang``: connections are accepted and whatever is sent is swallowed; nothing ever comes back
  (a dependency that is up at the TCP level but does not answer: a stopped process, a full
  queue, a black-holing firewall after the handshake);
- ``refuse``: the port stops listening (new connections are refused) and open ones are reset.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Literal

Mode = Literal["forward", "hang", "refuse"]
_POLL = 0.05


class TcpProxy:
    """Listens on a free loopback port and relays to ``upstream`` (host, port) per its mode."""

    def __init__(self, upstream: tuple[str, int], mode: Mode = "forward") -> None:
        self.upstream = upstream
        self._mode: Mode = mode
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.port = self._listen(0)
        self.accepted = 0
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self._acceptor.start()

    @property
    def mode(self) -> Mode:
        return self._mode

    def set_mode(self, mode: Mode) -> None:
        """Switch modes; ``refuse`` resets open connections and stops listening."""
        with self._lock:
            previous, self._mode = self._mode, mode
            if mode == "refuse":
                self._reset_open()
                if self._listener is not None:
                    self._listener.close()
                    self._listener = None
            elif previous == "refuse":
                self._listen(self.port)

    def url(self, scheme: str, path: str = "", userinfo: str = "") -> str:
        """``scheme://[userinfo@]127.0.0.1:PORT[path]``: the upstream's URL through the proxy."""
        at = f"{userinfo}@" if userinfo else ""
        return f"{scheme}://{at}127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            self._reset_open()
            if self._listener is not None:
                self._listener.close()
                self._listener = None
        self._acceptor.join(timeout=5)

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _listen(self, port: int) -> int:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        listener.settimeout(_POLL)
        self._listener = listener
        return int(listener.getsockname()[1])

    def _reset_open(self) -> None:
        for sock in list(self._open):
            with contextlib.suppress(OSError):
                # Linger 0: close sends RST, which the client sees as "connection reset".
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
        self._open.clear()

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            listener = self._listener
            if listener is None:
                self._closed.wait(_POLL)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        with self._lock:
            self._open.add(client)
        try:
            if self._mode == "forward":
                upstream = socket.create_connection(self.upstream, timeout=5)
                with self._lock:
                    self._open.add(upstream)
            self._relay(client, upstream)
        except (OSError, ValueError):  # reset under us (refuse) or upstream gone
            pass
        finally:
            with self._lock:
                for sock in (client, upstream):
                    if sock is not None and sock in self._open:
                        self._open.discard(sock)
                        with contextlib.suppress(OSError):
                            sock.close()

    def _relay(self, client: socket.socket, upstream: socket.socket | None) -> None:
        """Copy what arrives on either side per the current mode until a side closes."""
        peers = {client: upstream}
        if upstream is not None:
            peers[upstream] = client
        while not self._closed.is_set() and client in self._open:
            readable, _, _ = select.select(list(peers), [], [], _POLL)
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                target = peers[sock]
                if self._mode == "forward" and target is not None:
                    target.sendall(data)
                # hang: swallowed; nothing is ever answered


@contextlib.contextmanager
def proxy_to(host: str, port: int, mode: Mode = "forward") -> Iterator[TcpProxy]:
    """A :class:`TcpProxy` to ``host:port`` for the duration of a ``with`` block."""
    proxy = TcpProxy((host, port), mode)
    try:
        yield proxy
    finally:
        proxy.close()
