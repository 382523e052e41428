#!/usr/bin/python3
"""A real HTTP server (python3's http.server) for the SMS and webhook plugins'
integration tests. Loopback only; the port is chosen by the kernel.

Protocol with the test, on standard error, one line each:
  PORT <n>            first line, once listening
  EVENT <json>        for each request, before the response is sent, so it is
                      already in the pipe when the client sees the response.
  ERROR <text>        a request that failed here (e.g. its client was killed).
The JSON holds method, path, query, headers (lower-cased names), body, the
status about to be returned, and, with --secret, whether each signature
scheme the request carries verifies, computed here independently:
  shouhu:   X-Shouhu-Signature == "sha256=" + hex(HMAC(secret, X-Shouhu-Timestamp + "." + body))
  dingtalk: query sign == base64(HMAC(secret, query timestamp + "\\n" + secret))
  cloud:    X-Sign == base64(HMAC(secret, X-Nonce + X-Timestamp + body))
  aliyun:   Alibaba Cloud's ACS3-HMAC-SHA256, tencent: Tencent Cloud's
            TC3-HMAC-SHA256 (cloud_signatures.py)

Options:
  --status S                 status for every request (default 200)
  --response BODY            response body (default {})
  --fail-nth N --fail-status S --fail-response BODY
                             the Nth request (1-based) gets S and BODY instead
  --hang                     read the request, report it, never answer
  --secret KEY               verify signatures with KEY
  --refuse-bad-signature     answer a request whose aliyun or tencent signature
                             does not verify as that provider does
  --port N                   listen on port N (default 0: the kernel chooses),
                             so a test can stop the peer and start it again
  --delay-ms MS              wait MS after reporting a request before answering
  --dedup                    remember idempotency keys (X-Shouhu-Idempotency-Key,
                             or the body's idempotency_key) and report in each
                             event whether its key is "new" or seen before
"""
import argparse
import base64
import hashlib
import hmac
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cloud_signatures


SAY_LOCK = threading.Lock()


def say(line):
    # One write per line, under a lock: requests are handled on many threads.
    with SAY_LOCK:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def mac(secret, data):
    return hmac.new(secret.encode(), data.encode(), hashlib.sha256).digest()


def verify(secret, headers, query, body):
    out = {}
    ts, sig = headers.get("x-shouhu-timestamp"), headers.get("x-shouhu-signature")
    if ts is not None and sig is not None:
        want = "sha256=" + mac(secret, ts + "." + body).hex()
        out["shouhu"] = hmac.compare_digest(want, sig)
    if "timestamp" in query and "sign" in query:
        ts = query["timestamp"]
        want = base64.b64encode(mac(secret, ts + "\n" + secret)).decode()
        out["dingtalk"] = hmac.compare_digest(want, query["sign"])
    if "x-sign" in headers:
        data = headers.get("x-nonce", "") + headers.get("x-timestamp", "") + body
        want = base64.b64encode(mac(secret, data)).decode()
        out["cloud"] = hmac.compare_digest(want, headers["x-sign"])
    return out


def make_handler(args):
    lock = threading.Lock()
    count = [0]
    seen_keys = set()

    class Handler(BaseHTTPRequestHandler):
        def handle_any(self):
            with lock:
                count[0] += 1
                n = count[0]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace")
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            headers = {k.lower(): v for k, v in self.headers.items()}
            fail = n == args.fail_nth
            status = args.fail_status if fail else args.status
            response = args.fail_response if fail else args.response
            event = {"n": n, "method": self.command, "path": url.path,
                     "query": query, "headers": headers, "body": body,
                     "status": status}
            if args.secret:
                event["verified"] = verify(args.secret, headers, query, body)
                for name, check in (("aliyun", cloud_signatures.verify_aliyun),
                                    ("tencent", cloud_signatures.verify_tencent)):
                    ok = check(args.secret, self.command, url.path, url.query, headers, body)
                    if ok is None:
                        continue
                    event["verified"][name] = ok
                    if not ok and args.refuse_bad_signature:
                        status, response = cloud_signatures.REFUSALS[name]
                        event["status"] = status
            if args.dedup:
                key = headers.get("x-shouhu-idempotency-key")
                if key is None:
                    try:
                        key = json.loads(body).get("idempotency_key")
                    except (ValueError, AttributeError):
                        key = None
                event["key"] = key
                with lock:
                    event["new"] = key is not None and key not in seen_keys
                    seen_keys.add(key)
            say("EVENT " + json.dumps(event, ensure_ascii=False))
            if args.hang:
                threading.Event().wait()
            if args.delay_ms:
                threading.Event().wait(args.delay_ms / 1000.0)
            data = response.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = handle_any

        def log_message(self, *args):
            pass  # keep standard error for the protocol

    return Handler


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # One line, not socketserver's traceback (whose source lines could
        # look like protocol lines): a client killed in the middle of a
        # request (the crash tests do that) is expected.
        say("ERROR %s: %r" % (client_address, sys.exc_info()[1]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--status", type=int, default=200)
    p.add_argument("--response", default="{}")
    p.add_argument("--fail-nth", type=int, default=0)
    p.add_argument("--fail-status", type=int, default=503)
    p.add_argument("--fail-response", default='{"error": "injected"}')
    p.add_argument("--hang", action="store_true")
    p.add_argument("--secret", default="")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--dedup", action="store_true")
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--refuse-bad-signature", action="store_true")
    args = p.parse_args()
    server = Server(("127.0.0.1", args.port), make_handler(args))
    server.daemon_threads = True
    say("PORT %d" % server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
