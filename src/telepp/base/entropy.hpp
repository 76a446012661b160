#pragma once
/// \file Where randomness comes from. Sans-IO code takes an `Entropy&` so tests can fix it.

#include "telepp/base/bytes.hpp"

namespace telepp {

/// A source of random bytes. Implementations: the OS (crypto layer) and fixed sequences in tests.
class Entropy {
 public:
  virtual ~Entropy() = default;
  /// Fills `out` entirely. Must not fail; an OS source that cannot deliver aborts.
  virtual void fill(MutableByteView out) = 0;
};

}  // namespace telepp
