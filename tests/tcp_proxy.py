"""A TCP proxy in front of a database server that can be cut and restored.

Shared by the browser tests (a wall whose database goes away) and the load
benchmark (the database cut under 50 walls and 5 officers): one outage, made
the same way, without ever stopping the PostgreSQL server other work uses.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any


class TcpProxy:
    """Forwards ``127.0.0.1:<port>`` to a database server, and can cut it off.

    ``stop()`` closes every forwarded connection and the listening socket, so
    the app's pooled connections break and new ones are refused, exactly as
    when the database server goes down; ``start()`` listens again on the same
    port. The outage is the proxy's alone: the shared PostgreSQL server (used
    by other tests and sessions) is never stopped.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0  # chosen by the first start(), kept for every restart
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        """Listen (again) and forward every new connection to the target."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        self.port = listener.getsockname()[1]
        listener.listen(64)
        listener.settimeout(0.1)
        self._stopping.clear()
        self._listener = listener
        self._spawn(self._accept, listener)

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                if self._stopping.is_set():
                    client.close()
                    upstream.close()
                    return
                self._sockets |= {client, upstream}
            self._spawn(self._pump, client, upstream)
            self._spawn(self._pump, upstream, client)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)

    def stop(self) -> None:
        """The outage: refuse new connections and break every forwarded one."""
        self._stopping.set()
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            listener.close()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(timeout=5)
