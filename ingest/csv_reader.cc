#include "ingest/csv_reader.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace wh {

namespace {
constexpr size_t kChunk = 1u << 20;

// The first of [p, e) that is the delimiter, '\n' or '\r' (e if none): 16 bytes at a time.
inline const char* ScanUnquoted(const char* p, const char* e, char delim) {
#if defined(__SSE2__)
  const __m128i d = _mm_set1_epi8(delim), n = _mm_set1_epi8('\n'), r = _mm_set1_epi8('\r');
  for (; p + 16 <= e; p += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const int m = _mm_movemask_epi8(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, d), _mm_cmpeq_epi8(x, n)), _mm_cmpeq_epi8(x, r)));
    if (m) return p + __builtin_ctz(static_cast<unsigned>(m));
  }
#endif
  while (p < e && *p != delim && *p != '\n' && *p != '\r') ++p;
  return p;
}

}  // namespace

CsvReader::CsvReader(InputStream* in, char delimiter, uint64_t first_line)
    : in_(in), name_(&in->name()), delim_(delimiter), line_(first_line) {
  buf_ = std::make_unique_for_overwrite<char[]>(kChunk);
  data_ = buf_.get();
}

CsvReader::CsvReader(std::string_view text, const std::string& name, char delimiter, uint64_t first_line)
    : name_(&name), delim_(delimiter), data_(text.data()), direct_(text.size() <= UINT32_MAX),
      end_(text.size()), eof_(true), line_(first_line) {}

std::string CsvReader::TakeBuffered() {
  std::string rest(data_ + pos_, end_ - pos_);
  pos_ = end_ = 0;
  return rest;
}

Result<bool> CsvReader::Fill() {
  if (eof_) return false;
  // Every byte before pos_ has been copied out into the current row, so the buffer restarts.
  pos_ = end_ = 0;
  WH_ASSIGN_OR_RETURN(size_t n, in_->Read(buf_.get() + end_, kChunk - end_));
  if (n == 0) {
    eof_ = true;
    return false;
  }
  end_ += n;
  return true;
}

Result<bool> CsvReader::Next(std::vector<CsvField>* fields) {
  auto where = [&](uint64_t line) { return *name_ + ":" + std::to_string(line); };
  for (;;) {
    row_.clear();
    spans_.clear();
    quoted_.clear();
    row_line_ = line_;
    enum { kFieldStart, kUnquoted, kQuoted, kAfterQuote } state = kFieldStart;
    uint32_t field_start = 0;
    const char* direct_start = nullptr;  // a field read in place: its bytes in data_
    const char* direct_end = nullptr;
    const char* const row_begin = data_ + pos_;  // (in place, a row does not move)
    uint64_t quote_line = 0;
    bool row_done = false;
    bool saw_any = false;
    auto end_field = [&] {
      if (quoted_.back() == 2)
        spans_.emplace_back(static_cast<uint32_t>(direct_start - data_), static_cast<uint32_t>(direct_end - direct_start));
      else
        spans_.emplace_back(field_start, static_cast<uint32_t>(row_.size()) - field_start);
    };
    while (!row_done) {
      if (pos_ == end_) {
        WH_ASSIGN_OR_RETURN(bool more, Fill());
        if (!more) {
          if (state == kQuoted)
            return Status::DataError(where(quote_line) +
                                     ": unterminated quoted field (no closing '\"' before the end "
                                     "of the input)");
          if (!saw_any) return false;
          if (state == kFieldStart) {  // the input ended right after a delimiter
            field_start = static_cast<uint32_t>(row_.size());
            quoted_.push_back(0);
          }
          end_field();
          row_done = true;
          break;
        }
      }
      const char* p = data_ + pos_;
      const char* e = data_ + end_;
      while (p < e && !row_done) {
        char c = *p;
        switch (state) {
          case kFieldStart:
            saw_any = true;
            field_start = static_cast<uint32_t>(row_.size());
            if (c == '"') {
              state = kQuoted;
              quoted_.push_back(1);
              quote_line = line_;
              ++p;
              continue;
            }
            quoted_.push_back(direct_ ? 2 : 0);
            direct_start = p;
            state = kUnquoted;
            [[fallthrough]];
          case kUnquoted: {
            // A run of ordinary bytes at once: copied, or (in place) only marked.
            const char* q = ScanUnquoted(p, e, delim_);
            if (quoted_.back() == 2) direct_end = q;
            else row_.append(p, q - p);
            p = q;
            if (p == e) break;
            c = *p;
            if (c == delim_) {
              end_field();
              state = kFieldStart;
              ++p;
            } else {  // '\n' or '\r'
              end_field();
              row_done = true;
              ++p;
              if (c == '\r') {
                // CRLF: swallow the LF, reading more input if the CR ended the buffer.
                if (p == e) {
                  consumed_ += p - (data_ + pos_);
                  pos_ = end_;
                  auto more = Fill();
                  if (!more.ok()) return more.status();
                  p = data_ + pos_;
                  e = data_ + end_;
                }
                if (p < e && *p == '\n') ++p;
              }
              ++line_;
            }
            break;
          }
          case kQuoted: {
            const char* q = p;
            while (q < e && *q != '"' && *q != '\n') ++q;
            row_.append(p, q - p);
            p = q;
            if (p == e) break;
            if (*p == '\n') {
              row_.push_back('\n');
              ++line_;
              ++p;
            } else {
              ++p;  // the quote: closing, or the first of a doubled pair
              state = kAfterQuote;
            }
            break;
          }
          case kAfterQuote:
            if (c == '"') {
              row_.push_back('"');
              state = kQuoted;
              ++p;
            } else if (c == delim_) {
              end_field();
              state = kFieldStart;
              ++p;
            } else if (c == '\n' || c == '\r') {
              state = kUnquoted;  // handled as a line end there
            } else {
              return Status::DataError(where(line_) + ": unexpected character '" +
                                       std::string(1, c) + "' after a closing quote (a quote "
                                       "inside a quoted field must be doubled: \"\")");
            }
            break;
        }
        if (row_.size() > kMaxCsvRowBytes || (direct_ && static_cast<size_t>(p - row_begin) > kMaxCsvRowBytes))
          return Status::DataError(where(row_line_) + ": row longer than " +
                                   std::to_string(kMaxCsvRowBytes >> 20) + " MiB");
      }
      consumed_ += p - (data_ + pos_);
      pos_ = p - data_;
    }
    // Skip lines that are completely empty.
    if (spans_.size() == 1 && spans_[0].second == 0 && quoted_[0] != 1) continue;
    fields->resize(spans_.size());
    for (size_t i = 0; i < spans_.size(); ++i) {
      const char* base = quoted_[i] == 2 ? data_ : row_.data();
      (*fields)[i].value = std::string_view(base + spans_[i].first, spans_[i].second);
      (*fields)[i].quoted = quoted_[i] == 1;
    }
    return true;
  }
}

}  // namespace wh
