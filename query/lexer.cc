#include "query/lexer.h"

#include <cctype>
#include <cstring>

namespace wh {

bool Token::Is(const char* kw) const {
  if (kind != TokenKind::kIdent || text.size() != std::strlen(kw)) return false;
  for (size_t i = 0; i < text.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(text[i])) != kw[i]) return false;
  return true;
}

std::string Token::Describe() const {
  switch (kind) {
    case TokenKind::kEnd: return "the end of the statement";
    case TokenKind::kString: return "string '" + text + "'";
    case TokenKind::kQuotedIdent: return "\"" + text + "\"";
    default: return "'" + text + "'";
  }
}

std::string SqlErrorMessage(const std::string& sql, const SourcePos& pos, const std::string& msg) {
  std::string out = "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) +
                    ": " + msg;
  size_t start = pos.offset;
  while (start > 0 && sql[start - 1] != '\n') --start;
  size_t end = sql.find('\n', pos.offset);
  if (end == std::string::npos) end = sql.size();
  std::string line = sql.substr(start, end - start);
  out += "\n  " + line + "\n  " + std::string(pos.offset - start, ' ') + "^";
  return out;
}

Result<std::vector<Token>> Tokenize(const std::string& sql) {
  std::vector<Token> out;
  size_t i = 0;
  int line = 1;
  size_t line_start = 0;
  auto pos_at = [&](size_t off) {
    return SourcePos{off, line, static_cast<int>(off - line_start) + 1};
  };
  auto error = [&](size_t off, const std::string& msg) {
    return Status::InvalidArgument(SqlErrorMessage(sql, pos_at(off), msg));
  };
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\n') {
      ++i;
      ++line;
      line_start = i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const SourcePos start = pos_at(i);  // before the comment's newlines move the line on
      i += 2;
      while (i + 1 < sql.size() && !(sql[i] == '*' && sql[i + 1] == '/')) {
        if (sql[i] == '\n') {
          ++line;
          line_start = i + 1;
        }
        ++i;
      }
      if (i + 1 >= sql.size()) return Status::InvalidArgument(SqlErrorMessage(sql, start, "unterminated /* comment"));
      i += 2;
      continue;
    }
    Token t;
    t.pos = pos_at(i);
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t s = i;
      while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_')) ++i;
      t.kind = TokenKind::kIdent;
      t.text = sql.substr(s, i - s);
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
      size_t s = i;
      while (i < sql.size() && (std::isdigit(static_cast<unsigned char>(sql[i])) || sql[i] == '.')) ++i;
      if (i < sql.size() && (sql[i] == 'e' || sql[i] == 'E')) {
        size_t j = i + 1;
        if (j < sql.size() && (sql[j] == '+' || sql[j] == '-')) ++j;
        if (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) {
          i = j;
          while (i < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i]))) ++i;
        }
      }
      t.kind = TokenKind::kNumber;
      t.text = sql.substr(s, i - s);
    } else if (c == '\'') {
      ++i;
      t.kind = TokenKind::kString;
      for (;;) {
        if (i >= sql.size())  // at the quote that opens it (t.pos: before its newlines)
          return Status::InvalidArgument(SqlErrorMessage(sql, t.pos, "unterminated string literal"));
        if (sql[i] == '\'') {
          if (i + 1 < sql.size() && sql[i + 1] == '\'') {
            t.text += '\'';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (sql[i] == '\n') {
          ++line;
          line_start = i + 1;
        }
        t.text += sql[i++];
      }
    } else if (c == '"' || c == '`') {
      char q = c;
      size_t s = i++;
      t.kind = TokenKind::kQuotedIdent;
      for (;;) {
        if (i >= sql.size() || sql[i] == '\n') return error(s, "unterminated quoted identifier");
        if (sql[i] == q) {
          if (i + 1 < sql.size() && sql[i + 1] == q) {
            t.text += q;
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        t.text += sql[i++];
      }
    } else {
      static const char* kMulti[] = {"<=>", "->>", ":=", "<=", ">=", "<>", "!=", "||", "==", "::", "//", "->"};
      t.kind = TokenKind::kSymbol;
      for (const char* sym : kMulti) {
        if (sql.compare(i, std::strlen(sym), sym) == 0) {
          t.text = sym;
          break;
        }
      }
      if (t.text.empty()) {
        if (!std::strchr("(),;.*=<>+-/%[]:", c))
          return error(i, std::string("unexpected character '") + c + "'");
        t.text = std::string(1, c);
      }
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.kind = TokenKind::kEnd;
  end.pos = pos_at(sql.size());
  out.push_back(end);
  return out;
}

namespace {

// Scans `text` as Tokenize does, calling at(i) for each character outside literals, quoted names
// and comments; stops when at returns true and gives that i, else npos.
template <typename F>
size_t ScanCode(const std::string& text, size_t from, F&& at) {
  size_t i = from;
  const size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '-' && i + 1 < n && text[i + 1] == '-') {
      while (i < n && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      const size_t close = text.find("*/", i + 2);
      if (close == std::string::npos) return std::string::npos;
      i = close + 2;
    } else if (c == '\'' || c == '"' || c == '`') {
      // A doubled quote inside is the quote itself: the scan goes on past both. A quoted name
      // ends at the end of its line at the latest, as Tokenize reads it (it is an error there).
      size_t j = i + 1;
      for (;;) {
        j = text.find(c, j);
        if (c != '\'') {
          const size_t nl = text.find('\n', i + 1);
          if (nl != std::string::npos && (j == std::string::npos || nl < j)) {
            j = nl - 1;  // the scan goes on at the newline
            break;
          }
        }
        if (j == std::string::npos) return std::string::npos;
        if (j + 1 < n && text[j + 1] == c) {
          j += 2;
          continue;
        }
        break;
      }
      i = j + 1;
    } else {
      if (at(i)) return i;
      ++i;
    }
  }
  return std::string::npos;
}

}  // namespace

size_t StatementEnd(const std::string& text, size_t from) {
  const size_t semi = ScanCode(text, from, [&](size_t i) { return text[i] == ';'; });
  return semi == std::string::npos ? semi : semi + 1;
}

bool IsBlankSql(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    } else if (text.compare(i, 2, "--") == 0) {
      i = text.find('\n', i);
      if (i == std::string::npos) return true;
    } else if (text.compare(i, 2, "/*") == 0) {
      i = text.find("*/", i + 2);
      if (i == std::string::npos) return false;  // inside a comment that goes on
      i += 2;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace wh

