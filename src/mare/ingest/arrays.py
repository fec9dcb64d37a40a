"""Bridges between numpy and Arrow columns that never import pandas.

`pa.array`, `pa.scalar`, `Array.to_numpy` and a `take` with numpy indices all import pandas on
first use (~0.25-2 s of CPU once per process): these build and read the buffers instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mare.store.writer import arrow_column, int64_array

__all__ = ["bool_array", "bools", "int64_array", "int_values", "lengths", "nulls_where", "strings"]


def bool_array(flags: np.ndarray) -> pa.Array:
    """A boolean column from numpy, built from its bits."""
    bits = pa.py_buffer(np.packbits(flags.astype(bool, copy=False), bitorder="little"))
    return pa.Array.from_buffers(pa.bool_(), len(flags), [None, bits])


def bools(flags: pa.Array) -> np.ndarray:
    """A boolean column without nulls as numpy (unpacked from its bits)."""
    if not len(flags):
        return np.zeros(0, np.bool_)
    bits = np.frombuffer(flags.buffers()[1], np.uint8)
    return np.unpackbits(bits, bitorder="little")[flags.offset : flags.offset + len(flags)].astype(bool)


def int_values(column: pa.Array) -> np.ndarray:
    """An integer column without nulls as numpy (a read-only view of its values)."""
    if not len(column):
        return np.zeros(0, np.int64)
    dtype = np.dtype(f"int{column.type.bit_width}")
    return np.frombuffer(column.buffers()[1], dtype, len(column), column.offset * dtype.itemsize)


def lengths(texts: pa.Array) -> np.ndarray:
    """The length of each text in characters (as `len`), numpy."""
    return int_values(pc.utf8_length(texts))


def nulls_where(mask: pa.Array, values: pa.Array) -> pa.Array:
    """`values` with null where `mask` (a boolean column) is true (no Python scalar handed to Arrow)."""
    return pc.if_else(mask, pa.nulls(len(values), values.type), values)


def strings(values: Sequence[str | None]) -> pa.Array:
    """A string column from Python strings (None: null), typed string even when empty or all null."""
    column = arrow_column(list(values)) if len(values) else pa.nulls(0)
    return column if column.type == pa.string() else column.cast(pa.string())
