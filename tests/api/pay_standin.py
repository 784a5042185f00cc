#!/usr/bin/env python3
"""pay_standin.py: a stand-in for the payment provider's refunds API
(Stripe's is the model), for tests/api/payments.sh and bench/hooks.sh.

Usage: pay_standin.py KEY PORTFILE
Listens on 127.0.0.1 on a free port (written to PORTFILE).

  POST /v1/refunds   form: payment_intent, amount, metadata[...]
                     Authorization: Bearer KEY (else 401);
                     Idempotency-Key (else 400). The same key with the
                     same parameters gives the same answer again and never
                     a second refund; with other parameters, 400.
  POST /_mode        {"mode": M, "count": N}: the next N refund requests
                     (default 1) go so, then "ok" again:
                       ok       200, a refund, succeeded
                       pending  200, a refund, pending (its webhook ends it)
                       fail     402 card_declined, nothing made or kept
                       5xx      500 before anything is made
                       lost     the refund is made and kept, then the
                                answer never comes (sleeps 30 s): the
                                client times out
  GET /_refunds      every refund made: [{"id", "key", "payment_intent",
                     "amount", "metadata", "status"}]
"""
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = sys.argv[1]
lock = threading.Lock()
refunds = []            # in order made
by_key = {}             # key -> (params, status, body)
modes = []              # the next requests' modes


def next_mode():
    with lock:
        return modes.pop(0) if modes else "ok"


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n)

    def do_GET(self):
        if self.path == "/_refunds":
            with lock:
                return self.answer(200, refunds)
        self.answer(404, {"error": {"message": "no such route"}})

    def do_POST(self):
        raw = self.body()
        if self.path == "/_mode":
            m = json.loads(raw or b"{}")
            with lock:
                modes.extend([m.get("mode", "ok")] * int(m.get("count", 1)))
            return self.answer(200, {"queued": len(modes)})
        if self.path != "/v1/refunds":
            return self.answer(404, {"error": {"message": "no such route"}})
        if self.headers.get("Authorization") != "Bearer " + KEY:
            return self.answer(401, {"error": {
                "type": "invalid_request_error",
                "message": "Invalid API Key provided"}})
        key = self.headers.get("Idempotency-Key")
        if not key:
            return self.answer(400, {"error": {
                "type": "invalid_request_error",
                "message": "an Idempotency-Key is required here"}})
        params = sorted(urllib.parse.parse_qsl(raw.decode(),
                                               keep_blank_values=True))
        with lock:
            seen = by_key.get(key)
        if seen:
            if seen[0] != params:
                return self.answer(400, {"error": {
                    "type": "idempotency_error",
                    "message": "Keys for idempotent requests can only be "
                               "used with the same parameters"}})
            return self.answer(seen[1], seen[2])
        mode = next_mode()
        if mode == "5xx":
            return self.answer(500, {"error": {"type": "api_error",
                                               "message": "try again"}})
        if mode == "fail":
            return self.answer(402, {"error": {
                "type": "card_error", "code": "card_declined",
                "message": "the card was declined"}})
        p = dict(params)
        meta = {k[9:-1]: v for k, v in params if k.startswith("metadata[")}
        with lock:
            r = {"id": "re_%d" % (len(refunds) + 1), "object": "refund",
                 "key": key, "payment_intent": p.get("payment_intent"),
                 "amount": int(p.get("amount", "0")), "metadata": meta,
                 "status": "pending" if mode == "pending" else "succeeded"}
            refunds.append(r)
            by_key[key] = (params, 200, r)
        if mode == "lost":
            time.sleep(30)
            return
        self.answer(200, r)


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
