// SPDX-License-Identifier: Apache-2.0
// SHA-256 through OpenSSL's EVP digest interface (libcrypto), not a hand-written implementation.
#include "ai/runtime/Sha256.h"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace lightbox {
namespace {

/// One digest computation; the context is freed however the scope is left.
class Sha256Digest {
public:
  Sha256Digest() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
      throw std::runtime_error("SHA-256: OpenSSL digest could not be initialised");
    }
  }
  void update(const void* data, std::size_t bytes) {
    if (EVP_DigestUpdate(ctx_.get(), data, bytes) != 1) throw std::runtime_error("SHA-256: digest update failed");
  }
  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned length = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest.data(), &length) != 1) {
      throw std::runtime_error("SHA-256: digest could not be finalised");
    }
    std::string out;
    char byte[3];
    for (unsigned i = 0; i < length; ++i) {
      std::snprintf(byte, sizeof(byte), "%02x", digest[i]);
      out += byte;
    }
    return out;
  }

private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

} // namespace

std::string sha256Hex(const std::string& bytes) {
  Sha256Digest d;
  d.update(bytes.data(), bytes.size());
  return d.hex();
}

std::string sha256File(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error(path + ": cannot be read for its SHA-256");
  }
  Sha256Digest d;
  std::array<char, 1 << 16> chunk{};
  while (in) {
    in.read(chunk.data(), std::streamsize(chunk.size()));
    if (in.gcount() > 0) d.update(chunk.data(), std::size_t(in.gcount()));
  }
  if (in.bad()) {
    throw std::runtime_error(path + ": read error while computing its SHA-256");
  }
  return d.hex();
}

} // namespace lightbox
