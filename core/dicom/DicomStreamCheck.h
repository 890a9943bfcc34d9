// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

namespace lightbox {

/// How much of a file an element-stream check walks.
enum class StreamExtent {
  Header,    ///< preamble, meta group and data set up to the Pixel Data element's header
  WholeFile, ///< every element, including encapsulated pixel data fragments and trailing elements
};

/// What kind of problem a stream check found.
enum class StreamProblem {
  None,
  NotDicom,          ///< no DICM magic and no recognisable raw data set
  Truncated,         ///< the file ends inside the preamble, an element or a sequence
  Malformed,         ///< an element stream no conforming writer produces (bad VR, broken nesting, ...)
  UnsupportedSyntax, ///< a transfer syntax GDCM does not know
};

/// Result of checking a file's DICOM element stream. `reason` is a sentence for the reader
/// ("file ends inside element (0008,0018) at byte 1234: ...").
struct StreamCheck {
  StreamProblem problem = StreamProblem::None;
  std::string reason;
  std::string transferSyntaxUid; ///< from the meta group, when it could be read

  bool ok() const { return problem == StreamProblem::None; }
};

/// The check's finding as one sentence for the reader: "truncated DICOM file: the file ends
/// inside element (0008,0018) at byte 1234 (value of 64 bytes, 10 left)".
std::string describe(const StreamCheck& check);

/// Walks the element stream of a file (preamble, meta group, data set in Implicit/Explicit VR
/// Little Endian, Explicit VR Big Endian or Deflated Explicit VR Little Endian) and reports the
/// first defect GDCM would abort on: an element or item that runs past the end of the file, an
/// illegal VR in an explicit syntax, an undefined length where none is allowed, items and
/// delimiters that do not nest, malformed encapsulated fragments. Never throws for bad input.
/// GDCM (built with its assertions on) may only parse a file this check accepts.
StreamCheck checkDicomStream(const std::string& path, StreamExtent extent);

/// The same check on bytes in memory (`bytes` is the whole file).
StreamCheck checkDicomBytes(const std::uint8_t* bytes, std::size_t size, StreamExtent extent);

} // namespace lightbox
