"""Indexes on the source tables' change times, so finding what changed since
the watermark is an index range scan, not a read of the comment table. They
belong to analytics' job, so analytics creates them (IF NOT EXISTS works on
PostgreSQL and SQLite)."""
from django.db import migrations

INDEXES = {
    "analytics_src_comment_updated": ("comments_comment", "updated_at"),
    "analytics_src_scoring_scored": ("moderation_commentscoring", "scored_at"),
    "analytics_src_flag_created": ("moderation_flag", "created_at"),
    "analytics_src_review_decided": ("moderation_review", "decided_at"),
    "analytics_src_decision_created": ("moderation_decision", "created_at"),
    "analytics_src_decision_undone": ("moderation_decision", "undone_at"),
    "analytics_src_decision_site_created": ("moderation_decision", "site_id, created_at"),
    "analytics_src_flag_site_created": ("moderation_flag", "site_id, created_at"),
    "analytics_src_review_site_decided": ("moderation_review", "site_id, decided_at"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("comments", "0001_initial"),
        ("moderation", "0004_flag_all_order"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, (table, columns) in INDEXES.items()
    ]
