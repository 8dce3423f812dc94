"""A small SMTP server on 127.0.0.1 for the tests: enough of RFC 5321 to take messages.

The standard library's ``smtpd`` is deprecated (and gone in 3.12), so the tests speak SMTP
themselves: EHLO, AUTH PLAIN, MAIL, RCPT, DATA (with dot-unstuffing), RSET, NOOP, QUIT. Every
command line is recorded, so a test can prove a password was never sent where it should not be.
It misbehaves on request as real servers do: refusing every password, refusing a recipient,
taking the whole message and then never answering, or hanging up.
"""

import base64
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes


@dataclass
class SmtpBehaviour:
    #: Credentials AUTH PLAIN accepts; None: AUTH is not offered.
    credentials: tuple[str, str] | None = None
    #: Recipients refused with 550.
    refuse_recipients: set[str] = field(default_factory=set)
    #: Refuse every AUTH with 535, whatever the credentials.
    refuse_auth: bool = False
    #: Take the whole message, then never answer it (until the server closes).
    hang_after_data: bool = False
    #: Take the whole message, then close the connection without answering.
    drop_after_data: bool = False
    #: Answer the whole message with this line instead of 250 (e.g. "554 5.7.1 Spam").
    reply_after_data: str | None = None


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self):
        server: SmtpServer = self.server.owner
        behaviour = server.behaviour
        self.reply("220 127.0.0.1 test SMTP ready")
        sender, recipients = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            server.commands.append(line)
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                extensions = ["250-127.0.0.1", "250-8BITMIME", "250-SIZE 52428800"]
                if behaviour.credentials:
                    extensions.append("250-AUTH PLAIN")
                extensions.append("250 SMTPUTF8")
                for extension in extensions:
                    self.reply(extension)
            elif verb == "HELO":
                self.reply("250 127.0.0.1")
            elif verb == "AUTH":
                parts = line.split(" ")
                decoded = base64.b64decode(parts[2]).split(b"\0") if len(parts) > 2 else []
                given = tuple(p.decode() for p in decoded[1:]) if decoded else ()
                if (
                    behaviour.credentials
                    and given == behaviour.credentials
                    and not (behaviour.refuse_auth)
                ):
                    self.reply("235 2.7.0 Authentication successful")
                else:
                    self.reply("535 5.7.8 Authentication credentials invalid")
            elif verb == "MAIL":
                sender, recipients = line.split(":", 1)[1].split()[0].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipient = line.split(":", 1)[1].strip().strip("<>")
                if recipient in behaviour.refuse_recipients:
                    self.reply("550 5.1.1 No such mailbox")
                else:
                    recipients.append(recipient)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data_line = self.rfile.readline()
                    if data_line in (b".\r\n", b""):
                        break
                    lines.append(data_line[1:] if data_line.startswith(b"..") else data_line)
                received = Received(sender, recipients, b"".join(lines))
                server.received.append(received)
                if behaviour.hang_after_data:
                    server.closing.wait()
                    return
                if behaviour.drop_after_data:
                    return
                if behaviour.reply_after_data:
                    self.reply(behaviour.reply_after_data)
                    continue
                server.messages.append(received)
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpServer:
    def __init__(self, behaviour: SmtpBehaviour | None = None):
        self.behaviour = behaviour or SmtpBehaviour()
        #: The messages accepted (answered 250), and every message received whole.
        self.messages: list[Received] = []
        self.received: list[Received] = []
        self.commands: list[str] = []
        self.closing = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def close(self):
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()
