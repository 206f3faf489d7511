#include "ingest/json_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "ingest/ingest.h"
#include "ingest/sniff.h"

namespace wh {

namespace {

constexpr size_t kChunkBytes = 8u << 20;
constexpr size_t kReadBytes = 1u << 20;
constexpr size_t kMaxObjectBytes = 256u << 20;

// Malformed JSON: always fatal, even in tolerant mode (DataError, where bad values are
// InvalidArgument).
Status InvalidJson(simdjson::error_code e) { return Status::DataError(std::string("invalid JSON: ") + simdjson::error_message(e)); }

bool AllSpace(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

}  // namespace

struct JsonReader::Impl {
  InputStream* in;
  const TableSchema& schema;
  std::vector<TimeFormat> time;
  simdjson::ondemand::parser parser;
  std::string buf;  // unparsed input from `line` on
  uint64_t line = 1;
  bool eof = false;
  bool started = false;  // a UTF-8 byte order mark at the very start has been dropped
  std::unordered_map<std::string, int> key_column;  // JSON key as written -> column (-1: none)

  Impl(InputStream* i, const TableSchema& s, std::vector<TimeFormat> t) : in(i), schema(s), time(std::move(t)) {}

  int ColumnOf(std::string_view key) {
    auto it = key_column.find(std::string(key));
    if (it != key_column.end()) return it->second;
    int c = schema.FindColumn(std::string(key));
    if (c < 0 && sniffed_names) c = schema.FindColumn(SniffedName(std::string(key)));  // "first name": first_name
    key_column.emplace(std::string(key), c);
    return c;
  }

  JsonArrayUnwrapper unwrap;
  bool sniffed_names = false;

  Status Fill(size_t want) {
    std::string tmp(kReadBytes, '\0');
    while (!eof && buf.size() < want) {
      WH_ASSIGN_OR_RETURN(size_t n, in->Read(tmp.data(), tmp.size()));
      if (n == 0) {
        eof = true;
        if (unwrap.Unclosed())
          return Status::DataError(in->name() + ": the input ends inside its JSON array (no closing ']': a cut file?)");
      } else {
        unwrap.Feed(tmp.data(), n);
        buf.append(tmp.data(), n);
      }
    }
    return Status::OK();
  }

