#include "ingest/ingest.h"
#include "ingest/sniff.h"

#include "ingest/json_reader.h"
#include "ingest/parquet_input.h"

#include <fnmatch.h>
#include <optional>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <condition_variable>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <map>
#include <set>

namespace wh {

namespace {

constexpr size_t kMaxChunksPerFlush = 4096;

// Buffers typed rows and hands them to `sink` (a table writer, which routes them into segments
// one per partition, or a query's file scan) when the budget is hit.
class BatchBuilder {
 public:
  BatchBuilder(const TableSchema& schema, const IngestOptions& opt, RowSink sink)
      : sink_(std::move(sink)), schema_(schema), opt_(opt) {
    Reset();
  }

  std::vector<Column>& columns() { return cols_; }
  size_t rows() const { return cols_.empty() ? 0 : cols_[0].size(); }

  Status MaybeFlush() {
    if ((rows() & 4095) != 0) return Status::OK();
    return FlushIfFull();
  }
  Status FlushIfFull() {
    if (chunks_.size() >= kMaxChunksPerFlush) return Flush();  // WriteRows numbers chunks in 16 bits
    size_t mem = chunk_bytes_;
    for (const auto& c : cols_) mem += c.ByteSize();
    if (mem < opt_.batch_bytes) return Status::OK();
    return Flush();
  }

  // Rows parsed apart (a chunk); they precede rows appended to columns() later.
  void AddChunk(std::vector<Column> cols) {
    for (const auto& c : cols) chunk_bytes_ += c.ByteSize();
    chunks_.push_back(std::move(cols));
  }

  Status Flush() {
    std::vector<std::vector<Column>> chunks = std::move(chunks_);
    chunks_.clear();
    chunk_bytes_ = 0;
    if (rows() > 0) chunks.push_back(std::move(cols_));
    Reset();  // the writer routes from `chunks`; the builder starts afresh
    if (chunks.empty()) return Status::OK();
    return sink_(std::move(chunks));  // a writer frees them column by column as it routes them
  }

 private:
  void Reset() {
    cols_.clear();
    for (const auto& c : schema_.columns) cols_.emplace_back(c.type);
  }

