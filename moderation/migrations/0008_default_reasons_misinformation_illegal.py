"""Older sites get the two defaults added in issue 15 ("Misinformation or
conspiracy content", "Illegal content"), after their own reasons.

A site's own edits stay: a reason whose code the site already has (active,
retired or relabelled) is left alone, so only codes it never had are added.
A site with no reasons at all gets the whole default list, as in 0003."""
from django.db import migrations
from django.db.models import Max
from django.utils.text import slugify

# Frozen here: the migration must do the same thing whatever the service's list becomes.
OLD_DEFAULTS = (
    "Insults or abuse",
    "Threats or harassment",
    "Hate against a group",
    "Spam or advertising",
    "Off topic",
)
NEW_DEFAULTS = ("Misinformation or conspiracy content", "Illegal content")


def add_new_defaults(apps, schema_editor):
    Site = apps.get_model("comments", "Site")
    RejectionReason = apps.get_model("moderation", "RejectionReason")
    for site in Site.objects.all():
        reasons = RejectionReason.objects.filter(site=site)
        codes = set(reasons.values_list("code", flat=True))
        labels = NEW_DEFAULTS if codes else OLD_DEFAULTS + NEW_DEFAULTS
        last = reasons.aggregate(last=Max("position"))["last"]
        start = 0 if last is None else last + 1
        missing = [label for label in labels if slugify(label) not in codes]
        RejectionReason.objects.bulk_create(
            [RejectionReason(site=site, code=slugify(label), label=label, position=start + i)
             for i, label in enumerate(missing)],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [("moderation", "0007_default_rejection_reasons_again"), ("comments", "0001_initial")]
    operations = [migrations.RunPython(add_new_defaults, migrations.RunPython.noop)]
