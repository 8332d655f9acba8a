"""Real HTTP servers on 127.0.0.1: one that records every request it gets (proof that nothing was fetched), and
one that serves a folder and records the status of each answer (proof that nothing 404s)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


class RecordingServer:
    """The server's address and the paths requested of it."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.requests: list[str] = []

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"


@contextmanager
def recording_server() -> Iterator[RecordingServer]:
    """Serve a small valid-looking answer to every GET and record it, until the block ends."""
    holder: list[RecordingServer] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            holder[0].requests.append(self.path)
            body = b'{"type": "Feature", "stac_version": "1.1.0", "id": "remote"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(RecordingServer(server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()


class StaticServer:
    """A folder served over HTTP on 127.0.0.1, with the status of every request it answered."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.answered: list[tuple[str, int]] = []

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def failed(self) -> list[tuple[str, int]]:
        """The requests answered with an error (4xx or 5xx)."""
        return [(path, status) for path, status in self.answered if status >= 400]


@contextmanager
def static_server(folder: Path | str, pages: dict[str, str] | None = None) -> Iterator[StaticServer]:
    """Serve `folder` (and `pages`, path -> HTML, from memory) until the block ends."""
    holder: list[StaticServer] = []
    extra = pages or {}

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path in extra:
                body = extra[path].encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            holder[0].answered.append((self.path, int(code) if str(code).isdigit() else 0))

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(StaticServer(server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()
