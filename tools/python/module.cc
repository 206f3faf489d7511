// The Python module's native part, `wh._wh` (tools/python/wh/__init__.py is the public face):
// a connection runs SQL in a session of the query module with the GIL released, and a result
// turns its columns into Python values or NumPy arrays, copying each value once.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

// After pybind11 (which includes Python.h first).
#include <datetime.h>
#include <signal.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "format/thread.h"
#include "format/value_text.h"
#include "ingest/ingest.h"
#include "ingest/input_stream.h"
#include "parquet/writer.h"
#include "query/list.h"
#include "query/query.h"

namespace py = pybind11;

namespace wh {
namespace {

// A wh error on its way to Python: translated into wh.Error or one of its subclasses, with
// the message, the kind and (for an error in SQL) the line and column.
struct WhError {
  Status status;
};

[[noreturn]] void Throw(const Status& st) { throw WhError{st}; }

template <typename T>
T Check(Result<T> r) {
  if (!r.ok()) Throw(r.status());
  return std::move(*r);
}

py::object g_errors[5];  // Error, DataError, CorruptionError, LockedError, InterruptedError

py::object ErrorClass(StatusCode code) {
  switch (code) {
    case StatusCode::kDataError: return g_errors[1];
    case StatusCode::kCorruption: return g_errors[2];
    case StatusCode::kLocked: return g_errors[3];
    case StatusCode::kCancelled: return g_errors[4];
    default: return g_errors[0];
  }
}

// --- results -------------------------------------------------------------------------------

// Calls f(column, row) for rows [from, to) of column c, in the result's order, without walking
// the rows before `from`.
template <typename F>
void ForEachValueIn(const ResultSet& rs, size_t c, size_t from, size_t to, F&& f) {
  if (!rs.columns.empty()) {
    for (size_t i = from; i < to; ++i) f(rs.columns[c], i);
  } else if (!rs.order_chunk.empty()) {
    for (size_t i = from; i < to; ++i) f(rs.chunks[rs.order_chunk[i]][c], rs.order_row[i]);
  } else {
    size_t base = 0;
    for (const auto& chunk : rs.chunks) {
      const size_t n = chunk[c].size();
      for (size_t i = std::max(from, base); i < std::min(to, base + n); ++i) f(chunk[c], i - base);
      base += n;
      if (base >= to) break;
    }
  }
}

// Every row of column c, in the result's order.
template <typename F>
void ForEachValue(const ResultSet& rs, size_t c, F&& f) {
  ForEachValueIn(rs, c, 0, rs.rows(), f);
}

DataType ColumnType(const ResultSet& rs, size_t c) {
  if (!rs.columns.empty()) return rs.columns[c].type();
  return rs.chunks.empty() ? DataType::String() : rs.chunks[0][c].type();
}

py::object PyDecimalClass() {
  static py::object cls = py::module_::import("decimal").attr("Decimal");
  return cls;
}

// Text bytes as a str; bytes that are not UTF-8 kept as surrogates (surrogateescape), never lost.
py::object PyText(std::string_view s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogateescape");
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(o);
}

py::object PyDate(int32_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 1 || y > 9999) return PyText(FormatDate(days));  // outside datetime.date's years
  PyObject* o = PyDate_FromDate(static_cast<int>(y), static_cast<int>(m), static_cast<int>(d));
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(o);
}

py::object PyTimestamp(int64_t micros) {
  const int64_t day_us = int64_t{86400} * 1000000;
  int64_t days = micros / day_us, rem = micros % day_us;
  if (rem < 0) {
    rem += day_us;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(static_cast<int32_t>(days), &y, &m, &d);
  if (y < 1 || y > 9999) return PyText(FormatTimestamp(micros));
  const int64_t secs = rem / 1000000;
  PyObject* o = PyDateTime_FromDateAndTime(static_cast<int>(y), static_cast<int>(m), static_cast<int>(d),
                                           static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                                           static_cast<int>(secs % 60), static_cast<int>(rem % 1000000));
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(o);
}

py::object PyValue(const Column& c, size_t i) {
  if (c.IsNull(i)) return py::none();
  const DataType& t = c.type();
  switch (t.id) {
    case TypeId::kBoolean: return py::bool_(c.Get<uint8_t>(i) != 0);
    case TypeId::kInt32: return py::int_(c.Get<int32_t>(i));
    case TypeId::kInt64: return py::int_(c.Get<int64_t>(i));
    case TypeId::kDouble: return py::float_(c.Get<double>(i));
    case TypeId::kDecimal: return PyDecimalClass()(ValueToText(c, i, ""));
    case TypeId::kString: return PyText(c.GetString(i));
    case TypeId::kDate: return PyDate(c.Get<int32_t>(i));
    case TypeId::kTimestamp: return PyTimestamp(c.Get<int64_t>(i));
    case TypeId::kList: {  // a Python list of the elements' values
      Column elems(t.element());
      DecodeList(c.GetString(i), &elems);
      py::list out;
      for (size_t k = 0; k < elems.size(); ++k) out.append(PyValue(elems, k));
      return out;
    }
  }
  return PyText(ValueToText(c, i, ""));
}

// A DECIMAL as the nearest double: exact when the unscaled value and the power of ten are (one
// rounding), else from its text (strtod rounds correctly).
double DecimalToDouble(const Column& c, size_t i) {
  const DataType& t = c.type();
  const int128 v = t.physical() == PhysicalType::kInt64 ? c.Get<int64_t>(i) : c.Get<int128>(i);
  if (v > -(int128{1} << 53) && v < (int128{1} << 53) && t.scale <= 22)
    return static_cast<double>(static_cast<int64_t>(v)) / std::pow(10.0, t.scale);
  return std::strtod(FormatDecimal(v, t.scale).c_str(), nullptr);
}

class PyResult {
 public:
  PyResult(ResultSet rs) : rs_(std::move(rs)) {
    rows_ = rs_.rows();
    for (size_t c = 0; c < rs_.names.size(); ++c) types_.push_back(ColumnType(rs_, c));
  }

  const std::vector<std::string>& columns() const { return rs_.names; }
  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& t : types_) out.push_back(t.ToString());
    return out;
  }
  size_t rows() const { return rows_; }

