"""A small client for Coinage's REST API and WebSocket feed, on Python's standard library alone.

- ``Signer`` signs a request with an API key (docs/api-keys.md): HMAC-SHA256 over
  ``{timestamp}\\n{METHOD}\\n{path and query}\\n{body}``, sent in the ``Coinage-*`` headers.
- ``RestClient`` sends signed requests and turns problem details (RFC 9457) into ``CoinageError``.
- ``WebSocket`` is a minimal RFC 6455 client (text frames, ping/pong, close), enough for the feed.
- ``BookReplica`` keeps a market's book from a snapshot and its numbered updates, and says when one is
  missing so the caller resynchronises (docs/websocket.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import ssl
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from typing import Any, Iterator


class CoinageError(Exception):
    """A refused request: the HTTP status and the problem details the API answered with."""

    def __init__(self, status: int, problem: dict[str, Any]):
        self.status = status
        self.problem = problem
        self.code = problem.get("code") or problem.get("type")
        super().__init__(f"{status} {self.code}: {problem.get('detail') or problem.get('title')}")


class Signer:
    """Signs requests with an API key: the key id is public, the secret never leaves this process."""

    def __init__(self, key_id: str, secret: str, window_ms: int | None = None):
        if not key_id or not secret:
            raise ValueError("an API key needs its id and its secret")
        self.key_id = key_id
        self._secret = secret.encode("utf-8")
        self.window_ms = window_ms

    @staticmethod
    def canonical(timestamp_ms: int, method: str, path_and_query: str, body: str) -> str:
        return f"{timestamp_ms}\n{method.upper()}\n{path_and_query}\n{body}"

    def sign(self, timestamp_ms: int, method: str, path_and_query: str, body: str = "") -> str:
        text = self.canonical(timestamp_ms, method, path_and_query, body)
        return hmac.new(self._secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def headers(self, method: str, path_and_query: str, body: str = "", now_ms: int | None = None) -> dict[str, str]:
        timestamp = now_ms if now_ms is not None else int(time.time() * 1000)
        headers = {
            "Coinage-Key": self.key_id,
            "Coinage-Timestamp": str(timestamp),
            "Coinage-Signature": self.sign(timestamp, method, path_and_query, body),
        }
        if self.window_ms is not None:
            headers["Coinage-Window"] = str(self.window_ms)
        return headers


class RestClient:
    """Signed JSON requests to the API (``base_url`` such as ``http://127.0.0.1:5100``)."""

    def __init__(self, base_url: str, signer: Signer | None, timeout: float = 10):
        self.base_url = base_url.rstrip("/")
        self.signer = signer
        self.timeout = timeout

    def get(self, path: str, query: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, query=query)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, body=body)

    def delete(self, path: str, query: dict[str, Any] | None = None) -> Any:
        return self.request("DELETE", path, query=query)

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, body=body)

    def place_oco(self, market: str, side: str, quantity: str, price: str, trigger_price: str,
                  stop_price: str | None = None, client_order_id: str | None = None) -> Any:
        """A one-cancels-the-other pair: ``{"limit": order, "stop": order}`` (docs/exchange.md, OCO)."""
        body = {"market": market, "side": side, "quantity": quantity, "price": price, "triggerPrice": trigger_price}
        if stop_price is not None:
            body["stopPrice"] = stop_price
        if client_order_id is not None:
            body["clientOrderId"] = client_order_id
        return self.post("/api/v1/orders/oco", body)

    def amend(self, order_id: str, price: str | None = None, quantity: str | None = None) -> Any:
        """A new price and/or total size for a resting limit order (202; applied when the matching host processes it)."""
        body = {k: v for k, v in (("price", price), ("quantity", quantity)) if v is not None}
        return self.patch(f"/api/v1/orders/{urllib.parse.quote(order_id, safe='')}", body)

    def request(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        path_and_query = path + ("?" + urllib.parse.urlencode(query) if query else "")
        # The signature covers the body exactly as sent, so it is serialised once, here.
        text = json.dumps(body, separators=(",", ":")) if body is not None else ""
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.signer is not None:
            headers.update(self.signer.headers(method, path_and_query, text))
        request = urllib.request.Request(
            self.base_url + path_and_query, data=text.encode("utf-8") if body is not None else None,
            headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
                return json.loads(payload) if payload else None
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                problem = json.loads(payload) if payload else {}
            except ValueError:
                problem = {"detail": payload.decode("utf-8", "replace")[:200]}
            raise CoinageError(error.code, problem) from None


class WebSocketClosed(Exception):
    def __init__(self, code: int | None, reason: str):
        self.code = code
        self.reason = reason
        super().__init__(f"closed ({code}): {reason}")


class WebSocket:
    """A minimal RFC 6455 client: text messages in and out, pings answered, a close handshake."""

    _GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    _MAX_MESSAGE = 16 * 1024 * 1024

    def __init__(self, url: str, headers: dict[str, str] | None = None, timeout: float = 30):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("ws", "wss"):
            raise ValueError("a WebSocket URL starts with ws:// or wss://")
        port = parts.port or (443 if parts.scheme == "wss" else 80)
        sock = socket.create_connection((parts.hostname, port), timeout=timeout)
        if parts.scheme == "wss":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
        self._sock = sock
        self._buffer = b""
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        lines = [f"GET {path} HTTP/1.1", f"Host: {parts.hostname}:{port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
        status, response_headers, body = self._read_http_response()
        if status != 101:
            try:
                problem = json.loads(body) if body else {}
            except ValueError:
                problem = {"detail": body.decode("utf-8", "replace")[:200]}
            sock.close()
            raise CoinageError(status, problem)
        expected = base64.b64encode(hashlib.sha1((key + self._GUID).encode("ascii")).digest()).decode("ascii")
        if response_headers.get("sec-websocket-accept") != expected:
            sock.close()
            raise ConnectionError("the server's Sec-WebSocket-Accept does not answer our key")

    def _read_http_response(self) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self._buffer:
            chunk = self._sock.recv(4096)
            if not chunk:
                raise ConnectionError("the server closed the connection during the handshake")
            self._buffer += chunk
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = b""
        if status != 101:
            length = int(headers.get("content-length", "0") or 0)
            body = self._read_exact(length) if length else b""
        return status, headers, body

    def _read_exact(self, count: int) -> bytes:
        while len(self._buffer) < count:
            chunk = self._sock.recv(max(4096, count - len(self._buffer)))
            if not chunk:
                raise WebSocketClosed(None, "the connection dropped")
            self._buffer += chunk
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        header = bytes([0x80 | opcode])
        length = len(payload)
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", length)
        mask = os.urandom(4)  # client frames are masked (RFC 6455 §5.3)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self._sock.sendall(header + mask + masked)

    def send_json(self, message: dict[str, Any]) -> None:
        self._send_frame(0x1, json.dumps(message, separators=(",", ":")).encode("utf-8"))

    def receive_json(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next message, or None when ``timeout`` passes first."""
        self._sock.settimeout(timeout)
        try:
            return json.loads(self._receive_message())
        except (socket.timeout, TimeoutError):
            return None

    def _receive_message(self) -> bytes:
        message = b""
        while True:
            first, second = self._read_exact(2)
            final, opcode = first & 0x80, first & 0x0F
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read_exact(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read_exact(8))[0]
            if length > self._MAX_MESSAGE:
                raise WebSocketClosed(None, "a message larger than this client accepts")
            payload = self._read_exact(length)
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                try:
                    self._send_frame(0x8, payload[:2])
                except OSError:
                    pass
                self._sock.close()
                raise WebSocketClosed(code, payload[2:].decode("utf-8", "replace"))
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            message += payload
            if final:
                return message

    def close(self, code: int = 1000, reason: str = "") -> None:
        try:
            self._send_frame(0x8, struct.pack("!H", code) + reason.encode("utf-8"))
        except OSError:
            pass
        self._sock.close()


class GapDetected(Exception):
    def __init__(self, expected: str, received: str):
        self.expected = expected
        self.received = received
        super().__init__(f"book sequence gap: expected {expected}, received {received}")


class BookReplica:
    """
    One market's book from a snapshot and its numbered updates (a size of "0" removes a level). An update applies
    only in the snapshot's ``epoch`` and with the next ``sequence``; anything else is a gap (docs/websocket.md).
    """

    def __init__(self, market: str):
        self.market = market
        self.bids: dict[Decimal, Decimal] = {}
        self.asks: dict[Decimal, Decimal] = {}
        self.epoch: str | None = None
        self.sequence: int | None = None

    @property
    def synced(self) -> bool:
        return self.sequence is not None

    def apply_snapshot(self, bids: list[list[str]], asks: list[list[str]], epoch: str, sequence: int) -> None:
        self.bids = {Decimal(price): Decimal(size) for price, size in bids}
        self.asks = {Decimal(price): Decimal(size) for price, size in asks}
        self.epoch, self.sequence = epoch, sequence

    def apply_update(self, bids: list[list[str]], asks: list[list[str]], epoch: str, sequence: int) -> None:
        """Applies an update, or raises GapDetected, forgets the book and waits for the next snapshot."""
        if self.sequence is None:
            return  # waiting for the snapshot a resync asked for
        if epoch != self.epoch or sequence != self.sequence + 1:
            expected = f"{self.epoch}/{self.sequence + 1}"
            self.bids, self.asks, self.sequence = {}, {}, None
            raise GapDetected(expected, f"{epoch}/{sequence}")
        for side, levels in ((self.bids, bids), (self.asks, asks)):
            for price, size in levels:
                if Decimal(size) == 0:
                    side.pop(Decimal(price), None)
                else:
                    side[Decimal(price)] = Decimal(size)
        self.sequence = sequence

    def best_bid(self) -> Decimal | None:
        return max(self.bids) if self.bids else None

    def best_ask(self) -> Decimal | None:
        return min(self.asks) if self.asks else None

    def levels(self, depth: int = 10) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        bids = sorted(self.bids.items(), key=lambda level: level[0], reverse=True)[:depth]
        asks = sorted(self.asks.items(), key=lambda level: level[0])[:depth]
        return bids, asks


def messages(ws: WebSocket, until: float) -> Iterator[dict[str, Any]]:
    """The feed's messages until the monotonic time ``until``."""
    while (left := until - time.monotonic()) > 0:
        message = ws.receive_json(timeout=left)
        if message is not None:
            yield message
