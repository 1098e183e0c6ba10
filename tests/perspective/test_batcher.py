"""The realtime scorer's batching, in its own event loop, with a recording scorer."""
import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from perspective.api_app import PerspectiveApp
from perspective.batcher import Batcher
from perspective.errors import PerspectiveError


class Recorder:
    """Scores by echoing the text's length and records each batch it was given."""

    def __init__(self, pause: float = 0.0):
        self.batches: list[list[str]] = []
        self.pause = pause
        self.during_first_batch = None

    def __call__(self, works):
        self.batches.append([work["texts"][0] for work in works])
        if self.during_first_batch and len(self.batches) == 1:
            self.during_first_batch()
        time.sleep(self.pause)  # a model holds the loop as long as it runs
        return [{"results": [{"length": len(work["texts"][0])}]} for work in works]


def work(text: str) -> dict:
    return {"texts": [text], "toxicity": True}


def run(coroutine):
    # A thread of its own: the browser tests leave an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def test_calls_submitted_together_are_scored_as_one_batch():
    recorder = Recorder()

    async def scenario():
        batcher = Batcher(recorder, max_batch=32)
        return await asyncio.gather(*(batcher.submit(work("x" * n)) for n in range(1, 6)))

    replies = run(scenario())
    assert recorder.batches == [["x", "xx", "xxx", "xxxx", "xxxxx"]]
    assert [reply["results"][0]["length"] for reply in replies] == [1, 2, 3, 4, 5]


def test_max_batch_caps_a_batch_and_the_rest_follow():
    recorder = Recorder()

    async def scenario():
        batcher = Batcher(recorder, max_batch=2)
        await asyncio.gather(*(batcher.submit(work(str(n))) for n in range(5)))
        return batcher.stats

    stats = run(scenario())
    assert recorder.batches == [["0", "1"], ["2", "3"], ["4"]]
    assert (stats.batches, stats.requests) == (3, 5)


def test_a_call_arriving_during_a_batch_rides_the_next_one():
    recorder = Recorder()

    async def scenario():
        loop = asyncio.get_running_loop()
        batcher = Batcher(recorder, max_batch=32)
        late: list[asyncio.Future] = []
        # What arrives while the model runs is read once it returns: here, the first thing the loop does after.
        recorder.during_first_batch = lambda: loop.call_soon(lambda: late.append(batcher.submit(work("late"))))
        await batcher.submit(work("first"))
        while not late:
            await asyncio.sleep(0)
        return await late[0]

    late = run(scenario())
    assert recorder.batches == [["first"], ["late"]]
    assert late["results"][0]["length"] == 4


def test_calls_a_moment_apart_wait_for_each_other():
    recorder = Recorder()

    async def scenario():
        batcher = Batcher(recorder, max_batch=32, quiet=0.05, max_wait=0.5)
        first = batcher.submit(work("a"))
        await asyncio.sleep(0.01)  # inside the quiet pause: joins the same batch
        second = batcher.submit(work("b"))
        await asyncio.gather(first, second)

    run(scenario())
    assert recorder.batches == [["a", "b"]]


def test_a_caller_that_gave_up_is_not_scored():
    recorder = Recorder()

    async def scenario():
        batcher = Batcher(recorder, max_batch=32)
        abandoned, kept = batcher.submit(work("gone")), batcher.submit(work("kept"))
        abandoned.cancel()
        await kept

    run(scenario())
    assert recorder.batches == [["kept"]]


def test_calls_stuck_behind_slow_batches_get_a_503_and_are_not_scored():
    recorder = Recorder(pause=0.2)

    async def scenario():
        batcher = Batcher(recorder, max_batch=1)
        app = PerspectiveApp(batcher=batcher, timeout=0.1, cache_seconds=0, description=lambda: "recorder")
        return await asyncio.gather(*(app.score(work(text)) for text in ("one", "two", "three")),
                                    return_exceptions=True)

    first, second, third = run(scenario())
    assert first == {"length": 3}
    for late in (second, third):
        assert isinstance(late, PerspectiveError) and late.code == 503
        assert "did not answer within 0.1 s" in late.message
    assert recorder.batches == [["one"]]


def test_a_scorer_error_reaches_every_caller_of_that_batch_as_a_500():
    async def scenario():
        batcher = Batcher(lambda works: [{"error": "RuntimeError: model broke"} for _ in works], max_batch=8)
        app = PerspectiveApp(batcher=batcher, timeout=5, cache_seconds=0, description=lambda: "broken")
        return await asyncio.gather(app.score(work("a")), app.score(work("b")), return_exceptions=True)

    for error in run(scenario()):
        assert isinstance(error, PerspectiveError) and error.code == 500 and "model broke" in error.message
