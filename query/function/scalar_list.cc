// List functions, with DuckDB's semantics (Spark's names accepted as aliases): positions are
// 1-based and a negative one counts from the end; an index outside the list gives NULL; a NULL
// list gives NULL. Most of them work on the elements' encodings (query/list.h), which compare
// and match as the values do, without decoding.
#include <algorithm>
#include <optional>
#include <set>

#include "query/function/function.h"
#include "query/function/kernel.h"
#include "query/list.h"
#include "query/typing.h"

namespace wh {

namespace {

// Argument i must be a list (an untyped NULL becomes a NULL INT[]).
Status ListArg(FunctionCall& c, size_t i) {
  if (c.IsNull(i)) {
    c.args[i] = MakeLiteral(Value::Null(DataType::List(DataType::Int32())));
    return Status::OK();
  }
  if (!c.type(i).is_list())
    return c.ErrorAt(i, c.name() + " takes a list here, not " + c.type(i).ToString());
  return Status::OK();
}

// The element type lists `list_args` and values `value_args` all convert to, each converted
// (a list to a list of it); none when every list is [] or [NULL] and every value NULL. The
// types must combine as values do (INT and DECIMAL, DATE and TIMESTAMP), or a value be a string
// literal of the elements' type: a STRING list is not searched for an INT, nor the reverse.
Result<std::optional<DataType>> UnifyElements(FunctionCall& c, const std::vector<size_t>& list_args,
                                              const std::vector<size_t>& value_args) {
  std::optional<DataType> t;
  auto meet = [&](const DataType& x, size_t i) -> Status {
    if (!t) {
      t = x;
      return Status::OK();
    }
    auto u = CommonType(*t, x);
    if (!u) return c.ErrorAt(i, c.name() + ": " + x.ToString() + " and " + t->ToString() + " elements do not combine");
    t = *u;
    return Status::OK();
  };
  for (size_t i : list_args) {
    WH_RETURN_IF_ERROR(ListArg(c, i));
    if (c.type(i).elem_id != 0) WH_RETURN_IF_ERROR(meet(c.type(i).element(), i));
  }
  for (size_t i : value_args) {
    if (c.type(i).is_list() && !c.IsNull(i)) return c.ErrorAt(i, c.name() + ": lists do not nest");
    if (c.IsNull(i)) continue;
    const bool string_literal = c.args[i]->kind == BExpr::kLiteral && c.type(i).id == TypeId::kString;
    if (string_literal && t) continue;  // takes the elements' type
    WH_RETURN_IF_ERROR(meet(c.type(i), i));
  }
  if (!t) {
    for (size_t i : value_args) WH_RETURN_IF_ERROR(c.ToType(i, DataType::Int32()));
    return t;
  }
  for (size_t i : list_args) WH_RETURN_IF_ERROR(c.ToType(i, DataType::List(*t)));
  for (size_t i : value_args) WH_RETURN_IF_ERROR(c.ToType(i, *t));
  return t;
}

// The list type of elements `t` (a list of no element type when there is none).
DataType ListOf(const std::optional<DataType>& t) { return t ? DataType::List(*t) : DataType::NullList(); }

// The encoded elements of row i of a LIST column.
std::vector<std::string_view> Elements(const Column& lists, size_t i) {
  return ListElementBytes(lists.GetString(i), lists.type().element());
}

// The encoding of row i of a column as an element.
std::string ElementOf(const Column& c, size_t i) {
  std::string e;
  AppendListElement(c, i, &e);
  return e;
}

// 1-based position k (negative: from the end) in a sequence of n, as a 0-based index, or -1.
int64_t IndexOf(int64_t k, size_t n) {
  const int64_t len = static_cast<int64_t>(n);
  const int64_t at = k > 0 ? k - 1 : k < 0 ? len + k : -1;
  return at >= 0 && at < len ? at : -1;
}

// The 0-based range [*lo, *hi) that LIST_SLICE(x, begin, end) takes of n (inclusive 1-based
// bounds, negative from the end, 0 as 1, clamped).
void SliceRange(int64_t begin, int64_t end, size_t n, int64_t* lo, int64_t* hi) {
  const int64_t len = static_cast<int64_t>(n);
  if (begin < 0) begin = std::max<int64_t>(len + begin + 1, 1);
  if (begin == 0) begin = 1;
  if (end < 0) end = len + end + 1;
  end = std::min(end, len);
  *lo = begin - 1;
  *hi = std::max(end, *lo);
}

// Appends rows of a list-valued result: f(i, row bytes, &null) for each row where every
// argument is valid, NULL elsewhere.
template <typename F>
Status ListRows(const std::vector<Column>& a, size_t n, Column* out, F f) {
  const std::vector<uint8_t> valid = ValidRows(a, n);
  ListBuilder lists;
  for (size_t i = 0; i < n; ++i) {
    bool null = !IsValid(valid, i);
    if (!null) WH_RETURN_IF_ERROR(f(i, lists.row(), &null));
    lists.EndRowOrNull(null);
  }
  *out = lists.Finish(out->type());
  return Status::OK();
}

Status ListValueKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  ListBuilder lists;
  for (size_t i = 0; i < n; ++i) {
    for (const Column& x : a) AppendListElement(x, i, lists.row());
    lists.EndRow();
  }
  *out = lists.Finish(out->type());
  return Status::OK();
}

Status LengthKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return FixedRows<int64_t>(a, n, out, [&](size_t i, int64_t* v, bool*) {
    *v = static_cast<int64_t>(ListSize(a[0].GetString(i), a[0].type().element()));
    return Status::OK();
  });
}

