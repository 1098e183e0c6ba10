from django.urls import path

from .views import audit, decisions, items, queue, site_settings

app_name = "moderation"

urlpatterns = [
    path("queue/", queue.queue, name="queue"),
    path("queue/poll/", queue.poll, name="poll"),
    path("queue/bulk/", decisions.bulk, name="bulk"),
    path("queue/undo/", decisions.undo, name="undo"),
    path("queue/items/<int:pk>/", items.item_page, name="item"),
    path("queue/items/<int:pk>/open/", items.item_open, name="item_open"),
    path("queue/items/<int:pk>/thread/", items.item_thread, name="item_thread"),
    path("queue/items/<int:pk>/text/", items.item_text, name="item_text"),
    path("queue/items/<int:pk>/decide/", decisions.decide, name="decide"),
    path("queue/items/<int:pk>/sanction/", decisions.sanction, name="sanction"),
    path("queue/items/<int:pk>/feedback/", decisions.feedback, name="feedback"),
    path("queue/authors/<int:pk>/", items.author_drawer, name="author"),
    path("audit/", audit.audit_log, name="audit"),
    path("sites/<slug:slug>/settings/", site_settings.settings_page, name="site_settings"),
    path("sites/<slug:slug>/settings/policy/", site_settings.policy_save, name="policy_save"),
    path("sites/<slug:slug>/settings/reasons/", site_settings.reason_add, name="reason_add"),
    path("sites/<slug:slug>/settings/reasons/<int:reason_id>/", site_settings.reason_toggle, name="reason_toggle"),
    path("sites/<slug:slug>/settings/roles/", site_settings.role_set, name="role_set"),
    path("sites/<slug:slug>/settings/roles/<int:membership_id>/remove/", site_settings.role_remove, name="role_remove"),
]
