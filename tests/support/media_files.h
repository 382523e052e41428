// Small photo, video and PDF files built byte by byte for tests: each is
// well-formed for its kind, and each hides `marker` in the metadata a phone
// writes (EXIF with a GPS position, PNG text, MP4 user data, a HEIC EXIF item),
// so a test can check that the stored file no longer holds it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shouhu::testing {

inline std::string Be(uint64_t v, int n) {
  std::string s(n, '\0');
  for (int i = n - 1; i >= 0; --i, v >>= 8) s[i] = static_cast<char>(v & 0xFF);
  return s;
}

// A box of ISO base media (MP4, HEIC).
inline std::string IsoBox(std::string_view type, std::string_view payload) {
  return Be(8 + payload.size(), 4) + std::string(type) + std::string(payload);
}

// The picture's own bytes: they must survive stripping unchanged.
inline constexpr std::string_view kPictureData = "PICTURE-DATA-0123456789";

inline std::string JpegWithExif(std::string_view marker) {
  auto segment = [](unsigned char m, std::string_view body) {
    return std::string("\xFF") + static_cast<char>(m) + Be(body.size() + 2, 2) +
           std::string(body);
  };
  std::string exif = std::string("Exif\0\0", 6) + "GPSLatitude=" + std::string(marker);
  return std::string("\xFF\xD8") + segment(0xE0, std::string("JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 14)) +
         segment(0xE1, exif) + segment(0xFE, std::string("comment ") + std::string(marker)) +
         segment(0xDB, std::string(65, '\x01')) + segment(0xC0, std::string("\x08\0\x01\0\x01\x01\x01\x11\0", 9)) +
         segment(0xDA, std::string("\x01\x01\0\0\x3F\0", 6)) + std::string(kPictureData) + "\xFF\xD9";
}

inline std::string PngWithText(std::string_view marker) {
  auto chunk = [](std::string_view type, std::string_view data) {
    return Be(data.size(), 4) + std::string(type) + std::string(data) + Be(0, 4);
  };
  std::string ihdr = Be(1, 4) + Be(1, 4) + std::string("\x08\x02\0\0\0", 5);
  return std::string("\x89PNG\r\n\x1A\n") + chunk("IHDR", ihdr) +
         chunk("tEXt", std::string("Location\0", 9) + std::string(marker)) +
         chunk("eXIf", std::string("MM\0*", 4) + std::string(marker)) +
         chunk("IDAT", kPictureData) + chunk("IEND", "");
}

inline std::string Mp4WithUserData(std::string_view marker) {
  std::string udta = IsoBox("udta", IsoBox("\xA9xyz", std::string("+31.2304+121.4737/") +
                                                          std::string(marker)));
  std::string trak = IsoBox("trak", IsoBox("tkhd", std::string(84, '\0')) +
                                        IsoBox("udta", IsoBox("name", std::string(marker))));
  std::string moov = IsoBox("moov", IsoBox("mvhd", std::string(100, '\0')) + trak + udta);
  return IsoBox("ftyp", std::string("isom\0\0\x02\0isomiso2mp41", 20)) + moov + IsoBox("mdat", kPictureData);
}

// A HEIC image whose item 1 is the picture and item 2 its EXIF, both in 'mdat'.
inline std::string HeicWithExif(std::string_view marker) {
  const std::string exif = std::string("\0\0\0\0MM\0*", 8) + std::string(marker);
  auto infe = [](uint16_t id, std::string_view type) {
    return IsoBox("infe", std::string("\x02\0\0\0", 4) + Be(id, 2) + Be(0, 2) +
                              std::string(type) + std::string("\0", 1));
  };
  const std::string iinf = IsoBox("iinf", std::string("\0\0\0\0", 4) + Be(2, 2) +
                                              infe(1, "hvc1") + infe(2, "Exif"));
  const std::string ftyp = IsoBox("ftyp", std::string("heic\0\0\0\0mif1heic", 16));
  const std::string hdlr = IsoBox("hdlr", std::string(8, '\0') + "pict" + std::string(13, '\0'));
  // iloc version 0: offset size 4, length size 4, base offset size 0.
  auto iloc = [&](uint64_t mdat_payload) {
    return IsoBox("iloc", std::string("\0\0\0\0\x44\x00", 6) + Be(2, 2) +
                              Be(1, 2) + Be(0, 2) + Be(1, 2) + Be(mdat_payload, 4) +
                              Be(kPictureData.size(), 4) +
                              Be(2, 2) + Be(0, 2) + Be(1, 2) +
                              Be(mdat_payload + kPictureData.size(), 4) + Be(exif.size(), 4));
  };
  auto meta = [&](uint64_t mdat_payload) {
    return IsoBox("meta", std::string("\0\0\0\0", 4) + hdlr + iinf + iloc(mdat_payload));
  };
  const size_t mdat_payload = ftyp.size() + meta(0).size() + 8;
  return ftyp + meta(mdat_payload) + IsoBox("mdat", std::string(kPictureData) + exif);
}

inline std::string MinimalPdf(std::string_view text) {
  return "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + std::string(text) +
         "\ntrailer << /Root 1 0 R >>\n%%EOF\n";
}

}  // namespace shouhu::testing
