#include "evidence/strip_metadata.h"

#include <gtest/gtest.h>

#include "../../support/media_files.h"
#include "evidence/file_kind.h"

namespace shouhu::evidence {
namespace {

using shouhu::testing::HeicWithExif;
using shouhu::testing::JpegWithExif;
using shouhu::testing::kPictureData;
using shouhu::testing::MinimalPdf;
using shouhu::testing::Mp4WithUserData;
using shouhu::testing::PngWithText;

constexpr std::string_view kMarker = "GPS-MARKER-31.23N";

struct Case {
  FileKind kind;
  std::string file;
};

std::vector<Case> Files() {
  return {{FileKind::kJpeg, JpegWithExif(kMarker)},
          {FileKind::kPng, PngWithText(kMarker)},
          {FileKind::kMp4, Mp4WithUserData(kMarker)},
          {FileKind::kHeic, HeicWithExif(kMarker)}};
}

TEST(FileKindTest, TheContentDecidesNotTheName) {
  for (const Case& c : Files()) {
    EXPECT_EQ(SniffKind(std::string_view(c.file).substr(0, 32)), c.kind) << KindName(c.kind);
  }
  EXPECT_EQ(SniffKind(MinimalPdf("x")), FileKind::kPdf);
  EXPECT_EQ(SniffKind("MZ\x90\0 an executable"), std::nullopt);
  EXPECT_EQ(SniffKind("<html><script>"), std::nullopt);
  EXPECT_EQ(KindOfName("现场照片.JPG"), FileKind::kJpeg);
  EXPECT_EQ(KindOfName("clip.mp4"), FileKind::kMp4);
  EXPECT_EQ(KindOfName("IMG_0001.HEIC"), FileKind::kHeic);
  EXPECT_EQ(KindOfName("report.pdf.exe"), std::nullopt);
  EXPECT_EQ(KindOfName("noextension"), std::nullopt);
}

TEST(StripMetadataTest, PhoneMetadataIsGoneAndThePictureStays) {
  for (Case& c : Files()) {
    ASSERT_NE(c.file.find(kMarker), std::string::npos) << KindName(c.kind);
    auto stripped = StripMetadata(c.kind, c.file);
    ASSERT_TRUE(stripped.ok()) << KindName(c.kind) << ": " << stripped.status().ToString();
    EXPECT_EQ(stripped->find(kMarker), std::string::npos) << KindName(c.kind);
    EXPECT_NE(stripped->find(kPictureData), std::string::npos) << KindName(c.kind);
    EXPECT_EQ(SniffKind(*stripped), c.kind);
    // Still well-formed: stripping again changes nothing more.
    auto again = StripMetadata(c.kind, *stripped);
    ASSERT_TRUE(again.ok()) << KindName(c.kind);
    EXPECT_EQ(*again, *stripped) << KindName(c.kind);
  }
}

TEST(StripMetadataTest, OffsetBasedFormatsKeepTheirSize) {
  // MP4 and HEIC locate their data by byte offsets: wiping in place keeps them valid.
  for (Case& c : Files()) {
    if (c.kind != FileKind::kMp4 && c.kind != FileKind::kHeic) continue;
    auto stripped = StripMetadata(c.kind, c.file);
    ASSERT_TRUE(stripped.ok());
    EXPECT_EQ(stripped->size(), c.file.size());
    EXPECT_EQ(stripped->find(kPictureData), c.file.find(kPictureData));
  }
}

TEST(StripMetadataTest, TruncatedOrForgedFilesAreRefused) {
  for (Case& c : Files()) {
    std::string cut = c.file.substr(0, c.file.size() / 2);
    auto r = StripMetadata(c.kind, cut);
    EXPECT_FALSE(r.ok()) << KindName(c.kind) << " cut in half was accepted";
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(r.status().message().find("not a well-formed"), std::string::npos);
    }
  }
  // A box claiming more bytes than the file has.
  std::string mp4 = Mp4WithUserData(kMarker);
  mp4[1] = '\x7F';
  EXPECT_FALSE(StripMetadata(FileKind::kMp4, mp4).ok());
  EXPECT_FALSE(CheckStructure(FileKind::kPdf, "%PDF-1.4 no end").ok());
  EXPECT_TRUE(CheckStructure(FileKind::kPdf, MinimalPdf("x")).ok());
}

TEST(StripMetadataTest, CheckStructureKeepsTheMetadata) {
  for (Case& c : Files()) {
    EXPECT_TRUE(CheckStructure(c.kind, c.file).ok()) << KindName(c.kind);
  }
}

}  // namespace
}  // namespace shouhu::evidence