  RowSink sink_;
  const TableSchema& schema_;
  const IngestOptions& opt_;
  std::vector<Column> cols_;
  std::vector<std::vector<Column>> chunks_;
  size_t chunk_bytes_ = 0;
};

// Which CSV field feeds each table column (-1: none, the column is NULL), and how its DATE or
// TIMESTAMP text is read.
struct FieldMap {
  std::vector<int> source;
  size_t nfields = 0;
  std::string expected;          // "the header has N" (for errors)
  std::vector<TimeFormat> time;  // per table column
};

}  // namespace

Result<std::vector<TimeFormat>> ColumnTimeFormats(const TableSchema& schema, const IngestOptions& opt) {
  std::vector<TimeFormat> out(schema.columns.size());
  std::vector<uint8_t> own(schema.columns.size(), 0);
  for (const auto& [name, spec] : opt.time_formats) {  // named columns first
    if (name.empty()) continue;
    int c = schema.FindColumn(name);
    if (c < 0) return Status::InvalidArgument("time format for '" + name + "': table '" + schema.name + "' has no such column");
    auto f = ParseTimeFormat(spec, schema.columns[c].type);
    if (!f.ok()) return Status::InvalidArgument("time format for column '" + name + "': " + f.status().message());
    out[c] = *f;
    own[c] = 1;
  }
  for (const auto& [name, spec] : opt.time_formats) {
    if (!name.empty()) continue;
    bool any = false;
    for (size_t c = 0; c < schema.columns.size(); ++c) {
      const DataType& t = schema.columns[c].type;
      if (own[c] || (t.id != TypeId::kDate && t.id != TypeId::kTimestamp)) continue;
      auto f = ParseTimeFormat(spec, t);
      if (!f.ok()) return Status::InvalidArgument("time format for column '" + schema.columns[c].name + "': " + f.status().message());
      out[c] = *f;
      any = true;
    }
    if (!any) return Status::InvalidArgument("time format '" + spec + "': table '" + schema.name + "' has no DATE or TIMESTAMP column to apply it to");
  }
  return out;
}

namespace {

Result<FieldMap> ReadHeader(CsvReader* csv, const std::string& name, const TableSchema& schema,
                            const IngestOptions& opt) {
  const bool allow_missing = opt.allow_missing_columns, header = opt.header, sniffed_names = opt.sniffed_names;
  const size_t ncols = schema.columns.size();
  if (!header) {  // fields in the table's column order
    FieldMap map;
    for (size_t c = 0; c < ncols; ++c) map.source.push_back(static_cast<int>(c));
    map.nfields = ncols;
    map.expected = "the table has " + std::to_string(ncols) + " columns";
    return map;
  }
  std::vector<CsvField> fields;
  WH_ASSIGN_OR_RETURN(bool has_header, csv->Next(&fields));
  if (!has_header)
    return Status::DataError(name + ": the input is empty (a header row naming the columns "
                                    "is required)");
  FieldMap map;
  map.source.assign(ncols, -1);
  std::vector<std::string> names;
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string col_name(fields[i].value);
    while (!col_name.empty() && (col_name.back() == ' ' || col_name.back() == '\t')) col_name.pop_back();
    while (!col_name.empty() && (col_name.front() == ' ' || col_name.front() == '\t')) col_name.erase(0, 1);
    if (i == 0 && col_name.rfind("\xEF\xBB\xBF", 0) == 0) col_name.erase(0, 3);  // UTF-8 BOM
    names.push_back(col_name);
  }
  // Columns a sniffer named (first name -> first_name, a repeat -> a_1) match as it named them.
  if (sniffed_names) names = SniffedColumnNames(names);
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string& col_name = names[i];
    int c = schema.FindColumn(col_name);
    if (c < 0 && opt.ignore_extra_columns) continue;  // its fields are skipped
    if (c < 0) {
      std::string known;
      for (const auto& col : schema.columns) known += (known.empty() ? "" : ", ") + col.name;
      // JSON given where CSV was expected (a pipe has no name to tell it by).
      const std::string_view first = i == 0 ? std::string_view(fields[0].value) : std::string_view();
      const bool json = !first.empty() && (first[0] == '{' || first[0] == '[');
      return Status::DataError(name + ":1: column " + QuoteField(col_name) + " (field " +
                               std::to_string(i + 1) + " of the header) is not a column of table '" +
                               schema.name + "' (its columns: " + known + ")" +
                               (json ? "; the input looks like JSON: give --format json"
                                     : "; --ignore-extra-columns skips the fields of columns the table lacks"));
    }
    if (map.source[c] >= 0)
      return Status::DataError(name + ":1: column " + QuoteField(col_name) +
                               " appears twice in the header (fields " +
                               std::to_string(map.source[c] + 1) + " and " + std::to_string(i + 1) + ")");
    map.source[c] = static_cast<int>(i);
  }
  std::string missing;
  for (size_t c = 0; c < ncols; ++c) {
    if (map.source[c] < 0 && schema.columns[c].not_null)
      return Status::DataError(name + ":1: the header has no column '" + schema.columns[c].name +
                               "', which is NOT NULL");
    if (map.source[c] < 0) missing += (missing.empty() ? "'" : ", '") + schema.columns[c].name + "'";
  }
  if (!missing.empty() && !allow_missing)
    return Status::DataError(name + ":1: the header has no column " + missing + " of table '" + schema.name +
                             "' (a misspelt or forgotten column?); " + opt.allow_missing_hint + " loads them as NULL");
  map.nfields = fields.size();
  map.expected = "the header has " + std::to_string(map.nfields);
  return map;
}

// Parses the rows of `csv` into columns (table order). `cols` is asked for before every row
// (a flush may replace the batch's columns); `after_row` runs after each row.
std::string FieldsAsCsv(const std::vector<CsvField>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    std::string_view v = fields[i].value;
    if (fields[i].quoted || v.find_first_of(",\"\r\n") != std::string_view::npos) {
      out += '"';
      for (char ch : v) {
        if (ch == '"') out += '"';
        out += ch;
      }
      out += '"';
    } else {
      out += v;
    }
  }
  return out;
}