  // One object's values appended to cols (a whole row, or nothing and the reason).
  Status Row(simdjson::ondemand::document_reference doc, std::vector<Column>& cols) {
    using simdjson::ondemand::json_type;
    simdjson::ondemand::object obj;
    if (auto e = doc.get_object().get(obj)) {
      if (e == simdjson::INCORRECT_TYPE) return Status::InvalidArgument("expected a JSON object {...}");
      return InvalidJson(e);
    }
    const size_t ncols = schema.columns.size();
    std::vector<uint8_t> seen(ncols, 0);
    for (auto field_result : obj) {
      simdjson::ondemand::field field;
      if (auto e = std::move(field_result).get(field)) return InvalidJson(e);
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return InvalidJson(e);
      const int c = ColumnOf(key);
      if (c < 0) continue;  // not a column of the table: skipped
      const ColumnDef& def = schema.columns[c];
      if (seen[c]) return Status::InvalidArgument("key '" + std::string(key) + "' appears twice");
      seen[c] = 1;
      simdjson::ondemand::value v = field.value();
      json_type type;
      if (auto e = v.type().get(type)) return InvalidJson(e);
      Column& col = cols[c];
      std::string_view text;
      bool quoted = false;
      switch (type) {
        case json_type::null:
          if (def.not_null) return Status::InvalidArgument("key '" + std::string(key) + "' is null, but column '" + def.name + "' is NOT NULL");
          col.AppendNull();
          continue;
        case json_type::string: {
          if (auto e = v.get_string().get(text)) return InvalidJson(e);
          quoted = true;
          break;
        }
        case json_type::number: {
          text = v.raw_json_token();
          while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t'))
            text.remove_suffix(1);
          break;
        }
        case json_type::boolean: {
          bool b;
          if (auto e = v.get_bool().get(b)) return InvalidJson(e);
          text = b ? "true" : "false";
          break;
        }
        case json_type::object:
        case json_type::array: {
          if (def.type.id != TypeId::kString)
            return Status::InvalidArgument("key '" + std::string(key) + "' holds a nested " +
                                           (type == json_type::object ? "object" : "array") + "; column '" + def.name +
                                           "' is " + def.type.ToString() + " (nested values only fill STRING columns)");
          simdjson::error_code e;
          if (type == json_type::object) {
            simdjson::ondemand::object o;
            e = v.get_object().get(o);
            if (!e) e = o.raw_json().get(text);
          } else {
            simdjson::ondemand::array a;
            e = v.get_array().get(a);
            if (!e) e = a.raw_json().get(text);
          }
          if (e) return InvalidJson(e);
          while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t'))
            text.remove_suffix(1);  // raw_json() runs to the next token
          quoted = true;
          break;
        }
      }
      if (def.not_null && FieldIsNull(def.type, text, quoted))
        return Status::InvalidArgument("key '" + std::string(key) + "' is empty, but column '" + def.name + "' is NOT NULL");
      Status st = AppendField(&col, text, quoted, &time[c]);
      if (!st.ok())
        return Status::InvalidArgument("key '" + std::string(key) + "': " + CannotRead(text, def.type, time[c], st));
    }
    for (size_t c = 0; c < ncols; ++c) {
      if (seen[c]) continue;
      if (schema.columns[c].not_null)
        return Status::InvalidArgument("no key '" + schema.columns[c].name + "', and the column is NOT NULL");
      cols[c].AppendNull();
    }
    return Status::OK();
  }
};

void JsonArrayUnwrapper::Feed(char* text, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    char& c = text[i];
    if (mode_ == 0) return;  // objects one after another: nothing to do
    if (mode_ < 0) {
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\xEF' || c == '\xBB' || c == '\xBF') continue;
      mode_ = c == '[' ? 1 : 0;
      if (mode_ == 0) return;
      c = ' ';
      depth_ = 1;
      continue;
    }
    if (in_string_) {
      if (escaped_) escaped_ = false;
      else if (c == '\\') escaped_ = true;
      else if (c == '"') in_string_ = false;
      continue;
    }
    switch (c) {
      case '"': in_string_ = true; break;
      case '[':
      case '{': ++depth_; break;
      case ']':
      case '}':
        if (--depth_ == 0) c = ' ';  // the array's end
        break;
      case ',':
        if (depth_ == 1) c = ' ';  // between the array's elements
        break;
      default: break;
    }
  }
}

JsonReader::JsonReader(InputStream* in, const TableSchema& schema, std::vector<TimeFormat> time, bool sniffed_names)
    : impl_(std::make_unique<Impl>(in, schema, std::move(time))) {
  impl_->sniffed_names = sniffed_names;
}

JsonReader::~JsonReader() = default;

Result<bool> JsonReader::Next(std::vector<Column>* cols, std::vector<RejectedRow>* rejects) {
  Impl& m = *impl_;
  size_t want = kChunkBytes;
  while (true) {
    WH_RETURN_IF_ERROR(m.Fill(want));
    if (!m.started && m.buf.size() >= 3) {
      if (m.buf.compare(0, 3, "\xEF\xBB\xBF") == 0) m.buf.erase(0, 3);
      m.started = true;
    }
    if (m.buf.empty() || AllSpace(m.buf)) {
      if (m.eof) return false;
      continue;
    }
    const size_t len = m.buf.size();
    m.buf.append(simdjson::SIMDJSON_PADDING, '\0');  // simdjson reads up to this far past the end
    simdjson::ondemand::document_stream stream;
    auto err = m.parser.iterate_many(m.buf.data(), len, std::max<size_t>(len, 1 << 20)).get(stream);
    if (err) {
      m.buf.resize(len);
      return Status::DataError(m.in->name() + ":" + std::to_string(m.line) + ": invalid JSON: " +
                               simdjson::error_message(err));
    }
    // Line of each object: newlines counted up to its start.
    size_t counted = 0;
    uint64_t line = m.line;
    auto line_at = [&](size_t offset) {
      for (; counted < offset; ++counted) line += m.buf[counted] == '\n';
      return line;
    };
    size_t rows = 0;
    // A rejected object's text runs to where the next one starts (known one step later).
    size_t pending = SIZE_MAX;
    auto finish_pending = [&](size_t end) {
      if (pending == SIZE_MAX) return;
      std::string_view src(m.buf.data() + pending, end - pending);
      while (!src.empty() && (src.back() == '\n' || src.back() == '\r' || src.back() == ' ' || src.back() == '\t'))
        src.remove_suffix(1);
      rejects->back().fields = std::string(src);
      pending = SIZE_MAX;
    };
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      const size_t offset = it.current_index();
      finish_pending(offset);
      const uint64_t at = line_at(offset);
      const size_t row_start = (*cols)[0].size();
      simdjson::ondemand::document_reference doc;
      Status st;
      if (auto e = (*it).get(doc)) st = InvalidJson(e);
      else st = m.Row(doc, *cols);
      if (st.ok()) {
        ++rows;
        continue;
      }
      for (auto& c : *cols) c.Truncate(row_start);
      std::string where = m.in->name() + ":" + std::to_string(at) + ": ";
      if (st.code() == StatusCode::kDataError || !rejects) {
        m.buf.resize(len);
        return Status::DataError(where + st.message());
      }
      rejects->push_back({m.in->name(), at, where + st.message(), ""});
      pending = offset;
    }
    finish_pending(len - stream.truncated_bytes());
    const size_t truncated = stream.truncated_bytes();
    const size_t consumed = len - truncated;
    m.buf.resize(len);
    if (truncated > 0 && m.eof) {
      line_at(consumed);
      return Status::DataError(m.in->name() + ":" + std::to_string(line) +
                               ": the input ends inside a JSON object (truncated file?)");
    }
    if (consumed == 0) {
      // Not one whole object yet: read more.
      if (len > kMaxObjectBytes)
        return Status::DataError(m.in->name() + ":" + std::to_string(m.line) + ": a JSON object longer than " +
                                 std::to_string(kMaxObjectBytes >> 20) + " MiB");
      want = len * 2;
      continue;
    }
    line_at(consumed);
    m.line = line;
    m.buf.erase(0, consumed);
    rows_ += rows;
    return true;
  }
}

}  // namespace wh
