#include "evidence/file_kind.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace shouhu::evidence {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// ISO base media files (MP4, HEIC) open with a 'ftyp' box whose major brand
// (and compatible brands) say which: HEIF images name an image brand.
std::optional<FileKind> SniffIsoMedia(std::string_view head) {
  if (head.size() < 12 || head.substr(4, 4) != "ftyp") return std::nullopt;
  const std::string_view major = head.substr(8, 4);
  for (std::string_view brand : {"heic", "heix", "heim", "heis", "hevc", "hevx",
                                 "mif1", "msf1", "avif"}) {
    if (major == brand) return brand == "avif" ? std::nullopt : std::optional(FileKind::kHeic);
  }
  for (std::string_view brand : {"isom", "iso2", "iso4", "iso5", "iso6", "mp41",
                                 "mp42", "avc1", "M4V ", "M4A ", "dash", "qt  "}) {
    if (major == brand) return brand == "M4A " ? std::nullopt : std::optional(FileKind::kMp4);
  }
  return std::nullopt;
}

}  // namespace

std::optional<FileKind> SniffKind(std::string_view head) {
  if (StartsWith(head, "\xFF\xD8\xFF")) return FileKind::kJpeg;
  if (StartsWith(head, "\x89PNG\r\n\x1A\n")) return FileKind::kPng;
  if (StartsWith(head, "%PDF-")) return FileKind::kPdf;
  return SniffIsoMedia(head);
}

std::optional<FileKind> KindOfName(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string ext(name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == "jpg" || ext == "jpeg") return FileKind::kJpeg;
  if (ext == "png") return FileKind::kPng;
  if (ext == "heic" || ext == "heif") return FileKind::kHeic;
  if (ext == "mp4" || ext == "m4v") return FileKind::kMp4;
  if (ext == "pdf") return FileKind::kPdf;
  return std::nullopt;
}

std::string_view KindName(FileKind kind) {
  switch (kind) {
    case FileKind::kJpeg: return "jpeg";
    case FileKind::kPng: return "png";
    case FileKind::kHeic: return "heic";
    case FileKind::kMp4: return "mp4";
    case FileKind::kPdf: return "pdf";
  }
  return "";
}

std::optional<FileKind> KindFromName(std::string_view kind_name) {
  for (FileKind k : {FileKind::kJpeg, FileKind::kPng, FileKind::kHeic, FileKind::kMp4,
                     FileKind::kPdf}) {
    if (KindName(k) == kind_name) return k;
  }
  return std::nullopt;
}

std::string_view MediaType(FileKind kind) {
  switch (kind) {
    case FileKind::kJpeg: return "image/jpeg";
    case FileKind::kPng: return "image/png";
    case FileKind::kHeic: return "image/heic";
    case FileKind::kMp4: return "video/mp4";
    case FileKind::kPdf: return "application/pdf";
  }
  return "application/octet-stream";
}

std::string_view KindClass(FileKind kind) {
  switch (kind) {
    case FileKind::kJpeg:
    case FileKind::kPng:
    case FileKind::kHeic: return "image";
    case FileKind::kMp4: return "video";
    case FileKind::kPdf: return "document";
  }
  return "document";
}

}  // namespace shouhu::evidence