// Parses the rows of `csv` into columns (table order). `cols` is asked for before every row
// (a flush may replace the batch's columns); `after_row` runs after each row. With `rejects`,
// a row with a bad value or the wrong number of fields is skipped and recorded there instead of
// failing (errors in the CSV structure itself, such as an unterminated quote, still fail).
Status ParseRows(CsvReader* csv, const std::string& name, const TableSchema& schema, const FieldMap& map,
                 const std::vector<std::string>& nulls, const std::function<std::vector<Column>*()>& cols_fn,
                 const std::function<Status()>& after_row, std::vector<RejectedRow>* rejects = nullptr) {
  std::vector<CsvField> fields;
  const size_t ncols = schema.columns.size();
  while (true) {
    WH_ASSIGN_OR_RETURN(bool more, csv->Next(&fields));
    if (!more) break;
    std::vector<Column>& cols = *cols_fn();
    const size_t row_start = cols.empty() ? 0 : cols[0].size();
    Status bad;
    if (fields.size() != map.nfields) {
      bad = Status::DataError(name + ":" + std::to_string(csv->line()) + ": row has " +
                              std::to_string(fields.size()) + " fields, " + map.expected);
    }
    for (size_t c = 0; c < ncols && bad.ok(); ++c) {
      Column& col = cols[c];
      int f = map.source[c];
      if (f < 0) {
        col.AppendNull();
        continue;
      }
      const CsvField& field = fields[f];
      const ColumnDef& def = schema.columns[c];
      const bool null_string = !nulls.empty() && std::find(nulls.begin(), nulls.end(), field.value) != nulls.end();
      if (null_string && !def.not_null) {
        col.AppendNull();
        continue;
      }
      if (def.not_null && (null_string || FieldIsNull(def.type, field.value, field.quoted))) {
        bad = Status::DataError(name + ":" + std::to_string(csv->line()) + ": column '" + def.name +
                                "' (field " + std::to_string(f + 1) + ") is " +
                                (null_string && !field.value.empty() ? QuoteField(field.value) + ", a --null-string," : std::string("empty,")) +
                                " but the column is NOT NULL");
        break;
      }
      const TimeFormat& tf = map.time[c];
      Status st = AppendField(&col, field.value, field.quoted, &tf);
      if (!st.ok())
        bad = Status::DataError(name + ":" + std::to_string(csv->line()) + ": column '" + def.name +
                                "' (field " + std::to_string(f + 1) + "): " + CannotRead(field.value, def.type, tf, st));
    }
    if (!bad.ok()) {
      if (!rejects) return bad;
      for (auto& col : cols) col.Truncate(row_start);  // undo the row's values
      rejects->push_back({name, csv->line(), bad.message(), FieldsAsCsv(fields)});
      continue;
    }
    WH_RETURN_IF_ERROR(after_row());
  }
  return Status::OK();
}

// Over the limit of tolerated bad rows: the error of the first row over it.
Status TooManyRejects(const std::vector<RejectedRow>& rejects, uint64_t max_errors) {
  const RejectedRow& r = rejects[max_errors];
  std::string msg = r.reason;
  if (max_errors > 0) msg += " (more than --max-errors " + std::to_string(max_errors) + " rows rejected)";
  return Status::DataError(msg);
}

// An input made of some byte strings followed by the rest of another input (to re-parse, one
// row at a time, from a chunk boundary on).
class ChainInput final : public InputStream {
 public:
  ChainInput(std::deque<std::string> parts, InputStream* rest) : parts_(std::move(parts)), rest_(rest) {}
  Result<size_t> Read(char* buf, size_t n) override {
    while (!parts_.empty()) {
      std::string& front = parts_.front();
      if (off_ < front.size()) {
        size_t k = std::min(n, front.size() - off_);
        std::memcpy(buf, front.data() + off_, k);
        off_ += k;
        return k;
      }
      parts_.pop_front();
      off_ = 0;
    }
    return rest_->Read(buf, n);
  }
  const std::string& name() const override { return rest_->name(); }
  uint64_t size_hint() const override { return rest_->size_hint(); }
  uint64_t bytes_read() const override { return rest_->bytes_read(); }
  uint64_t content_hash() const override { return rest_->content_hash(); }

 private:
  std::deque<std::string> parts_;
  size_t off_ = 0;
  InputStream* rest_;
};

// Where `text` can be cut after a complete row: after the last line end outside quotes (quote
// parity from the start, which is a row boundary). npos when there is none.
size_t LastRowEnd(const std::string& text, size_t limit) {
  const size_t len = std::min(limit, text.size());
  // Most inputs quote nothing: then the last newline is the cut.
  if (!std::memchr(text.data(), '"', len)) {
    const void* nl = memrchr(text.data(), '\n', len);
    return nl ? static_cast<const char*>(nl) - text.data() + 1 : std::string::npos;
  }
  bool quoted = false;
  size_t last = std::string::npos;
  const char* p = text.data();
  const char* e = p + std::min(limit, text.size());
  while (p < e) {
    const char* q = p;
    while (q < e && *q != '"' && *q != '\n') ++q;
    if (q == e) break;
    if (*q == '"') quoted = !quoted;
    else if (!quoted) last = static_cast<size_t>(q - text.data()) + 1;
    p = q + 1;
  }
  return last;
}

uint64_t CountLineEnds(const std::string& text) {
  uint64_t n = 0;
  const char* p = text.data();
  const char* const e = p + text.size();
  // Without a CR (most inputs) the line ends are the LFs, counted 16 bytes at a time; else
  // byte by byte.
  if (!std::memchr(p, '\r', text.size())) {
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8('\n');
    for (; p + 16 <= e; p += 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      n += static_cast<uint64_t>(__builtin_popcount(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, lf)))));
    }
#endif
    for (; p < e; ++p) n += *p == '\n';
    return n;
  }
  for (size_t i = 0; i < text.size(); ++i)
    n += text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'));
  return n;
}

constexpr size_t kParseChunkBytes = 4u << 20;