  // Rows [from, to) as tuples.
  py::list Tuples(size_t from, size_t to) const {
    const size_t nc = rs_.names.size();
    py::list out(to - from);
    std::vector<py::tuple> tuples;
    tuples.reserve(to - from);
    for (size_t i = from; i < to; ++i) tuples.emplace_back(nc);
    for (size_t c = 0; c < nc; ++c) {
      size_t i = 0;
      ForEachValueIn(rs_, c, from, to, [&](const Column& col, size_t row) {
        PyTuple_SET_ITEM(tuples[i++].ptr(), c, PyValue(col, row).release().ptr());
      });
    }
    for (size_t i = 0; i < tuples.size(); ++i) out[i] = std::move(tuples[i]);
    return out;
  }

  py::list FetchAll() {
    py::list out = Tuples(next_, rows_);
    next_ = rows_;
    return out;
  }
  py::object FetchOne() {
    if (next_ >= rows_) return py::none();
    py::list one = Tuples(next_, next_ + 1);
    ++next_;
    return one[0];
  }
  py::list FetchMany(size_t n) {
    const size_t to = std::min(rows_, next_ + n);
    py::list out = Tuples(next_, to);
    next_ = to;
    return out;
  }

  // One (kind, values, mask) per column for wh/__init__.py to make pandas columns of: kind is
  // the NumPy dtype of values ("bool", "int32", "int64", "float64", "datetime64[ns]", "object");
  // mask (bool, True = NULL) is given for bool and integer columns that hold a NULL, else None.
  py::list NumpyColumns() const {
    const size_t nc = rs_.names.size();
    enum How { kBool, kInt32, kInt64, kDouble, kDecimal, kNanos, kObjects, kStrings };
    std::vector<How> how(nc);
    std::vector<py::array> values(nc);
    std::vector<py::object> masks(nc);
    std::vector<void*> vp(nc, nullptr);
    std::vector<bool*> mp(nc, nullptr);
    const auto rows = static_cast<py::ssize_t>(rows_);
    for (size_t c = 0; c < nc; ++c) {
      const DataType& t = types_[c];
      switch (t.id) {
        case TypeId::kBoolean: how[c] = kBool; break;
        case TypeId::kInt32: how[c] = kInt32; break;
        case TypeId::kInt64: how[c] = kInt64; break;
        case TypeId::kDouble: how[c] = kDouble; break;
        case TypeId::kDecimal: how[c] = kDecimal; break;
        case TypeId::kString: how[c] = kStrings; break;
        case TypeId::kDate:
        case TypeId::kTimestamp: how[c] = FitsNanos(c) ? kNanos : kObjects; break;
        case TypeId::kList: how[c] = kObjects; break;
      }
      const char* dtype = how[c] == kBool ? "bool" : how[c] == kInt32 ? "int32"
                          : how[c] == kInt64 || how[c] == kNanos ? "int64"
                          : how[c] == kDouble || how[c] == kDecimal ? "float64" : "O";
      values[c] = py::array(py::dtype(dtype), std::vector<py::ssize_t>{rows});
      vp[c] = values[c].mutable_data();
      if ((how[c] == kBool || how[c] == kInt32 || how[c] == kInt64) && HasNulls(c)) {
        py::array_t<bool> m(rows);
        mp[c] = m.mutable_data();
        masks[c] = std::move(m);
      }
    }
    // The numbers are copied on all cores without the GIL; Python objects after, with it.
    Status filled;
    {
      py::gil_scoped_release unlocked;
      filled = ParallelFor(nc, std::max(1u, std::thread::hardware_concurrency()), [&](size_t c) {
        FillNumbers(c, how[c], vp[c], mp[c]);
        return Status::OK();
      });
    }
    if (!filled.ok()) Throw(filled);
    py::list out;
    for (size_t c = 0; c < nc; ++c) {
      if (how[c] == kStrings) FillStrings(c, static_cast<PyObject**>(vp[c]));
      if (how[c] == kObjects) {
        PyObject** p = static_cast<PyObject**>(vp[c]);
        size_t i = 0;
        ForEachValue(rs_, c, [&](const Column& col, size_t r) {
          Py_XDECREF(p[i]);  // NumPy filled the array with None
          p[i++] = PyValue(col, r).release().ptr();
        });
      }
      const char* kind = how[c] == kBool ? "bool" : how[c] == kInt32 ? "int32" : how[c] == kInt64 ? "int64"
                         : how[c] == kDouble || how[c] == kDecimal ? "float64"
                         : how[c] == kNanos ? "datetime64[ns]" : "object";
      py::object v = how[c] == kNanos ? values[c].attr("view")("datetime64[ns]") : py::object(values[c]);
      out.append(py::make_tuple(kind, v, masks[c] ? masks[c] : py::object(py::none())));
    }
    return out;
  }

