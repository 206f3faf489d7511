#include "query/result.h"

#include "parquet/writer.h"
#include "query/list.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <charconv>
#include <cmath>
#include <cstring>
#include <set>
#include <sstream>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <functional>
#include <thread>
#include <type_traits>

namespace wh {

Result<OutputFormat> ParseOutputFormat(const std::string& n) {
  if (n == "table") return OutputFormat::kTable;
  if (n == "csv") return OutputFormat::kCsv;
  if (n == "tsv") return OutputFormat::kTsv;
  if (n == "json") return OutputFormat::kJson;
  if (n == "jsonl") return OutputFormat::kJsonl;
  if (n == "markdown" || n == "md") return OutputFormat::kMarkdown;
  if (n == "parquet") return OutputFormat::kParquet;
  return Status::InvalidArgument("unknown output format '" + n +
                                 "' (expected table, csv, tsv, json, jsonl, markdown or parquet)");
}

std::optional<OutputFormat> OutputFormatOfPath(const std::string& path) {
  const size_t dot = path.rfind('.');
  const size_t slash = path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return std::nullopt;
  std::string ext = path.substr(dot + 1);
  for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == "csv") return OutputFormat::kCsv;
  if (ext == "tsv" || ext == "tab") return OutputFormat::kTsv;
  if (ext == "json") return OutputFormat::kJson;
  if (ext == "jsonl" || ext == "ndjson") return OutputFormat::kJsonl;
  if (ext == "md" || ext == "markdown") return OutputFormat::kMarkdown;
  if (ext == "parquet") return OutputFormat::kParquet;
  return std::nullopt;
}

Column StringColumn(const std::vector<std::string>& v) {
  Column c(DataType::String());
  for (const auto& s : v) {
    if (s.empty()) c.AppendNull();  // nothing to say (a DESCRIBE comment): NULL, not ''
    else c.AppendString(s);
  }
  return c;
}

Column Int64Column(const std::vector<int64_t>& v) {
  Column c(DataType::Int64());
  for (auto x : v) c.Append<int64_t>(x);
  return c;
}

size_t ResultSet::rows() const {
  if (!columns.empty()) return columns[0].size();
  size_t n = 0;
  for (const auto& chunk : chunks)
    if (!chunk.empty()) n += chunk[0].size();
  return n;
}

void ResultSet::Flatten() {
  if (chunks.empty()) return;
  const size_t nc = chunks[0].size();
  columns.clear();
  for (size_t c = 0; c < nc; ++c) {
    if (!order_chunk.empty()) {
      std::vector<const Column*> srcs;
      for (const auto& chunk : chunks) srcs.push_back(&chunk[c]);
      columns.emplace_back(chunks[0][c].type());
      columns.back().AppendGathered(srcs, order_chunk.data(), order_row.data(), order_row.size());
    } else {
      columns.push_back(std::move(chunks[0][c]));
      for (size_t k = 1; k < chunks.size(); ++k) columns[c].AppendRange(chunks[k][c], 0, chunks[k][c].size());
    }
  }
  chunks.clear();
  order_chunk.clear();
  order_row.clear();
}

std::string ValueToText(const Column& c, size_t i, const char* null_text) {
  if (c.IsNull(i)) return null_text;
  const DataType& t = c.type();
  switch (t.id) {
    case TypeId::kBoolean: return c.Get<uint8_t>(i) ? "true" : "false";
    case TypeId::kInt32: return std::to_string(c.Get<int32_t>(i));
    case TypeId::kInt64: return std::to_string(c.Get<int64_t>(i));
    case TypeId::kDouble: return FormatDouble(c.Get<double>(i));
    case TypeId::kDecimal:
      return FormatDecimal(t.physical() == PhysicalType::kInt64 ? c.Get<int64_t>(i) : c.Get<int128>(i),
                           t.scale);
    case TypeId::kString: return std::string(c.GetString(i));
    case TypeId::kDate: return FormatDate(c.Get<int32_t>(i));
    case TypeId::kTimestamp: return FormatTimestamp(c.Get<int64_t>(i));
    case TypeId::kList: return ListText(c.GetString(i), t.element());
  }
  return "?";
}

std::string JsonValue(const Column& c, size_t i) {
  if (c.IsNull(i)) return "null";
  switch (c.type().id) {
    case TypeId::kBoolean:
    case TypeId::kInt32:
    case TypeId::kInt64:
      return ValueToText(c, i, "");
    case TypeId::kDouble: {
      double d = c.Get<double>(i);
      if (d != d || d - d != 0) return JsonString(FormatDouble(d));  // NaN / Infinity
      return FormatDouble(d);
    }
    case TypeId::kDecimal:  // exact: as a JSON number with its scale
      return ValueToText(c, i, "");
    case TypeId::kList: return ListJson(c.GetString(i), c.type().element());
    default:
      return JsonString(ValueToText(c, i, ""));
  }
}

