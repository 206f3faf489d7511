#include "ingest/sniff.h"

#include "ingest/parquet_input.h"

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <set>

#include "ingest/csv_reader.h"
#include "ingest/input_stream.h"
#include "ingest/json_reader.h"
#include "ingest/value_parser.h"

namespace wh {

namespace {

constexpr size_t kSampleBytes = 8u << 20;  // read of each file at most
constexpr size_t kSampleFiles = 16;
// sample_rows at least this: every row of every file (read_csv's sample_size = -1).
constexpr size_t kEveryRow = SIZE_MAX / 4;

// The start of a file: up to kSampleBytes, cut after the last line end when there is more.
Result<std::string> ReadSample(const std::string& path, bool* whole, bool all) {
  WH_ASSIGN_OR_RETURN(auto in, OpenInput(path));
  std::string text(kSampleBytes, '\0');
  size_t n = 0;
  while (true) {
    if (n == text.size()) {
      if (!all) break;
      text.resize(text.size() * 2);
    }
    WH_ASSIGN_OR_RETURN(size_t got, in->Read(text.data() + n, text.size() - n));
    if (got == 0) break;
    n += got;
  }
  text.resize(n);
  char extra;
  WH_ASSIGN_OR_RETURN(size_t more, in->Read(&extra, 1));
  *whole = more == 0;
  if (!*whole) {
    size_t cut = text.rfind('\n');
    text.resize(cut == std::string::npos ? 0 : cut + 1);
  }
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  return text;
}

// The types a column may still have, in the order they are preferred.
struct Candidate {
  DataType type;
  TimeFormat time;
  std::string spec;  // the format as a time-format option ("" for non-time types)
};

std::vector<Candidate> Candidates(const SniffOptions& opt, bool text_too) {
  std::vector<Candidate> out;
  if (!opt.all_varchar) {
    out.push_back({DataType::Boolean(), {}, ""});
    out.push_back({DataType::Int64(), {}, ""});
    out.push_back({DataType::Double(), {}, ""});
    auto add_time = [&](const DataType& t, const std::string& spec) {
      auto f = ParseTimeFormat(spec, t);
      if (f.ok()) out.push_back({t, *f, spec});
    };
    if (opt.date_format) {
      add_time(DataType::Date(), *opt.date_format);
    } else {
      add_time(DataType::Date(), "iso");
      if (text_too)
        for (const char* p : {"%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d", "%d-%m-%Y", "%m-%d-%Y", "%d.%m.%Y"})
          add_time(DataType::Date(), p);
    }
    if (opt.timestamp_format) {
      add_time(DataType::Timestamp(), *opt.timestamp_format);
    } else {
      add_time(DataType::Timestamp(), "iso");
      if (text_too)
        for (const char* p : {"%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%Y/%m/%d %H:%M:%S",
                              "%d-%m-%Y %H:%M:%S", "%m-%d-%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S"})
          add_time(DataType::Timestamp(), p);
    }
  }
  out.push_back({DataType::String(), {}, ""});
  return out;
}

// Narrows one column's candidates by its values.
class ColumnGuess {
 public:
  // `nulls`: texts that are NULL besides the empty field (kept by the caller).
  explicit ColumnGuess(std::vector<Candidate> c, const std::vector<std::string>* nulls = nullptr)
      : cand_(std::move(c)), alive_(cand_.size(), 1), nulls_(nulls) {}