  std::string Text(size_t max_rows) const {
    ResultSet head;
    head.names = rs_.names;
    for (size_t c = 0; c < rs_.names.size(); ++c) {
      Column col(types_[c]);
      size_t i = 0;
      ForEachValue(rs_, c, [&](const Column& src, size_t row) {
        if (i++ < max_rows) col.AppendFrom(src, row);
      });
      head.columns.push_back(std::move(col));
    }
    std::ostringstream out;
    PrintResult(head, OutputFormat::kTable, out);
    std::string s = out.str();
    if (rows_ > max_rows) s += std::to_string(rows_) + " rows (" + std::to_string(max_rows) + " shown)\n";
    return s;
  }

 private:
  bool HasNulls(size_t c) const {
    bool any = false;
    if (!rs_.columns.empty()) return rs_.columns[c].has_nulls() && rs_.columns[c].CountNulls() > 0;
    for (const auto& chunk : rs_.chunks) any = any || (chunk[c].has_nulls() && chunk[c].CountNulls() > 0);
    return any;
  }

  // Whether every DATE / TIMESTAMP of column c fits datetime64[ns] (1677-09-21 .. 2262-04-11);
  // a column with a value outside it is given as Python objects instead, never wrapped.
  bool FitsNanos(size_t c) const {
    const bool date = types_[c].id == TypeId::kDate;
    const int64_t limit = INT64_MAX / 1000;  // microseconds
    bool fits = true;
    ForEachValue(rs_, c, [&](const Column& col, size_t r) {
      if (col.IsNull(r)) return;
      if (date && std::abs(int64_t{col.Get<int32_t>(r)}) > 106000) {  // past 2260 or before 1680
        fits = false;
        return;
      }
      const int64_t us = date ? int64_t{col.Get<int32_t>(r)} * 86400000000 : col.Get<int64_t>(r);
      fits = fits && us < limit && us > -limit;
    });
    return fits;
  }

