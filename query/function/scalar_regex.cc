// Regular expressions with RE2 (linear time in the text, no catastrophic backtracking on a
// user's pattern; the library DuckDB and ClickHouse use). A constant pattern is compiled once,
// when the statement is bound; a pattern that varies by row is compiled when it changes.
// DuckDB's semantics where Spark differs: REGEXP_EXTRACT's group defaults to 0 (the whole
// match), REGEXP_REPLACE replaces the first match unless the options say 'g', and a
// replacement names groups as \1.
#include <re2/re2.h>

#include "query/typing.h"
#include "query/function/function.h"
#include "query/function/kernel.h"
#include "query/list.h"

namespace wh {

namespace {

struct RegexOptions {
  bool case_insensitive = false;
  bool global = false;
  bool dot_nl = false;
};

Status ParseOptions(std::string_view s, RegexOptions* o) {
  for (char c : s) {
    switch (c) {
      case 'i': o->case_insensitive = true; break;
      case 'c': o->case_insensitive = false; break;
      case 'g': o->global = true; break;
      case 's': o->dot_nl = true; break;
      case 'n':
      case 'p':
      case 'l': o->dot_nl = false; break;
      case ' ': break;
      default: return Status::InvalidArgument(std::string("unknown regular expression option '") + c + "'");
    }
  }
  return Status::OK();
}

// What the bind step prepares: the pattern compiled, when the pattern and options are
// constants.
struct Prepared {
  RegexOptions options;
  std::unique_ptr<RE2> re;
};

Result<std::unique_ptr<RE2>> Compile(std::string_view pattern, const RegexOptions& o) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_case_sensitive(!o.case_insensitive);
  opts.set_dot_nl(o.dot_nl);
  auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), opts);
  if (!re->ok()) return Status::InvalidArgument("invalid regular expression '" + std::string(pattern) + "': " + re->error());
  return re;
}

// The regular expression of row i: the prepared one, or row i's pattern compiled (cached while
// it stays the same).
class Patterns {
 public:
  Patterns(const BExpr& e, const std::vector<Column>& a, size_t pattern_arg, size_t options_arg)
      : prepared_(static_cast<const Prepared*>(e.state.get())), a_(a), pattern_(pattern_arg), options_(options_arg) {}

  Result<const RE2*> At(size_t i) {
    if (prepared_ && prepared_->re) return prepared_->re.get();
    RegexOptions o;
    if (options_ < a_.size()) WH_RETURN_IF_ERROR(ParseOptions(a_[options_].GetString(i), &o));
    std::string_view p = a_[pattern_].GetString(i);
    if (!current_ || p != text_ || o.case_insensitive != opts_.case_insensitive || o.dot_nl != opts_.dot_nl) {
      WH_ASSIGN_OR_RETURN(current_, Compile(p, o));
      text_ = std::string(p);
      opts_ = o;
    }
    return current_.get();
  }
  bool global(size_t i) const {
    if (prepared_ && prepared_->re) return prepared_->options.global;
    RegexOptions o;
    if (options_ < a_.size()) (void)ParseOptions(a_[options_].GetString(i), &o);
    return o.global;
  }

 private:
  const Prepared* prepared_;
  const std::vector<Column>& a_;
  size_t pattern_, options_;
  std::unique_ptr<RE2> current_;
  std::string text_;
  RegexOptions opts_;
};

re2::StringPiece Piece(std::string_view s) { return re2::StringPiece(s.data(), s.size()); }

// REGEXP_MATCHES (partial) and REGEXP_FULL_MATCH: args s, pattern [, options].
Status MatchKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool full = e.op == "REGEXP_FULL_MATCH";
  Patterns patterns(e, a, 1, 2);
  return FixedRows<uint8_t>(a, n, out, [&](size_t i, uint8_t* v, bool*) -> Status {
    WH_ASSIGN_OR_RETURN(const RE2* re, patterns.At(i));
    const auto s = Piece(a[0].GetString(i));
    *v = full ? RE2::FullMatch(s, *re) : RE2::PartialMatch(s, *re);
    return Status::OK();
  });
}

// STRING_SPLIT_REGEX(s, pattern [, options]): the pieces of s between the matches, as a list,
// as DuckDB splits: each search runs over the rest of s (so ^ matches where the rest begins);
// a match of nothing right there makes the next character a piece of its own, and the text
// after the last match is a piece unless such a character ended s ('abc' split by 'b*' is
// [a, '', c], by '$' [abc, ''], by '' [a, b, c]).
Status SplitKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  Patterns patterns(e, a, 1, 2);
  const std::vector<uint8_t> valid = ValidRows(a, n);
  ListBuilder lists;
  for (size_t i = 0; i < n; ++i) {
    if (!IsValid(valid, i)) {
      lists.NullRow();
      continue;
    }
    WH_ASSIGN_OR_RETURN(const RE2* re, patterns.At(i));
    const std::string_view s = a[0].GetString(i);
    size_t start = 0;
    bool open = true;  // the text from `start` on is a piece still to come
    re2::StringPiece m;
    while (start < s.size()) {
      const auto rest = Piece(s.substr(start));
      if (!re->Match(rest, 0, rest.size(), RE2::UNANCHORED, &m, 1)) {
        open = true;
        break;
      }
      const size_t at = static_cast<size_t>(m.data() - rest.data());
      if (at == 0 && m.empty()) {  // nothing matched right here: one character
        const size_t len = CharLen(s, start);
        AppendStringElement(s.substr(start, len), lists.row());
        start += len;
        open = false;
        continue;
      }
      AppendStringElement(s.substr(start, at), lists.row());
      start += at + m.size();
      open = true;
    }
    if (open) AppendStringElement(s.substr(start), lists.row());
    lists.EndRow();
  }
  *out = lists.Finish(out->type());
  return Status::OK();
}

