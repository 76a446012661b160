#pragma once
// Shared by the server tests: queries as bytes (boxed, or wrapped in invokeWithLayer +
// initConnection as a client's first query is), and checks on the answers.

#include <gtest/gtest.h>

#include <string>

#include "telepp/api.hpp"
#include "test_client.hpp"

namespace telepp::test {

/// `v` boxed (a failed expectation and no bytes if it cannot be written).
template <class T>
Bytes boxed(const T& v) {
  auto b = tl::to_bytes(v);
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : Bytes{};
}

/// `query` as a client's first query on a key: invokeWithLayer(layer, initConnection(..., query)).
template <class Q>
Bytes init_wrapped_at(Q query, int layer, std::string device_model = "test pc") {
  return boxed(api::invokeWithLayer{
      .layer = layer,
      .query = api::initConnection{.api_id = 1, .device_model = std::move(device_model), .system_version = "Linux",
                                   .app_version = "1.0", .system_lang_code = "en", .lang_pack = "", .lang_code = "en",
                                   .query = std::move(query)}});
}

/// The same at the latest layer.
template <class Q>
Bytes init_wrapped(Q query, std::string device_model = "test pc") {
  return init_wrapped_at(std::move(query), api::kLayer, std::move(device_model));
}

/// What came back, for failure messages.
inline std::string describe(const QueryResult& r) {
  if (r.error) return "rpc_error " + std::to_string(r.error->code) + " " + r.error->message();
  if (r.transport_error) return "transport error " + std::to_string(*r.transport_error);
  return r.result ? "result" : "nothing";
}

/// The answer as `T` (a boxed type); a failed expectation (and a default T) otherwise.
template <class T>
T answer(const QueryResult& r) {
  EXPECT_TRUE(r.result.has_value()) << describe(r);
  if (!r.result) return T{};
  auto v = tl::deserialize<T>(*r.result);
  EXPECT_TRUE(v.ok()) << v.error().to_string();
  return v.ok() ? std::move(*v) : T{};
}

/// Expects rpc_error `code` `name`.
inline void expect_error(const QueryResult& r, int code, const std::string& name) {
  ASSERT_TRUE(r.error.has_value()) << "expected " << name << ", got " << describe(r);
  EXPECT_EQ(r.error->code, code);
  EXPECT_EQ(r.error->message(), name);
}

}  // namespace telepp::test