namespace {

std::string CsvQuote(const std::string& s, char delim) {
  if (!s.empty() && s.find_first_of(std::string("\"\r\n") + delim) == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) {
    if (c == '"') o += '"';
    o += c;
  }
  return o + "\"";
}

// Row i of `cols` as one JSON object, keys in order: a JSON array's element or a JSON line.
void AppendJsonObject(const std::vector<std::string>& names, const std::vector<Column>& cols, size_t i,
                      std::string* out) {
  *out += "{";
  for (size_t c = 0; c < cols.size(); ++c) *out += (c ? "," : "") + JsonString(names[c]) + ":" + JsonValue(cols[c], i);
  *out += "}";
}

size_t DisplayWidth(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

bool RightAlign(const DataType& t) {
  return t.id == TypeId::kInt32 || t.id == TypeId::kInt64 || t.id == TypeId::kDouble ||
         t.id == TypeId::kDecimal;
}

// The CSV writer's inner loop writes through a raw pointer into a buffer sized beforehand by
// CsvRowBound, so no value pays for a capacity check; the common types need no temporary strings.
// The longest text PutCsvValue writes for a non-string value of type t (fallbacks included).
size_t CsvTextBound(const DataType& t) {
  switch (t.id) {
    case TypeId::kBoolean: return 5;
    case TypeId::kInt32: return 11;
    case TypeId::kInt64: return 20;
    case TypeId::kDecimal: return size_t{t.precision} + 3;  // sign, point, leading zero
    case TypeId::kDate: return 24;
    default: return 64;
  }
}

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// The two digits of v < 100 (a leading zero included).
inline char* PutDigits2(char* p, unsigned v) {
  std::memcpy(p, kDigitPairs + 2 * v, 2);
  return p + 2;
}

char* PutText(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

char* PutDate(char* p, int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 1000 || y > 9999) return PutText(p, FormatDate(static_cast<int32_t>(days)));
  p = std::to_chars(p, p + 8, y).ptr;
  *p++ = '-';
  p = PutDigits2(p, m);
  *p++ = '-';
  return PutDigits2(p, d);
}

// An empty string is written "" (an empty field is NULL, as ingest reads CSV).
char* PutQuoted(char* p, std::string_view v, char delim) {
  bool quote = v.empty();
  for (char ch : v) quote |= ch == '"' || ch == '\n' || ch == '\r' || ch == delim;
  if (!quote) return PutText(p, v);
  *p++ = '"';
  for (char ch : v) {
    if (ch == '"') *p++ = '"';
    *p++ = ch;
  }
  *p++ = '"';
  return p;
}

// Exactly 8 digits of x < 10^8, zeros in front.
inline void Put8Digits(char* p, uint32_t x) {
  const uint32_t hi = x / 10000, lo = x % 10000;
  PutDigits2(p, hi / 100);
  PutDigits2(p + 2, hi % 100);
  PutDigits2(p + 4, lo / 100);
  PutDigits2(p + 6, lo % 100);
}

// The digits of x < 10^8, two at a time from the back.
inline char* PutSmallUnsigned(char* p, uint32_t x) {
  const int n = x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10000 ? 4 : x < 100000 ? 5
              : x < 1000000 ? 6 : x < 10000000 ? 7 : 8;
  char* const end = p + n;
  char* q = end;
  while (x >= 100) {
    q -= 2;
    PutDigits2(q, x % 100);
    x /= 100;
  }
  if (x >= 10) PutDigits2(q - 2, x);
  else q[-1] = static_cast<char>('0' + x);
  return end;
}

// The digits of u, as std::to_chars writes them, about twice as fast for the 19-digit user ids
// of a report: split into parts of 8 digits whose 32-bit conversions do not depend on each
// other (to_chars divides the whole 64-bit number by 100 nine times in a chain).
inline char* PutUnsigned(char* p, uint64_t u) {
  if (u < 100000000) return PutSmallUnsigned(p, static_cast<uint32_t>(u));
  if (u < 10000000000000000ULL) {
    p = PutSmallUnsigned(p, static_cast<uint32_t>(u / 100000000));
    Put8Digits(p, static_cast<uint32_t>(u % 100000000));
    return p + 8;
  }
  const uint64_t rest = u % 10000000000000000ULL;
  p = PutSmallUnsigned(p, static_cast<uint32_t>(u / 10000000000000000ULL));
  Put8Digits(p, static_cast<uint32_t>(rest / 100000000));
  Put8Digits(p + 8, static_cast<uint32_t>(rest % 100000000));
  return p + 16;
}

// An integer's digits; counts (the common values below 100) without a branch on their length:
// both digit places are written (the buffer has room for any integer), and the pointer moves
// by one or two.
template <typename T>
char* PutInt(char* p, T v) {
  const auto u = static_cast<std::make_unsigned_t<T>>(v);
  if (u < 100) {
    const unsigned x = static_cast<unsigned>(u), two = x >= 10;
    p[0] = static_cast<char>('0' + (two ? x / 10 : x));
    p[1] = static_cast<char>('0' + x % 10);
    return p + 1 + two;
  }
  if (v < 0) {
    *p++ = '-';
    return PutUnsigned(p, 0 - static_cast<uint64_t>(static_cast<int64_t>(v)));
  }
  return PutUnsigned(p, static_cast<uint64_t>(v));
}

// FormatDouble's text (DuckDB's) of the doubles reports are full of (averages such as
// 354086.5, 17.0 or 2.25), without the general shortest-digits algorithm (~40 ns a value):
// magnitudes in [1, 1e15) that are a decimal of at most 4 places. Such a decimal has at most 15
// significant digits, and no other decimal of at most 15 digits rounds to the same double
// (DBL_DIG), so its digits are the shortest; it is written fixed, a whole number with ".0".
// Returns nullptr for any other value.
char* PutShortDouble(char* p, double v) {
  const double a = std::fabs(v);
  if (!(a >= 1.0 && a < 1e15)) return nullptr;
  static constexpr double kScale[] = {1, 10, 100, 1000, 10000};
  for (int k = 0; k <= 4; ++k) {
    const double m = a * kScale[k];
    if (m >= 1e15) return nullptr;
    const uint64_t digits = static_cast<uint64_t>(m);
    if (static_cast<double>(digits) != m) continue;  // more places
    if (static_cast<double>(digits) / kScale[k] != a) return nullptr;  // that decimal is not v
    char b[24];
    int len = static_cast<int>(std::to_chars(b, b + sizeof b, digits).ptr - b);
    // Places that are zeros go (a product can round to an integer one place late).
    for (; k > 0 && b[len - 1] == '0'; --k) --len;
    if (v < 0) *p++ = '-';
    std::memcpy(p, b, static_cast<size_t>(len - k));
    p += len - k;
    *p++ = '.';
    if (k > 0) {
      std::memcpy(p, b + len - k, static_cast<size_t>(k));
      p += k;
    } else {
      *p++ = '0';
    }
    return p;
  }
  return nullptr;
}

char* PutCsvValueRest(char* p, const Column& c, size_t i, char delim);

// Writes the text of row i of c (CSV flavour: NULL is nothing); returns the new end. Inlined
// into the row loop for the common types (a call per value cost as much as formatting a small
// count); the others are formatted out of line.
inline __attribute__((always_inline)) char* PutCsvValue(char* p, const Column& c, size_t i, char delim) {
  if (c.IsNull(i)) return p;
  switch (c.type().id) {
    case TypeId::kInt32: return PutInt(p, c.Get<int32_t>(i));
    case TypeId::kInt64: return PutInt(p, c.Get<int64_t>(i));
    case TypeId::kString: return PutQuoted(p, c.GetString(i), delim);
    default: return PutCsvValueRest(p, c, i, delim);
  }
}

// PutCsvValue for the types it does not inline (row i is not NULL).
__attribute__((noinline)) char* PutCsvValueRest(char* p, const Column& c, size_t i, char delim) {
  const DataType& t = c.type();
  switch (t.id) {
    case TypeId::kBoolean: return PutText(p, c.Get<uint8_t>(i) ? "true" : "false");
    case TypeId::kDouble: {
      double v = c.Get<double>(i);
      if (char* q = PutShortDouble(p, v)) return q;
      break;
    }
    case TypeId::kDecimal: {
      int128 wide = t.physical() == PhysicalType::kInt64 ? c.Get<int64_t>(i) : c.Get<int128>(i);
      if (wide <= INT64_MIN || wide > INT64_MAX) break;
      int64_t v = static_cast<int64_t>(wide);
      uint64_t a = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
      char b[24];
      size_t len = static_cast<size_t>(PutUnsigned(b, a) - b);
      if (v < 0) *p++ = '-';
      if (t.scale == 0) return PutText(p, std::string_view(b, len));
      if (len > t.scale) {
        p = PutText(p, std::string_view(b, len - t.scale));
        *p++ = '.';
        return PutText(p, std::string_view(b + len - t.scale, t.scale));
      }
      *p++ = '0';
      *p++ = '.';
      std::memset(p, '0', t.scale - len);
      p += t.scale - len;
      return PutText(p, std::string_view(b, len));
    }
    case TypeId::kDate: return PutDate(p, c.Get<int32_t>(i));
    case TypeId::kTimestamp: {
      int64_t us = c.Get<int64_t>(i);
      int32_t day = TimestampToDate(us);
      int64_t in_day = us - static_cast<int64_t>(day) * kMicrosPerDay;
      if (in_day % kMicrosPerSecond != 0) break;
      int64_t sec = in_day / kMicrosPerSecond;
      p = PutDate(p, day);
      *p++ = ' ';
      p = PutDigits2(p, static_cast<unsigned>(sec / 3600));
      *p++ = ':';
      p = PutDigits2(p, static_cast<unsigned>(sec / 60 % 60));
      *p++ = ':';
      return PutDigits2(p, static_cast<unsigned>(sec % 60));
    }
    default: break;
  }
  return PutQuoted(p, ValueToText(c, i, ""), delim);
}

// Walks rows [begin, end) of a result in order, calling f(columns, row) for each.
class RowWalk {
 public:
  // Rows of `parts` (each a set of columns) in turn, or, with `which`, row i is rows[i] of
  // parts[which[i]].
  RowWalk(std::vector<const std::vector<Column>*> parts, const uint16_t* which, const uint32_t* rows)
      : parts_(std::move(parts)), which_(which), rows_(rows) {
    start_.push_back(0);
    for (const auto* p : parts_) start_.push_back(start_.back() + (p->empty() ? 0 : (*p)[0].size()));
  }
  explicit RowWalk(const ResultSet& rs)
      : RowWalk(Parts(rs), rs.order_chunk.empty() ? nullptr : rs.order_chunk.data(), rs.order_row.data()) {}

  template <typename F>
  void Run(size_t begin, size_t end, F&& f) const {
    RunIndexed(begin, end, [&](size_t part, size_t row) { f(*parts_[part], row); });
  }
  // As Run, f(part index, row).
  template <typename F>
  void RunIndexed(size_t begin, size_t end, F&& f) const {
    if (which_) {
      for (size_t i = begin; i < end; ++i) f(which_[i], rows_[i]);
      return;
    }
    size_t k = static_cast<size_t>(std::upper_bound(start_.begin(), start_.end(), begin) - start_.begin()) - 1;
    for (size_t i = begin; i < end; ++k) {
      const size_t stop = std::min(end, start_[k + 1]);
      for (; i < stop; ++i) f(k, i - start_[k]);
    }
  }
  const std::vector<const std::vector<Column>*>& parts() const { return parts_; }

 private:
  static std::vector<const std::vector<Column>*> Parts(const ResultSet& rs) {
    if (!rs.columns.empty() || rs.chunks.empty()) return {&rs.columns};
    std::vector<const std::vector<Column>*> parts;
    for (const auto& chunk : rs.chunks) parts.push_back(&chunk);
    return parts;
  }

  std::vector<const std::vector<Column>*> parts_;
  const uint16_t* which_;
  const uint32_t* rows_;
  std::vector<size_t> start_;
};

// An upper bound of the CSV text of one row: strings at worst double (quotes) plus two, every
// other value within CsvTextBound, delimiters and the newline. A list's text is at most 6
// characters per byte of its encoding (query/list.h: a NULL element is 1 byte and "NULL, ", a
// string element of n bytes is n + 3 and at most 2n + 4 quoted and escaped), plus the
// brackets, and doubles again in CSV quotes.
class CsvRowBound {
 public:
  explicit CsvRowBound(const std::vector<Column>& cols) : fixed_(cols.size() + 1) {
    for (size_t c = 0; c < cols.size(); ++c) {
      if (cols[c].type().physical() == PhysicalType::kString) strings_.push_back({c, cols[c].type().is_list() ? 12u : 2u});
      else fixed_ += CsvTextBound(cols[c].type());
    }
  }
  size_t operator()(const std::vector<Column>& cols, size_t i) const {
    size_t b = fixed_;
    for (auto [c, per_byte] : strings_) b += per_byte * size_t{cols[c].offsets()[i + 1] - cols[c].offsets()[i]} + 6;
    return b;
  }

 private:
  size_t fixed_;
  std::vector<std::pair<size_t, unsigned>> strings_;  // column, bound of text bytes per byte
};

char* PutCsvRow(char* p, const std::vector<Column>& cols, size_t i, char d) {
  for (size_t c = 0; c < cols.size(); ++c) {
    if (c) *p++ = d;
    p = PutCsvValue(p, cols[c], i, d);
  }
  *p++ = '\n';
  return p;
}

}  // namespace

std::vector<Column> FormatCsvLines(const std::vector<const std::vector<Column>*>& parts, const uint16_t* which,
                                   const uint32_t* rows, size_t n, char delim) {
  std::vector<Column> out;
  if (n == 0 || parts.empty()) return out;
  const RowWalk walk(parts, which, rows);
  const CsvRowBound bound(*parts[0]);
  // STRING offsets are 32 bits: a column takes rows while their bound stays under 1 GiB.
  constexpr size_t kMaxText = size_t{1} << 30;
  for (size_t begin = 0; begin < n;) {
    size_t end = begin, bytes = 0;
    walk.Run(begin, n, [&](const std::vector<Column>& cols, size_t i) {
      if (end > begin && bytes >= kMaxText) return;
      bytes += bound(cols, i);
      ++end;
    });
    // Written into a scratch buffer of the bound's size (kept by the thread, never zeroed) and
    // copied out at its true size.
    thread_local Buffer scratch;
    char* const base = scratch.Rewrite<char>(bytes);
    std::vector<uint32_t> offsets(end - begin + 1, 0);
    char* p = base;
    size_t k = 0;
    walk.Run(begin, end, [&](const std::vector<Column>& cols, size_t i) {
      p = PutCsvRow(p, cols, i, delim);
      offsets[++k] = static_cast<uint32_t>(p - base);
    });
    std::string text(base, static_cast<size_t>(p - base));
    Column c(DataType::String());
    c.SetStrings(std::move(offsets), std::move(text));
    out.push_back(std::move(c));
    begin = end;
  }
  return out;
}

namespace {

// The format a result prints in: the one its rows were formatted for, if they were.
OutputFormat FormatOf(const ResultSet& rs, OutputFormat f) {
  if (!rs.text_delimiter) return f;
  return rs.text_delimiter == '\t' ? OutputFormat::kTsv : OutputFormat::kCsv;
}

std::string CsvHeader(const ResultSet& rs, char d) {
  std::string h;
  for (size_t c = 0; c < rs.names.size(); ++c) h += (c ? std::string(1, d) : "") + CsvQuote(rs.names[c], d);
  return h + "\n";
}

// Formats the rows of rs as CSV / TSV in blocks of 64K rows on all cores and passes each block
// to put(data, size, offset), offset counting from the first row. With `ordered`, put is called
// by this thread in block order (a stream); without, by the worker that formatted the block as
// soon as the blocks before it have sizes, so positional writes of the blocks overlap.
Status WriteCsvBlocks(const ResultSet& rs, char d, bool ordered,
                      const std::function<Status(const char*, size_t, uint64_t)>& put, uint64_t* written) {
  struct Text {
    std::unique_ptr<char[]> data;  // not zeroed: written once, front to back
    size_t size = 0;
    size_t capacity = 0;
  };
  const size_t n = rs.rows();
  const RowWalk walk(rs);
  const bool lines = rs.text_delimiter != 0;  // rows formatted already: copy the lines
  const CsvRowBound bound(*walk.parts()[0]);
  // Formatted lines: each part's line offsets and bytes, read directly.
  struct Lines {
    const uint32_t* offsets;
    const char* chars;
    const char* chars_end;
  };
  std::vector<Lines> parts_lines;
  size_t line_bytes = 0, line_rows = 0;
  if (lines)
    for (const auto* part : walk.parts()) {
      const Column& c = part->back();
      parts_lines.push_back(Lines{c.offsets().data(), c.chars().data(), c.chars().data() + c.chars().size()});
      line_bytes += c.chars().size();
      line_rows += c.size();
    }
  // Copies the lines of rows [begin, end) in one pass, the buffer grown when they outrun it.
  // A line of up to 64 bytes with 64 readable bytes behind it and room for 64 goes as two
  // fixed 32-byte moves (the next line overwrites what spills past its end) instead of a
  // memcpy call of a varying size.
  auto copy_lines = [&](size_t begin, size_t end, Text* buf) {
    if (buf->capacity == 0) {  // about the average line, and some
      const size_t want = (end - begin) * (line_bytes / std::max<size_t>(line_rows, 1) + 1) * 9 / 8 + 4096;
      buf->data.reset(new char[want]);
      buf->capacity = want;
    }
    char* p = buf->data.get();
    char* limit = p + buf->capacity;
    walk.RunIndexed(begin, end, [&](size_t part, size_t row) {
      const Lines& l = parts_lines[part];
      const char* src = l.chars + l.offsets[row];
      const size_t len = l.offsets[row + 1] - l.offsets[row];
      if (len <= 64 && l.chars_end - src >= 64 && limit - p >= 64) {
        std::memcpy(p, src, 32);
        std::memcpy(p + 32, src + 32, 32);
        p += len;
        return;
      }
      if (static_cast<size_t>(limit - p) < len) {
        const size_t used = static_cast<size_t>(p - buf->data.get());
        const size_t want = std::max(2 * buf->capacity, used + len);
        std::unique_ptr<char[]> bigger(new char[want]);
        std::memcpy(bigger.get(), buf->data.get(), used);
        buf->data = std::move(bigger);
        buf->capacity = want;
        p = buf->data.get() + used;
        limit = buf->data.get() + want;
      }
      std::memcpy(p, src, len);
      p += len;
    });
    buf->size = static_cast<size_t>(p - buf->data.get());
  };
  auto format = [&](size_t begin, size_t end, Text* buf) {
    if (lines) {
      copy_lines(begin, end, buf);
      return;
    }
    size_t bytes = 0;
    walk.Run(begin, end, [&](const std::vector<Column>& cols, size_t i) { bytes += bound(cols, i); });
    if (bytes > buf->capacity) {
      buf->data.reset(new char[bytes]);
      buf->capacity = bytes;
    }
    char* p = buf->data.get();
    walk.Run(begin, end, [&](const std::vector<Column>& cols, size_t i) { p = PutCsvRow(p, cols, i, d); });
    buf->size = static_cast<size_t>(p - buf->data.get());
  };
  constexpr size_t kBlock = 65536;
  const size_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<Text> texts(blocks);
  std::vector<uint8_t> done(blocks, 0);
  std::vector<uint64_t> start(blocks + 1, 0);  // known for k <= placed
  size_t placed = 0;
  Status failed;
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<size_t> next{0};
  auto work = [&] {
    // Unordered, a worker writes each block it formats before taking the next: one buffer
    // serves all its blocks (fresh ones cost a page fault per 4 KiB).
    Text mine;
    for (size_t k; (k = next++) < blocks;) {
      Text& text = ordered ? texts[k] : mine;
      // Out of memory: the block stays empty and the error is the result (the ordered writer
      // waits for every block to be done).
      Status formatted = CatchAll([&] { format(k * kBlock, std::min(n, (k + 1) * kBlock), &text); });
      if (!formatted.ok()) {
        text.size = 0;
        std::lock_guard<std::mutex> lock(mu);
        if (failed.ok()) failed = formatted;
      }
      if (ordered) {
        std::lock_guard<std::mutex> lock(mu);
        done[k] = 1;
        cv.notify_all();
        continue;
      }
      uint64_t at;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return placed == k; });
        at = start[k];
        start[k + 1] = at + text.size;
        placed = k + 1;
        cv.notify_all();
      }
      Status s = put(text.data.get(), text.size, at);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (failed.ok()) failed = s;
      }
    }
  };
  const size_t threads = std::min<size_t>(blocks, std::max(1u, std::thread::hardware_concurrency()));
  std::vector<Thread> pool;
  for (size_t k = 0; k < threads; ++k) pool.emplace_back(work);
  // Ordered: this thread writes each block as soon as it and every block before it are done, so
  // formatting and writing overlap.
  uint64_t at = 0;
  for (size_t k = 0; ordered && k < blocks; ++k) {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return done[k] != 0; });
    }
    Status s = put(texts[k].data.get(), texts[k].size, at);
    at += texts[k].size;
    texts[k] = Text{};
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      if (failed.ok()) failed = s;
    }
  }
  for (auto& t : pool) t.Join();
  if (written) *written = ordered ? at : start[placed];
  return failed;
}

}  // namespace

