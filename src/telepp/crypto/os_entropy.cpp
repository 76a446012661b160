#include "telepp/crypto/os_entropy.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace telepp::crypto {

void OsEntropy::fill(MutableByteView out) {
  std::size_t done = 0;
  while (done < out.size()) {
    // getrandom returns at most 32 MiB per call and may be interrupted: loop until full.
    const ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "telepp crypto: getrandom failed: %s\n", std::strerror(errno));
      std::abort();
    }
    done += static_cast<std::size_t>(n);
  }
}

OsEntropy& os_entropy() {
  static OsEntropy entropy;
  return entropy;
}

}  // namespace telepp::crypto
