"""data_access.frames.lookup: a frame's two columns as a dict, Arrow-backed or not."""

import pandas as pd

from data_access.frames import lookup


def test_lookup_maps_each_key_to_its_rows_value():
    for dtype in ("object", "string[pyarrow]"):
        frame = pd.DataFrame({"code": ["A", "B", "C"], "name": ["甲", "乙", None]}, dtype=dtype)
        found = lookup(frame, "code", "name")
        assert list(found) == ["A", "B", "C"]
        assert (found["A"], found["B"]) == ("甲", "乙")
        assert found["C"] is None or pd.isna(found["C"])
