// Input the API layer might pass through unchecked: text that is not UTF-8,
// odd ids. Every such command is refused like any other, never thrown.
#include <string>

#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

class RobustnessTest : public RuntimeTest {};

TEST_F(RobustnessTest, TextThatIsNotUtf8IsRefusedNotThrown) {
  std::string id = OpenReport();
  const std::string bad = "\xff\xfe";
  json bad_name = Report();
  bad_name["child_name"] = bad;
  json bad_enum = Report();
  bad_enum["category"] = bad;
  Actor bad_user = Officer();
  bad_user.user = bad;

  Snapshot before = Snap();
  EXPECT_CODE(rt_->Open({"r1", Reporter(), "mandatory_report", "", bad_name}),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(rt_->Open({"r2", Reporter(), "mandatory_report", "", bad_enum}),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(rt_->Open({"r3", Reporter(), "mandatory_report", bad, Report()}),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(rt_->Note({"r4", Officer(), id, "note " + bad}), StatusCode::kInvalidArgument);
  EXPECT_CODE(rt_->Note({"r5", bad_user, id, "note"}), StatusCode::kInvalidArgument);
  EXPECT_CODE(rt_->Assign({"r6", Officer(), id, bad}), StatusCode::kInvalidArgument);
  EXPECT_CODE(rt_->Fire(MakeFire("r7", Officer(), id, "accept", {{"case_kind", bad}})),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(rt_->Fire(MakeFire("r8", Officer(), id, "transfer", {{"transfer_to", bad}})),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(rt_->Fire(MakeFire("r9", Officer(), id + bad, "accept")),
              StatusCode::kInvalidArgument);
  ExpectNothingWritten(before);
}

TEST_F(RobustnessTest, OddIdsAreRefusedOrNotFound) {
  std::string id = OpenReport();
  Snapshot before = Snap();
  EXPECT_CODE(rt_->Note({std::string(201, 'x'), Officer(), id, "n"}),
              StatusCode::kInvalidArgument);
  // Ids that are prefixes or extensions of a real one name no case.
  for (const std::string& odd : {std::string(""), id.substr(0, id.size() - 1), id + "/",
                                 id + std::string(1, '\0'), std::string("../") + id}) {
    SCOPED_TRACE(Printable(odd));
    EXPECT_CODE(rt_->GetCase(odd), StatusCode::kNotFound);
    EXPECT_CODE(rt_->History(odd), StatusCode::kNotFound);
    EXPECT_CODE(rt_->Note({"n-" + Printable(odd), Officer(), odd, "n"}),
                StatusCode::kNotFound);
  }
  ExpectNothingWritten(before);
  // A request id may hold any bytes: it is only ever a key.
  std::string binary_request("req\0\x01\xff", 6);
  auto r = rt_->Note({binary_request, Officer(), id, "n"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto again = rt_->Note({binary_request, Officer(), id, "n"});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_FALSE(rt_->Note({"req", Officer(), id, "n"})->replayed)
      << "a request id is not cut at a NUL byte";
}

TEST_F(RobustnessTest, NullDataIsAnEmptyObject) {
  std::string id = OpenReport();
  ToPoliceIntake(id);
  auto r = rt_->Fire(MakeFire("r1", Officer(), id, "respond", json()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, "emergency_response");
  EXPECT_TRUE(Case(id).data.is_object());
  EXPECT_CODE(rt_->Open({"r2", Reporter(), "mandatory_report", "", json()}),
              StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shouhu::runtime_test
