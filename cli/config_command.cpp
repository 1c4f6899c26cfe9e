// `accel config` on the command line: binds the flags of each subcommand to
// its Options (cli/config_actions.hpp) and records what to run. The bare
// `accel config` runs the interactive wizard (cli/config_wizard_command.hpp).
#include <CLI/CLI.hpp>

#include "cli/command.hpp"
#include "cli/config_actions.hpp"
#include "cli/config_wizard_command.hpp"

namespace accel::cli {

namespace {

constexpr const char* kConfigFileFlag = "--config_file,--config-file";
constexpr const char* kConfigFileHelp =
    "The config file to use. Default: $HF_HOME/accelerate/default_config.yaml, where HF_HOME "
    "defaults to ${XDG_CACHE_HOME:-~/.cache}/huggingface (the file Accelerate uses)";

// Everything the subcommands' flags bind to; it must outlive parsing, so it
// lives in the Invocation's closure.
struct ConfigCommandLine {
  std::optional<std::string>
      config_file;  // given before a subcommand: `accel config --config_file F show`
  ConfigDefaultOptions default_options;
  ConfigUpdateOptions update_options;
  ConfigShowOptions show_options;
  ConfigValidateOptions validate_options;
};

// A subcommand's own --config_file wins over one given to `accel config`.
std::optional<std::string> pick(const std::optional<std::string>& own,
                                const std::optional<std::string>& parent) {
  return own ? own : parent;
}

}  // namespace

void setup_config(CLI::App& app, Invocation& invocation) {
  auto line = std::make_shared<ConfigCommandLine>();
  CLI::App* config = app.add_subcommand(
      "config",
      "Create, show, update or validate an Accelerate config file. Without a subcommand, asks "
      "questions and writes the answers (like `accelerate config`)");
  config->add_option(kConfigFileFlag, line->config_file, kConfigFileHelp);
  config->require_subcommand(0, 1);

  CLI::App* make_default = config->add_subcommand(
      "default", "Write a basic config for this machine (all visible GPUs, or the CPU)");
  make_default->add_option(kConfigFileFlag, line->default_options.config_file, kConfigFileHelp);
  make_default
      ->add_option("--mixed_precision,--mixed-precision", line->default_options.mixed_precision,
                   "Mixed precision to use")
      ->check(CLI::IsMember({"no", "fp16", "bf16", "fp8"}, CLI::ignore_case))
      ->default_str("no");
  make_default->add_flag("--force", line->default_options.force,
                         "Replace an existing file (the old one is kept as <file>.bak)");

  CLI::App* update = config->add_subcommand(
      "update",
      "Rewrite a config file with every default filled in, keeping its values "
      "(the old file is kept as <file>.bak)");
  update->add_option(kConfigFileFlag, line->update_options.config_file, kConfigFileHelp);

  CLI::App* show = config->add_subcommand(
      "show", "Print a config file's path and its values, with defaults filled in");
  show->add_option(kConfigFileFlag, line->show_options.config_file, kConfigFileHelp);

  CLI::App* validate = config->add_subcommand(
      "validate", "Check config files and report every problem (exit 0 when all are valid)");
  validate->add_option("files", line->validate_options.files, "Config files to check")
      ->required()
      ->expected(1, -1);

  config->callback([line, config, make_default, update, show, validate, &invocation] {
    if (make_default->parsed()) {
      invocation.run = [line](Console& console) {
        ConfigDefaultOptions options = line->default_options;
        options.config_file = pick(options.config_file, line->config_file);
        return run_config_default(options, system_config_context(), console);
      };
    } else if (update->parsed()) {
      invocation.run = [line](Console& console) {
        ConfigUpdateOptions options = line->update_options;
        options.config_file = pick(options.config_file, line->config_file);
        return run_config_update(options, system_config_context(), console);
      };
    } else if (show->parsed()) {
      invocation.run = [line](Console& console) {
        ConfigShowOptions options = line->show_options;
        options.config_file = pick(options.config_file, line->config_file);
        return run_config_show(options, system_config_context(), console);
      };
    } else if (validate->parsed()) {
      invocation.run = [line](Console& console) {
        return run_config_validate(line->validate_options, console);
      };
    } else if (config->get_subcommands().empty()) {
      invocation.run = [line](Console& console) {
        return run_config_wizard(line->config_file, console);
      };
    }
  });
}

}  // namespace accel::cli
