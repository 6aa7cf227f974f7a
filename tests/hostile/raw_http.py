"""HTTP requests written byte by byte, for what ordinary clients refuse to send: header values
that are not ASCII, a Content-Length the body never follows, a request left half-sent."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
import time
from dataclasses import dataclass

from slack_requests import SECRET


@dataclass
class RawReply:
    status: int
    headers: dict[str, str]
    body: str
    seconds: float


def signature(body: bytes, timestamp: bytes, secret: str = SECRET) -> bytes:
    digest = hmac.new(secret.encode(), b"v0:" + timestamp + b":" + body, hashlib.sha256)
    return b"v0=" + digest.hexdigest().encode()


def signed_headers(body: bytes, content_type: bytes = b"application/json") -> dict[bytes, bytes]:
    stamp = str(int(time.time())).encode()
    return {
        b"Content-Type": content_type,
        b"X-Slack-Request-Timestamp": stamp,
        b"X-Slack-Signature": signature(body, stamp),
    }


def send(
    port: int,
    body: bytes,
    headers: dict[bytes, bytes],
    *,
    content_length: bytes | None = None,
    send_body: bool = True,
    timeout: float = 10.0,
) -> RawReply:
    """POST ``/slack/events`` on loopback and read the answer."""
    length = str(len(body)).encode() if content_length is None else content_length
    lines = [b"POST /slack/events HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    lines += [name + b": " + value for name, value in headers.items()]
    lines.append(b"Content-Length: " + length)
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + (body if send_body else b""))
        response = http.client.HTTPResponse(sock)
        response.begin()
        text = response.read().decode("utf-8", errors="replace")
        return RawReply(
            response.status, dict(response.getheaders()), text, time.perf_counter() - started
        )
