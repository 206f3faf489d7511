// String functions. Positions and lengths count characters (Unicode code points of the UTF-8
// text), as DuckDB's and Spark's do; case mapping is Unicode's (utf8proc, the library DuckDB
// uses), not ASCII only. Bytes that are not valid UTF-8 count as one character each and are
// kept as they are.
#include <utf8proc.h>

#include "query/typing.h"
#include "query/function/function.h"
#include "query/function/kernel.h"
#include "query/list.h"

namespace wh {

namespace {

// The code point at s[i] of `len` bytes (-1 for an invalid byte).
int32_t CodePoint(std::string_view s, size_t i, size_t len) {
  utf8proc_int32_t cp = -1;
  utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i), static_cast<utf8proc_ssize_t>(len), &cp);
  return cp;
}

void PutCodePoint(int32_t cp, std::string* out) {
  utf8proc_uint8_t buf[4];
  const auto n = utf8proc_encode_char(cp, buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

// s with every character mapped by f (utf8proc_toupper / tolower); ASCII without a table.
template <bool kUpper>
void MapCase(std::string_view s, std::string* out) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out->push_back(static_cast<char>(kUpper ? (c >= 'a' && c <= 'z' ? c - 32 : c) : (c >= 'A' && c <= 'Z' ? c + 32 : c)));
      ++i;
      continue;
    }
    const size_t len = CharLen(s, i);
    const int32_t cp = CodePoint(s, i, len);
    if (cp < 0) out->append(s.substr(i, len));
    else PutCodePoint(kUpper ? utf8proc_toupper(cp) : utf8proc_tolower(cp), out);
    i += len;
  }
}

template <bool kUpper>
Status CaseKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) {
    MapCase<kUpper>(a[0].GetString(i), s);
    return Status::OK();
  });
}

// INITCAP (Spark): the first letter of each word (after white space) upper case, the rest lower.
Status InitcapKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) {
    std::string_view v = a[0].GetString(i);
    bool start = true;
    for (size_t k = 0; k < v.size();) {
      const size_t len = CharLen(v, k);
      const std::string_view ch = v.substr(k, len);
      if (start) MapCase<true>(ch, s);
      else MapCase<false>(ch, s);
      start = ch == " " || ch == "\t" || ch == "\n" || ch == "\r";
      k += len;
    }
    return Status::OK();
  });
}

// TRIM / LTRIM / RTRIM (s [, characters]): the characters (default: the space) removed from
// both ends, the start or the end.
Status TrimKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool left = e.op != "RTRIM", right = e.op != "LTRIM";
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) {
    std::string_view v = a[0].GetString(i);
    std::string_view set = a.size() > 1 ? a[1].GetString(i) : std::string_view(" ");
    std::vector<std::string_view> chars;
    for (size_t k = 0; k < set.size(); k += CharLen(set, k)) chars.push_back(set.substr(k, CharLen(set, k)));
    auto in_set = [&](std::string_view ch) { return std::find(chars.begin(), chars.end(), ch) != chars.end(); };
    std::vector<size_t> starts = CharStarts(v);
    size_t b = 0, e2 = starts.size() - 1;
    if (left)
      while (b < e2 && in_set(v.substr(starts[b], starts[b + 1] - starts[b]))) ++b;
    if (right)
      while (e2 > b && in_set(v.substr(starts[e2 - 1], starts[e2] - starts[e2 - 1]))) --e2;
    s->assign(v.substr(starts[b], starts[e2] - starts[b]));
    return Status::OK();
  });
}

Status LengthKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return FixedRows<int64_t>(a, n, out, [&](size_t i, int64_t* v, bool*) {
    *v = static_cast<int64_t>(CharCount(a[0].GetString(i)));
    return Status::OK();
  });
}

Status OctetLengthKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return FixedRows<int64_t>(a, n, out, [&](size_t i, int64_t* v, bool*) {
    *v = static_cast<int64_t>(a[0].GetString(i).size());
    return Status::OK();
  });
}

