#pragma once
/// \file `Buffer`: owned contiguous bytes with headroom at the front, so framing and encryption
/// headers can be prepended in place after the payload is written.

#include <cstddef>
#include <memory>
#include <utility>

#include "telepp/base/bytes.hpp"

namespace telepp {

/// Growable bytes [begin, end) inside a block that keeps free room before `begin` (headroom)
/// and after `end` (tailroom). Not thread-safe.
class Buffer {
 public:
  explicit Buffer(std::size_t headroom = 0, std::size_t capacity = 0) { reset(headroom, capacity); }
  // A moved-from Buffer is empty and reusable (Writer::take() relies on it).
  Buffer(Buffer&& other) noexcept
      : block_(std::move(other.block_)),
        capacity_(std::exchange(other.capacity_, 0)),
        begin_(std::exchange(other.begin_, 0)),
        end_(std::exchange(other.end_, 0)) {}
  Buffer& operator=(Buffer&& other) noexcept {
    if (this != &other) {
      block_ = std::move(other.block_);
      capacity_ = std::exchange(other.capacity_, 0);
      begin_ = std::exchange(other.begin_, 0);
      end_ = std::exchange(other.end_, 0);
    }
    return *this;
  }
  Buffer(const Buffer& other) : Buffer(other.headroom(), other.size()) { append(other.view()); }
  Buffer& operator=(const Buffer& other) {
    if (this != &other) *this = Buffer(other);
    return *this;
  }

  Byte* data() { return block_.get() + begin_; }
  const Byte* data() const { return block_.get() + begin_; }
  std::size_t size() const { return end_ - begin_; }
  bool empty() const { return end_ == begin_; }
  std::size_t headroom() const { return begin_; }
  ByteView view() const { return {data(), size()}; }
  MutableByteView mutable_view() { return {data(), size()}; }

  /// Makes room for `n` more bytes at the end and returns where they start (uninitialised).
  Byte* append(std::size_t n) {
    if (capacity_ - end_ < n) grow_tail(n);
    Byte* p = block_.get() + end_;
    end_ += n;
    return p;
  }
  void append(ByteView bytes) {
    if (!bytes.empty()) std::memcpy(append(bytes.size()), bytes.data(), bytes.size());
  }
  /// Makes room for `n` bytes before the start and returns where they start (uninitialised).
  Byte* prepend(std::size_t n);
  /// Drops `n` bytes from the front (they become headroom).
  void consume_front(std::size_t n) { begin_ += n < size() ? n : size(); }
  /// Shrinks or extends (uninitialised) the content to `n` bytes.
  void resize(std::size_t n) {
    if (n > size()) append(n - size());
    else end_ = begin_ + n;
  }
  void clear() { end_ = begin_; }
  /// Ensures `n` bytes of tailroom without changing the content.
  void reserve_tail(std::size_t n) {
    if (capacity_ - end_ < n) grow_tail(n);
  }
  Bytes to_bytes() const { return Bytes(data(), data() + size()); }

 private:
  void reset(std::size_t headroom, std::size_t capacity);
  void grow_tail(std::size_t n);

  std::unique_ptr<Byte[]> block_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace telepp
