// JSON functions over STRING columns that hold JSON text (JSON ingest keeps nested values as
// such text): JSON_EXTRACT / ->, JSON_EXTRACT_STRING / ->>, Spark's GET_JSON_OBJECT, JSON_VALID.
// Parsed with simdjson (already wh's JSON reader). Paths: JSONPath ('$.a.b[0]', '$."a.b"',
// '$.a[-1]' from the end), a JSON pointer ('/a/b/0'), a plain key ('a'), or an integer (an array
// index), as DuckDB takes them. Values come out as DuckDB writes them: strings unquoted by the
// *_STRING forms, numbers in their shortest form (1.50 -> 1.5), objects and arrays minified.
#include <simdjson.h>

#include "query/typing.h"
#include "query/function/function.h"
#include "query/function/kernel.h"

namespace wh {

namespace {

// One step of a path: an object key, or an array index (negative: from the end).
struct Step {
  bool is_index = false;
  std::string key;
  int64_t index = 0;
};

Result<std::vector<Step>> ParsePath(std::string_view p) {
  std::vector<Step> steps;
  if (p.empty()) return steps;
  if (p[0] == '/') {  // JSON pointer: /a/b/0 (~1 is '/', ~0 is '~')
    size_t i = 1;
    while (i <= p.size()) {
      size_t j = p.find('/', i);
      if (j == std::string_view::npos) j = p.size();
      std::string token;
      for (size_t k = i; k < j; ++k) {
        if (p[k] == '~' && k + 1 < j && (p[k + 1] == '0' || p[k + 1] == '1')) {
          token.push_back(p[k + 1] == '0' ? '~' : '/');
          ++k;
        } else {
          token.push_back(p[k]);
        }
      }
      // A token is a key of an object, or (all digits) also an index of an array.
      Step s;
      s.key = token;
      s.is_index = !token.empty() && token.size() < 18 && token.find_first_not_of("0123456789") == std::string::npos;
      if (s.is_index) s.index = std::stoll(token);
      steps.push_back(s);
      i = j + 1;
    }
    return steps;
  }
  if (p[0] != '$') {  // a plain key
    Step s;
    s.key = std::string(p);
    steps.push_back(s);
    return steps;
  }
  size_t i = 1;
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("JSON path '" + std::string(p) + "': " + why);
  };
  while (i < p.size()) {
    if (p[i] == '.') {
      ++i;
      Step s;
      if (i < p.size() && p[i] == '"') {
        size_t j = p.find('"', i + 1);
        if (j == std::string_view::npos) return bad("an unterminated quoted key");
        s.key = std::string(p.substr(i + 1, j - i - 1));
        i = j + 1;
      } else {
        size_t j = i;
        while (j < p.size() && p[j] != '.' && p[j] != '[') ++j;
        if (j == i) return bad("an empty key");
        s.key = std::string(p.substr(i, j - i));
        i = j;
      }
      steps.push_back(s);
    } else if (p[i] == '[') {
      size_t j = p.find(']', i);
      if (j == std::string_view::npos) return bad("an unterminated [");
      std::string_view in = p.substr(i + 1, j - i - 1);
      Step s;
      if (!in.empty() && (in[0] == '\'' || in[0] == '"') && in.size() >= 2 && in.back() == in[0]) {
        s.key = std::string(in.substr(1, in.size() - 2));
      } else {
        auto v = ParseInt64(in, INT64_MIN, INT64_MAX);
        if (!v.ok()) return bad("'[" + std::string(in) + "]' is not an array index");
        s.is_index = true;
        s.index = *v;
      }
      steps.push_back(s);
      i = j + 1;
    } else {
      return bad("expected . or [ at position " + std::to_string(i + 1));
    }
  }
  return steps;
}

// Finds the element at `steps`; false when there is none.
bool Navigate(simdjson::dom::element e, const std::vector<Step>& steps, simdjson::dom::element* out) {
  for (const Step& s : steps) {
    if (e.is_object()) {
      if (s.key.empty() && s.is_index) return false;  // [n] of an object
      simdjson::dom::object obj;
      if (e.get_object().get(obj)) return false;
      auto r = obj.at_key(s.key);
      if (r.error()) return false;
      e = r.value_unsafe();
    } else if (e.is_array()) {
      if (!s.is_index) return false;
      simdjson::dom::array arr;
      if (e.get_array().get(arr)) return false;
      const int64_t n = static_cast<int64_t>(arr.size());
      const int64_t k = s.index < 0 ? n + s.index : s.index;
      if (k < 0 || k >= n) return false;
      auto r = arr.at(static_cast<size_t>(k));
      if (r.error()) return false;
      e = r.value_unsafe();
    } else {
      return false;
    }
  }
  *out = e;
  return true;
}

void PutJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

// The element as minified JSON text (numbers in their shortest form).
void Serialize(simdjson::dom::element e, std::string* out) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      out->push_back('{');
      bool first = true;
      simdjson::dom::object obj;
      if (e.get_object().get(obj)) break;
      for (auto field : obj) {
        if (!first) out->push_back(',');
        first = false;
        PutJsonString(field.key, out);
        out->push_back(':');
        Serialize(field.value, out);
      }
      out->push_back('}');
      break;
    }
    case simdjson::dom::element_type::ARRAY: {
      out->push_back('[');
      bool first = true;
      simdjson::dom::array arr;
      if (e.get_array().get(arr)) break;
      for (auto v : arr) {
        if (!first) out->push_back(',');
        first = false;
        Serialize(v, out);
      }
      out->push_back(']');
      break;
    }
    case simdjson::dom::element_type::STRING: PutJsonString(e.get_string().value_unsafe(), out); break;
    case simdjson::dom::element_type::INT64: *out += std::to_string(e.get_int64().value_unsafe()); break;
    case simdjson::dom::element_type::UINT64: *out += std::to_string(e.get_uint64().value_unsafe()); break;
    case simdjson::dom::element_type::DOUBLE: *out += FormatDouble(e.get_double().value_unsafe()); break;
    case simdjson::dom::element_type::BOOL: *out += e.get_bool().value_unsafe() ? "true" : "false"; break;
    case simdjson::dom::element_type::NULL_VALUE: *out += "null"; break;
  }
}

