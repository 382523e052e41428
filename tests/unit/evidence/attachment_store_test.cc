// The attachment store on a real RocksDB store in a temp directory.
#include "evidence/attachment_store.h"

#include <gtest/gtest.h>

#include "../../support/assert_ok.h"
#include "../../support/media_files.h"
#include "../store/temp_dir.h"

namespace shouhu::evidence {
namespace {

using shouhu::testing::JpegWithExif;
using shouhu::testing::Mp4WithUserData;
using shouhu::testing::PngWithText;

constexpr std::string_view kMarker = "GPS-MARKER-29.56N";

class AttachmentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    files_.reset();
    store_.reset();
    auto s = OpenRocksStore(dir_.path(), {.sync = false});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    files_ = std::make_unique<AttachmentStore>(*store_, clock_, limits_);
  }

  // Uploads `bytes` as `name` in chunks of `chunk` bytes.
  StatusOr<AppendResult> UploadAll(const std::string& name, const std::string& bytes,
                                   size_t chunk) {
    auto u = files_->Begin("teacher1", name, bytes.size(), false);
    if (!u.ok()) return u.status();
    StatusOr<AppendResult> last = Internal("no chunk sent");
    for (size_t at = 0; at < bytes.size(); at += chunk) {
      last = files_->Append(u->id, "teacher1", at, std::string_view(bytes).substr(at, chunk));
      if (!last.ok()) return last;
    }
    return last;
  }

  TempDir dir_;
  FakeClock clock_{Instant(std::chrono::milliseconds(1'760'000'000'000))};
  AttachmentLimits limits_{.chunk_bytes = 64};
  std::unique_ptr<Store> store_;
  std::unique_ptr<AttachmentStore> files_;
};

TEST_F(AttachmentStoreTest, ChunksBecomeOneStrippedAttachment) {
  const std::string photo = JpegWithExif(kMarker);
  auto r = UploadAll("现场照片.jpg", photo, 50);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->attachment.has_value());
  const Attachment& a = *r->attachment;
  EXPECT_EQ(a.kind, FileKind::kJpeg);
  EXPECT_FALSE(a.metadata_kept);
  auto bytes = files_->Read(a.id);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(bytes->find(kMarker), std::string::npos);
  EXPECT_EQ(bytes->size(), a.size);
  EXPECT_LT(a.size, photo.size());
  EXPECT_EQ(a.sha256.size(), 64u);
}

TEST_F(AttachmentStoreTest, AnInterruptedUploadResumesFromWhatWasStored) {
  const std::string video = Mp4WithUserData(kMarker);
  auto u = files_->Begin("teacher1", "clip.mp4", video.size(), false);
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(files_->Append(u->id, "teacher1", 0, video.substr(0, 64)).ok());
  // The connection drops; the daemon even restarts.
  Open();
  auto status = files_->GetUpload(u->id, "teacher1");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->received, 64u);
  // A client that resends from the wrong place is told where to go on.
  auto wrong = files_->Append(u->id, "teacher1", 0, video.substr(0, 64));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(wrong.status().message().find("offset 64"), std::string::npos);
  StatusOr<AppendResult> last = Internal("none");
  for (size_t at = 64; at < video.size(); at += 64) {
    last = files_->Append(u->id, "teacher1", at, std::string_view(video).substr(at, 64));
    ASSERT_TRUE(last.ok()) << last.status().ToString();
  }
  ASSERT_TRUE(last->attachment.has_value());
  auto bytes = files_->Read(last->attachment->id);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), video.size());  // wiped in place
  EXPECT_EQ(bytes->find(kMarker), std::string::npos);
  // The finished upload is gone.
  EXPECT_EQ(files_->GetUpload(u->id, "teacher1").status().code(), StatusCode::kNotFound);
}

