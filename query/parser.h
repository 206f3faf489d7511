#pragma once

#include <string>
#include <vector>

#include "query/ast.h"

namespace wh {

// Parses a script of one or more statements separated by ';'. Errors point into the SQL.
Result<std::vector<Statement>> ParseSql(const std::string& sql);

// Converts a parsed partition expression into the engine's form, resolving columns.
Result<PartitionExpr> ToPartitionExpr(const Expr& e, const std::vector<ColumnDef>& cols,
                                      const std::string& sql);

}  // namespace wh
