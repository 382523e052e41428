// `shouhu audit verify` and `shouhu audit show`: the audit log (审计日志) of
// a data directory, checked or printed, offline.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/admin.h"
#include "cli/admin_common.h"
#include "evidence/attachment_store.h"
#include "shouhu/audit.h"

namespace shouhu::cli {
namespace {

using json = nlohmann::json;

constexpr const char* kAuditUsage =
    "usage: shouhu audit verify --data-dir DIR [--key-file FILE] [--expect-head SEQ:HASH]\n"
    "                           [--json]\n"
    "       shouhu audit show --data-dir DIR [--key-file FILE] [--case ID] [--limit N]\n"
    "                         [--json]\n"
    "\n"
    "The audit log (审计日志) records every read and write of a case or a\n"
    "child's file: who (user and unit), when, what, which case or child, from\n"
    "where, and for writes the case's resulting seq. Each record carries its\n"
    "sequence number, the previous record's hash and its own SHA-256 hash.\n"
    "\n"
    "Offline: stop shouhud first. The running daemon holds the data\n"
    "directory's RocksDB lock, and these commands refuse a locked directory.\n"
    "--key-file: the data key of an encrypted data directory (the file the\n"
    "daemon's \"encryption\" names).\n"
    "\n"
    "verify  walks the chain from the first record to the newest and checks\n"
    "        every sequence number, link and hash, then that every case's\n"
    "        newest change has its audit record. Prints the records checked,\n"
    "        the first broken record and why, and the head (seq and hash).\n"
    "        Exits 0 when intact, 1 otherwise (2 on a usage error).\n"
    "        A hash chain alone cannot show records cut off its end, or a\n"
    "        chain rewritten from some record on by someone who recomputed\n"
    "        every hash after it. Note the head somewhere else (a ticket, a\n"
    "        printout, another machine) and pass it later as\n"
    "        --expect-head SEQ:HASH: verify then fails if that record is gone\n"
    "        or changed.\n"
    "show    prints the records, oldest first: all, or those of one case\n"
    "        (--case), at most --limit; --json prints a JSON array.\n";

// Columns on a terminal: CJK characters take two, other characters one
// (close enough for names, units and the table's labels).
size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = text[i];
    const size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    width += len >= 3 ? 2 : 1;
    i += len;
  }
  return width;
}

// One table row: every cell but the last padded to its column's width.
std::string Row(const std::vector<std::string>& cells) {
  static constexpr size_t kWidths[] = {6, 25, 14, 12, 22, 16, 13};
  std::string row;
  for (size_t i = 0; i < cells.size(); ++i) {
    row += cells[i];
    if (i + 1 == cells.size()) break;
    const size_t w = DisplayWidth(cells[i]);
    row.append(w < kWidths[i] ? kWidths[i] - w : 1, ' ');
  }
  return row;
}


json ReportJson(const AuditReport& r) {
  return {{"ok", r.ok()},
          {"records", r.chain.records},
          {"intact_records", r.chain.intact},
          {"head", {{"seq", r.chain.head_seq}, {"hash", r.chain.head_hash}}},
          {"chain_ok", r.chain.ok},
          {"broken_seq", r.chain.broken_seq},
          {"problem", r.chain.problem},
          {"unreadable_seq", r.unreadable_seq},
          {"unreadable_problem", r.unreadable_problem},
          {"cases_checked", r.cases_checked},
          {"unaudited_count", r.unaudited_count},
          {"unaudited_cases", r.unaudited_cases},
          {"unreadable_case_count", r.unreadable_case_count},
          {"first_unreadable_case", r.first_unreadable_case},
          {"firing_records_checked", r.firing_records_checked},
          {"firing_mismatch_count", r.firing_mismatch_count},
          {"first_firing_mismatch", r.first_firing_mismatch},
          {"anchor_problem", r.anchor_problem}};
}

