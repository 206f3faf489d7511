#include <algorithm>
#include <map>
#include <mutex>

#include "query/typing.h"
#include "query/function/aggregate_catalog.h"
#include "query/function/function.h"

namespace wh {

bool FunctionCall::IsNull(size_t i) const { return IsUntypedNull(*args[i]); }

Status FunctionCall::Arity(size_t lo, size_t hi) const {
  if (size() >= lo && size() <= hi) return Status::OK();
  std::string n = lo == hi ? std::to_string(lo) : hi >= 1000 ? "at least " + std::to_string(lo)
                                                             : std::to_string(lo) + " to " + std::to_string(hi);
  return Error(name_ + " takes " + n + " argument" + (lo == 1 && hi == 1 ? "" : "s") + ", not " +
               std::to_string(size()));
}

Status FunctionCall::ToType(size_t i, const DataType& t) {
  auto c = Coerce(args[i], t);
  if (!c.ok()) return ErrorAt(i, name_ + ": " + c.status().message());
  args[i] = *c;
  return Status::OK();
}

std::string ListIsNotText(const std::string& what, const DataType& list) {
  return what + " takes text, not " + list.ToString() + "; write CAST(x AS VARCHAR) or array_to_string(x, ',')";
}

Status FunctionCall::ToString(size_t i) {
  if (IsNull(i)) {
    args[i] = MakeLiteral(Value::Null(DataType::String()));
    return Status::OK();
  }
  if (type(i).is_list()) return ErrorAt(i, ListIsNotText(name_, type(i)));
  if (type(i).id != TypeId::kString) args[i] = MakeCast(args[i], DataType::String());
  return Status::OK();
}

Status FunctionCall::ToInteger(size_t i) {
  if (IsNull(i)) {
    args[i] = MakeLiteral(Value::Null(DataType::Int64()));
    return Status::OK();
  }
  if (!IsIntegral(type(i)))
    return ErrorAt(i, name_ + " needs an integer here, not " + type(i).ToString());
  if (type(i).id != TypeId::kInt64) args[i] = MakeCast(args[i], DataType::Int64());
  return Status::OK();
}

Status FunctionCall::ToDouble(size_t i) {
  if (IsNull(i)) {
    args[i] = MakeLiteral(Value::Null(DataType::Double()));
    return Status::OK();
  }
  if (!IsNumericType(type(i))) return ErrorAt(i, name_ + " needs a number, not " + type(i).ToString());
  if (type(i).id != TypeId::kDouble) args[i] = MakeCast(args[i], DataType::Double());
  return Status::OK();
}

Status FunctionCall::ToNumber(size_t i) {
  if (IsNull(i)) {
    args[i] = MakeLiteral(Value::Null(DataType::Int32()));
    return Status::OK();
  }
  if (!IsNumericType(type(i))) return ErrorAt(i, name_ + " needs a number, not " + type(i).ToString());
  return Status::OK();
}

Status FunctionCall::ToTemporal(size_t i) {
  if (type(i).id == TypeId::kString && args[i]->kind == BExpr::kLiteral) {
    auto c = Coerce(args[i], DataType::Timestamp());
    if (!c.ok()) return ErrorAt(i, c.status().message());
    args[i] = *c;
  }
  if (IsNull(i)) args[i] = MakeLiteral(Value::Null(DataType::Timestamp()));
  if (!IsTemporal(type(i))) return ErrorAt(i, name_ + " needs a DATE or TIMESTAMP, not " + type(i).ToString());
  return Status::OK();
}

Result<DataType> FunctionCall::Unify(size_t first) {
  std::vector<BExprPtr> xs(args.begin() + static_cast<std::ptrdiff_t>(first), args.end());
  auto common = UnifiedType(xs);
  if (!common.ok()) return Error(name_ + ": " + common.status().message());
  for (size_t i = first; i < size(); ++i) WH_RETURN_IF_ERROR(ToType(i, *common));
  return *common;
}

Result<Value> FunctionCall::Constant(size_t i, const std::string& what) {
  args[i] = Fold(args[i]);
  if (args[i]->kind != BExpr::kLiteral) return ErrorAt(i, name_ + " needs a constant " + what);
  return args[i]->value;
}

BExprPtr FunctionCall::Make(const ScalarFunction& fn, DataType type, std::shared_ptr<const void> state) {
  bool nullable = false;
  for (const auto& a : args) nullable = nullable || a->nullable;
  return Make(fn, type, nullable, std::move(state));
}

BExprPtr FunctionCall::Make(const ScalarFunction& fn, DataType type, bool nullable, std::shared_ptr<const void> state) {
  auto e = std::make_shared<BExpr>();
  e->kind = BExpr::kFunction;
  e->type = type;
  e->op = fn.name;
  e->fn = &fn;
  e->state = std::move(state);
  e->nullable = nullable;
  e->args = args;
  return Fold(e);
}

void FunctionRegistry::Add(ScalarFunction f) { functions.push_back(std::move(f)); }

namespace {

struct Catalog {
  std::vector<ScalarFunction> functions;
  std::map<std::string, const ScalarFunction*> by_name;  // names and aliases
  std::vector<const ScalarFunction*> listed;
};

const Catalog& TheCatalog() {
  static const Catalog* catalog = [] {
    FunctionRegistry r;
    RegisterConditionalFunctions(&r);
    RegisterDateFunctions(&r);
    RegisterMathFunctions(&r);
    RegisterStringFunctions(&r);
    RegisterRegexFunctions(&r);
    RegisterJsonFunctions(&r);
    RegisterHashFunctions(&r);
    RegisterListFunctions(&r);
    auto* c = new Catalog;
    c->functions = std::move(r.functions);
    for (const auto& f : c->functions) {
      c->by_name.emplace(f.name, &f);
      for (const auto& a : f.aliases) c->by_name.emplace(a, &f);
      if (!f.hidden) c->listed.push_back(&f);
    }
    std::sort(c->listed.begin(), c->listed.end(),
              [](const ScalarFunction* a, const ScalarFunction* b) { return a->name < b->name; });
    return c;
  }();
  return *catalog;
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

const ScalarFunction* FindScalarFunction(const std::string& upper_name) {
  const auto& c = TheCatalog();
  auto it = c.by_name.find(upper_name);
  return it == c.by_name.end() ? nullptr : it->second;
}

BExprPtr CallFunction(const std::string& name, DataType type, std::vector<BExprPtr> args) {
  FunctionCall call(name, std::move(args), [](int, const std::string& m) { return Status::Internal(m); });
  return call.Make(*FindScalarFunction(name), type);
}

const std::vector<const ScalarFunction*>& ScalarFunctions() { return TheCatalog().listed; }

std::vector<std::string> NearestNames(const std::string& name, const std::vector<std::string>& candidates,
                                      size_t max) {
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& c : candidates) {
    const size_t d = EditDistance(name, c);
    if (d <= std::max<size_t>(2, name.size() / 3)) scored.emplace_back(d, c);
  }
  std::sort(scored.begin(), scored.end());
  scored.erase(std::unique(scored.begin(), scored.end()), scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < max; ++i) out.push_back(scored[i].second);
  return out;
}

std::string DidYouMean(const std::vector<std::string>& near, const std::string& suffix) {
  std::string msg;
  for (size_t i = 0; i < near.size(); ++i)
    msg += (i == 0 ? "; did you mean " : i + 1 == near.size() ? " or " : ", ") + near[i] + suffix;
  return near.empty() ? msg : msg + "?";
}

std::vector<std::string> NearestFunctionNames(const std::string& upper_name, size_t max) {
  std::vector<std::string> names;
  for (const auto& [name, f] : TheCatalog().by_name)
    if (!f->hidden) names.push_back(name);
  for (const AggregateFunction* f : AggregateFunctions()) {
    names.push_back(f->name);
    for (const auto& a : f->aliases) names.push_back(a);
  }
  return NearestNames(upper_name, names, max);
}

}  // namespace wh
