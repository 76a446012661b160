#include "telepp/tl/reader.hpp"

#include <algorithm>
#include <cstdio>

namespace telepp::tl {
namespace {

std::string hex32(std::uint32_t id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", id);
  return buf;
}

}  // namespace

double Reader::f64() {
  auto bits = static_cast<std::uint64_t>(i64());
  double v;
  std::memcpy(&v, &bits, 8);
  return v;
}

bool Reader::boolean() {
  auto id = u32();
  if (id == kBoolTrueId) return true;
  if (id != kBoolFalseId && !failed_) fail(TlErrc::bad_value, "expected Bool, got " + hex32(id));
  return false;
}

std::string_view Reader::bytes_view_slow() {
  if (!need(1)) return {};
  std::size_t header = 1;
  std::size_t len = *pos_;
  if (len == 254) {
    if (!need(4)) return {};
    len = pos_[1] | pos_[2] << 8 | static_cast<std::size_t>(pos_[3]) << 16;
    header = 4;
  } else if (len == 255) {
    fail(TlErrc::bad_length, "string length prefix 0xff is not valid");
    return {};
  }
  std::size_t padded = (header + len + 3) & ~std::size_t{3};
  if (!need(padded)) return {};
  std::string_view v(reinterpret_cast<const char*>(pos_ + header), len);
  pos_ += padded;
  return v;
}

ByteView Reader::raw(std::size_t n) {
  if (!need(n)) return {};
  ByteView v(pos_, n);
  pos_ += n;
  return v;
}

std::uint32_t Reader::vector_header(std::size_t min_element_size) {
  auto id = u32();
  if (id != kVectorId) {
    if (!failed_) fail(TlErrc::unexpected_id, "expected vector 0x1cb5c415, got " + hex32(id));
    return 0;
  }
  return bare_vector_count(min_element_size);
}

std::uint32_t Reader::bare_vector_count(std::size_t min_element_size) {
  auto n = u32();
  // SECURITY: never trust a count the remaining input cannot hold; a hostile 2^31 would otherwise
  // allocate gigabytes before the first element fails to read.
  std::size_t cap = min_element_size == 0 ? remaining() + 1024 : remaining() / min_element_size;
  if (n > cap && !failed_) {
    fail(TlErrc::bad_length, "vector count " + std::to_string(n) + " exceeds what the remaining " +
                                 std::to_string(remaining()) + " bytes can hold");
  }
  return failed_ ? 0 : n;
}

void Reader::fail(TlErrc code, std::string_view detail) {
  if (failed_) return;
  failed_ = true;
  std::string text = "at offset " + std::to_string(offset());
  if (context_id_ != 0) {
    text += " in " + hex32(context_id_);
    auto name = constructor_name(context_id_);
    if (!name.empty()) text += " (" + std::string(name) + ")";
  }
  text += ": ";
  text += detail;
  error_ = Error(code, std::move(text));
  pos_ = end_;
}

void Reader::fail_unknown_id(std::uint32_t id, std::string_view expected_type) {
  if (failed_) return;
  std::string detail = "constructor " + hex32(id);
  auto name = constructor_name(id);
  if (!name.empty()) {
    detail += " (" + std::string(name) + ") is not a " + std::string(expected_type);
    fail(TlErrc::unexpected_id, detail);
  } else {
    detail += " is unknown (expected " + std::string(expected_type) + ")";
    fail(TlErrc::unknown_id, detail);
  }
}

void Reader::fail_truncated(std::size_t n) {
  if (failed_) return;
  fail(TlErrc::truncated, "need " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
}

void Reader::fail_too_deep() {
  fail(TlErrc::too_deep, "nesting deeper than " + std::to_string(kMaxDepth) + " objects");
}

Status Reader::status() const {
  if (failed_) return telepp::fail(error_);
  return {};
}

Status Reader::finish() {
  if (!failed_ && pos_ != end_) {
    fail(TlErrc::trailing_bytes, std::to_string(remaining()) + " bytes left after the value");
  }
  return status();
}

}  // namespace telepp::tl