void PrintReport(const AuditReport& r) {
  const ChainReport& c = r.chain;
  if (c.ok) {
    std::printf("audit chain 审计链: %llu records checked, every link and hash "
                "verifies\n",
                static_cast<unsigned long long>(c.records));
  } else {
    std::printf("audit chain 审计链: BROKEN 已损坏 at record %llu: %s\n"
                "  %llu record(s) before it verify\n",
                static_cast<unsigned long long>(c.broken_seq), c.problem.c_str(),
                static_cast<unsigned long long>(c.intact));
  }
  if (r.unreadable_seq != 0) {
    std::printf("record %llu is not an audit record: %s\n",
                static_cast<unsigned long long>(r.unreadable_seq),
                r.unreadable_problem.c_str());
  }
  if (c.ok && r.unreadable_seq == 0) {
    if (r.unaudited_count == 0) {
      std::printf("cases 案件: %llu checked, each newest change has its audit "
                  "record\n",
                  static_cast<unsigned long long>(r.cases_checked));
    } else {
      std::string ids;
      for (const std::string& id : r.unaudited_cases) ids += " " + id;
      std::printf("cases 案件: %llu of %llu have no audit record for their "
                  "newest change (records were removed, likely from the "
                  "end):%s%s\n",
                  static_cast<unsigned long long>(r.unaudited_count),
                  static_cast<unsigned long long>(r.cases_checked), ids.c_str(),
                  r.unaudited_count > r.unaudited_cases.size() ? " ..." : "");
    }
    const std::string firings =
        r.firing_mismatch_count == 0
            ? std::string("each matches the digest in the chain")
            : std::to_string(r.firing_mismatch_count) +
                  " do NOT match the digest in the chain (first: " + r.first_firing_mismatch +
                  ")";
    std::printf("firing records 定时触发记录: %llu checked, %s\n",
                static_cast<unsigned long long>(r.firing_records_checked), firings.c_str());
  }
  if (r.unreadable_case_count > 0) {
    std::printf("warning 警告: %llu case record(s) cannot be read (first: %s); "
                "their timers are quarantined\n",
                static_cast<unsigned long long>(r.unreadable_case_count),
                r.first_unreadable_case.c_str());
  }
  if (!r.anchor_problem.empty()) {
    std::printf("anchor 锚点: %s\n", r.anchor_problem.c_str());
  }
  std::printf(c.ok ? "head 链头: seq %llu hash %s\n"
                   : "last intact record 最后完好记录: seq %llu hash %s\n",
              static_cast<unsigned long long>(c.head_seq),
              c.head_hash.empty() ? "-" : c.head_hash.c_str());
  std::printf("%s\n", r.ok() ? "ok 完好" : "FAILED 校验失败");
}

int Verify(const ClientArgs& o) {
  AuditAnchor anchor;
  const bool anchored = !o.Get("expect-head").empty();
  if (anchored) {
    const std::string text = o.Get("expect-head");
    const size_t colon = text.find(':');
    // `end` points into seq_text, so seq_text must outlive the check below.
    const std::string seq_text = text.substr(0, colon);
    char* end = nullptr;
    anchor.seq = colon == std::string::npos ? 0 : std::strtoull(seq_text.c_str(), &end, 10);
    if (anchor.seq == 0 || *end != '\0' || text.size() - colon - 1 != 64) {
      PrintError("--expect-head 须为 序号:哈希", "--expect-head wants SEQ:HASH, e.g. 1024:<64 hex digits>");
      return 2;
    }
    anchor.hash = text.substr(colon + 1);
  }
  auto store = OpenDataDir(o.Get("data-dir"), o.Get("key-file"));
  if (!store.ok()) {
    PrintError("无法打开数据目录", store.status().message());
    return 1;
  }
  auto report = VerifyAuditLog(**store, anchored ? &anchor : nullptr);
  if (!report.ok()) {
    PrintError("无法读取审计日志", report.status().ToString());
    return 1;
  }
  // Evidence files: every stored file still hashes to the SHA-256 that its
  // case's history and the audit chain recorded.
  SystemClock clock;
  auto files = evidence::AttachmentStore(**store, clock, {}).VerifyAll();
  if (!files.ok()) {
    PrintError("无法校验证据文件", files.status().ToString());
    return 1;
  }
  if (o.Has("json")) {
    json out = ReportJson(*report);
    out["files_checked"] = files->checked;
    out["file_problems"] = files->problems;
    out["ok"] = report->ok() && files->ok();
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    PrintReport(*report);
    std::printf("evidence files 证据文件: %llu checked, %s\n",
                static_cast<unsigned long long>(files->checked),
                files->ok() ? "all match their SHA-256 / 均与登记的SHA-256一致"
                            : "SOME DO NOT MATCH / 有文件与SHA-256不符:");
    for (const std::string& p : files->problems) std::printf("  %s\n", p.c_str());
  }
  return report->ok() && files->ok() ? 0 : 1;
}

