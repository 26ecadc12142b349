"""Unit tests of the example client's pieces: python3 -m unittest discover examples/python"""

import base64
import hashlib
import json
import socket
import struct
import threading
import unittest

from http.server import BaseHTTPRequestHandler, HTTPServer

from coinage import BookReplica, GapDetected, RestClient, Signer, WebSocket, WebSocketClosed


class SignerTests(unittest.TestCase):
    def test_the_signature_matches_one_computed_by_openssl(self):
        # printf '1700000000000\nPOST\n/api/v1/orders\n{"market":"BTC-USD","side":"buy"}' \
        #   | openssl dgst -sha256 -hmac 'c2VjcmV0LWtleS1mb3ItdGVzdHM'
        signer = Signer("ck_test", "c2VjcmV0LWtleS1mb3ItdGVzdHM")
        signature = signer.sign(1700000000000, "post", "/api/v1/orders", '{"market":"BTC-USD","side":"buy"}')
        self.assertEqual("474378f1dbfaba623f95a7b191fffd3eba805d8bd437621478412baec3e2bbec", signature)

    def test_the_signature_matches_the_test_vector_of_docs_api_keys(self):
        signer = Signer("ck_test", "dGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZy0wMTIzNDU2")
        self.assertEqual("ff3f8edf9b464cdf87fad21545dbf9fdadd0a1a3ca216a5ae922ba04f41c4def",
                         signer.sign(1764979200000, "GET", "/api/v1/wallet/balances"))

    def test_the_headers_carry_the_key_the_time_and_the_signature(self):
        headers = Signer("ck_test", "secret", window_ms=10000).headers("GET", "/api/v1/orders?market=BTC-USD", now_ms=42)
        self.assertEqual("ck_test", headers["Coinage-Key"])
        self.assertEqual("42", headers["Coinage-Timestamp"])
        self.assertEqual("10000", headers["Coinage-Window"])
        self.assertEqual(Signer("ck_test", "secret").sign(42, "GET", "/api/v1/orders?market=BTC-USD"), headers["Coinage-Signature"])

    def test_a_key_without_its_secret_is_refused(self):
        with self.assertRaises(ValueError):
            Signer("ck_test", "")


class RestClientTests(unittest.TestCase):
    def test_place_oco_and_amend_send_the_documented_requests_signed(self):
        seen = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                seen.append((self.command, self.path, json.loads(body), self.headers.get("Coinage-Signature") is not None))
                payload = b'{"ok":true}'
                self.send_response(202)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_PATCH = _answer

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            rest = RestClient(f"http://127.0.0.1:{server.server_address[1]}", Signer("ck_test", "c2VjcmV0"))
            self.assertEqual({"ok": True}, rest.place_oco("ETH-BTC", "sell", "1", "0.06", "0.04", stop_price="0.039"))
            rest.amend("4711", quantity="0.5")
        finally:
            server.shutdown()
        self.assertEqual([
            ("POST", "/api/v1/orders/oco", {"market": "ETH-BTC", "side": "sell", "quantity": "1", "price": "0.06",
                                             "triggerPrice": "0.04", "stopPrice": "0.039"}, True),
            ("PATCH", "/api/v1/orders/4711", {"quantity": "0.5"}, True),
        ], seen)


class BookReplicaTests(unittest.TestCase):
    def setUp(self):
        self.book = BookReplica("BTC-USD")
        self.book.apply_snapshot([["100", "1"], ["99", "2"]], [["101", "1.5"]], epoch="7", sequence=10)

    def test_updates_in_sequence_change_and_remove_levels(self):
        self.book.apply_update([["100", "0"], ["98", "3"]], [["101", "0.5"]], epoch="7", sequence=11)
        self.assertEqual(11, self.book.sequence)
        bids, asks = self.book.levels()
        self.assertEqual([("99", "2"), ("98", "3")], [(str(p), str(s)) for p, s in bids])
        self.assertEqual([("101", "0.5")], [(str(p), str(s)) for p, s in asks])

    def test_a_missing_sequence_is_a_gap_and_the_book_waits_for_a_snapshot(self):
        with self.assertRaises(GapDetected) as caught:
            self.book.apply_update([["100", "0"]], [], epoch="7", sequence=12)
        self.assertEqual(("7/11", "7/12"), (caught.exception.expected, caught.exception.received))
        self.assertFalse(self.book.synced)
        self.book.apply_update([["97", "1"]], [], epoch="7", sequence=13)  # ignored until the snapshot
        self.assertEqual({}, self.book.bids)
        self.book.apply_snapshot([["100", "1"]], [], epoch="7", sequence=13)
        self.book.apply_update([["99", "4"]], [], epoch="7", sequence=14)
        self.assertEqual(14, self.book.sequence)

    def test_another_epoch_is_a_gap_even_with_the_next_sequence(self):
        with self.assertRaises(GapDetected):
            self.book.apply_update([], [], epoch="8", sequence=11)


class WebSocketTests(unittest.TestCase):
    """Against a one-connection RFC 6455 server on loopback written out by hand for the test."""

    def serve(self, script):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        self.addCleanup(listener.close)
        self.received = []

        def run():
            connection, _ = listener.accept()
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += connection.recv(4096)
                head = request.decode("latin-1")
                self.handshake = head
                key = next(line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.lower().startswith("sec-websocket-key"))
                accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
                connection.sendall(f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n".encode())
                script(connection, self)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 5)
        return f"ws://127.0.0.1:{listener.getsockname()[1]}/ws/v1"

    @staticmethod
    def read_client_frame(connection):
        first, second = connection.recv(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", connection.recv(2))[0]
        mask = connection.recv(4)
        payload = b""
        while len(payload) < length:
            payload += connection.recv(length - len(payload))
        return first & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

    def test_messages_go_both_ways_pings_are_answered_and_a_close_is_reported(self):
        def script(connection, test):
            test.received.append(self.read_client_frame(connection))
            connection.sendall(bytes([0x89, 2]) + b"hi")  # ping
            test.received.append(self.read_client_frame(connection))  # its pong
            text = json.dumps({"type": "heartbeat"}).encode()
            connection.sendall(bytes([0x01, 5]) + text[:5] + bytes([0x80, len(text) - 5]) + text[5:])  # in two fragments
            connection.sendall(bytes([0x88, 6]) + struct.pack("!H", 4000) + b"slow")

        ws = WebSocket(self.serve(script), headers={"Coinage-Key": "ck_test"})
        ws.send_json({"op": "subscribe", "channels": ["book"]})
        self.assertEqual({"type": "heartbeat"}, ws.receive_json(timeout=5))
        with self.assertRaises(WebSocketClosed) as closed:
            ws.receive_json(timeout=5)
        self.assertEqual((4000, "slow"), (closed.exception.code, closed.exception.reason))
        self.assertIn("Coinage-Key: ck_test", self.handshake)
        self.assertEqual((0x1, b'{"op":"subscribe","channels":["book"]}'), self.received[0])
        self.assertEqual((0xA, b"hi"), self.received[1])


if __name__ == "__main__":
    unittest.main()
