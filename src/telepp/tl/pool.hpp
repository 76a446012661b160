#pragma once
/// \file A per-thread free-list allocator for the objects held by boxed TL values.
///
/// Decoding a `messages.messages` creates hundreds of same-sized objects and destroying it frees
/// them again; glibc keeps only 7 free chunks per size in its fast cache, so most of that traffic
/// went through its slow paths (measured: 60% of decode time). Here each thread keeps its own
/// free lists per 16-byte size class, capped so an idle thread holds at most a few MiB.
/// Memory may be freed on another thread than it was allocated on.

#include <cstddef>
#include <cstdint>

namespace telepp::tl {

namespace pool_detail {
inline constexpr std::size_t kGranule = 16;
inline constexpr std::size_t kMaxPooled = 1024;
inline constexpr std::size_t kClasses = kMaxPooled / kGranule;
struct FreeNode {
  FreeNode* next;
};
// Trivially destructible so thread_local access needs no guard; lists are released by
// `pool_release_thread_cache` and by a registered thread-exit hook (see pool.cpp).
struct FreeLists {
  FreeNode* head[kClasses];
  std::uint32_t count[kClasses];
  bool hooked;
};
// constinit: the compiler then reads it directly instead of through a TLS init wrapper (which
// UBSan also mistook for a null access).
extern thread_local constinit FreeLists t_lists;
inline std::size_t class_of(std::size_t size) { return (size + kGranule - 1) / kGranule - 1; }
void* allocate_slow(std::size_t size);
void deallocate_slow(void* p, std::size_t size) noexcept;
}  // namespace pool_detail

/// Memory for an object of `size` bytes (alignment of max_align_t).
inline void* pool_allocate(std::size_t size) {
  using namespace pool_detail;
  if (size - 1 < kMaxPooled) {
    auto c = class_of(size);
    if (auto* node = t_lists.head[c]) {
      t_lists.head[c] = node->next;
      --t_lists.count[c];
      return node;
    }
  }
  return allocate_slow(size);
}

/// Returns memory from `pool_allocate(size)` (same `size`).
inline void pool_deallocate(void* p, std::size_t size) noexcept {
  using namespace pool_detail;
  if (size - 1 < kMaxPooled) {
    auto c = class_of(size);
    // Per class and thread keep up to 256 KiB: enough to recycle a large decoded result in full.
    if (t_lists.count[c] < (256u * 1024u) / ((c + 1) * kGranule) && t_lists.hooked) {
      auto* node = static_cast<FreeNode*>(p);
      node->next = t_lists.head[c];
      t_lists.head[c] = node;
      ++t_lists.count[c];
      return;
    }
  }
  deallocate_slow(p, size);
}

/// Frees this thread's cached blocks (also done automatically when the thread exits).
void pool_release_thread_cache() noexcept;

}  // namespace telepp::tl
