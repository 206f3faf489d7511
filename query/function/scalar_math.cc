// Numeric functions: ABS, SIGN, FLOOR, CEIL, ROUND, TRUNC, MOD, POWER, SQRT, CBRT, EXP, LN,
// LOG, LOG10, LOG2, PI, trigonometry, GCD, LCM. DuckDB's semantics: DOUBLE results print as
// DOUBLE, a logarithm of zero or of a negative number and the square root of a negative number
// are errors, ROUND of a DECIMAL is exact (half away from zero).
#include <cmath>
#include <numeric>

#include "query/typing.h"
#include "query/function/function.h"
#include "query/function/kernel.h"

namespace wh {

namespace {

// DECIMAL(p, s) rounded to `keep` places (keep <= s): one more whole digit may be needed.
DataType RoundedDecimal(const DataType& t, int keep) {
  return DataType::Decimal(std::min(kMaxDecimalPrecision, t.precision - t.scale + keep + 1), keep);
}

Status AbsKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  if (e.type.id == TypeId::kDouble)
    return FixedRows<double>(a, n, out, [&](size_t i, double* v, bool*) {
      *v = std::fabs(a[0].Get<double>(i));
      return Status::OK();
    });
  std::vector<uint8_t> valid = ValidRows(a, n);
  uint8_t* base = out->ResizeFixed(n);
  for (size_t i = 0; i < n; ++i) {
    if (!IsValid(valid, i)) continue;
    int128 v = Abs128(IntegerAt(a[0], i));
    if (!FitsType(v, e.type)) return Status::InvalidArgument("overflow in ABS(" + TextOf(a[0], i) + ")");
    StoreInt(out, base, i, v);
  }
  out->SetValidity(std::move(valid));
  return Status::OK();
}

Status SignKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  const bool dbl = a[0].type().id == TypeId::kDouble;
  return FixedRows<int32_t>(a, n, out, [&](size_t i, int32_t* v, bool*) {
    if (dbl) {
      double x = a[0].Get<double>(i);
      *v = x > 0 ? 1 : x < 0 ? -1 : 0;
    } else {
      int128 x = IntegerAt(a[0], i);
      *v = x > 0 ? 1 : x < 0 ? -1 : 0;
    }
    return Status::OK();
  });
}

// FLOOR, CEIL, ROUND(x [, digits]) and TRUNC(x): digits is a constant (args[1]).
Status RoundKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const std::string& f = e.op;
  int digits = 0;
  if (a.size() > 1 && n > 0 && !a[1].IsNull(0)) digits = static_cast<int>(IntegerAt(a[1], 0));
  if (a[0].type().id == TypeId::kDouble) {
    const double p = std::pow(10.0, std::abs(digits));
    return FixedRows<double>(a, n, out, [&](size_t i, double* v, bool*) {
      const double x = a[0].Get<double>(i);
      if (f == "FLOOR") *v = std::floor(x);
      else if (f == "CEIL") *v = std::ceil(x);
      else if (f == "TRUNC") *v = std::trunc(x);
      else if (digits == 0) *v = std::round(x);
      else if (digits > 0) {
        // As DuckDB: scaled, rounded half away from zero, scaled back; x itself when that
        // overflows.
        const double r = std::round(x * p) / p;
        *v = std::isfinite(r) ? r : x;
      } else {
        const double r = std::round(x / p) * p;
        *v = std::isfinite(r) ? r : 0;
      }
      return Status::OK();
    });
  }
  // Integer-like: exact. ROUND keeps min(digits, scale) places; a negative digits rounds to
  // tens, hundreds ...
  const int s = ScaleOf(a[0].type());
  const int keep = f == "ROUND" ? std::min(digits, s) : 0;
  const int out_scale = ScaleOf(e.type);
  std::vector<uint8_t> valid = ValidRows({a[0]}, n);
  uint8_t* base = out->ResizeFixed(n);
  for (size_t i = 0; i < n; ++i) {
    if (!IsValid(valid, i)) continue;
    const int128 v = IntegerAt(a[0], i);
    int128 res;
    if (s - keep > 38) {
      res = 0;
    } else {
      const int128 f10 = Pow10(s - keep);
      int128 q = v / f10, r = v % f10;
      if (f == "FLOOR" && r < 0) --q;
      if (f == "CEIL" && r > 0) ++q;
      if (f == "ROUND" && Abs128(r) * 2 >= f10) q += v < 0 ? -1 : 1;
      // q counts units of 10^-keep; the result has out_scale places (keep < 0: out_scale 0).
      if (keep >= 0) {
        res = q * Pow10(out_scale - keep);
      } else {
        if (-keep > 38) return Status::InvalidArgument("ROUND: digits " + std::to_string(digits) + " out of range");
        res = q * Pow10(-keep);
      }
    }
    if (!FitsType(res, e.type)) return Status::InvalidArgument("overflow in " + f + "(" + TextOf(a[0], i) + ")");
    StoreInt(out, base, i, res);
  }
  out->SetValidity(std::move(valid));
  return Status::OK();
}