// An input that notes the first character other than white space read through it: JSON given
// where CSV was expected (a pipe has no name to tell it by) fails the CSV header, and the error
// can then say what the input looks like.
class FirstCharInput : public InputStream {
 public:
  explicit FirstCharInput(InputStream* in) : in_(in) {}
  Result<size_t> Read(char* buf, size_t n) override {
    WH_ASSIGN_OR_RETURN(size_t got, in_->Read(buf, n));
    for (size_t i = 0; i < got && !first_; ++i)
      if (!std::isspace(static_cast<unsigned char>(buf[i]))) first_ = buf[i];
    return got;
  }
  const std::string& name() const override { return in_->name(); }
  uint64_t size_hint() const override { return in_->size_hint(); }
  uint64_t bytes_read() const override { return in_->bytes_read(); }
  uint64_t content_hash() const override { return in_->content_hash(); }
  char first() const { return first_; }

 private:
  InputStream* in_;
  char first_ = 0;
};

// Ingests one CSV input. Rows are cut into chunks of about 4 MiB at row boundaries and parsed on
// all cores; the chunks' columns join the batch in input order (so flushes, which encode and
// write, overlap with parsing). A chunk that fails to parse is parsed again row by row from its
// start, which gives the exact error (and copes with a cut that quote parity got wrong).
Status ParseInput(InputStream* in, const TableSchema& schema, BatchBuilder* batch,
                  const IngestOptions& opt, uint64_t* total_rows, std::vector<RejectedRow>* rejects) {
  std::vector<RejectedRow>* tolerate = opt.max_errors > 0 ? rejects : nullptr;
  FirstCharInput watched(in);
  CsvReader header(&watched, opt.delimiter);
  Result<FieldMap> read_map = ReadHeader(&header, in->name(), schema, opt);
  if (!read_map.ok() && (watched.first() == '{' || watched.first() == '[') &&
      read_map.status().message().find("looks like JSON") == std::string::npos)
    return Status(read_map.status().code(), read_map.status().message() + "; the input looks like JSON: give --format json");
  WH_ASSIGN_OR_RETURN(FieldMap map, std::move(read_map));
  WH_ASSIGN_OR_RETURN(map.time, ColumnTimeFormats(schema, opt));
  uint64_t line = header.next_line();
  std::string carry = header.TakeBuffered();
  auto count_row = [&]() -> Status {
    ++*total_rows;
    if (opt.on_progress && (*total_rows & 0xFFFF) == 0)
      opt.on_progress({in->name(), in->bytes_read(), in->size_hint(), *total_rows});
    return batch->MaybeFlush();
  };
  auto serial = [&](std::deque<std::string> parts, uint64_t first_line) -> Status {
    ChainInput chain(std::move(parts), in);
    CsvReader csv(&chain, opt.delimiter, first_line);
    WH_RETURN_IF_ERROR(ParseRows(&csv, in->name(), schema, map, opt.null_strings, [&] { return &batch->columns(); }, count_row, tolerate));
    if (tolerate && tolerate->size() > opt.max_errors) return TooManyRejects(*tolerate, opt.max_errors);
    return Status::OK();
  };
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (threads == 1) return serial({carry}, line);

  struct Chunk {
    std::string text;
    uint64_t first_line = 0;
    std::vector<Column> cols;
    uint64_t rows = 0;
    Status status;
    bool taken = false;  // a worker parses it (from then until done, text is the worker's)
    bool done = false;
    std::vector<RejectedRow> rejects;
  };
  std::deque<std::shared_ptr<Chunk>> queue;  // in input order
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::shared_ptr<Chunk>> todo;
  bool stop = false;
  std::vector<Thread> pool;
  // Stops and joins the workers however this function ends (set up before any starts: a thread
  // that cannot start throws out of the loop below).
  struct Join {
    std::mutex* mu;
    std::condition_variable* cv;
    bool* stop;
    std::vector<Thread>* pool;
    ~Join() {
      {
        std::lock_guard<std::mutex> l(*mu);
        *stop = true;
      }
      cv->notify_all();
      pool->clear();  // joins each (a worker's errors are its chunk's status)
    }
  } join{&mu, &cv, &stop, &pool};
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      while (true) {
        std::shared_ptr<Chunk> c;
        {
          std::unique_lock<std::mutex> l(mu);
          cv.wait(l, [&] { return stop || !todo.empty(); });
          if (todo.empty()) return;
          c = todo.front();
          todo.pop_front();
          c->taken = true;
        }
        // Parsed where it lies: the error path takes the text only once this is done. Out of
        // memory here is this chunk's error (the reader waits for every chunk to be done).
        c->status = CatchAll([&] {
          CsvReader csv(c->text, in->name(), opt.delimiter, c->first_line);
          for (const auto& col : schema.columns) c->cols.emplace_back(col.type);
          return ParseRows(&csv, in->name(), schema, map, opt.null_strings, [&] { return &c->cols; }, [&] {
            ++c->rows;
            return Status::OK();
          }, tolerate ? &c->rejects : nullptr);
        });
        {
          std::lock_guard<std::mutex> l(mu);
          c->done = true;
        }
        cv.notify_all();
      }
    });
  }

  // Takes the oldest chunk when parsed: its rows join the batch. On a parse error, everything
  // from that chunk on is parsed serially.
  auto consume = [&](bool* switched) -> Status {
    std::shared_ptr<Chunk> c = queue.front();
    {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return c->done; });
    }
    if (!c->status.ok()) {
      std::deque<std::string> parts;
      {
        std::lock_guard<std::mutex> l(mu);
        todo.clear();
      }
      for (auto& q : queue) {
        std::unique_lock<std::mutex> l(mu);
        cv.wait(l, [&] { return q->done || !q->taken; });
        parts.push_back(std::move(q->text));
      }
      queue.clear();
      parts.push_back(std::move(carry));
      carry.clear();
      *switched = true;
      return serial(std::move(parts), c->first_line);
    }
    queue.pop_front();
    if (tolerate) {
      for (auto& r : c->rejects) tolerate->push_back(std::move(r));
      if (tolerate->size() > opt.max_errors) return TooManyRejects(*tolerate, opt.max_errors);
    }
    if (c->rows) batch->AddChunk(std::move(c->cols));
    *total_rows += c->rows;
    if (opt.on_progress) opt.on_progress({in->name(), in->bytes_read(), in->size_hint(), *total_rows});
    return batch->FlushIfFull();
  };

  // Chunks are a fraction of the memory budget, so that the budget still bounds the batch.
  const size_t chunk_bytes = std::clamp<size_t>(opt.batch_bytes / 8, 4096, kParseChunkBytes);
  // The read buffer is not zero-filled first: reads fill what is used of it (clearing it wrote
  // 4 MiB for every ingest, however small its file).
  auto buf = std::make_unique_for_overwrite<char[]>(chunk_bytes);
  bool eof = false;
  while (!eof || !carry.empty()) {
    // Room for the chunk and one more read up front: grown by doubling from the short tail of
    // the last chunk, the carry re-copied its bytes about twice per chunk.
    carry.reserve(2 * chunk_bytes);
    // Fill the carry to a chunk (more if one row is longer).
    while (!eof && carry.size() < chunk_bytes) {
      WH_ASSIGN_OR_RETURN(size_t n, in->Read(buf.get(), chunk_bytes));
      if (n == 0) eof = true;
      else carry.append(buf.get(), n);
    }
    size_t cut = eof && carry.size() <= chunk_bytes ? carry.size() : LastRowEnd(carry, chunk_bytes);
    if (cut == std::string::npos) cut = LastRowEnd(carry, carry.size());
    if (cut == std::string::npos && eof) cut = carry.size();
    if (cut == std::string::npos) {
      if (carry.size() > kMaxCsvRowBytes + chunk_bytes) {
        cut = carry.size();  // no row end in sight: let the parser report it
      } else {
        WH_ASSIGN_OR_RETURN(size_t n, in->Read(buf.get(), chunk_bytes));
        if (n == 0) eof = true;
        else carry.append(buf.get(), n);
        continue;
      }
    }
    auto c = std::make_shared<Chunk>();
    // The chunk takes the carry's buffer; only the (short) tail after the cut is copied.
    std::string tail = carry.substr(cut);
    c->text = std::move(carry);
    c->text.resize(cut);
    carry = std::move(tail);
    c->first_line = line;
    line += CountLineEnds(c->text);
    {
      std::lock_guard<std::mutex> l(mu);
      todo.push_back(c);
    }
    cv.notify_one();
    queue.push_back(c);
    while (queue.size() > static_cast<size_t>(threads) + 1) {
      bool switched = false;
      WH_RETURN_IF_ERROR(consume(&switched));
      if (switched) return Status::OK();
    }
  }
  while (!queue.empty()) {
    bool switched = false;
    WH_RETURN_IF_ERROR(consume(&switched));
    if (switched) return Status::OK();
  }
  return Status::OK();
}

