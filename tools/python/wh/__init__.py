"""wh from Python: SQL on a wh warehouse, results as Python values or pandas DataFrames.

    import wh
    db = wh.connect("warehouse")
    df = db.sql("SELECT user_id, SUM(total) AS revenue FROM payments GROUP BY user_id").df()

A connection is one session (its temporary views last as long as it does); queries release the
GIL, and several threads may query through one connection at once. Ctrl-C stops a running
statement (KeyboardInterrupt, nothing of it kept). Errors are wh.Error (or a
subclass: DataError, CorruptionError, LockedError, InterruptedError) carrying wh's message, its
.kind, and for an error in SQL its .line and .column.
"""
import datetime
import decimal
import math
import os

from ._wh import (CorruptionError, DataError, Error, InterruptedError, LockedError, Result, _Connection,
                  __version__)

# (InterruptedError is left out of *: it would hide Python's own.)
__all__ = ["connect", "Connection", "Result", "Error", "DataError", "CorruptionError", "LockedError", "__version__"]


def connect(path=None):
    """A connection to the warehouse directory `path` (default: $WH_WAREHOUSE, else ./warehouse).
    The directory is made by the first CREATE TABLE if it does not exist."""
    if path is None:
        path = os.environ.get("WH_WAREHOUSE") or "warehouse"
    return Connection(os.fspath(path))


class Connection(_Connection):
    """A session on one warehouse: sql(), tables(), explain(), ingest(), ingest_df()."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        """Nothing is held open between statements; kept for the DB-API habit."""

    def __repr__(self):
        return f"<wh.Connection {self.path!r}>"

    def ingest(self, table, paths, etl_date=None, format=None, force=False, allow_missing_columns=False,
               time_format=None, null_string=None, empty_as_null=False, ignore_extra_columns=False, overwrite=False):
        """Loads CSV, JSON or Parquet files into `table` as one atomic commit, as `wh ingest` does.

        paths: a path, or a list of paths, directories or patterns (*, ?, **); etl_date: a date
        or timestamp (str, datetime.date or datetime.datetime; default now); format: "csv",
        "json" or "parquet" (default: from the names); force: load a file already committed;
        time_format: a format for every DATE/TIMESTAMP column, or {column: format}; CSV only:
        null_string (a str or a list of them: fields that are NULL), empty_as_null (a quoted
        empty field is NULL too), ignore_extra_columns (skip header columns the table lacks);
        overwrite: replace the partitions the rows fall in (every row of an unpartitioned table),
        as `wh ingest --overwrite`. Returns {"rows", "commit", "partitions", "files", "bytes",
        "seconds", "partitions_replaced", "rows_replaced"}."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        formats = []
        if isinstance(time_format, str):
            formats = [("", time_format)]
        elif time_format:
            formats = [(str(k), str(v)) for k, v in time_format.items()]
        if isinstance(null_string, str):
            null_string = [null_string]
        return self._ingest(str(table), [os.fspath(p) for p in paths], _etl(etl_date), format or "", bool(force),
                            bool(allow_missing_columns), formats, list(null_string or []), bool(empty_as_null),
                            bool(ignore_extra_columns), bool(overwrite))

    def ingest_df(self, table, df, etl_date=None, allow_missing_columns=False, overwrite=False):
        """Appends the rows of a pandas DataFrame to `table` as one atomic commit.

        Columns are matched to the table's by name (case ignored; a table column the frame lacks
        is an error unless allow_missing_columns, which loads it as NULL; other frame columns
        are ignored) and converted exactly, or refused with the column and row. Missing values
        (None, NaN, NaT, pd.NA) are NULL. overwrite: the frame's rows replace the partitions they
        fall in (every row of an unpartitioned table), as ingest(overwrite=True). Returns what
        ingest() returns."""
        if len(df) == 0:  # nothing to append (or, overwriting, no partition to replace): no commit
            return {"rows": 0, "commit": None, "partitions": 0, "files": 0, "bytes": 0, "seconds": 0.0,
                    "partitions_replaced": 0, "rows_replaced": 0}
        names, kinds, values, masks = [], [], [], []
        seen = set()
        for name in df.columns:
            key = str(name).lower()
            if key in seen:
                raise Error(f"the DataFrame has two columns named {name!r}")
            seen.add(key)
            kind, vals, mask = _column(str(name), df[name])
            names.append(str(name))
            kinds.append(kind)
            values.append(vals)
            masks.append(mask)
        return self._ingest_columns(str(table), names, kinds, values, masks, _etl(etl_date),
                                    bool(allow_missing_columns), bool(overwrite))