  template <typename T, typename F>
  void Fill(size_t c, void* out, F&& value) const {
    T* p = static_cast<T*>(out);
    ForEachValue(rs_, c, [&](const Column& col, size_t row) { *p++ = value(col, row); });
  }

  // Column c's values into a NumPy buffer of its kind (0 where NULL: the mask says so; NaN for
  // floats, NaT for times), and its NULLs into `mask` when there is one.
  void FillNumbers(size_t c, int how, void* out, bool* mask) const {
    const bool date = types_[c].id == TypeId::kDate;
    switch (how) {
      case 0:
        Fill<bool>(c, out, [](const Column& col, size_t r) { return !col.IsNull(r) && col.Get<uint8_t>(r) != 0; });
        break;
      case 1:
        Fill<int32_t>(c, out, [](const Column& col, size_t r) { return col.IsNull(r) ? 0 : col.Get<int32_t>(r); });
        break;
      case 2:
        Fill<int64_t>(c, out, [](const Column& col, size_t r) { return col.IsNull(r) ? 0 : col.Get<int64_t>(r); });
        break;
      case 3:
        Fill<double>(c, out, [](const Column& col, size_t r) { return col.IsNull(r) ? std::nan("") : col.Get<double>(r); });
        break;
      case 4:
        Fill<double>(c, out, [](const Column& col, size_t r) { return col.IsNull(r) ? std::nan("") : DecimalToDouble(col, r); });
        break;
      case 5:
        Fill<int64_t>(c, out, [&](const Column& col, size_t r) -> int64_t {
          if (col.IsNull(r)) return INT64_MIN;  // NaT
          return (date ? int64_t{col.Get<int32_t>(r)} * 86400000000 : col.Get<int64_t>(r)) * 1000;
        });
        break;
      default: return;
    }
    if (mask) Fill<bool>(c, mask, [](const Column& col, size_t r) { return col.IsNull(r); });
  }

  // A STRING column as str objects (None for NULL): one object per distinct value of a
  // dictionary batch, and of the first values seen (a column of few values shares them).
  void FillStrings(size_t c, PyObject** p) const {
    const Column* dict_of = nullptr;
    std::vector<py::object> dict_strs;
    constexpr size_t kSeenMax = 4096;
    std::unordered_map<std::string_view, py::object> seen;
    ForEachValue(rs_, c, [&](const Column& col, size_t r) {
      PyObject* o;
      if (col.IsNull(r)) {
        o = Py_None;
        Py_INCREF(o);
      } else if (col.is_dictionary()) {
        if (dict_of != &col.dictionary()) {
          dict_of = &col.dictionary();
          dict_strs.assign(dict_of->size(), py::object());
        }
        py::object& s = dict_strs[col.codes()[r]];
        if (!s) s = PyText(col.GetString(r));
        o = s.inc_ref().ptr();
      } else {
        const std::string_view v = col.GetString(r);
        auto it = seen.find(v);
        if (it != seen.end()) {
          o = it->second.inc_ref().ptr();
        } else {
          py::object s = PyText(v);
          o = s.inc_ref().ptr();
          if (seen.size() < kSeenMax) seen.emplace(v, std::move(s));
        }
      }
      Py_XDECREF(*p);  // NumPy filled the array with None
      *p++ = o;
    });
  }

  ResultSet rs_;
  std::vector<DataType> types_;
  size_t rows_ = 0;
  size_t next_ = 0;
};

// --- connections ---------------------------------------------------------------------------

