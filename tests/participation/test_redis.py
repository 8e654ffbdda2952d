"""With REDIS_URL, real-time events and rate limits hold across processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from channels.layers import get_channel_layer

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]


def run_in_another_process(code: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "participation.settings",
        "ALLOWED_HOSTS": "testserver",  # the host the test client uses
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_an_event_sent_by_another_process_reaches_this_ones_sockets():
    layer = get_channel_layer()
    assert type(layer).__name__ == "RedisPubSubChannelLayer"
    channel = await layer.new_channel()
    await layer.group_add("user.424242", channel)
    try:
        result = run_in_another_process(
            "from participation.realtime import send_on_commit\n"
            "send_on_commit('user.424242', 'notification', {'text': 'from afar'})"
        )
        assert result.returncode == 0, result.stderr
        message = await layer.receive(channel)
        assert message["event"] == "notification"
        assert message["payload"] == {"text": "from afar"}
    finally:
        await layer.group_discard("user.424242", channel)


@pytest.mark.django_db
def test_failed_logins_counted_in_one_process_lock_out_in_another(client, world):
    for _ in range(5):
        client.post("/en/accounts/login/", {"login": world.alice.email, "password": "x"})
    result = run_in_another_process(
        "from allauth.account.adapter import get_adapter\n"
        "from django.core.exceptions import ValidationError\n"
        "from django.test import RequestFactory\n"
        "request = RequestFactory().post('/en/accounts/login/')\n"
        "try:\n"
        "    get_adapter(request).pre_authenticate(request, email='alice@example.kz')\n"
        "    print('allowed')\n"
        "except ValidationError:\n"
        "    print('locked out')\n"
    )
    assert result.stdout.strip() == "locked out", result.stderr