void PrintResult(const ResultSet& rs, OutputFormat f, std::ostream& out) {
  const size_t n = rs.rows(), nc = rs.names.size();
  f = FormatOf(rs, f);
  if (f == OutputFormat::kParquet) {
    auto w = ResultWriter::ToStream(&out, f);
    Status st = w->Whole(rs);
    if (st.ok()) st = w->Close();
    if (!st.ok()) out << st.message() << '\n';
    return;
  }
  if (!rs.chunks.empty() && f != OutputFormat::kCsv && f != OutputFormat::kTsv) {
    ResultSet flat = rs;  // the other formats read `columns`
    flat.Flatten();
    PrintResult(flat, f, out);
    return;
  }
  if (rs.plain_text && nc == 1 &&
      (f == OutputFormat::kTable || f == OutputFormat::kCsv || f == OutputFormat::kTsv)) {
    for (size_t i = 0; i < n; ++i) out << rs.columns[0].GetString(i) << '\n';
    return;
  }
  switch (f) {
    case OutputFormat::kCsv:
    case OutputFormat::kTsv: {
      char d = f == OutputFormat::kCsv ? ',' : '\t';
      out << CsvHeader(rs, d);
      Status st = WriteCsvBlocks(
          rs, d, true,
          [&](const char* data, size_t size, uint64_t) {
            out.write(data, static_cast<std::streamsize>(size));
            return Status::OK();
          },
          nullptr);
      (void)st;  // an ostream keeps its own error state
      break;
    }
    case OutputFormat::kJson:
    case OutputFormat::kJsonl: {
      bool array = f == OutputFormat::kJson;
      if (array) out << "[";
      std::string object;
      for (size_t i = 0; i < n; ++i) {
        if (array) out << (i ? ",\n " : "\n ");
        object.clear();
        AppendJsonObject(rs.names, rs.columns, i, &object);
        out << object;
        if (!array) out << "\n";
      }
      if (array) out << (n ? "\n]\n" : "]\n");
      break;
    }
    case OutputFormat::kTable:
    case OutputFormat::kMarkdown: {
      std::vector<std::vector<std::string>> cells(n, std::vector<std::string>(nc));
      std::vector<size_t> width(nc);
      // A cell is one line: a line break in a value is shown as \n (and \r, \t), a | in
      // markdown as \| (it would end the cell).
      auto one_line = [&](std::string v) {
        if (v.find_first_of(f == OutputFormat::kMarkdown ? "\n\r\t|" : "\n\r\t") == std::string::npos) return v;
        std::string o;
        for (char ch : v) {
          if (ch == '\n') o += "\\n";
          else if (ch == '\r') o += "\\r";
          else if (ch == '\t') o += "\\t";
          else if (ch == '|' && f == OutputFormat::kMarkdown) o += "\\|";
          else o += ch;
        }
        return o;
      };
      for (size_t c = 0; c < nc; ++c) width[c] = DisplayWidth(rs.names[c]);
      for (size_t i = 0; i < n; ++i)
        for (size_t c = 0; c < nc; ++c) {
          cells[i][c] = one_line(ValueToText(rs.columns[c], i, "NULL"));
          width[c] = std::max(width[c], DisplayWidth(cells[i][c]));
        }
      auto pad = [&](const std::string& s, size_t c, bool right) {
        std::string sp(width[c] - DisplayWidth(s), ' ');
        return right ? sp + s : s + sp;
      };
      auto rule = [&](char corner) {
        std::string l;
        for (size_t c = 0; c < nc; ++c) {
          l += corner;
          if (corner == '|') {
            l += RightAlign(rs.columns[c].type()) ? std::string(width[c] + 1, '-') + ":"
                                                  : std::string(width[c] + 2, '-');
          } else {
            l += std::string(width[c] + 2, '-');
          }
        }
        return l + corner + "\n";
      };
      bool md = f == OutputFormat::kMarkdown;
      if (!md) out << rule('+');
      for (size_t c = 0; c < nc; ++c) out << "| " << pad(rs.names[c], c, false) << " ";
      out << "|\n" << rule(md ? '|' : '+');
      for (size_t i = 0; i < n; ++i) {
        for (size_t c = 0; c < nc; ++c)
          out << "| " << pad(cells[i][c], c, RightAlign(rs.columns[c].type())) << " ";
        out << "|\n";
      }
      if (!md) out << rule('+');
      if (!md && rs.total_rows > n) out << rs.total_rows << " rows (" << n << " shown)\n";
      else if (!md) out << n << (n == 1 ? " row\n" : " rows\n");
      break;
    }
    case OutputFormat::kParquet: break;  // written above
  }
}


