#include "query/result.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <thread>

namespace wh {

Result<OutputFormat> ParseOutputFormat(const std::string& n) {
  if (n == "table") return OutputFormat::kTable;
  if (n == "csv") return OutputFormat::kCsv;
  if (n == "tsv") return OutputFormat::kTsv;
  if (n == "json") return OutputFormat::kJson;
  if (n == "jsonl") return OutputFormat::kJsonl;
  if (n == "markdown" || n == "md") return OutputFormat::kMarkdown;
  return Status::InvalidArgument("unknown output format '" + n +
                                 "' (expected table, csv, tsv, json, jsonl or markdown)");
}

Column StringColumn(const std::vector<std::string>& v) {
  Column c(DataType::String());
  for (const auto& s : v) c.AppendString(s);
  return c;
}

Column Int64Column(const std::vector<int64_t>& v) {
  Column c(DataType::Int64());
  for (auto x : v) c.Append<int64_t>(x);
  return c;
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
  }
  return "?";
}

namespace {

std::string CsvQuote(const std::string& s, char delim) {
  if (s.find_first_of(std::string("\"\r\n") + delim) == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) {
    if (c == '"') o += '"';
    o += c;
  }
  return o + "\"";
}

std::string JsonString(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\r': o += "\\r"; break;
      case '\t': o += "\\t"; break;
      default:
        if (c < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          o += b;
        } else {
          o += static_cast<char>(c);
        }
    }
  }
  return o + "\"";
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
    default:
      return JsonString(ValueToText(c, i, ""));
  }
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

// Appends the text of row i of c (CSV flavour: NULL is nothing) without temporary strings for
// the common types; the CSV writer's inner loop.
void AppendDigits2(std::string* o, unsigned v) {
  o->push_back(static_cast<char>('0' + v / 10));
  o->push_back(static_cast<char>('0' + v % 10));
}

void AppendDateText(std::string* o, int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 1000 || y > 9999) {
    o->append(FormatDate(static_cast<int32_t>(days)));
    return;
  }
  char b[8];
  auto r = std::to_chars(b, b + 8, y);
  o->append(b, r.ptr - b);
  o->push_back('-');
  AppendDigits2(o, m);
  o->push_back('-');
  AppendDigits2(o, d);
}

void AppendCsvValue(std::string* o, const Column& c, size_t i, char delim) {
  if (c.IsNull(i)) return;
  const DataType& t = c.type();
  char b[48];
  switch (t.id) {
    case TypeId::kInt32: {
      auto r = std::to_chars(b, b + sizeof b, c.Get<int32_t>(i));
      o->append(b, r.ptr - b);
      return;
    }
    case TypeId::kInt64: {
      auto r = std::to_chars(b, b + sizeof b, c.Get<int64_t>(i));
      o->append(b, r.ptr - b);
      return;
    }
    case TypeId::kBoolean:
      o->append(c.Get<uint8_t>(i) ? "true" : "false");
      return;
    case TypeId::kDouble: {
      double v = c.Get<double>(i);
      if (!std::isfinite(v)) break;
      auto r = std::to_chars(b, b + sizeof b, v);
      o->append(b, r.ptr - b);
      return;
    }
    case TypeId::kDecimal: {
      int128 wide = t.physical() == PhysicalType::kInt64 ? c.Get<int64_t>(i) : c.Get<int128>(i);
      if (wide > INT64_MIN && wide <= INT64_MAX) {
        int64_t v = static_cast<int64_t>(wide);
        uint64_t a = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        auto r = std::to_chars(b, b + sizeof b, a);
        size_t len = r.ptr - b;
        if (v < 0) o->push_back('-');
        if (t.scale == 0) {
          o->append(b, len);
        } else if (len > t.scale) {
          o->append(b, len - t.scale);
          o->push_back('.');
          o->append(b + len - t.scale, t.scale);
        } else {
          o->append("0.");
          o->append(t.scale - len, '0');
          o->append(b, len);
        }
        return;
      }
      break;
    }
    case TypeId::kDate:
      AppendDateText(o, c.Get<int32_t>(i));
      return;
    case TypeId::kTimestamp: {
      int64_t us = c.Get<int64_t>(i);
      int32_t day = TimestampToDate(us);
      int64_t in_day = us - static_cast<int64_t>(day) * kMicrosPerDay;
      if (in_day % kMicrosPerSecond != 0) break;
      int64_t sec = in_day / kMicrosPerSecond;
      AppendDateText(o, day);
      o->push_back(' ');
      AppendDigits2(o, static_cast<unsigned>(sec / 3600));
      o->push_back(':');
      AppendDigits2(o, static_cast<unsigned>(sec / 60 % 60));
      o->push_back(':');
      AppendDigits2(o, static_cast<unsigned>(sec % 60));
      return;
    }
    case TypeId::kString: {
      std::string_view v = c.GetString(i);
      bool quote = false;
      for (char ch : v) quote |= ch == '"' || ch == '\n' || ch == '\r' || ch == delim;
      if (!quote) {
        o->append(v);
        return;
      }
      o->push_back('"');
      for (char ch : v) {
        if (ch == '"') o->push_back('"');
        o->push_back(ch);
      }
      o->push_back('"');
      return;
    }
    default: break;
  }
  o->append(CsvQuote(ValueToText(c, i, ""), delim));
}

}  // namespace

