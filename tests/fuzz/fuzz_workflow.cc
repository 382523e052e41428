// libFuzzer: any bytes as a workflow definition file, through the loader and
// the validator exactly as shouhud reads its workflows (Catalog::Load), with
// the bundled calendars beside it. Must never crash, hang or leak.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "../support/test_paths.h"
#include "shouhu/catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string file = [] {
    char tmpl[] = "/tmp/shouhu-fuzz-workflow-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    return dir + "/fuzzed.json";
  }();
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  std::vector<shouhu::DefinitionError> errors;
  shouhu::Catalog catalog =
      shouhu::Catalog::Load({file, SourceTree("/workflows/calendars")}, &errors);
  // A loaded workflow is usable: every state is reachable by its id.
  for (const auto& w : catalog.All()) {
    for (const auto& s : w->states) {
      if (!w->FindState(s.id)) std::abort();
    }
  }
  return 0;
}
