// SPDX-License-Identifier: Apache-2.0
#pragma once

class vtkTextProperty;

namespace lightbox {

/// VTK's built-in faces hold Latin, Greek and Cyrillic only. Text with other characters (a Chinese
/// or Japanese patient name, the interface in Chinese) is drawn with the CJK face
/// scripts/setup.sh installs (Debian's fonts-noto-cjk, issue 28) when it is there; other text
/// with VTK's Arial. Call before setting the text.
void chooseFontFor(vtkTextProperty* property, const char* utf8Text);

/// True when UTF-8 `text` has a character beyond U+04FF (past Latin, Greek and Cyrillic).
bool needsWideFont(const char* utf8Text);

} // namespace lightbox
