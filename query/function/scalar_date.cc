// Date and time functions: parts, truncation, differences, day arithmetic, conversions.
#include "engine/engine.h"
#include "query/binder.h"
#include "query/function/function.h"
#include "query/function/kernel.h"

namespace wh {

namespace {

// Field of a timestamp (micros) for DATE_PART / EXTRACT / YEAR() ...
Result<int64_t> DatePart(const std::string& part, int64_t micros) {
  int32_t day = TimestampToDate(micros);
  int64_t y;
  unsigned m, d;
  CivilFromDays(day, &y, &m, &d);
  int64_t in_day = micros - static_cast<int64_t>(day) * kMicrosPerDay;
  if (part == "year") return y;
  if (part == "quarter") return (m - 1) / 3 + 1;
  if (part == "month") return m;
  if (part == "day") return d;
  if (part == "hour") return in_day / (3600 * kMicrosPerSecond);
  if (part == "minute") return in_day / (60 * kMicrosPerSecond) % 60;
  if (part == "second") return in_day / kMicrosPerSecond % 60;
  if (part == "dayofweek" || part == "dow") return ((day % 7) + 11) % 7;  // 0 = Sunday
  if (part == "isodow") return ((day % 7) + 10) % 7 + 1;                 // 1 = Monday
  if (part == "dayofyear" || part == "doy") return day - DaysFromCivil(y, 1, 1) + 1;
  if (part == "week") {  // ISO week number
    int64_t wd = ((day % 7) + 10) % 7;  // 0 = Monday
    int32_t thursday = static_cast<int32_t>(day - wd + 3);
    int64_t ty;
    unsigned tm, td;
    CivilFromDays(thursday, &ty, &tm, &td);
    return (thursday - DaysFromCivil(ty, 1, 1)) / 7 + 1;
  }
  if (part == "epoch") return FloorDiv(micros, kMicrosPerSecond);
  return Status::InvalidArgument("unknown date part '" + part + "'");
}

Result<int64_t> DateTrunc(const std::string& unit, int64_t micros) {
  int32_t day = TimestampToDate(micros);
  int64_t y;
  unsigned m, d;
  CivilFromDays(day, &y, &m, &d);
  if (unit == "year") return static_cast<int64_t>(DaysFromCivil(y, 1, 1)) * kMicrosPerDay;
  if (unit == "quarter") return static_cast<int64_t>(DaysFromCivil(y, (m - 1) / 3 * 3 + 1, 1)) * kMicrosPerDay;
  if (unit == "month") return static_cast<int64_t>(DaysFromCivil(y, m, 1)) * kMicrosPerDay;
  if (unit == "week") {
    int64_t wd = ((day % 7) + 10) % 7;  // days since Monday
    return (day - wd) * kMicrosPerDay;
  }
  if (unit == "day") return static_cast<int64_t>(day) * kMicrosPerDay;
  if (unit == "hour") return FloorDiv(micros, 3600 * kMicrosPerSecond) * 3600 * kMicrosPerSecond;
  if (unit == "minute") return FloorDiv(micros, 60 * kMicrosPerSecond) * 60 * kMicrosPerSecond;
  if (unit == "second") return FloorDiv(micros, kMicrosPerSecond) * kMicrosPerSecond;
  return Status::InvalidArgument("unknown DATE_TRUNC unit '" + unit + "'");
}

// The unit of DATE_PART / DATE_TRUNC / DATE_DIFF: a constant string (the binder insists), read
// once per batch, in lower case, plural 's' dropped.
std::string UnitOf(const Column& units) {
  if (units.size() == 0 || units.IsNull(0)) return "";
  std::string unit(units.GetString(0));
  for (auto& ch : unit) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
  return unit;
}

Status DatePartKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  // args[0]: the unit (constant string), args[1]: DATE or TIMESTAMP.
  const bool part = e.op == "DATE_PART";
  const std::string unit = UnitOf(a[0]);
  // Units of a day or more give the same answer for every time of one day, and rows come in
  // runs of one day (a partition per day): such a value is computed once per run.
  const bool by_day = unit != "hour" && unit != "minute" && unit != "second" && unit != "epoch";
  int64_t last_day = INT64_MIN, last = 0;
  std::vector<uint8_t> valid = ValidRows(a, n);
  uint8_t* base = out->ResizeFixed(n);
  for (size_t i = 0; i < n; ++i) {
    if (!IsValid(valid, i)) continue;
    int64_t t = AsMicros(a[1], i);
    int64_t v;
    int64_t day = by_day ? TimestampToDate(t) : 0;
    if (by_day && day == last_day) {
      v = last;
    } else if (part) {
      WH_ASSIGN_OR_RETURN(v, DatePart(unit, t));
    } else {
      WH_ASSIGN_OR_RETURN(v, DateTrunc(unit, t));
    }
    if (by_day) {
      last_day = day;
      last = v;
    }
    if (part) reinterpret_cast<int64_t*>(base)[i] = v;
    else if (e.type.id == TypeId::kDate) reinterpret_cast<int32_t*>(base)[i] = TimestampToDate(v);
    else reinterpret_cast<int64_t*>(base)[i] = v;
  }
  out->SetValidity(std::move(valid));
  return Status::OK();
}

// DATE_DIFF(unit, start, end): the number of unit boundaries crossed.
Status DateDiffKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  const std::string unit = UnitOf(a[0]);
  return FixedRows<int64_t>(a, n, out, [&](size_t i, int64_t* v, bool*) -> Status {
    int64_t s = AsMicros(a[1], i), t = AsMicros(a[2], i);
    if (unit == "day") {
      *v = TimestampToDate(t) - TimestampToDate(s);
    } else if (unit == "week") {
      *v = (TimestampToDate(t) - TimestampToDate(s)) / 7;
    } else if (unit == "month" || unit == "year" || unit == "quarter") {
      int64_t y1, y2;
      unsigned m1, m2, d1, d2;
      CivilFromDays(TimestampToDate(s), &y1, &m1, &d1);
      CivilFromDays(TimestampToDate(t), &y2, &m2, &d2);
      *v = unit == "year" ? y2 - y1 : unit == "quarter" ? (y2 * 4 + (m2 - 1) / 3) - (y1 * 4 + (m1 - 1) / 3)
                                                         : (y2 * 12 + m2) - (y1 * 12 + m1);
    } else if (unit == "hour" || unit == "minute" || unit == "second" || unit == "millisecond" ||
               unit == "microsecond") {
      int64_t u = unit == "hour" ? 3600 * kMicrosPerSecond : unit == "minute" ? 60 * kMicrosPerSecond
                  : unit == "second" ? kMicrosPerSecond : unit == "millisecond" ? 1000 : 1;
      *v = FloorDiv(t, u) - FloorDiv(s, u);
    } else {
      return Status::InvalidArgument("unknown DATEDIFF unit '" + unit + "'");
    }
    return Status::OK();
  });
}