TEST_F(AttachmentStoreTest, ContentThatIsNotWhatTheNameSaysIsRefusedAndDiscarded) {
  const std::string png = PngWithText(kMarker);
  auto r = UploadAll("photo.jpg", png, 64);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("is not the jpeg file its name says"), std::string::npos)
      << r.status().message();
  const std::string script = "#!/bin/sh\necho not a photo\n";
  r = UploadAll("photo.png", script, 64);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("of no accepted kind"), std::string::npos);
  // Nothing of either upload is left behind.
  size_t left = 0;
  ASSERT_OK(store_->Scan("f/", "", [&](std::string_view, std::string_view) {
    ++left;
    return true;
  }));
  EXPECT_EQ(left, 0u);
}

TEST_F(AttachmentStoreTest, LimitsAreCheckedBeforeAnyByteIsSent) {
  limits_.max_image_bytes = 1000;
  Open();
  auto big = files_->Begin("teacher1", "big.png", 1001, false);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("image limit"), std::string::npos);
  EXPECT_FALSE(files_->Begin("teacher1", "virus.exe", 10, false).ok());
  EXPECT_FALSE(files_->Begin("teacher1", "empty.png", 0, false).ok());
  auto u = files_->Begin("teacher1", "ok.png", 100, false);
  ASSERT_TRUE(u.ok());
  auto over = files_->Append(u->id, "teacher1", 0, std::string(65, 'x'));
  EXPECT_EQ(over.status().code(), StatusCode::kInvalidArgument);  // over the chunk limit
  ASSERT_TRUE(files_->Append(u->id, "teacher1", 0, std::string(64, 'x')).ok());
  auto past = files_->Append(u->id, "teacher1", 64, std::string(37, 'x'));
  EXPECT_EQ(past.status().code(), StatusCode::kInvalidArgument);  // past the declared size
}

TEST_F(AttachmentStoreTest, AnotherUsersUploadAnswersAsMissing) {
  auto u = files_->Begin("teacher1", "a.png", 100, false);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(files_->GetUpload(u->id, "teacher2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(files_->Append(u->id, "teacher2", 0, "x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(files_->GetUpload("../../c/x", "teacher1").status().code(), StatusCode::kNotFound);
}

TEST_F(AttachmentStoreTest, UnfinishedUploadsExpire) {
  auto u = files_->Begin("teacher1", "a.png", 100, false);
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(files_->Append(u->id, "teacher1", 0, std::string(10, 'x')).ok());
  clock_.Set(clock_.Now() + limits_.upload_expiry + std::chrono::seconds(1));
  EXPECT_EQ(files_->GetUpload(u->id, "teacher1").status().code(), StatusCode::kNotFound);
  auto n = files_->ExpireUploads();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);
  size_t left = 0;
  ASSERT_OK(store_->Scan("f/", "", [&](std::string_view, std::string_view) {
    ++left;
    return true;
  }));
  EXPECT_EQ(left, 0u);
}

TEST_F(AttachmentStoreTest, VerifyFindsAStoredFileThatWasChanged) {
  auto r = UploadAll("a.png", PngWithText(kMarker), 64);
  ASSERT_TRUE(r.ok() && r->attachment);
  auto check = files_->VerifyAll();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok());
  EXPECT_EQ(check->checked, 1u);
  // Someone with access to the store changes one byte of the picture.
  std::string key;
  std::string value;
  ASSERT_OK(store_->Scan("f/b/", "", [&](std::string_view k, std::string_view v) {
    key = std::string(k);
    value = std::string(v);
    return false;
  }));
  value[value.size() / 2] ^= 1;
  ASSERT_OK(store_->Commit({Mutation::Put(key, value)}));
  check = files_->VerifyAll();
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->ok());
  ASSERT_EQ(check->problems.size(), 1u);
  EXPECT_NE(check->problems[0].find(r->attachment->id), std::string::npos);
  EXPECT_EQ(files_->Read(r->attachment->id).status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace shouhu::evidence