// LIST_EXTRACT(l, k): element k; of a string, its k-th character.
Status ExtractKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  const bool text = a[0].type().id == TypeId::kString;
  const std::vector<uint8_t> valid = ValidRows(a, n);
  out->Reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!IsValid(valid, i)) {
      out->AppendNull();
      continue;
    }
    const int64_t k = a[1].Get<int64_t>(i);
    if (text) {
      const std::string_view s = a[0].GetString(i);
      const std::vector<size_t> starts = CharStarts(s);
      const int64_t at = IndexOf(k, starts.size() - 1);
      out->AppendString(at < 0 ? std::string_view() : s.substr(starts[at], starts[at + 1] - starts[at]));
      continue;
    }
    const auto elems = Elements(a[0], i);
    const int64_t at = IndexOf(k, elems.size());
    if (at < 0) out->AppendNull();
    else DecodeList(elems[static_cast<size_t>(at)], out);
  }
  return Status::OK();
}

// LIST_SLICE(l, begin, end): elements begin..end; of a string, those characters.
Status SliceKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  if (a[0].type().id == TypeId::kString) {
    return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) {
      const std::string_view v = a[0].GetString(i);
      const std::vector<size_t> starts = CharStarts(v);
      int64_t lo, hi;
      SliceRange(a[1].Get<int64_t>(i), a[2].Get<int64_t>(i), starts.size() - 1, &lo, &hi);
      if (lo < hi) s->assign(v.substr(starts[lo], starts[hi] - starts[lo]));
      return Status::OK();
    });
  }
  return ListRows(a, n, out, [&](size_t i, std::string* row, bool*) {
    const auto elems = Elements(a[0], i);
    int64_t lo, hi;
    SliceRange(a[1].Get<int64_t>(i), a[2].Get<int64_t>(i), elems.size(), &lo, &hi);
    for (int64_t k = lo; k < hi; ++k) row->append(elems[static_cast<size_t>(k)]);
    return Status::OK();
  });
}

// LIST_CONTAINS(l, x) (BOOLEAN) and LIST_POSITION(l, x) (the first position, NULL when none;
// a NULL x finds a NULL element).
Status ContainsKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool position = e.type.id == TypeId::kInt64;
  out->Reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (a[0].IsNull(i) || (!position && a[1].IsNull(i))) {
      out->AppendNull();
      continue;
    }
    const std::string key = ElementOf(a[1], i);
    const auto elems = Elements(a[0], i);
    const auto it = std::find(elems.begin(), elems.end(), std::string_view(key));
    if (!position) out->Append<uint8_t>(it != elems.end());
    else if (it == elems.end()) out->AppendNull();
    else out->Append<int64_t>(static_cast<int64_t>(it - elems.begin()) + 1);
  }
  return Status::OK();
}