// A Parquet input's row groups into the batch.
std::function<Status(std::vector<Column>)> ParquetChunks(BatchBuilder* batch) {
  return [batch](std::vector<Column> cols) {
    if (!cols.empty() && cols[0].size() > 0) batch->AddChunk(std::move(cols));
    return batch->FlushIfFull();
  };
}

// Ingests one JSON input, a few MiB of objects at a time.
Status ParseJsonInput(InputStream* in, const TableSchema& schema, BatchBuilder* batch, const IngestOptions& opt,
                      uint64_t* total_rows, std::vector<RejectedRow>* rejects) {
  std::vector<RejectedRow>* tolerate = opt.max_errors > 0 ? rejects : nullptr;
  WH_ASSIGN_OR_RETURN(auto time, ColumnTimeFormats(schema, opt));
  JsonReader reader(in, schema, std::move(time), opt.sniffed_names);
  while (true) {
    std::vector<Column> cols;
    for (const auto& c : schema.columns) cols.emplace_back(c.type);
    WH_ASSIGN_OR_RETURN(bool more, reader.Next(&cols, tolerate));
    if (!more) return Status::OK();
    if (tolerate && tolerate->size() > opt.max_errors) return TooManyRejects(*tolerate, opt.max_errors);
    const size_t n = cols[0].size();
    if (n) batch->AddChunk(std::move(cols));
    *total_rows += n;
    if (opt.on_progress) opt.on_progress({in->name(), in->bytes_read(), in->size_hint(), *total_rows});
    WH_RETURN_IF_ERROR(batch->FlushIfFull());
  }
}

