// `telepp demo`: the main job, a demo against the embedded local server. First, offline: build
// the first request every client sends (invokeWithLayer(initConnection(..., help.getConfig))) with
// the typed API, show its bytes, convert it to JSON and back through the dynamic form, check all
// paths agree, and generate the docs. Then live (demo_live.cpp): start the embedded server, connect
// with net::Connection and make a bot's first calls. Exit 0 only when every step succeeded.
#include <iostream>

#include "commands.hpp"
#include "demo_live.hpp"
#include "telepp/api.hpp"
#include "telepp/base/hex.hpp"
#include "telepp/docs/docs.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/tl/value.hpp"

namespace telepp::cli {
namespace {

namespace api = telepp::api;

// The seed call, in one expression with named fields.
auto seed_call() {
  return api::invokeWithLayer{
      .layer = api::kLayer,
      .query = api::initConnection{
          .api_id = 12345,
          .device_model = "telepp demo",
          .system_version = "Debian 12",
          .app_version = "0.1.0",
          .system_lang_code = "en",
          .lang_pack = "",
          .lang_code = "en",
          .proxy = api::inputClientProxy{.address = "127.0.0.1", .port = 443},
          .params = api::jsonObject{.value = {api::jsonObjectValue{.key = "tz_offset", .value = api::jsonNumber{.value = 3600}}}},
          .query = api::help::getConfig{},
      }};
}

[[noreturn]] void broken(const std::string& what) { throw CLI::RuntimeError("telepp demo: " + what, 1); }

void round_trip() {
  auto call = seed_call();
  using Call = decltype(call);
  static_assert(std::is_same_v<Call::Result, api::Config>, "the seed call returns help.getConfig's result");

  auto typed_bytes = tl::to_bytes(call);
  if (!typed_bytes) broken(typed_bytes.error().to_string());
  std::cout << "typed   -> " << typed_bytes->size() << " bytes: " << to_hex(*typed_bytes) << "\n";

  const auto& schema = *schemas::api();
  auto value = tl::decode_value(schema, *typed_bytes);
  if (!value) broken(value.error().to_string());
  auto json = tl::value_to_json(*value, 2);
  std::cout << "dynamic -> JSON:\n" << json << "\n";

  auto parsed = tl::value_from_json(schema, json);
  if (!parsed) broken(parsed.error().to_string());
  auto dynamic_bytes = tl::encode_value(*parsed);
  if (!dynamic_bytes) broken(dynamic_bytes.error().to_string());
  if (*dynamic_bytes != *typed_bytes) broken("JSON -> bytes differs from the typed bytes");
  std::cout << "JSON    -> bytes: identical to the typed bytes\n";

  auto back = tl::deserialize<Call>(*typed_bytes);
  if (!back) broken(back.error().to_string());
  if (!(*back == call)) broken("bytes -> typed differs from the original call");
  const auto& proxy = back->query.proxy->as<api::inputClientProxy>();
  std::cout << "bytes   -> typed: equal to the original call (query.query is " << back->query.query.tl_info.name
            << ", proxy " << proxy.address << ":" << proxy.port << ")\n";
}

void write_docs(const std::string& out_dir) {
  docs::Input input;
  input.schema = schemas::api();
  input.meta_json = schemas::api_meta_json();
  auto summary = docs::generate(input, out_dir);
  if (!summary) broken(summary.error().to_string());
  std::cout << "docs    -> " << summary->methods << " methods, " << summary->constructors << " constructors, "
            << summary->types << " types in " << out_dir << " (see " << out_dir << "/methods/initConnection.md)\n";
}

}  // namespace

void add_demo_command(CLI::App& app) {
  static std::string out_dir = "out/docs";
  static int dcs = 2;
  auto* cmd = app.add_subcommand(
      "demo", "Round-trip the initConnection seed call, generate the docs, then run a bot against the embedded server");
  cmd->add_option("--docs-out", out_dir, "where to write the reference pages")->capture_default_str();
  cmd->add_option("--dcs", dcs, "DCs of the embedded server")->capture_default_str()->check(CLI::Range(1, 3));
  cmd->callback([] {
    round_trip();
    write_docs(out_dir);
    if (!run_live_demo(dcs)) broken("a step against the embedded server failed (see above)");
    std::cout << "demo    -> every step succeeded\n";
  });
}

}  // namespace telepp::cli
