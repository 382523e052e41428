#include "evidence/strip_metadata.h"

#include <cstdint>
#include <set>
#include <vector>

namespace shouhu::evidence {
namespace {

Status Bad(std::string_view kind, std::string_view why) {
  return InvalidArgument("not a well-formed " + std::string(kind) + " file: " +
                                 std::string(why));
}

uint64_t BigEndian(std::string_view s, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

// --- JPEG: a sequence of marker segments up to the first scan ---

// APP1 (EXIF, XMP), APP13 (IPTC) and comments say where, when and with what
// device; the colour profile (APP2) and the image segments stay.
bool IsJpegMetadata(unsigned char marker) {
  return marker == 0xE1 || marker == 0xED || marker == 0xFE;
}

StatusOr<std::string> JpegWithout(std::string_view in, bool strip) {
  if (in.size() < 4 || static_cast<unsigned char>(in[0]) != 0xFF ||
      static_cast<unsigned char>(in[1]) != 0xD8) {
    return Bad("JPEG", "no start-of-image marker");
  }
  std::string out(in.substr(0, 2));
  size_t p = 2;
  while (p + 2 <= in.size()) {
    if (static_cast<unsigned char>(in[p]) != 0xFF) return Bad("JPEG", "segment without marker");
    const auto marker = static_cast<unsigned char>(in[p + 1]);
    if (marker == 0xFF) {  // fill byte
      ++p;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // no length
      out.append(in.substr(p, 2));
      p += 2;
      continue;
    }
    if (marker == 0xD9) return Bad("JPEG", "image ends before any image data");
    if (p + 4 > in.size()) return Bad("JPEG", "truncated segment");
    const size_t length = BigEndian(in, p + 2, 2);
    if (length < 2 || p + 2 + length > in.size()) return Bad("JPEG", "segment overruns the file");
    if (!(strip && IsJpegMetadata(marker))) out.append(in.substr(p, 2 + length));
    p += 2 + length;
    if (marker == 0xDA) {  // start of scan: the image data follows to the end
      out.append(in.substr(p));
      return out;
    }
  }
  return Bad("JPEG", "no image data");
}

// --- PNG: signature, then chunks up to IEND ---

bool IsPngMetadata(std::string_view type) {
  return type == "eXIf" || type == "tEXt" || type == "zTXt" || type == "iTXt" ||
         type == "tIME";
}

StatusOr<std::string> PngWithout(std::string_view in, bool strip) {
  constexpr std::string_view kSignature = "\x89PNG\r\n\x1A\n";
  if (in.substr(0, 8) != kSignature) return Bad("PNG", "no PNG signature");
  std::string out(kSignature);
  size_t p = 8;
  while (p + 12 <= in.size()) {
    const size_t length = BigEndian(in, p, 4);
    const std::string_view type = in.substr(p + 4, 4);
    if (length > in.size() - p - 12) return Bad("PNG", "chunk overruns the file");
    if (!(strip && IsPngMetadata(type))) out.append(in.substr(p, 12 + length));
    p += 12 + length;
    if (type == "IEND") return out;
  }
  return Bad("PNG", "no IEND chunk");
}

// --- ISO base media (MP4, HEIC): nested boxes located by size ---

struct Box {
  size_t start = 0;    // offset of the box's size field
  size_t payload = 0;  // offset of its payload
  size_t end = 0;      // one past its last byte
  std::string type;
};

// The boxes that exactly tile [begin, end), or why not.
StatusOr<std::vector<Box>> Boxes(std::string_view in, size_t begin, size_t end,
                                 std::string_view kind) {
  std::vector<Box> boxes;
  size_t p = begin;
  while (p < end) {
    if (end - p < 8) return Bad(kind, "truncated box header");
    Box b;
    b.start = p;
    b.type = std::string(in.substr(p + 4, 4));
    uint64_t size = BigEndian(in, p, 4);
    b.payload = p + 8;
    if (size == 1) {
      if (end - p < 16) return Bad(kind, "truncated box header");
      size = BigEndian(in, p + 8, 8);
      b.payload = p + 16;
    } else if (size == 0) {
      size = end - p;
    }
    if (size < b.payload - p || size > end - p) return Bad(kind, "box '" + b.type + "' overruns its parent");
    b.end = p + size;
    boxes.push_back(std::move(b));
    p += size;
  }
  return boxes;
}

// Overwrites a box's payload with zeros and renames it 'free', which every
// reader skips.
void WipeBox(std::string& out, const Box& b) {
  out.replace(b.start + 4, 4, "free");
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(b.payload),
            out.begin() + static_cast<std::ptrdiff_t>(b.end), '\0');
}

// MP4: user data and metadata boxes of the movie and its tracks (camera
// model, GPS position '©xyz', dates), and top-level 'uuid' boxes (XMP).
Status WipeMp4Metadata(std::string& out, size_t begin, size_t end, int depth, bool strip) {
  auto boxes = Boxes(out, begin, end, "MP4");
  if (!boxes.ok()) return boxes.status();
  for (const Box& b : *boxes) {
    if (!strip) {
      if (b.type == "moov" || b.type == "trak") {
        Status s = WipeMp4Metadata(out, b.payload, b.end, depth + 1, strip);
        if (!s.ok()) return s;
      }
      continue;
    }
    if (b.type == "udta" || b.type == "meta" || (depth == 0 && b.type == "uuid")) {
      WipeBox(out, b);
    } else if (b.type == "moov" || b.type == "trak") {
      Status s = WipeMp4Metadata(out, b.payload, b.end, depth + 1, strip);
      if (!s.ok()) return s;
    }
  }
  return Status::Ok();
}

// A bounds-checked reader over one box's payload.
class Reader {
 public:
  Reader(std::string_view in, size_t at, size_t end) : in_(in), at_(at), end_(end) {}
  uint64_t Read(size_t n) {
    if (n == 0) return 0;
    if (n > end_ - at_ || at_ > end_) {
      bad_ = true;
      at_ = end_;
      return 0;
    }
    uint64_t v = BigEndian(in_, at_, n);
    at_ += n;
    return v;
  }
  std::string String() {  // NUL-terminated
    size_t nul = in_.find('\0', at_);
    if (nul == std::string_view::npos || nul >= end_) {
      bad_ = true;
      at_ = end_;
      return {};
    }
    std::string s(in_.substr(at_, nul - at_));
    at_ = nul + 1;
    return s;
  }
  size_t at() const { return at_; }
  bool bad() const { return bad_; }

