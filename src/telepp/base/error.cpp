#include "telepp/base/error.hpp"

#include <charconv>

namespace telepp {

std::string_view to_string(ErrorDomain d) {
  switch (d) {
    case ErrorDomain::base: return "base";
    case ErrorDomain::crypto: return "crypto";
    case ErrorDomain::tl: return "tl";
    case ErrorDomain::mtproto: return "mtproto";
    case ErrorDomain::storage: return "storage";
    case ErrorDomain::net: return "net";
    case ErrorDomain::client: return "client";
    case ErrorDomain::server: return "server";
    case ErrorDomain::rpc: return "rpc";
  }
  return "unknown";
}

RpcErrorInfo RpcErrorInfo::parse(int code, std::string_view message) {
  RpcErrorInfo info{code, std::string(message), std::nullopt};
  auto underscore = message.rfind('_');
  if (underscore == std::string_view::npos || underscore + 1 == message.size()) return info;
  std::int64_t value = 0;
  auto digits = message.substr(underscore + 1);
  if (digits[0] < '0' || digits[0] > '9') return info;  // `_<digits>` only: no sign
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return info;
  info.name = std::string(message.substr(0, underscore));
  info.argument = value;
  return info;
}

std::string RpcErrorInfo::message() const {
  return argument ? name + "_" + std::to_string(*argument) : name;
}

std::string Error::to_string() const {
  std::string out(telepp::to_string(domain));
  out += " error";
  if (rpc) {
    out += " " + std::to_string(rpc->code) + " " + rpc->message();
  } else {
    out += " " + std::to_string(code);
  }
  if (!detail.empty()) out += ": " + detail;
  return out;
}

}  // namespace telepp