// LIST_HAS_ANY / LIST_HAS_ALL(l1, l2): whether l1 holds any / all of l2's non-NULL elements.
Status HasKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool all = e.op == "LIST_HAS_ALL";
  return FixedRows<uint8_t>(a, n, out, [&](size_t i, uint8_t* v, bool*) {
    const auto have = Elements(a[0], i);
    const std::set<std::string_view> set(have.begin(), have.end());
    bool any = false, every = true;
    for (std::string_view x : Elements(a[1], i)) {
      if (x == NullElement()) continue;
      const bool in = set.count(x) > 0;
      any = any || in;
      every = every && in;
    }
    *v = all ? every : any;
    return Status::OK();
  });
}

// ARRAY_TO_STRING(l, separator [, null_text]): the non-NULL elements' text joined (NULL ones
// as null_text when given, Spark's array_join).
Status ToStringKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  out->Reserve(n);
  Column elems(a[0].type().element());
  for (size_t i = 0; i < n; ++i) {
    if (a[0].IsNull(i)) {
      out->AppendNull();
      continue;
    }
    elems.Clear();
    DecodeList(a[0].GetString(i), &elems);
    const std::string_view sep = a[1].IsNull(i) ? std::string_view() : a[1].GetString(i);
    const bool replace = a.size() > 2 && !a[2].IsNull(i);
    std::string s;
    bool first = true;
    for (size_t k = 0; k < elems.size(); ++k) {
      if (elems.IsNull(k) && !replace) continue;
      if (!first) s += sep;
      first = false;
      s += elems.IsNull(k) ? std::string(a[2].GetString(i)) : TextOf(elems, k);
    }
    out->AppendString(s);
  }
  return Status::OK();
}

// How LIST_SORT orders: the direction, and where NULL elements go.
struct SortOrder {
  bool desc = false;
  bool nulls_first = false;
};

Status SortKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const auto& order = *static_cast<const SortOrder*>(e.state.get());
  return ListRows(a, n, out, [&](size_t i, std::string* row, bool*) {
    auto elems = Elements(a[0], i);
    // Encodings order as the values do, NULL after every value.
    std::sort(elems.begin(), elems.end());
    auto first_null = std::find(elems.begin(), elems.end(), NullElement());
    if (order.desc) std::reverse(elems.begin(), first_null);
    if (order.nulls_first) std::rotate(elems.begin(), first_null, elems.end());
    for (std::string_view x : elems) row->append(x);
    return Status::OK();
  });
}

// LIST_DISTINCT: the non-NULL elements without repeats, in the order they first appear.
Status DistinctKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return ListRows(a, n, out, [&](size_t i, std::string* row, bool*) {
    std::set<std::string_view> seen;
    for (std::string_view x : Elements(a[0], i))
      if (x != NullElement() && seen.insert(x).second) row->append(x);
    return Status::OK();
  });
}

Status ReverseKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return ListRows(a, n, out, [&](size_t i, std::string* row, bool*) {
    auto elems = Elements(a[0], i);
    for (auto it = elems.rbegin(); it != elems.rend(); ++it) row->append(*it);
    return Status::OK();
  });
}

// LIST_CONCAT(a, b): a NULL list counts as empty (DuckDB's); `a || b` (LIST_CAT_OP): NULL.
Status ConcatKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool strict = e.op == "LIST_CAT_OP";
  ListBuilder lists;
  for (size_t i = 0; i < n; ++i) {
    const bool x = !a[0].IsNull(i), y = !a[1].IsNull(i);
    if (strict ? !(x && y) : !(x || y)) {
      lists.NullRow();
      continue;
    }
    if (x) lists.row()->append(a[0].GetString(i));
    if (y) lists.row()->append(a[1].GetString(i));
    lists.EndRow();
  }
  *out = lists.Finish(out->type());
  return Status::OK();
}

