#include "cli/command_docs.hpp"

#include <CLI/CLI.hpp>
#include <string_view>

namespace accel::cli {

namespace {

bool is_hidden(const std::string& group) {
  return group.empty();
}

// CLI11's type name is "TEXT", or "TEXT:{no,fp16,bf16,fp8}" when an IsMember
// check lists the accepted values (one part per check, ':'-separated).
void read_type_name(const std::string& type_name, OptionDoc& doc) {
  const std::size_t colon = type_name.find(':');
  doc.value_name = type_name.substr(0, colon);
  const std::size_t open = type_name.find('{', colon == std::string::npos ? 0 : colon);
  const std::size_t close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return;
  std::string_view rest = std::string_view(type_name).substr(open + 1, close - open - 1);
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    doc.choices.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
}

OptionDoc describe_option(const CLI::Option& option) {
  OptionDoc doc;
  for (const std::string& name : option.get_snames()) doc.names.push_back("-" + name);
  for (const std::string& name : option.get_lnames()) doc.names.push_back("--" + name);
  doc.description = option.get_description();
  doc.group = option.get_group();
  // Flags expect no value (CLI11 sets expected(0) on every add_flag).
  if (option.get_expected_max() != 0) {
    read_type_name(option.get_type_name(), doc);
    if (doc.value_name.empty()) doc.value_name = "VALUE";
  }
  return doc;
}

PositionalDoc describe_positional(const CLI::Option& option) {
  PositionalDoc doc;
  doc.name = option.get_name();
  doc.description = option.get_description();
  doc.required = option.get_required();
  const int most = option.get_items_expected_max();
  doc.repeats = most > 1 || most < 0;
  return doc;
}

CommandDoc describe(const CLI::App& app, std::vector<std::string> path) {
  CommandDoc doc;
  doc.path = std::move(path);
  doc.description = app.get_description();
  doc.footer = app.get_footer();
  doc.runs_program = app.get_prefix_command();
  for (const CLI::Option* option : app.get_options()) {
    if (is_hidden(option->get_group())) continue;
    if (option->nonpositional()) {
      doc.options.push_back(describe_option(*option));
    } else {
      doc.positionals.push_back(describe_positional(*option));
    }
  }
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (is_hidden(sub->get_group())) continue;
    std::vector<std::string> sub_path = doc.path;
    sub_path.push_back(sub->get_name());
    doc.subcommands.push_back(describe(*sub, std::move(sub_path)));
  }
  return doc;
}

void collect(const CommandDoc& command, std::vector<const CommandDoc*>& out) {
  out.push_back(&command);
  for (const CommandDoc& sub : command.subcommands) collect(sub, out);
}

}  // namespace

std::string CommandDoc::full_name() const {
  std::string name;
  for (const std::string& word : path) name += (name.empty() ? "" : " ") + word;
  return name;
}

CommandDoc describe_command_line(const CLI::App& app) {
  return describe(app, {app.get_name()});
}

std::vector<const CommandDoc*> all_commands(const CommandDoc& root) {
  std::vector<const CommandDoc*> commands;
  collect(root, commands);
  return commands;
}

}  // namespace accel::cli