// One input; one without rows is an error (nothing to load is more often a broken export than
// an intended empty drop).
Status IngestOne(InputStream* in, const TableSchema& schema, BatchBuilder* batch,
                 const IngestOptions& opt, uint64_t* total_rows, std::vector<RejectedRow>* rejects) {
  const uint64_t rows_before = *total_rows;
  const size_t rejects_before = rejects->size();
  if (opt.format == InputFormat::kParquet) {
    WH_RETURN_IF_ERROR(ParseParquetInput(in, schema, opt, ParquetChunks(batch), total_rows));
    if (*total_rows == rows_before) return Status::DataError(in->name() + ": the Parquet file holds no rows");
    return Status::OK();
  }
  if (opt.format == InputFormat::kJson) {
    WH_RETURN_IF_ERROR(ParseJsonInput(in, schema, batch, opt, total_rows, rejects));
    if (*total_rows == rows_before && rejects->size() == rejects_before)
      return Status::DataError(in->name() + ": the input holds no JSON objects");
    return Status::OK();
  }
  WH_RETURN_IF_ERROR(ParseInput(in, schema, batch, opt, total_rows, rejects));
  if (*total_rows == rows_before && rejects->size() == rejects_before)
    return Status::DataError(in->name() + ": the input has a header but no rows");
  return Status::OK();
}

}  // namespace

namespace {

bool HasWildcard(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

using FileId = std::pair<uint64_t, uint64_t>;  // device, inode

std::optional<FileId> IdentityOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

// Files under `dir` matching pattern components [i, end) (see ExpandInputPaths). `**` descends
// into each directory once (by device and inode), so a symlink that loops back is not followed
// round and round, and a directory reached two ways is listed once.
void MatchGlob(const std::filesystem::path& dir, const std::vector<std::string>& comps, size_t i,
               std::set<std::pair<FileId, size_t>>* visited, std::vector<std::string>* out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (i == comps.size()) {
    if (fs::is_regular_file(dir, ec)) out->push_back(dir.string());
    return;
  }
  const std::string& c = comps[i];
  if (c == "**") {
    auto id = IdentityOf(dir.string());
    if (id && !visited->insert({*id, i}).second) return;
    MatchGlob(dir, comps, i + 1, visited, out);  // zero directories
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (name[0] != '.' && it->is_directory(ec)) MatchGlob(it->path(), comps, i, visited, out);
    }
    return;
  }
  if (!HasWildcard(c)) {
    fs::path next = dir / c;
    if (fs::exists(next, ec)) MatchGlob(next, comps, i + 1, visited, out);
    return;
  }
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (fnmatch(c.c_str(), name.c_str(), FNM_PERIOD) == 0) MatchGlob(it->path(), comps, i + 1, visited, out);
  }
}

std::string WithoutDotSlash(std::string p) {
  while (p.rfind("./", 0) == 0) p.erase(0, 2);
  return p;
}

}  // namespace

Result<std::vector<std::string>> ExpandInputPaths(const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::error_code ec;
    std::vector<std::string> found;
    if (a == "-") {
      out.push_back(a);
      continue;
    }
    if (fs::is_directory(a, ec)) {
      fs::recursive_directory_iterator it(a, fs::directory_options::none, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (name[0] == '.') {
          if (it->is_directory(ec)) it.disable_recursion_pending();
          continue;
        }
        // Hadoop's markers and metadata (_SUCCESS, _committed_*, _metadata) are not data.
        if (name[0] == '_' && !it->is_directory(ec)) continue;
        if (it->is_regular_file(ec)) found.push_back(it->path().string());
      }
      if (ec) return Status::IOError("cannot list directory '" + a + "': " + ec.message());
      if (found.empty()) return Status::NotFound("directory '" + a + "' holds no files");
    } else if (HasWildcard(a) && !fs::exists(a, ec)) {
      std::vector<std::string> comps;
      std::string part;
      for (char ch : a) {
        if (ch == '/') {
          if (!part.empty()) comps.push_back(part);
          part.clear();
        } else {
          part += ch;
        }
      }
      if (!part.empty()) comps.push_back(part);
      std::set<std::pair<FileId, size_t>> visited;
      MatchGlob(a[0] == '/' ? fs::path("/") : fs::path("."), comps, 0, &visited, &found);
      for (auto& f : found) f = WithoutDotSlash(f);
      if (found.empty()) return Status::NotFound("no file matches '" + a + "'");
    } else {
      out.push_back(a);
      continue;
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    // One file reached by two routes (a symlink beside its target) is listed once.
    std::set<FileId> seen;
    for (const auto& f : found) {
      auto id = IdentityOf(f);
      if (!id || seen.insert(*id).second) out.push_back(f);
    }
  }
  return out;
}