std::unique_ptr<ResultWriter> ResultWriter::ToStream(std::ostream* out, OutputFormat format) {
  std::unique_ptr<ResultWriter> w(new ResultWriter());
  w->out_ = out;
  w->format_ = format;
  return w;
}

Result<std::unique_ptr<ResultWriter>> ResultWriter::ToFile(const std::string& path, OutputFormat format) {
  std::unique_ptr<ResultWriter> w(new ResultWriter());
  w->format_ = format;
  // A symlink is followed: the file it names is replaced, the link stays.
  std::string real = path;
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf)) real = buf;
  }
  w->path_ = real;
  const bool exists = ::stat(real.c_str(), &st) == 0;
  if (exists && (!S_ISREG(st.st_mode) || st.st_nlink > 1)) {
    // A FIFO, a device, a file with other names: written through, as a shell's > does.
    w->fd_ = ::open(real.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  } else {
    // A new file beside the target, renamed over it by Close(); the old file's permissions.
    w->tmp_path_ = real + ".wh-tmp-" + std::to_string(::getpid());
    const mode_t mode = exists ? (st.st_mode & 0777) : 0666;
    w->fd_ = ::open(w->tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (w->fd_ >= 0 && exists) ::fchmod(w->fd_, mode);
  }
  if (w->fd_ < 0) {
    w->tmp_path_.clear();
    return Status::IOError("cannot write '" + path + "': " + std::strerror(errno));
  }
  return w;
}

ResultWriter::~ResultWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!tmp_path_.empty()) ::unlink(tmp_path_.c_str());  // not closed: no file appears
}

