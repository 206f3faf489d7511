#include "query/expr.h"

#include "query/function/function.h"
#include "query/function/kernel.h"
#include "query/list.h"
#include "query/result.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace wh {

namespace {

bool Valid(const std::vector<uint8_t>& v, size_t i) { return v.empty() || v[i]; }

std::vector<uint8_t> CopyValidity(const Column& c) { return c.validity(); }


// Rescales an unscaled integer from scale `from` to scale `to`, rounding half away from zero.
// Returns false on int128 overflow.
bool Rescale(int128 v, int from, int to, int128* out) {
  if (to == from) {
    *out = v;
    return true;
  }
  if (to > from) {
    int128 f = Pow10(to - from);
    int128 limit = (static_cast<int128>(1) << 126) / f;
    if (Abs128(v) > limit) return false;
    *out = v * f;
    return true;
  }
  int diff = from - to;
  if (diff > 38) {
    *out = 0;
    return true;
  }
  int128 f = Pow10(diff);
  int128 q = v / f, r = v % f;
  if (Abs128(r) * 2 >= f) q += v < 0 ? -1 : 1;
  *out = q;
  return true;
}

bool IsIntegerLike(const DataType& t) {
  return t.id == TypeId::kBoolean || t.id == TypeId::kInt32 || t.id == TypeId::kInt64 ||
         t.id == TypeId::kDecimal;
}

bool IsNumeric(const DataType& t) { return IsIntegerLike(t) || t.id == TypeId::kDouble; }

Status CastError(const Column& c, size_t i, DataType to, const std::string& why) {
  std::string v = TextOf(c, i);
  if (c.type().id == TypeId::kString) v = "'" + v + "'";
  return Status::InvalidArgument("cannot cast " + v + " (" + c.type().ToString() + ") to " +
                                 to.ToString() + (why.empty() ? "" : ": " + why));
}

double DecimalToDouble(int128 v, int scale) {
  if (scale == 0 && Abs128(v) < (static_cast<int128>(1) << 53)) return static_cast<double>(v);
  std::string s = FormatDecimal(v, scale);
  return std::strtod(s.c_str(), nullptr);
}

}  // namespace

std::string Value::ToSql() const {
  if (null) return "NULL";
  switch (type.id) {
    case TypeId::kBoolean: return i ? "TRUE" : "FALSE";
    case TypeId::kInt32:
    case TypeId::kInt64: return FormatInt128(i);
    case TypeId::kDecimal: return FormatDecimal(i, type.scale);
    case TypeId::kDouble: return FormatDouble(d);
    case TypeId::kString: {
      std::string o = "'";
      for (char c : s) {
        if (c == '\'') o += '\'';
        o += c;
      }
      return o + "'";
    }
    case TypeId::kDate: return "DATE '" + FormatDate(static_cast<int32_t>(i)) + "'";
    case TypeId::kTimestamp: return "TIMESTAMP '" + FormatTimestamp(static_cast<int64_t>(i)) + "'";
    case TypeId::kList: return ListSql(s, type.element());
  }
  return "?";
}

Column ConstantColumn(const Value& v, size_t rows) {
  Column c(v.type);
  if (v.null) {
    c.Reserve(rows);
    for (size_t i = 0; i < rows; ++i) c.AppendNull();
    return c;
  }
  if (v.type.id == TypeId::kString && rows > 1) {
    // In dictionary form: the string once and a code per row (a unit argument, a tag column).
    auto dict = std::make_shared<Column>(v.type);
    dict->AppendString(v.s);
    c.SetDictionary(std::move(dict), std::vector<uint32_t>(rows, 0));
    return c;
  }
  if (v.type.physical() == PhysicalType::kString) {
    std::vector<uint32_t> offsets(rows + 1);
    std::string chars;
    chars.reserve(v.s.size() * rows);
    for (size_t i = 0; i < rows; ++i) {
      chars += v.s;
      offsets[i + 1] = static_cast<uint32_t>(chars.size());
    }
    c.SetStrings(std::move(offsets), std::move(chars));
    return c;
  }
  uint8_t* p = c.ResizeFixedForWrite(rows);  // every row written below
  switch (v.type.physical()) {
    case PhysicalType::kDouble: std::fill_n(reinterpret_cast<double*>(p), rows, v.d); break;
    case PhysicalType::kInt32: std::fill_n(reinterpret_cast<int32_t*>(p), rows, static_cast<int32_t>(v.i)); break;
    case PhysicalType::kInt64: std::fill_n(reinterpret_cast<int64_t*>(p), rows, static_cast<int64_t>(v.i)); break;
    default:
      for (size_t i = 0; i < rows; ++i) StoreInt(&c, p, i, v.i);
  }
  return c;
}

Value ValueAt(const Column& c, size_t i) {
  Value v;
  v.type = c.type();
  if (c.IsNull(i)) return v;
  v.null = false;
  switch (c.type().physical()) {
    case PhysicalType::kDouble: v.d = c.Get<double>(i); break;
    case PhysicalType::kString: v.s = std::string(c.GetString(i)); break;
    default: v.i = IntegerAt(c, i); break;
  }
  return v;
}

BExprPtr MakeColumnRef(int id, DataType type, bool nullable) {
  auto e = std::make_shared<BExpr>();
  e->kind = BExpr::kColumn;
  e->column = id;
  e->type = type;
  e->nullable = nullable;
  return e;
}

BExprPtr MakeLiteral(Value v) {
  auto e = std::make_shared<BExpr>();
  e->kind = BExpr::kLiteral;
  e->type = v.type;
  e->nullable = v.null;
  e->value = std::move(v);
  return e;
}

BExprPtr MakeCast(BExprPtr x, DataType to, bool try_cast) {
  if (x->type == to) return x;
  auto e = std::make_shared<BExpr>();
  e->kind = BExpr::kCast;
  e->type = to;
  e->nullable = x->nullable || try_cast;
  e->try_cast = try_cast;
  e->args.push_back(std::move(x));
  return e;
}

std::string BExpr::ToString(const std::vector<std::string>* names) const {
  auto arg = [&](size_t i) { return args[i]->ToString(names); };
  auto list = [&](size_t from) {
    std::string o;
    for (size_t i = from; i < args.size(); ++i) o += (i > from ? ", " : "") + arg(i);
    return o;
  };
  switch (kind) {
    case kColumn:
      if (names && column >= 0 && static_cast<size_t>(column) < names->size() &&
          !(*names)[column].empty())
        return (*names)[column];
      return "#" + std::to_string(column);
    case kLiteral: return value.ToSql();
    case kCast: return std::string(try_cast ? "TRY_CAST(" : "CAST(") + arg(0) + " AS " + type.ToString() + ")";
    case kNot: return "NOT (" + arg(0) + ")";
    case kAnd:
    case kOr: {
      std::string o = "(";
      for (size_t i = 0; i < args.size(); ++i) o += (i ? (kind == kAnd ? " AND " : " OR ") : "") + arg(i);
      return o + ")";
    }
    case kCompare:
    case kArith: return "(" + arg(0) + " " + op + " " + arg(1) + ")";
    case kNeg: return "-(" + arg(0) + ")";
    case kIsNull: return arg(0) + (negated ? " IS NOT NULL" : " IS NULL");
    case kIn: {
      if (in_set) {  // sorted; a long list shows its first ten and how many there are
        const size_t n = in_set->size() + in_set->has_null;
        std::string o = arg(0) + (negated ? " NOT IN (" : " IN (");
        for (size_t i = 0; i < in_set->size() && (n <= 20 || i < 10); ++i)
          o += (i ? ", " : "") + in_set->At(i).ToSql();
        if (in_set->has_null && n <= 20) o += ", NULL";
        if (n <= 20) return o + ")";
        char digest[24];
        std::snprintf(digest, sizeof digest, "%016llx", static_cast<unsigned long long>(in_set->digest));
        return o + ", ... " + std::to_string(n) + " values #" + digest + ")";
      }
      return arg(0) + (negated ? " NOT IN (" : " IN (") + list(1) + ")";
    }
    case kLike: return arg(0) + (negated ? " NOT " : " ") + (case_insensitive ? "ILIKE " : "LIKE ") + Value::String(op).ToSql();
    case kCase: {
      std::string o = "CASE";
      size_t pairs = (args.size() - (has_else ? 1 : 0)) / 2;
      for (size_t i = 0; i < pairs; ++i) o += " WHEN " + arg(2 * i) + " THEN " + arg(2 * i + 1);
      if (has_else) o += " ELSE " + arg(args.size() - 1);
      return o + " END";
    }
    case kCoalesce: return "COALESCE(" + list(0) + ")";
    case kLeast: return "LEAST(" + list(0) + ")";
    case kGreatest: return "GREATEST(" + list(0) + ")";
    case kAddInterval: {
      std::string o = arg(0);
      if (months) o += (months > 0 ? " + INTERVAL " : " - INTERVAL ") + std::to_string(std::llabs(months)) + " MONTH";
      if (micros) {
        int64_t m = std::llabs(micros);
        std::string amount = m % kMicrosPerDay == 0 ? std::to_string(m / kMicrosPerDay) + " DAY"
                                                    : std::to_string(m / kMicrosPerSecond) + " SECOND";
        o += (micros > 0 ? " + INTERVAL " : " - INTERVAL ") + amount;
      }
      return "(" + o + ")";
    }
    case kFunction: return op + "(" + list(0) + ")";
    case kSubquery:  // distinct per subquery: text tells expressions apart
      return (args.empty() ? std::string(op == "EXISTS" ? "EXISTS (subquery " : "(subquery ")
                           : arg(0) + (negated ? " NOT IN (subquery " : " IN (subquery ")) +
             std::to_string(reinterpret_cast<uintptr_t>(subquery.get()) % 100000) + ")";
  }
  return "?";
}