// The characters [from, to) (0-based, clamped) of v.
std::string_view Chars(std::string_view v, const std::vector<size_t>& starts, int64_t from, int64_t to) {
  const int64_t count = static_cast<int64_t>(starts.size()) - 1;
  from = std::clamp<int64_t>(from, 0, count);
  to = std::clamp<int64_t>(to, from, count);
  return v.substr(starts[from], starts[to] - starts[from]);
}

// SUBSTRING(s, start [, length]) as DuckDB: 1-based; a negative start counts from the end (-1
// is the last character); the characters of [start, start + length) that exist (a negative
// length: the ones before start).
Status SubstringKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) {
    std::string_view v = a[0].GetString(i);
    const std::vector<size_t> starts = CharStarts(v);
    const int64_t count = static_cast<int64_t>(starts.size()) - 1;
    const int64_t start = a[1].Get<int64_t>(i);
    int64_t first = start > 0 ? start : start == 0 ? 0 : count + start + 1;  // 1-based, may be out of range
    int64_t lo = first, hi = INT64_MAX;
    if (a.size() > 2) {
      const int64_t len = a[2].Get<int64_t>(i);
      if (len >= 0) hi = first > INT64_MAX - len ? INT64_MAX : first + len;
      else {
        hi = first;
        lo = first + len;
      }
    }
    if (hi == INT64_MAX) hi = count + 1;
    s->assign(Chars(v, starts, lo - 1, hi - 1));
    return Status::OK();
  });
}

// LEFT(s, n) / RIGHT(s, n): the first / last n characters; a negative n: all but the last /
// first -n.
Status LeftRightKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool left = e.op == "LEFT";
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) {
    std::string_view v = a[0].GetString(i);
    const std::vector<size_t> starts = CharStarts(v);
    const int64_t count = static_cast<int64_t>(starts.size()) - 1, k = a[1].Get<int64_t>(i);
    const int64_t keep = k >= 0 ? std::min(k, count) : std::max<int64_t>(0, count + k);
    s->assign(left ? Chars(v, starts, 0, keep) : Chars(v, starts, count - keep, count));
    return Status::OK();
  });
}

Status ReplaceKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) {
    std::string_view v = a[0].GetString(i), from = a[1].GetString(i), to = a[2].GetString(i);
    if (from.empty()) {
      s->assign(v);
      return Status::OK();
    }
    size_t p = 0, q;
    while ((q = v.find(from, p)) != std::string_view::npos) {
      s->append(v.substr(p, q - p));
      s->append(to);
      p = q + from.size();
    }
    s->append(v.substr(p));
    return Status::OK();
  });
}

// CONCAT: NULL arguments are skipped (DuckDB, and Spark's concat_ws); never NULL.
Status ConcatKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  out->Reserve(n);
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.clear();
    for (const auto& c : a)
      if (!c.IsNull(i)) s += c.GetString(i);
    out->AppendString(s);
  }
  return Status::OK();
}

// a || b: NULL when either is.
Status ConcatNullKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) {
    s->append(a[0].GetString(i));
    s->append(a[1].GetString(i));
    return Status::OK();
  });
}

// CONCAT_WS(separator, ...): the non-NULL arguments joined by the separator; NULL only when the
// separator is.
Status ConcatWsKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  out->Reserve(n);
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    if (a[0].IsNull(i)) {
      out->AppendNull();
      continue;
    }
    s.clear();
    bool first = true;
    for (size_t k = 1; k < a.size(); ++k) {
      if (a[k].IsNull(i)) continue;
      if (!first) s += a[0].GetString(i);
      s += a[k].GetString(i);
      first = false;
    }
    out->AppendString(s);
  }
  return Status::OK();
}

