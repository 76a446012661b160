#pragma once
/// \file `Signal`: wakes coroutines waiting on one executor, without threads or exceptions.

// NOTE: a standard header before any Asio header: Asio's config picks its allocator from
// libstdc++'s macros, and TUs that disagree break the ODR (see README.md).
#include <cstddef>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

namespace telepp::net {

/// A timer that never expires by itself: `wait()` returns when `notify()` cancels it (or at
/// `wait_until`'s deadline). NOTE: a notify with nobody waiting is not remembered, so waiters
/// check their condition first and wait only while it is false (one thread: nothing can slip in
/// between the check and the wait).
class Signal {
 public:
  explicit Signal(const asio::any_io_executor& executor) : timer_(executor, asio::steady_timer::time_point::max()) {}

  /// Wakes every coroutine waiting now.
  void notify() { timer_.cancel(); }
  /// Until notified. Any number of coroutines may wait at once.
  asio::awaitable<void> wait() { co_await wait_until(asio::steady_timer::time_point::max()); }
  /// Until notified or `deadline`. With a deadline, one waiter at a time: setting the timer
  /// wakes everybody waiting on it.
  asio::awaitable<void> wait_until(asio::steady_timer::time_point deadline) {
    if (timer_.expiry() != deadline) timer_.expires_at(deadline);
    co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }

 private:
  asio::steady_timer timer_;
};

}  // namespace telepp::net
