// The man page and completion writers (cli/man_page.hpp,
// cli/shell_completion.hpp) on a small hand-made command tree with the edge
// cases in it, and `accel __generate` on the real one. The integration test
// tests/integration/test_shell_files.py checks the generated files against
// every subcommand's --help and runs the shells on them.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "cli/app.hpp"
#include "cli/command_docs.hpp"
#include "cli/man_page.hpp"
#include "cli/shell_completion.hpp"

namespace {

using accel::cli::CommandDoc;
using accel::cli::OptionDoc;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// accel [-h] {run [--mode M] [--count INT] [--log FILE] program..., tool {fix}}
CommandDoc sample_tree() {
  CommandDoc root;
  root.path = {"accel"};
  root.description = "The tool.\n.A line that looks like a roff request, and a \\ backslash";
  root.options.push_back({{"-h", "--help"}, "", {}, "Print help", "Options"});

  CommandDoc run;
  run.path = {"accel", "run"};
  run.description = "Run a program";
  run.runs_program = true;
  run.options.push_back(
      {{"--mode", "--run-mode"}, "TEXT", {"fast", "slow"}, "How to run [it]:quickly", "Modes"});
  run.options.push_back({{"--count"}, "INT", {}, "How many, it's said", "Modes"});
  run.options.push_back({{"--log"}, "TEXT", {}, "Where to log", "Output"});

  CommandDoc tool;
  tool.path = {"accel", "tool"};
  tool.description = "Tools";
  CommandDoc fix;
  fix.path = {"accel", "tool", "fix"};
  fix.description = "Fix files";
  fix.positionals.push_back({"files", "Files to fix", true, true});
  tool.subcommands.push_back(fix);

  root.subcommands = {run, tool};
  return root;
}

template <typename Writer>
std::string written(Writer writer) {
  std::ostringstream out;
  writer(sample_tree(), out);
  return out.str();
}

}  // namespace

TEST_CASE("the command tree lists every command, depth first", "[shell_files]") {
  const CommandDoc root = sample_tree();
  std::vector<std::string> names;
  for (const CommandDoc* command : accel::cli::all_commands(root)) {
    names.push_back(command->full_name());
  }
  CHECK(names == std::vector<std::string>{"accel", "accel run", "accel tool", "accel tool fix"});
}

TEST_CASE("the man page documents each command and flag, escaped for roff", "[shell_files]") {
  const std::string page = written([](const CommandDoc& root, std::ostream& out) {
    accel::cli::write_man_page(root, "1.2.3", out);
  });
  CHECK(contains(page, ".TH ACCEL 1 \"\" \"accel 1.2.3\""));
  CHECK(contains(page, ".SS \"accel tool fix\""));
  CHECK(contains(page, "\\fB\\-\\-mode\\fR, \\fB\\-\\-run\\-mode\\fR \\fITEXT\\fR"));
  CHECK(contains(page, "(one of: fast, slow)"));
  CHECK(contains(page, "\\fIprogram\\fR [\\fIargs\\fR ...]"));
  CHECK(contains(page, "\\fIfiles\\fR ..."));
  // A help line must not become a request; a backslash must not become an escape.
  CHECK(contains(page, "\\&.A line"));
  CHECK(contains(page, "a \\e backslash"));
  CHECK(contains(page, "\\fIModes:\\fR"));
}

TEST_CASE("bash completion tables hold every command, flag and listed value", "[shell_files]") {
  const std::string script = written(accel::cli::write_bash_completion);
  CHECK(contains(script, "'accel') echo 'run tool' ;;"));
  CHECK(contains(script, "'accel tool') echo 'fix' ;;"));
  CHECK(contains(script, "'accel run') echo '--mode --run-mode --count --log' ;;"));
  CHECK(contains(script, "'accel run|--mode'|'accel run|--run-mode') echo 'fast slow' ;;"));
  CHECK(contains(script, "'accel run') return 0 ;;"));  // runs a program
  CHECK(contains(script, "complete -o bashdefault -o default -F _accel accel"));
}

TEST_CASE("zsh completion has a function per command with quoted descriptions", "[shell_files]") {
  const std::string script = written(accel::cli::write_zsh_completion);
  CHECK(script.starts_with("#compdef accel\n"));
  CHECK(contains(script, "_accel_tool_fix() {"));
  CHECK(contains(script,
                 "'(--mode --run-mode)--mode=[How to run \\[it\\]\\:quickly]:TEXT:(fast slow)'"));
  CHECK(contains(script, "'(--count)--count=[How many, it'\\''s said]:INT:'"));
  CHECK(contains(script, "'(--log)--log=[Where to log]:TEXT:_files'"));
  CHECK(contains(script, "fix) _accel_tool_fix && ret=0 ;;"));
  CHECK(contains(script, "'*:files:_files'"));
  CHECK(contains(script, "\n_accel \"$@\"\n"));
}

TEST_CASE("fish completion guards each line by the command typed so far", "[shell_files]") {
  const std::string script = written(accel::cli::write_fish_completion);
  CHECK(contains(script,
                 "set -g __accel_commands 'accel' 'accel run' 'accel tool' 'accel tool fix'"));
  CHECK(contains(script,
                 "complete -c accel -n '__accel_is \\'accel\\'' -a 'run' -d 'Run a program'"));
  CHECK(contains(script,
                 "complete -c accel -n '__accel_is \\'accel run\\'' -l mode -l run-mode -x -a "
                 "'fast slow'"));
  CHECK(contains(script, "-l count -x -d 'How many, it\\'s said'"));
  CHECK(contains(script, "-l log -r -F -d 'Where to log'"));
  CHECK(contains(script, "complete -c accel -n '__accel_is \\'accel\\'' -s h -l help -d"));
}

TEST_CASE("accel __generate prints each file from the real command line", "[shell_files]") {
  for (const char* kind : {"man", "bash", "zsh", "fish"}) {
    const char* argv[] = {"accel", "__generate", kind};
    std::istringstream in;
    std::ostringstream out, err;
    accel::cli::Console console{in, out, err};
    REQUIRE(accel::cli::main(3, argv, console) == 0);
    CHECK(err.str().empty());
    CHECK(contains(out.str(), "num_processes"));
    CHECK(contains(out.str(), "validate"));
    // Hidden: the workers of `accel test`/`bench` and the generator itself,
    // which only the header comment names.
    CHECK_FALSE(contains(out.str(), "_worker"));
    const std::string text = out.str();
    const std::size_t first = text.find("__generate");
    CHECK(first != std::string::npos);
    CHECK(text.find("__generate", first + 1) == std::string::npos);
  }
}

TEST_CASE("accel __generate refuses an unknown kind", "[shell_files]") {
  const char* argv[] = {"accel", "__generate", "powershell"};
  std::istringstream in;
  std::ostringstream out, err;
  accel::cli::Console console{in, out, err};
  CHECK(accel::cli::main(3, argv, console) == 2);
  CHECK(contains(err.str(), "powershell"));
}

TEST_CASE("a completion menu shows the first clause of a description, cut at a word",
          "[shell_files]") {
  using accel::cli::first_line;
  CHECK(first_line("Check it works: runs a worker.\nMore") == "Check it works");
  CHECK(first_line("Launch a job -- or several") == "Launch a job");
  const std::string long_text(30, 'a');
  const std::string cut = first_line(long_text + " " + long_text + " " + long_text + " tail");
  CHECK(cut == long_text + " " + long_text + "...");
}