Result<BExprPtr> BindRound(FunctionCall& c, const ScalarFunction& f) {
  const bool round = f.name == "ROUND";
  WH_RETURN_IF_ERROR(c.Arity(1, round ? 2 : 1));
  WH_RETURN_IF_ERROR(c.ToNumber(0));
  int digits = 0;
  if (c.size() > 1) {
    WH_RETURN_IF_ERROR(c.ToInteger(1));
    auto d = c.Constant(1, "number of digits");
    if (!d.ok()) return d.status();
    if (d->null) return MakeLiteral(Value::Null(c.type(0).id == TypeId::kDecimal ? c.type(0) : DataType::Double()));
    if (d->i < -38 || d->i > 38) return c.ErrorAt(1, "ROUND: digits must be between -38 and 38");
    digits = static_cast<int>(d->i);
  }
  const DataType t = c.type(0);
  if (IsIntegral(t)) {
    // DuckDB: FLOOR/CEIL/TRUNC of an integer give a DOUBLE; ROUND keeps the integer type.
    if (!round) {
      WH_RETURN_IF_ERROR(c.ToDouble(0));
      return c.Make(f, DataType::Double());
    }
    if (digits >= 0) return c.args[0];
    return c.Make(f, t);
  }
  if (t.id == TypeId::kDouble) return c.Make(f, t);
  const int keep = std::max(0, std::min(digits, static_cast<int>(t.scale)));
  if (round && digits < 0) return c.Make(f, DataType::Decimal(t.precision, 0));
  return c.Make(f, RoundedDecimal(t, keep));
}

// A DOUBLE function of DOUBLE arguments; `check` refuses arguments out of its domain.
using DoubleFn = double (*)(double);
template <DoubleFn F>
Status UnaryDouble(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool sqrt = e.op == "SQRT", log = e.op == "LN" || e.op == "LOG10" || e.op == "LOG2";
  return FixedRows<double>(a, n, out, [&](size_t i, double* v, bool*) -> Status {
    const double x = a[0].Get<double>(i);
    if (sqrt && x < 0) return Status::InvalidArgument("cannot take square root of a negative number");
    if (log && x == 0) return Status::InvalidArgument("cannot take logarithm of zero");
    if (log && x < 0) return Status::InvalidArgument("cannot take logarithm of a negative number");
    *v = F(x);
    return Status::OK();
  });
}

Status PowerKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return FixedRows<double>(a, n, out, [&](size_t i, double* v, bool*) {
    *v = std::pow(a[0].Get<double>(i), a[1].Get<double>(i));
    return Status::OK();
  });
}

Status Atan2Kernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return FixedRows<double>(a, n, out, [&](size_t i, double* v, bool*) {
    *v = std::atan2(a[0].Get<double>(i), a[1].Get<double>(i));
    return Status::OK();
  });
}

// WIDTH_BUCKET(x, lo, hi, n), Spark's: the bucket of x among n equal-width buckets from lo to
// hi, numbered 1..n; 0 below the first, n + 1 from the last's end on (lo > hi: buckets count
// down; an infinite x is 0 or n + 1). NULL for n <= 0, lo = hi, an infinite bound or a NaN x.
Status WidthBucketKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return FixedRows<int64_t>(a, n, out, [&](size_t i, int64_t* v, bool* null) {
    const double x = a[0].Get<double>(i), lo = a[1].Get<double>(i), hi = a[2].Get<double>(i);
    const int64_t k = a[3].Get<int64_t>(i);
    if (k <= 0 || k == INT64_MAX || lo == hi || std::isnan(x) || !std::isfinite(lo) || !std::isfinite(hi)) {
      *null = true;
      return Status::OK();
    }
    const bool up = lo < hi;
    if (up ? x < lo : x > lo) *v = 0;
    else if (up ? x >= hi : x <= hi) *v = k + 1;
    else *v = static_cast<int64_t>(static_cast<double>(k) * (x - lo) / (hi - lo)) + 1;
    return Status::OK();
  });
}