// The fields of v between the delimiters d; an empty d splits into characters.
std::vector<std::string_view> SplitFields(std::string_view v, std::string_view d) {
  std::vector<std::string_view> parts;
  if (d.empty()) {
    for (size_t p = 0; p < v.size(); p += CharLen(v, p)) parts.push_back(v.substr(p, CharLen(v, p)));
    if (v.empty()) parts.push_back(v);
  } else {
    size_t p = 0, q;
    while ((q = v.find(d, p)) != std::string_view::npos) {
      parts.push_back(v.substr(p, q - p));
      p = q + d.size();
    }
    parts.push_back(v.substr(p));
  }
  return parts;
}

// STRING_SPLIT(s, delimiter): the fields of s as a list (an empty delimiter: its characters; a
// NULL one: s whole), as DuckDB's.
Status StringSplitKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  ListBuilder lists;
  for (size_t i = 0; i < n; ++i) {
    if (a[0].IsNull(i)) {
      lists.NullRow();
      continue;
    }
    const std::string_view v = a[0].GetString(i);
    if (a[1].IsNull(i)) {
      AppendStringElement(v, lists.row());
    } else {
      for (std::string_view part : SplitFields(v, a[1].GetString(i))) AppendStringElement(part, lists.row());
    }
    lists.EndRow();
  }
  *out = lists.Finish(out->type());
  return Status::OK();
}

// SPLIT_PART(s, delimiter, k): the k-th field (1-based; negative counts from the end), '' when
// there is none; an empty delimiter splits into characters.
Status SplitPartKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) {
    const int64_t k = a[2].Get<int64_t>(i);
    const std::vector<std::string_view> parts = SplitFields(a[0].GetString(i), a[1].GetString(i));
    const int64_t count = static_cast<int64_t>(parts.size());
    const int64_t at = k > 0 ? k - 1 : count + k;
    if (k != 0 && at >= 0 && at < count) s->assign(parts[static_cast<size_t>(at)]);
    return Status::OK();
  });
}

// LPAD / RPAD(s, length, pad): s cut or padded to `length` characters with pad repeated.
Status PadKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool left = e.op == "LPAD";
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) -> Status {
    std::string_view v = a[0].GetString(i), pad = a[2].GetString(i);
    const int64_t len = a[1].Get<int64_t>(i);
    if (len <= 0) return Status::OK();
    const std::vector<size_t> starts = CharStarts(v);
    const int64_t count = static_cast<int64_t>(starts.size()) - 1;
    if (len <= count) {
      s->assign(Chars(v, starts, 0, len));
      return Status::OK();
    }
    if (pad.empty()) return Status::InvalidArgument(std::string("insufficient padding in ") + e.op);
    if (len > (int64_t{1} << 28)) return Status::InvalidArgument(e.op + ": length " + std::to_string(len) + " is too large");
    std::string fill;
    const std::vector<size_t> pad_starts = CharStarts(pad);
    const int64_t pad_count = static_cast<int64_t>(pad_starts.size()) - 1;
    for (int64_t k = 0; k < len - count; ++k) fill.append(Chars(pad, pad_starts, k % pad_count, k % pad_count + 1));
    if (left) {
      s->append(fill);
      s->append(v);
    } else {
      s->append(v);
      s->append(fill);
    }
    return Status::OK();
  });
}

Status ReverseKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) {
    std::string_view v = a[0].GetString(i);
    const std::vector<size_t> starts = CharStarts(v);
    for (size_t k = starts.size() - 1; k > 0; --k) s->append(v.substr(starts[k - 1], starts[k] - starts[k - 1]));
    return Status::OK();
  });
}

Status RepeatKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) -> Status {
    std::string_view v = a[0].GetString(i);
    const int64_t k = a[1].Get<int64_t>(i);
    if (k <= 0 || v.empty()) return Status::OK();
    if (static_cast<uint64_t>(k) > (uint64_t{1} << 30) / v.size())
      return Status::InvalidArgument("REPEAT: the result would be larger than 1 GiB");
    for (int64_t r = 0; r < k; ++r) s->append(v);
    return Status::OK();
  });
}