struct PreparedPath {
  std::vector<Step> steps;
};

// JSON_EXTRACT (JSON text), JSON_EXTRACT_STRING and GET_JSON_OBJECT (a string's value, other
// values as JSON text; JSON null is NULL). Malformed JSON: an error, but NULL for Spark's
// GET_JSON_OBJECT.
Status ExtractKernel(const BExpr& e, const std::vector<Column>& a, size_t n, Column* out) {
  const bool as_string = e.op != "JSON_EXTRACT", lenient = e.op == "GET_JSON_OBJECT";
  const auto* prepared = static_cast<const PreparedPath*>(e.state.get());
  simdjson::dom::parser parser;
  std::vector<Step> row_steps;
  std::string row_path;
  return StringRows(a, n, out, [&](size_t i, std::string* s, bool* null) -> Status {
    const std::vector<Step>* steps = prepared ? &prepared->steps : nullptr;
    if (!steps) {
      std::string p = a[1].type().id == TypeId::kString ? std::string(a[1].GetString(i))
                                                         : "$[" + std::to_string(a[1].Get<int64_t>(i)) + "]";
      if (p != row_path || row_steps.empty()) {
        WH_ASSIGN_OR_RETURN(row_steps, ParsePath(p));
        row_path = p;
      }
      steps = &row_steps;
    }
    std::string_view text = a[0].GetString(i);
    auto doc = parser.parse(text.data(), text.size());
    if (doc.error()) {
      if (lenient) {
        *null = true;
        return Status::OK();
      }
      return Status::InvalidArgument(e.op + ": malformed JSON: " + std::string(text.substr(0, 80)) + " (" +
                                     simdjson::error_message(doc.error()) + ")");
    }
    simdjson::dom::element found;
    if (!Navigate(doc.value_unsafe(), *steps, &found)) {
      *null = true;
      return Status::OK();
    }
    if (as_string && found.is_null()) {
      *null = true;
    } else if (as_string && found.is_string()) {
      s->assign(found.get_string().value_unsafe());
    } else {
      Serialize(found, s);
    }
    return Status::OK();
  });
}

Status ValidKernel(const BExpr&, const std::vector<Column>& a, size_t n, Column* out) {
  simdjson::dom::parser parser;
  return FixedRows<uint8_t>(a, n, out, [&](size_t i, uint8_t* v, bool*) {
    std::string_view text = a[0].GetString(i);
    *v = !parser.parse(text.data(), text.size()).error();
    return Status::OK();
  });
}

Result<BExprPtr> BindExtract(FunctionCall& c, const ScalarFunction& f) {
  WH_RETURN_IF_ERROR(c.Arity(2, 2));
  WH_RETURN_IF_ERROR(c.ToString(0));
  if (IsIntegral(c.type(1))) WH_RETURN_IF_ERROR(c.ToInteger(1));
  else WH_RETURN_IF_ERROR(c.ToString(1));
  c.args[1] = Fold(c.args[1]);
  std::shared_ptr<const void> state;
  if (c.args[1]->kind == BExpr::kLiteral && !c.args[1]->value.null) {
    const Value& v = c.args[1]->value;
    auto p = std::make_shared<PreparedPath>();
    auto steps = ParsePath(v.type.id == TypeId::kString ? v.s : "$[" + std::to_string(static_cast<int64_t>(v.i)) + "]");
    if (!steps.ok()) return c.ErrorAt(1, steps.status().message());
    p->steps = std::move(*steps);
    state = p;
  }
  return c.Make(f, DataType::String(), true, state);
}

}  // namespace

void RegisterJsonFunctions(FunctionRegistry* r) {
  r->Add({"JSON_EXTRACT", {}, "(json STRING, path STRING|BIGINT) -> STRING",
          "the JSON text at path ($.a.b[0], /a/b/0, a key, an index); also json -> path", BindExtract,
          ExtractKernel});
  r->Add({"JSON_EXTRACT_STRING", {"JSON_EXTRACT_PATH_TEXT"}, "(json STRING, path STRING|BIGINT) -> STRING",
          "the value at path: a string's text, other values as JSON, JSON null as NULL; also json ->> path",
          BindExtract, ExtractKernel});
  r->Add({"GET_JSON_OBJECT", {}, "(json STRING, path STRING) -> STRING",
          "Spark's: JSON_EXTRACT_STRING, but NULL (not an error) for malformed JSON", BindExtract, ExtractKernel});
  r->Add({"JSON_VALID", {}, "(s STRING) -> BOOLEAN", "whether s is well-formed JSON",
          [](FunctionCall& c, const ScalarFunction& f) -> Result<BExprPtr> {
            WH_RETURN_IF_ERROR(c.Arity(1, 1));
            WH_RETURN_IF_ERROR(c.ToString(0));
            return c.Make(f, DataType::Boolean());
          },
          ValidKernel});
}

}  // namespace wh