void CollectColumns(const BExpr& e, std::vector<int>* ids) {
  if (e.kind == BExpr::kColumn) ids->push_back(e.column);
  for (const auto& a : e.args) CollectColumns(*a, ids);
}

Result<BExprPtr> Rebind(const BExprPtr& e, const std::vector<int>& map) {
  if (e->kind == BExpr::kColumn) {
    if (e->column < 0 || static_cast<size_t>(e->column) >= map.size() || map[e->column] < 0)
      return Status::Internal("column #" + std::to_string(e->column) + " is not available here");
    auto c = std::make_shared<BExpr>(*e);
    c->column = map[e->column];
    return BExprPtr(c);
  }
  if (e->args.empty()) return e;
  auto c = std::make_shared<BExpr>(*e);
  for (auto& a : c->args) {
    WH_ASSIGN_OR_RETURN(a, Rebind(a, map));
  }
  return BExprPtr(c);
}

BExprPtr Substitute(const BExprPtr& e, const std::map<int, BExprPtr>& map) {
  if (e->kind == BExpr::kColumn) {
    auto it = map.find(e->column);
    return it == map.end() ? e : it->second;
  }
  if (e->args.empty()) return e;
  auto c = std::make_shared<BExpr>(*e);
  for (auto& a : c->args) a = Substitute(a, map);
  return c;
}

BExprPtr WithConstantSet(BExprPtr e) {
  if (!e || e->kind != BExpr::kIn || e->args.size() < 6 || e->in_set) return e;
  const DataType& t = e->args[0]->type;
  if (t.physical() == PhysicalType::kDouble) return e;  // NaN and -0.0: the general path
  auto set = std::make_shared<ConstantSet>();
  set->type = t;
  set->strings = t.physical() == PhysicalType::kString;
  for (size_t k = 1; k < e->args.size(); ++k) {
    const BExpr& a = *e->args[k];
    if (a.kind != BExpr::kLiteral || !(a.type == t)) return e;
    if (a.value.null) {
      set->has_null = true;
    } else if (set->strings) {
      set->texts.push_back(a.value.s);
    } else {
      set->ints.push_back(a.value.i);
    }
  }
  std::sort(set->ints.begin(), set->ints.end());
  set->ints.erase(std::unique(set->ints.begin(), set->ints.end()), set->ints.end());
  std::sort(set->texts.begin(), set->texts.end());
  set->texts.erase(std::unique(set->texts.begin(), set->texts.end()), set->texts.end());
  std::string all(1, set->has_null ? 'N' : '-');
  for (int128 v : set->ints) all.append(reinterpret_cast<const char*>(&v), sizeof v);
  for (const auto& t : set->texts) {
    const uint32_t len = static_cast<uint32_t>(t.size());
    all.append(reinterpret_cast<const char*>(&len), 4);
    all += t;
  }
  set->digest = Checksum64(all.data(), all.size());
  auto copy = std::make_shared<BExpr>(*e);
  copy->in_set = std::move(set);
  copy->args.resize(1);
  return copy;
}

namespace {

// x IN (constants) through the sorted set: TRUE when found, else FALSE, or NULL when a constant
// is NULL; NULL for a NULL x; negated flips TRUE and FALSE.
Column EvaluateInSet(const Column& x, const ConstantSet& set, bool negated, size_t n) {
  Column out(DataType::Boolean());
  uint8_t* o = out.ResizeFixed(n);
  auto has_int = [&](int128 v) { return std::binary_search(set.ints.begin(), set.ints.end(), v); };
  auto has_text = [&](std::string_view v) {
    return std::binary_search(set.texts.begin(), set.texts.end(), v, std::less<>());
  };
  if (set.strings) {
    if (x.is_dictionary()) {  // each distinct string looked up once
      const Column& d = x.dictionary();
      std::vector<uint8_t> hit(d.size());
      for (size_t j = 0; j < d.size(); ++j) hit[j] = has_text(d.GetString(j));
      const uint32_t* codes = x.codes();
      for (size_t i = 0; i < n; ++i) o[i] = hit[codes[i]];
    } else {
      for (size_t i = 0; i < n; ++i) o[i] = has_text(x.GetString(i));
    }
  } else {
    switch (x.type().physical()) {
      case PhysicalType::kBool: {
        const uint8_t* v = x.values<uint8_t>();
        for (size_t i = 0; i < n; ++i) o[i] = has_int(v[i] != 0);
        break;
      }
      case PhysicalType::kInt32: {
        const int32_t* v = x.values<int32_t>();
        for (size_t i = 0; i < n; ++i) o[i] = has_int(v[i]);
        break;
      }
      case PhysicalType::kInt64: {
        const int64_t* v = x.values<int64_t>();
        for (size_t i = 0; i < n; ++i) o[i] = has_int(v[i]);
        break;
      }
      case PhysicalType::kInt128: {
        const int128* v = x.values<int128>();
        for (size_t i = 0; i < n; ++i) o[i] = has_int(v[i]);
        break;
      }
      default: break;  // not built for DOUBLE
    }
  }
  bool nulls = false;
  std::vector<uint8_t> valid(n);
  for (size_t i = 0; i < n; ++i) {
    valid[i] = !x.IsNull(i) && (o[i] || !set.has_null);
    nulls |= !valid[i];
    o[i] = o[i] != negated;
  }
  if (nulls) out.SetValidity(std::move(valid));
  return out;
}

}  // namespace

bool IsConstant(const BExpr& e) {
  if (e.kind == BExpr::kColumn || e.kind == BExpr::kSubquery) return false;
  for (const auto& a : e.args)
    if (!IsConstant(*a)) return false;
  return true;
}

Result<Value> EvaluateConstant(const BExpr& e) {
  Batch one;
  one.rows = 1;
  WH_ASSIGN_OR_RETURN(Column c, Evaluate(e, one));
  return ValueAt(c, 0);
}

std::vector<uint8_t> AndValidity(const Column& a, const Column& b) {
  if (!a.has_nulls()) return b.validity();
  if (!b.has_nulls()) return a.validity();
  std::vector<uint8_t> v(a.size());
  const uint8_t* x = a.validity().data();
  const uint8_t* y = b.validity().data();
  for (size_t i = 0; i < v.size(); ++i) v[i] = x[i] & y[i];
  return v;
}

std::vector<uint32_t> SelectTrue(const Column& c) {
  std::vector<uint32_t> sel;
  sel.reserve(c.size());
  const uint8_t* v = c.values<uint8_t>();
  if (c.has_nulls()) {
    const uint8_t* valid = c.validity().data();
    for (size_t i = 0; i < c.size(); ++i)
      if (v[i] & valid[i]) sel.push_back(static_cast<uint32_t>(i));
  } else {
    for (size_t i = 0; i < c.size(); ++i)
      if (v[i]) sel.push_back(static_cast<uint32_t>(i));
  }
  return sel;
}

Batch SelectRows(const Batch& b, const std::vector<uint32_t>& sel) {
  Batch out;
  out.rows = sel.size();
  out.columns.reserve(b.columns.size());
  for (const auto& c : b.columns) {
    Column n(c.type());
    n.Reserve(sel.size());
    n.AppendSelected(c, sel.data(), sel.size());
    out.columns.push_back(std::move(n));
  }
  return out;
}

