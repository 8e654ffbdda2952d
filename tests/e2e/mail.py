"""An SMTP sink for the end-to-end tests: the server under test sends its mail here."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

# allauth's codes: 8 letters and digits in two dashed halves by default ("ABCD-EF23").
_CODE_LINE = re.compile(r"^\s*([A-Z0-9]{2,}(?:-[A-Z0-9]{2,})*)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    body: str

    def code(self) -> str:
        """The one-time code that allauth puts alone on its own line of the message."""
        codes = [code for code in _CODE_LINE.findall(self.body) if len(code) >= 4]
        if len(codes) != 1:
            raise AssertionError(
                f"expected one code in {self.subject!r}, got {codes}:\n{self.body}"
            )
        return codes[0]


class MailSink:
    """An aiosmtpd handler that keeps every message it receives, safe across threads.

    ``wait_for_mail`` hands out each message once, oldest first, so a test can
    ask for "the next mail to this address" after each step that sends one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Mail] = []
        self._handed_out: set[int] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        part = message.get_body(preferencelist=("plain",))
        body = part.get_content() if isinstance(part, EmailMessage) else ""
        recipients = {address.lower() for address in envelope.rcpt_tos}
        recipients |= {
            address.addr_spec.lower()
            for header in message.get_all("To", [])
            for address in getattr(header, "addresses", ())
        }
        mail = Mail(to=tuple(sorted(recipients)), subject=str(message["Subject"] or ""), body=body)
        with self._lock:
            self._messages.append(mail)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[Mail]:
        with self._lock:
            return list(self._messages)

    def wait_for_mail(self, to: str, timeout: float = 15) -> Mail:
        """The oldest message to ``to`` not handed out yet; polls until ``timeout`` seconds."""
        address = to.lower()
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                for index, mail in enumerate(self._messages):
                    if index not in self._handed_out and address in mail.to:
                        self._handed_out.add(index)
                        return mail
                seen = [(m.to, m.subject) for m in self._messages]
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no new mail to {to} within {timeout} s; the sink holds: {seen}"
                )
            time.sleep(0.1)
