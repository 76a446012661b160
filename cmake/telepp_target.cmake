# Flags shared by every target we own: warnings are errors, and the optional
# sanitizer build. Third-party code is never compiled by us, so nothing here
# leaks into it.

if(TELEPP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# telepp_own_target(<target>): marks a target as ours (strict warnings).
function(telepp_own_target target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wpedantic)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # -Wmaybe-uninitialized is off: GCC 12 reports it falsely on std::optional and std::variant
    # members holding strings or vectors (we hit it six times, never a real bug). Definite use of
    # uninitialised values (-Wuninitialized) stays an error, and the sanitizer build checks too.
    target_compile_options(${target} PRIVATE -Wshadow=local -Wno-maybe-uninitialized)
  endif()
endfunction()

# telepp_layer(<name> SOURCES ... DEPS ... PRIVATE_DEPS ...): one library per
# layer, named telepp_<name>, include root src/ so headers read <telepp/x/y.hpp>.
function(telepp_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(telepp_${name} STATIC ${L_SOURCES})
  target_include_directories(telepp_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(telepp_${name} PUBLIC ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS})
  telepp_own_target(telepp_${name})
endfunction()