  // A field's text (NULL when empty and unquoted, as ingest reads it).
  void Observe(std::string_view text) {
    if (text.empty()) return;
    if (nulls_ && std::find(nulls_->begin(), nulls_->end(), text) != nulls_->end()) return;
    seen_ = true;
    for (size_t k = 0; k < cand_.size(); ++k) {
      if (!alive_[k] || cand_[k].type.id == TypeId::kString) continue;
      if (!Reads(cand_[k], text)) alive_[k] = 0;
    }
  }
  bool Reads(const Candidate& c, std::string_view text) const {
    if (c.type.id == TypeId::kBoolean) {  // only true / false: a column of 0 and 1 is a number
      std::string l = ToLower(std::string(text));
      return l == "true" || l == "false" || l == "t" || l == "f";
    }
    if (c.type.id == TypeId::kInt64 || c.type.id == TypeId::kDouble) {
      // As DuckDB's sniffer: a leading zero (007, -01.5) or a plus sign is a code, not a
      // number, and a number has digits (inf and nan are words).
      if (text[0] == '+') return false;
      size_t i = text[0] == '-' ? 1 : 0;
      if (i + 1 < text.size() && text[i] == '0' && std::isdigit(static_cast<unsigned char>(text[i + 1]))) return false;
      if (text.find_first_of("0123456789") == std::string_view::npos) return false;
    }
    Column col(c.type);
    return AppendField(&col, text, false, &c.time).ok();
  }
  // The first candidate left (STRING when nothing was seen).
  const Candidate& Best() const {
    if (seen_)
      for (size_t k = 0; k < cand_.size(); ++k)
        if (alive_[k]) return cand_[k];
    return cand_.back();
  }
  bool seen() const { return seen_; }

 private:
  std::vector<Candidate> cand_;
  std::vector<uint8_t> alive_;
  const std::vector<std::string>* nulls_ = nullptr;
  bool seen_ = false;
};

}  // namespace

std::string SafeColumnName(const std::string& raw) {
  std::string n = raw;
  while (!n.empty() && (n.back() == ' ' || n.back() == '\t')) n.pop_back();
  while (!n.empty() && (n.front() == ' ' || n.front() == '\t')) n.erase(0, 1);
  if (n.empty() || ValidateIdentifier(n, "column").ok()) return n;
  for (auto& ch : n)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) && static_cast<unsigned char>(ch) < 128)) ch = '_';
  if (std::isdigit(static_cast<unsigned char>(n[0]))) n = "_" + n;
  if (n.size() > 120) n.resize(120);
  return n;
}

std::string SniffedName(const std::string& raw) {
  std::string n = SafeColumnName(raw);
  if (ToLower(n) == kEtlDateColumn) n += "_1";
  return n;
}

std::vector<std::string> SniffedColumnNames(const std::vector<std::string>& raw) {
  std::vector<std::string> out;
  std::set<std::string> used;
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string n = SniffedName(raw[i]);
    if (n.empty()) n = "column" + std::to_string(i);
    std::string base = n;
    for (int k = 1; used.count(ToLower(n)); ++k) n = base + "_" + std::to_string(k);
    used.insert(ToLower(n));
    out.push_back(n);
  }
  return out;
}