def _etl(etl_date):
    if etl_date is None:
        return None
    if isinstance(etl_date, datetime.datetime):
        return etl_date.isoformat(sep=" ")
    return str(etl_date)


def _column(name, s):
    """(kind, values, mask) of a DataFrame column for the native ingest."""
    import numpy as np
    import pandas as pd
    from pandas.api import types as pt

    dtype = s.dtype
    isna = s.isna().to_numpy(dtype=bool)
    mask = isna if isna.any() else None
    if pt.is_bool_dtype(dtype):
        return "bool", s.to_numpy(dtype=bool, na_value=False), mask
    if pt.is_integer_dtype(dtype):
        if pt.is_unsigned_integer_dtype(dtype) and len(s) and int(s.max()) > np.iinfo(np.int64).max:
            raise DataError(f"column '{name}': {int(s.max())} is past BIGINT's range")
        return "int64", s.to_numpy(dtype="int64", na_value=0), mask
    if pt.is_float_dtype(dtype):
        return "float64", s.to_numpy(dtype="float64", na_value=np.nan), mask
    if pt.is_datetime64_any_dtype(dtype):
        if getattr(dtype, "tz", None) is not None:
            raise Error(f"column '{name}' has a time zone ({dtype.tz}); wh's TIMESTAMP has none: "
                        f"convert it first, e.g. df['{name}'].dt.tz_convert('UTC').dt.tz_localize(None)")
        ns = s.to_numpy(dtype="datetime64[ns]").view("int64")
        return "timestamp_ns", ns, mask
    if pt.is_timedelta64_dtype(dtype):
        raise Error(f"column '{name}' holds time spans (timedelta); wh has no INTERVAL column type")
    return "text", [_text(name, i, v) for i, v in enumerate(s.tolist())], None


def _text(name, row, v):
    """A Python value as text wh reads exactly (or None for a missing value)."""
    if v is None or v is getattr(__import__("pandas"), "NA", None) or v is getattr(__import__("pandas"), "NaT", None):
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return None if math.isnan(v) else repr(v)
    if isinstance(v, decimal.Decimal):
        return None if v.is_nan() else format(v, "f")
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None:
            raise Error(f"column '{name}', row {row}: {v!r} has a time zone; wh's TIMESTAMP has none")
        return v.isoformat(sep=" ")
    if isinstance(v, datetime.date):
        return v.isoformat()
    raise DataError(f"column '{name}', row {row}: a {type(v).__name__} ({v!r}) is not a value wh can store")


def _df(self):
    """The rows as a pandas DataFrame: INT int32, BIGINT int64 (pandas' Int32/Int64 when a NULL is
    among them), BOOLEAN bool (boolean with NULLs), DOUBLE and DECIMAL float64 (NULL: NaN; exact
    decimals: fetchall() gives decimal.Decimal), DATE and TIMESTAMP datetime64[ns] (NULL: NaT;
    objects when a value is outside its years 1677-2262), STRING object (str, None)."""
    import pandas as pd

    data = {}
    for i, (kind, values, mask) in enumerate(self._numpy_columns()):
        if mask is not None:
            values = pd.arrays.BooleanArray(values, mask) if kind == "bool" else pd.arrays.IntegerArray(values, mask)
        data[i] = values
    df = pd.DataFrame(data, copy=False)
    df.columns = list(self.columns)
    return df


def _fetchnumpy(self):
    """{column: NumPy array}; NULLs in BOOLEAN and integer columns as masked arrays."""
    import numpy as np

    out = {}
    for name, (kind, values, mask) in zip(self.columns, self._numpy_columns()):
        out[name] = np.ma.MaskedArray(values, mask) if mask is not None else values
    return out


Result.df = _df
Result.fetchdf = _df
Result.fetchnumpy = _fetchnumpy
Result.__repr__ = lambda self: self._text(40)