int Show(const ClientArgs& o) {
  // Checked by PositiveWholeNumber.
  const size_t limit = o.Has("limit") ? std::strtoull(o.Get("limit").c_str(), nullptr, 10) : 0;
  auto store = OpenDataDir(o.Get("data-dir"), o.Get("key-file"));
  if (!store.ok()) {
    PrintError("无法打开数据目录", store.status().message());
    return 1;
  }
  auto records = ReadAuditLog(**store, o.Get("case"), limit);
  if (!records.ok()) {
    PrintError("无法读取审计日志（请运行 shouhu audit verify）",
               records.status().ToString() + " (run `shouhu audit verify`)");
    return 1;
  }
  if (o.Has("json")) {
    json out = json::array();
    for (const AuditRecord& a : *records) {
      json j = {{"seq", a.seq},       {"hash", a.hash},     {"at", FormatInstant(a.at)},
                {"user", a.user},     {"unit", a.unit},     {"origin", a.origin},
                {"action", a.action}, {"case", a.case_id},  {"child", a.child_id}};
      j["case_seq"] = a.case_seq ? json(*a.case_seq) : json();
      if (!a.file.empty()) j["file"] = {{"id", a.file}, {"sha256", a.file_sha256}};
      if (!a.detail.empty()) j["detail"] = json::parse(a.detail, nullptr, false);
      out.push_back(std::move(j));
    }
    std::printf("%s\n", out.dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("%s\n", Row({"seq", "at (UTC)", "user 用户", "unit 单位", "origin 来源",
                           "action 操作", "case 案件", "child/seq"})
                          .c_str());
  for (const AuditRecord& a : *records) {
    std::string tail = !a.child_id.empty() ? a.child_id
                       : a.case_seq        ? "#" + std::to_string(*a.case_seq)
                       : !a.file.empty()   ? a.file + " sha256:" + a.file_sha256.substr(0, 12)
                                           : a.detail;
    std::printf("%s\n", Row({std::to_string(a.seq), FormatInstant(a.at), a.user,
                             a.unit.empty() ? "-" : a.unit,
                             a.origin.empty() ? "-" : a.origin, a.action,
                             a.case_id.empty() ? "-" : a.case_id, tail})
                            .c_str());
  }
  std::printf("%zu record(s)\n", records->size());
  return 0;
}

}  // namespace

void AddAuditCommands(CommandLine& cl) {
  CLI::App* audit = cl.Group(nullptr, "audit", "审计日志 / check or print the audit log (offline)",
                             kAuditUsage);
  auto verify = cl.Add(audit, "verify", "校验 / check the chain", kAuditUsage, Verify);
  auto show = cl.Add(audit, "show", "查看 / print the records", kAuditUsage, Show);
  for (const auto& c : {verify, show}) {
    AddValue(c, "data-dir", "DIR", "数据目录 / the data directory")->required();
    AddValue(c, "key-file", "FILE", "数据密钥 / its data key file");
    AddFlag(c, "json", "输出 JSON / print JSON");
  }
  AddValue(verify, "expect-head", "SEQ:HASH", "预期链头 / the head noted earlier");
  AddValue(show, "case", "ID", "案件 / only this case's records");
  AddValue(show, "limit", "N", "条数 / at most N records")->check(PositiveWholeNumber());
}

}  // namespace shouhu::cli
