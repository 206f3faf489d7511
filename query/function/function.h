// The catalog of scalar functions. Each function is registered once, in the file of its family
// (function/scalar_*.cc): its name and aliases, a signature and a line of help for SHOW
// FUNCTIONS, a bind step that checks and converts the arguments and gives the result type, and a
// vectorized kernel that computes a batch of rows. The binder looks names up here; the
// expression evaluator calls the kernel the bound node points at, so a function cannot be typed
// one way and computed another.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "query/expr.h"

namespace wh {

struct ScalarFunction;

// What a function's bind step works on: the call's bound arguments, and the means to convert
// them and to report an error at the call or at one argument.
class FunctionCall {
 public:
  using ErrorFn = std::function<Status(int arg, const std::string& msg)>;  // arg -1: the call
  FunctionCall(std::string name, std::vector<BExprPtr> args, ErrorFn error)
      : args(std::move(args)), name_(std::move(name)), error_(std::move(error)) {}

  std::vector<BExprPtr> args;
  const std::string& name() const { return name_; }  // as written, upper case
  size_t size() const { return args.size(); }
  const DataType& type(size_t i) const { return args[i]->type; }
  bool IsNull(size_t i) const;  // an untyped NULL literal

  Status Error(const std::string& msg) const { return error_(-1, msg); }
  Status ErrorAt(size_t i, const std::string& msg) const { return error_(static_cast<int>(i), msg); }
  // "F takes N arguments" unless lo <= size() <= hi.
  Status Arity(size_t lo, size_t hi) const;

  // Argument conversions (an untyped NULL becomes a NULL of the type):
  Status ToString(size_t i);   // any type but a list, as CAST(x AS STRING)
  Status ToInteger(size_t i);  // INT or BIGINT -> BIGINT; anything else refused
  Status ToDouble(size_t i);   // any number -> DOUBLE
  Status ToNumber(size_t i);   // a number stays as it is; a string literal is refused
  Status ToTemporal(size_t i);  // DATE or TIMESTAMP stay; a string literal becomes a TIMESTAMP
  Status ToType(size_t i, const DataType& t);  // implicit conversion to t
  // All arguments from `first` on converted to their common type, which is returned.
  Result<DataType> Unify(size_t first = 0);
  // Argument i folded to a constant (an error naming `what` when it is not one).
  Result<Value> Constant(size_t i, const std::string& what);

  // The bound call of `fn` (a kFunction node over args, folded when constant). `nullable`
  // false when the result is never NULL; `state` is what the kernel needs prepared once (a
  // compiled pattern).
  BExprPtr Make(const ScalarFunction& fn, DataType type, std::shared_ptr<const void> state = nullptr);
  BExprPtr Make(const ScalarFunction& fn, DataType type, bool nullable, std::shared_ptr<const void> state = nullptr);

 private:
  std::string name_;
  ErrorFn error_;
};

// Computes a batch: `args` are the evaluated arguments (n rows each), out starts empty of the
// node's type and must end with n rows.
using ScalarKernel = Status (*)(const BExpr& e, const std::vector<Column>& args, size_t n, Column* out);

struct ScalarFunction {
  using Bind = std::function<Result<BExprPtr>(FunctionCall&, const ScalarFunction&)>;
  ScalarFunction(std::string name, std::vector<std::string> aliases, std::string signature, std::string description,
                 Bind bind, ScalarKernel kernel = nullptr, bool hidden = false)
      : name(std::move(name)), aliases(std::move(aliases)), signature(std::move(signature)),
        description(std::move(description)), bind(std::move(bind)), kernel(kernel), hidden(hidden) {}

  std::string name;                  // upper case, as SHOW FUNCTIONS lists it
  std::vector<std::string> aliases;  // upper case
  std::string signature;             // e.g. "(s STRING, n BIGINT) -> STRING"
  std::string description;
  Bind bind;                         // checks and converts the arguments, gives the bound node
  ScalarKernel kernel;               // none when bind builds other expression nodes
  bool hidden;                       // an operator's implementation (||), not listed
};

// The refusal of a list where `what` (a function, LIKE) takes text, with the two ways to make
// it text; as DuckDB, a list is not text without saying so.
std::string ListIsNotText(const std::string& what, const DataType& list);
// The function named `upper_name` (or an alias), or nullptr.
const ScalarFunction* FindScalarFunction(const std::string& upper_name);
// The bound call of catalog function `name` over args already of the types it takes (folded
// when constant): for the binder's own uses (DATE - DATE, ||).
BExprPtr CallFunction(const std::string& name, DataType type, std::vector<BExprPtr> args);
// Every function, in name order.
const std::vector<const ScalarFunction*>& ScalarFunctions();
// The catalogs' names (and aliases, scalar and aggregate) nearest to `name`, for "did you mean".
std::vector<std::string> NearestFunctionNames(const std::string& upper_name, size_t max = 3);
// The candidates within a few edits of `name`, nearest first.
std::vector<std::string> NearestNames(const std::string& name, const std::vector<std::string>& candidates,
                                      size_t max = 3);
// "; did you mean a, b or c?" (each with `suffix`), or "" when `near` is empty.
std::string DidYouMean(const std::vector<std::string>& near, const std::string& suffix = "");

// Registration, one per family file (called once when the catalog is first used).
class FunctionRegistry {
 public:
  void Add(ScalarFunction f);
  std::vector<ScalarFunction> functions;
};
void RegisterConditionalFunctions(FunctionRegistry* r);
void RegisterDateFunctions(FunctionRegistry* r);
void RegisterMathFunctions(FunctionRegistry* r);
void RegisterStringFunctions(FunctionRegistry* r);
void RegisterRegexFunctions(FunctionRegistry* r);
void RegisterJsonFunctions(FunctionRegistry* r);
void RegisterHashFunctions(FunctionRegistry* r);
void RegisterListFunctions(FunctionRegistry* r);

}  // namespace wh
