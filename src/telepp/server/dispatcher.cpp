#include "telepp/server/dispatcher.hpp"

#include <cstdio>
#include <set>

#include "telepp/schemas/schemas.hpp"
#include "telepp/server/layer_adapter.hpp"
#include "telepp/tl/value.hpp"

namespace telepp::server {
namespace {

// Wrappers that only carry the query inside them (their own fields need no action here).
const std::set<std::string_view> kPassThroughWrappers = {
    "invokeWithoutUpdates", "invokeAfterMsg", "invokeAfterMsgs", "invokeWithMessagesRange", "invokeWithTakeout",
    "invokeWithBusinessConnection", "invokeWithGooglePlayIntegrity", "invokeWithApnsSecret", "invokeWithReCaptcha"};

// Queries allowed on a key whose client has not said initConnection yet.
const std::set<std::string_view> kAllowedBeforeInit = {"auth.bindTempAuthKey", "destroy_auth_key"};

// lang_pack values of Telegram's own apps.
const std::set<std::string_view> kLangPacks = {"android", "ios", "tdesktop", "macos", "android_x", "web", "weba", "webk", "webz"};

const std::string& text_field(const tl::Value& v, std::string_view name) {
  static const std::string kEmpty;
  const auto* f = v.field(name);
  return f && (f->kind() == tl::Value::Kind::string || f->kind() == tl::Value::Kind::bytes) ? f->as_text() : kEmpty;
}

std::int32_t int_field(const tl::Value& v, std::string_view name) {
  const auto* f = v.field(name);
  return f && f->kind() == tl::Value::Kind::int32 ? f->as_int32() : 0;
}

// initConnection's rules, in the order Telegram applies them.
std::optional<RpcErrorInfo> check_init(const tl::Value& init, const ServerConfig& config) {
  auto error = [](std::string name) { return RpcErrorInfo{400, std::move(name), {}}; };
  std::int32_t api_id = int_field(init, "api_id");
  bool registered = config.api_ids.empty() ? api_id > 0 : config.api_ids.count(api_id) != 0;
  if (!registered) return error("CONNECTION_API_ID_INVALID");
  if (text_field(init, "device_model").empty()) return error("CONNECTION_DEVICE_MODEL_EMPTY");
  if (text_field(init, "system_version").empty()) return error("CONNECTION_SYSTEM_EMPTY");
  if (text_field(init, "app_version").empty()) return error("CONNECTION_APP_VERSION_EMPTY");
  if (text_field(init, "system_lang_code").empty()) return error("CONNECTION_SYSTEM_LANG_CODE_EMPTY");
  const auto& lang_pack = text_field(init, "lang_pack");
  if (!lang_pack.empty() && !kLangPacks.count(lang_pack)) return error("CONNECTION_LANG_PACK_INVALID");
  return std::nullopt;
}

ClientInfo client_info(const tl::Value& init, int layer, Time now) {
  ClientInfo c;
  c.layer = layer;
  c.api_id = int_field(init, "api_id");
  c.device_model = text_field(init, "device_model");
  c.system_version = text_field(init, "system_version");
  c.app_version = text_field(init, "app_version");
  c.system_lang_code = text_field(init, "system_lang_code");
  c.lang_pack = text_field(init, "lang_pack");
  c.lang_code = text_field(init, "lang_code");
  if (const auto* proxy = init.field("proxy"); proxy && !proxy->is_null()) {
    c.proxy_address = text_field(*proxy, "address");
    c.proxy_port = int_field(*proxy, "port");
  }
  if (const auto* params = init.field("params"); params && !params->is_null()) c.params_json = tl::value_to_json(*params);
  c.date_created = c.date_active = unix_seconds(now);
  return c;
}

}  // namespace

Dispatcher::Dispatcher() {
  add_help_handlers(*this);
  add_auth_handlers(*this);
  add_users_handlers(*this);
  add_messages_handlers(*this);
  add_updates_handlers(*this);
  add_upload_handlers(*this);
  add_send_media_handlers(*this);
  add_account_handlers(*this);
  add_contacts_handlers(*this);
}

Answer Dispatcher::handle(Call& call, ByteView body, std::string* log_json) {
  // The layer: invokeWithLayer names it; otherwise the one saved with the key, else the latest.
  int layer = call.auth.client ? call.auth.client->layer : schemas::kLatestLayer;
  bool wrapped = body.size() >= 8 && load_le32(body.data()) == api::invokeWithLayer<>::kId;
  if (wrapped) {
    layer = static_cast<int>(load_le32(body.data() + 4));
    if (!schemas::api(layer)) return Answer::fail(400, "CONNECTION_LAYER_INVALID");
  }
  const tl::Schema& schema = *schemas::api(layer);
  auto value = tl::decode_value(schema, body);
  if (!value) return Answer::fail(400, "INPUT_FETCH_FAIL");

  const tl::Value* query = &*value;
  const tl::Value* init = nullptr;
  while (query->kind() == tl::Value::Kind::object) {
    const auto& name = query->as_object().combinator->name;
    if (name == "invokeWithoutUpdates") call.without_updates = true;
    if (name == "initConnection") init = query;
    else if (name != "invokeWithLayer" && !kPassThroughWrappers.count(name)) break;
    const auto* inner = query->field("query");
    if (!inner || inner->kind() != tl::Value::Kind::object) return Answer::fail(400, "INPUT_FETCH_FAIL");
    query = inner;
  }
  if (init) {
    if (auto error = check_init(*init, call.config)) return Answer{{}, error};
    // NOTE: a new wrapper on the same key replaces what was saved, layer included.
    call.auth.client = client_info(*init, layer, call.now);
  } else if (!call.auth.client && !kAllowedBeforeInit.count(query->as_object().combinator->name)) {
    return Answer::fail(400, "CONNECTION_NOT_INITED");
  }
  if (call.auth.client) call.auth.client->date_active = unix_seconds(call.now);
  call.layer = layer;
  return run(call, *query, schema, log_json);
}

Answer Dispatcher::run(Call& call, const tl::Value& query, const tl::Schema& schema, std::string* log_json) {
  const auto& fn = *query.as_object().combinator;
  if (log_json) *log_json = tl::value_to_json(query);
  if (auto it = call.config.knobs.flood_wait.find(fn.name); it != call.config.knobs.flood_wait.end()) {
    return Answer::fail(420, "FLOOD_WAIT_" + std::to_string(it->second));
  }
  const tl::Schema& latest = *schemas::api();
  const tl::Value* latest_query = &query;
  tl::Value converted;
  if (call.layer != schemas::kLatestLayer) {
    const auto* adapter = LayerAdapter::shipped(call.layer, schemas::kLatestLayer);
    if (!adapter) return Answer::fail(400, "CONNECTION_LAYER_INVALID");
    auto up = adapter->convert(query);
    if (!up) return Answer::fail(400, "INPUT_FETCH_FAIL");
    converted = std::move(*up);
    latest_query = &converted;
  }
  auto bytes = tl::encode_value(*latest_query);
  if (!bytes) return Answer::fail(400, "INPUT_FETCH_FAIL");
  auto typed = tl::deserialize<api::AnyFunction>(*bytes);
  if (!typed) return Answer::fail(400, "INPUT_FETCH_FAIL");
  auto handler = handlers_.find(typed->id());
  if (handler == handlers_.end()) {
    // NOTE: never a silent drop: the name says what the test server does not implement.
    return Answer::fail(400, "METHOD_NOT_SUPPORTED_BY_TEST_SERVER: " + fn.name);
  }
  Reply reply = handler->second(call, *typed);
  if (reply.error) return Answer{{}, reply.error};
  const tl::Combinator* latest_fn = latest.find(fn.name);
  return convert_answer(reply, latest_fn ? *latest_fn : fn, schema);
}

Answer Dispatcher::convert_answer(const Reply& reply, const tl::Combinator& function, const tl::Schema& client_schema) {
  if (&client_schema == schemas::api()) return Answer{reply.result, {}};
  // NOTE: a generic wrapper's result is the inner query's; handlers answer the inner query, so
  // `function` is that query and its result type (e.g. Vector<User>) drives the conversion.
  const auto* adapter = LayerAdapter::shipped(schemas::kLatestLayer, client_schema.layer().value_or(0));
  if (!adapter) return Answer::fail(500, "INTERNAL_SERVER_ERROR");
  auto bytes = adapter->convert_result_bytes(function.name, reply.result);
  if (!bytes) {
    // NOTE: a bug of ours, not the client's: say so in the server's log.
    std::fprintf(stderr, "telepp serve: cannot convert the answer to %s down to layer %d: %s\n", function.name.c_str(),
                 client_schema.layer().value_or(0), bytes.error().to_string().c_str());
    return Answer::fail(500, "INTERNAL_SERVER_ERROR");
  }
  return Answer{std::move(*bytes), {}};
}

api::User user_object(const UserRecord& u, std::optional<std::int64_t> viewer) {
  api::user out{.self = viewer == u.id, .bot = u.bot, .id = u.id, .access_hash = u.access_hash, .first_name = u.first_name};
  if (!u.last_name.empty()) out.last_name = u.last_name;
  if (!u.username.empty()) out.username = u.username;
  if (!u.bot && !u.phone.empty()) out.phone = u.phone;
  if (u.bot) out.bot_info_version = 1;  // shares flags.14 with `bot`
  return out;
}

}  // namespace telepp::server
