#pragma once
/// \file The schemas telepp ships, embedded in the binary and parsed on first use: the API at every
/// supported layer and the MTProto service layer. This is what drives the dynamic (JSON) form,
/// `telepp tl`, the docs generator and the test server's layer adapter.

#include <span>
#include <string_view>

#include "telepp/tl/schema.hpp"

namespace telepp::schemas {

/// The newest API layer telepp ships (schema/api.tl).
inline constexpr int kLatestLayer = 228;

/// Layers with an embedded schema, ascending.
std::span<const int> layers();
/// The schema text of an API layer, or empty if not shipped.
std::string_view api_text(int layer = kLatestLayer);
/// schema/mtproto.tl.
std::string_view mtproto_text();

/// schema/api-meta.json: per method of the latest layer, who may call it and which errors it returns.
std::string_view api_meta_json();

/// The parsed API schema of `layer` (parsed once, thread-safe), or nullptr if not shipped.
const tl::Schema* api(int layer = kLatestLayer);
/// The parsed MTProto schema.
const tl::Schema& mtproto();

}  // namespace telepp::schemas