// REGEXP_EXTRACT(s, pattern [, group [, options]]): the group of the first match, '' when none.
Status ExtractKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  Patterns patterns(e, a, 1, 3);
  std::vector<re2::StringPiece> groups;
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) -> Status {
    WH_ASSIGN_OR_RETURN(const RE2* re, patterns.At(i));
    const int64_t g = a.size() > 2 ? a[2].Get<int64_t>(i) : 0;
    if (g < 0) return Status::InvalidArgument("REGEXP_EXTRACT: group " + std::to_string(g) + " is negative");
    if (g > re->NumberOfCapturingGroups()) return Status::OK();
    groups.assign(static_cast<size_t>(g) + 1, re2::StringPiece());
    const auto text = Piece(a[0].GetString(i));
    if (re->Match(text, 0, text.size(), RE2::UNANCHORED, groups.data(), static_cast<int>(groups.size())))
      s->assign(groups[static_cast<size_t>(g)].data(), groups[static_cast<size_t>(g)].size());
    return Status::OK();
  });
}

// REGEXP_REPLACE(s, pattern, replacement [, options]): the first match (every one with 'g')
// replaced; \0 .. \9 in the replacement are the match's groups.
Status ReplaceKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  Patterns patterns(e, a, 1, 3);
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) -> Status {
    WH_ASSIGN_OR_RETURN(const RE2* re, patterns.At(i));
    s->assign(a[0].GetString(i));
    const auto rewrite = Piece(a[2].GetString(i));
    std::string why;
    if (!re->CheckRewriteString(rewrite, &why)) return Status::InvalidArgument("REGEXP_REPLACE: " + why);
    if (patterns.global(i)) RE2::GlobalReplace(s, *re, rewrite);
    else RE2::Replace(s, *re, rewrite);
    return Status::OK();
  });
}

// Binds a regex function: strings at `strings`, an integer at `group`; the pattern (and the
// options, if any) compiled now when they are constants.
Result<BExprPtr> BindRegex(FunctionCall& c, const ScalarFunction& f, size_t lo, size_t hi, DataType result,
                           size_t pattern, size_t options, size_t group = SIZE_MAX) {
  WH_RETURN_IF_ERROR(c.Arity(lo, hi));
  for (size_t i = 0; i < c.size(); ++i) {
    if (i == group) WH_RETURN_IF_ERROR(c.ToInteger(i));
    else WH_RETURN_IF_ERROR(c.ToString(i));
  }
  auto prepared = std::make_shared<Prepared>();
  c.args[pattern] = Fold(c.args[pattern]);
  if (options < c.size()) c.args[options] = Fold(c.args[options]);
  const bool constant = c.args[pattern]->kind == BExpr::kLiteral &&
                        (options >= c.size() || c.args[options]->kind == BExpr::kLiteral);
  if (constant && !c.args[pattern]->value.null && (options >= c.size() || !c.args[options]->value.null)) {
    if (options < c.size()) {
      Status st = ParseOptions(c.args[options]->value.s, &prepared->options);
      if (!st.ok()) return c.ErrorAt(options, st.message());
    }
    auto re = Compile(c.args[pattern]->value.s, prepared->options);
    if (!re.ok()) return c.ErrorAt(pattern, re.status().message());
    prepared->re = std::move(*re);
  }
  return c.Make(f, result, prepared->re ? std::shared_ptr<const void>(prepared) : nullptr);
}

}  // namespace

void RegisterRegexFunctions(FunctionRegistry* r) {
  const DataType B = DataType::Boolean(), S = DataType::String();
  r->Add({"REGEXP_MATCHES", {"REGEXP_LIKE", "RLIKE"}, "(s, pattern STRING [, options STRING]) -> BOOLEAN",
          "whether pattern matches somewhere in s (also s RLIKE pattern, s REGEXP pattern); options: i (ignore "
          "case), c, s (. matches a newline)",
          [B](FunctionCall& c, const ScalarFunction& f) { return BindRegex(c, f, 2, 3, B, 1, 2); }, MatchKernel});
  r->Add({"REGEXP_FULL_MATCH", {}, "(s, pattern STRING [, options STRING]) -> BOOLEAN",
          "whether pattern matches the whole of s",
          [B](FunctionCall& c, const ScalarFunction& f) { return BindRegex(c, f, 2, 3, B, 1, 2); }, MatchKernel});
  r->Add({"REGEXP_EXTRACT", {}, "(s, pattern STRING [, group BIGINT [, options STRING]]) -> STRING",
          "group (default 0: the whole match) of the first match of pattern in s; '' when there is none",
          [S](FunctionCall& c, const ScalarFunction& f) { return BindRegex(c, f, 2, 4, S, 1, 3, 2); }, ExtractKernel});
  r->Add({"STRING_SPLIT_REGEX", {"REGEXP_SPLIT_TO_ARRAY", "STR_SPLIT_REGEX"}, "(s, pattern [, options STRING]) -> STRING[]",
          "the pieces of s between the matches of pattern, as a list",
          [](FunctionCall& c, const ScalarFunction& f) {
            return BindRegex(c, f, 2, 3, DataType::List(DataType::String()), 1, 2);
          },
          SplitKernel});
  r->Add({"REGEXP_REPLACE", {}, "(s, pattern, replacement STRING [, options STRING]) -> STRING",
          "s with the first match of pattern (every match with option g) replaced; \\1 names a group",
          [S](FunctionCall& c, const ScalarFunction& f) { return BindRegex(c, f, 3, 4, S, 1, 3); }, ReplaceKernel});
}

}  // namespace wh
