// libFuzzer: any bytes as a stored record, through every decoder the runtime
// reads the store with (runtime/codec.h). A record on disk may be corrupt
// (a bad sector, a bug in an older version): decoding must answer an error,
// never crash. The first byte picks the decoder.
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/codec.h"

namespace codec = shouhu::codec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view v(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string fingerprint;
  std::string unit;
  switch (data[0] % 15) {
    case 0: (void)codec::DecodeCase(v); break;
    case 1:  // a history entry, or a firing record
      (void)codec::DecodeHistory(v);
      (void)codec::DecodeHistoryRecord(v, "C1");
      break;
    case 2:  // an outbox entry, a reference, or the firing record it names
      (void)codec::DecodeOutbox(v);
      (void)codec::DecodeOutboxRef(v);
      (void)codec::OutboxEntryOfFiring(v, {"C1", 1, 0}, 1);
      break;
    case 3: (void)codec::DecodeDelivery(v); break;
    case 4: (void)codec::DecodeDeadLetter(v); break;
    case 5: (void)codec::DecodeResult(v, &fingerprint); break;
    case 6: (void)codec::DecodeAudit(v); break;
    case 7: (void)codec::DecodeChildProposal(v); break;
    case 8: (void)codec::DecodeChildId(v); break;
    case 9: (void)codec::DecodeOrgRecord(v); break;
    case 10: (void)codec::DecodeChildResult(v, &fingerprint); break;
    case 11: (void)codec::DecodeRosterImport(v); break;
    case 12: (void)codec::DecodeRosterMapping(v); break;
    case 14: (void)codec::DecodeChildRevision(v, &unit); break;
    case 13: {
      codec::TimerKeyParts parts;
      (void)codec::ParseTimerKey(v, &parts);
      break;
    }
  }
  return 0;
}
