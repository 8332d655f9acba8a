"""A real HTTP server on 127.0.0.1 that records every request it gets: proof that nothing was fetched."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


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
