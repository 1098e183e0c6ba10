"""Machinery for the work tables: rows that say what still needs doing
(scoring states, inbound deliveries, outbound events), the lease a worker
takes on them (``lease.py``), the back-off between tries (``backoff.py``),
a batch whose bad item fails alone (``alone.py``), and the wake-up calls
that tell a worker to look (``wakeups.py``).

No models and no room's knowledge: each room describes its table with a
``lease.Lease`` and calls these functions (docs/architecture.md, "The lease").
"""
