"""A real local HTTP server speaking the OpenAI chat-completions protocol, for
the vendor engine tests.

``ThreadingHTTPServer`` on 127.0.0.1 with an ephemeral port. ``mode`` decides
the answer to ``POST /v1/chat/completions``:

* ``good``: the scripted ``content`` (a JSON string or text) as the message;
* ``malformed``: content that is not JSON;
* ``schema``: JSON that breaks the schema (an ETA "next week", a negative qty);
* ``slow``: sleeps ``delay`` seconds before answering (beyond the client timeout);
* ``error``: HTTP 500 with an OpenAI-style error body;
* ``not_completion``: HTTP 200 with a body that is no chat completion.

``stop()`` closes the socket, so a later call gets "connection refused" (down).
Every request is recorded (path, headers, JSON body).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCHEMA_INVALID = {
    "confirmed": True,
    "declined": None,
    "eta": "next week",
    "eta_sentence": None,
    "ship_date": None,
    "ship_date_sentence": None,
    "backorder": False,
    "backorder_sentence": None,
    "partial_lines": [{"product_hint": "A-1", "quantity": -5, "sentence": "x"}],
    "price_changes": [],
    "tracking": [],
    "ambiguities": [],
    "language": "en",
}


class FakeLlm:
    def __init__(self) -> None:
        self.mode = "good"
        self.content = "{}"
        self.delay = 2.0
        self.requests: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep the test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                owner.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": "not found"}})
                if owner.mode == "slow":
                    time.sleep(owner.delay)
                if owner.mode == "not_completion":
                    return self._send(200, {"object": "list", "data": []})
                if owner.mode == "error":
                    return self._send(
                        500, {"error": {"message": "The server had an error", "type": "server"}}
                    )
                content = {
                    "good": owner.content,
                    "malformed": '{"confirmed": true, "eta": "2026-03-12",',
                    "schema": json.dumps(SCHEMA_INVALID),
                    "slow": owner.content,
                }[owner.mode]
                self._send(
                    200,
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": 1741000000,
                        "model": body.get("model"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": content},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                    },
                )

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
