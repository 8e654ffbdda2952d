"""The server under test, as the fixtures hand it to the journeys."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tests.e2e.mail import Mail, MailSink

if TYPE_CHECKING:
    from playwright.sync_api import Page

# What the ``new_page`` fixture gives: call it for a page in a context of its own.
NewPage = Callable[[], "Page"]


@dataclass
class LiveServer:
    url: str
    tmp: Path
    env: dict[str, str]
    mail: MailSink
    daphne_log: Path
    worker_log: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __call__(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.url + path

    def wait_for_mail(self, to: str, timeout: float = 15) -> Mail:
        return self.mail.wait_for_mail(to, timeout=timeout)
