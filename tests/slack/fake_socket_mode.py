"""A minimal Socket Mode endpoint: one WebSocket that sends Slack's envelopes and records acks.

Just enough of RFC 6455 for Slack's SDK client: the upgrade handshake, unmasked text frames
out, masked text frames in, ping answered with pong.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455


class FakeSocketMode:
    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"ws://127.0.0.1:{self.listener.getsockname()[1]}/link"
        self.acks: list[dict[str, Any]] = []
        self._connected = threading.Event()
        self._acked = threading.Condition()
        self._conn: socket.socket | None = None
        self._send_lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def wait_connected(self, timeout: float = 15) -> None:
        assert self._connected.wait(timeout), "the app never opened its Socket Mode connection"

    def send(self, envelope: dict[str, Any]) -> None:
        assert self._conn is not None
        self._frame(0x1, json.dumps(envelope).encode())

    def wait_ack(self, envelope_id: str, timeout: float = 10) -> dict[str, Any]:
        with self._acked:
            ok = self._acked.wait_for(
                lambda: any(a.get("envelope_id") == envelope_id for a in self.acks), timeout
            )
        assert ok, f"no ack for envelope {envelope_id}; got {self.acks}"
        return next(a for a in self.acks if a.get("envelope_id") == envelope_id)

    def close(self) -> None:
        self.listener.close()
        if self._conn is not None:
            self._conn.close()

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(4096)
        key = next(
            line.split(":", 1)[1].strip()
            for line in request.decode().split("\r\n")
            if line.lower().startswith("sec-websocket-key:")
        )
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        conn.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        self._conn = conn
        self._frame(0x1, json.dumps({"type": "hello", "num_connections": 1}).encode())
        self._connected.set()
        self._read(conn)

    def _read(self, conn: socket.socket) -> None:
        stream = conn.makefile("rb")
        while True:
            head = stream.read(2)
            if len(head) < 2:
                return
            opcode, length = head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = struct.unpack(">H", stream.read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", stream.read(8))[0]
            mask = stream.read(4) if head[1] & 0x80 else b"\0\0\0\0"
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(stream.read(length)))
            if opcode == 0x8:
                return
            if opcode == 0x9:
                self._frame(0xA, data)
            elif opcode == 0x1:
                with self._acked:
                    self.acks.append(json.loads(data))
                    self._acked.notify_all()

    def _frame(self, opcode: int, data: bytes) -> None:
        size = len(data)
        if size < 126:
            header = struct.pack(">BB", 0x80 | opcode, size)
        elif size < 65536:
            header = struct.pack(">BBH", 0x80 | opcode, 126, size)
        else:
            header = struct.pack(">BBQ", 0x80 | opcode, 127, size)
        assert self._conn is not None
        with self._send_lock:
            self._conn.sendall(header + data)
