"""Receivers the notice tests start on 127.0.0.1: a webhook (http.server in a thread)
that records the JSON bodies it accepted, and a minimal SMTP server (socketserver)
that records the messages it accepted. Either can refuse the first requests or hold
one without answering, to test retries and a sender killed mid-run."""

from __future__ import annotations

import email
import email.policy
import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Webhook:
    """POST → 200 {"errcode": 0} and the body recorded; `fail_first` requests answer
    500; request number `hold` waits (unanswered, unrecorded) until `release` is set."""

    def __init__(self, fail_first: int = 0, hold: int | None = None):
        self.fail_first = fail_first
        self.hold = hold
        self.accepted: list[dict] = []
        self.requests = 0
        self.held = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.requests += 1
                    number = receiver.requests
                if number == receiver.hold:
                    receiver.held.set()
                    receiver.release.wait(60)
                    self.close_connection = True
                    return  # never answered: the sender died waiting
                if number <= receiver.fail_first:
                    self.send_response(500)
                    self.end_headers()
                    return
                with receiver._lock:
                    receiver.accepted.append(json.loads(body.decode("utf-8")))
                answer = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?access_token=t"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def contents(self) -> list[str]:
        """The text of each accepted body (text or markdown, DingTalk or WeCom form)."""
        out = []
        for body in self.accepted:
            part = body.get(body["msgtype"], {})
            out.append(part.get("content") or part.get("text") or "")
        return out

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class Smtp:
    """Just enough SMTP (RFC 5321) for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET,
    NOOP, QUIT. Accepted messages are parsed into email.message.EmailMessage."""

    def __init__(self):
        self.messages: list = []
        self.envelopes: list[tuple[str, list[str]]] = []
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode("ascii") + b"\r\n")

            def handle(self):
                self.reply("220 test.local ESMTP ready")
                sender, recipients, data, in_data = None, [], [], False
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    if in_data:
                        if line in (b".\r\n", b".\n"):
                            in_data = False
                            message = email.message_from_bytes(
                                b"".join(data), policy=email.policy.default
                            )
                            receiver.messages.append(message)
                            receiver.envelopes.append((sender, recipients))
                            sender, recipients, data = None, [], []
                            self.reply("250 2.0.0 queued")
                        else:
                            data.append(line[1:] if line.startswith(b"..") else line)
                        continue
                    command = line.decode("ascii", "replace").strip()
                    verb = command[:4].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-test.local\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    elif verb == "HELO":
                        self.reply("250 test.local")
                    elif verb == "MAIL":
                        sender = command.split(":", 1)[1].strip().split()[0].strip("<>")
                        self.reply("250 2.1.0 ok")
                    elif verb == "RCPT":
                        recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                        self.reply("250 2.1.5 ok")
                    elif verb == "DATA":
                        in_data = True
                        self.reply("354 end with <CRLF>.<CRLF>")
                    elif verb == "RSET":
                        sender, recipients, data = None, [], []
                        self.reply("250 ok")
                    elif verb == "NOOP":
                        self.reply("250 ok")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 5.5.2 not implemented")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
