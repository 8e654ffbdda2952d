"""The server under test, as the fixtures hand it to the journeys."""

from __future__ import annotations

import subprocess
import sys
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

    def new_citizen(self, email: str, display_name: str) -> str:
        """A verified citizen with no history, signed in with the demo password.

        For journeys about a newcomer (whose first texts wait for a moderator):
        the demo citizens have posted in live sessions, forums and petitions.
        """
        from tests.e2e.helpers import DEMO_PASSWORD

        code = (
            "from allauth.account.models import EmailAddress\n"
            "from participation.models import User\n"
            f"user = User.objects.create_user(email={email!r}, password={DEMO_PASSWORD!r},"
            f" display_name={display_name!r}, preferred_language='en')\n"
            "EmailAddress.objects.create(user=user, email=user.email,"
            " verified=True, primary=True)\n"
        )
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=Path(__file__).resolve().parents[2],
            env=self.env,
            check=True,
            capture_output=True,
        )
        return email
