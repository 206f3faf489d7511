#include "query/list.h"

#include <cmath>
#include <cstring>

#include "query/expr.h"
#include "query/result.h"

namespace wh {

namespace {

constexpr char kValue = 1, kNull = 2;

template <typename U> void PutBigEndian(U v, std::string* out) {
  for (int b = static_cast<int>(sizeof(U)) - 1; b >= 0; --b) out->push_back(static_cast<char>(v >> (8 * b)));
}
template <typename U> U GetBigEndian(const char* p) {
  U v = 0;
  for (size_t b = 0; b < sizeof(U); ++b) v = (v << 8) | static_cast<uint8_t>(p[b]);
  return v;
}

uint64_t DoubleKey(double d) {
  if (d == 0) d = 0;                     // -0 as 0
  if (d != d) d = std::nan("");          // one NaN
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  return bits >> 63 ? ~bits : bits ^ (uint64_t{1} << 63);
}
double KeyDouble(uint64_t key) {
  const uint64_t bits = key >> 63 ? key ^ (uint64_t{1} << 63) : ~key;
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

// Bytes of the value after a marker (strings: up to and including the 0x00 0x00 end).
size_t ValueBytes(std::string_view list, size_t pos, PhysicalType p) {
  switch (p) {
    case PhysicalType::kBool: return 1;
    case PhysicalType::kInt32: return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble: return 8;
    case PhysicalType::kInt128: return 16;
    case PhysicalType::kString: {
      size_t i = pos;
      while (i + 1 < list.size() && !(list[i] == 0 && list[i + 1] == 0)) i += list[i] == 0 ? 2 : 1;
      return i + 2 - pos;
    }
  }
  return 0;
}

// The elements of one list, decoded into a column of its element type.
Column Decoded(std::string_view list, const DataType& element) {
  Column c(element);
  DecodeList(list, &c);
  return c;
}

bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  if (s.size() == 4 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'u' && (s[2] | 0x20) == 'l' && (s[3] | 0x20) == 'l')
    return true;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  if (space(s.front()) || space(s.back())) return true;
  return s.find_first_of("\"'(),:=[]{}") != std::string::npos;
}

}  // namespace

void AppendListElement(const Column& elems, size_t i, std::string* list) {
  if (elems.IsNull(i)) {
    list->push_back(kNull);
    return;
  }
  list->push_back(kValue);
  switch (elems.type().physical()) {
    case PhysicalType::kBool: list->push_back(static_cast<char>(elems.Get<uint8_t>(i) ? 1 : 0)); break;
    case PhysicalType::kInt32:
      PutBigEndian<uint32_t>(static_cast<uint32_t>(elems.Get<int32_t>(i)) ^ 0x80000000u, list);
      break;
    case PhysicalType::kInt64:
      PutBigEndian<uint64_t>(static_cast<uint64_t>(elems.Get<int64_t>(i)) ^ (uint64_t{1} << 63), list);
      break;
    case PhysicalType::kInt128:
      PutBigEndian<uint128>(static_cast<uint128>(elems.Get<int128>(i)) ^ (uint128{1} << 127), list);
      break;
    case PhysicalType::kDouble: PutBigEndian<uint64_t>(DoubleKey(elems.Get<double>(i)), list); break;
    case PhysicalType::kString: {
      list->pop_back();  // AppendStringElement writes the marker
      AppendStringElement(elems.GetString(i), list);
      break;
    }
  }
}

void AppendStringElement(std::string_view s, std::string* list) {
  list->push_back(kValue);
  for (char c : s) {
    list->push_back(c);
    if (c == 0) list->push_back(static_cast<char>(0xFF));
  }
  list->push_back(0);
  list->push_back(0);
}

Column ListBuilder::Finish(const DataType& list_type) {
  Column out(list_type);
  out.SetStrings(std::move(offsets_), std::move(chars_));
  if (!validity_.empty()) out.SetValidity(std::move(validity_));
  offsets_ = {0};
  chars_.clear();
  validity_.clear();
  return out;
}

void DecodeList(std::string_view list, Column* elems) {
  const PhysicalType p = elems->type().physical();
  size_t pos = 0;
  std::string text;
  while (pos < list.size()) {
    const char marker = list[pos++];
    if (marker != kValue) {
      elems->AppendNull();
      continue;
    }
    const char* v = list.data() + pos;
    switch (p) {
      case PhysicalType::kBool: elems->Append<uint8_t>(static_cast<uint8_t>(v[0])); break;
      case PhysicalType::kInt32:
        elems->Append<int32_t>(static_cast<int32_t>(GetBigEndian<uint32_t>(v) ^ 0x80000000u));
        break;
      case PhysicalType::kInt64:
        elems->Append<int64_t>(static_cast<int64_t>(GetBigEndian<uint64_t>(v) ^ (uint64_t{1} << 63)));
        break;
      case PhysicalType::kInt128:
        elems->Append<int128>(static_cast<int128>(GetBigEndian<uint128>(v) ^ (uint128{1} << 127)));
        break;
      case PhysicalType::kDouble: elems->Append<double>(KeyDouble(GetBigEndian<uint64_t>(v))); break;
      case PhysicalType::kString: {
        text.clear();
        size_t i = pos;
        while (i + 1 < list.size() && !(list[i] == 0 && list[i + 1] == 0)) {
          text.push_back(list[i]);
          i += list[i] == 0 ? 2 : 1;
        }
        elems->AppendString(text);
        break;
      }
    }
    pos += ValueBytes(list, pos, p);
  }
}

std::vector<std::string_view> ListElementBytes(std::string_view list, const DataType& element) {
  const PhysicalType p = element.physical();
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < list.size()) {
    const size_t start = pos;
    if (list[pos++] == kValue) pos += ValueBytes(list, pos, p);
    out.push_back(list.substr(start, pos - start));
  }
  return out;
}

