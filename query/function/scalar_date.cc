// Date and time functions: parts, truncation, differences, day arithmetic, conversions.
#include <cmath>

#include "engine/engine.h"
#include "format/date_format.h"
#include "query/typing.h"
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
    if (part && e.type.id == TypeId::kDouble)  // epoch: seconds with their fraction, as DuckDB
      reinterpret_cast<double*>(base)[i] = static_cast<double>(FloorDiv(t, kMicrosPerSecond)) +
                                           static_cast<double>(t - FloorDiv(t, kMicrosPerSecond) * kMicrosPerSecond) / 1e6;
    else if (part) reinterpret_cast<int64_t*>(base)[i] = v;
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

// A date pattern argument: compiled once when it is a constant (the bind step's state), else
// per row (cached while it stays the same). `java`: Spark's spelling (yyyy-MM-dd).
struct PreparedFormat {
  DateFormat format;
};
class Formats {
 public:
  Formats(const BExpr& e, const std::vector<Column>& a, size_t arg, bool java)
      : prepared_(static_cast<const PreparedFormat*>(e.state.get())), a_(a), arg_(arg), java_(java) {}
  Result<const DateFormat*> At(size_t i) {
    if (prepared_) return &prepared_->format;
    if (arg_ >= a_.size()) {
      if (!current_) {
        WH_ASSIGN_OR_RETURN(DateFormat f, DateFormat::Compile("yyyy-MM-dd HH:mm:ss", true));
        current_ = std::make_unique<DateFormat>(std::move(f));
      }
      return current_.get();
    }
    std::string_view p = a_[arg_].GetString(i);
    if (!current_ || p != text_) {
      auto f = DateFormat::Compile(p, java_);
      if (!f.ok()) return Status::InvalidArgument("format '" + std::string(p) + "': " + f.status().message());
      current_ = std::make_unique<DateFormat>(std::move(*f));
      text_ = std::string(p);
    }
    return current_.get();
  }

 private:
  const PreparedFormat* prepared_;
  const std::vector<Column>& a_;
  size_t arg_;
  bool java_;
  std::unique_ptr<DateFormat> current_;
  std::string text_;
};

// Binds f(..., pattern at `arg`, ...): the pattern compiled now when it is a constant.
Result<std::shared_ptr<const void>> PrepareFormat(FunctionCall& c, size_t arg, bool java) {
  if (arg >= c.size()) {
    auto p = std::make_shared<PreparedFormat>();
    WH_ASSIGN_OR_RETURN(p->format, DateFormat::Compile("yyyy-MM-dd HH:mm:ss", true));
    return std::shared_ptr<const void>(p);
  }
  c.args[arg] = Fold(c.args[arg]);
  if (c.args[arg]->kind != BExpr::kLiteral || c.args[arg]->value.null) return std::shared_ptr<const void>();
  auto f = DateFormat::Compile(c.args[arg]->value.s, java);
  if (!f.ok()) return c.ErrorAt(arg, "format '" + c.args[arg]->value.s + "': " + f.status().message());
  auto p = std::make_shared<PreparedFormat>();
  p->format = std::move(*f);
  return std::shared_ptr<const void>(p);
}

// STRFTIME(t, fmt), DATE_FORMAT(t, javafmt), FROM_UNIXTIME(seconds [, javafmt]).
Status FormatKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool unix = e.op == "FROM_UNIXTIME";
  Formats formats(e, a, 1, e.op != "STRFTIME");
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) -> Status {
    WH_ASSIGN_OR_RETURN(const DateFormat* f, formats.At(i));
    int64_t t;
    if (unix) {
      const int64_t secs = a[0].Get<int64_t>(i);
      if (__builtin_mul_overflow(secs, kMicrosPerSecond, &t)) return Status::InvalidArgument("FROM_UNIXTIME: out of range");
    } else {
      t = AsMicros(a[0], i);
    }
    f->Format(t, s);
    return Status::OK();
  });
}

