"""Walls asking one process the same question at once share one answer."""

from __future__ import annotations

import threading
import time

import pytest

from dashboard.redraws import SharedAnswers


def test_concurrent_askers_of_one_key_compute_once_and_share_the_answer():
    shared, calls = SharedAnswers(), []

    def compute() -> list[int]:
        calls.append(1)
        time.sleep(0.2)  # long enough for every asker to arrive meanwhile
        return [len(calls)]

    answers: list[object] = []
    askers = [
        threading.Thread(target=lambda: answers.append(shared.get("k", compute))) for _ in range(8)
    ]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join()
    assert len(calls) == 1 and len(answers) == 8
    assert all(answer is answers[0] for answer in answers)
    assert shared.get("k", compute) is answers[0] and len(calls) == 1  # kept, too


def test_other_keys_compute_for_themselves_and_the_oldest_are_let_go():
    shared = SharedAnswers(size=2)
    for key in ("a", "b", "c"):
        assert shared.get(key, lambda key=key: key * 2) == key * 2
    assert shared.get("b", lambda: "recomputed") == "bb"
    assert shared.get("a", lambda: "recomputed") == "recomputed"  # "a" was the oldest


def test_a_failed_answer_is_raised_and_not_kept():
    shared = SharedAnswers()

    def fail() -> None:
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        shared.get("k", fail)
    assert shared.get("k", lambda: "fresh") == "fresh"
