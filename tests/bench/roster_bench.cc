// shouhu-roster-bench: a 10,000-row roster (花名册) imported into the
// register on an encrypted store, as the API does it: the CSV parsed, every
// row checked, all rows written in one batch, the search index included;
// then the same file again (found by its hash, nothing written), and a
// search over the register. Prints times and resident memory.
//
//   shouhu-roster-bench [--rows N] [--dir DIR]
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "roster/sheet.h"
#include "roster/text_encoding.h"
#include "shouhu/catalog.h"
#include "shouhu/child_register.h"
#include "shouhu/clock.h"
#include "shouhu/data_store.h"
#include "shouhu/runtime.h"
#include "shouhu/sealed_store.h"
#include "../support/test_paths.h"

using namespace shouhu;
using Clock_ = std::chrono::steady_clock;

namespace {

double Ms(Clock_::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

long PeakRssKiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

[[noreturn]] void Die(const Status& s, const char* what) {
  std::fprintf(stderr, "shouhu-roster-bench: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

// A roster like a county's: names from common family and given names, birth
// dates over ten years, schools, classes, categories, guardians; every
// helper with at most two children.
std::string MakeRoster(size_t rows) {
  const char* family[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"};
  const char* given[] = {"小明", "小红", "子涵", "浩然", "欣怡", "梓轩", "雨桐", "宇航"};
  std::string csv = "儿童姓名,出生日期,就读学校,班级,儿童类别,监护人姓名,帮扶人\n";
  for (size_t i = 0; i < rows; ++i) {
    char date[16];
    std::snprintf(date, sizeof date, "%04zu-%02zu-%02zu", 2010 + i % 10, 1 + i / 10 % 12,
                  1 + i / 120 % 28);
    csv += std::string(family[i % 10]) + given[i / 10 % 8] + std::to_string(i) + "," + date +
           ",城关小学,三(" + std::to_string(i % 6 + 1) + ")班,留守儿童," + family[i % 10] +
           "大山,\n";
  }
  return csv;
}

}  // namespace

int main(int argc, char** argv) {
  size_t rows = 10'000;
  std::string root = "/tmp";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--rows") rows = std::stoul(argv[i + 1]);
    if (a == "--dir") root = argv[i + 1];
  }
  std::string dir = root + "/shouhu-roster-bench-XXXXXX";
  if (!mkdtemp(dir.data())) return 1;
  auto key = CreateDataKeyFile(dir + "/key");
  if (!key.ok()) Die(key.status(), "key");
  auto store = OpenDataStore(dir + "/db", {}, &*key);
  if (!store.ok()) Die(store.status(), "store");
  std::vector<DefinitionError> errors;
  Catalog catalog = Catalog::Load({SourceTree("/workflows")}, &errors);
  if (!errors.empty()) return 1;
  SystemClock clock;
  auto rt = Runtime::Create(**store, catalog, clock);
  if (!rt.ok()) Die(rt.status(), "runtime");

  std::string csv = MakeRoster(rows);
  std::printf("roster: %zu rows, %.1f MB CSV; encrypted store\n", rows, csv.size() / 1e6);
  auto t0 = Clock_::now();
  auto text = roster::DecodeText(csv);
  auto sheet = roster::ParseCsv(text->utf8);
  if (!sheet.ok()) Die(sheet.status(), "parse");
  auto t1 = Clock_::now();
  RosterImport cmd;
  cmd.actor = {"u0015", "chengguan-v02", {"child_director"}, "bench"};
  cmd.unit = "chengguan-v02";
  cmd.content_sha256 = std::string(64, 'a');
  cmd.headings = sheet->headings;
  cmd.rows = sheet->rows;
  cmd.row_numbers = sheet->row_numbers;
  cmd.mapping = {{"儿童姓名", "child_name"},   {"出生日期", "child_birth_date"},
                 {"就读学校", "school"},       {"班级", "class_name"},
                 {"儿童类别", "child_category"}, {"监护人姓名", "guardian_name"}};
  cmd.dry_run = true;
  auto checked = RegisterOf(**rt).ImportRoster(cmd);
  if (!checked.ok()) Die(checked.status(), "check");
  auto t2 = Clock_::now();
  cmd.dry_run = false;
  auto imported = RegisterOf(**rt).ImportRoster(cmd);
  if (!imported.ok()) Die(imported.status(), "import");
  if (!imported->problems.empty()) {
    std::fprintf(stderr, "row %zu: %s\n", imported->problems[0].row,
                 imported->problems[0].message.c_str());
    return 1;
  }
  auto t3 = Clock_::now();
  auto again = RegisterOf(**rt).ImportRoster(cmd);
  auto t4 = Clock_::now();
  ChildQuery q;
  q.units = {"chengguan-v02"};
  q.name = "wxm";
  auto found = RegisterOf(**rt).SearchChildren(q);
  auto t5 = Clock_::now();
  std::printf("parse CSV            %8.0f ms\n", Ms(t1 - t0));
  std::printf("check every row      %8.0f ms (preview)\n", Ms(t2 - t1));
  std::printf("import, one batch    %8.0f ms (%zu created)\n", Ms(t3 - t2), imported->created);
  std::printf("same file again      %8.0f ms (replayed: %s)\n", Ms(t4 - t3),
              again.ok() && again->replayed ? "yes" : "no");
  std::printf("search \"wxm\"         %8.1f ms (%zu of %zu files)\n", Ms(t5 - t4),
              found.ok() ? found->files.size() : 0, found.ok() ? found->total : 0);
  std::printf("peak resident memory %8.0f MB\n", PeakRssKiB() / 1024.0);
  rt->reset();
  store->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