// Ctrl-C while a statement runs. Python's own SIGINT handler cannot run then (the statement
// holds no GIL and Python handles signals only between bytecodes of the main thread), so on the
// main thread the statement takes SIGINT for its time: it stops where it polls (as in the
// shell), and the signal is then handed to Python's handler (KeyboardInterrupt by default).
class SigintScope {
 public:
  SigintScope() {
    py::module_ threading = py::module_::import("threading");
    active_ = threading.attr("current_thread")().is(threading.attr("main_thread")());
    if (!active_) return;
    struct sigaction sa {};
    sa.sa_handler = [](int) { g_interrupted.store(true); };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_);
  }
  SigintScope(const SigintScope&) = delete;
  SigintScope& operator=(const SigintScope&) = delete;
  ~SigintScope() { Restore(); }
  // Puts Python's handler back; after a Ctrl-C, runs it (raising what it raises).
  void Finish() {
    Restore();
    if (interrupted_) {
      PyErr_SetInterrupt();
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    }
  }

 private:
  void Restore() {
    if (!active_) return;
    active_ = false;
    interrupted_ = g_interrupted.load();
    sigaction(SIGINT, &old_, nullptr);
  }
  bool active_ = false, interrupted_ = false;
  struct sigaction old_ {};
};

// Bytes in memory read as an input (a DataFrame's rows as Parquet).
class MemoryInput : public InputStream {
 public:
  MemoryInput(std::string name, std::string data) : name_(std::move(name)), data_(std::move(data)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    n = std::min(n, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  const std::string& name() const override { return name_; }
  uint64_t size_hint() const override { return data_.size(); }
  uint64_t bytes_read() const override { return pos_; }
  uint64_t content_hash() const override { return 0; }

 private:
  std::string name_, data_;
  size_t pos_ = 0;
};

int64_t EtlMicros(const py::object& etl_date) {
  if (etl_date.is_none()) return 0;
  return Check(ParseTimestamp(py::str(etl_date).cast<std::string>()));
}

py::dict IngestSummary(const IngestResult& r) {
  py::dict d;
  d["rows"] = r.rows;
  d["commit"] = r.commit_seq;
  d["partitions"] = r.partitions;
  d["files"] = r.segments;
  d["bytes"] = r.bytes;
  d["seconds"] = r.seconds;
  d["partitions_replaced"] = r.partitions_replaced;
  d["rows_replaced"] = r.rows_replaced;
  return d;
}

class PyConnection {
 public:
  explicit PyConnection(std::string path) : path_(std::move(path)) {
    SessionOptions so;
    so.flatten = false;
    session_ = std::make_unique<Session>(DefaultFileSystem(), path_, so);
  }

  const std::string& path() const { return path_; }

  // Runs every statement; the result of the last one that returns rows, else None.
  py::object Sql(const std::string& sql) {
    SigintScope sigint;
    auto results = [&] {
      py::gil_scoped_release unlocked;
      return Run(sql);
    }();
    sigint.Finish();
    if (!results.ok()) Throw(results.status());
    if (results->empty()) return py::none();
    return py::cast(std::make_unique<PyResult>(std::move(results->back())));
  }

  std::vector<std::string> Tables() {
    py::gil_scoped_release unlocked;
    std::unique_lock lock(mu_);
    auto wh = session_->GetWarehouse(false);
    if (!wh.ok() && wh.status().code() == StatusCode::kNotFound) return {};
    if (!wh.ok()) Throw(wh.status());
    return Check((*wh)->ListTables());
  }

  std::string Explain(const std::string& sql) {
    auto results = [&]() -> Result<std::vector<ResultSet>> {
      py::gil_scoped_release unlocked;
      g_interrupted.store(false);
      return WithSession(true, [&] { return session_->Explain(sql); });
    }();
    if (!results.ok()) Throw(results.status());
    std::string text;
    for (auto& rs : *results) {
      rs.Flatten();
      for (size_t i = 0; i < rs.rows(); ++i) text += std::string(rs.columns[0].GetString(i)) + "\n";
    }
    return text;
  }

  py::dict Ingest(const std::string& table, const std::vector<std::string>& paths, const py::object& etl_date,
                  const std::string& format, bool force, bool allow_missing_columns,
                  const std::vector<std::pair<std::string, std::string>>& time_formats,
                  const std::vector<std::string>& null_strings, bool empty_as_null, bool ignore_extra_columns,
                  bool overwrite) {
    IngestOptions opt;
    opt.overwrite = overwrite;
    opt.etl_micros = EtlMicros(etl_date);
    opt.force = force;
    opt.allow_missing_columns = allow_missing_columns;
    opt.allow_missing_hint = "allow_missing_columns=True";
    opt.force_hint = "Use force=True to load it again.";
    opt.null_strings = null_strings;
    if (empty_as_null) opt.null_strings.emplace_back();
    opt.ignore_extra_columns = ignore_extra_columns;
    for (const auto& [col, fmt] : time_formats) opt.time_formats.emplace_back(ToLower(col), fmt);
    SigintScope sigint;
    auto r = [&]() -> Result<IngestResult> {
      py::gil_scoped_release unlocked;
      g_interrupted.store(false);
      {
        WH_ASSIGN_OR_RETURN(auto files, ExpandInputPaths(paths));
        if (format.empty()) {
          WH_ASSIGN_OR_RETURN(opt.format, FormatFromNames(files));
        } else if (format == "csv") {
          opt.format = InputFormat::kCsv;
        } else if (format == "json" || format == "jsonl" || format == "ndjson") {
          opt.format = InputFormat::kJson;
        } else if (format == "parquet") {
          opt.format = InputFormat::kParquet;
        } else {
          return Status::InvalidArgument("format '" + format + "': expected csv, json or parquet");
        }
        std::unique_lock lock(mu_);
        WH_ASSIGN_OR_RETURN(Warehouse * wh, session_->GetWarehouse(false));
        return IngestCsv(wh, table, files, opt);
      }
    }();
    sigint.Finish();
    if (!r.ok()) Throw(r.status());
    return IngestSummary(*r);
  }

  // A DataFrame's columns (made by wh/__init__.py: one kind each - "bool", "int64", "float64",
  // "timestamp_ns" or "text" - with its values and NULL mask) appended to `table` as one commit:
  // written as Parquet in memory and ingested as a Parquet file is (columns by name, converted
  // to the table's types exactly or refused with the column and row).
  py::dict IngestColumns(const std::string& table, const std::vector<std::string>& names,
                         const std::vector<std::string>& kinds, const std::vector<py::object>& values,
                         const std::vector<py::object>& masks, const py::object& etl_date,
                         bool allow_missing_columns, bool overwrite) {
    const size_t nc = names.size();
    std::vector<Column> cols;
    std::vector<parquet::ColumnSpec> specs;
    size_t rows = 0;
    // The table's columns: a datetime64 column (pandas has no date type) loads into a DATE
    // column when every value is a midnight.
    std::optional<TableSchema> schema;
    {
      py::gil_scoped_release unlocked;
      std::unique_lock lock(mu_);
      auto wh = session_->GetWarehouse(false);
      if (wh.ok()) {
        auto snap = (*wh)->GetSnapshot(ToLower(table));
        if (snap.ok()) schema = snap->schema;
      }
    }
    auto is_date = [&](const std::string& name) {
      const int i = schema ? schema->FindColumn(name) : -1;
      return i >= 0 && schema->columns[static_cast<size_t>(i)].type.id == TypeId::kDate;
    };
    for (size_t c = 0; c < nc; ++c) {
      const std::string& kind = kinds[c];
      py::object mask_obj = masks[c];
      py::array_t<bool> mask;
      const bool masked = !mask_obj.is_none();
      if (masked) mask = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(mask_obj);
      auto null_at = [&](size_t i) { return masked && mask.data()[i]; };
      Column col;
      if (kind == "text") {
        py::list list = values[c];
        rows = list.size();
        col = Column(DataType::String());
        col.Reserve(rows);
        for (size_t i = 0; i < rows; ++i) {
          py::handle v = list[i];
          if (v.is_none()) {
            col.AppendNull();
            continue;
          }
          // str -> the bytes it came from (surrogateescape: text fetchall gave back as it was).
          PyObject* b = PyUnicode_AsEncodedString(v.ptr(), "utf-8", "surrogateescape");
          if (!b) throw py::error_already_set();
          py::object bytes = py::reinterpret_steal<py::object>(b);
          col.AppendString(std::string_view(PyBytes_AS_STRING(b), static_cast<size_t>(PyBytes_GET_SIZE(b))));
        }
      } else if (kind == "bool") {
        auto a = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(values[c]);
        rows = static_cast<size_t>(a.size());
        col = Column(DataType::Boolean());
        col.Reserve(rows);
        for (size_t i = 0; i < rows; ++i) {
          if (null_at(i)) col.AppendNull();
          else col.Append<uint8_t>(a.data()[i] ? 1 : 0);
        }
      } else if (kind == "int64" || kind == "timestamp_ns") {
        auto a = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(values[c]);
        rows = static_cast<size_t>(a.size());
        const bool ts = kind == "timestamp_ns";
        const bool date = ts && is_date(names[c]);
        col = Column(date ? DataType::Date() : ts ? DataType::Timestamp() : DataType::Int64());
        col.Reserve(rows);
        for (size_t i = 0; i < rows; ++i) {
          const int64_t v = a.data()[i];
          if (null_at(i) || (ts && v == INT64_MIN)) {
            col.AppendNull();
          } else if (ts) {
            if (v % 1000 != 0)
              Throw(Status::DataError("column '" + names[c] + "', row " + std::to_string(i) + ": " + std::to_string(v) +
                                      " ns is not a whole microsecond (wh keeps TIMESTAMP to the microsecond; "
                                      "round it with .dt.floor('us'))"));
            if (date) {
              const int64_t day_us = int64_t{86400} * 1000000, us = v / 1000;
              if (us % day_us != 0)
                Throw(Status::DataError("column '" + names[c] + "', row " + std::to_string(i) + ": " +
                                        FormatTimestamp(us) + " has a time of day, and the table's column is a DATE"));
              col.Append<int32_t>(TimestampToDate(us));
            } else {
              col.Append<int64_t>(v / 1000);
            }
          } else {
            col.Append<int64_t>(v);
          }
        }
      } else if (kind == "float64") {
        auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(values[c]);
        rows = static_cast<size_t>(a.size());
        col = Column(DataType::Double());
        col.Reserve(rows);
        for (size_t i = 0; i < rows; ++i) {
          if (null_at(i)) col.AppendNull();
          else col.Append<double>(a.data()[i]);
        }
      } else {
        Throw(Status::InvalidArgument("column '" + names[c] + "': kind '" + kind + "'"));
      }
      specs.push_back({names[c], col.type(), true, -1});
      cols.push_back(std::move(col));
    }
    IngestOptions opt;
    opt.etl_micros = EtlMicros(etl_date);
    opt.format = InputFormat::kParquet;
    opt.force = true;  // a DataFrame is appended each time it is given (there is no file to remember)
    opt.overwrite = overwrite;
    opt.allow_missing_columns = allow_missing_columns;
    opt.allow_missing_hint = "allow_missing_columns=True";
    auto r = [&]() -> Result<IngestResult> {
      py::gil_scoped_release unlocked;
      {
        std::string bytes;
        parquet::WriterOptions wo;
        parquet::Writer w(specs, wo, [&](std::string_view b) {
          bytes.append(b);
          return Status::OK();
        });
        WH_RETURN_IF_ERROR(w.Write(cols));
        WH_RETURN_IF_ERROR(w.Finish());
        cols.clear();
        MemoryInput in("DataFrame", std::move(bytes));
        std::unique_lock lock(mu_);
        WH_ASSIGN_OR_RETURN(Warehouse * wh, session_->GetWarehouse(false));
        return IngestStreams(wh, table, {&in}, opt, {});
      }
    }();
    if (!r.ok()) Throw(r.status());
    return IngestSummary(*r);
  }

 private:
  // Statements that only read share the session with other threads; any other (a DDL, an
  // INSERT, a temporary view) has it alone.
  Result<std::vector<ResultSet>> Run(const std::string& sql) {
    g_interrupted.store(false);
    WH_ASSIGN_OR_RETURN(auto stmts, ParseSql(sql));
    bool reads_only = true;
    for (const auto& st : stmts)
      reads_only = reads_only && (st.kind == Statement::kSelect || st.kind == Statement::kExplain ||
                                  st.kind == Statement::kDescribe || st.kind == Statement::kShowTables ||
                                  st.kind == Statement::kShowFunctions);
    return WithSession(reads_only, [&] { return session_->Execute(sql); });
  }

  // Runs fn on the session: with reads_only, beside other readers (once the warehouse is open:
  // Session opens it on first use, which one thread does alone); otherwise alone.
  Result<std::vector<ResultSet>> WithSession(bool reads_only,
                                             const std::function<Result<std::vector<ResultSet>>()>& fn) {
    if (reads_only) {
      bool opened;
      {
        std::unique_lock lock(mu_);
        if (!opened_) opened_ = session_->GetWarehouse(false).ok();
        opened = opened_;
      }
      if (opened) {
        std::shared_lock lock(mu_);
        return fn();
      }
    }
    std::unique_lock lock(mu_);
    auto r = fn();
    opened_ = session_->GetWarehouse(false).ok();
    return r;
  }

  std::string path_;
  std::shared_mutex mu_;
  bool opened_ = false;
  std::unique_ptr<Session> session_;
};

}  // namespace
}  // namespace wh