void PrintResult(const ResultSet& rs, OutputFormat f, std::ostream& out) {
  const size_t n = rs.rows(), nc = rs.columns.size();
  if (rs.plain_text && nc == 1 &&
      (f == OutputFormat::kTable || f == OutputFormat::kCsv || f == OutputFormat::kTsv)) {
    for (size_t i = 0; i < n; ++i) out << rs.columns[0].GetString(i) << '\n';
    return;
  }
  switch (f) {
    case OutputFormat::kCsv:
    case OutputFormat::kTsv: {
      char d = f == OutputFormat::kCsv ? ',' : '\t';
      for (size_t c = 0; c < nc; ++c) out << (c ? std::string(1, d) : "") << CsvQuote(rs.names[c], d);
      out << '\n';
      // Rows are formatted in blocks of 64K on all cores and written in order.
      auto format = [&](size_t begin, size_t end, std::string* buf) {
        for (size_t i = begin; i < end; ++i) {
          for (size_t c = 0; c < nc; ++c) {
            if (c) buf->push_back(d);
            AppendCsvValue(buf, rs.columns[c], i, d);
          }
          buf->push_back('\n');
        }
      };
      constexpr size_t kBlock = 65536;
      const size_t blocks = (n + kBlock - 1) / kBlock;
      const size_t threads = std::min<size_t>(blocks, std::max(1u, std::thread::hardware_concurrency()));
      for (size_t first = 0; first < blocks; first += threads) {
        size_t count = std::min(threads, blocks - first);
        std::vector<std::string> bufs(count);
        std::vector<std::thread> pool;
        for (size_t k = 1; k < count; ++k)
          pool.emplace_back(format, (first + k) * kBlock, std::min(n, (first + k + 1) * kBlock), &bufs[k]);
        format(first * kBlock, std::min(n, (first + 1) * kBlock), &bufs[0]);
        for (auto& t : pool) t.join();
        for (const auto& b : bufs) out.write(b.data(), static_cast<std::streamsize>(b.size()));
      }
      break;
    }
    case OutputFormat::kJson:
    case OutputFormat::kJsonl: {
      bool array = f == OutputFormat::kJson;
      if (array) out << "[";
      for (size_t i = 0; i < n; ++i) {
        if (array) out << (i ? ",\n " : "\n ");
        out << "{";
        for (size_t c = 0; c < nc; ++c)
          out << (c ? "," : "") << JsonString(rs.names[c]) << ":" << JsonValue(rs.columns[c], i);
        out << "}";
        if (!array) out << "\n";
      }
      if (array) out << (n ? "\n]\n" : "]\n");
      break;
    }
    case OutputFormat::kTable:
    case OutputFormat::kMarkdown: {
      std::vector<std::vector<std::string>> cells(n, std::vector<std::string>(nc));
      std::vector<size_t> width(nc);
      for (size_t c = 0; c < nc; ++c) width[c] = DisplayWidth(rs.names[c]);
      for (size_t i = 0; i < n; ++i)
        for (size_t c = 0; c < nc; ++c) {
          cells[i][c] = ValueToText(rs.columns[c], i, "NULL");
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
      if (!md) out << n << (n == 1 ? " row\n" : " rows\n");
      break;
    }
  }
}

}  // namespace wh