// LIST_APPEND(l, x) / LIST_PREPEND(x, l): x (NULL too) added at the end / the start of l (a
// NULL l as []).
Status AppendKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool prepend = e.op == "LIST_PREPEND";
  const Column& l = a[prepend ? 1 : 0];
  const Column& x = a[prepend ? 0 : 1];
  ListBuilder lists;
  for (size_t i = 0; i < n; ++i) {
    if (prepend) AppendListElement(x, i, lists.row());
    if (!l.IsNull(i)) lists.row()->append(l.GetString(i));  // a NULL list as empty (DuckDB's)
    if (!prepend) AppendListElement(x, i, lists.row());
    lists.EndRow();
  }
  *out = lists.Finish(out->type());
  return Status::OK();
}

// LIST_MIN / LIST_MAX: the least / greatest non-NULL element, NULL when there is none.
Status MinMaxKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool max = e.op == "LIST_MAX";
  out->Reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string_view best;
    if (!a[0].IsNull(i))
      for (std::string_view x : Elements(a[0], i))
        if (x != NullElement() && (best.empty() || (max ? x > best : x < best))) best = x;
    if (best.empty()) out->AppendNull();
    else DecodeList(best, out);
  }
  return Status::OK();
}

Result<std::string> ConstantText(FunctionCall& c, size_t i, const char* what) {
  WH_RETURN_IF_ERROR(c.ToString(i));
  WH_ASSIGN_OR_RETURN(Value v, c.Constant(i, what));
  std::string s = v.null ? "" : v.s;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::toupper(ch); });
  return s;
}

}  // namespace

