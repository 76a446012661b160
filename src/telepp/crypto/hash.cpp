#include "telepp/crypto/hash.hpp"

#include <openssl/evp.h>

#include <utility>

#include "telepp/crypto/openssl_util.hpp"

namespace telepp::crypto {
namespace {

// The EVP_MD is fetched once per process: fetching by name goes through the provider store,
// which costs as much as hashing a short message.
template <HashAlgorithm A>
const EVP_MD* fetched_md() {
  static const EVP_MD* md = [] {
    const char* name = A == HashAlgorithm::sha1 ? "SHA1" : A == HashAlgorithm::sha256 ? "SHA256" : "SHA512";
    EVP_MD* fetched = EVP_MD_fetch(nullptr, name, nullptr);
    if (!fetched) detail::openssl_fatal("EVP_MD_fetch");
    return fetched;  // kept for the life of the process
  }();
  return md;
}

}  // namespace

template <HashAlgorithm A>
Hasher<A>::Hasher() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) detail::openssl_fatal("EVP_MD_CTX_new");
  reset();
}

template <HashAlgorithm A>
Hasher<A>::~Hasher() {
  EVP_MD_CTX_free(ctx_);
}

template <HashAlgorithm A>
Hasher<A>::Hasher(Hasher&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

template <HashAlgorithm A>
Hasher<A>& Hasher<A>::operator=(Hasher&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

template <HashAlgorithm A>
void Hasher<A>::reset() {
  // Re-initialising with the same EVP_MD keeps the context's allocation.
  if (EVP_DigestInit_ex2(ctx_, fetched_md<A>(), nullptr) != 1) detail::openssl_fatal("EVP_DigestInit_ex2");
}

template <HashAlgorithm A>
Hasher<A>& Hasher<A>::update(ByteView data) {
  if (!data.empty() && EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) {
    detail::openssl_fatal("EVP_DigestUpdate");
  }
  return *this;
}

template <HashAlgorithm A>
void Hasher<A>::finish_into(Byte* out) {
  if (EVP_DigestFinal_ex(ctx_, out, nullptr) != 1) detail::openssl_fatal("EVP_DigestFinal_ex");
  reset();
}

template <HashAlgorithm A>
typename Hasher<A>::Digest Hasher<A>::finish() {
  Digest d;
  finish_into(d.data());
  return d;
}

template class Hasher<HashAlgorithm::sha1>;
template class Hasher<HashAlgorithm::sha256>;
template class Hasher<HashAlgorithm::sha512>;

Sha1& thread_sha1() {
  thread_local Sha1 h;
  return h;
}
Sha256& thread_sha256() {
  thread_local Sha256 h;
  return h;
}
Sha512& thread_sha512() {
  thread_local Sha512 h;
  return h;
}

Sha1Digest sha1(ByteView data) { return thread_sha1().update(data).finish(); }
Sha256Digest sha256(ByteView data) { return thread_sha256().update(data).finish(); }
Sha512Digest sha512(ByteView data) { return thread_sha512().update(data).finish(); }

Sha1Digest sha1(std::initializer_list<ByteView> parts) {
  auto& h = thread_sha1();
  for (auto p : parts) h.update(p);
  return h.finish();
}
Sha256Digest sha256(std::initializer_list<ByteView> parts) {
  auto& h = thread_sha256();
  for (auto p : parts) h.update(p);
  return h.finish();
}
Sha512Digest sha512(std::initializer_list<ByteView> parts) {
  auto& h = thread_sha512();
  for (auto p : parts) h.update(p);
  return h.finish();
}

}  // namespace telepp::crypto