std::string InputExtension(const std::string& path) {
  std::string n = ToLower(std::filesystem::path(path).filename().string());
  for (const char* z : {".gz", ".zst", ".bz2"}) {
    std::string_view zs(z);
    if (n.size() > zs.size() && n.compare(n.size() - zs.size(), zs.size(), zs) == 0) n.resize(n.size() - zs.size());
  }
  const size_t dot = n.rfind('.');
  return dot == std::string::npos || dot == 0 ? std::string() : n.substr(dot + 1);
}

std::optional<InputFormat> FormatOfExtension(const std::string& ext) {
  if (ext == "parquet" || ext == "parq") return InputFormat::kParquet;
  for (const char* e : {"json", "jsonl", "ndjson"})
    if (ext == e) return InputFormat::kJson;
  for (const char* e : {"csv", "tsv", "txt", "tbl", "psv"})
    if (ext == e) return InputFormat::kCsv;
  return std::nullopt;
}

Result<InputFormat> FormatFromNames(const std::vector<std::string>& paths) {
  size_t json = 0, parquet = 0;
  for (const auto& p : paths) {
    const auto f = FormatOfExtension(InputExtension(p));
    json += f == InputFormat::kJson;
    parquet += f == InputFormat::kParquet;
  }
  if (json == 0 && parquet == 0) return InputFormat::kCsv;
  if (json == paths.size()) return InputFormat::kJson;
  if (parquet == paths.size()) return InputFormat::kParquet;
  return Status::InvalidArgument("the inputs mix JSON, Parquet and other files; load them separately or say "
                                 "--format csv|json|parquet");
}

std::string AbsolutePath(const std::string& p) {
  char buf[PATH_MAX];
  if (::realpath(p.c_str(), buf)) return buf;
  return p;
}

Result<IngestResult> IngestCsvStreams(Warehouse* wh, const std::string& table,
                                      const std::vector<InputStream*>& inputs,
                                      const IngestOptions& options) {
  return IngestStreams(wh, table, inputs, options, {});
}

Result<IngestResult> IngestStreams(Warehouse* wh, const std::string& table,
                                   const std::vector<InputStream*>& inputs, const IngestOptions& options,
                                   const std::vector<std::string>& source_names) {
  auto start = std::chrono::steady_clock::now();
  WH_ASSIGN_OR_RETURN(auto writer, wh->OpenWriter(table));
  writer->set_etl_micros(options.etl_micros ? options.etl_micros : NowMicros());
  writer->set_encode_options(options.encode);
  BatchBuilder batch(writer->base().schema, options, [w = writer.get()](std::vector<std::vector<Column>> chunks) {
    return w->ConsumeRows(std::move(chunks));
  });
  IngestResult res;
  std::vector<SourceFile> sources;
  for (InputStream* in : inputs) {
    Status st = IngestOne(in, writer->base().schema, &batch, options, &res.rows, &res.rejects);
    if (!st.ok()) return st;  // the writer's destructor aborts the batch
    size_t k = sources.size();
    sources.push_back({k < source_names.size() ? source_names[k] : in->name(), in->bytes_read(),
                       in->content_hash()});
    res.input_bytes += in->bytes_read();
  }
  WH_RETURN_IF_ERROR(batch.Flush());
  if (options.overwrite) {
    WH_RETURN_IF_ERROR(writer->Overwrite(std::nullopt));
    res.partitions_replaced = writer->overwrite_stats().partitions;
    res.rows_replaced = writer->overwrite_stats().rows_replaced;
  }
  WH_ASSIGN_OR_RETURN(CommitRecord rec, writer->Commit(std::move(sources)));
  res.partitions = writer->partitions_written();
  // An unpartitioned table is one partition, as wh inspect counts it.
  if (writer->base().schema.partition_column.empty() && res.rows > 0) res.partitions = 1;
  res.segments = writer->stats().segments;
  res.bytes = writer->stats().bytes;
  res.commit_seq = rec.seq;
  writer.reset();  // the table lock: compaction takes it anew
  const auto committed = std::chrono::steady_clock::now();
  res.seconds = std::chrono::duration<double>(committed - start).count();
  if (options.compact) {
    auto c = CompactAfterCommit(wh, table, rec, options.compaction);
    if (c.ok()) res.compaction = *c;
    else if (c.status().code() != StatusCode::kLocked)  // another writer came first: its turn
      res.compaction_error = c.status().ToString();
    res.compaction_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - committed).count();
  }
  return res;
}