// LOG(b, x): the logarithm of x in base b.
Status LogBaseKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return FixedRows<double>(a, n, out, [&](size_t i, double* v, bool*) -> Status {
    const double b = a[0].Get<double>(i), x = a[1].Get<double>(i);
    if (b == 0 || x == 0) return Status::InvalidArgument("cannot take logarithm of zero");
    if (b < 0 || x < 0) return Status::InvalidArgument("cannot take logarithm of a negative number");
    *v = std::log(x) / std::log(b);
    return Status::OK();
  });
}

Status GcdKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool lcm = e.op == "LCM";
  return FixedRows<int64_t>(a, n, out, [&](size_t i, int64_t* v, bool*) -> Status {
    const int64_t x = a[0].Get<int64_t>(i), y = a[1].Get<int64_t>(i);
    if (x == INT64_MIN || y == INT64_MIN) return Status::InvalidArgument("overflow in " + e.op);
    const int64_t g = std::gcd(x, y);
    if (!lcm) {
      *v = g;
      return Status::OK();
    }
    if (g == 0) {
      *v = 0;
      return Status::OK();
    }
    int64_t r;
    if (__builtin_mul_overflow(std::abs(x / g), std::abs(y), &r)) return Status::InvalidArgument("overflow in LCM");
    *v = r;
    return Status::OK();
  });
}

double Degrees(double x) { return x * (180.0 / M_PI); }
double Radians(double x) { return x * (M_PI / 180.0); }
double Log10(double x) { return std::log10(x); }
double Log2(double x) { return std::log2(x); }
double Ln(double x) { return std::log(x); }
double Sqrt(double x) { return std::sqrt(x); }
double Cbrt(double x) { return std::cbrt(x); }
double Exp(double x) { return std::exp(x); }
double Sin(double x) { return std::sin(x); }
double Cos(double x) { return std::cos(x); }
double Tan(double x) { return std::tan(x); }
double Asin(double x) { return std::asin(x); }
double Acos(double x) { return std::acos(x); }
double Atan(double x) { return std::atan(x); }

Result<BExprPtr> BindUnaryDouble(FunctionCall& c, const ScalarFunction& f) {
  WH_RETURN_IF_ERROR(c.Arity(1, 1));
  WH_RETURN_IF_ERROR(c.ToDouble(0));
  return c.Make(f, DataType::Double());
}

Result<BExprPtr> BindBinaryDouble(FunctionCall& c, const ScalarFunction& f) {
  WH_RETURN_IF_ERROR(c.Arity(2, 2));
  WH_RETURN_IF_ERROR(c.ToDouble(0));
  WH_RETURN_IF_ERROR(c.ToDouble(1));
  return c.Make(f, DataType::Double());
}

}  // namespace

