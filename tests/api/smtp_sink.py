#!/usr/bin/python3
"""smtp_sink.py: a small SMTP server on loopback that keeps what it gets.

Usage: smtp_sink.py --dir DIR [--port N] [--reject ADDRESS]... [--quiet]

Listens on 127.0.0.1:N (N 0: a free port), prints "port N" on its first
line once it listens, and keeps each message it accepts as DIR/NNNNNN.eml
(written whole, then renamed, so a reader never sees half a message),
numbered from 1 in the order they came. A RCPT to a --reject address is
answered 550 (a permanent refusal). Unless --quiet, prints one line per
message: "mail: to ADDRESS: SUBJECT (DIR/NNNNNN.eml)". Stops on SIGTERM or
SIGINT. Debian's python3-aiosmtpd (make test and make run install it).
"""
import argparse
import email
import email.policy
import os
import signal
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, reject, quiet):
        self.dir = directory
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
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    port = a.port or free_port()
    ctl = Controller(Sink(a.dir, a.reject, a.quiet), hostname="127.0.0.1",
                     port=port)
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
