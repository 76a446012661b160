#pragma once
/// \file Time as sans-IO code sees it: a parameter, never read from a clock inside.

#include <chrono>
#include <cstdint>

namespace telepp {

/// Wall-clock time as nanoseconds since the Unix epoch. Callers pass `now` into everything
/// time-dependent (msg_ids need Unix time; deadlines use the same scale), so tests control it.
using Time = std::chrono::nanoseconds;
using Duration = std::chrono::nanoseconds;

/// Whole seconds of a Time.
inline std::int64_t unix_seconds(Time t) { return std::chrono::duration_cast<std::chrono::seconds>(t).count(); }
/// A Time from whole seconds.
inline Time from_unix_seconds(std::int64_t s) { return std::chrono::seconds(s); }

}  // namespace telepp
