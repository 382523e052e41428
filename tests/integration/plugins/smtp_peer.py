#!/usr/bin/python3
"""A real SMTP server (aiosmtpd, Debian's python3-aiosmtpd) for the email
plugin's integration tests. Loopback only; the port is chosen by the kernel.

Protocol with the test, on standard error, one line each:
  PORT <n>            first line, once listening
  EVENT <json>        for each DATA received, before the reply is sent, so it
                      is already in the pipe when the client sees the reply.
The JSON holds the envelope, raw headers, and the subject and body decoded by
Python's email package: an independent check of the plugin's encoding.

Options:
  --fail-nth N --fail-code C   reply C (e.g. 451) to the Nth DATA (1-based)
  --reject RCPT=CODE           reply CODE to RCPT TO:<RCPT> (repeatable)
  --auth USER:PASS             require AUTH (PLAIN/LOGIN, allowed without TLS)
  --port N                     listen on port N (default 0: the kernel chooses)
  --stall                      hold every DATA unanswered (after its EVENT,
                               with "stalled": true) until the peer gets
                               SIGUSR1; from then on answer at once
"""
import argparse
import asyncio
import email
import email.header
import email.policy
import json
import signal
import sys

from aiosmtpd.smtp import SMTP, AuthResult

REPLIES = {
    "421": "421 4.3.2 service not available",
    "451": "451 4.3.0 injected temporary failure",
    "452": "452 4.2.2 mailbox full",
    "550": "550 5.1.1 unknown recipient",
    "554": "554 5.7.1 rejected",
}


def say(line):
    print(line, file=sys.stderr, flush=True)


class Handler:
    def __init__(self, args):
        self.args = args
        self.data_count = 0
        self.reject = dict(r.split("=", 1) for r in args.reject)
        self.release = asyncio.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.reject.get(address)
        if code:
            return REPLIES.get(code, code + " rejected")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_count += 1
        raw = envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        decoded = email.message_from_bytes(raw, policy=email.policy.default)
        fail = self.args.fail_nth == self.data_count
        event = {
            "n": self.data_count,
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": {k: v for k, v in msg.items()},
            "subject": str(email.header.make_header(
                email.header.decode_header(msg["Subject"]))),
            "from_decoded": str(decoded["From"]),
            "body": decoded.get_content().replace("\r\n", "\n"),
            "seven_bit": all(b < 0x80 for b in raw),
            "reply": self.args.fail_code if fail else "250",
            "stalled": self.args.stall and not self.release.is_set(),
        }
        say("EVENT " + json.dumps(event, ensure_ascii=False))
        if self.args.stall:
            await self.release.wait()
        if fail:
            return REPLIES.get(self.args.fail_code, self.args.fail_code + " failed")
        return "250 OK queued"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--fail-nth", type=int, default=0)
    p.add_argument("--fail-code", default="451")
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--auth", default="")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--stall", action="store_true")
    args = p.parse_args()

    kwargs = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, data):
            ok = (data.login.decode() == user and data.password.decode() == password)
            return AuthResult(success=ok, handled=False)

        kwargs = dict(auth_required=True, auth_require_tls=False,
                      authenticator=authenticator)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Handler(args)
    loop.add_signal_handler(signal.SIGUSR1, handler.release.set)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, hostname="peer.test", loop=loop, **kwargs),
        "127.0.0.1", args.port))
    say("PORT %d" % server.sockets[0].getsockname()[1])
    loop.run_forever()


if __name__ == "__main__":
    main()
