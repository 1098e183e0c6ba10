"""Sites that existed before the queue get the default rejection reasons."""
from django.db import migrations
from django.utils.text import slugify

DEFAULT_REASONS = (
    "Insults or abuse",
    "Threats or harassment",
    "Hate against a group",
    "Spam or advertising",
    "Off topic",
)


def add_defaults(apps, schema_editor):
    Site = apps.get_model("comments", "Site")
    RejectionReason = apps.get_model("moderation", "RejectionReason")
    for site in Site.objects.all():
        if not RejectionReason.objects.filter(site=site).exists():
            RejectionReason.objects.bulk_create(
                [RejectionReason(site=site, code=slugify(label), label=label, position=i)
                 for i, label in enumerate(DEFAULT_REASONS)]
            )


class Migration(migrations.Migration):
    dependencies = [("moderation", "0002_queue"), ("comments", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
