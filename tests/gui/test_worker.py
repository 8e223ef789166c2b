"""The job runner: newest frame only, prompt stop, readable failures, clean shutdown."""

import threading
import time
from dataclasses import dataclass

import pytest

from core.errors import UserError
from core.jobs import Frame
from gui.worker import JobRunner


@dataclass(frozen=True)
class Tick(Frame):
    thread: str = ""


@pytest.fixture
def make_runner(qtbot):
    made = []

    def make():
        runner = JobRunner()
        made.append(runner)
        return runner

    yield make
    for runner in made:  # a QThread must never be destroyed while it runs
        assert runner.shutdown(timeout_ms=5000)


def counting_job(n, delay=0.0):
    def job(cancel):
        for i in range(n):
            if cancel.checkpoint():
                return
            time.sleep(delay)
            yield Tick(step=i, total=n, done=i == n - 1, thread=threading.current_thread().name)
    return job


def test_fast_job_is_throttled_and_last_frame_delivered(qtbot, make_runner):
    runner = make_runner()
    frames = []
    runner.frame_ready.connect(frames.append)
    with qtbot.waitSignal(runner.job_finished, timeout=10000):
        runner.start(counting_job(20_000))
    assert frames[-1].step == 19_999 and frames[-1].done
    assert len(frames) < 2000  # dropped, not queued
    assert frames[-1].thread != threading.current_thread().name  # ran off the UI thread
    assert not runner.is_running


def test_stop_ends_within_one_step(qtbot, make_runner):
    runner = make_runner()
    frames = []
    runner.frame_ready.connect(frames.append)
    runner.start(counting_job(1000, delay=0.02))
    qtbot.waitUntil(lambda: bool(frames), timeout=5000)
    t0 = time.perf_counter()
    with qtbot.waitSignal(runner.job_finished, timeout=2000):
        runner.stop()
    assert time.perf_counter() - t0 < 0.5
    assert frames[-1].step < 999


def test_pause_and_resume(qtbot, make_runner):
    runner = make_runner()
    frames = []
    runner.frame_ready.connect(frames.append)
    runner.start(counting_job(10_000, delay=0.005))
    qtbot.waitUntil(lambda: bool(frames), timeout=5000)
    runner.pause()
    qtbot.wait(200)
    frozen_at = frames[-1].step
    qtbot.wait(300)
    assert frames[-1].step - frozen_at <= 1 and runner.is_paused
    runner.resume()
    qtbot.waitUntil(lambda: frames[-1].step > frozen_at + 5, timeout=5000)
    assert runner.shutdown()


def test_failures_become_one_sentence(qtbot, make_runner):
    def bad(cancel):
        yield Tick(step=0, total=1)
        raise UserError("the picture is upside down.")

    def buggy(cancel):
        raise ZeroDivisionError("boom")
        yield

    runner = make_runner()
    failures = []
    runner.job_failed.connect(failures.append)
    with qtbot.waitSignals([runner.job_failed, runner.job_finished], order="strict", timeout=5000):
        runner.start(bad)
    assert failures == ["the picture is upside down."]
    with qtbot.waitSignal(runner.job_failed, timeout=5000) as blocker:
        runner.start(buggy)
    assert "internal error (ZeroDivisionError)" in blocker.args[0] and "\n" not in blocker.args[0]


def test_a_new_run_never_receives_frames_of_the_old_one(qtbot, make_runner):
    runner = make_runner()
    frames = []
    runner.frame_ready.connect(frames.append)

    def tagged(tag, delay):
        def job(cancel):
            for i in range(50):
                if cancel.checkpoint():
                    return
                time.sleep(delay)
                yield Tick(step=i, total=50, message=tag)
        return job

    runner.start(tagged("old", 0.01))
    qtbot.waitUntil(lambda: bool(frames), timeout=5000)
    frames.clear()
    with qtbot.waitSignal(runner.job_finished, timeout=10000):
        runner.start(tagged("new", 0.001))
    assert frames and {f.message for f in frames} == {"new"}
    assert runner.shutdown() and runner.pending_threads() == 0


def test_a_discarded_job_sends_nothing_more_not_even_its_final_frame(qtbot, make_runner):
    runner = make_runner()
    frames, finished, failed = [], [], []
    runner.frame_ready.connect(frames.append)
    runner.job_finished.connect(lambda: finished.append(1))
    runner.job_failed.connect(failed.append)
    runner.start(counting_job(1000, delay=0.02))
    qtbot.waitUntil(lambda: bool(frames), timeout=5000)
    runner.discard()
    assert not runner.is_running
    count = len(frames)
    qtbot.waitUntil(lambda: runner.pending_threads() == 0, timeout=5000)  # the job has really ended
    qtbot.wait(100)
    assert len(frames) == count and not finished and not failed


def test_shutdown_mid_run_waits_for_the_thread(qtbot, make_runner):
    runner = make_runner()
    runner.start(counting_job(10_000, delay=0.01))
    qtbot.wait(100)
    assert runner.shutdown(timeout_ms=3000)
    assert runner.pending_threads() == 0