PYBIND11_MODULE(_wh, m) {
  using namespace wh;
  PyDateTime_IMPORT;
  m.doc() = "wh's native part; use the wh package (import wh).";
  m.attr("__version__") = WH_VERSION_STRING;

  g_errors[0] = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "wh.Error", "An error from wh: its message says where and why; .kind names its kind.", PyExc_Exception, nullptr));
  g_errors[1] = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "wh.DataError", "Input data rejected (a value that does not fit its column).", g_errors[0].ptr(), nullptr));
  g_errors[2] = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "wh.CorruptionError", "Bytes on disk failed a checksum or a structural check.", g_errors[0].ptr(), nullptr));
  g_errors[3] = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "wh.LockedError", "Another process holds the table's writer lock.", g_errors[0].ptr(), nullptr));
  g_errors[4] = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "wh.InterruptedError", "The statement was interrupted.", g_errors[0].ptr(), nullptr));
  m.attr("Error") = g_errors[0];
  m.attr("DataError") = g_errors[1];
  m.attr("CorruptionError") = g_errors[2];
  m.attr("LockedError") = g_errors[3];
  m.attr("InterruptedError") = g_errors[4];
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const WhError& e) {
      const Status& st = e.status;
      const std::string msg = st.code() == StatusCode::kInvalidArgument ? st.message() : st.ToString();
      py::object cls = ErrorClass(st.code());
      // A message quotes input as it is, which may not be UTF-8: such bytes show as U+FFFD.
      PyObject* text = PyUnicode_DecodeUTF8(msg.data(), static_cast<Py_ssize_t>(msg.size()), "replace");
      if (!text) return;  // the decoding error is the one raised
      py::object inst = cls(py::reinterpret_steal<py::object>(text));
      inst.attr("kind") = StatusCodeName(st.code());
      // "line L, column C: ..." at the start of an error in SQL
      int line = 0, column = 0;
      if (std::sscanf(st.message().c_str(), "line %d, column %d:", &line, &column) == 2) {
        inst.attr("line") = line;
        inst.attr("column") = column;
      } else {
        inst.attr("line") = py::none();
        inst.attr("column") = py::none();
      }
      PyErr_SetObject(cls.ptr(), inst.ptr());
    }
  });

  py::class_<PyResult>(m, "Result", "The rows of a query, held by wh until they are fetched.")
      .def_property_readonly("columns", &PyResult::columns, "Column names")
      .def_property_readonly("types", &PyResult::types, "Column types as SQL names (INT, DECIMAL(18,2), ...)")
      .def_property_readonly("rowcount", &PyResult::rows)
      .def("__len__", &PyResult::rows)
      .def("fetchall", &PyResult::FetchAll, "The rows not fetched yet, as tuples of Python values")
      .def("fetchone", &PyResult::FetchOne, "The next row as a tuple, or None after the last")
      .def("fetchmany", &PyResult::FetchMany, py::arg("size") = 1)
      .def("_numpy_columns", &PyResult::NumpyColumns)
      .def("_text", &PyResult::Text, py::arg("max_rows") = 40);

  py::class_<PyConnection>(m, "_Connection")
      .def(py::init<std::string>(), py::arg("path"))
      .def_property_readonly("path", &PyConnection::path)
      .def("sql", &PyConnection::Sql, py::arg("query"),
           "Runs SQL (one statement or several); the result of the last that returns rows, else None.")
      .def("tables", &PyConnection::Tables, "The tables of the warehouse, sorted")
      .def("explain", &PyConnection::Explain, py::arg("query"), "EXPLAIN of a query, as text")
      .def("_ingest", &PyConnection::Ingest)
      .def("_ingest_columns", &PyConnection::IngestColumns);
}