// The 1-based character position of `needle` in `hay` at or after character `from` (1-based),
// 0 when it is not there.
int64_t FindChars(std::string_view hay, std::string_view needle, int64_t from = 1) {
  size_t byte = 0;
  int64_t ch = 1;
  while (ch < from && byte < hay.size()) {
    byte += CharLen(hay, byte);
    ++ch;
  }
  if (ch < from) return 0;
  const size_t at = hay.find(needle, byte);
  if (at == std::string_view::npos) return 0;
  return ch + static_cast<int64_t>(CharCount(hay.substr(byte, at - byte)));
}

// STRPOS(s, sub) (INSTR, POSITION(sub IN s)): where sub first starts in s, 0 when nowhere.
Status StrposKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return FixedRows<int64_t>(a, n, out, [&](size_t i, int64_t* v, bool*) {
    *v = FindChars(a[0].GetString(i), a[1].GetString(i));
    return Status::OK();
  });
}

// LOCATE(sub, s [, from]) (Spark): as STRPOS(s, sub) from character `from`; 0 when from < 1.
Status LocateKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return FixedRows<int64_t>(a, n, out, [&](size_t i, int64_t* v, bool*) {
    const int64_t from = a.size() > 2 ? a[2].Get<int64_t>(i) : 1;
    *v = from < 1 ? 0 : FindChars(a[1].GetString(i), a[0].GetString(i), from);
    return Status::OK();
  });
}

Status AffixKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool starts = e.op == "STARTS_WITH", contains = e.op == "CONTAINS";
  return FixedRows<uint8_t>(a, n, out, [&](size_t i, uint8_t* v, bool*) {
    std::string_view s = a[0].GetString(i), x = a[1].GetString(i);
    if (contains) *v = s.find(x) != std::string_view::npos;
    else *v = s.size() >= x.size() && (starts ? s.substr(0, x.size()) == x : s.substr(s.size() - x.size()) == x);
    return Status::OK();
  });
}

// CHR(code point) -> the character; ASCII(s) -> the code point of its first character (0 for '').
Status ChrKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) -> Status {
    const int64_t cp = a[0].Get<int64_t>(i);
    if (cp < 0 || cp > 0x10FFFF || !utf8proc_codepoint_valid(static_cast<utf8proc_int32_t>(cp)))
      return Status::InvalidArgument("CHR: " + std::to_string(cp) + " is not a Unicode code point");
    PutCodePoint(static_cast<int32_t>(cp), s);
    return Status::OK();
  });
}

Status AsciiKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return FixedRows<int32_t>(a, n, out, [&](size_t i, int32_t* v, bool*) {
    std::string_view s = a[0].GetString(i);
    *v = s.empty() ? 0 : CodePoint(s, 0, CharLen(s, 0));
    if (*v < 0) *v = static_cast<unsigned char>(s[0]);
    return Status::OK();
  });
}

// TRANSLATE(s, from, to): each character of s found in `from` replaced by the one at the same
// place in `to`, or dropped when `to` is shorter.
Status TranslateKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool*) {
    std::string_view v = a[0].GetString(i), from = a[1].GetString(i), to = a[2].GetString(i);
    const std::vector<size_t> fs = CharStarts(from), ts = CharStarts(to);
    for (size_t k = 0; k < v.size();) {
      const size_t len = CharLen(v, k);
      const std::string_view ch = v.substr(k, len);
      size_t at = 0;
      while (at + 1 < fs.size() && from.substr(fs[at], fs[at + 1] - fs[at]) != ch) ++at;
      if (at + 1 >= fs.size()) s->append(ch);
      else if (at + 1 < ts.size()) s->append(to.substr(ts[at], ts[at + 1] - ts[at]));
      k += len;
    }
    return Status::OK();
  });
}

