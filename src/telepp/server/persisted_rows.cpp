#include "telepp/server/persisted_rows.hpp"

#include <nlohmann/json.hpp>

#include "telepp/server/sqlite_db.hpp"

namespace telepp::server::rows {
namespace {

using nlohmann::json;

Error corrupt(const std::string& what, const std::string& why) {
  return Error(ErrorDomain::server, sql::kStoreError, "corrupt " + what + " in the state database: " + why);
}

// Parses `body` as a JSON object and hands it to `read`; JSON and type errors become Errors.
template <class Read>
Status read_json(const std::string& what, std::string_view body, Read read) {
  auto j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return fail(corrupt(what, "not a JSON object"));
  try {
    read(j);
  } catch (const json::exception& e) {  // NOTE: nlohmann reports wrong types by throwing; they stop here
    return fail(corrupt(what, e.what()));
  }
  return {};
}

template <class T>
void put_optional(json& j, const char* name, const std::optional<T>& v) {
  if (v) j[name] = *v;
}

template <class T>
std::optional<T> get_optional(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

json client_json(const ClientInfo& c) {
  json j{{"layer", c.layer},
         {"api_id", c.api_id},
         {"device_model", c.device_model},
         {"system_version", c.system_version},
         {"app_version", c.app_version},
         {"system_lang_code", c.system_lang_code},
         {"lang_pack", c.lang_pack},
         {"lang_code", c.lang_code},
         {"date_created", c.date_created}};
  put_optional(j, "proxy_address", c.proxy_address);
  put_optional(j, "proxy_port", c.proxy_port);
  put_optional(j, "params_json", c.params_json);
  return j;
}

ClientInfo client_from_json(const json& j, std::int64_t date_active) {
  ClientInfo c;
  c.layer = j.at("layer").get<int>();
  c.api_id = j.at("api_id").get<std::int32_t>();
  c.device_model = j.at("device_model").get<std::string>();
  c.system_version = j.at("system_version").get<std::string>();
  c.app_version = j.at("app_version").get<std::string>();
  c.system_lang_code = j.at("system_lang_code").get<std::string>();
  c.lang_pack = j.at("lang_pack").get<std::string>();
  c.lang_code = j.at("lang_code").get<std::string>();
  c.date_created = j.at("date_created").get<std::int64_t>();
  c.date_active = date_active;
  c.proxy_address = get_optional<std::string>(j, "proxy_address");
  c.proxy_port = get_optional<std::int32_t>(j, "proxy_port");
  c.params_json = get_optional<std::string>(j, "params_json");
  return c;
}

}  // namespace

std::string user_body(const UserRecord& u) {
  return json{{"access_hash", u.access_hash}, {"bot", u.bot},       {"first_name", u.first_name},
              {"last_name", u.last_name},     {"username", u.username}, {"phone", u.phone},
              {"about", u.about},             {"home_dc", u.home_dc}, {"bot_token_secret", u.bot_token_secret}}
      .dump();
}

Result<UserRecord> user_from_body(std::int64_t id, std::string_view body) {
  UserRecord u;
  u.id = id;
  TELEPP_TRY(read_json("user " + std::to_string(id), body, [&](const json& j) {
    u.access_hash = j.at("access_hash").get<std::int64_t>();
    u.bot = j.at("bot").get<bool>();
    u.first_name = j.at("first_name").get<std::string>();
    u.last_name = j.at("last_name").get<std::string>();
    u.username = j.at("username").get<std::string>();
    u.phone = j.at("phone").get<std::string>();
    u.about = j.at("about").get<std::string>();
    u.home_dc = j.at("home_dc").get<int>();
    u.bot_token_secret = j.at("bot_token_secret").get<std::string>();
  }));
  return u;
}

std::string auth_body(const AuthRecord& r) {
  json j = json::object();
  put_optional(j, "bound_perm_id", r.bound_perm_id);
  put_optional(j, "user_id", r.user_id);
  put_optional(j, "password_pending_user", r.password_pending_user);
  if (r.client) j["client"] = client_json(*r.client);
  return j.dump();
}

Status auth_from_body(std::string_view body, std::int64_t date_active, AuthRecord& r) {
  return read_json("auth key " + std::to_string(r.key.id()), body, [&](const json& j) {
    r.bound_perm_id = get_optional<std::uint64_t>(j, "bound_perm_id");
    r.user_id = get_optional<std::int64_t>(j, "user_id");
    r.password_pending_user = get_optional<std::int64_t>(j, "password_pending_user");
    if (auto it = j.find("client"); it != j.end()) r.client = client_from_json(*it, date_active);
  });
}

Result<Bytes> message_body(const StoredMessage& m, std::int64_t owner) { return tl::to_bytes(message_object(m, owner)); }

Result<StoredMessage> message_from_body(ByteView body, std::int32_t peer_copy_id) {
  auto decoded = tl::deserialize<api::Message>(body);
  if (!decoded) return fail(corrupt("message", decoded.error().to_string()));
  const auto* m = decoded->get_if<api::message>();
  const auto* peer = m ? m->peer_id.get_if<api::peerUser>() : nullptr;
  if (!peer) return fail(corrupt("message", "not a private message"));
  return StoredMessage{.id = m->id,
                       .peer = peer->user_id,
                       .out = m->out,
                       .date = m->date,
                       .edit_date = m->edit_date,
                       .text = m->message,
                       .entities = m->entities.value_or(std::vector<api::MessageEntity>{}),
                       .media = m->media,
                       .peer_copy_id = peer_copy_id};
}

}  // namespace telepp::server::rows
