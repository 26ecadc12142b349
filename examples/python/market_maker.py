#!/usr/bin/env python3
"""A simple market maker for Coinage: quotes a bid and an ask around the mid of a market's book.

It follows the market's book over the WebSocket feed (a snapshot, then updates with sequence numbers;
a missing number means a lost update, so it asks for a fresh snapshot), and every ``--refresh``
seconds cancels its quotes and places new ones with signed REST requests. Standard library only.

    COINAGE_API_KEY=ck_... COINAGE_API_SECRET=... python3 examples/python/market_maker.py \\
        --url http://127.0.0.1:5100 --market BTC-USD --spread-bps 20 --size 0.01

``--iterations N`` stops after N quoting rounds (0: until Ctrl+C), cancelling its orders on the way out.
``--drop-update K`` throws away the K-th book update it receives, to watch the gap being detected and repaired.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from coinage import BookReplica, CoinageError, GapDetected, RestClient, Signer, WebSocket, messages


def log(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {text}", flush=True)


def snap(value: Decimal, step: Decimal, rounding=ROUND_DOWN) -> Decimal:
    """``value`` on the grid of ``step`` (a market's tick or lot)."""
    return (value / step).quantize(Decimal(1), rounding=rounding) * step


class Feed:
    """The market's book from the WebSocket feed, resynchronised whenever an update is missing."""

    def __init__(self, url: str, signer: Signer, market: str, drop_update: int):
        ws_url = url.replace("http://", "ws://", 1).replace("https://", "wss://", 1).rstrip("/") + "/ws/v1"
        # The handshake is signed like any request (empty body), which also opens the private channels.
        self.ws = WebSocket(ws_url, headers=signer.headers("GET", "/ws/v1"))
        self.market = market
        self.book = BookReplica(market)
        self.updates_seen = 0
        self.drop_update = drop_update
        self.resyncs = 0
        self.ws.send_json({"op": "subscribe", "channels": ["book"], "markets": [market]})
        self.ws.send_json({"op": "subscribe", "channels": ["fills"]})

    def pump(self, seconds: float) -> None:
        """Handles the feed's messages for ``seconds``."""
        for message in messages(self.ws, time.monotonic() + seconds):
            kind, channel = message.get("type"), message.get("channel")
            if kind == "error":
                log(f"feed error {message.get('code')}: {message.get('reason')}")
            elif channel == "fills" and kind == "update":
                fill = message["data"]
                log(f"filled: {fill['side']} {fill['quantity']} at {fill['price']} (fee {fill['fee']} {fill['feeAsset']})")
            elif channel == "book" and message.get("market") == self.market:
                self._on_book(message)

    def _on_book(self, message: dict) -> None:
        epoch, sequence = message["epoch"], int(message["sequence"])
        if message["type"] == "snapshot":
            self.book.apply_snapshot(message["bids"], message["asks"], epoch, sequence)
            log(f"book snapshot at sequence {sequence}: {len(self.book.bids)} bids, {len(self.book.asks)} asks")
            return
        self.updates_seen += 1
        if self.updates_seen == self.drop_update:
            log(f"dropping book update {sequence} on purpose (--drop-update)")
            return
        try:
            self.book.apply_update(message["bids"], message["asks"], epoch, sequence)
        except GapDetected as gap:
            self.resyncs += 1
            log(f"gap detected: expected {gap.expected}, received {gap.received}; resynchronising")
            self.ws.send_json({"op": "resync", "markets": [self.market]})

    def wait_synced(self, seconds: float) -> bool:
        """Handles messages until the book is synchronised (after a resync, its snapshot), or ``seconds`` pass."""
        deadline = time.monotonic() + seconds
        while not self.book.synced and time.monotonic() < deadline:
            self.pump(0.2)
        return self.book.synced

    def close(self) -> None:
        self.ws.close()


def quote(rest: RestClient, market: dict, book: BookReplica, spread_bps: Decimal, size: Decimal) -> list[str]:
    """Places one bid and one ask around the book's mid; returns their ids."""
    bid, ask = book.best_bid(), book.best_ask()
    if bid is None or ask is None:
        ticker = rest.get(f"/api/v1/markets/{market['symbol']}/ticker")
        if not ticker.get("last"):
            log("no book and no last price yet: not quoting")
            return []
        mid = Decimal(ticker["last"])
    else:
        mid = (bid + ask) / 2
    tick, lot = Decimal(market["tickSize"]), Decimal(market["lotSize"])
    half = mid * spread_bps / Decimal(20000)
    my_bid = snap(mid - half, tick, ROUND_DOWN)
    my_ask = snap(mid + half, tick, ROUND_HALF_UP)
    if my_ask <= my_bid:
        my_ask = my_bid + tick
    quantity = max(snap(size, lot), Decimal(market["minQuantity"]))
    ids = []
    for side, price in (("buy", my_bid), ("sell", my_ask)):
        order = {"market": market["symbol"], "side": side, "type": "limit", "price": str(price),
                 "quantity": str(quantity), "postOnly": True, "clientOrderId": f"mm-{uuid.uuid4().hex[:20]}"}
        try:
            placed = rest.post("/api/v1/orders", order)
            ids.append(placed["id"])
        except CoinageError as error:
            log(f"{side} {quantity} at {price} refused: {error}")
    log(f"quoting {market['symbol']}: bid {my_bid} ask {my_ask} size {quantity} (mid {mid.normalize()}, book sequence {book.sequence})")
    return ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("COINAGE_URL", "http://127.0.0.1:5100"), help="the API's base URL")
    parser.add_argument("--market", default="BTC-USD")
    parser.add_argument("--spread-bps", type=Decimal, default=Decimal(20), help="quoted spread in basis points of the mid")
    parser.add_argument("--size", type=Decimal, default=Decimal("0.01"), help="size of each quote, in the base asset")
    parser.add_argument("--refresh", type=float, default=2.0, help="seconds between quoting rounds")
    parser.add_argument("--iterations", type=int, default=0, help="quoting rounds before stopping (0: until Ctrl+C)")
    parser.add_argument("--drop-update", type=int, default=0, help="throw away the K-th book update (shows the resync)")
    args = parser.parse_args()

    key, secret = os.environ.get("COINAGE_API_KEY"), os.environ.get("COINAGE_API_SECRET")
    if not key or not secret:
        print("Set COINAGE_API_KEY and COINAGE_API_SECRET (Account → Security → API keys, scopes read and trade).", file=sys.stderr)
        return 2
    signer = Signer(key, secret)
    rest = RestClient(args.url, signer)
    try:
        market = rest.get(f"/api/v1/markets/{args.market}")
        feed = Feed(args.url, signer, args.market, args.drop_update)
    except (CoinageError, OSError) as error:
        print(f"cannot start: {error}", file=sys.stderr)
        return 1

    rounds = 0
    try:
        feed.pump(1.0)  # the snapshot first
        while args.iterations == 0 or rounds < args.iterations:
            if not feed.wait_synced(10):
                log("the book did not resynchronise within 10 s: quoting from the ticker")
            rest.delete("/api/v1/orders", {"market": args.market})
            quote(rest, market, feed.book, args.spread_bps, args.size)
            rounds += 1
            feed.pump(args.refresh)
    except KeyboardInterrupt:
        pass
    except CoinageError as error:
        log(f"stopping: {error}")
        return 1
    finally:
        try:
            rest.delete("/api/v1/orders", {"market": args.market})
        except (CoinageError, OSError) as error:
            log(f"could not cancel the quotes on the way out: {error}")
        feed.close()
    log(f"done: {rounds} rounds, {feed.updates_seen} book updates, {feed.resyncs} resynchronisations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