// Binds f(STRING args...) -> `result`: every argument from `first_int` on is an integer, the
// others strings.
Result<BExprPtr> BindStrings(FunctionCall& c, const ScalarFunction& f, size_t lo, size_t hi, DataType result,
                             std::vector<size_t> ints = {}) {
  WH_RETURN_IF_ERROR(c.Arity(lo, hi));
  for (size_t i = 0; i < c.size(); ++i) {
    if (std::find(ints.begin(), ints.end(), i) != ints.end()) WH_RETURN_IF_ERROR(c.ToInteger(i));
    else WH_RETURN_IF_ERROR(c.ToString(i));
  }
  return c.Make(f, result);
}

}  // namespace

void RegisterStringFunctions(FunctionRegistry* r) {
  const DataType S = DataType::String(), I = DataType::Int64();
  auto strings = [](size_t lo, size_t hi, DataType t, std::vector<size_t> ints = {}) {
    return [=](FunctionCall& c, const ScalarFunction& f) { return BindStrings(c, f, lo, hi, t, ints); };
  };
  r->Add({"LOWER", {"LCASE"}, "(s STRING) -> STRING", "s in lower case (Unicode)", strings(1, 1, S), CaseKernel<false>});
  r->Add({"UPPER", {"UCASE"}, "(s STRING) -> STRING", "s in upper case (Unicode)", strings(1, 1, S), CaseKernel<true>});
  r->Add({"INITCAP", {}, "(s STRING) -> STRING", "each word's first letter upper case, the others lower (Spark)",
          strings(1, 1, S), InitcapKernel});
  for (const char* name : {"TRIM", "LTRIM", "RTRIM"})
    r->Add({name, {}, "(s STRING [, characters STRING]) -> STRING",
            std::string("s without the given characters (default: spaces) at ") +
                (std::string(name) == "TRIM" ? "either end" : std::string(name) == "LTRIM" ? "the start" : "the end"),
            strings(1, 2, S), TrimKernel});
  r->Add({"LENGTH", {"CHAR_LENGTH", "CHARACTER_LENGTH", "LEN"}, "(s STRING) -> BIGINT",
          "the number of characters of s (of a list: its number of elements)",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            if (c.size() == 1 && c.type(0).is_list()) {
              const ScalarFunction* list_length = FindScalarFunction("ARRAY_LENGTH");
              return list_length->bind(c, *list_length);
            }
            return BindStrings(c, f, 1, 1, DataType::Int64());
          },
          LengthKernel});
  r->Add({"OCTET_LENGTH", {"STRLEN"}, "(s STRING) -> BIGINT", "the number of bytes of s (UTF-8)", strings(1, 1, I),
          OctetLengthKernel});
  r->Add({"SUBSTRING", {"SUBSTR"}, "(s STRING, start BIGINT [, length BIGINT]) -> STRING",
          "length characters of s from start (1-based; negative: from the end)", strings(2, 3, S, {1, 2}),
          SubstringKernel});
  r->Add({"LEFT", {}, "(s STRING, n BIGINT) -> STRING", "the first n characters (n < 0: all but the last -n)",
          strings(2, 2, S, {1}), LeftRightKernel});
  r->Add({"RIGHT", {}, "(s STRING, n BIGINT) -> STRING", "the last n characters (n < 0: all but the first -n)",
          strings(2, 2, S, {1}), LeftRightKernel});
  r->Add({"REPLACE", {}, "(s, from, to STRING) -> STRING", "s with every occurrence of from replaced by to",
          strings(3, 3, S), ReplaceKernel});
  r->Add({"CONCAT", {}, "(x, ...) -> STRING", "the arguments as text, one after another; NULLs are skipped",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 1000));
            for (size_t i = 0; i < c.size(); ++i) WH_RETURN_IF_ERROR(c.ToString(i));
            return c.Make(f, DataType::String(), false);
          },
          ConcatKernel});
  r->Add({"CONCAT_NULL", {}, "(a, b STRING) -> STRING", "a || b", strings(2, 2, S), ConcatNullKernel, true});
  r->Add({"CONCAT_WS", {}, "(separator, x, ...) -> STRING",
          "the non-NULL arguments as text joined by separator (NULL when separator is)",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 1000));
            for (size_t i = 0; i < c.size(); ++i) WH_RETURN_IF_ERROR(c.ToString(i));
            return c.Make(f, DataType::String(), c.args[0]->nullable);
          },
          ConcatWsKernel});
  r->Add({"STRING_SPLIT", {"SPLIT", "STR_SPLIT", "STRING_TO_ARRAY"}, "(s, delimiter STRING) -> STRING[]",
          "the fields of s between the delimiters, as a list (DuckDB's: the delimiter is text, not a pattern; '': "
          "the characters)",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(2, 2));
            WH_RETURN_IF_ERROR(c.ToString(0));
            WH_RETURN_IF_ERROR(c.ToString(1));
            return c.Make(f, DataType::List(DataType::String()), c.args[0]->nullable);
          },
          StringSplitKernel});
  r->Add({"SPLIT_PART", {}, "(s, delimiter STRING, k BIGINT) -> STRING",
          "the k-th field of s cut at delimiter (negative: from the end); '' when there is none",
          strings(3, 3, S, {2}), SplitPartKernel});
  r->Add({"LPAD", {}, "(s STRING, length BIGINT, pad STRING) -> STRING",
          "s padded on the left with pad repeated, or cut, to length characters", strings(3, 3, S, {1}), PadKernel});
  r->Add({"RPAD", {}, "(s STRING, length BIGINT, pad STRING) -> STRING",
          "s padded on the right with pad repeated, or cut, to length characters", strings(3, 3, S, {1}), PadKernel});
  r->Add({"REVERSE", {}, "(s STRING) -> STRING", "the characters of s in reverse order", strings(1, 1, S),
          ReverseKernel});
  r->Add({"REPEAT", {}, "(s STRING, n BIGINT) -> STRING", "s repeated n times", strings(2, 2, S, {1}), RepeatKernel});
  r->Add({"STRPOS", {"INSTR"}, "(s, sub STRING) -> BIGINT",
          "the position (1-based, in characters) where sub first starts in s, 0 when it does not; also "
          "POSITION(sub IN s)",
          strings(2, 2, I), StrposKernel});
  r->Add({"LOCATE", {}, "(sub, s STRING [, from BIGINT]) -> BIGINT",
          "Spark's LOCATE (and POSITION(sub, s [, from])): the position of sub in s at or after character from, 0 when none", strings(2, 3, I, {2}),
          LocateKernel});
  r->Add({"CONTAINS", {}, "(s, part STRING) -> BOOLEAN", "whether part occurs in s", strings(2, 2, DataType::Boolean()),
          AffixKernel});
  r->Add({"STARTS_WITH", {"STARTSWITH"}, "(s, prefix STRING) -> BOOLEAN", "whether s starts with prefix",
          strings(2, 2, DataType::Boolean()), AffixKernel});
  r->Add({"ENDS_WITH", {"ENDSWITH", "SUFFIX"}, "(s, suffix STRING) -> BOOLEAN", "whether s ends with suffix",
          strings(2, 2, DataType::Boolean()), AffixKernel});
  r->Add({"CHR", {"CHAR"}, "(code BIGINT) -> STRING", "the character of a Unicode code point",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 1));
            WH_RETURN_IF_ERROR(c.ToInteger(0));
            return c.Make(f, DataType::String());
          },
          ChrKernel});
  r->Add({"ASCII", {"ORD"}, "(s STRING) -> INT", "the code point of the first character of s (0 for '')",
          strings(1, 1, DataType::Int32()), AsciiKernel});
  r->Add({"TRANSLATE", {}, "(s, from, to STRING) -> STRING",
          "each character of s that is in from replaced by the one at its place in to (dropped past its end)",
          strings(3, 3, S), TranslateKernel});
}

}  // namespace wh
