#include "telepp/tl/pool.hpp"

#include <new>

namespace telepp::tl {
namespace pool_detail {

constinit thread_local FreeLists t_lists{};

namespace {
// Releases the thread's lists when it exits. Registered on first use, so threads that never
// decode TL pay nothing; until registered, `pool_deallocate` frees directly (see `hooked`).
struct ExitHook {
  ~ExitHook() { pool_release_thread_cache(); }
};
thread_local ExitHook t_hook;
}  // namespace

void* allocate_slow(std::size_t size) {
  if (!t_lists.hooked) {
    // Touching t_hook constructs it and registers its destructor for this thread.
    [[maybe_unused]] auto* hook = &t_hook;
    t_lists.hooked = true;
  }
  if (size == 0) size = 1;
  if (size > kMaxPooled) return ::operator new(size);
  return ::operator new((class_of(size) + 1) * kGranule);
}

void deallocate_slow(void* p, std::size_t) noexcept { ::operator delete(p); }

}  // namespace pool_detail

void pool_release_thread_cache() noexcept {
  using namespace pool_detail;
  for (std::size_t c = 0; c < kClasses; ++c) {
    auto* node = t_lists.head[c];
    while (node) {
      auto* next = node->next;
      ::operator delete(node);
      node = next;
    }
    t_lists.head[c] = nullptr;
    t_lists.count[c] = 0;
  }
  t_lists.hooked = false;
}

}  // namespace telepp::tl
