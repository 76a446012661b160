#pragma once
/// \file SHA-1, SHA-256 and SHA-512: incremental hashers that reuse one OpenSSL context, and
/// one-shot functions backed by a reused per-thread hasher.
///
/// Reusing the context matters: MTProto hashes many short inputs (the KDF hashes 52 bytes three
/// times per message), where allocating and fetching a context per call costs several times the
/// hashing itself.

#include <cstddef>
#include <initializer_list>

#include "telepp/base/bytes.hpp"
#include "telepp/base/int128.hpp"

// OpenSSL types, forward-declared so this header does not pull in OpenSSL.
struct evp_md_ctx_st;

namespace telepp::crypto {

using Sha1Digest = FixedBytes<20>;
using Sha256Digest = FixedBytes<32>;
using Sha512Digest = FixedBytes<64>;

enum class HashAlgorithm { sha1, sha256, sha512 };

/// An incremental hasher holding one reusable OpenSSL digest context. `finish()` returns the
/// digest and leaves the hasher reset, ready for the next message. Move-only; not thread-safe
/// (one per thread, or external locking). A moved-from hasher may only be destroyed or assigned to.
template <HashAlgorithm A>
class Hasher {
 public:
  static constexpr std::size_t kDigestSize = A == HashAlgorithm::sha1 ? 20 : A == HashAlgorithm::sha256 ? 32 : 64;
  using Digest = FixedBytes<kDigestSize>;

  Hasher();
  ~Hasher();
  Hasher(Hasher&& other) noexcept;
  Hasher& operator=(Hasher&& other) noexcept;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  /// Appends `data` to the message being hashed.
  Hasher& update(ByteView data);
  /// The digest of everything appended since the last reset; resets the hasher.
  Digest finish();
  /// Writes the digest to `out` (exactly kDigestSize bytes); resets the hasher.
  void finish_into(Byte* out);
  /// Drops whatever was appended.
  void reset();

 private:
  evp_md_ctx_st* ctx_ = nullptr;
};

using Sha1 = Hasher<HashAlgorithm::sha1>;
using Sha256 = Hasher<HashAlgorithm::sha256>;
using Sha512 = Hasher<HashAlgorithm::sha512>;

extern template class Hasher<HashAlgorithm::sha1>;
extern template class Hasher<HashAlgorithm::sha256>;
extern template class Hasher<HashAlgorithm::sha512>;

/// One-shot digests of `data`, or of the concatenation of `parts` (no copy is made). Backed by
/// a per-thread reused hasher; safe to call from any thread.
Sha1Digest sha1(ByteView data);
Sha1Digest sha1(std::initializer_list<ByteView> parts);
Sha256Digest sha256(ByteView data);
Sha256Digest sha256(std::initializer_list<ByteView> parts);
Sha512Digest sha512(ByteView data);
Sha512Digest sha512(std::initializer_list<ByteView> parts);

/// The calling thread's reusable hashers (what the one-shot functions use). Callers must leave
/// them reset (call `finish()`), and must not hold them across calls that may use them too.
Sha1& thread_sha1();
Sha256& thread_sha256();
Sha512& thread_sha512();

}  // namespace telepp::crypto