// A constant unit string such as 'day' (argument i).
Status UnitArg(FunctionCall& c, size_t i) {
  auto v = c.Constant(i, "unit string such as 'day' or 'month'");
  if (!v.ok() || c.type(i).id != TypeId::kString)
    return c.ErrorAt(i, c.name() + " needs a unit string such as 'day' or 'month'");
  return Status::OK();
}

const ScalarFunction& Fn(const char* name) { return *FindScalarFunction(name); }

}  // namespace

void RegisterDateFunctions(FunctionRegistry* r) {
  r->Add({"DATE_PART", {"DATEPART"}, "(part STRING, t DATE|TIMESTAMP) -> BIGINT",
          "a field of t: year, quarter, month, day, hour, minute, second, dayofweek (0 = Sunday), isodow, "
          "dayofyear, week (ISO), epoch; also EXTRACT(part FROM t)",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(2, 2));
            WH_RETURN_IF_ERROR(UnitArg(c, 0));
            WH_RETURN_IF_ERROR(c.ToTemporal(1));
            return c.Make(f, DataType::Int64());
          },
          DatePartKernel});
  static const std::pair<const char*, const char*> kParts[] = {
      {"YEAR", "year"},     {"MONTH", "month"},         {"DAY", "day"},           {"DAYOFMONTH", "day"},
      {"HOUR", "hour"},     {"MINUTE", "minute"},       {"SECOND", "second"},     {"QUARTER", "quarter"},
      {"DAYOFWEEK", "dayofweek"}, {"DAYOFYEAR", "dayofyear"}, {"WEEKOFYEAR", "week"}, {"WEEK", "week"},
      {"EPOCH", "epoch"},   {"UNIX_TIMESTAMP", "epoch"}, {"ISODOW", "isodow"}};
  for (const auto& [name, part] : kParts) {
    const std::string p = part;
    r->Add({name, {}, "(t DATE|TIMESTAMP) -> BIGINT", "DATE_PART('" + p + "', t)",
            [p](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
              WH_RETURN_IF_ERROR(c.Arity(1, 1));
              WH_RETURN_IF_ERROR(c.ToTemporal(0));
              c.args.insert(c.args.begin(), MakeLiteral(Value::String(p)));
              return c.Make(Fn("DATE_PART"), DataType::Int64());
            }});
  }
  r->Add({"DATE_TRUNC", {"DATETRUNC"}, "(unit STRING, t DATE|TIMESTAMP) -> TIMESTAMP",
          "t truncated to the start of its year, quarter, month, week (Monday), day, hour, minute or second, "
          "as a TIMESTAMP (also for a DATE, as in DuckDB and Spark)",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(2, 2));
            WH_RETURN_IF_ERROR(UnitArg(c, 0));
            WH_RETURN_IF_ERROR(c.ToTemporal(1));
            return c.Make(f, DataType::Timestamp());
          },
          DatePartKernel});
  r->Add({"DATE_DIFF", {"DATEDIFF"}, "(unit STRING, start, end) -> BIGINT; DATEDIFF(end, start) -> days",
          "the number of unit boundaries between start and end; Spark's two-argument DATEDIFF counts days",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(2, 3));
            if (c.size() == 2) {  // Spark: DATEDIFF(end, start) in days
              WH_RETURN_IF_ERROR(c.ToTemporal(0));
              WH_RETURN_IF_ERROR(c.ToTemporal(1));
              c.args = {MakeLiteral(Value::String("day")), c.args[1], c.args[0]};
              return c.Make(f, DataType::Int64());
            }
            WH_RETURN_IF_ERROR(UnitArg(c, 0));
            WH_RETURN_IF_ERROR(c.ToTemporal(1));
            WH_RETURN_IF_ERROR(c.ToTemporal(2));
            return c.Make(f, DataType::Int64());
          },
          DateDiffKernel});
  for (const char* name : {"DATE_ADD", "DATE_SUB"}) {
    const bool sub = std::string(name) == "DATE_SUB";
    r->Add({name, {}, "(t DATE|TIMESTAMP, days BIGINT constant) -> type of t",
            sub ? "t minus a number of days" : "t plus a number of days",
            [sub](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
              WH_RETURN_IF_ERROR(c.Arity(2, 2));
              WH_RETURN_IF_ERROR(c.ToTemporal(0));
              auto days = c.Constant(1, "number of days");
              if (!days.ok() || !IsIntegral(c.type(1))) return c.ErrorAt(1, c.name() + " needs a constant number of days");
              int64_t n = days->null ? 0 : static_cast<int64_t>(days->i);
              auto node = MakeNode(BExpr::kAddInterval, c.type(0), {c.args[0]});
              node->micros = (sub ? -n : n) * kMicrosPerDay;
              return Fold(node);
            }});
  }
  r->Add({"TO_DATE", {"DATE"}, "(x) -> DATE", "CAST(x AS DATE)",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 1));
            if (!CanCast(c.type(0), DataType::Date())) return c.Error("cannot convert " + c.type(0).ToString() + " to DATE");
            return Fold(MakeCast(c.args[0], DataType::Date()));
          }});
  r->Add({"TO_TIMESTAMP", {}, "(x) -> TIMESTAMP", "CAST(x AS TIMESTAMP)",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 1));
            if (!CanCast(c.type(0), DataType::Timestamp()))
              return c.Error("cannot convert " + c.type(0).ToString() + " to TIMESTAMP");
            return Fold(MakeCast(c.args[0], DataType::Timestamp()));
          }});
  r->Add({"CURRENT_DATE", {"TODAY"}, "() -> DATE", "today's date (UTC), the same for the whole statement",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(0, 0));
            return MakeLiteral(Value::Int(DataType::Date(), TimestampToDate(NowMicros())));
          }});
  r->Add({"CURRENT_TIMESTAMP", {"NOW"}, "() -> TIMESTAMP", "the current time (UTC)",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(0, 0));
            return MakeLiteral(Value::Int(DataType::Timestamp(), NowMicros()));
          }});
}

}  // namespace wh