void AppendBatch(Batch* dst, const Batch& src) {
  if (dst->columns.empty() && dst->rows == 0) {
    *dst = src;
    return;
  }
  for (size_t c = 0; c < dst->columns.size(); ++c) dst->columns[c].AppendRange(src.columns[c], 0, src.rows);
  dst->rows += src.rows;
}

// ---------------------------------------------------------------------------------------------
// Calendar

int32_t AddMonthsToDate(int32_t days, int64_t months) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  int64_t total = y * 12 + (m - 1) + months;
  int64_t ny = total >= 0 ? total / 12 : -((-total + 11) / 12);
  unsigned nm = static_cast<unsigned>(total - ny * 12) + 1;
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  unsigned last = kDays[nm - 1];
  if (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0)) last = 29;
  return DaysFromCivil(ny, nm, std::min(d, last));
}

int64_t AddMonthsToTimestamp(int64_t micros, int64_t months) {
  int32_t day = TimestampToDate(micros);
  int64_t in_day = micros - static_cast<int64_t>(day) * kMicrosPerDay;
  return static_cast<int64_t>(AddMonthsToDate(day, months)) * kMicrosPerDay + in_day;
}

// ---------------------------------------------------------------------------------------------
// CAST

bool CanCast(DataType from, DataType to) {
  if (from == to) return true;
  if (from.is_list())
    return to.id == TypeId::kString || (to.is_list() && (from.elem_id == 0 || CanCast(from.element(), to.element())));
  if (to.is_list()) return from.id == TypeId::kString;
  if (to.id == TypeId::kString || from.id == TypeId::kString) return true;
  if (IsNumeric(from) && IsNumeric(to)) return true;
  if ((from.id == TypeId::kDate || from.id == TypeId::kTimestamp) &&
      (to.id == TypeId::kDate || to.id == TypeId::kTimestamp))
    return true;
  if (from.id == TypeId::kTimestamp && (to.id == TypeId::kInt64 || to.id == TypeId::kDouble)) return true;
  if ((from.id == TypeId::kInt64 || from.id == TypeId::kInt32) && to.id == TypeId::kTimestamp) return true;
  return false;
}

