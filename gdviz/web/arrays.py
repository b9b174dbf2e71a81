"""The typed-array codec of the page's JSON: a float64 array as Plotly's {dtype, bdata, shape} and back.

A module of its own so that both gdviz.web (which writes the specs) and gdviz.web.frames (which reads
them back) import it from below; gdviz.web re-exports encode and decode.
"""
from __future__ import annotations

import base64

import numpy as np


def encode(values) -> dict:
    """A float64 array as Plotly's typed-array JSON {dtype, bdata, shape}: compact and exact.

    >>> encode([[1.0, 2.0]])["shape"], decode(encode([[1.0, 2.0]])).tolist()
    ([1, 2], [[1.0, 2.0]])
    """
    array = np.ascontiguousarray(values, dtype=np.float64)
    return {"dtype": "f8", "bdata": base64.b64encode(array.tobytes()).decode("ascii"),
            "shape": list(array.shape)}


def decode(spec: dict) -> np.ndarray:
    """The inverse of encode (also reads Plotly's own typed arrays)."""
    array = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]))
    shape = spec.get("shape")
    if isinstance(shape, str):  # Plotly writes "11, 6"
        shape = [int(n) for n in shape.split(",")]
    return array.reshape(shape) if shape is not None else array
