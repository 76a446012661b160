#pragma once
/// \file `Reader`: bounds-checked TL primitives over a byte view.
///
/// Errors are sticky: the first failure is recorded (with its offset and the constructor being
/// read) and every later read returns zeros/empties, so generated decoders run straight-line code
/// and check `ok()` once at the end. Nothing a peer sends can make a read go out of bounds,
/// recurse beyond `kMaxDepth` or allocate more than the input can justify.

#include <cstdint>
#include <string>
#include <string_view>

#include "telepp/base/bytes.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/base/result.hpp"

namespace telepp::tl {

inline constexpr std::uint32_t kVectorId = 0x1cb5c415;
inline constexpr std::uint32_t kBoolTrueId = 0x997275b5;
inline constexpr std::uint32_t kBoolFalseId = 0xbc799737;

/// Reads TL values from `data` (not owned; must outlive the reader).
class Reader {
 public:
  /// Nesting of boxed objects deeper than this is refused (`TlErrc::too_deep`).
  static constexpr int kMaxDepth = 64;

  explicit Reader(ByteView data) : begin_(data.data()), pos_(data.data()), end_(data.data() + data.size()) {}

  bool ok() const { return !failed_; }
  std::size_t offset() const { return static_cast<std::size_t>(pos_ - begin_); }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - pos_); }
  /// The recorded failure (only when `!ok()`).
  const Error& error() const { return error_; }
  /// `ok()` as a Status, with the recorded error.
  Status status() const;
  /// Fails with `trailing_bytes` unless everything was consumed.
  Status finish();

  [[gnu::always_inline]] std::uint32_t u32() {
    if (!need(4)) return 0;
    auto v = load_le32(pos_);
    pos_ += 4;
    return v;
  }
  [[gnu::always_inline]] std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  [[gnu::always_inline]] std::int64_t i64() {
    if (!need(8)) return 0;
    auto v = load_le64(pos_);
    pos_ += 8;
    return static_cast<std::int64_t>(v);
  }
  double f64();
  /// A boxed Bool (boolTrue/boolFalse); anything else fails with `bad_value`.
  bool boolean();
  Int128 int128() { return fixed<16>(); }
  Int256 int256() { return fixed<32>(); }
  /// A TL string/bytes as a view into the input (valid while the input is).
  std::string_view bytes_view() {
    // Fast path: a short string entirely inside the input.
    if (pos_ < end_ && *pos_ < 254 && !failed_) {
      std::size_t len = *pos_;
      std::size_t padded = (len + 4) & ~std::size_t{3};
      if (static_cast<std::size_t>(end_ - pos_) >= padded) {
        std::string_view v(reinterpret_cast<const char*>(pos_ + 1), len);
        pos_ += padded;
        return v;
      }
    }
    return bytes_view_slow();
  }
  /// A TL string/bytes copied into `out` (one allocation, one copy).
  void bytes_into(std::string& out) {
    auto v = bytes_view();
    // Constructing and moving is cheaper than assign() into an empty string (no generic replace).
    if (out.empty()) out = std::string(v);
    else out.assign(v.data(), v.size());
  }
  std::string bytes() {
    std::string s;
    bytes_into(s);
    return s;
  }
  /// Raw bytes without a length prefix.
  ByteView raw(std::size_t n);

  /// Reads a boxed vector's constructor ID and count. `min_element_size` is the smallest wire size
  /// of one element; a count the remaining input cannot hold fails with `bad_length`.
  std::uint32_t vector_header(std::size_t min_element_size);
  /// Reads a bare vector's count (no constructor ID).
  std::uint32_t bare_vector_count(std::size_t min_element_size);

  /// Records `id` as the constructor being read and checks nesting; pair with `leave`.
  /// Returns the previous context to restore.
  std::uint32_t enter(std::uint32_t id) {
    if (++depth_ > kMaxDepth) fail_too_deep();
    auto previous = context_id_;
    context_id_ = id;
    return previous;
  }
  void leave(std::uint32_t previous) {
    --depth_;
    context_id_ = previous;
  }
  std::uint32_t context_id() const { return context_id_; }

  /// Records a failure (the first one wins) and makes all later reads return zeros.
  void fail(TlErrc code, std::string_view detail);
  /// The standard failure for an ID that is not a constructor of `expected_type`.
  void fail_unknown_id(std::uint32_t id, std::string_view expected_type);

 private:
  [[gnu::always_inline]] bool need(std::size_t n) {
    if (static_cast<std::size_t>(end_ - pos_) >= n && !failed_) return true;
    fail_truncated(n);
    return false;
  }
  template <std::size_t N>
  FixedBytes<N> fixed() {
    FixedBytes<N> v;
    if (need(N)) {
      std::memcpy(v.bytes.data(), pos_, N);
      pos_ += N;
    }
    return v;
  }
  std::string_view bytes_view_slow();
  void fail_truncated(std::size_t n);
  void fail_too_deep();

  const Byte* begin_;
  const Byte* pos_;
  const Byte* end_;
  std::uint32_t context_id_ = 0;
  int depth_ = 0;
  bool failed_ = false;
  Error error_;
};

/// The name of a registered constructor or function (see `register_types`), for error messages.
/// Empty when unknown.
std::string_view constructor_name(std::uint32_t id);

}  // namespace telepp::tl
