import pytest

from judgement.scorers.windowing import plan_batches, window_starts


def test_short_text_is_one_window_at_zero():
    assert window_starts(0, size=10, overlap=3) == [0]
    assert window_starts(10, size=10, overlap=3) == [0]


def test_windows_overlap_and_last_one_ends_at_the_text_end():
    starts = window_starts(25, size=10, overlap=3)
    assert starts == [0, 7, 14, 15]
    assert all(b - a <= 10 - 3 for a, b in zip(starts, starts[1:]))
    assert starts[-1] + 10 == 25


def test_window_arguments_are_checked():
    with pytest.raises(ValueError):
        window_starts(5, size=0, overlap=0)
    with pytest.raises(ValueError):
        window_starts(5, size=4, overlap=4)


def test_batches_group_similar_lengths_within_budget():
    lengths = [5, 100, 6, 98, 7, 99, 5]
    batches = plan_batches(lengths, token_budget=210, max_rows=8)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) * max(lengths[i] for i in batch) <= 210
    assert [sorted(lengths[i] for i in batch) for batch in batches] == [[99, 100], [98], [5, 5, 6, 7]]


def test_an_item_over_budget_still_gets_its_own_batch_and_rows_are_capped():
    assert plan_batches([50, 3, 3, 3], token_budget=10, max_rows=2) == [[0], [1, 2], [3]]


def test_short_items_are_not_padded_to_a_long_one_even_when_the_budget_has_room():
    lengths = [512, 512, 400] + [20] * 10
    batches = plan_batches(lengths, token_budget=8192, max_rows=64)
    for batch in batches:
        assert len({lengths[i] >= 400 for i in batch}) == 1


def test_every_item_is_batched_once_within_the_limits():
    import random

    rng = random.Random(7)
    lengths = [rng.choice([rng.randint(3, 60), rng.randint(100, 400), 512]) for _ in range(300)]
    batches = plan_batches(lengths, token_budget=4096, max_rows=16)
    assert sorted(i for batch in batches for i in batch) == list(range(300))
    for batch in batches:
        assert len(batch) <= 16
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 4096
