"""Which query and form names a view reads, found by watching it read them.

While a request runs, every ``QueryDict.get`` and ``getlist`` is recorded:
views read their names that way, and forms' widgets too. (Not ``in`` or
``[name]``: building a QueryDict and ``items()`` use those for every key.)
The fuzzer then aims its values at those names, so a new field in a view is
fuzzed without anyone listing it.
"""
from __future__ import annotations

from contextlib import contextmanager

from django.http import QueryDict

_LOOKUPS = ("get", "getlist")


@contextmanager
def names_read():
    seen: set[str] = set()
    originals = {name: getattr(QueryDict, name) for name in _LOOKUPS}
    own = {name: name in vars(QueryDict) for name in _LOOKUPS}  # not inherited from MultiValueDict

    def recording(original):
        def lookup(self, key, *args, **kwargs):
            if isinstance(key, str):
                seen.add(key)
            return original(self, key, *args, **kwargs)

        return lookup

    for name, original in originals.items():
        setattr(QueryDict, name, recording(original))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            if own[name]:
                setattr(QueryDict, name, original)
            else:
                delattr(QueryDict, name)