Status ResultWriter::PutAt(const char* data, size_t size, uint64_t at) {
  while (size > 0) {
    ssize_t w = ::pwrite(fd_, data, size, static_cast<off_t>(at));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return Status::IOError("writing '" + path_ + "' failed: " + std::strerror(errno));
    data += w;
    size -= static_cast<size_t>(w);
    at += static_cast<uint64_t>(w);
  }
  return Status::OK();
}

Status ResultWriter::Put(const char* data, size_t size) {
  if (out_) {
    out_->write(data, static_cast<std::streamsize>(size));
  } else {
    WH_RETURN_IF_ERROR(PutAt(data, size, offset_));
  }
  offset_ += size;
  return Status::OK();
}

// The rows of rs (no header) as CSV / TSV: to a file in blocks written at their offsets by the
// threads that format them, to a stream in order.
Status ResultWriter::PutCsv(const ResultSet& rs, char d) {
  if (out_) {
    return WriteCsvBlocks(
        rs, d, true,
        [&](const char* data, size_t size, uint64_t) { return Put(data, size); }, nullptr);
  }
  uint64_t written = 0;
  const uint64_t base = offset_;
  auto put_at = [&](const char* data, size_t size, uint64_t at) { return PutAt(data, size, base + at); };
  Status st = WriteCsvBlocks(rs, d, false, put_at, &written);
  offset_ = base + written;
  return st;
}

