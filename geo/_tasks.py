"""Independent tasks run by this process and forked ones, each task taken by whichever process is free first.

A build's outputs, once the data is joined, are independent of each other:
the two maps, the data exports, and the site pages in chunks. On a machine
with two processors two processes make them in about half the time. The
workers are forked, so they start with the dataset already in memory
(nothing is pickled to them); each takes the next task from a counter in
shared memory, so a long task (the exports) does not hold up the rest, and
sends its tasks' results back through a pipe when none is left. This process
takes tasks too. No thread is started (forking a process with threads can
deadlock the child).
"""

from __future__ import annotations

import multiprocessing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from multiprocessing.connection import Connection
    from multiprocessing.sharedctypes import Synchronized

_SHARED: tuple[Sequence[Callable[[], Any]], Synchronized[int]] | None = None
"""The tasks and the counter forked workers inherit: set just before they start."""


def run_tasks(tasks: Sequence[Callable[[], Any]], workers: int) -> list[Any]:
    """The results of `tasks`, in their order, made by this process and `workers - 1` forked ones.

    A task's result must pickle (it travels back through a pipe). An error in
    any task is raised here once every worker has stopped.
    """
    if workers <= 1 or len(tasks) <= 1:
        return [task() for task in tasks]
    global _SHARED
    context = multiprocessing.get_context("fork")
    counter: Synchronized[int] = context.Value("i", 0)
    _SHARED = (tasks, counter)
    started = []
    try:
        for _ in range(min(workers, len(tasks)) - 1):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_worker, args=(send,), daemon=True)
            process.start()
            send.close()
            started.append((process, receive))
    finally:
        _SHARED = None
    results: dict[int, Any] = {}
    failure: BaseException | None = None
    try:
        while (index := _take(counter)) < len(tasks):
            results[index] = tasks[index]()
    except BaseException as error:
        failure = error
        for process, _ in started:
            process.terminate()
    for process, receive in started:
        try:
            kind, payload = receive.recv()
        except EOFError:
            kind, payload = "error", RuntimeError(f"a build worker stopped (exit code {process.exitcode})")
        process.join()
        if kind == "error":
            failure = failure or payload
        else:
            results.update(payload)
    if failure is not None:
        raise failure
    return [results[index] for index in range(len(tasks))]


def _take(counter: Synchronized[int]) -> int:
    with counter.get_lock():
        index = counter.value
        counter.value = index + 1
    return index


def _worker(send: Connection) -> None:
    assert _SHARED is not None
    tasks, counter = _SHARED
    done: dict[int, Any] = {}
    try:
        while (index := _take(counter)) < len(tasks):
            done[index] = tasks[index]()
        send.send(("done", done))
    except BaseException as error:  # sent whole to the build, which raises it
        try:
            send.send(("error", error))
        except Exception:  # an error that does not pickle: its message is enough
            send.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
    finally:
        send.close()
