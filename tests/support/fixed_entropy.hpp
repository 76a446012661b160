#pragma once
// Deterministic randomness for sans-IO tests: the same seed gives the same bytes.

#include <cstdint>

#include "telepp/base/entropy.hpp"

namespace telepp::test {

/// splitmix64 output as bytes; `fill` never fails.
class FixedEntropy final : public Entropy {
 public:
  explicit FixedEntropy(std::uint64_t seed = 42) : state_(seed) {}
  void fill(MutableByteView out) override {
    for (auto& b : out) {
      if (left_ == 0) {
        word_ = next();
        left_ = 8;
      }
      b = static_cast<Byte>(word_);
      word_ >>= 8;
      --left_;
    }
  }

 private:
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::uint64_t state_;
  std::uint64_t word_ = 0;
  int left_ = 0;
};

}  // namespace telepp::test
