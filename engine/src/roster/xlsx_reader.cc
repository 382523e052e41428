// Reads the first worksheet of an .xlsx (xlsx.h): libzip for the container,
// expat for the XML parts, streamed.
#include <expat.h>
#include <zip.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>

#include "roster/xlsx.h"

namespace shouhu::roster {
namespace {

constexpr zip_uint64_t kMaxEntryBytes = 64u << 20;

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using Zip = std::unique_ptr<zip_t, ZipCloser>;

// An element's local name: "x:c" -> "c".
std::string_view Local(const XML_Char* name) {
  std::string_view n(name);
  size_t colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

std::string Attribute(const XML_Char** attrs, std::string_view local) {
  for (size_t i = 0; attrs[i]; i += 2) {
    if (Local(attrs[i]) == local) return attrs[i + 1];
  }
  return "";
}

// Callbacks of one XML part.
struct XmlHandler {
  std::function<void(std::string_view name, const XML_Char** attrs)> start;
  std::function<void(std::string_view name)> end;
  std::function<void(std::string_view text)> text;
};

// Streams entry `path` of the archive through expat. kNotFound when absent.
Status ParsePart(zip_t* zip, const std::string& path, XmlHandler& h) {
  zip_stat_t st;
  if (zip_stat(zip, path.c_str(), 0, &st) != 0) return NotFound("no " + path);
  if ((st.valid & ZIP_STAT_SIZE) && st.size > kMaxEntryBytes) {
    return InvalidArgument(path + " inflates beyond 64 MiB");
  }
  zip_file_t* f = zip_fopen(zip, path.c_str(), 0);
  if (!f) return InvalidArgument("cannot open " + path + " in the workbook");
  XML_Parser p = XML_ParserCreate("UTF-8");
  XML_SetUserData(p, &h);
  XML_SetElementHandler(
      p,
      [](void* d, const XML_Char* name, const XML_Char** attrs) {
        auto* h = static_cast<XmlHandler*>(d);
        if (h->start) h->start(Local(name), attrs);
      },
      [](void* d, const XML_Char* name) {
        auto* h = static_cast<XmlHandler*>(d);
        if (h->end) h->end(Local(name));
      });
  XML_SetCharacterDataHandler(p, [](void* d, const XML_Char* s, int len) {
    auto* h = static_cast<XmlHandler*>(d);
    if (h->text) h->text(std::string_view(s, static_cast<size_t>(len)));
  });
  Status result = Status::Ok();
  char buf[64 * 1024];
  zip_uint64_t total = 0;
  for (;;) {
    zip_int64_t n = zip_fread(f, buf, sizeof buf);
    if (n < 0) {
      result = InvalidArgument(path + " is damaged in the workbook");
      break;
    }
    total += static_cast<zip_uint64_t>(n);
    if (total > kMaxEntryBytes) {
      result = InvalidArgument(path + " inflates beyond 64 MiB");
      break;
    }
    if (XML_Parse(p, buf, static_cast<int>(n), n == 0) == XML_STATUS_ERROR) {
      result = InvalidArgument(path + ": " + XML_ErrorString(XML_GetErrorCode(p)) + " at line " +
                               std::to_string(XML_GetCurrentLineNumber(p)));
      break;
    }
    if (n == 0) break;
  }
  XML_ParserFree(p);
  zip_fclose(f);
  return result;
}

// "BC12" -> 54 (0-based column); SIZE_MAX when malformed.
size_t ColumnOf(std::string_view ref) {
  size_t col = 0, letters = 0;
  for (char c : ref) {
    if (c < 'A' || c > 'Z') break;
    col = col * 26 + static_cast<size_t>(c - 'A' + 1);
    if (++letters > 3) return SIZE_MAX;
  }
  return letters ? col - 1 : SIZE_MAX;
}

// Where the first worksheet is: workbook.xml's first <sheet r:id>, resolved
// through its relationships.
StatusOr<std::string> FirstSheetPath(zip_t* zip) {
  std::string rid;
  XmlHandler workbook;
  workbook.start = [&](std::string_view name, const XML_Char** attrs) {
    if (name == "sheet" && rid.empty()) rid = Attribute(attrs, "id");
  };
  SHOUHU_RETURN_IF_ERROR(ParsePart(zip, "xl/workbook.xml", workbook));
  std::string target;
  XmlHandler rels;
  rels.start = [&](std::string_view name, const XML_Char** attrs) {
    if (name == "Relationship" && Attribute(attrs, "Id") == rid) target = Attribute(attrs, "Target");
  };
  SHOUHU_RETURN_IF_ERROR(ParsePart(zip, "xl/_rels/workbook.xml.rels", rels));
  if (target.empty()) return InvalidArgument("the workbook names no worksheet");
  if (target.starts_with("/")) return target.substr(1);
  return "xl/" + target;
}

}  // namespace

bool LooksLikeZip(std::string_view bytes) { return bytes.starts_with("PK\x03\x04"); }

StatusOr<Sheet> ReadXlsx(std::string_view bytes) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!src) return InvalidArgument("不是Excel工作簿 not an .xlsx workbook");
  Zip zip(zip_open_from_source(src, ZIP_RDONLY, &error));
  zip_error_fini(&error);
  if (!zip) {
    zip_source_free(src);
    return InvalidArgument("不是Excel工作簿 not an .xlsx workbook (no zip archive)");
  }
  auto sheet_path = FirstSheetPath(zip.get());
  if (!sheet_path.ok()) {
    return InvalidArgument("不是Excel工作簿 not an .xlsx workbook: " + sheet_path.status().message());
  }

