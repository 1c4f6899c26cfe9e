#include "cli/man_page.hpp"

#include <ostream>
#include <string>

namespace accel::cli {

namespace {

// Text for roff: a backslash is an escape there, and a line that starts
// with '.' or '\'' would be read as a request.
std::string roff_text(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (const char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

// An option name or command word: bold, with '-' as the minus sign man
// pages use so the text can be searched and copied.
std::string roff_word(std::string_view word) {
  std::string out;
  for (const char c : word) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

std::string bold(std::string_view word) {
  return "\\fB" + roff_word(word) + "\\fR";
}
std::string italic(std::string_view word) {
  return "\\fI" + roff_word(word) + "\\fR";
}

// Help text as CLI11 prints it: its line breaks kept (they separate
// sentences the help lays out one per line), an empty line starting a new
// paragraph, and a line that starts with spaces (an example command in a
// footer) kept as it is.
void write_paragraphs(std::string_view text, std::ostream& out) {
  bool paragraph_open = false;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    if (line.empty()) {
      paragraph_open = false;
      continue;
    }
    if (line.front() == ' ') {
      out << ".nf\n" << roff_text(line) << "\n.fi\n";
      paragraph_open = true;
      continue;
    }
    out << (paragraph_open ? ".br\n" : ".PP\n") << roff_text(line) << "\n";
    paragraph_open = true;
  }
}

std::string usage(const CommandDoc& command) {
  std::string text = bold(command.full_name());
  if (!command.options.empty()) text += " [" + italic("options") + "]";
  if (!command.subcommands.empty()) text += " " + italic("command");
  for (const PositionalDoc& positional : command.positionals) {
    std::string word = italic(positional.name) + (positional.repeats ? " ..." : "");
    text += " " + (positional.required ? word : "[" + word + "]");
  }
  if (command.runs_program) text += " " + italic("program") + " [" + italic("args") + " ...]";
  return text;
}

void write_option(const OptionDoc& option, std::ostream& out) {
  out << ".TP\n";
  std::string names;
  for (const std::string& name : option.names) names += (names.empty() ? "" : ", ") + bold(name);
  out << names;
  if (option.takes_value()) out << " " << italic(option.value_name);
  out << "\n" << roff_text(option.description);
  if (!option.choices.empty()) {
    std::string choices;
    for (const std::string& choice : option.choices)
      choices += (choices.empty() ? "" : ", ") + choice;
    out << " (one of: " << roff_text(choices) << ")";
  }
  out << "\n";
}

void write_command(const CommandDoc& command, std::ostream& out) {
  out << ".SS \"" << roff_word(command.full_name()) << "\"\n" << usage(command) << "\n";
  write_paragraphs(command.description, out);
  for (const PositionalDoc& positional : command.positionals) {
    out << ".TP\n" << italic(positional.name) << "\n" << roff_text(positional.description) << "\n";
  }
  std::string group;
  for (const OptionDoc& option : command.options) {
    if (option.group != group) {
      group = option.group;
      out << ".PP\n\\fI" << roff_text(group) << ":\\fR\n";
    }
    write_option(option, out);
  }
  write_paragraphs(command.footer, out);
}

constexpr const char* kPreamble =
    ".SH NAME\n"
    "accel \\- fast, drop\\-in launcher for distributed training "
    "(accelerate launch, torchrun)\n";

constexpr const char* kAfterCommands = R"roff(.SH EXIT STATUS
.TP
.B 0
Success.
.TP
.B 1
The job (or a runtime operation) failed; under
.BR "accel launch" ,
the exit code of the first worker that failed.
.TP
.B 2
Bad command line, config file or other input; the message says what, where
and what to do.
.TP
.B 128+N
Interrupted by signal N, or a worker was killed by signal N.
.SH ENVIRONMENT
.TP
.B HF_HOME
Where Accelerate's files live; the default config file is
.IR $HF_HOME/accelerate/default_config.yaml .
.TP
.B XDG_CACHE_HOME
When HF_HOME is unset, HF_HOME defaults to
.IR ${XDG_CACHE_HOME:\-~/.cache}/huggingface .
.TP
.B ACCEL_PYTHON
The Python interpreter
.B accel launch
runs .py scripts and modules with (default: python3 on PATH).
.TP
.B ACCEL_RDZV_TOKEN
The secret the machines of a multi\-machine job share to authenticate the
rendezvous (default of \fB\-\-rdzv_token\fR).
.TP
.B SLURM_*, OMPI_*, PMI_*
Under SLURM or MPI,
.B accel launch
reads the job's geometry from these variables.
.PP
Workers get the variables torchrun and
.B accelerate launch
set (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR,
MASTER_PORT, ACCELERATE_*, ...) plus accel's own ACCEL_STORE_ADDR,
ACCEL_STORE_PORT, ACCEL_JOB_ID, ACCEL_JOB_TOKEN, ACCEL_NODE_RANK and
ACCEL_LOCAL_DEVICE, which libaccel reads.
.SH FILES
.TP
.I $HF_HOME/accelerate/default_config.yaml
The config file Accelerate and accel share; written by
.BR "accel config" .
.SH EXAMPLES
Write a config for this machine, then run a script on 4 CPU processes:
.PP
.nf
.RS
accel config default
accel launch \-\-cpu \-\-num_processes 4 train.py \-\-epochs 1
.RE
.fi
.PP
Check the machine and paste the answer into a bug report:
.PP
.nf
.RS
accel test
accel env
.RE
.fi
.PP
A native worker links libaccel, found with
.B find_package(accel)
(target accel::runtime) or
.BR "pkg\-config accel" .
.SH SEE ALSO
.BR torchrun (1),
.BR python3 (1);
the documentation in docs/ of the accel sources.
)roff";

}  // namespace

void write_man_page(const CommandDoc& root, std::string_view version, std::ostream& out) {
  out << ".\\\" Generated by `accel __generate man` from accel's command line; do not edit.\n"
      << ".TH ACCEL 1 \"\" \"accel " << roff_text(version) << "\" \"User Commands\"\n"
      << kPreamble << ".SH SYNOPSIS\n";
  for (const CommandDoc& command : root.subcommands) out << usage(command) << "\n.br\n";
  out << usage(root) << "\n.SH DESCRIPTION\n";
  write_paragraphs(root.description, out);
  out << ".SH OPTIONS\n";
  for (const OptionDoc& option : root.options) write_option(option, out);
  out << ".SH COMMANDS\n";
  for (const CommandDoc* command : all_commands(root)) {
    if (command != &root) write_command(*command, out);
  }
  out << kAfterCommands;
}

}  // namespace accel::cli
