#!/usr/bin/python3
"""A WeCom (企业微信) API on loopback for the wecom plugin's tests, as the
documentation describes it: GET /cgi-bin/gettoken?corpid=&corpsecret= gives an
access_token; POST /cgi-bin/message/send?access_token= sends a message.

Protocol with the test, on standard error, one line each: "PORT <n>" once
listening, then "EVENT <json>" for each request ({"path", "query", "body",
"answer"}) before it is answered.

Options:
  --corp-id ID --corp-secret S   the only credentials gettoken accepts
                                 (others: errcode 40001, invalid credential)
  --expire-after N               the token in use expires after N sends: the
                                 next send with it gets errcode 42001
  --send-errcode E               every send answers errcode E (after the
                                 token check)
  --users U1,U2                  the user ids that exist (others: 81013)
"""
import argparse
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


def say(line):
    with LOCK:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def make_handler(args):
    state = {"tokens": {}, "issued": 0}  # token -> sends made with it

    class Handler(BaseHTTPRequestHandler):
        def answer(self, event, reply):
            event["answer"] = reply
            say("EVENT " + json.dumps(event, ensure_ascii=False))
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            q = dict(urllib.parse.parse_qsl(url.query))
            event = {"path": url.path, "query": q, "body": ""}
            if url.path != "/cgi-bin/gettoken":
                return self.answer(event, {"errcode": 404, "errmsg": "no such api"})
            if q.get("corpid") != args.corp_id or q.get("corpsecret") != args.corp_secret:
                return self.answer(event, {"errcode": 40001, "errmsg": "invalid credential"})
            with LOCK:
                state["issued"] += 1
                token = "token-%d" % state["issued"]
                state["tokens"][token] = 0
            self.answer(event, {"errcode": 0, "errmsg": "ok", "access_token": token,
                                "expires_in": 7200})

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            q = dict(urllib.parse.parse_qsl(url.query))
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            event = {"path": url.path, "query": q, "body": body}
            if url.path != "/cgi-bin/message/send":
                return self.answer(event, {"errcode": 404, "errmsg": "no such api"})
            token = q.get("access_token", "")
            with LOCK:
                used = state["tokens"].get(token)
                if used is not None:
                    state["tokens"][token] = used + 1
            if used is None:
                return self.answer(event, {"errcode": 40014, "errmsg": "invalid access_token"})
            if args.expire_after and used >= args.expire_after:
                return self.answer(event, {"errcode": 42001, "errmsg": "access_token expired"})
            if args.send_errcode:
                return self.answer(event, {"errcode": args.send_errcode, "errmsg": "injected"})
            msg = json.loads(body)
            if args.users and msg.get("touser") not in args.users.split(","):
                return self.answer(event, {"errcode": 81013, "errmsg": "user & party & tag all invalid"})
            self.answer(event, {"errcode": 0, "errmsg": "ok", "msgid": "m%d" % used})

        def log_message(self, *a):
            pass

    return Handler


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--corp-id", default="ww-test")
    p.add_argument("--corp-secret", default="secret")
    p.add_argument("--expire-after", type=int, default=0)
    p.add_argument("--send-errcode", type=int, default=0)
    p.add_argument("--users", default="")
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args))
    server.daemon_threads = True
    say("PORT %d" % server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
