#pragma once

#include <string>
#include <vector>

#include "query/exec.h"

namespace wh {

// The lines of EXPLAIN output for an optimized plan. With analyze, the plan must have run with
// `ctx` (its counters are shown).
Result<std::vector<std::string>> ExplainPlan(const PlanPtr& plan, const std::vector<std::string>& names,
                                             ExecContext* ctx, bool analyze);

}  // namespace wh
