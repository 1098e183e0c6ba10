"""Admin lists that one unreadable row cannot take down (see ``readable.py``).

A changelist loads a page of rows, and Django's date hierarchy the first and
last date of the whole table: one value Python cannot hold makes the list a
500 for every site. The cheap robust fix, chosen over showing such rows with
a placeholder (which would need a custom queryset for every list, the date
hierarchy and the change form): the list shows the rows it can read, and a
warning names the others (id and the stored value as the database prints
it), so an operator can find and repair them. Their change page answers
"does not exist" rather than a 500.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.db.models import DateTimeField

from .readable import readable, unreadable_rows


class ReadableRowsAdmin(admin.ModelAdmin):
    """Lists only rows whose datetime columns can be read back; warns about the others."""

    def readable_columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.model._meta.concrete_fields if isinstance(f, DateTimeField))

    def get_queryset(self, request):
        return super().get_queryset(request).filter(readable(*self.readable_columns()))

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            bad = unreadable_rows(self.model._default_manager.all(), columns=self.readable_columns())
            if bad:
                names = "; ".join(
                    f"#{row['pk']} " + ", ".join(f"{column}={row[f'{column}_text']}" for column in self.readable_columns()
                                                 if row[f"{column}_text"] is not None)
                    for row in bad
                )
                more = " or more" if len(bad) >= 20 else ""
                self.message_user(request, f"Not listed: {len(bad)}{more} {self.model._meta.verbose_name_plural} "
                                           f"stored with a date that cannot be read back (outside the years 1 to 9999): "
                                           f"{names}.", messages.WARNING)
        return super().changelist_view(request, extra_context)


class RelatedDatesDeferredAdmin(admin.ModelAdmin):
    """A list showing related rows (a comment, an article) selects them with
    their datetime columns deferred: their ``str()`` needs none, and a related
    row stored with an unreadable date then cannot break the list."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        related, deferred = [], []
        for name in self.list_display:
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.many_to_one or field.one_to_one:
                related.append(name)
                deferred += [f"{name}__{f.name}" for f in field.related_model._meta.concrete_fields
                             if isinstance(f, DateTimeField)]
        return queryset.select_related(*related).defer(*deferred) if related else queryset
