// Evidence files against the real shouhud over HTTP (issue 19): a photo
// uploaded in chunks that survive a dropped connection, carried by a report,
// downloaded by the police and by nobody without the right, refused when its
// content lies about its type, absent in clear from the data folder, and
// back from a backup.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../../support/media_files.h"
#include "../../support/run_program.h"
#include "api_daemon.h"
#include "auth/locked_file.h"

namespace shouhu::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::string_view kGps = "GPS-29.5630N-106.5516E";

// A JPEG whose picture data is 6,000 bytes of a pattern no other file holds.
std::string Photo() {
  std::string pixels;
  for (int i = 0; pixels.size() < 6000; ++i) pixels += "PIXEL-ROW-" + std::to_string(i) + ";";
  std::string jpeg = JpegWithExif(kGps);
  const size_t at = jpeg.find(kPictureData);
  return jpeg.replace(at, kPictureData.size(), pixels);
}

class EvidenceTest : public ::testing::Test {
 protected:
  // Chunks of 1 KiB, so a 6 KB photo takes several.
  EvidenceTest() : daemon_(json{{"attachments", {{"chunk_kb", 1}, {"max_image_mb", 1}}}}) {}
  void SetUp() override { daemon_.Start(); }

  // Begins an upload of `bytes` as `name`; the upload's id.
  std::string Begin(const std::string& user, const std::string& name, size_t size) {
    auto r = daemon_.ClientFor(user)->Send("POST", "/api/v1/uploads",
                                           json{{"name", name}, {"size", size}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body)["upload"]["id"].get<std::string>() : "";
  }
  cli::HttpReply Chunk(const std::string& user, const std::string& id, size_t offset,
                       std::string_view bytes) {
    return daemon_.ClientFor(user)->Send("PATCH", "/api/v1/uploads/" + id, std::string(bytes),
                                         {{"Upload-Offset", std::to_string(offset)},
                                          {"Content-Type", "application/offset+octet-stream"}});
  }
  // Uploads all of `bytes` in 1 KiB chunks; the last reply.
  cli::HttpReply UploadAll(const std::string& user, const std::string& name,
                           const std::string& bytes) {
    const std::string id = Begin(user, name, bytes.size());
    cli::HttpReply last;
    for (size_t at = 0; at < bytes.size(); at += 1024) {
      last = Chunk(user, id, at, std::string_view(bytes).substr(at, 1024));
      if (last.status != 200) break;
    }
    return last;
  }
  std::string FileReport(const std::string& user, const json& files) {
    json body = ReportBody("小红");
    body["data"]["evidence_files"] = files;
    auto r = daemon_.ClientFor(user)->Send("POST", "/api/v1/cases", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body)["case_id"].get<std::string>() : "";
  }

  ApiDaemon daemon_;
};

TEST_F(EvidenceTest, APhotoUploadResumesTravelsWithTheReportAndReachesOnlyThoseAllowed) {
  const std::string photo = Photo();
  const std::string id = Begin("u0021", "现场照片.jpg", photo.size());
  ASSERT_EQ(Chunk("u0021", id, 0, std::string_view(photo).substr(0, 1024)).status, 200);
  ASSERT_EQ(Chunk("u0021", id, 1024, std::string_view(photo).substr(1024, 1024)).status, 200);
  // The phone loses its connection, and asks where to go on from.
  auto where = daemon_.ClientFor("u0021")->Send("GET", "/api/v1/uploads/" + id);
  ASSERT_EQ(where.status, 200) << where.body;
  EXPECT_EQ(json::parse(where.body)["upload"]["received"], 2048);
  EXPECT_EQ(where.headers["upload-offset"], "2048");
  // A chunk resent from the wrong place is refused, with where to resume.
  auto wrong = Chunk("u0021", id, 1024, std::string_view(photo).substr(1024, 1024));
  EXPECT_EQ(wrong.status, 409) << wrong.body;
  EXPECT_EQ(wrong.headers["upload-offset"], "2048");
  // Nobody else can see or continue it.
  EXPECT_EQ(daemon_.ClientFor("u0022")->Send("GET", "/api/v1/uploads/" + id).status, 404);
  json file;
  for (size_t at = 2048; at < photo.size(); at += 1024) {
    auto r = Chunk("u0021", id, at, std::string_view(photo).substr(at, 1024));
    ASSERT_EQ(r.status, 200) << r.body;
    if (at + 1024 >= photo.size()) file = json::parse(r.body)["file"];
  }
  ASSERT_TRUE(file.is_object());
  EXPECT_EQ(file["kind"], "jpeg");

  // Another teacher cannot attach it to their report.
  json stolen = ReportBody("小红");
  stolen["data"]["evidence_files"] = json::array({file["id"]});
  auto refused = daemon_.ClientFor("u0023")->Send("POST", "/api/v1/cases", stolen.dump());
  EXPECT_EQ(refused.status, 422) << refused.body;

  const std::string case_id = FileReport("u0021", json::array({file["id"]}));
  ASSERT_FALSE(case_id.empty());
  // The police of the child's township see it with its SHA-256 and fetch it.
  auto seen = daemon_.ClientFor("u0008")->Send("GET", "/api/v1/cases/" + case_id);
  ASSERT_EQ(seen.status, 200);
  const json recorded = json::parse(seen.body)["data"]["evidence_files"];
  ASSERT_EQ(recorded.size(), 1u) << seen.body;
  EXPECT_EQ(recorded[0]["sha256"], file["sha256"]);
  const std::string url = "/api/v1/cases/" + case_id + "/files/" + file["id"].get<std::string>();
  auto got = daemon_.ClientFor("u0008")->Send("GET", url);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.headers["content-type"], "image/jpeg");
  EXPECT_EQ(got.headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(Sha256Hex(got.body), file["sha256"]);
  EXPECT_EQ(got.body.find(kGps), std::string::npos) << "the photo's GPS position was kept";
  EXPECT_NE(got.body.find("PIXEL-ROW-42;"), std::string::npos);
  // Without the right to the case file's sensitive fields, or outside the
  // jurisdiction, the file answers as missing.
  for (const char* user : {"u0022" /* helper, same school */, "u0016" /* village committee */,
                           "u0034" /* another township's police */}) {
    EXPECT_EQ(daemon_.ClientFor(user)->Send("GET", url).status, 404) << user;
  }
  // Each download and each refusal is in the audit trail, with the file's hash.
  daemon_.Stop();
  ProgramResult audit = RunProgram(
      kCliPath, {"audit", "show", "--data-dir", daemon_.data_dir(), "--key-file", daemon_.key_path(),
                 "--case", case_id, "--json"},
      daemon_.dir());
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  int reads = 0, refusals = 0;
  for (const json& a : json::parse(audit.out)) {
    if (a["action"] == "file.read") {
      ++reads;
      EXPECT_EQ(a["file"]["sha256"], file["sha256"]);
    }
    if (a["action"] == "file.read.refused") ++refusals;
  }
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(refusals, 3);
}

TEST_F(EvidenceTest, AFileWhoseContentIsNotItsTypeOrTooLargeIsRefused) {
  // A PNG named .jpg: refused when its last byte arrives, and gone.
  auto png = UploadAll("u0021", "photo.jpg", PngWithText(kGps));
  EXPECT_EQ(png.status, 422) << png.body;
  EXPECT_NE(png.body.find("is not the jpeg file its name says"), std::string::npos) << png.body;
  // A script named .mp4.
  auto script = UploadAll("u0021", "clip.mp4", std::string(3000, '#'));
  EXPECT_EQ(script.status, 422) << script.body;
  // Over the image limit (1 MiB here), before any byte is sent.
  auto big = daemon_.ClientFor("u0021")->Send(
      "POST", "/api/v1/uploads", json{{"name", "big.png"}, {"size", 2 << 20}}.dump());
  EXPECT_EQ(big.status, 422) << big.body;
  EXPECT_NE(big.body.find("limit"), std::string::npos);
  auto exe = daemon_.ClientFor("u0021")->Send(
      "POST", "/api/v1/uploads", json{{"name", "tool.exe"}, {"size", 10}}.dump());
  EXPECT_EQ(exe.status, 422) << exe.body;
  // A video made in the test goes through, its user data wiped.
  auto video = UploadAll("u0021", "clip.mp4", Mp4WithUserData(kGps));
  ASSERT_EQ(video.status, 200) << video.body;
  EXPECT_EQ(json::parse(video.body)["file"]["kind"], "mp4");
}

TEST_F(EvidenceTest, TheStoredPhotoIsNotInClearAndComesBackFromABackup) {
  const std::string photo = Photo();
  auto done = UploadAll("u0021", "现场照片.jpg", photo);
  ASSERT_EQ(done.status, 200) << done.body;
  const json file = json::parse(done.body)["file"];
  const std::string case_id = FileReport("u0021", json::array({file["id"]}));
  const std::string url = "/api/v1/cases/" + case_id + "/files/" + file["id"].get<std::string>();
  daemon_.Stop();

  // No file of the data folder holds the picture's bytes in clear.
  for (const auto& entry : fs::recursive_directory_iterator(daemon_.data_dir())) {
    if (!entry.is_regular_file()) continue;
    const std::string bytes = ReadFile(entry.path().string());
    EXPECT_EQ(bytes.find("PIXEL-ROW-42;"), std::string::npos) << entry.path();
  }
  // Back up, lose the data folder, restore, and the photo is whole again.
  const std::string backup = daemon_.dir() + "/backup";
  ProgramResult b =
      RunProgram(kCliPath, {"backup", "--data-dir", daemon_.data_dir(), "--key-file", daemon_.key_path(),
                  "--to", backup},
                 daemon_.dir());
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  for (const auto& entry : fs::recursive_directory_iterator(backup)) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(ReadFile(entry.path().string()).find("PIXEL-ROW-42;"), std::string::npos)
        << entry.path();
  }
  fs::remove_all(daemon_.data_dir());
  ProgramResult r =
      RunProgram(kCliPath, {"restore", "--from", backup, "--data-dir", daemon_.data_dir(), "--key-file",
                  daemon_.key_path()},
                 daemon_.dir());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ProgramResult verify =
      RunProgram(kCliPath, {"audit", "verify", "--data-dir", daemon_.data_dir(), "--key-file",
                  daemon_.key_path()}, daemon_.dir());
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("evidence files 证据文件: 1 checked"), std::string::npos)
      << verify.out;
  daemon_.Start();
  auto got = daemon_.ClientFor("u0008")->Send("GET", url);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Sha256Hex(got.body), file["sha256"]);
}

}  // namespace
}  // namespace shouhu::testing
