// The catalog of aggregate functions: each registered once with its name and aliases, help for
// SHOW FUNCTIONS, how it is typed and what state computes it, and the properties the planner
// reads instead of comparing names: the aggregate that combines its per-bucket results (two
// phases), its value over no rows (COUNT's 0), whether window frames compute it, whether it
// takes an ORDER BY.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "query/aggregate.h"
#include "query/function/function.h"

namespace wh {

struct AggregateFunction {
  using Bind = std::function<Status(FunctionCall&, AggregateSpec*)>;
  using Make = std::function<std::unique_ptr<AggregateState>(const AggregateSpec&)>;

  std::string name;                  // upper case; AggregateSpec::fn
  std::vector<std::string> aliases;  // upper case
  std::string signature;
  std::string description;
  // Types the call from its bound arguments: sets spec->arg, more, params and type. Null for
  // the aggregates the binder types itself (COUNT, SUM, AVG, MIN, MAX, ...).
  Bind bind;
  // The state; null for those of query/aggregate.cc (MakeAggregateState).
  Make make;
  std::string combine;        // the aggregate over per-bucket results that gives the whole; "" none
  bool zero_on_empty = false;  // over no rows it is 0 (COUNT), not NULL
  bool windowable = false;     // computed over window frames (query/window.cc)
  bool ordered = false;        // takes an ORDER BY inside the call (string_agg(x ORDER BY y))
};

// The aggregate named `upper_name` (or an alias), or nullptr.
const AggregateFunction* FindAggregateFunction(const std::string& upper_name);
// Every aggregate, in name order.
std::vector<const AggregateFunction*> AggregateFunctions();

}  // namespace wh
