"""Run the SLA sweep once, now or as of a given moment (for operators and tests).

python manage.py sla_sweep                      # what the worker does every minute
python manage.py sla_sweep --at 2026-12-01T09:00+05:00
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reception.sweep import sweep


class Command(BaseCommand):
    help = "Fire the SLA warnings, breaches and escalations that are due (each once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="an ISO 8601 moment with its UTC offset; default: now")

    def handle(self, *args: Any, **options: Any) -> None:
        moment = None
        if options["at"]:
            try:
                moment = dt.datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(
                    f"--at must be an ISO 8601 moment, not {options['at']!r}"
                ) from exc
            if moment.tzinfo is None:
                raise CommandError("--at needs a UTC offset, e.g. 2026-12-01T09:00+05:00")
        counts = sweep(moment)
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
