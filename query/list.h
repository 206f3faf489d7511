// Lists (TypeId::kList): values such as string_split's result, [1, 2, 3] and list(x), which a
// query makes, passes between operators and unnests, and which no table stores.
//
// A list is held as one string: its elements one after another, each as a marker byte (1: a
// value follows, 2: NULL) and the value in an order-preserving form:
//   BOOLEAN 1 byte (0, 1); INT and DATE 4 bytes, BIGINT, TIMESTAMP and DECIMAL(p <= 18) 8
//   bytes, DECIMAL(p > 18) 16 bytes: two's complement, big-endian, sign bit flipped; DOUBLE 8
//   bytes of its bits, big-endian, all flipped if negative else the sign bit (-0 as 0, every
//   NaN as one, after +infinity); STRING its bytes with 0x00 written 0x00 0xFF, then 0x00 0x00.
// Comparing two lists' strings byte by byte therefore compares the lists element by element,
// a NULL element after any value and a list after its prefixes, as DuckDB orders lists; equal
// lists have equal strings. So sorting, grouping, DISTINCT, joins and = on lists are those of
// strings, with nothing list-specific in the operators.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "format/format.h"

namespace wh {

// Appends row i of `elems` (NULL or not) as the next element of a list's string.
void AppendListElement(const Column& elems, size_t i, std::string* list);
// Appends a non-NULL STRING element to a list's string.
void AppendStringElement(std::string_view s, std::string* list);

// Builds a LIST column row by row: append a row's elements to row(), then EndRow() (or
// NullRow() for a NULL list).
class ListBuilder {
 public:
  std::string* row() { return &chars_; }
  void EndRow() {
    offsets_.push_back(static_cast<uint32_t>(chars_.size()));
    if (!validity_.empty()) validity_.push_back(1);
  }
  void NullRow() {
    chars_.resize(offsets_.back());
    if (validity_.empty()) validity_.assign(offsets_.size() - 1, 1);
    validity_.push_back(0);
    offsets_.push_back(static_cast<uint32_t>(chars_.size()));
  }
  void EndRowOrNull(bool null) { null ? NullRow() : EndRow(); }
  Column Finish(const DataType& list_type);

 private:
  std::vector<uint32_t> offsets_{0};
  std::string chars_;
  std::vector<uint8_t> validity_;  // empty while no row is NULL
};

// Appends the elements of one list (its string) to `elems` (a column of the element type).
void DecodeList(std::string_view list, Column* elems);
// The encoded elements of a list, each as it is in the list's string (marker and value), so
// that an element compares, and is found equal, by its bytes; DecodeList of one appends it.
std::vector<std::string_view> ListElementBytes(std::string_view list, const DataType& element);
// The encoding of a NULL element.
inline std::string_view NullElement() { return std::string_view("\x02", 1); }
// How many elements a list holds.
size_t ListSize(std::string_view list, const DataType& element);

// The elements of every row of a LIST column in one column of the element type: row r's are
// rows [offsets[r], offsets[r + 1]) of it (a NULL list has none).
Column ListElements(const Column& lists, std::vector<uint32_t>* offsets);
// A LIST column of offsets.size() - 1 rows: row r the elements [offsets[r], offsets[r + 1]) of
// `elems`, NULL where `validity` (empty: none) says so.
Column MakeLists(const DataType& list_type, const std::vector<uint32_t>& offsets, const Column& elems,
                 std::vector<uint8_t> validity = {});

// A list as DuckDB writes it: [1, NULL, 3], [a, 'b c', ''] (an element quoted when it is
// empty, is NULL spelled out, has white space at either end, or holds one of "'(),:=[]{}; then
// ' and \ are escaped with \).
std::string ListText(std::string_view list, const DataType& element);
// A list as a JSON array, its elements as JSON values (numbers, strings, true/false, null).
std::string ListJson(std::string_view list, const DataType& element);
// Reads a list's text as ListText writes it (DuckDB's: '[1, 2]', "[a, 'b c', NULL]"; an element
// may be quoted with " too) into a
// column of STRING elements, for CAST(s AS T[]); false (and *error) when it is not one.
bool ParseListText(std::string_view text, Column* elems, std::string* error);
// A list as SQL that makes it again: [1, NULL, 3], ['a', 'b'].
std::string ListSql(std::string_view list, const DataType& element);

}  // namespace wh
