#include "telepp/docs/docs.hpp"

namespace telepp::docs {

Result<Summary> generate(const Input&, const std::string&) {
  return fail(Error(ErrorDomain::base, 1, "docs generator: being written"));
}

}  // namespace telepp::docs
