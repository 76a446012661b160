// `telepp tl encode|decode|show`: the dynamic form from the command line.
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "commands.hpp"
#include "telepp/base/hex.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/tl/value.hpp"

namespace telepp::cli {
namespace {

struct SchemaChoice {
  int layer = schemas::kLatestLayer;
  bool mtproto = false;
};

// Exits through CLI11 so the message and the exit code are uniform (code 2 = bad input).
[[noreturn]] void fail_input(const std::string& message) { throw CLI::RuntimeError("telepp: " + message, 2); }

const tl::Schema& pick(const SchemaChoice& c) {
  if (c.mtproto) return schemas::mtproto();
  const auto* s = schemas::api(c.layer);
  if (!s) fail_input("no schema for layer " + std::to_string(c.layer) + " (shipped: 198, 227, 228)");
  return *s;
}

void add_schema_options(CLI::App* cmd, SchemaChoice& choice) {
  cmd->add_option("--layer", choice.layer, "API layer of the schema (198, 227 or 228)")->capture_default_str();
  cmd->add_flag("--mtproto", choice.mtproto, "use the MTProto service schema (schema/mtproto.tl)");
}

void encode(const SchemaChoice& choice, const std::string& json) {
  const auto& schema = pick(choice);
  auto value = tl::value_from_json(schema, json);
  if (!value) fail_input(value.error().detail);
  auto bytes = tl::encode_value(*value);
  if (!bytes) fail_input(bytes.error().detail);
  std::cout << to_hex(*bytes) << "\n";
}

void decode(const SchemaChoice& choice, const std::string& hex, bool pretty) {
  auto bytes = from_hex(hex);
  if (!bytes) fail_input(bytes.error().detail);
  const auto& schema = pick(choice);
  auto value = tl::decode_value(schema, *bytes);
  if (!value && !choice.mtproto && bytes->size() >= 4) {
    // An MTProto service object (resPQ, msg_container, ...) decodes with the service schema.
    if (auto service = tl::decode_value(schemas::mtproto(), *bytes)) value = std::move(service);
  }
  if (!value) fail_input(value.error().detail);
  std::cout << tl::value_to_json(*value, pretty ? 2 : -1) << "\n";
}

void show(const SchemaChoice& choice, const std::string& name) {
  const auto& schema = pick(choice);
  const tl::Combinator* c = schema.find(name);
  if (!c && !choice.mtproto) c = schemas::mtproto().find(name);
  if (!c) {
    // Accept an ID too (`0xc1cd5ea9` or `c1cd5ea9`).
    auto digits = name.rfind("0x", 0) == 0 ? name.substr(2) : name;
    std::uint32_t id = 0;
    if (!digits.empty() && digits.size() <= 8 && std::sscanf(digits.c_str(), "%x", &id) == 1) {
      c = schema.find(id);
    }
  }
  if (!c) fail_input("'" + name + "' is not a constructor or function of layer " + std::to_string(choice.layer));
  char id[16];
  std::snprintf(id, sizeof id, "0x%08x", c->id);
  std::cout << c->to_tl() << ";\n" << id << "\n";
}

}  // namespace

void add_tl_command(CLI::App& app) {
  auto* tl = app.add_subcommand("tl", "Encode, decode and look up TL objects (the dynamic JSON form)");
  tl->require_subcommand(1);

  static SchemaChoice encode_choice, decode_choice, show_choice;
  static std::string json, hex, name;
  static bool pretty = false;

  auto* enc = tl->add_subcommand("encode", "JSON object -> hex bytes, e.g. '{\"_\": \"help.getConfig\"}'");
  add_schema_options(enc, encode_choice);
  enc->add_option("json", json, "the object as JSON")->required();
  enc->callback([] { encode(encode_choice, json); });

  auto* dec = tl->add_subcommand("decode", "hex bytes -> JSON object");
  add_schema_options(dec, decode_choice);
  dec->add_flag("--pretty", pretty, "indent the JSON");
  dec->add_option("hex", hex, "the boxed object as hex")->required();
  dec->callback([] { decode(decode_choice, hex, pretty); });

  auto* sh = tl->add_subcommand("show", "print the TL line and ID of a constructor or function");
  add_schema_options(sh, show_choice);
  sh->add_option("name", name, "e.g. initConnection or messages.sendMessage (or an ID)")->required();
  sh->callback([] { show(show_choice, name); });
}

}  // namespace telepp::cli
