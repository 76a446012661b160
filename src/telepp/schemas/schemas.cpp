#include "telepp/schemas/schemas.hpp"

#include <array>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace telepp::schemas {
namespace detail {
struct Embedded {
  std::string_view name;
  const std::string_view* pieces;
  std::size_t count;
};
extern const Embedded kEmbedded[];
}  // namespace detail

namespace {

constexpr std::array<int, 3> kLayers = {198, 227, 228};

// The embedded pieces joined once per text (thread-safe); the strings live until exit.
std::string_view embedded(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, std::string, std::less<>> joined;
  std::lock_guard lock(mutex);
  if (auto it = joined.find(name); it != joined.end()) return it->second;
  for (const auto* e = detail::kEmbedded; !e->name.empty(); ++e) {
    if (e->name != name) continue;
    std::string text;
    for (std::size_t i = 0; i < e->count; ++i) text += e->pieces[i];
    return joined.emplace(std::string(name), std::move(text)).first->second;
  }
  return {};
}

// The embedded texts are checked at build time (tlgen parses api.tl and mtproto.tl) and by the
// tests; a parse failure here means a broken build, so it is fatal rather than an Error.
const tl::Schema* parse_once(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<tl::Schema>> cache;
  std::lock_guard lock(mutex);
  auto& slot = cache[name];
  if (!slot) {
    auto text = embedded(name);
    if (text.empty()) return nullptr;
    auto parsed = tl::Schema::parse(text);
    if (!parsed) {
      std::fprintf(stderr, "telepp: embedded schema %s does not parse: %s\n", name.c_str(), parsed.error().detail.c_str());
      std::abort();
    }
    slot = std::make_unique<tl::Schema>(std::move(*parsed));
  }
  return slot.get();
}

}  // namespace

std::span<const int> layers() { return kLayers; }

std::string_view api_text(int layer) { return embedded(std::to_string(layer)); }

std::string_view mtproto_text() { return embedded("mtproto"); }

std::string_view api_meta_json() { return embedded("api-meta"); }

const tl::Schema* api(int layer) { return parse_once(std::to_string(layer)); }

const tl::Schema& mtproto() { return *parse_once("mtproto"); }

}  // namespace telepp::schemas
