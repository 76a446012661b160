#pragma once
/// \file `Writer`: TL primitives appended to a `Buffer`.
///
/// Like `Reader`, errors are sticky: a value that cannot be written (a required field left empty,
/// a string over 16 MiB) records the first failure and `status()` reports it.

#include <cstdint>
#include <string_view>

#include "telepp/base/buffer.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/base/result.hpp"
#include "telepp/tl/reader.hpp"

namespace telepp::tl {

/// Appends TL values to an owned `Buffer`.
class Writer {
 public:
  /// The largest string/bytes TL can carry (3-byte length).
  static constexpr std::size_t kMaxBytesLength = (1u << 24) - 1;

  /// `headroom` bytes are kept free before the output for headers added later.
  explicit Writer(std::size_t headroom = 0, std::size_t capacity = 256) : out_(headroom, capacity) {}

  void u32(std::uint32_t v) { store_le32(out_.append(4), v); }
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void i64(std::int64_t v) { store_le64(out_.append(8), static_cast<std::uint64_t>(v)); }
  void f64(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    store_le64(out_.append(8), bits);
  }
  void boolean(bool v) { u32(v ? kBoolTrueId : kBoolFalseId); }
  void int128(const Int128& v) { std::memcpy(out_.append(16), v.data(), 16); }
  void int256(const Int256& v) { std::memcpy(out_.append(32), v.data(), 32); }
  /// A TL string/bytes: length prefix, the bytes, zero padding to a multiple of 4.
  void bytes(std::string_view v) {
    if (v.size() < 254) {
      std::size_t total = (v.size() + 4) & ~std::size_t{3};
      Byte* p = out_.append(total);
      store_le32(p + total - 4, 0);  // zero the padding first; the data overwrites the rest
      p[0] = static_cast<Byte>(v.size());
      std::memcpy(p + 1, v.data(), v.size());
    } else {
      long_bytes(v);
    }
  }
  void raw(ByteView v) { out_.append(v); }
  void vector_header(std::size_t count) {
    u32(kVectorId);
    u32(static_cast<std::uint32_t>(count));
  }
  void bare_vector_count(std::size_t count) { u32(static_cast<std::uint32_t>(count)); }

  /// Records a failure; the first one wins.
  void fail(TlErrc code, std::string detail);
  bool ok() const { return !failed_; }
  Status status() const;

  std::size_t size() const { return out_.size(); }
  ByteView view() const { return out_.view(); }
  Buffer& buffer() { return out_; }
  Buffer take() { return std::move(out_); }

 private:
  void long_bytes(std::string_view v);

  Buffer out_;
  bool failed_ = false;
  Error error_;
};

}  // namespace telepp::tl
