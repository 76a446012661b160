// help.*: the configuration a client needs to find the DCs of this server.
#include "telepp/server/dispatcher.hpp"

namespace telepp::server {
namespace {

std::string advertised_host(const std::string& host) {
  return host == "0.0.0.0" || host.empty() ? "127.0.0.1" : host;
}

Reply get_config(Call& call, const api::AnyFunction&) {
  auto now = static_cast<std::int32_t>(unix_seconds(call.now));
  std::vector<api::DcOption> options;
  for (int dc = 1; dc <= call.dcs; ++dc) {
    options.push_back(api::dcOption{.id = dc,
                                    .ip_address = advertised_host(call.host),
                                    .port = call.base_port + dc - 1});
  }
  return Reply::of(api::config{
      .date = now,
      .expires = now + 3600,
      .test_mode = true,
      .this_dc = call.dc,
      .dc_options = std::move(options),
      .dc_txt_domain_name = "",
      .chat_size_max = 200,
      .megagroup_size_max = 200000,
      .forwarded_count_max = 100,
      .online_update_period_ms = 210000,
      .offline_blur_timeout_ms = 5000,
      .offline_idle_timeout_ms = 30000,
      .online_cloud_timeout_ms = 300000,
      .notify_cloud_delay_ms = 30000,
      .notify_default_delay_ms = 1500,
      .push_chat_period_ms = 60000,
      .push_chat_limit = 2,
      .edit_time_limit = 172800,
      .revoke_time_limit = 2147483647,
      .revoke_pm_time_limit = 2147483647,
      .rating_e_decay = 2419200,
      .stickers_recent_limit = 200,
      .channels_read_media_period = 604800,
      .call_receive_timeout_ms = 20000,
      .call_ring_timeout_ms = 90000,
      .call_connect_timeout_ms = 30000,
      .call_packet_timeout_ms = 10000,
      .me_url_prefix = "https://t.me/",
      .caption_length_max = 1024,
      .message_length_max = 4096,
      .webfile_dc_id = call.dc,
  });
}

Reply get_nearest_dc(Call& call, const api::AnyFunction&) {
  return Reply::of(api::nearestDc{.country = "ZZ", .this_dc = call.dc, .nearest_dc = call.dc});
}

}  // namespace

void add_help_handlers(Dispatcher& d) {
  d.add(api::help::getConfig::kId, get_config);
  d.add(api::help::getNearestDc::kId, get_nearest_dc);
}

}  // namespace telepp::server