Status ResultWriter::BeginParquet(const std::vector<std::string>& names, const std::vector<DataType>& types) {
  if (parquet_)
    return Status::InvalidArgument("a Parquet file holds one result, and '" + (path_.empty() ? "the output" : path_) +
                                   "' has one already: write each query to its own file");
  // Parquet readers match columns by name: a repeated name (SELECT * over a join) becomes
  // name_1, name_2, ... as DuckDB names repeats.
  std::vector<parquet::ColumnSpec> specs;
  std::set<std::string> used;
  auto lower = [](std::string x) {
    for (auto& ch : x) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return x;
  };
  for (size_t i = 0; i < names.size(); ++i) {
    if (types[i].is_list())
      return Status::InvalidArgument("column '" + names[i] + "' is " + types[i].ToString() +
                                     ": Parquet output of lists is not supported; write CAST(" + names[i] +
                                     " AS VARCHAR) or array_to_string(" + names[i] + ", ',')");
    std::string name = names[i];
    for (int n = 1; used.count(lower(name)); ++n) name = names[i] + "_" + std::to_string(n);
    used.insert(lower(name));
    specs.push_back({name, types[i], true});
  }
  parquet::WriterOptions wo;
  wo.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  parquet_ = std::make_unique<parquet::Writer>(std::move(specs), wo,
                                               [this](std::string_view b) { return Put(b.data(), b.size()); });
  return Status::OK();
}

