#!/usr/bin/python3
"""smtp_sink.py: a small SMTP server on loopback that keeps what it gets.

Usage: smtp_sink.py --dir DIR [--port N] [--reject ADDRESS]... [--quiet]
                    [--tls-cert CERT --tls-key KEY] [--auth USER:PASS]

Listens on 127.0.0.1:N (N 0: a free port), prints "port N" on its first
line once it listens, and keeps each message it accepts as DIR/NNNNNN.eml
(written whole, then renamed, so a reader never sees half a message),
numbered from 1 in the order they came. A RCPT to a --reject address is
answered 550 (a permanent refusal). Unless --quiet, prints one line per
message: "mail: to ADDRESS: SUBJECT (DIR/NNNNNN.eml)". Stops on SIGTERM or
SIGINT. With --tls-cert and --tls-key (PEM) it offers STARTTLS and
requires it before MAIL; with --auth it requires AUTH (PLAIN or LOGIN,
only over TLS) as USER with PASS. With either, each kept message starts
with "X-Sink-TLS: yes|no" and "X-Sink-Auth: USER|-" (how it came).
Debian's python3-aiosmtpd (make test and make run install it).
"""
import argparse
import email
import email.policy
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, reject, quiet, stamp=False):
        self.dir = directory
        self.stamp = stamp
        self.reject = {a.lower() for a in reject}
        self.quiet = quiet
        self.lock = threading.Lock()
        self.n = len([f for f in os.listdir(directory) if f.endswith(".eml")])

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        if self.stamp:
            user = session.auth_data if session.authenticated else None
            data = ("X-Sink-TLS: %s\r\nX-Sink-Auth: %s\r\n" % (
                "yes" if session.ssl is not None else "no",
                user or "-")).encode("utf-8") + data
        with self.lock:
            self.n += 1
            name = os.path.join(self.dir, "%06d.eml" % self.n)
            tmp = name + ".tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, name)
        if not self.quiet:
            msg = email.message_from_bytes(data, policy=email.policy.default)
            print("mail: to %s: %s (%s)" % (", ".join(envelope.rcpt_tos),
                                            msg["subject"], name),
                  flush=True)
        return "250 2.0.0 kept as %s" % os.path.basename(name)


class Login:
    """The aiosmtpd authenticator: USER with PASS, nothing else."""

    def __init__(self, user, password):
        self.user = user.encode("utf-8")
        self.password = password.encode("utf-8")

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and
              auth_data.login == self.user and
              auth_data.password == self.password)
        return AuthResult(success=ok, handled=False,
                          auth_data=self.user.decode() if ok else None)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--reject", action="append", default=[])
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--auth", metavar="USER:PASS")
    a = ap.parse_args()
    if bool(a.tls_cert) != bool(a.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if a.auth is not None and ":" not in a.auth:
        ap.error("--auth: not USER:PASS")
    os.makedirs(a.dir, exist_ok=True)
    port = a.port or free_port()
    kw = {}
    if a.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        kw.update(tls_context=ctx, require_starttls=True)
    if a.auth is not None:
        user, password = a.auth.split(":", 1)
        kw.update(authenticator=Login(user, password), auth_required=True,
                  auth_require_tls=True)
    stamp = bool(kw)
    ctl = Controller(Sink(a.dir, a.reject, a.quiet, stamp),
                     hostname="127.0.0.1", port=port, **kw)
    ctl.start()
    print("port %d" % port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(3600):
        pass
    ctl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