void RegisterListFunctions(FunctionRegistry* r) {
  const DataType I = DataType::Int64(), B = DataType::Boolean();
  r->Add({"LIST_VALUE", {"LIST_PACK", "ARRAY"}, "(x, ...) -> list", "a list of the arguments; also [x, ...]",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            // The elements take their common type as CASE's branches do ([1, '2'] is INT[]).
            for (size_t i = 0; i < c.size(); ++i)
              if (c.type(i).is_list() && !c.IsNull(i)) return c.ErrorAt(i, c.name() + ": lists do not nest");
            bool any = false;
            for (size_t i = 0; i < c.size(); ++i) any = any || !c.IsNull(i);
            if (!any) {
              for (size_t i = 0; i < c.size(); ++i) WH_RETURN_IF_ERROR(c.ToType(i, DataType::Int32()));
              return c.Make(f, DataType::NullList(), false);
            }
            WH_ASSIGN_OR_RETURN(DataType t, c.Unify());
            return c.Make(f, DataType::List(t), false);
          },
          ListValueKernel});
  r->Add({"ARRAY_LENGTH", {"ARRAY_SIZE", "CARDINALITY", "SIZE"}, "(l list) -> BIGINT",
          "the number of elements of l (NULL ones too); also LEN(l), LENGTH(l)",
          [I](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 1));
            WH_RETURN_IF_ERROR(ListArg(c, 0));
            return c.Make(f, I);
          },
          LengthKernel});
  r->Add({"LIST_EXTRACT", {"LIST_ELEMENT", "ARRAY_EXTRACT", "ELEMENT_AT"}, "(l list, k BIGINT) -> element",
          "element k of l (1-based; negative: from the end; NULL outside the list); also l[k]; of a string, its "
          "k-th character",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(2, 2));
            WH_RETURN_IF_ERROR(c.ToInteger(1));
            if (c.type(0).id == TypeId::kString) return c.Make(f, DataType::String());
            WH_RETURN_IF_ERROR(ListArg(c, 0));
            return c.Make(f, c.type(0).element(), true);
          },
          ExtractKernel});
  r->Add({"LIST_SLICE", {"ARRAY_SLICE"}, "(l list, begin BIGINT, end BIGINT) -> list",
          "elements begin to end of l (inclusive, 1-based, negative from the end); also l[begin:end]; of a string, "
          "those characters",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(3, 3));
            WH_RETURN_IF_ERROR(c.ToInteger(1));
            WH_RETURN_IF_ERROR(c.ToInteger(2));
            if (c.type(0).id != TypeId::kString) WH_RETURN_IF_ERROR(ListArg(c, 0));
            return c.Make(f, c.type(0));
          },
          SliceKernel});
  for (const char* name : {"LIST_CONTAINS", "LIST_POSITION"}) {
    const bool position = std::string(name) == "LIST_POSITION";
    r->Add({name,
            position ? std::vector<std::string>{"LIST_INDEXOF", "ARRAY_POSITION", "ARRAY_INDEXOF"}
                     : std::vector<std::string>{"LIST_HAS", "ARRAY_CONTAINS", "ARRAY_HAS"},
            position ? "(l list, x) -> BIGINT" : "(l list, x) -> BOOLEAN",
            position ? "the position of the first element of l equal to x (a NULL x finds a NULL), NULL when none"
                     : "whether an element of l equals x (NULL when x is NULL)",
            [position, I, B](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
              WH_RETURN_IF_ERROR(c.Arity(2, 2));
              WH_RETURN_IF_ERROR(UnifyElements(c, {0}, {1}).status());
              return c.Make(f, position ? I : B, true);
            },
            ContainsKernel});
  }
  for (const char* name : {"LIST_HAS_ANY", "LIST_HAS_ALL"}) {
    const bool all = std::string(name) == "LIST_HAS_ALL";
    r->Add({name, {all ? "ARRAY_HAS_ALL" : "ARRAY_HAS_ANY"}, "(l1 list, l2 list) -> BOOLEAN",
            all ? "whether l1 holds every non-NULL element of l2" : "whether l1 holds any non-NULL element of l2",
            [B](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
              WH_RETURN_IF_ERROR(c.Arity(2, 2));
              WH_RETURN_IF_ERROR(UnifyElements(c, {0, 1}, {}).status());
              return c.Make(f, B);
            },
            HasKernel});
  }
  r->Add({"ARRAYS_OVERLAP", {}, "(l1 list, l2 list) -> BOOLEAN", "LIST_HAS_ANY (Spark's name)",
          [](FunctionCall& c, const ScalarFunction&) -> Result<BExprPtr> {
            const ScalarFunction* any = FindScalarFunction("LIST_HAS_ANY");
            return any->bind(c, *any);
          }});
  r->Add({"ARRAY_TO_STRING", {"ARRAY_JOIN", "LIST_TO_STRING"}, "(l list, separator STRING [, null_text STRING]) -> STRING",
          "the text of l's elements joined by the separator; NULL elements left out (or written as null_text)",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(2, 3));
            WH_RETURN_IF_ERROR(ListArg(c, 0));
            for (size_t i = 1; i < c.size(); ++i) WH_RETURN_IF_ERROR(c.ToString(i));
            return c.Make(f, DataType::String(), c.args[0]->nullable);
          },
          ToStringKernel});
  for (const char* name : {"LIST_SORT", "LIST_REVERSE_SORT"}) {
    const bool reverse = std::string(name) == "LIST_REVERSE_SORT";
    r->Add({name, reverse ? std::vector<std::string>{"ARRAY_REVERSE_SORT"} : std::vector<std::string>{"ARRAY_SORT", "SORT_ARRAY"},
            reverse ? "(l list [, nulls STRING]) -> list" : "(l list [, order STRING [, nulls STRING]]) -> list",
            reverse ? "l sorted descending, NULLs last (or 'NULLS FIRST')"
                    : "l sorted, 'ASC' (default) or 'DESC' (or Spark's TRUE / FALSE), NULLs last (or 'NULLS FIRST')",
            [reverse](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
              WH_RETURN_IF_ERROR(c.Arity(1, reverse ? 2 : 3));
              WH_RETURN_IF_ERROR(ListArg(c, 0));
              auto order = std::make_shared<SortOrder>();
              order->desc = reverse;
              size_t nulls = reverse ? 1 : 2;
              if (!reverse && c.size() > 1) {
                if (c.type(1).id == TypeId::kBoolean) {
                  WH_ASSIGN_OR_RETURN(Value asc, c.Constant(1, "direction"));
                  order->desc = !asc.null && !asc.i;
                } else {
                  WH_ASSIGN_OR_RETURN(std::string o, ConstantText(c, 1, "order ('ASC' or 'DESC')"));
                  if (o != "ASC" && o != "DESC") return c.ErrorAt(1, c.name() + ": the order is 'ASC' or 'DESC', not '" + o + "'");
                  order->desc = o == "DESC";
                }
              }
              if (c.size() > nulls) {
                WH_ASSIGN_OR_RETURN(std::string o, ConstantText(c, nulls, "NULL order"));
                if (o != "NULLS FIRST" && o != "NULLS LAST")
                  return c.ErrorAt(nulls, c.name() + ": NULLs go 'NULLS FIRST' or 'NULLS LAST', not '" + o + "'");
                order->nulls_first = o == "NULLS FIRST";
              }
              c.args.resize(1);
              return c.Make(f, c.type(0), order);
            },
            SortKernel});
  }
  auto same_list = [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {  // (l) -> l's type
    WH_RETURN_IF_ERROR(c.Arity(1, 1));
    WH_RETURN_IF_ERROR(ListArg(c, 0));
    return c.Make(f, c.type(0));
  };
  r->Add({"LIST_DISTINCT", {"ARRAY_DISTINCT"}, "(l list) -> list", "l's non-NULL elements without repeats", same_list,
          DistinctKernel});
  r->Add({"LIST_REVERSE", {"ARRAY_REVERSE"}, "(l list) -> list", "l's elements in reverse order", same_list,
          ReverseKernel});
  auto concat = [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
    WH_RETURN_IF_ERROR(c.Arity(2, 2));
    WH_ASSIGN_OR_RETURN(auto t, UnifyElements(c, {0, 1}, {}));
    return c.Make(f, ListOf(t), f.name == "LIST_CAT_OP" ? c.args[0]->nullable || c.args[1]->nullable
                                                                 : c.args[0]->nullable && c.args[1]->nullable);
  };
  r->Add({"LIST_CONCAT", {"LIST_CAT", "ARRAY_CONCAT", "ARRAY_CAT"}, "(l1 list, l2 list) -> list",
          "the elements of l1, then those of l2 (a NULL list counts as empty; l1 || l2 is NULL then)", concat,
          ConcatKernel});
  r->Add({"LIST_CAT_OP", {}, "(l1 list, l2 list) -> list", "l1 || l2", concat, ConcatKernel, true});
  for (const char* name : {"LIST_APPEND", "LIST_PREPEND"}) {
    const bool prepend = std::string(name) == "LIST_PREPEND";
    r->Add({name, {prepend ? "ARRAY_PREPEND" : "ARRAY_APPEND", prepend ? "ARRAY_PUSH_FRONT" : "ARRAY_PUSH_BACK"},
            prepend ? "(x, l list) -> list" : "(l list, x) -> list",
            prepend ? "x, then the elements of l" : "the elements of l, then x",
            [prepend](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
              WH_RETURN_IF_ERROR(c.Arity(2, 2));
              const size_t l = prepend ? 1 : 0;
              WH_ASSIGN_OR_RETURN(auto t, UnifyElements(c, {l}, {1 - l}));
              return c.Make(f, ListOf(t), false);
            },
            AppendKernel});
  }
  for (const char* name : {"LIST_MIN", "LIST_MAX"}) {
    const bool max = std::string(name) == "LIST_MAX";
    r->Add({name, {max ? "ARRAY_MAX" : "ARRAY_MIN"}, "(l list) -> element",
            max ? "the greatest non-NULL element of l" : "the least non-NULL element of l",
            [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
              WH_RETURN_IF_ERROR(c.Arity(1, 1));
              WH_RETURN_IF_ERROR(ListArg(c, 0));
              return c.Make(f, c.type(0).element(), true);
            },
            MinMaxKernel});
  }
}

}  // namespace wh