// STRPTIME(s, fmt) / TRY_STRPTIME, TO_TIMESTAMP(s, javafmt), TO_DATE(s, javafmt),
// UNIX_TIMESTAMP(s [, javafmt]).
Status ParseKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool strict = e.op == "STRPTIME";
  Formats formats(e, a, 1, e.op != "STRPTIME" && e.op != "TRY_STRPTIME");
  const bool date = e.type.id == TypeId::kDate, seconds = e.op == "UNIX_TIMESTAMP_OF";
  std::vector<uint8_t> valid = ValidRows(a, n);
  uint8_t* base = out->ResizeFixed(n);
  for (size_t i = 0; i < n; ++i) {
    if (!IsValid(valid, i)) continue;
    WH_ASSIGN_OR_RETURN(const DateFormat* f, formats.At(i));
    auto t = f->Parse(a[0].GetString(i));
    if (!t.ok()) {
      if (strict)
        return Status::InvalidArgument("cannot read '" + std::string(a[0].GetString(i)) + "' with format '" +
                                       (a.size() > 1 ? std::string(a[1].GetString(i)) : std::string()) + "': " +
                                       t.status().message());
      if (valid.empty()) valid.assign(n, 1);
      valid[i] = 0;  // Spark's TO_DATE / TO_TIMESTAMP and TRY_STRPTIME: NULL
      continue;
    }
    if (date) reinterpret_cast<int32_t*>(base)[i] = TimestampToDate(*t);
    else if (seconds) reinterpret_cast<int64_t*>(base)[i] = FloorDiv(*t, kMicrosPerSecond);
    else reinterpret_cast<int64_t*>(base)[i] = *t;
  }
  out->SetValidity(std::move(valid));
  return Status::OK();
}

Result<BExprPtr> BindFormat(FunctionCall& c, const ScalarFunction& f) {
  const bool unix = f.name == "FROM_UNIXTIME";
  WH_RETURN_IF_ERROR(c.Arity(unix ? 1 : 2, 2));
  if (unix) {
    if (c.type(0).id == TypeId::kDouble || c.type(0).id == TypeId::kDecimal) {
      c.args[0] = MakeCast(c.args[0], DataType::Int64());  // whole seconds (Spark drops the fraction)
    }
    WH_RETURN_IF_ERROR(c.ToInteger(0));
  } else {
    WH_RETURN_IF_ERROR(c.ToTemporal(0));
  }
  if (c.size() > 1) WH_RETURN_IF_ERROR(c.ToString(1));
  WH_ASSIGN_OR_RETURN(auto state, PrepareFormat(c, 1, f.name != "STRFTIME"));
  return c.Make(f, DataType::String(), state);
}

Result<BExprPtr> BindParse(FunctionCall& c, const ScalarFunction& f, DataType result, bool java, size_t lo) {
  WH_RETURN_IF_ERROR(c.Arity(lo, 2));
  WH_RETURN_IF_ERROR(c.ToString(0));
  if (c.size() > 1) WH_RETURN_IF_ERROR(c.ToString(1));
  WH_ASSIGN_OR_RETURN(auto state, PrepareFormat(c, 1, java));
  return c.Make(f, result, true, state);
}

Status EpochMsKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  if (e.type.id == TypeId::kInt64)  // EPOCH_MS(t): milliseconds of a timestamp
    return FixedRows<int64_t>(a, n, out, [&](size_t i, int64_t* v, bool*) {
      *v = FloorDiv(AsMicros(a[0], i), 1000);
      return Status::OK();
    });
  // TIMESTAMP from a number of seconds, milliseconds or microseconds.
  const int64_t unit = e.op == "TIMESTAMP_SECONDS" ? kMicrosPerSecond : e.op == "TIMESTAMP_MICROS" ? 1 : 1000;
  return FixedRows<int64_t>(a, n, out, [&](size_t i, int64_t* v, bool*) -> Status {
    if (__builtin_mul_overflow(a[0].Get<int64_t>(i), unit, v))
      return Status::InvalidArgument(e.op + "(" + std::to_string(a[0].Get<int64_t>(i)) + ") is out of range");
    return Status::OK();
  });
}

Status MakeDateKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool ts = e.type.id == TypeId::kTimestamp;
  std::vector<uint8_t> valid = ValidRows(a, n);
  uint8_t* base = out->ResizeFixed(n);
  for (size_t i = 0; i < n; ++i) {
    if (!IsValid(valid, i)) continue;
    const int64_t y = a[0].Get<int64_t>(i), m = a[1].Get<int64_t>(i), d = a[2].Get<int64_t>(i);
    if (y < 1 || y > 9999 || !IsCivilDate(y, m, d))
      return Status::InvalidArgument("no such date: " + std::to_string(y) + "-" + std::to_string(m) + "-" + std::to_string(d));
    const int32_t day = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    if (!ts) {
      reinterpret_cast<int32_t*>(base)[i] = day;
      continue;
    }
    const int64_t h = a[3].Get<int64_t>(i), mi = a[4].Get<int64_t>(i);
    const double sec = a[5].Get<double>(i);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || !(sec >= 0 && sec < 60))
      return Status::InvalidArgument("no such time of day: " + std::to_string(h) + ":" + std::to_string(mi) + ":" + std::to_string(sec));
    reinterpret_cast<int64_t*>(base)[i] = day * kMicrosPerDay + (h * 3600 + mi * 60) * kMicrosPerSecond +
                                          static_cast<int64_t>(std::llround(sec * 1e6));
  }
  out->SetValidity(std::move(valid));
  return Status::OK();
}

