"""data_access.derived: a computation over frames is kept while the frames are the same
objects, and computed again for new ones."""

import pandas as pd

from data_access.derived import derived


def test_the_same_frames_reuse_the_result_and_new_frames_recompute():
    calls = []

    def total(frame):
        calls.append(1)
        return int(frame["n"].sum())

    first = pd.DataFrame({"n": [1, 2, 3]})
    assert derived("total-test", (first,), lambda: total(first)) == 6
    assert derived("total-test", (first,), lambda: total(first)) == 6
    assert len(calls) == 1
    equal_but_new = pd.DataFrame({"n": [1, 2, 4]})  # a refetch: another object
    assert derived("total-test", (equal_but_new,), lambda: total(equal_but_new)) == 7
    assert len(calls) == 2
    # the key separates computations over the same frames
    assert derived("total-test", (first,), lambda: total(first) * 10, "tenfold") == 60
    assert len(calls) == 3