  // Shared strings: each <si>'s text runs, without phonetic runs (<rPh>).
  std::vector<std::string> shared;
  {
    std::string current;
    bool in_t = false;
    int phonetic = 0;
    XmlHandler h;
    h.start = [&](std::string_view name, const XML_Char**) {
      if (name == "si") current.clear();
      if (name == "rPh") ++phonetic;
      if (name == "t") in_t = true;
    };
    h.end = [&](std::string_view name) {
      if (name == "t") in_t = false;
      if (name == "rPh") --phonetic;
      if (name == "si") shared.push_back(std::move(current));
    };
    h.text = [&](std::string_view s) {
      if (in_t && phonetic == 0) current.append(s);
    };
    Status s = ParsePart(zip.get(), "xl/sharedStrings.xml", h);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  }

  Sheet sheet;
  Status problem = Status::Ok();
  {
    std::vector<std::string> row;
    size_t row_number = 0, next_row = 1, col = 0, next_col = 0;
    std::string type, value;
    bool in_value = false, in_inline = false;
    XmlHandler h;
    h.start = [&](std::string_view name, const XML_Char** attrs) {
      if (name == "row") {
        std::string r = Attribute(attrs, "r");
        row_number = r.empty() ? next_row : std::strtoul(r.c_str(), nullptr, 10);
        row.clear();
        next_col = 0;
      } else if (name == "c") {
        std::string ref = Attribute(attrs, "r");
        col = ref.empty() ? next_col : ColumnOf(ref);
        type = Attribute(attrs, "t");
        value.clear();
      } else if (name == "v") {
        in_value = true;
      } else if (name == "is") {
        in_inline = true;
      } else if (name == "t" && in_inline) {
        in_value = true;
      }
    };
    h.end = [&](std::string_view name) {
      if (name == "v" || name == "t") {
        in_value = false;
      } else if (name == "is") {
        in_inline = false;
      } else if (name == "c") {
        if (col == SIZE_MAX || col > 16384) return;
        std::string text = value;
        if (type == "s") {
          size_t i = std::strtoul(value.c_str(), nullptr, 10);
          text = i < shared.size() ? shared[i] : "";
        } else if (type == "b") {
          text = value == "1" ? "TRUE" : "FALSE";
        }
        if (row.size() <= col) row.resize(col + 1);
        row[col] = std::move(text);
        next_col = col + 1;
      } else if (name == "row") {
        next_row = row_number + 1;
        bool empty = std::all_of(row.begin(), row.end(), [](const std::string& c) {
          return c.find_first_not_of(" \t") == std::string::npos;
        });
        if (empty) return;
        if (sheet.headings.empty()) {
          sheet.headings = std::move(row);
        } else if (sheet.rows.size() >= kMaxRosterRows) {
          if (problem.ok()) {
            problem = InvalidArgument("花名册过大 more than " + std::to_string(kMaxRosterRows) + " rows");
          }
        } else {
          sheet.rows.push_back(std::move(row));
          sheet.row_numbers.push_back(row_number);
        }
        row.clear();
      }
    };
    h.text = [&](std::string_view s) {
      if (in_value) value.append(s);
    };
    Status s = ParsePart(zip.get(), *sheet_path, h);
    if (!s.ok()) return InvalidArgument("不是Excel工作簿 " + s.message());
  }
  SHOUHU_RETURN_IF_ERROR(problem);
  return sheet;
}

}  // namespace shouhu::roster
