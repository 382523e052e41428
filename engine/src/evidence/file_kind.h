// What an uploaded file is, judged by its content (magic bytes), never by
// its name alone: the name's extension must agree with the content.
#pragma once

#include <optional>
#include <string_view>

namespace shouhu::evidence {

enum class FileKind { kJpeg, kPng, kHeic, kMp4, kPdf };

// The kind the first bytes show, or nullopt when they are none of the kinds
// accepted. `head` needs at most the first 32 bytes of the file.
std::optional<FileKind> SniffKind(std::string_view head);

// The kind a file name's extension claims (case-insensitive): .jpg/.jpeg,
// .png, .heic/.heif, .mp4/.m4v, .pdf; nullopt otherwise.
std::optional<FileKind> KindOfName(std::string_view name);

std::string_view KindName(FileKind kind);    // "jpeg", "png", ...
std::string_view MediaType(FileKind kind);   // "image/jpeg", ...
// "image", "video" or "document": the class that size limits are set for.
std::string_view KindClass(FileKind kind);
std::optional<FileKind> KindFromName(std::string_view kind_name);  // inverse of KindName

}  // namespace shouhu::evidence