// LAST_DAY(t) -> DATE; ADD_MONTHS(d, n) -> DATE (Spark: the day clamped to the month's last).
Status MonthKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool last = e.op == "LAST_DAY";
  return FixedRows<int32_t>(a, n, out, [&](size_t i, int32_t* v, bool*) -> Status {
    const int32_t day = TimestampToDate(AsMicros(a[0], i));
    if (last) {
      int64_t y;
      unsigned m, d;
      CivilFromDays(day, &y, &m, &d);
      *v = AddMonthsToDate(DaysFromCivil(y, m, 1), 1) - 1;
    } else {
      const int64_t months = a[1].Get<int64_t>(i);
      if (months > 120000 || months < -120000)
        return Status::InvalidArgument("ADD_MONTHS: " + std::to_string(months) + " months is out of range");
      *v = AddMonthsToDate(day, months);
    }
    return Status::OK();
  });
}

// MONTHS_BETWEEN(a, b) (Spark): whole months when both are the same day of the month or both
// the last day of theirs, else the difference in days / 31 added, rounded to 8 digits.
Status MonthsBetweenKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return FixedRows<double>(a, n, out, [&](size_t i, double* v, bool*) {
    const int64_t t1 = AsMicros(a[0], i), t2 = AsMicros(a[1], i);
    const int32_t d1 = TimestampToDate(t1), d2 = TimestampToDate(t2);
    int64_t y1, y2;
    unsigned m1, m2, dd1, dd2;
    CivilFromDays(d1, &y1, &m1, &dd1);
    CivilFromDays(d2, &y2, &m2, &dd2);
    const int64_t months = (y1 * 12 + m1) - (y2 * 12 + m2);
    const bool last1 = AddMonthsToDate(DaysFromCivil(y1, m1, 1), 1) - 1 == d1;
    const bool last2 = AddMonthsToDate(DaysFromCivil(y2, m2, 1), 1) - 1 == d2;
    if (dd1 == dd2 || (last1 && last2)) {
      *v = static_cast<double>(months);
      return Status::OK();
    }
    const double secs1 = static_cast<double>(dd1) * 86400 + static_cast<double>(t1 - int64_t{d1} * kMicrosPerDay) / 1e6;
    const double secs2 = static_cast<double>(dd2) * 86400 + static_cast<double>(t2 - int64_t{d2} * kMicrosPerDay) / 1e6;
    const double r = static_cast<double>(months) + (secs1 - secs2) / (31.0 * 86400);
    *v = std::round(r * 1e8) / 1e8;
    return Status::OK();
  });
}

Status NameKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  auto f = DateFormat::Compile(e.op == "DAYNAME" ? "%A" : "%B", false);
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) {
    f->Format(AsMicros(a[0], i), s);
    return Status::OK();
  });
}

}  // namespace