void RegisterMathFunctions(FunctionRegistry* r) {
  r->Add({"ABS", {}, "(x number) -> type of x", "the absolute value of x",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 1));
            WH_RETURN_IF_ERROR(c.ToNumber(0));
            DataType t = c.type(0).id == TypeId::kInt32 ? DataType::Int64() : c.type(0);
            WH_RETURN_IF_ERROR(c.ToType(0, t));
            return c.Make(f, t);
          },
          AbsKernel});
  r->Add({"SIGN", {}, "(x number) -> INT", "-1, 0 or 1 as x is negative, zero or positive",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 1));
            WH_RETURN_IF_ERROR(c.ToNumber(0));
            return c.Make(f, DataType::Int32());
          },
          SignKernel});
  r->Add({"FLOOR", {}, "(x number) -> DECIMAL(p, 0) or DOUBLE", "the largest whole number <= x", BindRound,
          RoundKernel});
  r->Add({"CEIL", {"CEILING"}, "(x number) -> DECIMAL(p, 0) or DOUBLE", "the smallest whole number >= x",
          BindRound, RoundKernel});
  r->Add({"TRUNC", {}, "(x number) -> DECIMAL(p, 0) or DOUBLE", "x with its fractional part dropped",
          BindRound, RoundKernel});
  r->Add({"ROUND", {}, "(x number [, digits INT constant]) -> type of x",
          "x rounded half away from zero to digits places (negative: to tens, hundreds ...)", BindRound,
          RoundKernel});
  r->Add({"MOD", {}, "(x, y number) -> common type", "x % y: the remainder, with the sign of x",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(2, 2));
            auto e = ArithExpr("%", c.args[0], c.args[1]);
            if (!e.ok()) return c.Error(e.status().message());
            return *e;
          }});
  r->Add({"POWER", {"POW"}, "(x, y DOUBLE) -> DOUBLE", "x raised to the power y", BindBinaryDouble, PowerKernel});
  r->Add({"ATAN2", {}, "(y, x DOUBLE) -> DOUBLE", "the angle of the point (x, y), in radians", BindBinaryDouble,
          Atan2Kernel});
  r->Add({"SQRT", {}, "(x DOUBLE) -> DOUBLE", "the square root of x (an error when x < 0)", BindUnaryDouble,
          UnaryDouble<Sqrt>});
  r->Add({"CBRT", {}, "(x DOUBLE) -> DOUBLE", "the cube root of x", BindUnaryDouble, UnaryDouble<Cbrt>});
  r->Add({"EXP", {}, "(x DOUBLE) -> DOUBLE", "e raised to the power x", BindUnaryDouble, UnaryDouble<Exp>});
  r->Add({"LN", {}, "(x DOUBLE) -> DOUBLE", "the natural logarithm of x (an error when x <= 0)", BindUnaryDouble,
          UnaryDouble<Ln>});
  r->Add({"LOG10", {}, "(x DOUBLE) -> DOUBLE", "the base-10 logarithm of x", BindUnaryDouble, UnaryDouble<Log10>});
  r->Add({"LOG2", {}, "(x DOUBLE) -> DOUBLE", "the base-2 logarithm of x", BindUnaryDouble, UnaryDouble<Log2>});
  r->Add({"LOG", {}, "(x DOUBLE) -> DOUBLE; (base, x DOUBLE) -> DOUBLE",
          "LOG(x) is the base-10 logarithm, as in DuckDB (Spark's LOG(x) is LN); LOG(b, x) the logarithm in base b",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 2));
            if (c.size() == 1) {
              WH_RETURN_IF_ERROR(c.ToDouble(0));
              return c.Make(*FindScalarFunction("LOG10"), DataType::Double());
            }
            return BindBinaryDouble(c, f);
          },
          LogBaseKernel});
  r->Add({"WIDTH_BUCKET", {}, "(x, lo, hi DOUBLE, n BIGINT) -> BIGINT",
          "Spark's: the bucket 1..n of x among n equal-width buckets from lo to hi (0 below, n + 1 above)",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(4, 4));
            for (size_t i = 0; i < 3; ++i) WH_RETURN_IF_ERROR(c.ToDouble(i));
            WH_RETURN_IF_ERROR(c.ToInteger(3));
            return c.Make(f, DataType::Int64());
          },
          WidthBucketKernel});
  r->Add({"SIN", {}, "(x DOUBLE) -> DOUBLE", "the sine of x (radians)", BindUnaryDouble, UnaryDouble<Sin>});
  r->Add({"COS", {}, "(x DOUBLE) -> DOUBLE", "the cosine of x (radians)", BindUnaryDouble, UnaryDouble<Cos>});
  r->Add({"TAN", {}, "(x DOUBLE) -> DOUBLE", "the tangent of x (radians)", BindUnaryDouble, UnaryDouble<Tan>});
  r->Add({"ASIN", {}, "(x DOUBLE) -> DOUBLE", "the arcsine of x", BindUnaryDouble, UnaryDouble<Asin>});
  r->Add({"ACOS", {}, "(x DOUBLE) -> DOUBLE", "the arccosine of x", BindUnaryDouble, UnaryDouble<Acos>});
  r->Add({"ATAN", {}, "(x DOUBLE) -> DOUBLE", "the arctangent of x", BindUnaryDouble, UnaryDouble<Atan>});
  r->Add({"DEGREES", {}, "(x DOUBLE) -> DOUBLE", "radians to degrees", BindUnaryDouble, UnaryDouble<Degrees>});
  r->Add({"RADIANS", {}, "(x DOUBLE) -> DOUBLE", "degrees to radians", BindUnaryDouble, UnaryDouble<Radians>});
  r->Add({"PI", {}, "() -> DOUBLE", "3.141592653589793",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(0, 0));
            return MakeLiteral(Value::Double(M_PI));
          }});
  for (const char* name : {"GCD", "LCM"}) {
    r->Add({name, {}, "(x, y BIGINT) -> BIGINT",
            std::string(name) == "GCD" ? "the greatest common divisor" : "the least common multiple",
            [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
              WH_RETURN_IF_ERROR(c.Arity(2, 2));
              WH_RETURN_IF_ERROR(c.ToInteger(0));
              WH_RETURN_IF_ERROR(c.ToInteger(1));
              return c.Make(f, DataType::Int64());
            },
            GcdKernel});
  }
}

}  // namespace wh
