#pragma once
// Helpers for the crypto tests: fixed and deterministic entropy, key = hex vector files.

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include "support/support.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/crypto/hash.hpp"

namespace telepp::test {

/// Hands out exactly the bytes it was given, in order (unlike support/fixed_entropy.hpp, which
/// is a seeded PRNG); running out is a test failure (the code
/// drew more randomness than the vector says), after which it hands out zeros.
class SequenceEntropy final : public Entropy {
 public:
  explicit SequenceEntropy(Bytes sequence) : bytes_(std::move(sequence)) {}
  void fill(MutableByteView out) override {
    for (auto& b : out) {
      if (pos_ < bytes_.size()) {
        b = bytes_[pos_++];
      } else {
        ADD_FAILURE() << "SequenceEntropy exhausted after " << bytes_.size() << " bytes";
        b = 0;
      }
    }
  }
  std::size_t consumed() const { return pos_; }

 private:
  Bytes bytes_;
  std::size_t pos_ = 0;
};

/// An endless reproducible stream: SHA-256(seed ‖ le32(counter)) blocks.
class CounterEntropy final : public Entropy {
 public:
  explicit CounterEntropy(std::string seed) : seed_(std::move(seed)) {}
  void fill(MutableByteView out) override {
    for (auto& b : out) {
      if (used_ == block_.size()) refill();
      b = block_.bytes[used_++];
    }
  }

 private:
  void refill() {
    Byte c[4];
    store_le32(c, counter_++);
    block_ = crypto::sha256({as_bytes(seed_), ByteView(c, 4)});
    used_ = 0;
  }
  std::string seed_;
  std::uint32_t counter_ = 0;
  crypto::Sha256Digest block_{};
  std::size_t used_ = 32;
};

/// A vector file of `name = hex-or-text` lines; `#` starts a comment line. The first line must
/// be the `# source:` line.
class VectorFile {
 public:
  explicit VectorFile(std::string_view name) {
    const std::string text = vector_text(name);
    std::istringstream in(text);
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
      if (first) {
        EXPECT_EQ(line.rfind("# source:", 0), 0u) << name << " must start with a # source: line";
        first = false;
      }
      if (line.empty() || line[0] == '#') continue;
      const auto eq = line.find(" = ");
      if (eq == std::string::npos) {
        ADD_FAILURE() << "bad vector line in " << name << ": " << line;
        continue;
      }
      values_[line.substr(0, eq)] = line.substr(eq + 3);
    }
  }
  const std::string& text(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) {
      ADD_FAILURE() << "missing vector " << key;
      static const std::string empty;
      return empty;
    }
    return it->second;
  }
  Bytes bytes(const std::string& key) const { return hex(text(key)); }
  template <std::size_t N>
  FixedBytes<N> fixed(const std::string& key) const {
    FixedBytes<N> out;
    const Bytes b = bytes(key);
    EXPECT_EQ(b.size(), N) << key;
    std::memcpy(out.data(), b.data(), std::min(N, b.size()));
    return out;
  }
  std::uint64_t u64(const std::string& key) const { return std::stoull(text(key), nullptr, 16); }

 private:
  std::map<std::string, std::string> values_;
};

template <std::size_t N>
Bytes to_vec(const FixedBytes<N>& f) {
  return Bytes(f.bytes.begin(), f.bytes.end());
}

}  // namespace telepp::test
