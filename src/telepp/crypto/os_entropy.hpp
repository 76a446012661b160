#pragma once
/// \file Randomness from the operating system.

#include "telepp/base/entropy.hpp"

namespace telepp::crypto {

/// `Entropy` from the kernel's CSPRNG (getrandom(2), blocking only until the pool is first
/// initialised at boot). Stateless and thread-safe. Aborts if the kernel cannot deliver, as the
/// `Entropy` contract requires.
class OsEntropy final : public Entropy {
 public:
  void fill(MutableByteView out) override;
};

/// A process-wide OsEntropy, for code that needs an `Entropy&` without owning one.
OsEntropy& os_entropy();

}  // namespace telepp::crypto
