"""Run the realtime scorer: models loaded once, synchronous API calls batched."""
from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comments.fields import IngestError, integer_field

from ...realtime_server import RealtimeScorer


def parse_listen(value: str) -> tuple[str, int] | None:
    """``HOST:PORT`` (or ``""``: no HTTP server)."""
    if not value:
        return None
    host, _, port = value.rpartition(":")
    try:
        number = integer_field(port, "port", minimum=0, maximum=65535, allow_text=True)
    except IngestError:
        number = None
    if not host or number is None:
        raise CommandError(f"--listen wants HOST:PORT, not {value!r}")
    return host.strip("[]"), number


class Command(BaseCommand):
    help = "Serve the Perspective-compatible API's scoring from loaded models (batching concurrent calls)."

    def add_arguments(self, parser):
        parser.add_argument("--max-batch", type=int, default=None, help="requests scored together at most")
        parser.add_argument("--torch-threads", type=int, default=None,
                            help="torch intra-op threads (default REALTIME_TORCH_THREADS; 0: torch's default)")
        parser.add_argument("--listen", default=None,
                            help='HOST:PORT of its own Perspective API server (default PERSPECTIVE_API_LISTEN; "" for none)')

    def handle(self, *args, max_batch=None, torch_threads=None, listen=None, **options):
        threads = settings.REALTIME_TORCH_THREADS if torch_threads is None else torch_threads
        if threads > 0:
            # One thread by default: next to web processes, torch's all-core thread team
            # stalls whenever one of its threads is descheduled; run more scorer processes instead.
            import torch

            torch.set_num_threads(threads)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        address = parse_listen(settings.PERSPECTIVE_API_LISTEN if listen is None else listen)
        RealtimeScorer(redis_url=settings.REDIS_URL, max_batch=max_batch, listen=address).run(stop)
