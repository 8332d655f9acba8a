"""`geo._tasks`: tasks shared between this process and forked ones, results in order, errors raised."""

from __future__ import annotations

import os
import time

import pytest

from geo._tasks import run_tasks


def test_every_task_runs_once_and_results_keep_their_order() -> None:
    def task(i: int) -> tuple[int, int]:
        time.sleep(0.05)  # long enough that the forked workers start before this process has taken every task, under load too
        return i * i, os.getpid()

    tasks = [lambda i=i: task(i) for i in range(40)]
    results = run_tasks(tasks, 3)
    assert [square for square, _ in results] == [i * i for i in range(40)]
    assert len({pid for _, pid in results}) > 1  # this process and at least one forked one took tasks
    assert run_tasks(tasks[:3], 1) == [(0, os.getpid()), (1, os.getpid()), (4, os.getpid())]  # one process: all here


def test_an_error_in_a_worker_is_raised_here() -> None:
    def fail() -> None:
        raise KeyError("scene-9")

    tasks = [lambda: 1, fail, *(lambda: 2 for _ in range(5))]
    with pytest.raises(KeyError, match="scene-9"):
        run_tasks(tasks, 2)