Result<Column> CastColumn(const Column& c, DataType to, bool try_cast) {
  const DataType from = c.type();
  const size_t n = c.size();
  if (from == to) return c;
  if (!CanCast(from, to))
    return Status::InvalidArgument("cannot cast " + from.ToString() + " to " + to.ToString());
  std::vector<uint8_t> valid = CopyValidity(c);
  auto fail = [&](size_t i, const std::string& why) -> Status {
    if (try_cast) {
      if (valid.empty()) valid.assign(n, 1);
      valid[i] = 0;
      return Status::OK();
    }
    return CastError(c, i, to, why);
  };

  if (from.is_list() && to.is_list()) {  // element by element
    std::vector<uint32_t> offsets;
    const Column elems = ListElements(c, &offsets);
    auto cast = from.elem_id == 0 ? Result<Column>(NullColumn(to.element(), elems.size()))  // all NULL
                                  : CastColumn(elems, to.element(), try_cast);
    if (!cast.ok()) return Status::InvalidArgument(cast.status().message() + " (an element of a list)");
    return MakeLists(to, offsets, *cast, std::move(valid));
  }
  if (to.is_list()) {  // from text such as '[1, 2]'
    Column elems(DataType::String());
    std::vector<uint32_t> offsets = {0};
    std::string error;
    for (size_t i = 0; i < n; ++i) {
      if (Valid(valid, i) && !ParseListText(c.GetString(i), &elems, &error)) {
        WH_RETURN_IF_ERROR(fail(i, error));
        elems.Truncate(offsets.back());
      }
      offsets.push_back(static_cast<uint32_t>(elems.size()));
    }
    auto cast = CastColumn(elems, to.element(), try_cast);
    if (!cast.ok()) return Status::InvalidArgument(cast.status().message() + " (an element of a list)");
    return MakeLists(to, offsets, *cast, std::move(valid));
  }
  if (to.id == TypeId::kString) {
    std::vector<uint32_t> offsets(n + 1, 0);
    std::string chars;
    for (size_t i = 0; i < n; ++i) {
      if (Valid(valid, i)) chars += TextOf(c, i);
      offsets[i + 1] = static_cast<uint32_t>(chars.size());
    }
    Column out(to);
    out.SetStrings(std::move(offsets), std::move(chars));
    out.SetValidity(std::move(valid));
    return out;
  }

  Column out(to);
  uint8_t* base = out.ResizeFixedForWrite(n);
  std::memset(base, 0, n * to.width());
  const bool to_double = to.id == TypeId::kDouble;
  double* dout = reinterpret_cast<double*>(base);

  if (from.id == TypeId::kString) {
    for (size_t i = 0; i < n; ++i) {
      if (!Valid(valid, i)) continue;
      std::string_view s = c.GetString(i);
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
      Status st;
      switch (to.id) {
        case TypeId::kBoolean: {
          auto r = ParseBool(s);
          if (r.ok()) base[i] = *r; else st = fail(i, r.status().message());
          break;
        }
        case TypeId::kInt32:
        case TypeId::kInt64: {
          auto r = to.id == TypeId::kInt32 ? ParseInt64(s, INT32_MIN, INT32_MAX)
                                           : ParseInt64(s, INT64_MIN, INT64_MAX);
          if (r.ok()) StoreInt(&out, base, i, *r); else st = fail(i, r.status().message());
          break;
        }
        case TypeId::kDouble: {
          auto r = ParseDouble(s);
          if (r.ok()) dout[i] = *r; else st = fail(i, r.status().message());
          break;
        }
        case TypeId::kDecimal: {
          // Digits beyond the scale round (half away from zero), as a CAST does in Spark and
          // DuckDB; ingest, in contrast, refuses to lose digits.
          auto r = ParseDecimal(s, to.precision, to.scale);
          if (!r.ok()) {
            size_t dot = s.find('.');
            size_t end = s.find_first_of("eE");
            int frac = dot == std::string_view::npos ? 0
                       : static_cast<int>((end == std::string_view::npos ? s.size() : end) - dot - 1);
            int wide = std::min(kMaxDecimalPrecision, std::max<int>(to.scale, frac));
            auto w = ParseDecimal(s, kMaxDecimalPrecision, wide);
            int128 v;
            if (w.ok() && Rescale(*w, wide, to.scale, &v) && FitsType(v, to)) r = v;
          }
          if (r.ok()) StoreInt(&out, base, i, *r); else st = fail(i, r.status().message());
          break;
        }
        case TypeId::kDate: {
          auto r = ParseDate(s);
          if (r.ok()) {
            StoreInt(&out, base, i, *r);
          } else {
            auto ts = ParseTimestamp(s);
            if (ts.ok()) StoreInt(&out, base, i, TimestampToDate(*ts)); else st = fail(i, r.status().message());
          }
          break;
        }
        case TypeId::kTimestamp: {
          auto r = ParseTimestamp(s);
          if (r.ok()) StoreInt(&out, base, i, *r); else st = fail(i, r.status().message());
          break;
        }
        default: break;
      }
      WH_RETURN_IF_ERROR(st);
    }
    out.SetValidity(std::move(valid));
    return out;
  }

  if (from.id == TypeId::kTimestamp && to.id == TypeId::kInt64) {  // epoch seconds, as Spark
    // Every row (a NULL row's value is some defined number): one tight loop.
    const int64_t* in = c.values<int64_t>();
    int64_t* o = reinterpret_cast<int64_t*>(base);
    for (size_t i = 0; i < n; ++i) o[i] = in[i] / kMicrosPerSecond - (in[i] % kMicrosPerSecond < 0);
    out.SetValidity(std::move(valid));
    return out;
  }
  if (from.id == TypeId::kDate || from.id == TypeId::kTimestamp) {
    for (size_t i = 0; i < n; ++i) {
      if (!Valid(valid, i)) continue;
      int64_t v = from.id == TypeId::kDate ? c.Get<int32_t>(i) : c.Get<int64_t>(i);
      switch (to.id) {
        case TypeId::kDate:
          reinterpret_cast<int32_t*>(base)[i] = TimestampToDate(v);
          break;
        case TypeId::kTimestamp:
          reinterpret_cast<int64_t*>(base)[i] = v * kMicrosPerDay;
          break;
        case TypeId::kInt64: {  // epoch seconds, as Spark
          int64_t s = v / kMicrosPerSecond;
          if (v % kMicrosPerSecond < 0) --s;
          reinterpret_cast<int64_t*>(base)[i] = s;
          break;
        }
        case TypeId::kDouble:
          dout[i] = static_cast<double>(v) / kMicrosPerSecond;
          break;
        default: break;
      }
    }
    out.SetValidity(std::move(valid));
    return out;
  }

  if (to.id == TypeId::kTimestamp) {  // from INT / BIGINT epoch seconds
    for (size_t i = 0; i < n; ++i) {
      if (!Valid(valid, i)) continue;
      int128 v = IntegerAt(c, i) * kMicrosPerSecond;
      if (!FitsType(v, to)) {
        WH_RETURN_IF_ERROR(fail(i, "out of range"));
        continue;
      }
      reinterpret_cast<int64_t*>(base)[i] = static_cast<int64_t>(v);
    }
    out.SetValidity(std::move(valid));
    return out;
  }

  if (from.id == TypeId::kDouble) {
    const double* in = c.values<double>();
    for (size_t i = 0; i < n; ++i) {
      if (!Valid(valid, i)) continue;
      double d = in[i];
      if (to.id == TypeId::kBoolean) {
        base[i] = d != 0;
        continue;
      }
      if (!std::isfinite(d)) {
        WH_RETURN_IF_ERROR(fail(i, "not a finite number"));
        continue;
      }
      // To an integer: the nearest, halves to even (DuckDB; 2.5 -> 2, -2.5 -> -2); to a DECIMAL:
      // halves away from zero (0.125 -> 0.13), as DuckDB does too.
      int s = ScaleOf(to);
      long double scaled = to.id == TypeId::kDecimal ? std::round(static_cast<long double>(d) * std::pow(10.0L, s))
                                                     : std::nearbyint(static_cast<long double>(d));
      if (std::fabs(scaled) >= 1e38L) {
        WH_RETURN_IF_ERROR(fail(i, "out of range"));
        continue;
      }
      int128 v = static_cast<int128>(scaled);
      if (!FitsType(v, to)) {
        WH_RETURN_IF_ERROR(fail(i, "out of range"));
        continue;
      }
      StoreInt(&out, base, i, v);
    }
    out.SetValidity(std::move(valid));
    return out;
  }

  // Integer-like -> numeric.
  const int fs = ScaleOf(from);
  if (to_double) {
    for (size_t i = 0; i < n; ++i)
      if (Valid(valid, i)) dout[i] = DecimalToDouble(IntegerAt(c, i), fs);
    out.SetValidity(std::move(valid));
    return out;
  }
  const int ts = ScaleOf(to);
  if (fs == ts && from.physical() == PhysicalType::kInt64 && to.physical() == PhysicalType::kInt64) {
    // Widening or narrowing between 64-bit layouts: copy, then range-check.
    const int64_t* in = c.values<int64_t>();
    int64_t* o = reinterpret_cast<int64_t*>(base);
    std::memcpy(o, in, n * 8);
    if (to.id == TypeId::kDecimal && to.precision < 19) {
      const int64_t lim = static_cast<int64_t>(Pow10(to.precision));
      for (size_t i = 0; i < n; ++i)
        if (Valid(valid, i) && (o[i] >= lim || o[i] <= -lim)) {
          WH_RETURN_IF_ERROR(fail(i, "does not fit in " + to.ToString()));
          o[i] = 0;
        }
    }
    out.SetValidity(std::move(valid));
    return out;
  }
  for (size_t i = 0; i < n; ++i) {
    if (!Valid(valid, i)) continue;
    int128 v;
    if (to.id == TypeId::kBoolean) {
      base[i] = IntegerAt(c, i) != 0;
      continue;
    }
    if (!Rescale(IntegerAt(c, i), fs, ts, &v) || !FitsType(v, to)) {
      WH_RETURN_IF_ERROR(fail(i, "does not fit in " + to.ToString()));
      continue;
    }
    StoreInt(&out, base, i, v);
  }
  out.SetValidity(std::move(valid));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Kernels

namespace {

template <typename T, typename Cmp>
void CompareLoop(const T* a, const T* b, uint8_t* o, size_t n, Cmp cmp) {
  for (size_t i = 0; i < n; ++i) o[i] = cmp(a[i], b[i]);
}

template <typename T>
void CompareTyped(const std::string& op, const T* a, const T* b, uint8_t* o, size_t n) {
  if (op == "=") CompareLoop(a, b, o, n, [](T x, T y) { return x == y; });
  else if (op == "<>") CompareLoop(a, b, o, n, [](T x, T y) { return x != y; });
  else if (op == "<") CompareLoop(a, b, o, n, [](T x, T y) { return x < y; });
  else if (op == "<=") CompareLoop(a, b, o, n, [](T x, T y) { return x <= y; });
  else if (op == ">") CompareLoop(a, b, o, n, [](T x, T y) { return x > y; });
  else CompareLoop(a, b, o, n, [](T x, T y) { return x >= y; });
}

bool CompareResult(const std::string& op, int c) {
  if (op == "=") return c == 0;
  if (op == "<>") return c != 0;
  if (op == "<") return c < 0;
  if (op == "<=") return c <= 0;
  if (op == ">") return c > 0;
  return c >= 0;
}

template <typename T>
void CompareScalarTyped(const std::string& op, const T* a, T b, uint8_t* o, size_t n) {
  if (op == "=") for (size_t i = 0; i < n; ++i) o[i] = a[i] == b;
  else if (op == "<>") for (size_t i = 0; i < n; ++i) o[i] = a[i] != b;
  else if (op == "<") for (size_t i = 0; i < n; ++i) o[i] = a[i] < b;
  else if (op == "<=") for (size_t i = 0; i < n; ++i) o[i] = a[i] <= b;
  else if (op == ">") for (size_t i = 0; i < n; ++i) o[i] = a[i] > b;
  else for (size_t i = 0; i < n; ++i) o[i] = a[i] >= b;
}

// Equality of strings with one literal, without a call or a data-dependent branch per row
// (lengths vary at random, so branches mispredict): a literal of 8 bytes or more is compared as
// 8-byte words at fixed offsets, read from the row when its length matches and from the literal
// itself (equal, but masked out) when not.
class LiteralMatcher {
 public:
  explicit LiteralMatcher(std::string_view lit) : lit_(lit) {
    for (size_t off = 0; lit.size() >= 8 && off < lit.size(); off += 8) {
      const size_t at = std::min(off, lit.size() - 8);
      uint64_t w;
      std::memcpy(&w, lit.data() + at, 8);
      words_.emplace_back(at, w);
    }
  }
  bool operator()(const char* s, size_t len) const {
    if (words_.empty()) return len == lit_.size() && std::memcmp(s, lit_.data(), len) == 0;
    const bool same_len = len == lit_.size();
    const char* q = same_len ? s : lit_.data();
    uint64_t diff = 0;
    for (const auto& [at, w] : words_) {
      uint64_t x;
      std::memcpy(&x, q + at, 8);
      diff |= x ^ w;
    }
    return same_len & (diff == 0);
  }

 private:
  std::string_view lit_;
  std::vector<std::pair<size_t, uint64_t>> words_;
};

// a op constant, without materializing the constant.
Column CompareScalar(const std::string& op, const Column& a, const Value& v) {
  const size_t n = a.size();
  Column out(DataType::Boolean());
  if (v.null) {
    out.ResizeFixed(n);
    out.SetValidity(std::vector<uint8_t>(n, 0));
    return out;
  }
  uint8_t* o = out.ResizeFixedForWrite(n);  // every row written below
  switch (a.type().physical()) {
    case PhysicalType::kBool: CompareScalarTyped<uint8_t>(op, a.values<uint8_t>(), static_cast<uint8_t>(v.i), o, n); break;
    case PhysicalType::kInt32: CompareScalarTyped<int32_t>(op, a.values<int32_t>(), static_cast<int32_t>(v.i), o, n); break;
    case PhysicalType::kInt64: CompareScalarTyped<int64_t>(op, a.values<int64_t>(), static_cast<int64_t>(v.i), o, n); break;
    case PhysicalType::kInt128: CompareScalarTyped<int128>(op, a.values<int128>(), v.i, o, n); break;
    case PhysicalType::kDouble: CompareScalarTyped<double>(op, a.values<double>(), v.d, o, n); break;
    case PhysicalType::kString: {
      std::string_view lit(v.s);
      if (a.is_dictionary()) {  // each distinct value compared once, then looked up per row
        const Column& d = a.dictionary();
        std::vector<uint8_t> result(d.size());
        for (size_t e = 0; e < d.size(); ++e) result[e] = CompareResult(op, d.GetString(e).compare(lit));
        const uint32_t* codes = a.codes();
        for (size_t i = 0; i < n; ++i) o[i] = result[codes[i]];
        break;
      }
      const uint32_t* off = a.offsets().data();
      const char* chars = a.chars().data();
      if (op == "=" || op == "<>") {
        const bool eq = op == "=";
        const LiteralMatcher match(lit);
        for (size_t i = 0; i < n; ++i) o[i] = match(chars + off[i], off[i + 1] - off[i]) == eq;
      } else {
        for (size_t i = 0; i < n; ++i) o[i] = CompareResult(op, a.GetString(i).compare(lit));
      }
      break;
    }
  }
  out.SetValidity(a.validity());
  return out;
}

const char* FlipOp(const std::string& op) {
  if (op == "<") return ">";
  if (op == "<=") return ">=";
  if (op == ">") return "<";
  if (op == ">=") return "<=";
  return op == "=" ? "=" : "<>";
}

Result<Column> CompareColumns(const std::string& op, const Column& a, const Column& b) {
  const size_t n = a.size();
  Column out(DataType::Boolean());
  uint8_t* o = out.ResizeFixedForWrite(n);  // every row written below
  switch (a.type().physical()) {
    case PhysicalType::kBool: CompareTyped(op, a.values<uint8_t>(), b.values<uint8_t>(), o, n); break;
    case PhysicalType::kInt32: CompareTyped(op, a.values<int32_t>(), b.values<int32_t>(), o, n); break;
    case PhysicalType::kInt64: CompareTyped(op, a.values<int64_t>(), b.values<int64_t>(), o, n); break;
    case PhysicalType::kInt128: CompareTyped(op, a.values<int128>(), b.values<int128>(), o, n); break;
    case PhysicalType::kDouble: CompareTyped(op, a.values<double>(), b.values<double>(), o, n); break;
    case PhysicalType::kString:
      for (size_t i = 0; i < n; ++i) o[i] = CompareResult(op, a.GetString(i).compare(b.GetString(i)));
      break;
  }
  out.SetValidity(AndValidity(a, b));
  return out;
}

Status Overflow(const std::string& op, const Column& a, const Column& b, size_t i, const DataType& t) {
  return Status::InvalidArgument("overflow: " + TextOf(a, i) + " " + op + " " + TextOf(b, i) +
                                 " does not fit in " + t.ToString());
}

Result<Column> ArithColumns(const BExpr& e, const Column& a, const Column& b) {
  const size_t n = a.size();
  const DataType& t = e.type;
  const std::string& op = e.op;
  Column out(t);
  uint8_t* base = out.ResizeFixed(n);
  std::vector<uint8_t> valid = AndValidity(a, b);
  if (t.id == TypeId::kDouble) {
    const double* x = a.values<double>();
    const double* y = b.values<double>();
    double* o = reinterpret_cast<double*>(base);
    if (op == "+") for (size_t i = 0; i < n; ++i) o[i] = x[i] + y[i];
    else if (op == "-") for (size_t i = 0; i < n; ++i) o[i] = x[i] - y[i];
    else if (op == "*") for (size_t i = 0; i < n; ++i) o[i] = x[i] * y[i];
    else if (op == "/") for (size_t i = 0; i < n; ++i) o[i] = x[i] / y[i];  // by zero: +-inf or NaN (IEEE, DuckDB)
    else for (size_t i = 0; i < n; ++i) o[i] = std::fmod(x[i], y[i]);
    out.SetValidity(std::move(valid));
    return out;
  }
  if (t.id == TypeId::kInt64 || t.id == TypeId::kInt32) {
    // Operands are BIGINT (the binder casts); the result of INT arithmetic is BIGINT too.
    const int64_t* x = a.values<int64_t>();
    const int64_t* y = b.values<int64_t>();
    int64_t* o = reinterpret_cast<int64_t*>(base);
    bool overflow = false;
    if (op == "+") {
      for (size_t i = 0; i < n; ++i) overflow |= __builtin_add_overflow(x[i], y[i], &o[i]) & static_cast<int>(Valid(valid, i));
    } else if (op == "-") {
      for (size_t i = 0; i < n; ++i) overflow |= __builtin_sub_overflow(x[i], y[i], &o[i]) & static_cast<int>(Valid(valid, i));
    } else if (op == "*") {
      for (size_t i = 0; i < n; ++i) overflow |= __builtin_mul_overflow(x[i], y[i], &o[i]) & static_cast<int>(Valid(valid, i));
    } else {
      for (size_t i = 0; i < n; ++i) {
        if (!Valid(valid, i)) { o[i] = 0; continue; }
        if (y[i] == 0) {  // x % 0 and x // 0 are NULL (DuckDB, and Spark's x % 0)
          if (valid.empty()) valid.assign(n, 1);
          valid[i] = 0;
          o[i] = 0;
          continue;
        }
        if (y[i] == -1) {
          if (op != "%" && x[i] == INT64_MIN) return Overflow(op, a, b, i, t);
          o[i] = op == "%" ? 0 : -x[i];
          continue;
        }
        o[i] = op == "%" ? x[i] % y[i] : x[i] / y[i];
      }
    }
    if (overflow) {
      for (size_t i = 0; i < n; ++i) {
        int64_t r;
        bool ov = op == "+" ? __builtin_add_overflow(x[i], y[i], &r)
                  : op == "-" ? __builtin_sub_overflow(x[i], y[i], &r)
                              : __builtin_mul_overflow(x[i], y[i], &r);
        if (ov && Valid(valid, i)) return Overflow(op, a, b, i, t);
      }
    }
    out.SetValidity(std::move(valid));
    return out;
  }
  // DECIMAL: exact in int128, checked against the result precision.
  const int128 limit = Pow10(t.precision);
  for (size_t i = 0; i < n; ++i) {
    if (!Valid(valid, i)) continue;
    int128 x = IntegerAt(a, i), y = IntegerAt(b, i), r = 0;
    bool ov = false;
    if (op == "+") ov = __builtin_add_overflow(x, y, &r);
    else if (op == "-") ov = __builtin_sub_overflow(x, y, &r);
    else if (op == "*") ov = __builtin_mul_overflow(x, y, &r);
    else {
      if (y == 0) {  // x % 0 is NULL
        if (valid.empty()) valid.assign(n, 1);
        valid[i] = 0;
        continue;
      }
      r = x % y;
    }
    if (ov || Abs128(r) >= limit) return Overflow(op, a, b, i, t);
    StoreInt(&out, base, i, r);
  }
  out.SetValidity(std::move(valid));
  return out;
}

// LIKE with % (any run) and _ (one character); byte-wise, with UTF-8 continuation bytes
// belonging to their character for _; `escape` (0: none) makes the next pattern character
// literal.
bool LikeMatch(std::string_view s, std::string_view p, bool ci, char escape) {
  auto lower = [&](char c) {
    return ci ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
  };
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  auto next_char = [&](size_t i) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    return i;
  };
  while (si < s.size()) {
    const bool escaped = escape && pi + 1 < p.size() && p[pi] == escape;
    if (!escaped && pi < p.size() && p[pi] == '%') {
      star_p = pi++;
      star_s = si;
    } else if (!escaped && pi < p.size() && p[pi] == '_') {
      si = next_char(si);
      ++pi;
    } else if (pi < p.size() && lower(p[pi + escaped]) == lower(s[si])) {
      pi += 1 + escaped;
      ++si;
    } else if (star_p != std::string_view::npos) {
      pi = star_p + 1;
      star_s = next_char(star_s);
      si = star_s;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

Result<Column> EvaluateFunction(const BExpr& e, const Batch& b);

// Evaluates e only for rows `sel` of the batch (for CASE, AND, OR, COALESCE: branches run only
// where they decide the result, so a guarded division by zero is not an error).
Result<Column> EvaluateOn(const BExpr& e, const Batch& b, const std::vector<uint32_t>& sel) {
  if (sel.size() == b.rows) return Evaluate(e, b);
  if (e.kind == BExpr::kLiteral) return ConstantColumn(e.value, sel.size());
  // Only the columns the expression reads are gathered.
  std::vector<int> used;
  CollectColumns(e, &used);
  Batch sub;
  sub.rows = sel.size();
  sub.columns.reserve(b.columns.size());
  for (const auto& c : b.columns) sub.columns.emplace_back(c.type());
  for (int u : used) {
    if (u < 0 || static_cast<size_t>(u) >= b.columns.size() || sub.columns[u].size() == sel.size()) continue;
    sub.columns[u].AppendSelected(b.columns[u], sel.data(), sel.size());
  }
  return Evaluate(e, sub);
}

// Writes rows of `part` (computed for rows `sel`) into `out` at those rows.
void Scatter(const Column& part, const std::vector<uint32_t>& sel, std::vector<Column>* pieces,
             std::vector<int>* source, std::vector<uint32_t>* index, int piece) {
  pieces->push_back(part);
  for (size_t k = 0; k < sel.size(); ++k) {
    (*source)[sel[k]] = piece;
    (*index)[sel[k]] = static_cast<uint32_t>(k);
  }
}

// Assembles a column of n rows from pieces: row i comes from pieces[source[i]] row index[i], or
// is NULL when source[i] < 0.
Column Assemble(const DataType& t, size_t n, const std::vector<Column>& pieces,
                const std::vector<int>& source, const std::vector<uint32_t>& index) {
  Column out(t);
  std::vector<uint8_t> valid(n, 0);
  bool any_null = false;
  for (size_t i = 0; i < n; ++i) {
    valid[i] = source[i] >= 0 && !pieces[source[i]].IsNull(index[i]);
    any_null |= !valid[i];
  }
  if (t.physical() == PhysicalType::kString) {
    std::vector<uint32_t> offsets(n + 1, 0);
    std::string chars;
    for (size_t i = 0; i < n; ++i) {
      if (valid[i]) chars.append(pieces[source[i]].GetString(index[i]));
      offsets[i + 1] = static_cast<uint32_t>(chars.size());
    }
    out.SetStrings(std::move(offsets), std::move(chars));
  } else {
    const int w = t.width();
    uint8_t* o = out.ResizeFixed(n);
    std::memset(o, 0, n * w);
    for (size_t i = 0; i < n; ++i)
      if (valid[i]) std::memcpy(o + i * w, pieces[source[i]].values<uint8_t>() + size_t{index[i]} * w, w);
  }
  if (any_null) out.SetValidity(std::move(valid));
  return out;
}

}  // namespace

Result<ColumnHolder> EvaluateView(const BExpr& e, const Batch& b) {
  if (e.kind == BExpr::kColumn) {
    if (e.column < 0 || static_cast<size_t>(e.column) >= b.columns.size())
      return Status::Internal("unresolved column in expression");
    return ColumnHolder(&b.columns[e.column]);
  }
  WH_ASSIGN_OR_RETURN(Column c, Evaluate(e, b));
  return ColumnHolder(std::move(c));
}

// True when evaluating e can raise no error for any row (so it needs no short-circuit
// protection): columns, constants, comparisons, IS NULL, NOT / AND / OR of such.
bool CannotFail(const BExpr& e) {
  switch (e.kind) {
    case BExpr::kColumn:
    case BExpr::kLiteral: return true;
    case BExpr::kCompare:
    case BExpr::kIsNull:
    case BExpr::kNot:
    case BExpr::kAnd:
    case BExpr::kOr:
      return std::all_of(e.args.begin(), e.args.end(), [](const BExprPtr& a) { return CannotFail(*a); });
    default: return false;
  }
}

namespace {

// out[i] = src[i] (src[0] when constant) for the rows in mask, out[i] kept for the others.
template <typename T>
void Select(const T* src, bool constant, const uint8_t* mask, size_t n, T* out) {
  if (constant) {
    const T x = src[0];
    for (size_t i = 0; i < n; ++i) out[i] = mask[i] ? x : out[i];
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = mask[i] ? src[i] : out[i];
  }
}

}  // namespace

Result<Column> Evaluate(const BExpr& e, const Batch& b) {
  const size_t n = b.rows;
  switch (e.kind) {
    case BExpr::kColumn:
      if (e.column < 0 || static_cast<size_t>(e.column) >= b.columns.size())
        return Status::Internal("unresolved column in expression");
      return b.columns[e.column];
    case BExpr::kLiteral: return ConstantColumn(e.value, n);
    case BExpr::kCast: {
      WH_ASSIGN_OR_RETURN(ColumnHolder x_h, EvaluateView(*e.args[0], b));
      const Column& x = x_h.get();
      return CastColumn(x, e.type, e.try_cast);
    }
    case BExpr::kNot: {
      WH_ASSIGN_OR_RETURN(ColumnHolder x_h, EvaluateView(*e.args[0], b));
      const Column& x = x_h.get();
      Column out(DataType::Boolean());
      uint8_t* o = out.ResizeFixed(n);
      const uint8_t* v = x.values<uint8_t>();
      for (size_t i = 0; i < n; ++i) o[i] = !v[i];
      out.SetValidity(x.validity());
      return out;
    }
    case BExpr::kAnd:
    case BExpr::kOr: {
      const bool is_and = e.kind == BExpr::kAnd;
      // decided[i]: the result is known (a FALSE for AND, a TRUE for OR).
      std::vector<uint8_t> decided(n, 0), any_null(n, 0);
      const bool safe = std::all_of(e.args.begin(), e.args.end(), [](const BExprPtr& a) { return CannotFail(*a); });
      if (safe) {
        // No operand can raise an error (comparisons of columns and constants, IS NULL, ...):
        // evaluating each over every row and combining bytes beats narrowing the rows first.
        for (const auto& arg : e.args) {
          WH_ASSIGN_OR_RETURN(ColumnHolder xh, EvaluateView(*arg, b));
          const Column& x = xh.get();
          const uint8_t* v = x.values<uint8_t>();
          if (x.has_nulls()) {
            const uint8_t* valid = x.validity().data();
            for (size_t i = 0; i < n; ++i) {
              any_null[i] |= !valid[i];
              decided[i] |= valid[i] & ((v[i] != 0) != is_and);
            }
          } else {
            for (size_t i = 0; i < n; ++i) decided[i] |= (v[i] != 0) != is_and;
          }
        }
      }
      for (size_t k = 0; k < e.args.size() && !safe; ++k) {
        const auto& arg = e.args[k];
        std::vector<uint32_t> open;
        open.reserve(n);
        for (size_t i = 0; i < n; ++i)
          if (!decided[i]) open.push_back(static_cast<uint32_t>(i));
        if (open.empty()) break;
        WH_ASSIGN_OR_RETURN(Column x, EvaluateOn(*arg, b, open));
        const uint8_t* v = x.values<uint8_t>();
        for (size_t k = 0; k < open.size(); ++k) {
          uint32_t i = open[k];
          if (x.IsNull(k)) any_null[i] = 1;
          else if ((v[k] != 0) != is_and) decided[i] = 1;
        }
      }
      Column out(DataType::Boolean());
      uint8_t* o = out.ResizeFixed(n);
      std::vector<uint8_t> valid(n);
      bool nulls = false;
      for (size_t i = 0; i < n; ++i) {
        o[i] = is_and ? !decided[i] : decided[i];
        valid[i] = decided[i] | !any_null[i];
        nulls |= !valid[i];
      }
      if (nulls) out.SetValidity(std::move(valid));
      return out;
    }
    case BExpr::kCompare: {
      if (e.args[1]->kind == BExpr::kLiteral) {
        WH_ASSIGN_OR_RETURN(ColumnHolder x_h, EvaluateView(*e.args[0], b));
        const Column& x = x_h.get();
        return CompareScalar(e.op, x, e.args[1]->value);
      }
      if (e.args[0]->kind == BExpr::kLiteral) {
        WH_ASSIGN_OR_RETURN(ColumnHolder y_h, EvaluateView(*e.args[1], b));
        const Column& y = y_h.get();
        return CompareScalar(FlipOp(e.op), y, e.args[0]->value);
      }
      WH_ASSIGN_OR_RETURN(ColumnHolder x_h, EvaluateView(*e.args[0], b));
      const Column& x = x_h.get();
      WH_ASSIGN_OR_RETURN(ColumnHolder y_h, EvaluateView(*e.args[1], b));
      const Column& y = y_h.get();
      return CompareColumns(e.op, x, y);
    }
    case BExpr::kArith: {
      WH_ASSIGN_OR_RETURN(ColumnHolder x_h, EvaluateView(*e.args[0], b));
      const Column& x = x_h.get();
      WH_ASSIGN_OR_RETURN(ColumnHolder y_h, EvaluateView(*e.args[1], b));
      const Column& y = y_h.get();
      return ArithColumns(e, x, y);
    }
    case BExpr::kNeg: {
      WH_ASSIGN_OR_RETURN(ColumnHolder x_h, EvaluateView(*e.args[0], b));
      const Column& x = x_h.get();
      Column out(e.type);
      uint8_t* base = out.ResizeFixed(n);
      if (e.type.id == TypeId::kDouble) {
        for (size_t i = 0; i < n; ++i) reinterpret_cast<double*>(base)[i] = -x.Get<double>(i);
      } else {
        for (size_t i = 0; i < n; ++i) {
          int128 v = -IntegerAt(x, i);
          if (!x.IsNull(i) && !FitsType(v, e.type))
            return Status::InvalidArgument("overflow: -(" + TextOf(x, i) + ") does not fit in " + e.type.ToString());
          StoreInt(&out, base, i, x.IsNull(i) ? 0 : v);
        }
      }
      out.SetValidity(x.validity());
      return out;
    }
    case BExpr::kIsNull: {
      WH_ASSIGN_OR_RETURN(ColumnHolder x_h, EvaluateView(*e.args[0], b));
      const Column& x = x_h.get();
      Column out(DataType::Boolean());
      uint8_t* o = out.ResizeFixed(n);
      for (size_t i = 0; i < n; ++i) o[i] = x.IsNull(i) != e.negated;
      return out;
    }
    case BExpr::kIn: {
      WH_ASSIGN_OR_RETURN(ColumnHolder x_h, EvaluateView(*e.args[0], b));
      const Column& x = x_h.get();
      if (e.in_set) return EvaluateInSet(x, *e.in_set, e.negated, n);
      std::vector<uint8_t> found(n, 0), saw_null(n, 0);
      for (size_t k = 1; k < e.args.size(); ++k) {
        WH_ASSIGN_OR_RETURN(ColumnHolder y_h, EvaluateView(*e.args[k], b));
        const Column& y = y_h.get();
        WH_ASSIGN_OR_RETURN(Column eq, CompareColumns("=", x, y));
        const uint8_t* v = eq.values<uint8_t>();
        for (size_t i = 0; i < n; ++i) {
          if (y.IsNull(i)) saw_null[i] = 1;
          else found[i] |= v[i];
        }
      }
      Column out(DataType::Boolean());
      uint8_t* o = out.ResizeFixed(n);
      std::vector<uint8_t> valid(n);
      bool nulls = false;
      for (size_t i = 0; i < n; ++i) {
        o[i] = found[i] != e.negated;
        valid[i] = !x.IsNull(i) && (found[i] || !saw_null[i]);
        nulls |= !valid[i];
      }
      if (nulls) out.SetValidity(std::move(valid));
      return out;
    }
    case BExpr::kLike: {
      WH_ASSIGN_OR_RETURN(ColumnHolder x_h, EvaluateView(*e.args[0], b));
      const Column& x = x_h.get();
      Column out(DataType::Boolean());
      uint8_t* o = out.ResizeFixed(n);
      for (size_t i = 0; i < n; ++i)
        o[i] = !x.IsNull(i) && (LikeMatch(x.GetString(i), e.op, e.case_insensitive, e.like_escape) != e.negated);
      out.SetValidity(x.validity());
      return out;
    }
    case BExpr::kCase: {
      // When every branch value is a column or a constant (nothing that can fail), evaluate
      // them over the whole batch and pick per row: no gathering of row subsets.
      bool simple = true;
      const size_t pairs0 = (e.args.size() - (e.has_else ? 1 : 0)) / 2;
      for (size_t p = 0; p < pairs0; ++p) {
        const BExpr& v = *e.args[2 * p + 1];
        simple = simple && (v.kind == BExpr::kColumn || v.kind == BExpr::kLiteral) && v.type == e.type;
      }
      if (e.has_else) {
        const BExpr& v = *e.args.back();
        simple = simple && (v.kind == BExpr::kColumn || v.kind == BExpr::kLiteral) && v.type == e.type;
      }
      if (simple && e.type.physical() != PhysicalType::kString) {
        // Flat loops over byte masks, without a branch per row (conditions like event = '...'
        // make any branch unpredictable): `decided` marks the rows an earlier branch took,
        // `valid` the rows whose value is not NULL.
        const int w = e.type.width();
        Column out(e.type);
        uint8_t* o = nullptr;
        std::vector<uint8_t> valid(n, 0), decided(n, 0), mask(n);
        bool first = true;  // no row decided yet, no value written
        // The rows in `mask` take value v.
        auto take = [&](const BExpr& v) {
          if (v.kind == BExpr::kLiteral && v.value.null) {  // NULL: decided, not valid
            for (size_t i = 0; i < n; ++i) decided[i] |= mask[i];
            return;
          }
          Column one;
          const Column* c;
          const bool constant = v.kind == BExpr::kLiteral;
          if (constant) {
            one = ConstantColumn(v.value, 1);
            c = &one;
          } else {
            c = &b.columns[v.column];
          }
          if (first && !constant) {
            // Rows outside the mask are decided later or end NULL (their value is unspecified):
            // the whole column is copied, no selection.
            o = out.ResizeFixedForWrite(n);
            std::memcpy(o, c->values<uint8_t>(), n * static_cast<size_t>(w));
          } else {
            if (!o) o = out.ResizeFixed(n);
            switch (w) {
              case 1: Select(c->values<uint8_t>(), constant, mask.data(), n, o); break;
              case 4: Select(c->values<uint32_t>(), constant, mask.data(), n, reinterpret_cast<uint32_t*>(o)); break;
              case 8: Select(c->values<uint64_t>(), constant, mask.data(), n, reinterpret_cast<uint64_t*>(o)); break;
              default: Select(c->values<uint128>(), constant, mask.data(), n, reinterpret_cast<uint128*>(o)); break;
            }
          }
          first = false;
          // A row is taken at most once, so its valid byte is still 0 here.
          if (!constant && c->has_nulls()) {
            const uint8_t* cv = c->validity().data();
            for (size_t i = 0; i < n; ++i) valid[i] |= mask[i] & cv[i];
          } else {
            for (size_t i = 0; i < n; ++i) valid[i] |= mask[i];
          }
          for (size_t i = 0; i < n; ++i) decided[i] |= mask[i];
        };
        for (size_t p = 0; p < pairs0; ++p) {
          WH_ASSIGN_OR_RETURN(ColumnHolder cond_h, EvaluateView(*e.args[2 * p], b));
          const Column& cond = cond_h.get();
          const uint8_t* cv = cond.values<uint8_t>();
          if (cond.has_nulls()) {
            const uint8_t* cn = cond.validity().data();
            for (size_t i = 0; i < n; ++i) mask[i] = (cv[i] != 0) & cn[i] & (decided[i] ^ 1);
          } else {
            for (size_t i = 0; i < n; ++i) mask[i] = (cv[i] != 0) & (decided[i] ^ 1);
          }
          take(*e.args[2 * p + 1]);
        }
        if (e.has_else) {
          for (size_t i = 0; i < n; ++i) mask[i] = decided[i] ^ 1;
          take(*e.args.back());
        }
        if (!o) out.ResizeFixed(n);  // every row NULL
        uint8_t all = 1;
        for (size_t i = 0; i < n; ++i) all &= valid[i];
        if (!all) out.SetValidity(std::move(valid));
        return out;
      }
      std::vector<Column> pieces;
      std::vector<int> source(n, -1);
      std::vector<uint32_t> index(n, 0);
      std::vector<uint32_t> open(n);
      std::iota(open.begin(), open.end(), 0u);
      size_t pairs = (e.args.size() - (e.has_else ? 1 : 0)) / 2;
      for (size_t p = 0; p < pairs && !open.empty(); ++p) {
        WH_ASSIGN_OR_RETURN(Column cond, EvaluateOn(*e.args[2 * p], b, open));
        std::vector<uint32_t> hit, rest;
        const uint8_t* v = cond.values<uint8_t>();
        for (size_t k = 0; k < open.size(); ++k) {
          if (!cond.IsNull(k) && v[k]) hit.push_back(open[k]);
          else rest.push_back(open[k]);
        }
        if (!hit.empty()) {
          WH_ASSIGN_OR_RETURN(Column val, EvaluateOn(*e.args[2 * p + 1], b, hit));
          WH_ASSIGN_OR_RETURN(val, CastColumn(val, e.type));
          Scatter(val, hit, &pieces, &source, &index, static_cast<int>(pieces.size()));
        }
        open = std::move(rest);
      }
      if (e.has_else && !open.empty()) {
        WH_ASSIGN_OR_RETURN(Column val, EvaluateOn(*e.args.back(), b, open));
        WH_ASSIGN_OR_RETURN(val, CastColumn(val, e.type));
        Scatter(val, open, &pieces, &source, &index, static_cast<int>(pieces.size()));
      }
      return Assemble(e.type, n, pieces, source, index);
    }
    case BExpr::kCoalesce: {
      // Columns and constants of the result's fixed-width type (a FULL JOIN's USING key): each
      // argument fills the rows still NULL with typed selects over the whole batch - no row
      // lists, nothing to assemble. (Nothing here can fail, so evaluating every argument on
      // every row is safe.)
      bool simple = e.type.physical() != PhysicalType::kString;
      for (const auto& arg : e.args)
        simple = simple && (arg->kind == BExpr::kColumn || arg->kind == BExpr::kLiteral) && arg->type == e.type;
      if (simple) {
        Column out(e.type);
        uint8_t* o = out.ResizeFixed(n);
        std::vector<uint8_t> valid(n, 0), mask(n);
        for (const auto& arg : e.args) {
          if (arg->kind == BExpr::kLiteral && arg->value.null) continue;
          const bool constant = arg->kind == BExpr::kLiteral;
          Column one;
          if (constant) one = ConstantColumn(arg->value, 1);
          const Column& c = constant ? one : b.columns[arg->column];
          const uint8_t* cv = !constant && c.has_nulls() ? c.validity().data() : nullptr;
          if (cv) {
            for (size_t i = 0; i < n; ++i) mask[i] = (valid[i] ^ 1) & cv[i];
          } else {
            for (size_t i = 0; i < n; ++i) mask[i] = valid[i] ^ 1;
          }
          switch (e.type.width()) {
            case 1: Select(c.values<uint8_t>(), constant, mask.data(), n, o); break;
            case 4: Select(c.values<uint32_t>(), constant, mask.data(), n, reinterpret_cast<uint32_t*>(o)); break;
            case 8: Select(c.values<uint64_t>(), constant, mask.data(), n, reinterpret_cast<uint64_t*>(o)); break;
            default: Select(c.values<uint128>(), constant, mask.data(), n, reinterpret_cast<uint128*>(o)); break;
          }
          for (size_t i = 0; i < n; ++i) valid[i] |= mask[i];
        }
        uint8_t all = 1;
        for (size_t i = 0; i < n; ++i) all &= valid[i];
        if (!all) out.SetValidity(std::move(valid));
        return out;
      }
      std::vector<Column> pieces;
      std::vector<int> source(n, -1);
      std::vector<uint32_t> index(n, 0);
      std::vector<uint32_t> open(n);
      std::iota(open.begin(), open.end(), 0u);
      for (const auto& arg : e.args) {
        if (open.empty()) break;
        WH_ASSIGN_OR_RETURN(Column val, EvaluateOn(*arg, b, open));
        if (!(val.type() == e.type)) {
          WH_ASSIGN_OR_RETURN(val, CastColumn(val, e.type));
        }
        std::vector<uint32_t> rest;
        int piece = static_cast<int>(pieces.size());
        for (size_t k = 0; k < open.size(); ++k) {
          if (val.IsNull(k)) {
            rest.push_back(open[k]);
          } else {
            source[open[k]] = piece;
            index[open[k]] = static_cast<uint32_t>(k);
          }
        }
        pieces.push_back(std::move(val));
        open = std::move(rest);
      }
      return Assemble(e.type, n, pieces, source, index);
    }
    case BExpr::kLeast:
    case BExpr::kGreatest: {
      std::vector<Column> vals;
      for (const auto& arg : e.args) {
        WH_ASSIGN_OR_RETURN(Column v, Evaluate(*arg, b));
        if (!(v.type() == e.type)) {
          WH_ASSIGN_OR_RETURN(v, CastColumn(v, e.type));
        }
        vals.push_back(std::move(v));
      }
      std::vector<int> source(n, -1);
      std::vector<uint32_t> index(n);
      std::iota(index.begin(), index.end(), 0u);
      const bool least = e.kind == BExpr::kLeast;
      for (size_t k = 0; k < vals.size(); ++k) {
        const Column& v = vals[k];
        for (size_t i = 0; i < n; ++i) {
          if (v.IsNull(i)) continue;
          if (source[i] < 0) {
            source[i] = static_cast<int>(k);
            continue;
          }
          const Column& cur = vals[source[i]];
          int c;
          switch (e.type.physical()) {
            case PhysicalType::kDouble: {
              double x = v.Get<double>(i), y = cur.Get<double>(i);
              c = x < y ? -1 : x > y ? 1 : 0;
              break;
            }
            case PhysicalType::kString: c = v.GetString(i).compare(cur.GetString(i)); break;
            default: {
              int128 x = IntegerAt(v, i), y = IntegerAt(cur, i);
              c = x < y ? -1 : x > y ? 1 : 0;
            }
          }
          if (least ? c < 0 : c > 0) source[i] = static_cast<int>(k);
        }
      }
      return Assemble(e.type, n, vals, source, index);
    }
    case BExpr::kAddInterval: {
      WH_ASSIGN_OR_RETURN(ColumnHolder x_h, EvaluateView(*e.args[0], b));
      const Column& x = x_h.get();
      Column out(e.type);
      uint8_t* base = out.ResizeFixed(n);
      const bool from_date = x.type().id == TypeId::kDate;
      if (e.months == 0) {  // a fixed shift: one add per row
        if (e.type.id == TypeId::kDate) {
          const int32_t days = static_cast<int32_t>(e.micros / kMicrosPerDay);
          const int32_t* in = x.values<int32_t>();
          int32_t* o = reinterpret_cast<int32_t*>(base);
          for (size_t i = 0; i < n; ++i) o[i] = in[i] + days;
        } else if (from_date) {
          const int32_t* in = x.values<int32_t>();
          int64_t* o = reinterpret_cast<int64_t*>(base);
          for (size_t i = 0; i < n; ++i) o[i] = static_cast<int64_t>(in[i]) * kMicrosPerDay + e.micros;
        } else {
          const int64_t* in = x.values<int64_t>();
          int64_t* o = reinterpret_cast<int64_t*>(base);
          for (size_t i = 0; i < n; ++i) o[i] = in[i] + e.micros;
        }
        out.SetValidity(x.validity());
        return out;
      }
      for (size_t i = 0; i < n; ++i) {
        if (x.IsNull(i)) continue;
        if (e.type.id == TypeId::kDate) {
          int32_t d = AddMonthsToDate(x.Get<int32_t>(i), e.months);
          reinterpret_cast<int32_t*>(base)[i] = d + static_cast<int32_t>(e.micros / kMicrosPerDay);
        } else {
          int64_t t = from_date ? static_cast<int64_t>(x.Get<int32_t>(i)) * kMicrosPerDay : x.Get<int64_t>(i);
          reinterpret_cast<int64_t*>(base)[i] = AddMonthsToTimestamp(t, e.months) + e.micros;
        }
      }
      out.SetValidity(x.validity());
      return out;
    }
    case BExpr::kFunction: return EvaluateFunction(e, b);
    case BExpr::kSubquery: return Status::Internal("a subquery was not planned as a join");
  }
  return Status::Internal("unknown expression kind");
}

// ---------------------------------------------------------------------------------------------
// Scalar functions: the catalog's kernels (query/function/).

namespace {

Result<Column> EvaluateFunction(const BExpr& e, const Batch& b) {
  if (!e.fn || !e.fn->kernel) return Status::Internal("function " + e.op + " has no kernel");
  std::vector<Column> a;
  a.reserve(e.args.size());
  for (const auto& arg : e.args) {
    WH_ASSIGN_OR_RETURN(Column c, Evaluate(*arg, b));
    a.push_back(std::move(c));
  }
  Column out(e.type);
  WH_RETURN_IF_ERROR(e.fn->kernel(e, a, b.rows, &out));
  return out;
}

}  // namespace

}  // namespace wh