Status ResultWriter::Whole(const ResultSet& rs) {
  const OutputFormat g = FormatOf(rs, format_);
  if (g == OutputFormat::kParquet) {
    if (rs.plain_text) return Status::InvalidArgument("EXPLAIN's text cannot be written as Parquet");
    std::vector<DataType> types;
    const std::vector<Column>& first = rs.chunks.empty() ? rs.columns : rs.chunks[0];
    for (const auto& c : first) types.push_back(c.type());
    WH_RETURN_IF_ERROR(BeginParquet(rs.names, types));
    rows_written_ += rs.rows();
    if (rs.chunks.empty()) return parquet_->Write(rs.columns);
    if (rs.order_chunk.empty()) {
      for (const auto& ch : rs.chunks) WH_RETURN_IF_ERROR(parquet_->Write(ch));
      return Status::OK();
    }
    // A sorted result: its rows gathered from the chunks in order, a slice at a time.
    for (size_t at = 0; at < rs.order_row.size(); at += 65536) {
      const size_t take = std::min<size_t>(65536, rs.order_row.size() - at);
      std::vector<Column> slice;
      for (size_t c = 0; c < types.size(); ++c) {
        std::vector<const Column*> srcs;
        for (const auto& ch : rs.chunks) srcs.push_back(&ch[c]);
        slice.emplace_back(types[c]);
        slice.back().AppendGathered(srcs, rs.order_chunk.data() + at, rs.order_row.data() + at, take);
      }
      WH_RETURN_IF_ERROR(parquet_->Write(slice));
    }
    return Status::OK();
  }
  if (!rs.plain_text) rows_written_ += rs.rows();
  if ((g == OutputFormat::kCsv || g == OutputFormat::kTsv) && !rs.plain_text) {
    const char d = g == OutputFormat::kCsv ? delim_ : '\t';
    const std::string header = CsvHeader(rs, d);
    if (header_) WH_RETURN_IF_ERROR(Put(header.data(), header.size()));
    return PutCsv(rs, d);
  }
  std::ostringstream text;
  PrintResult(rs, format_, text);
  const std::string t = text.str();
  return Put(t.data(), t.size());
}