 private:
  std::string_view in_;
  size_t at_;
  size_t end_;
  bool bad_ = false;
};

// HEIC: the items of the 'meta' box that are EXIF or XMP.
StatusOr<std::set<uint64_t>> HeicMetadataItems(std::string_view in, const Box& iinf) {
  Reader r(in, iinf.payload, iinf.end);
  const uint64_t version = r.Read(1);
  r.Read(3);
  r.Read(version == 0 ? 2 : 4);  // entry count: the boxes say it too
  if (r.bad()) return Bad("HEIC", "truncated 'iinf'");
  auto entries = Boxes(in, r.at(), iinf.end, "HEIC");
  if (!entries.ok()) return entries.status();
  std::set<uint64_t> items;
  for (const Box& e : *entries) {
    if (e.type != "infe") continue;
    Reader f(in, e.payload, e.end);
    const uint64_t v = f.Read(1);
    f.Read(3);
    if (v < 2) continue;  // version 0/1 entries carry no item type
    const uint64_t id = f.Read(v == 2 ? 2 : 4);
    f.Read(2);  // protection index
    const uint64_t type = f.Read(4);
    f.String();  // item name
    const bool exif = type == BigEndian("Exif", 0, 4);
    bool xmp = false;
    if (type == BigEndian("mime", 0, 4)) xmp = f.String() == "application/rdf+xml";
    if (f.bad()) return Bad("HEIC", "truncated 'infe'");
    if (exif || xmp) items.insert(id);
  }
  return items;
}

// HEIC: zeroes the bytes of the EXIF and XMP items, wherever 'iloc' puts them
// (in the file, or in the 'idat' box of 'meta').
Status WipeHeicMetadata(std::string& out, bool strip) {
  auto top = Boxes(out, 0, out.size(), "HEIC");
  if (!top.ok()) return top.status();
  const Box* meta = nullptr;
  for (const Box& b : *top) {
    if (b.type == "meta") meta = &b;
  }
  if (!meta) return Bad("HEIC", "no 'meta' box");
  if (meta->end - meta->payload < 4) return Bad("HEIC", "truncated 'meta'");
  auto children = Boxes(out, meta->payload + 4, meta->end, "HEIC");
  if (!children.ok()) return children.status();
  const Box* iinf = nullptr;
  const Box* iloc = nullptr;
  const Box* idat = nullptr;
  for (const Box& b : *children) {
    if (b.type == "iinf") iinf = &b;
    if (b.type == "iloc") iloc = &b;
    if (b.type == "idat") idat = &b;
  }
  if (!iinf || !iloc) return Bad("HEIC", "no item table ('iinf', 'iloc')");
  auto items = HeicMetadataItems(out, *iinf);
  if (!items.ok()) return items.status();
  if (!strip || items->empty()) return Status::Ok();

  Reader r(out, iloc->payload, iloc->end);
  const uint64_t version = r.Read(1);
  r.Read(3);
  const uint64_t sizes = r.Read(1);
  const uint64_t more = r.Read(1);
  const size_t offset_size = sizes >> 4, length_size = sizes & 0xF;
  const size_t base_size = more >> 4;
  const size_t index_size = (version == 1 || version == 2) ? (more & 0xF) : 0;
  const uint64_t count = r.Read(version < 2 ? 2 : 4);
  for (uint64_t i = 0; i < count && !r.bad(); ++i) {
    const uint64_t id = r.Read(version < 2 ? 2 : 4);
    uint64_t method = 0;
    if (version == 1 || version == 2) method = r.Read(2) & 0xF;
    r.Read(2);  // data reference index
    const uint64_t base = r.Read(base_size);
    const uint64_t extents = r.Read(2);
    for (uint64_t e = 0; e < extents && !r.bad(); ++e) {
      r.Read(index_size);
      const uint64_t offset = r.Read(offset_size);
      const uint64_t length = r.Read(length_size);
      if (!items->count(id)) continue;
      size_t from = 0, limit = out.size();
      if (method == 1) {
        if (!idat) return Bad("HEIC", "item in 'idat' without an 'idat' box");
        from = idat->payload;
        limit = idat->end;
      } else if (method != 0) {
        return Bad("HEIC", "metadata item located by another item");
      }
      const uint64_t begin = from + base + offset;
      if (begin > limit || length > limit - begin) return Bad("HEIC", "item overruns the file");
      std::fill(out.begin() + static_cast<std::ptrdiff_t>(begin),
                out.begin() + static_cast<std::ptrdiff_t>(begin + length), '\0');
    }
  }
  if (r.bad()) return Bad("HEIC", "truncated 'iloc'");
  return Status::Ok();
}

StatusOr<std::string> Process(FileKind kind, std::string bytes, bool strip) {
  switch (kind) {
    case FileKind::kJpeg:
      return JpegWithout(bytes, strip);
    case FileKind::kPng:
      return PngWithout(bytes, strip);
    case FileKind::kMp4: {
      Status s = WipeMp4Metadata(bytes, 0, bytes.size(), 0, strip);
      if (!s.ok()) return s;
      return bytes;
    }
    case FileKind::kHeic: {
      Status s = WipeHeicMetadata(bytes, strip);
      if (!s.ok()) return s;
      return bytes;
    }
    case FileKind::kPdf:
      if (bytes.find("%%EOF", bytes.size() > 1024 ? bytes.size() - 1024 : 0) ==
          std::string::npos) {
        return Bad("PDF", "no end-of-file marker");
      }
      return bytes;
  }
  return InvalidArgument("unknown file kind");
}

}  // namespace

StatusOr<std::string> StripMetadata(FileKind kind, std::string bytes) {
  return Process(kind, std::move(bytes), /*strip=*/true);
}

Status CheckStructure(FileKind kind, std::string_view bytes) {
  auto r = Process(kind, std::string(bytes), /*strip=*/false);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace shouhu::evidence
