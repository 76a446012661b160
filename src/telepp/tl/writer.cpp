#include "telepp/tl/writer.hpp"

namespace telepp::tl {

void Writer::long_bytes(std::string_view v) {
  if (v.size() > kMaxBytesLength) {
    fail(TlErrc::bad_length, "bytes of length " + std::to_string(v.size()) + " exceed the TL maximum of 16 MiB - 1");
    return;
  }
  std::size_t total = (v.size() + 4 + 3) & ~std::size_t{3};
  Byte* p = out_.append(total);
  store_le32(p + total - 4, 0);
  p[0] = 254;
  p[1] = static_cast<Byte>(v.size());
  p[2] = static_cast<Byte>(v.size() >> 8);
  p[3] = static_cast<Byte>(v.size() >> 16);
  std::memcpy(p + 4, v.data(), v.size());
}

void Writer::fail(TlErrc code, std::string detail) {
  if (failed_) return;
  failed_ = true;
  error_ = Error(code, "at output offset " + std::to_string(out_.size()) + ": " + std::move(detail));
}

Status Writer::status() const {
  if (failed_) return telepp::fail(error_);
  return {};
}

}  // namespace telepp::tl
