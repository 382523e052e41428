// Removes what a photo or video says about where and on what it was taken
// (EXIF with GPS position and device, XMP, IPTC, text chunks, MP4 user data)
// before it is stored, and checks the file's structure on the way: a file
// that does not parse as its kind is refused.
//
// The picture itself is untouched: JPEG and PNG lose whole metadata
// segments; in MP4 and HEIC, whose boxes are located by byte offsets, the
// metadata boxes and items keep their size and are overwritten with zeros
// (an MP4 box becomes 'free'), so every offset stays valid. PDF is stored as
// it is (its metadata is the author's document, not the device's).
#pragma once

#include <string>

#include "evidence/file_kind.h"
#include "shouhu/status.h"

namespace shouhu::evidence {

// kInvalidArgument naming the problem when `bytes` is not a well-formed file
// of `kind`.
StatusOr<std::string> StripMetadata(FileKind kind, std::string bytes);

// Checks the structure only (what StripMetadata checks), changing nothing.
Status CheckStructure(FileKind kind, std::string_view bytes);

}  // namespace shouhu::evidence
