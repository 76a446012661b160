#include "telepp/base/buffer.hpp"

#include <algorithm>

namespace telepp {

void Buffer::reset(std::size_t headroom, std::size_t capacity) {
  capacity_ = headroom + capacity;
  block_ = capacity_ ? std::make_unique_for_overwrite<Byte[]>(capacity_) : nullptr;
  begin_ = end_ = headroom;
}

void Buffer::grow_tail(std::size_t n) {
  std::size_t needed = end_ + n;
  std::size_t new_capacity = std::max({needed, capacity_ * 2, std::size_t{64}});
  auto block = std::make_unique_for_overwrite<Byte[]>(new_capacity);
  if (end_ > begin_) std::memcpy(block.get() + begin_, block_.get() + begin_, end_ - begin_);
  block_ = std::move(block);
  capacity_ = new_capacity;
}

Byte* Buffer::prepend(std::size_t n) {
  if (begin_ < n) {
    // Out of headroom: move the content up, keeping the same headroom again for later prepends.
    std::size_t extra = n - begin_ + begin_;
    std::size_t new_capacity = capacity_ + extra;
    auto block = std::make_unique_for_overwrite<Byte[]>(new_capacity);
    if (end_ > begin_) std::memcpy(block.get() + begin_ + extra, block_.get() + begin_, end_ - begin_);
    block_ = std::move(block);
    begin_ += extra;
    end_ += extra;
    capacity_ = new_capacity;
  }
  begin_ -= n;
  return block_.get() + begin_;
}

}  // namespace telepp
