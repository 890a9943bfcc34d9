// SPDX-License-Identifier: Apache-2.0
#include "app/render/TextFont.h"

#include <vtkTextProperty.h>

#include <cstdio>
#include <string>

namespace lightbox {

namespace {

/// Noto Sans CJK, or "" when it is not installed.
const std::string& cjkFontFile() {
  static const std::string path = [] {
    for (const char* candidate : {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                                  "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"}) {
      if (std::FILE* f = std::fopen(candidate, "rb")) {
        std::fclose(f);
        return std::string(candidate);
      }
    }
    return std::string();
  }();
  return path;
}

} // namespace

bool needsWideFont(const char* utf8Text) {
  for (const unsigned char* c = reinterpret_cast<const unsigned char*>(utf8Text); *c; ++c) {
    if (*c >= 0xD4) return true; // the lead byte of U+0500 and above
  }
  return false;
}

void chooseFontFor(vtkTextProperty* property, const char* utf8Text) {
  const std::string& cjk = cjkFontFile();
  if (needsWideFont(utf8Text) && !cjk.empty()) {
    property->SetFontFamily(VTK_FONT_FILE);
    property->SetFontFile(cjk.c_str());
  } else if (property->GetFontFamily() == VTK_FONT_FILE) {
    property->SetFontFamilyToArial();
  }
}

} // namespace lightbox
