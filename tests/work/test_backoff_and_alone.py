"""The one back-off formula, and a batch whose bad item fails alone (plain Python)."""
import datetime as dt

import pytest

from work.alone import batch_or_alone
from work.backoff import backoff_delay


def test_the_back_off_doubles_from_its_base_and_stops_at_its_cap():
    waits = [backoff_delay(attempts=n, base_seconds=15, cap_seconds=100).total_seconds() for n in range(0, 7)]
    assert waits == [15, 15, 30, 60, 100, 100, 100]


def test_an_absurd_number_of_tries_waits_the_cap_instead_of_overflowing():
    assert backoff_delay(attempts=10_000, base_seconds=0.5, cap_seconds=3600) == dt.timedelta(hours=1)


class Bad(Exception):
    pass


def work_refusing(bad):
    calls = []

    def work(items):
        calls.append(list(items))
        if bad in items:
            raise Bad(f"{bad} is bad")
        return [item * 10 for item in items]

    return work, calls


def test_a_batch_that_works_is_one_group():
    work, calls = work_refusing(bad=99)
    assert batch_or_alone([1, 2, 3], work, fail=lambda item, error: None) == [([1, 2, 3], [10, 20, 30])]
    assert calls == [[1, 2, 3]]


def test_when_a_batch_fails_each_item_is_tried_alone_and_only_the_bad_one_fails():
    work, calls = work_refusing(bad=2)
    failed = []
    groups = batch_or_alone([1, 2, 3], work, fail=lambda item, error: failed.append((item, str(error))))
    assert groups == [([1], [10]), ([3], [30])]
    assert failed == [(2, "2 is bad")]
    assert calls == [[1, 2, 3], [1], [2], [3]]


def test_an_item_already_alone_fails_without_a_second_try():
    work, calls = work_refusing(bad=2)
    failed = []
    assert batch_or_alone([2], work, fail=lambda item, error: failed.append(item)) == []
    assert failed == [2] and calls == [[2]]


def test_errors_of_another_kind_are_not_the_items_fault_and_propagate():
    def work(items):
        raise KeyError("the scorer is gone")

    with pytest.raises(KeyError):
        batch_or_alone([1, 2], work, fail=lambda item, error: None, errors=(Bad,))
