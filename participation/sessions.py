"""Database sessions read with one prepared statement.

The same table and encoding as ``django.contrib.sessions.backends.db`` (existing
sessions stay valid, on the default database); only ``load``, run on every
signed-in request, skips the ORM's per-call query compile and runs prepared
(``rows.prepared_cursor``). Writing, rotating and clearing are Django's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.db import connection
from django.utils import timezone

from participation.rows import prepared_cursor


class SessionStore(DatabaseStore):
    def load(self) -> dict[str, Any]:
        sql = (
            f"SELECT session_data FROM {connection.ops.quote_name(self.model._meta.db_table)} "  # noqa: S608
            "WHERE session_key = %s AND expire_date > %s"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with prepared_cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
