"""The credits ledger is append-only in PostgreSQL too, not only through the ORM.

A trigger on billing_credittransaction refuses:

* an UPDATE that changes any column but the refund marker (`refunded`), the invoice id
  (`stripe_invoice_id`), or a link the delete cascade clears (`task_id`, `cv_id`,
  `related_transaction_id` set to NULL); a column added later is protected without
  touching this trigger, since the whole row is compared;
* a DELETE, unless this transaction named the row's user in the `fitmycv.ledger_erasure`
  setting first, which only account erasure does (billing.services.allow_ledger_erasure).

SQLite keeps the ORM guard only. TRUNCATE (test flushes, `manage.py flush`) is not a row
operation and stays allowed. A later data migration that must rewrite ledger rows has to
disable the trigger explicitly, in the open.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION billing_credittransaction_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.user_id::text = current_setting('fitmycv.ledger_erasure', true) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'credit ledger rows are append-only: row % cannot be deleted', OLD.id
            USING HINT = 'Add a reversing row; only account erasure removes ledger rows.';
    END IF;
    SELECT string_agg(new_column.key, ', ' ORDER BY new_column.key) INTO changed
    FROM jsonb_each(to_jsonb(NEW)) AS new_column
    WHERE new_column.value IS DISTINCT FROM to_jsonb(OLD) -> new_column.key
        AND new_column.key NOT IN ('refunded', 'stripe_invoice_id')
        AND NOT (
            new_column.key IN ('task_id', 'cv_id', 'related_transaction_id')
            AND new_column.value = 'null'::jsonb
        );
    IF changed IS NOT NULL THEN
        RAISE EXCEPTION 'credit ledger rows are append-only: row % cannot change %', OLD.id, changed
            USING HINT = 'Only refunded and stripe_invoice_id change, and links to deleted rows '
                         'are cleared; add a reversing row instead.';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER billing_credittransaction_append_only
BEFORE UPDATE OR DELETE ON billing_credittransaction
FOR EACH ROW EXECUTE FUNCTION billing_credittransaction_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS billing_credittransaction_append_only ON billing_credittransaction;
DROP FUNCTION IF EXISTS billing_credittransaction_append_only();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_tasks_moved_to_jobs"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