namespace {

struct CsvSample {
  std::vector<std::vector<std::string>> rows;  // the rows before any error
  Status error;                                // why the rest did not parse
};

CsvSample SplitCsv(const std::string& text, const std::string& name, char delim, size_t max_rows) {
  CsvSample s;
  CsvReader csv(std::string_view(text), name, delim);
  std::vector<CsvField> fields;
  while (s.rows.size() < max_rows) {
    auto more = csv.Next(&fields);
    if (!more.ok()) {
      s.error = more.status();
      break;
    }
    if (!*more) break;
    std::vector<std::string> row;
    // A quoted empty field ("") is an empty string, but for the types it says nothing, as an
    // empty one: both are kept as "".
    for (const auto& f : fields) row.emplace_back(f.value);
    s.rows.push_back(std::move(row));
  }
  return s;
}

Result<SniffResult> SniffCsv(const std::vector<std::string>& paths, const SniffOptions& opt) {
  std::string text;
  bool whole = false;
  WH_ASSIGN_OR_RETURN(text, ReadSample(paths[0], &whole, opt.sample_rows >= kEveryRow));
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    return Status::DataError(paths[0] + ": the file is empty; there is nothing to guess its columns from");
  // The delimiter: the candidate whose rows agree on the most fields.
  char delim = opt.delimiter.value_or(',');
  CsvSample best;
  if (!opt.delimiter) {
    size_t best_fields = 0, best_rows = 0;
    bool found = false;
    std::string ragged;  // a delimiter that splits the first row but not every row alike
    for (char d : {',', '|', ';', '\t'}) {
      CsvSample s = SplitCsv(text, paths[0], d, opt.sample_rows + 1);
      // A sample cut inside a quoted field ends in an error that is not the file's: its rows
      // before count. In a whole file, the error stands against the delimiter only if it
      // splits no better than one column.
      if (s.rows.empty()) continue;
      const size_t nf = s.rows[0].size();
      size_t agree = 0;
      for (const auto& r : s.rows) agree += r.size() == nf;
      if (agree != s.rows.size() && agree < s.rows.size() * 9 / 10) {
        if (nf > 1 && ragged.empty()) {
          for (size_t r = 0; r < s.rows.size() && ragged.empty(); ++r)
            if (s.rows[r].size() != nf)
              ragged = std::string("with '") + (d == '\t' ? std::string("\\t") : std::string(1, d)) + "' the first row has " +
                       std::to_string(nf) + " fields and row " + std::to_string(r + 1) + " has " +
                       std::to_string(s.rows[r].size());
        }
        continue;
      }
      if (!found || nf > best_fields || (nf == best_fields && agree > best_rows)) {
        found = true;
        best_fields = nf;
        best_rows = agree;
        delim = d;
        best = std::move(s);
      }
    }
    if (whole && !best.error.ok()) return best.error;  // the file's own CSV error, located
    if (found && best_fields == 1 && !ragged.empty())
      return Status::DataError(paths[0] + ": the rows do not have the same number of fields (" + ragged +
                               "); name the delimiter (delim = ';') if it is another");
    if (!found)
      return Status::DataError(paths[0] + ": cannot tell how the rows are split into fields (tried ',' '|' ';' and "
                               "tab: none gives every row the same number of fields); name the delimiter (delim = ';')");
  } else {
    best = SplitCsv(text, paths[0], delim, opt.sample_rows + 1);
    if (whole && !best.error.ok()) return best.error;
  }
  // More files: their rows refine the types (their first rows are headers when the first
  // file's is).
  const auto& rows = best.rows;
  if (rows.empty()) return Status::DataError(paths[0] + ": the file has no rows");
  const size_t ncols = rows[0].size();
  const std::vector<Candidate> cand = Candidates(opt, true);
  std::vector<ColumnGuess> body(ncols, ColumnGuess(cand, &opt.null_strings));
  for (size_t r = 1; r < rows.size(); ++r)
    for (size_t c = 0; c < ncols && c < rows[r].size(); ++c) body[c].Observe(rows[r][c]);

  bool header;
  if (opt.header) {
    header = *opt.header;
  } else {
    // A header when a typed column does not read its first field, or (all text) when the first
    // row's fields are distinct non-empty names.
    header = false;
    bool all_text = true;
    for (size_t c = 0; c < ncols; ++c) {
      const Candidate& b = body[c].Best();
      if (!body[c].seen()) continue;
      if (b.type.id != TypeId::kString) {
        all_text = false;
        const std::string& f = rows[0][c];
        if (!f.empty() && !body[c].Reads(b, f)) header = true;
      }
    }
    if (!header && all_text && rows.size() > 1) {
      std::set<std::string> names;
      bool distinct = false;  // some name, none twice
      for (const auto& f : rows[0]) {
        if (f.empty()) continue;
        if (!names.insert(f).second) {
          distinct = false;
          break;
        }
        distinct = true;
      }
      // A first row that repeats in the body is data.
      bool repeats = false;
      for (size_t r = 1; r < rows.size() && !repeats; ++r) repeats = rows[r] == rows[0];
      header = distinct && !repeats;
    }
    if (rows.size() == 1) {
      // A lone row: names of an empty file's columns when every field is distinct text.
      std::set<std::string> names;
      header = true;
      for (const auto& f : rows[0]) {
        ColumnGuess g(cand);
        g.Observe(f);
        header = header && !f.empty() && g.Best().type.id == TypeId::kString && names.insert(f).second;
      }
    }
  }
  // The body's types, with the first row's when it is data.
  std::vector<ColumnGuess>& guess = body;
  if (!header)
    for (size_t c = 0; c < ncols && c < rows[0].size(); ++c) guess[c].Observe(rows[0][c]);
  size_t seen_rows = rows.size();
  for (size_t p = 1; p < paths.size() && (p < kSampleFiles || opt.sample_rows >= kEveryRow) && seen_rows < opt.sample_rows; ++p) {
    std::string more;
    bool w;
    WH_ASSIGN_OR_RETURN(more, ReadSample(paths[p], &w, opt.sample_rows >= kEveryRow));
    CsvSample s = SplitCsv(more, paths[p], delim, opt.sample_rows - seen_rows + 1);
    for (size_t r = header ? 1 : 0; r < s.rows.size(); ++r)
      for (size_t c = 0; c < ncols && c < s.rows[r].size(); ++c) guess[c].Observe(s.rows[r][c]);
    seen_rows += s.rows.size();
  }

  SniffResult out;
  out.delimiter = delim;
  out.header = header;
  std::vector<std::string> raw;
  for (size_t c = 0; c < ncols; ++c) raw.push_back(header ? rows[0][c] : "column" + std::to_string(c));
  std::vector<std::string> names = SniffedColumnNames(raw);
  for (size_t c = 0; c < ncols; ++c) {
    const Candidate& b = guess[c].Best();
    ColumnDef d;
    d.name = names[c];
    d.type = b.type;
    out.columns.push_back(d);
    if (!b.spec.empty() && b.spec != "iso") out.time_formats.emplace_back(d.name, b.spec);
  }
  return out;
}

// JSON: the kinds of value a key has held.
struct KeyGuess {
  std::string name;
  bool boolean = false, integer = false, fraction = false, text = false, nested = false;
  std::vector<std::string> strings;  // a sample of the string values, typed at the end
};

Result<SniffResult> SniffJson(const std::vector<std::string>& paths, const SniffOptions& opt) {
  std::vector<KeyGuess> keys;
  std::map<std::string, size_t> index;  // lower-case key -> keys[i]
  size_t objects = 0;
  simdjson::dom::parser parser;
  for (size_t p = 0; p < paths.size() && (p < kSampleFiles || opt.sample_rows >= kEveryRow) && objects < opt.sample_rows; ++p) {
    bool whole;
    WH_ASSIGN_OR_RETURN(std::string text, ReadSample(paths[p], &whole, opt.sample_rows >= kEveryRow));
    JsonArrayUnwrapper unwrap;  // [{...}, {...}] reads as its objects
    unwrap.Feed(text.data(), text.size());
    if (whole && unwrap.Unclosed())
      return Status::DataError(paths[p] + ": the file ends inside its JSON array (no closing ']': a cut file?)");
    simdjson::padded_string padded(text);
    simdjson::dom::document_stream docs;
    if (auto e = parser.parse_many(padded, std::max<size_t>(padded.size(), 1 << 20)).get(docs))
      return Status::DataError(paths[p] + ": invalid JSON: " + simdjson::error_message(e));
    size_t before = objects;
    for (auto it = docs.begin(); it != docs.end() && objects < opt.sample_rows; ++it) {
      simdjson::dom::element doc;
      if (auto e = (*it).get(doc)) {
        if (!whole && e == simdjson::TAPE_ERROR) break;  // the sample cut an object short
        if (objects == 0 || whole)
          return Status::DataError(paths[p] + ": invalid JSON: " + simdjson::error_message(e));
        break;
      }
      simdjson::dom::object obj;
      if (doc.get(obj)) return Status::DataError(paths[p] + ": expected JSON objects {...}, one per row");
      ++objects;
      for (auto field : obj) {
        std::string key(field.key);
        std::string lower = ToLower(key);
        auto [pos, fresh] = index.emplace(lower, keys.size());
        if (fresh) keys.emplace_back().name = key;
        KeyGuess& g = keys[pos->second];
        switch (field.value.type()) {
          case simdjson::dom::element_type::NULL_VALUE: break;
          case simdjson::dom::element_type::BOOL: g.boolean = true; break;
          case simdjson::dom::element_type::INT64: g.integer = true; break;
          case simdjson::dom::element_type::UINT64:
          case simdjson::dom::element_type::DOUBLE: g.fraction = true; break;
          case simdjson::dom::element_type::STRING: {
            std::string_view s = field.value.get_string().value();
            if (!s.empty()) {
              g.text = true;
              if (g.strings.size() < 4096) g.strings.emplace_back(s);
            }
            break;
          }
          default: g.nested = true; break;
        }
      }
    }
    if (whole && objects < opt.sample_rows && docs.truncated_bytes() > 0)
      return Status::DataError(paths[p] + ": invalid JSON: the last " + std::to_string(docs.truncated_bytes()) +
                               " bytes are an object cut short (after " + std::to_string(objects - before) + " objects)");
  }
  if (objects == 0) return Status::DataError(paths[0] + ": no JSON object to guess the columns from");
  SniffResult out;
  std::vector<std::string> raw;
  for (const auto& k : keys) raw.push_back(k.name);
  std::vector<std::string> names = SniffedColumnNames(raw);
  const std::vector<Candidate> time_cand = [&] {
    std::vector<Candidate> c;
    for (auto& x : Candidates(opt, false))
      if (x.type.id == TypeId::kDate || x.type.id == TypeId::kTimestamp || x.type.id == TypeId::kString) c.push_back(x);
    return c;
  }();
  for (size_t i = 0; i < keys.size(); ++i) {
    const KeyGuess& g = keys[i];
    ColumnDef d;
    d.name = names[i];
    const int kinds = g.boolean + (g.integer || g.fraction) + g.text + g.nested;
    std::string spec;
    if (opt.all_varchar || kinds != 1 || g.nested) {
      d.type = DataType::String();
    } else if (g.boolean) {
      d.type = DataType::Boolean();
    } else if (g.integer || g.fraction) {
      d.type = g.fraction ? DataType::Double() : DataType::Int64();
    } else {
      ColumnGuess cg(time_cand);
      for (const auto& s : g.strings) cg.Observe(s);
      d.type = cg.Best().type;
      spec = cg.Best().spec;
    }
    if (kinds == 0) d.type = DataType::String();
    out.columns.push_back(d);
    if (!spec.empty() && spec != "iso") out.time_formats.emplace_back(d.name, spec);
  }
  return out;
}

}  // namespace

IngestOptions SniffResult::ReadOptions(InputFormat format) const {
  IngestOptions o;
  o.format = format;
  o.delimiter = delimiter;
  o.header = header;
  o.sniffed_names = true;
  o.time_formats = time_formats;
  o.compact = false;
  return o;
}

Result<SniffResult> SniffInputs(const std::vector<std::string>& paths, const SniffOptions& options) {
  if (paths.empty()) return Status::InvalidArgument("no input files given");
  if (options.format == InputFormat::kParquet) {
    // The types are the file's own (the first file's; the others are read by name).
    SniffResult r;
    WH_ASSIGN_OR_RETURN(r.columns, ParquetColumns(paths[0]));
    if (options.all_varchar)
      for (auto& c : r.columns) c.type = DataType::String();
    return r;
  }
  return options.format == InputFormat::kJson ? SniffJson(paths, options) : SniffCsv(paths, options);
}

}  // namespace wh
