"""Run one ``core`` job at a time in a QThread and hand its newest frame to the UI.

The job (a generator) runs in the worker thread and drops each frame into a one-slot mailbox; a
~30 Hz timer in the UI thread takes whatever is newest and emits ``frame_ready``. A fast job
therefore never floods the event loop, a slow one never blocks it, and stale frames are dropped
rather than queued. Every run has a generation number: signals from a run that was stopped or
replaced are ignored, so a new run never receives an old run's frames.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Iterator

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from core.errors import UserError
from core.jobs import CancelToken, Cancelled, Frame

log = logging.getLogger("fooling_lab.worker")

JobFactory = Callable[[CancelToken], Iterator[Frame]]
FRAME_INTERVAL_MS = 33


class _Mailbox:
    """Holds only the newest frame."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: Frame | None = None

    def put(self, frame: Frame) -> None:
        with self._lock:
            self._frame = frame

    def take(self) -> Frame | None:
        with self._lock:
            frame, self._frame = self._frame, None
            return frame


class _Worker(QObject):
    """Lives in the job's thread; iterates the generator."""

    failed = Signal(int, str)
    finished = Signal(int)

    def __init__(self, generation: int, factory: JobFactory, token: CancelToken, mailbox: _Mailbox):
        super().__init__()
        self._generation = generation
        self._factory = factory
        self._token = token
        self._mailbox = mailbox

    @Slot()
    def run(self) -> None:
        job = None
        try:
            job = self._factory(self._token)
            # The job watches the token itself: after a stop it may still yield one final frame
            # (the white-box attack's best image), which must reach the screen.
            for frame in job:
                self._mailbox.put(frame)
        except Cancelled:
            pass
        except UserError as exc:
            self.failed.emit(self._generation, str(exc))
        except MemoryError:
            self.failed.emit(self._generation, "The computer ran out of memory; try a smaller model or setting.")
        except Exception as exc:  # noqa: BLE001 - a bug: log the traceback, tell the user in words
            log.exception("job failed")
            self.failed.emit(self._generation, f"The run stopped because of an internal error "
                                               f"({type(exc).__name__}); details are in the log file.")
        finally:
            if job is not None and hasattr(job, "close"):
                try:
                    job.close()
                except Exception:  # noqa: BLE001
                    log.exception("closing the job failed")
            self.finished.emit(self._generation)


class JobRunner(QObject):
    """Starts, throttles, pauses and stops one job at a time for a tab."""

    frame_ready = Signal(object)
    job_failed = Signal(str)
    job_finished = Signal()
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, interval_ms: int = FRAME_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._generation = 0
        self._current: int | None = None
        self._kind: str | None = None
        self._mailbox = _Mailbox()
        #: Every thread not yet ended, by generation: a QThread must outlive its run.
        self._threads: dict[int, tuple[QThread, _Worker, CancelToken]] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._deliver)

    # -- state
    @property
    def is_running(self) -> bool:
        return self._current is not None

    @property
    def kind(self) -> str | None:
        """What the running job is (the ``kind`` given to :meth:`start`); None when idle."""
        return self._kind if self._current is not None else None

    @property
    def is_paused(self) -> bool:
        token = self._token()
        return token is not None and token.paused

    def _token(self) -> CancelToken | None:
        entry = self._threads.get(self._current) if self._current is not None else None
        return entry[2] if entry else None

    # -- control
    def start(self, factory: JobFactory, kind: str = "job") -> None:
        """Run ``factory(cancel)`` in a new thread; a run in progress is stopped first.

        ``kind`` names what runs (``"attack"``, ``"train"``, …), so a tab that runs several kinds of
        job asks :attr:`kind` instead of keeping flags. The old run is cancelled and disowned at
        once: its remaining frames and signals are ignored.
        """
        self._disown_current()
        self._kind = kind
        self._generation += 1
        generation = self._generation
        self._mailbox = _Mailbox()
        token = CancelToken()
        thread = QThread()
        thread.setObjectName(f"job-{generation}")
        worker = _Worker(generation, factory, token, self._mailbox)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(self._on_finished)
        # quit() is thread-safe; called directly, the thread ends even while the UI thread is busy.
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        self._threads[generation] = (thread, worker, token)
        self._current = generation
        thread.start()
        self._timer.start()
        self.running_changed.emit(True)

    def stop(self) -> None:
        """Ask the job to stop after its current step; ``job_finished`` follows."""
        token = self._token()
        if token is not None:
            token.cancel()

    def discard(self) -> None:
        """Stop the job and ignore everything it still sends, its final frame included (what it
        found belongs to settings that are gone, e.g. when a scene opens)."""
        self._disown_current()

    def pause(self) -> None:
        token = self._token()
        if token is not None:
            token.pause()

    def resume(self) -> None:
        token = self._token()
        if token is not None:
            token.resume()

    def request_stop(self) -> None:
        """Ask every job this runner started to stop, without waiting (the first step of quitting)."""
        self._timer.stop()
        self._disown_current()
        for _thread, _worker, token in self._threads.values():
            token.cancel()

    def shutdown(self, timeout_ms: int | None = None) -> bool:
        """Stop every thread this runner started and wait for them; True if all ended.

        Without ``timeout_ms`` it waits as long as the current step takes: a QThread destroyed
        while running aborts the whole process, so quitting never gives up on a thread. (The
        window waits with its event loop alive, see ``MainWindow.closeEvent``; by the time this
        runs there, every thread has ended.)
        """
        self.request_stop()
        ok = True
        for generation, (thread, _worker, _token) in list(self._threads.items()):
            ended = thread.wait() if timeout_ms is None else thread.wait(timeout_ms)
            if ended:
                self._threads.pop(generation, None)
            else:
                log.warning("job thread %s did not stop within %d ms", thread.objectName(), timeout_ms)
                ok = False
        return ok

    def pending_threads(self) -> int:
        """Threads started by this runner that have not ended yet."""
        return sum(1 for thread, _, _ in self._threads.values() if thread.isRunning())

    # -- internals
    def _disown_current(self) -> None:
        if self._current is None:
            return
        token = self._token()
        if token is not None:
            token.cancel()
        self._current = None
        self._timer.stop()
        self.running_changed.emit(False)

    @Slot()
    def _deliver(self) -> None:
        frame = self._mailbox.take()
        if frame is not None:
            self.frame_ready.emit(frame)

    @Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self._current:
            self._deliver()
            self.job_failed.emit(message)

    @Slot(int)
    def _on_finished(self, generation: int) -> None:
        entry = self._threads.pop(generation, None)
        if entry is not None:
            entry[0].wait()  # quit() was called directly: this returns within milliseconds
        if generation != self._current:
            return
        self._deliver()  # the final frame is always shown
        self._current = None
        self._timer.stop()
        self.running_changed.emit(False)
        self.job_finished.emit()
