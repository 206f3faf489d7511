// The broken warehouse files of tests/data/bad (see its README): each is refused with an error
// that says what is wrong, and none is ever read as data.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/engine.h"
#include "tests/test_util.h"

namespace wh {
namespace {

std::string SegmentProblems(const std::string& file) {
  auto r = SegmentReader::Open(DefaultFileSystem(), testing::TestData("bad/" + file));
  if (!r.ok()) return r.status().ToString();
  std::string all;
  (*r)->VerifyBlocks([&](const Status& s) { all += s.ToString() + "\n"; });
  return all;
}

TEST(BrokenFiles, SegmentsAreRefused) {
  EXPECT_NE(SegmentProblems("segment_block_checksum.whs").find("block checksum mismatch: expected"), std::string::npos);
  EXPECT_NE(SegmentProblems("segment_footer_damaged.whs").find("Corruption"), std::string::npos);
  EXPECT_NE(SegmentProblems("segment_truncated.whs").find("Corruption"), std::string::npos);
  EXPECT_NE(SegmentProblems("segment_bad_magic.whs").find("magic"), std::string::npos)
      << SegmentProblems("segment_bad_magic.whs");
}

// Replaces one file of a copy of the checked-in warehouse with a broken one.
std::unique_ptr<Warehouse> WarehouseWith(testing::TempDir* dir, const std::string& rel, const std::string& bad) {
  const std::string root = dir->Join("w");
  std::filesystem::copy(testing::TestData("warehouse"), root, std::filesystem::copy_options::recursive);
  std::filesystem::copy_file(testing::TestData("bad/" + bad), JoinPath(root, rel),
                             std::filesystem::copy_options::overwrite_existing);
  return std::move(Warehouse::Open(DefaultFileSystem(), root, false)).value();
}

TEST(BrokenFiles, ManifestHeadAndViewsAreRefused) {
  struct Case {
    const char* rel;
    const char* bad;
    const char* expect;
  } cases[] = {
      {"t/_manifest", "manifest_damaged_record", "is damaged and followed by a whole record"},
      {"t/_manifest", "manifest_damaged_last_record", "fails its checksum"},
      {"t/_head", "head_damaged", "checksum mismatch"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.bad);
    testing::TempDir dir;
    auto wh = WarehouseWith(&dir, c.rel, c.bad);
    auto snap = wh->GetSnapshot("t");
    ASSERT_FALSE(snap.ok());
    EXPECT_EQ(snap.status().code(), StatusCode::kCorruption);
    EXPECT_NE(snap.status().message().find(c.expect), std::string::npos) << snap.status().message();
    EXPECT_FALSE(wh->OpenWriter("t").ok()) << "a writer must not build on a damaged table";
  }
  testing::TempDir dir;
  auto wh = WarehouseWith(&dir, "_views", "views_damaged");
  auto views = wh->ListViews();
  ASSERT_FALSE(views.ok());
  EXPECT_EQ(views.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace wh
