#pragma once
// The live half of `telepp demo`: the embedded server, a net::Connection to it, and the first
// calls a bot makes, one printed line per step.

namespace telepp::cli {

/// Starts the embedded test server with `dcs` DCs on loopback and runs every step against it.
/// True when every step succeeded (each failure is printed on its step's line).
bool run_live_demo(int dcs);

}  // namespace telepp::cli