void RegisterDateFunctions(FunctionRegistry* r) {
  r->Add({"DATE_PART", {"DATEPART"}, "(part STRING, t DATE|TIMESTAMP) -> BIGINT (DOUBLE for epoch)",
          "a field of t: year, quarter, month, day, hour, minute, second, dayofweek (0 = Sunday), isodow, "
          "dayofyear, week (ISO), epoch (seconds since 1970-01-01 with their fraction); also EXTRACT(part FROM t)",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(2, 2));
            WH_RETURN_IF_ERROR(UnitArg(c, 0));
            WH_RETURN_IF_ERROR(c.ToTemporal(1));
            WH_ASSIGN_OR_RETURN(Value unit, c.Constant(0, "unit"));
            const bool epoch = !unit.null && (ToLower(unit.s) == "epoch" || ToLower(unit.s) == "epochs");
            return c.Make(f, epoch ? DataType::Double() : DataType::Int64());
          },
          DatePartKernel});
  static const std::pair<const char*, const char*> kParts[] = {
      {"YEAR", "year"},     {"MONTH", "month"},         {"DAY", "day"},           {"DAYOFMONTH", "day"},
      {"HOUR", "hour"},     {"MINUTE", "minute"},       {"SECOND", "second"},     {"QUARTER", "quarter"},
      {"DAYOFWEEK", "dayofweek"}, {"DAYOFYEAR", "dayofyear"}, {"WEEKOFYEAR", "week"}, {"WEEK", "week"},
      {"EPOCH", "epoch"},   {"ISODOW", "isodow"}};
  for (const auto& [name, part] : kParts) {
    const std::string p = part;
    r->Add({name, {}, p == "epoch" ? "(t DATE|TIMESTAMP) -> DOUBLE" : "(t DATE|TIMESTAMP) -> BIGINT",
            "DATE_PART('" + p + "', t)",
            [p](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
              WH_RETURN_IF_ERROR(c.Arity(1, 1));
              WH_RETURN_IF_ERROR(c.ToTemporal(0));
              c.args.insert(c.args.begin(), MakeLiteral(Value::String(p)));
              return c.Make(Fn("DATE_PART"), p == "epoch" ? DataType::Double() : DataType::Int64());
            }});
  }
  r->Add({"UNIX_TIMESTAMP", {}, "(t DATE|TIMESTAMP) -> BIGINT; (s STRING [, pattern STRING]) -> BIGINT",
          "Spark's: seconds since 1970-01-01 of t, or of s read with the pattern (default yyyy-MM-dd HH:mm:ss; "
          "NULL when it does not match)",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 2));
            if (c.size() == 1 && c.type(0).id != TypeId::kString) {
              WH_RETURN_IF_ERROR(c.ToTemporal(0));
              c.args.insert(c.args.begin(), MakeLiteral(Value::String("epoch")));
              return c.Make(Fn("DATE_PART"), DataType::Int64());
            }
            return BindParse(c, Fn("UNIX_TIMESTAMP_OF"), DataType::Int64(), true, 1);
          }});
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
              if (days->null) return MakeLiteral(Value::Null(c.type(0)));
              const int64_t n = static_cast<int64_t>(days->i);
              if (n > 3660000 || n < -3660000) return c.ErrorAt(1, c.name() + ": " + std::to_string(n) + " days is out of range");
              auto node = MakeNode(BExpr::kAddInterval, c.type(0), {c.args[0]});
              node->micros = (sub ? -n : n) * kMicrosPerDay;
              return Fold(node);
            }});
  }
  r->Add({"TO_DATE", {"DATE"}, "(x) -> DATE; (s STRING, pattern STRING) -> DATE",
          "CAST(x AS DATE); with a Spark pattern (yyyy-MM-dd), s read with it (NULL when it does not match)",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 2));
            if (c.size() == 2) return BindParse(c, Fn("TO_DATE_FORMAT"), DataType::Date(), true, 2);
            if (!CanCast(c.type(0), DataType::Date())) return c.Error("cannot convert " + c.type(0).ToString() + " to DATE");
            return Fold(MakeCast(c.args[0], DataType::Date()));
          }});
  r->Add({"TO_TIMESTAMP", {}, "(x) -> TIMESTAMP; (s STRING, pattern STRING) -> TIMESTAMP",
          "CAST(x AS TIMESTAMP); with a Spark pattern, s read with it (NULL when it does not match)",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 2));
            if (c.size() == 2) return BindParse(c, Fn("TO_TIMESTAMP_FORMAT"), DataType::Timestamp(), true, 2);
            if (!CanCast(c.type(0), DataType::Timestamp()))
              return c.Error("cannot convert " + c.type(0).ToString() + " to TIMESTAMP");
            return Fold(MakeCast(c.args[0], DataType::Timestamp()));
          }});
  r->Add({"STRFTIME", {}, "(t DATE|TIMESTAMP, format STRING) -> STRING",
          "t written with a strftime pattern (%Y-%m-%d %H:%M:%S, %f microseconds, %b month, %a weekday, ...)",
          BindFormat, FormatKernel});
  r->Add({"DATE_FORMAT", {}, "(t DATE|TIMESTAMP, pattern STRING) -> STRING",
          "t written with a Spark (Java) pattern: yyyy-MM-dd HH:mm:ss, SSS, MMM, EEE, a, 'text'", BindFormat,
          FormatKernel});
  r->Add({"FROM_UNIXTIME", {}, "(seconds BIGINT [, pattern STRING]) -> STRING",
          "Spark's: seconds since 1970-01-01 (UTC) written as yyyy-MM-dd HH:mm:ss or the pattern", BindFormat,
          FormatKernel});
  r->Add({"STRPTIME", {}, "(s STRING, format STRING) -> TIMESTAMP",
          "s read with a strftime pattern; an error when it does not match",
          [](FunctionCall& c, const ScalarFunction& f) { return BindParse(c, f, DataType::Timestamp(), false, 2); },
          ParseKernel});
  r->Add({"TRY_STRPTIME", {}, "(s STRING, format STRING) -> TIMESTAMP", "STRPTIME, or NULL when s does not match",
          [](FunctionCall& c, const ScalarFunction& f) { return BindParse(c, f, DataType::Timestamp(), false, 2); },
          ParseKernel});
  r->Add({"TO_TIMESTAMP_FORMAT", {}, "(s STRING, pattern STRING) -> TIMESTAMP", "", nullptr, ParseKernel, true});
  r->Add({"TO_DATE_FORMAT", {}, "(s STRING, pattern STRING) -> DATE", "", nullptr, ParseKernel, true});
  r->Add({"UNIX_TIMESTAMP_OF", {}, "(s STRING, pattern STRING) -> BIGINT", "", nullptr, ParseKernel, true});
  r->Add({"EPOCH_MS", {}, "(ms BIGINT) -> TIMESTAMP; (t TIMESTAMP) -> BIGINT",
          "the timestamp ms milliseconds after 1970-01-01, or a timestamp's milliseconds since then",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 1));
            if (IsTemporal(c.type(0))) return c.Make(f, DataType::Int64());
            WH_RETURN_IF_ERROR(c.ToInteger(0));
            return c.Make(f, DataType::Timestamp());
          },
          EpochMsKernel});
  for (const char* name : {"TIMESTAMP_SECONDS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS"})
    r->Add({name, {}, "(n BIGINT) -> TIMESTAMP", "Spark's: the timestamp n seconds / ms / us after 1970-01-01",
            [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
              WH_RETURN_IF_ERROR(c.Arity(1, 1));
              WH_RETURN_IF_ERROR(c.ToInteger(0));
              return c.Make(f, DataType::Timestamp());
            },
            EpochMsKernel});
  r->Add({"MAKE_DATE", {}, "(year, month, day BIGINT) -> DATE", "the date; an error when there is no such date",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(3, 3));
            for (size_t i = 0; i < 3; ++i) WH_RETURN_IF_ERROR(c.ToInteger(i));
            return c.Make(f, DataType::Date());
          },
          MakeDateKernel});
  r->Add({"MAKE_TIMESTAMP", {}, "(year, month, day, hour, minute BIGINT, seconds DOUBLE) -> TIMESTAMP",
          "the timestamp; an error when there is no such date or time",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(6, 6));
            for (size_t i = 0; i < 5; ++i) WH_RETURN_IF_ERROR(c.ToInteger(i));
            WH_RETURN_IF_ERROR(c.ToDouble(5));
            return c.Make(f, DataType::Timestamp());
          },
          MakeDateKernel});
  r->Add({"LAST_DAY", {}, "(t DATE|TIMESTAMP) -> DATE", "the last day of t's month",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 1));
            WH_RETURN_IF_ERROR(c.ToTemporal(0));
            return c.Make(f, DataType::Date());
          },
          MonthKernel});
  r->Add({"ADD_MONTHS", {}, "(d DATE|TIMESTAMP, n BIGINT) -> DATE",
          "Spark's: the date n months after d (the day clamped to the month's last)",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(2, 2));
            WH_RETURN_IF_ERROR(c.ToTemporal(0));
            WH_RETURN_IF_ERROR(c.ToInteger(1));
            return c.Make(f, DataType::Date());
          },
          MonthKernel});
  r->Add({"MONTHS_BETWEEN", {}, "(a, b DATE|TIMESTAMP) -> DOUBLE",
          "Spark's: months from b to a (whole when the days match, else by 31-day months, 8 digits)",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(2, 2));
            WH_RETURN_IF_ERROR(c.ToTemporal(0));
            WH_RETURN_IF_ERROR(c.ToTemporal(1));
            return c.Make(f, DataType::Double());
          },
          MonthsBetweenKernel});
  for (const char* name : {"DAYNAME", "MONTHNAME"})
    r->Add({name, {}, "(t DATE|TIMESTAMP) -> STRING", std::string("the English name of t's ") +
                                                          (std::string(name) == "DAYNAME" ? "weekday" : "month"),
            [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
              WH_RETURN_IF_ERROR(c.Arity(1, 1));
              WH_RETURN_IF_ERROR(c.ToTemporal(0));
              return c.Make(f, DataType::String());
            },
            NameKernel});
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
