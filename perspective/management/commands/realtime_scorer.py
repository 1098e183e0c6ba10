"""Run the realtime scorer: models loaded once, synchronous API calls batched."""
from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from ...realtime import connection
from ...realtime_server import RealtimeScorer


class Command(BaseCommand):
    help = "Serve the Perspective-compatible API's scoring from loaded models (batching concurrent calls)."

    def add_arguments(self, parser):
        parser.add_argument("--max-batch", type=int, default=None, help="requests scored together at most")

    def handle(self, *args, max_batch=None, **options):
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        RealtimeScorer(conn=connection(), max_batch=max_batch).run(stop)