size_t ListSize(std::string_view list, const DataType& element) {
  const PhysicalType p = element.physical();
  size_t n = 0, pos = 0;
  while (pos < list.size()) {
    const char marker = list[pos++];
    ++n;
    if (marker == kValue) pos += ValueBytes(list, pos, p);
  }
  return n;
}

Column ListElements(const Column& lists, std::vector<uint32_t>* offsets) {
  Column elems(lists.type().element());
  offsets->assign(1, 0);
  offsets->reserve(lists.size() + 1);
  for (size_t r = 0; r < lists.size(); ++r) {
    if (!lists.IsNull(r)) DecodeList(lists.GetString(r), &elems);
    offsets->push_back(static_cast<uint32_t>(elems.size()));
  }
  return elems;
}

Column MakeLists(const DataType& list_type, const std::vector<uint32_t>& offsets, const Column& elems,
                 std::vector<uint8_t> validity) {
  const size_t rows = offsets.size() - 1;
  std::vector<uint32_t> out_offsets(rows + 1, 0);
  std::string chars;
  for (size_t r = 0; r < rows; ++r) {
    if (validity.empty() || validity[r])
      for (uint32_t k = offsets[r]; k < offsets[r + 1]; ++k) AppendListElement(elems, k, &chars);
    out_offsets[r + 1] = static_cast<uint32_t>(chars.size());
  }
  Column out(list_type);
  out.SetStrings(std::move(out_offsets), std::move(chars));
  bool any_null = false;
  for (uint8_t v : validity) any_null = any_null || !v;
  if (any_null) out.SetValidity(std::move(validity));
  return out;
}

std::string ListText(std::string_view list, const DataType& element) {
  const Column c = Decoded(list, element);
  std::string out = "[";
  for (size_t i = 0; i < c.size(); ++i) {
    if (i) out += ", ";
    if (c.IsNull(i)) {
      out += "NULL";
      continue;
    }
    std::string s = ValueToText(c, i, "NULL");
    if (!NeedsQuotes(s)) {
      out += s;
      continue;
    }
    out += '\'';
    for (char ch : s) {
      if (ch == '\'' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '\'';
  }
  return out + "]";
}

std::string ListJson(std::string_view list, const DataType& element) {
  const Column c = Decoded(list, element);
  std::string out = "[";
  for (size_t i = 0; i < c.size(); ++i) {
    if (i) out += ",";
    out += JsonValue(c, i);
  }
  return out + "]";
}

bool ParseListText(std::string_view text, Column* elems, std::string* error) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  size_t i = 0, n = text.size();
  auto skip = [&] {
    while (i < n && space(text[i])) ++i;
  };
  skip();
  if (i >= n || text[i] != '[') {
    *error = "a list is written [a, b, ...]";
    return false;
  }
  ++i;
  skip();
  if (i < n && text[i] == ']') {
    ++i;
  } else {
    for (;;) {
      skip();
      std::string v;
      bool quoted = false;
      if (i < n && (text[i] == '\'' || text[i] == '"')) {
        const char q = text[i];
        quoted = true;
        for (++i;; ++i) {
          if (i >= n) {
            *error = "an element's quote is not closed";
            return false;
          }
          if (text[i] == '\\' && i + 1 < n) {
            v += text[++i];
            continue;
          }
          if (text[i] == q) break;
          v += text[i];
        }
        ++i;
        skip();
      } else {
        while (i < n && text[i] != ',' && text[i] != ']') {
          if (text[i] == '[' || text[i] == '{') {
            *error = "lists do not nest";
            return false;
          }
          v += text[i++];
        }
        while (!v.empty() && space(v.back())) v.pop_back();
      }
      if (!quoted && v.size() == 4 && (v[0] | 0x20) == 'n' && (v[1] | 0x20) == 'u' && (v[2] | 0x20) == 'l' &&
          (v[3] | 0x20) == 'l')
        elems->AppendNull();
      else
        elems->AppendString(v);
      if (i < n && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < n && text[i] == ']') {
        ++i;
        break;
      }
      *error = "the list has no closing ]";
      return false;
    }
  }
  skip();
  if (i != n) {
    *error = "text after the list's closing ]";
    return false;
  }
  return true;
}

std::string ListSql(std::string_view list, const DataType& element) {
  const Column c = Decoded(list, element);
  std::string out = "[";
  for (size_t i = 0; i < c.size(); ++i) out += (i ? ", " : "") + ValueAt(c, i).ToSql();
  return out + "]";
}

}  // namespace wh
