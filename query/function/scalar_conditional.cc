// Conditional functions: COALESCE, IFNULL, NULLIF, IF, LEAST, GREATEST. They bind to the
// expression nodes the evaluator already has (CASE, COALESCE, LEAST, GREATEST), so they have no
// kernel of their own.
#include "query/typing.h"
#include "query/function/function.h"

namespace wh {

namespace {

// A node of `kind` over the arguments in their common type, NULL only when all are.
Result<BExprPtr> BindVariadic(FunctionCall& c, BExpr::Kind kind, size_t lo, size_t hi) {
  WH_RETURN_IF_ERROR(c.Arity(lo, hi));
  WH_ASSIGN_OR_RETURN(DataType t, c.Unify());
  auto n = MakeNode(kind, t, c.args);
  n->nullable = true;
  for (const auto& x : c.args) n->nullable = n->nullable && x->nullable;
  return Fold(n);
}

}  // namespace

void RegisterConditionalFunctions(FunctionRegistry* r) {
  r->Add({"COALESCE", {}, "(x, y, ...) -> common type", "the first argument that is not NULL",
          [](FunctionCall& c, const ScalarFunction&) { return BindVariadic(c, BExpr::kCoalesce, 1, 1000); }});
  r->Add({"IFNULL", {"NVL"}, "(x, y) -> common type", "x unless it is NULL, else y",
          [](FunctionCall& c, const ScalarFunction&) { return BindVariadic(c, BExpr::kCoalesce, 2, 2); }});
  r->Add({"LEAST", {}, "(x, y, ...) -> common type", "the smallest argument; NULLs are ignored",
          [](FunctionCall& c, const ScalarFunction&) { return BindVariadic(c, BExpr::kLeast, 1, 1000); }});
  r->Add({"GREATEST", {}, "(x, y, ...) -> common type", "the largest argument; NULLs are ignored",
          [](FunctionCall& c, const ScalarFunction&) { return BindVariadic(c, BExpr::kGreatest, 1, 1000); }});
  r->Add({"NULLIF", {}, "(x, y) -> type of x", "NULL when x = y, else x",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(2, 2));
            auto eq = CompareExpr("=", c.args[0], c.args[1]);
            if (!eq.ok()) return c.Error(eq.status().message());
            DataType t = c.IsNull(0) ? DataType::Int32() : c.type(0);
            auto n = MakeNode(BExpr::kCase, t, {*eq, MakeLiteral(Value::Null(t)), MakeCast(c.args[0], t)});
            n->has_else = true;
            n->nullable = true;
            return Fold(n);
          }});
  r->Add({"TYPEOF", {}, "(x) -> STRING", "the type of x, in DuckDB's names (INTEGER, BIGINT, DOUBLE, VARCHAR, ...)",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 1));
            if (c.IsNull(0)) return MakeLiteral(Value::String("\"NULL\""));
            const DataType& t = c.type(0);
            auto name = [](const DataType& t) -> std::string {
              switch (t.id) {
                case TypeId::kBoolean: return "BOOLEAN";
                case TypeId::kInt32: return "INTEGER";
                case TypeId::kInt64: return "BIGINT";
                case TypeId::kDouble: return "DOUBLE";
                case TypeId::kString: return "VARCHAR";
                case TypeId::kDate: return "DATE";
                case TypeId::kTimestamp: return "TIMESTAMP";
                case TypeId::kDecimal: return t.ToString();
                case TypeId::kList: break;
              }
              return "";
            };
            if (t.is_list() && t.elem_id == 0) return MakeLiteral(Value::String("\"NULL\"[]"));
            return MakeLiteral(Value::String(t.is_list() ? name(t.element()) + "[]" : name(t)));
          }});
  r->Add({"IF", {"IIF"}, "(condition BOOLEAN, then, else) -> common type",
          "then when the condition is true, else otherwise (also when it is NULL)",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(3, 3));
            if (c.IsNull(0)) c.args[0] = MakeLiteral(Value::Null(DataType::Boolean()));
            if (c.type(0).id != TypeId::kBoolean) return c.ErrorAt(0, "IF needs a BOOLEAN condition");
            WH_ASSIGN_OR_RETURN(DataType t, c.Unify(1));
            auto n = MakeNode(BExpr::kCase, t, c.args);
            n->has_else = true;
            n->nullable = true;
            return Fold(n);
          }});
}

}  // namespace wh
