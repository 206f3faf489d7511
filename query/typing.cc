#include "query/typing.h"

#include <algorithm>

#include "query/function/function.h"

namespace wh {

namespace {
// An integer type seen as a DECIMAL.
DataType AsDecimal(const DataType& t) {
  if (t.id == TypeId::kDecimal) return t;
  if (t.id == TypeId::kInt32) return DataType::Decimal(10, 0);
  return DataType::Decimal(19, 0);
}
}  // namespace

std::shared_ptr<BExpr> MakeNode(BExpr::Kind kind, DataType type, std::vector<BExprPtr> args,
                                std::string op) {
  auto e = std::make_shared<BExpr>();
  e->kind = kind;
  e->type = type;
  e->op = std::move(op);
  e->nullable = false;
  for (const auto& a : args) e->nullable = e->nullable || a->nullable;
  e->args = std::move(args);
  return e;
}

bool IsUntypedNull(const BExpr& e) { return e.kind == BExpr::kLiteral && e.value.null && e.op == "untyped"; }
bool IsIntegral(const DataType& t) { return t.id == TypeId::kInt32 || t.id == TypeId::kInt64; }
bool IsNumericType(const DataType& t) {
  return IsIntegral(t) || t.id == TypeId::kDecimal || t.id == TypeId::kDouble;
}
bool IsTemporal(const DataType& t) { return t.id == TypeId::kDate || t.id == TypeId::kTimestamp; }

std::optional<DataType> CommonType(const DataType& a, const DataType& b) {
  if (a == b) return a;
  if (a.is_list() || b.is_list()) {
    if (!a.is_list() || !b.is_list()) return std::nullopt;
    if (a.elem_id == 0) return b;  // [] and [NULL] take any element type
    if (b.elem_id == 0) return a;
    auto t = CommonType(a.element(), b.element());
    if (!t) return std::nullopt;
    return DataType::List(*t);
  }
  if (IsNumericType(a) && IsNumericType(b)) {
    if (a.id == TypeId::kDouble || b.id == TypeId::kDouble) return DataType::Double();
    if (IsIntegral(a) && IsIntegral(b)) return DataType::Int64();
    DataType x = AsDecimal(a), y = AsDecimal(b);
    int scale = std::max(x.scale, y.scale);
    int whole = std::max(x.precision - x.scale, y.precision - y.scale);
    if (whole + scale > kMaxDecimalPrecision) return DataType::Double();
    return DataType::Decimal(whole + scale, scale);
  }
  if (IsTemporal(a) && IsTemporal(b)) return DataType::Timestamp();
  return std::nullopt;
}

void SplitConjuncts(const BExprPtr& e, std::vector<BExprPtr>* out) {
  if (e->kind == BExpr::kAnd) {
    for (const auto& a : e->args) SplitConjuncts(a, out);
  } else {
    out->push_back(e);
  }
}

BExprPtr MakeAnd(std::vector<BExprPtr> conjuncts) {
  if (conjuncts.size() == 1) return conjuncts[0];
  return MakeNode(BExpr::kAnd, DataType::Boolean(), std::move(conjuncts));
}

BExprPtr Fold(BExprPtr e) {
  if (e->kind == BExpr::kLiteral || e->kind == BExpr::kColumn || !IsConstant(*e)) return e;
  auto v = EvaluateConstant(*e);
  if (!v.ok()) return e;
  return MakeLiteral(*v);
}

// Casts e to type t; an untyped NULL becomes a NULL of t; a string literal is parsed at bind
// time (so `date_col > '2022-01-01'` compares dates and still prunes).
Result<BExprPtr> Coerce(BExprPtr e, const DataType& t) {
  if (e->type == t) return e;
  if (IsUntypedNull(*e)) return MakeLiteral(Value::Null(t));
  if (!CanCast(e->type, t))
    return Status::InvalidArgument("cannot convert " + e->type.ToString() + " to " + t.ToString());
  BExprPtr c = MakeCast(e, t);
  if (e->kind == BExpr::kLiteral) {
    auto v = EvaluateConstant(*c);
    if (!v.ok()) return v.status();
    return MakeLiteral(*v);
  }
  return c;
}

// The type both sides convert to for a comparison, CASE, COALESCE or UNION. A string literal
// against a typed value takes that type.
Result<DataType> UnifyTypes(const BExpr& a, const BExpr& b) {
  if (IsUntypedNull(a)) return b.type;
  if (IsUntypedNull(b)) return a.type;
  if (auto t = CommonType(a.type, b.type)) return *t;
  if (a.type.id == TypeId::kString && b.kind == BExpr::kLiteral) return a.type;
  if (a.type.id == TypeId::kString) return b.type;
  if (b.type.id == TypeId::kString) return a.type;
  return Status::InvalidArgument("cannot compare " + a.type.ToString() + " with " + b.type.ToString());
}

// The type all of `xs` convert to (CASE branches, COALESCE arguments ...); untyped NULLs take
// it, and all-NULL gives INT.
Result<DataType> UnifiedType(const std::vector<BExprPtr>& xs) {
  BExprPtr acc;
  for (const auto& x : xs) {
    if (!acc || IsUntypedNull(*acc)) {
      acc = x;
      continue;
    }
    if (IsUntypedNull(*x)) continue;
    WH_ASSIGN_OR_RETURN(DataType u, UnifyTypes(*acc, *x));
    acc = MakeLiteral(Value::Null(u));
  }
  return acc && !IsUntypedNull(*acc) ? acc->type : DataType::Int32();
}

Result<BExprPtr> CompareExpr(const std::string& op, BExprPtr l, BExprPtr r) {
  if (IsUntypedNull(*l) || IsUntypedNull(*r)) return MakeLiteral(Value::Null(DataType::Boolean()));
  WH_ASSIGN_OR_RETURN(DataType t, UnifyTypes(*l, *r));
  WH_ASSIGN_OR_RETURN(BExprPtr cl, Coerce(l, t));
  WH_ASSIGN_OR_RETURN(BExprPtr cr, Coerce(r, t));
  return Fold(MakeNode(BExpr::kCompare, DataType::Boolean(), {cl, cr}, op));
}

Result<BExprPtr> ArithExpr(const std::string& op, BExprPtr l, BExprPtr r) {
  if (IsUntypedNull(*l) && IsUntypedNull(*r)) return MakeLiteral(Value::Null(DataType::Int32()));
  if (IsUntypedNull(*l)) l = MakeLiteral(Value::Null(r->type));
  if (IsUntypedNull(*r)) r = MakeLiteral(Value::Null(l->type));
  const DataType a = l->type, b = r->type;
  // Dates: DATE - DATE = days (BIGINT); DATE +/- integer days.
  if (a.id == TypeId::kDate && b.id == TypeId::kDate && op == "-") {
    return CallFunction("DATE_DIFF", DataType::Int64(), {MakeLiteral(Value::String("day")), r, l});
  }
  if (a.id == TypeId::kDate && IsIntegral(b) && (op == "+" || op == "-")) {
    BExprPtr lit = Fold(r);
    if (lit->kind == BExpr::kLiteral && !lit->value.null) {
      auto n = MakeNode(BExpr::kAddInterval, DataType::Date(), {l});
      n->micros = static_cast<int64_t>(lit->value.i) * kMicrosPerDay * (op == "-" ? -1 : 1);
      return Fold(n);
    }
    return Status::InvalidArgument("DATE " + op + " a non-constant number of days is not supported; use DATE_ADD");
  }
  if (IsTemporal(a) || IsTemporal(b))
    return Status::InvalidArgument("cannot apply '" + op + "' to " + a.ToString() + " and " + b.ToString() +
                         (IsTemporal(a) && IsTemporal(b)
                              ? " (use DATEDIFF(unit, start, end), or CAST(ts AS BIGINT) for epoch seconds)"
                              : " (use + INTERVAL n DAY)"));
  if (!IsNumericType(a) || !IsNumericType(b))
    return Status::InvalidArgument("cannot apply '" + op + "' to " + a.ToString() + " and " + b.ToString());
  DataType t;
  BExprPtr x = l, y = r;
  if (op == "//") {  // integer division (DuckDB), truncating
    if (!IsIntegral(a) || !IsIntegral(b))
      return Status::InvalidArgument("// (integer division) needs integers, not " + a.ToString() + " and " + b.ToString());
    t = DataType::Int64();
    return Fold(MakeNode(BExpr::kArith, t, {MakeCast(l, t), MakeCast(r, t)}, op));
  }
  if (op == "/" || a.id == TypeId::kDouble || b.id == TypeId::kDouble) {
    t = DataType::Double();
    x = MakeCast(l, t);
    y = MakeCast(r, t);
  } else if (IsIntegral(a) && IsIntegral(b)) {
    t = DataType::Int64();
    x = MakeCast(l, t);
    y = MakeCast(r, t);
  } else {
    DataType da = AsDecimal(a), db = AsDecimal(b);
    if (op == "*") {
      int s = da.scale + db.scale;
      int p = std::min(kMaxDecimalPrecision, da.precision + db.precision + 1);
      if (s > kMaxDecimalPrecision) return Status::InvalidArgument("DECIMAL multiplication needs a scale above 38");
      t = DataType::Decimal(p, s);
      x = MakeCast(l, da);
      y = MakeCast(r, db);
    } else {
      int s = std::max(da.scale, db.scale);
      int whole = std::max(da.precision - da.scale, db.precision - db.scale);
      int p = std::min(kMaxDecimalPrecision, whole + s + 1);
      t = DataType::Decimal(p, s);
      // Operands at the result scale; their own precision grown to hold the rescaled value.
      DataType wa = DataType::Decimal(std::min(kMaxDecimalPrecision, da.precision - da.scale + s), s);
      DataType wb = DataType::Decimal(std::min(kMaxDecimalPrecision, db.precision - db.scale + s), s);
      x = MakeCast(l, wa);
      y = MakeCast(r, wb);
    }
  }
  return Fold(MakeNode(BExpr::kArith, t, {x, y}, op));
}

}  // namespace wh
