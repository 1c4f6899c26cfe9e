// `accel __generate man|bash|zsh|fish`: hidden; prints the man page or a
// completion script, written from the command line this very binary parses.
// The build runs it (packaging/shell_files.cmake), so the installed files
// match the installed binary.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "cli/command_docs.hpp"
#include "cli/errors.hpp"
#include "cli/man_page.hpp"
#include "cli/shell_completion.hpp"
#include "cli/version.hpp"

namespace accel::cli {

namespace {

constexpr const char* kGenerateCommand = "__generate";

int run_generate(const std::string& kind, const CLI::App& root, Console& console) {
  const CommandDoc doc = describe_command_line(root);
  if (kind == "man") {
    write_man_page(doc, version(), console.out);
  } else if (kind == "bash") {
    write_bash_completion(doc, console.out);
  } else if (kind == "zsh") {
    write_zsh_completion(doc, console.out);
  } else {
    write_fish_completion(doc, console.out);
  }
  return console.out ? kExitOk : kExitFailure;
}

}  // namespace

void setup_generate(CLI::App& app, Invocation& invocation) {
  auto kind = std::make_shared<std::string>();
  CLI::App* generate =
      app.add_subcommand(kGenerateCommand, "Print the man page or a shell completion script");
  generate->group("");  // hidden: for the build and packagers, not users
  generate->add_option("kind", *kind, "What to print")
      ->required()
      ->check(CLI::IsMember({"man", "bash", "zsh", "fish"}));
  generate->callback([kind, &app, &invocation] {
    invocation.run = [kind, &app](Console& console) { return run_generate(*kind, app, console); };
  });
}

}  // namespace accel::cli
