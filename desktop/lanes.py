"""The one approved way off the UI thread: two executor lanes, reached with
``await loop.run_in_executor(...)`` from async slots.

- ``interactive``: logins, saves and small queries, one at a time, never behind a report.
- ``background``: polling, list reloads, reports and replays.

Worker functions take plain values and return plain values; they never touch a widget.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from PySide6.QtCore import QObject, Slot

from desktop import errors

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class Lanes:
    def __init__(self) -> None:
        self.interactive_executor = ThreadPoolExecutor(1, thread_name_prefix="cc-interactive")
        self.background_executor = ThreadPoolExecutor(1, thread_name_prefix="cc-background")

    async def interactive(self, fn: Callable[P, T], *args: P.args, **kw: P.kwargs) -> T:
        return await self._run(self.interactive_executor, fn, *args, **kw)

    async def background(self, fn: Callable[P, T], *args: P.args, **kw: P.kwargs) -> T:
        return await self._run(self.background_executor, fn, *args, **kw)

    @staticmethod
    async def _run(
        executor: ThreadPoolExecutor, fn: Callable[P, T], *args: P.args, **kw: P.kwargs
    ) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, functools.partial(fn, *args, **kw))

    async def idle(self) -> None:
        """Wait until the work queued so far on both lanes is done (each runs in order)."""
        await self.interactive(_nothing)
        await self.background(_nothing)

    def shutdown(self, wait: bool = True) -> None:
        for executor in (self.interactive_executor, self.background_executor):
            executor.shutdown(wait=wait, cancel_futures=True)


def _nothing() -> None:
    return None


class TaskOwner:
    """The tasks one widget started. ``cancel_all`` in its ``closeEvent`` stops them, so a
    finished query never lands on a closed window; failures go to the one error path."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        if self._closed:  # started by a slot that ran after the owner closed
            task.cancel()
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            errors.report(exc)

    def cancel_all(self) -> None:
        """Cancel what runs and whatever is started from now on."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()

    async def drain(self) -> None:
        """Wait until the cancelled tasks have finished unwinding."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    @property
    def pending(self) -> int:
        return len(self._tasks)


def async_slot(
    *types: type,
) -> Callable[[Callable[..., Coroutine[Any, Any, Any]]], Callable[..., asyncio.Task[Any]]]:
    """Like ``qasync.asyncSlot``, but the task belongs to the object's ``tasks`` (a
    ``TaskOwner``), so closing the object cancels it and errors take the one error path."""

    def decorate(
        fn: Callable[..., Coroutine[Any, Any, Any]],
    ) -> Callable[..., asyncio.Task[Any]]:
        @Slot(*types)
        @functools.wraps(fn)
        def wrapper(self: QObject, *args: Any) -> asyncio.Task[Any]:
            owner: TaskOwner = self.tasks  # type: ignore[attr-defined]
            return owner.spawn(fn(self, *args[: len(types)]))

        return wrapper

    return decorate


class Rerun:
    """An async job where calls while it runs fold into one more pass: a burst of live
    changes, or a user clicking through filters, costs at most one read after the current
    one. ``again()`` from inside the job asks for that pass too."""

    def __init__(self, job: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self._job = job
        self._stale = False
        self.running = False

    def again(self) -> None:
        self._stale = True

    async def __call__(self) -> None:
        self._stale = True
        if self.running:
            return
        self.running = True
        try:
            while self._stale:
                self._stale = False
                await self._job()
        finally:
            self.running = False