Status ResultWriter::Begin(const std::vector<std::string>& names, const std::vector<DataType>& types) {
  streamed_ = ResultSet{};
  streamed_.names = names;
  streamed_types_ = types;
  streamed_rows_ = 0;
  if (format_ == OutputFormat::kParquet) return BeginParquet(names, types);
  if (format_ == OutputFormat::kCsv || format_ == OutputFormat::kTsv) {
    if (!header_) return Status::OK();
    const std::string header = CsvHeader(streamed_, Delim());
    return Put(header.data(), header.size());
  }
  if (format_ == OutputFormat::kJson) return Put("[", 1);
  return Status::OK();
}

Status ResultWriter::Rows(std::vector<Column> columns) {
  const size_t n = columns.empty() ? 0 : columns[0].size();
  if (format_ == OutputFormat::kParquet) {
    rows_written_ += n;
    return parquet_->Write(columns);
  }
  if (format_ == OutputFormat::kTable || format_ == OutputFormat::kMarkdown) {
    streamed_.chunks.push_back(std::move(columns));  // printed whole at End (and counted there)
    return Status::OK();
  }
  if (format_ == OutputFormat::kCsv || format_ == OutputFormat::kTsv) {
    for (const auto& c : columns) pending_bytes_ += c.ByteSize();
    pending_rows_ += n;
    pending_.chunks.push_back(std::move(columns));
    if (pending_rows_ >= kPendingRows || pending_bytes_ >= kPendingBytes) WH_RETURN_IF_ERROR(FlushPending());
  } else {  // JSON lines, or the objects of a JSON array
    std::string text;
    for (size_t i = 0; i < n; ++i) {
      if (format_ == OutputFormat::kJson) text += streamed_rows_ + i ? ",\n " : "\n ";
      AppendJsonObject(streamed_.names, columns, i, &text);
      if (format_ == OutputFormat::kJsonl) text += "\n";
    }
    WH_RETURN_IF_ERROR(Put(text.data(), text.size()));
  }
  streamed_rows_ += n;
  rows_written_ += n;
  return Status::OK();
}

Status ResultWriter::FlushPending() {
  if (pending_.chunks.empty()) return Status::OK();
  pending_.names = streamed_.names;
  Status st = PutCsv(pending_, Delim());
  pending_ = ResultSet{};
  pending_rows_ = pending_bytes_ = 0;
  return st;
}

Status ResultWriter::End() {
  WH_RETURN_IF_ERROR(FlushPending());
  Status st;
  if (format_ == OutputFormat::kTable || format_ == OutputFormat::kMarkdown) {
    if (streamed_.chunks.empty())
      for (const auto& t : streamed_types_) streamed_.columns.emplace_back(t);
    st = Whole(streamed_);
  } else if (format_ == OutputFormat::kJson) {
    st = streamed_rows_ ? Put("\n]\n", 3) : Put("]\n", 2);
  }
  streamed_ = ResultSet{};
  return st;
}

Status ResultWriter::Close() {
  if (format_ == OutputFormat::kParquet) {
    if (!parquet_) return Status::InvalidArgument("no query result to write as Parquet");
    WH_RETURN_IF_ERROR(parquet_->Finish());
  }
  if (out_) {
    out_->flush();
    return out_->good() ? Status::OK() : Status::IOError("writing the output failed");
  }
  if (fd_ < 0) return Status::OK();
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) return Status::IOError("writing '" + path_ + "' failed: " + std::strerror(errno));
  if (tmp_path_.empty()) return Status::OK();
  // The old file is unlinked first: renaming over it would make ext4 (auto_da_alloc) flush the
  // new one, ~25 ms for the report's 56 MB that nothing asked for.
  (void)::unlink(path_.c_str());
  if (::rename(tmp_path_.c_str(), path_.c_str()) != 0)
    return Status::IOError("cannot rename '" + tmp_path_ + "' to '" + path_ + "': " + std::strerror(errno));
  tmp_path_.clear();
  return Status::OK();
}

Status WriteResultFile(const std::vector<ResultSet>& results, OutputFormat f, const std::string& path) {
  WH_ASSIGN_OR_RETURN(auto w, ResultWriter::ToFile(path, f));
  for (const auto& rs : results) WH_RETURN_IF_ERROR(w->Whole(rs));
  return w->Close();
}

}  // namespace wh
