// telepp: the command-line tool. One file per subcommand (see commands.hpp).
#include <iostream>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"telepp: Telegram MTProto library, tool and local test server"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "telepp 0.1.0");
  telepp::cli::add_tl_command(app);
  telepp::cli::add_docs_command(app);
  telepp::cli::add_demo_command(app);
  telepp::cli::add_serve_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    // Our own failures (bad input, broken invariants): CLI11 would exit silently on these.
    std::cerr << e.what() << "\n";
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
