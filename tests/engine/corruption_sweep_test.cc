// The corruption sweep over the checked-in warehouse tests/data/warehouse (a partitioned,
// bucketed table written by two commits, and a view; its answers, worked out by hand, are in
// tests/data/warehouse.expected, so it is also a golden test of every file kind). A copy is
// damaged one byte at a time - every byte of every file - and truncated at many lengths. Each
// time `verify` must report a problem, and a query must either fail or return exactly the
// original answer: never crash, hang or answer differently.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "ingest/ingest.h"
#include "query/query.h"
#include "tests/test_util.h"

namespace wh {
namespace {

const char* kQueries[] = {
    "SELECT COUNT(*), SUM(v), MIN(s), MAX(ts), COUNT(DISTINCT user_id) FROM t",
    "SELECT user_id, SUM(v) FROM t GROUP BY user_id ORDER BY user_id",
    "SELECT * FROM per_day ORDER BY 1",
};

std::string Answer(const std::string& root) {
  Session s(DefaultFileSystem(), root);
  std::string out;
  for (const char* q : kQueries) {
    auto r = s.Execute(q);
    if (!r.ok()) return "error: " + r.status().ToString();
    std::ostringstream o;
    PrintResult((*r)[0], OutputFormat::kCsv, o);
    out += o.str();
  }
  return out;
}

// Files of the warehouse, relative to its root (the lock files hold no data).
std::vector<std::string> Files(const std::string& root, const std::string& rel = "") {
  std::vector<std::string> out;
  FileSystem* fs = DefaultFileSystem();
  auto names = fs->ListDir(rel.empty() ? root : JoinPath(root, rel));
  if (!names.ok()) return out;
  for (const auto& n : *names) {
    std::string r = rel.empty() ? n : rel + "/" + n;
    if (fs->IsDirectory(JoinPath(root, r))) {
      auto sub = Files(root, r);
      out.insert(out.end(), sub.begin(), sub.end());
    } else if (n != "_lock") {
      out.push_back(r);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool VerifyFindsAProblem(const std::string& root) {
  auto wh = Warehouse::Open(DefaultFileSystem(), root, false);
  if (!wh.ok()) return true;
  auto tables = (*wh)->ListTables();
  if (!tables.ok()) return true;
  if (std::find(tables->begin(), tables->end(), "t") == tables->end()) return true;
  auto views = (*wh)->ListViews();
  if (!views.ok()) return true;
  return VerifyTable(wh->get(), "t", [](const std::string&) {}).problems > 0;
}

TEST(CorruptionSweep, EveryByteOfEveryFile) {
  testing::TempDir dir;
  const std::string root = dir.Join("w");
  std::filesystem::copy(testing::TestData("warehouse"), root, std::filesystem::copy_options::recursive);
  const std::string original = Answer(root);
  ASSERT_EQ(original, testing::ReadAll(testing::TestData("warehouse.expected")));
  ASSERT_FALSE(VerifyFindsAProblem(root));

  size_t flips = 0, truncations = 0, errors = 0;
  for (const std::string& rel : Files(root)) {
    const std::string path = JoinPath(root, rel);
    const std::string bytes = testing::ReadAll(path);
    ASSERT_FALSE(bytes.empty()) << rel;
    for (size_t off = 0; off < bytes.size(); ++off) {
      std::string damaged = bytes;
      damaged[off] = static_cast<char>(damaged[off] ^ 0x5a);
      testing::WriteAll(path, damaged);
      std::string answer = Answer(root);
      if (answer.rfind("error", 0) == 0) ++errors;
      else EXPECT_EQ(answer, original) << rel << ": byte " << off << " flipped gave a different answer";
      EXPECT_TRUE(VerifyFindsAProblem(root)) << rel << ": byte " << off << " flipped, verify saw nothing";
      ++flips;
    }
    // Truncations: at every length for small files, at 64 spread lengths for larger ones.
    const size_t step = std::max<size_t>(1, bytes.size() / 64);
    for (size_t len = 0; len < bytes.size(); len += step) {
      testing::WriteAll(path, bytes.substr(0, len));
      std::string answer = Answer(root);
      if (answer.rfind("error", 0) != 0) {
        EXPECT_EQ(answer, original) << rel << ": truncated to " << len << " bytes gave a different answer";
      }
      EXPECT_TRUE(VerifyFindsAProblem(root)) << rel << ": truncated to " << len << " bytes, verify saw nothing";
      ++truncations;
    }
    testing::WriteAll(path, bytes);
  }
  EXPECT_EQ(Answer(root), original);
  std::printf("%zu byte flips, %zu truncations, %zu answered with an error\n", flips, truncations, errors);
  EXPECT_GT(flips, 1000u);
}

}  // namespace
}  // namespace wh
