"""The database itself refuses changes to the audit log.

PostgreSQL: a row trigger refuses UPDATE and DELETE. SQLite: a trigger refuses
UPDATE; DELETE is refused by the ORM (``AuditQuerySet``, ``AuditEntry.delete``)
but not by a trigger, because Django's test-database flush empties SQLite
tables with DELETE (on PostgreSQL it uses TRUNCATE, which row triggers do not
see).
"""

from django.db import migrations

POSTGRES_UP = """
CREATE FUNCTION moderation_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the moderation audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER moderation_audit_append_only
    BEFORE UPDATE OR DELETE ON moderation_auditentry
    FOR EACH ROW EXECUTE FUNCTION moderation_audit_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER moderation_audit_append_only ON moderation_auditentry;
DROP FUNCTION moderation_audit_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER moderation_audit_no_update BEFORE UPDATE ON moderation_auditentry
BEGIN
    SELECT RAISE(ABORT, 'the moderation audit log is append-only');
END;
"""
SQLITE_DOWN = "DROP TRIGGER moderation_audit_no_update;"


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
