"""Sites stored since 0003 that have no rejection reasons yet get the defaults.

Until now the queue page wrote them on its first GET; a page that only reads
writes nothing now, and new sites get theirs when they are created
(``moderation.listeners.site_created``), so the sites in between get them here.
The same step as 0003, run again."""
import importlib

from django.db import migrations

add_defaults = importlib.import_module("moderation.migrations.0003_default_rejection_reasons").add_defaults


class Migration(migrations.Migration):
    dependencies = [("moderation", "0006_text_embedding"), ("comments", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
