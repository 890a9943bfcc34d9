// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lightbox {

/// What the DICOM header says one frame is: the codestream must agree before a codec sees it.
/// (GDCM 3.0's codecs trust their stream, not the header: a mismatch overruns the buffer they
/// decode into, or trips an assertion that aborts the process in Debian's build.)
struct FrameExpected {
  unsigned rows = 0, columns = 0, samplesPerPixel = 1, bitsAllocated = 16;
};

/// Checks the main header (SIZ marker segment) of one JPEG 2000 fragment: a raw codestream (SOC
/// FF4F) or one inside a JP2 file's contiguous-codestream box. GDCM 3.0's JPEG 2000 codec writes
/// the decoded components into a buffer sized from the DICOM header, so a codestream whose image is
/// larger, subsampled, deeper than Bits Allocated or split into more tiles than the standard allows
/// overruns it (a fuzzed frame wrote past the heap). Returns "" when the fragment starts no
/// codestream (a continuation of the previous one) or agrees with `expected`, else the reason.
/// `startsCodestream` says which.
std::string jpeg2000FragmentProblem(const std::uint8_t* data, std::size_t size, const FrameExpected& expected,
                                    bool* startsCodestream = nullptr);

/// The same for one JPEG fragment (baseline, extended, lossless: ISO 10918-1 SOFn; JPEG-LS: ISO
/// 14495-1 SOF55): a fragment starting with SOI (FFD8) must reach a frame header before its first
/// scan, with the header's rows and columns (no DNL-defined height), Samples per Pixel components
/// and a sample precision within Bits Allocated. GDCM 3.0 asserts (JPEG-LS: `len <=
/// outbv->GetLength()`) when the decoded frame is smaller than the header's.
std::string jpegFragmentProblem(const std::uint8_t* data, std::size_t size, const FrameExpected& expected,
                                bool* startsCodestream = nullptr);

/// One fragment of encapsulated pixel data.
struct FragmentBytes {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
};

/// Every codestream among `fragments` (in order) checked by the functions above (`jpeg2000`: which
/// one). A codestream's main header may run on into the fragments after it (the standard lets an
/// encoder split a frame's bytes anywhere): when the fragment that starts it is too short to hold
/// the header, it is checked joined with the following fragments (up to 64 kB, stopping at one that
/// starts the next codestream), as the codec will read it. Returns "" or the reason with the
/// 1-based fragment that starts the codestream ("... (fragment 3)"); `codestreams` gets how many
/// start in the pixel data. `join` false: each fragment must hold its header (a multi-frame
/// image, whose frames the decoder hands GDCM fragment by fragment).
std::string compressedFragmentsProblem(const std::vector<FragmentBytes>& fragments, bool jpeg2000,
                                       const FrameExpected& expected, std::size_t* codestreams = nullptr,
                                       bool join = true);

} // namespace lightbox
