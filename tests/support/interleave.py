"""Races without sleeping: the other side of a race runs *inside* this side's service call.

``interleaved(Model, other_side)`` runs ``other_side()`` once, right after the
code under test builds its first ``Model`` instance (Django's ``post_init``
signal: a row read from the database), and waits for it to finish. So the
other side's transaction commits between this side's read and its guarded
write: the interleaving two moderators, or two workers, hit when they act
at the same moment, every time, with no sleeping.

The other side runs in its own thread, hence on its own database connection
and in its own transaction, which commits whatever this side does next
(rolling back included). Tests that use it need
``@pytest.mark.django_db(transaction=True)``: their rows must be committed for
the other connection to see them. The other side must not wait for a lock
this side holds; if it does, ``interleaved`` fails after ``timeout`` seconds
instead of hanging (the code under test locks where it used to read).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator

from django.db import connections
from django.db.models.signals import post_init


def in_other_connection(work: Callable[[], object], *, timeout: float) -> object:
    outcome: dict[str, object] = {}

    def run():
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed to the test below
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="other-side-of-the-race")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise AssertionError(f"the other side of the race still waits after {timeout} s: it needs a lock this side holds")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@contextmanager
def interleaved(model, other_side: Callable[[], object], *, at: int = 1, timeout: float = 30) -> Iterator[list]:
    """Run ``other_side`` to its commit when the ``at``-th ``model`` instance is
    built inside the block. Yields a list that holds what ``other_side``
    returned once it ran, so a test can assert that the race really happened."""
    seen: list[object] = []
    ran: list[object] = []
    uid = f"interleave-{id(seen)}"
    main = threading.get_ident()

    def receiver(sender, instance, **kwargs):
        if ran or threading.get_ident() != main:  # once, and only for this side's rows
            return
        seen.append(instance)
        if len(seen) == at:
            ran.append(in_other_connection(other_side, timeout=timeout))

    post_init.connect(receiver, sender=model, weak=False, dispatch_uid=uid)
    try:
        yield ran
    finally:
        post_init.disconnect(sender=model, dispatch_uid=uid)
