#include <string>

#include "config/wizard/questions_parts.hpp"

namespace accel::config::wizard {

std::string choose_option(Prompter& prompter, std::string_view question,
                          const std::vector<std::string>& options, std::size_t default_index) {
  return options[prompter.choose(question, options, default_index)];
}

Validator<int> at_least(int minimum) {
  return [minimum](const int& value) -> std::optional<std::string> {
    if (value >= minimum) return std::nullopt;
    return "Please enter " + std::to_string(minimum) + " or more.";
  };
}

Validator<std::string> not_blank_or_spaced(std::string_view what) {
  return [what = std::string(what)](const std::string& value) -> std::optional<std::string> {
    if (value.find_first_of(" \t") == std::string::npos) return std::nullopt;
    return "A " + what + " has no spaces.";
  };
}

void ask_machines(Prompter& prompter, ClusterConfig& config) {
  config.num_machines = prompter.ask_int(
      "How many different machines will you use (use more than 1 for multi-node training)?", 1,
      at_least(1));
  if (config.num_machines == 1) return;

  // Accelerate shows a menu of every rank; a number scales to large clusters
  // and a menu taller than the screen cannot be redrawn.
  const int last_rank = config.num_machines - 1;
  config.machine_rank =
      prompter.ask_int("What is the rank of this machine (0 to " + std::to_string(last_rank) + ")?",
                       0, [last_rank](const int& rank) -> std::optional<std::string> {
                         if (rank >= 0 && rank <= last_rank) return std::nullopt;
                         return "Please enter a rank from 0 to " + std::to_string(last_rank) + ".";
                       });
  config.main_process_ip =
      prompter.ask_text("What is the IP address of the machine that will host the main process?",
                        std::nullopt, not_blank_or_spaced("host address"));
  // Accelerate has no default here; torchrun's 29500 is what most clusters use.
  config.main_process_port =
      prompter.ask_int("What is the port you will use to communicate with the main process?", 29500,
                       [](const int& port) -> std::optional<std::string> {
                         if (port >= 1 && port <= 65535) return std::nullopt;
                         return "A port is a number from 1 to 65535.";
                       });
  config.same_network = prompter.ask_yes_no(
      "Are all the machines on the same local network? Answer `no` if nodes are on the cloud "
      "and/or on different network hosts",
      true);
  if (!config.same_network) {
    config.rdzv_backend = prompter.ask_text(
        "What rendezvous backend will you use? ('static', 'c10d', ...):", "static",
        not_blank_or_spaced("rendezvous backend name"));
  }
}

}  // namespace accel::config::wizard