Result<IngestResult> IngestCsv(Warehouse* wh, const std::string& table,
                               const std::vector<std::string>& paths,
                               const IngestOptions& options) {
  if (paths.empty()) return Status::InvalidArgument("no input files given");
  if (!wh->TableExists(table)) return Status::NotFound("table '" + ToLower(table) + "' does not exist");
  // One file named twice in one call (the same path, a symlink to it, a hard link) would be
  // loaded twice; the load is refused, whatever --force says (it is about earlier commits).
  {
    std::map<FileId, std::string> seen;
    bool stdin_seen = false;
    for (const auto& p : paths) {
      if (p == "-") {
        if (stdin_seen) return Status::InvalidArgument("'-' (standard input) is given twice");
        stdin_seen = true;
        continue;
      }
      auto id = IdentityOf(p);
      if (!id) continue;  // opening it reports the error
      auto [it, fresh] = seen.emplace(*id, p);
      if (!fresh)
        return Status::InvalidArgument(
            "'" + p + "' is the same file as '" + it->second + "', given earlier in this call; "
            "a file is loaded once per call (nothing was ingested)");
    }
  }
  // A file already committed (same absolute path, size and content hash) is not loaded again
  // unless forced: re-running yesterday's load must not double the data. An overwrite cannot
  // double it: running one again (or reloading a file it replaced) is what it is for.
  if (!options.force && !options.overwrite) {
    WH_ASSIGN_OR_RETURN(TableSnapshot snap, wh->GetSnapshot(table));
    for (const auto& p : paths) {
      if (p == "-") continue;
      const std::string abs = AbsolutePath(p);
      const CommitRecord* match_commit = nullptr;
      const SourceFile* match = nullptr;
      bool hashed = false;
      uint64_t size = 0, hash = 0;
      for (const auto& commit : snap.commits) {
        for (const auto& src : commit.sources) {
          if (src.path != abs) continue;
          if (!hashed) {  // same path: hash the bytes as ingest reads them, once
            WH_ASSIGN_OR_RETURN(auto in, OpenInput(p));
            constexpr size_t kBuf = 1 << 20;
            auto buf = std::make_unique_for_overwrite<char[]>(kBuf);
            while (true) {
              WH_ASSIGN_OR_RETURN(size_t n, in->Read(buf.get(), kBuf));
              if (n == 0) break;
            }
            size = in->bytes_read();
            hash = in->content_hash();
            hashed = true;
          }
          if (size == src.size && hash == src.content_hash) {
            match_commit = &commit;
            match = &src;
          }
        }
      }
      if (match)
        return Status::AlreadyExists(
            "'" + p + "' (" + std::to_string(match->size) + " bytes, the same content) was already "
            "committed to table '" + snap.schema.name + "' by commit " + std::to_string(match_commit->seq) +
            " (etl_date " + FormatTimestamp(match_commit->etl_micros) + "); nothing was ingested. " +
            options.force_hint);
    }
  }
  std::vector<std::unique_ptr<InputStream>> owned;
  std::vector<InputStream*> ptrs;
  for (const auto& p : paths) {
    WH_ASSIGN_OR_RETURN(auto in, OpenInput(p));
    ptrs.push_back(in.get());
    owned.push_back(std::move(in));
  }
  std::vector<std::string> names;
  for (const auto& p : paths) names.push_back(p == "-" ? std::string("-") : AbsolutePath(p));
  return IngestStreams(wh, table, ptrs, options, names);
}

Status ReadInputs(const std::vector<InputStream*>& inputs, const TableSchema& schema,
                  const IngestOptions& options, const RowSink& sink) {
  BatchBuilder batch(schema, options, sink);
  uint64_t rows = 0;
  std::vector<RejectedRow> rejects;
  for (InputStream* in : inputs) {
    if (options.format == InputFormat::kParquet) {
      WH_RETURN_IF_ERROR(ParseParquetInput(in, schema, options, ParquetChunks(&batch), &rows));
    } else if (options.format == InputFormat::kJson) {
      WH_RETURN_IF_ERROR(ParseJsonInput(in, schema, &batch, options, &rows, &rejects));
    } else {
      WH_RETURN_IF_ERROR(ParseInput(in, schema, &batch, options, &rows, &rejects));
    }
  }
  return batch.Flush();
}

}  // namespace wh
