// Binds `accel launch`'s flags. Each Accelerate flag answers to --foo_bar and
// --foo-bar as Accelerate's parser does; help shows the underscore spelling
// (launch_command.cpp's formatter) and groups flags the way `accelerate
// launch --help` does.
#include "cli/launch_flags.hpp"

#include <CLI/CLI.hpp>

#include <charconv>
#include <string>

#include "cli/errors.hpp"
#include "config/launch_spec_settings.hpp"

namespace accel::cli {

namespace {

using namespace config::help_group;
using launch::LaunchRequest;
constexpr const char* kTorchrun = "torchrun Aliases";
constexpr const char* kLauncher = "Launcher (accel)";
constexpr const char* kRendezvous = "Several Machines (accel)";
constexpr const char* kIgnored = "Accepted for Compatibility (no effect under accel)";

// Flags of `accelerate launch` and torchrun that have nothing to do here.
// They parse (so existing command lines run) and each given one gets a
// one-line notice saying why it has no effect.
struct IgnoredFlagInfo {
  const char* name;  // underscore spelling, with "--"
  bool takes_value;
  const char* reason;
};
constexpr const char* kTpuReason = "TPU pods are launched by `accelerate launch`, not accel";
constexpr IgnoredFlagInfo kIgnoredFlags[] = {
    {"--tpu_cluster", false, kTpuReason},
    {"--no_tpu_cluster", false, kTpuReason},
    {"--tpu_use_sudo", false, kTpuReason},
    {"--vm", true, kTpuReason},
    {"--env", true, kTpuReason},
    {"--mpirun_hostfile", true,
     "accel starts CPU workers itself on each machine; it does not use mpirun"},
    {"--aws_access_key_id", true, "SageMaker jobs are submitted by `accelerate launch`"},
    {"--aws_secret_access_key", true, "SageMaker jobs are submitted by `accelerate launch`"},
};

// "--num_processes" -> "--num_processes,--num-processes" (plus a short name).
std::string names(const std::string& underscored, const std::string& short_name = "") {
  std::string dashed = underscored;
  for (size_t i = 2; i < dashed.size(); ++i) {
    if (dashed[i] == '_') dashed[i] = '-';
  }
  std::string all = short_name.empty() ? "" : short_name + ",";
  all += underscored;
  if (dashed != underscored) all += "," + dashed;
  return all;
}

void bind_general(CLI::App& app, LaunchRequest& o) {
  config::LaunchFlags& f = o.flags;
  app.add_option(
      names("--config_file"), f.config_file,
      "Config file for the defaults (default: Accelerate's default_config.yaml, if it exists)");
  app.add_flag(names("--quiet", "-q"), o.quiet, "Do not print the notice about defaulted values");
  app.add_flag(names("--debug"), f.debug,
               "Set ACCELERATE_DEBUG_MODE for the workers and log the launcher's decisions");
  app.add_flag(names("--module", "-m"), f.module,
               "Run the script as a Python module, like `python -m`");
  app.add_flag(names("--no_python"), f.no_python,
               "Run the script directly, without python (for executables and shell scripts)");

  app.add_flag("--cpu", f.cpu,
               "Train on the CPU (ACCELERATE_USE_CPU); several processes are spawned by accel")
      ->group(kHardware);
  app.add_flag(names("--multi_gpu"), f.multi_gpu,
               "Distributed training on several GPUs (torchrun's launch path)")
      ->group(kHardware);
  app.add_flag("--tpu", f.tpu, "TPU training: not supported by accel (use accelerate launch)")
      ->group(kHardware);

  app.add_option(names("--mixed_precision"), f.mixed_precision,
                 "Mixed precision: no, fp16, bf16 or fp8")
      ->check(CLI::IsMember({"no", "fp16", "bf16", "fp8"}))
      ->group(kResource);
  app.add_option(names("--num_processes"), f.num_processes,
                 "Total number of processes (default: the visible GPUs, or 1 on the CPU)")
      ->group(kResource);
  app.add_option(names("--num_machines"), f.num_machines,
                 "Number of machines (default 1; under srun, SLURM's nodes)")
      ->group(kResource);
  app.add_option(names("--num_cpu_threads_per_process"), f.num_cpu_threads_per_process,
                 "OMP_NUM_THREADS of each worker (default: the launcher's, else 1; CPU jobs share "
                 "the cores)")
      ->group(kResource);
  app.add_flag(names("--enable_cpu_affinity"), f.enable_cpu_affinity,
               "Set ACCELERATE_CPU_AFFINITY=1 so workers bind to the CPUs near their GPU")
      ->group(kResource);
}

void bind_paradigms_and_distributed(CLI::App& app, LaunchRequest& o) {
  config::LaunchFlags& f = o.flags;
  app.add_flag(names("--use_deepspeed"), f.use_deepspeed, "Use DeepSpeed (its standard launcher)")
      ->group(kParadigm);
  app.add_flag(names("--use_fsdp"), f.use_fsdp, "Use PyTorch FSDP")->group(kParadigm);
  app.add_flag(names("--use_parallelism_config"), f.use_parallelism_config,
               "N-d parallelism config: not supported by accel yet")
      ->group(kParadigm);
  app.add_flag(names("--use_megatron_lm"), f.use_megatron_lm,
               "Use Megatron-LM: not supported by accel")
      ->group(kParadigm);

  app.add_option(names("--gpu_ids"), f.gpu_ids,
                 "GPUs of this machine to use, comma-separated (CUDA_VISIBLE_DEVICES), or all")
      ->group(kDistributed);
  app.add_flag(names("--same_network"), o.same_network,
               "All machines are on one local network (multi-machine)")
      ->group(kDistributed);
  app.add_option(names("--machine_rank"), f.machine_rank,
                 "Rank of this machine (0 on one machine; under srun, SLURM_NODEID)")
      ->group(kDistributed);
  app.add_option(names("--main_process_ip"), f.main_process_ip,
                 "Address of machine 0, where the others join (under srun: the first node)")
      ->group(kDistributed);
  app.add_option(names("--main_process_port"), f.main_process_port,
                 "Port of machine 0 (default 29500): its rendezvous on several machines, else "
                 "MASTER_PORT (0 picks a free one)")
      ->group(kDistributed);
  app.add_option(
         names("--tee", "-t"), o.tee,
         "With --log_dir, also show output on the console: 0 no, 1 stdout, 2 stderr, 3 both")
      ->check(CLI::IsMember({"0", "1", "2", "3"}))
      ->group(kDistributed);
  app.add_option(names("--log_dir"), o.log_dir,
                 "Write each worker's output to "
                 "<log_dir>/<run_id>/attempt_<k>/<local_rank>/{stdout,stderr}.log")
      ->group(kDistributed);
  app.add_option(names("--role"), o.role, "Role name of the workers (ROLE_NAME)")
      ->group(kDistributed);
  app.add_option(names("--rdzv_backend"), o.rdzv_backend,
                 "Rendezvous backend (accepted; accel always uses its own rendezvous)")
      ->group(kDistributed);
  app.add_option(names("--rdzv_conf"), o.rdzv_conf,
                 "Rendezvous options key=value,... (accepted; unused)")
      ->group(kDistributed);
  app.add_option(
         names("--max_restarts"), o.max_restarts,
         "Restart the whole group up to N times after a failure (TORCHELASTIC_RESTART_COUNT)")
      ->group(kDistributed);
  app.add_option(names("--monitor_interval"), o.monitor_interval,
                 "Accepted for compatibility: accel notices worker exits at once")
      ->group(kDistributed);
}

void bind_torchrun_and_launcher(CLI::App& app, LaunchRequest& o) {
  config::LaunchFlags& f = o.flags;
  // Text here; finish_launch_flags reads the keywords and the range.
  app.add_option(names("--nproc_per_node"))
      ->description(
          "Processes on this machine (torchrun): a number, or auto (the GPUs, else the CPUs), cpu "
          "(the logical CPUs) or gpu (the GPUs)")
      ->type_name("N|auto|cpu|gpu")
      ->group(kTorchrun);
  app.add_option("--nnodes")
      ->description("Same as --num_machines; torchrun's MIN:MAX form is accepted when MIN = MAX")
      ->type_name("N|N:N")
      ->group(kTorchrun);
  app.add_flag("--standalone", o.standalone,
               "One machine, MASTER_PORT a free port (torchrun's single-node rendezvous)")
      ->group(kTorchrun);
  app.add_option(names("--node_rank"), f.machine_rank, "Same as --machine_rank")->group(kTorchrun);
  app.add_option(names("--master_addr"), f.main_process_ip, "Same as --main_process_ip")
      ->group(kTorchrun);
  app.add_option(names("--master_port"), f.main_process_port, "Same as --main_process_port")
      ->group(kTorchrun);
  app.add_option(
         names("--local_ranks_filter"), o.local_ranks_filter,
         "Show only these local ranks' output on the console, e.g. 0 or 0,3 (log files get all)")
      ->group(kTorchrun);
  app.add_option(names("--rdzv_id") + "," + names("--run_id"), o.run_id,
                 "Job id (also --run_id): TORCHELASTIC_RUN_ID and the log folder name, the same on "
                 "every machine "
                 "(default: SLURM's job.step, else derived from machine 0's address and port on "
                 "several machines, else random)")
      ->group(kTorchrun);
  app.add_option(names("--rdzv_endpoint"), o.rdzv_endpoint,
                 "Machine 0's HOST[:PORT], the same as --main_process_ip and --main_process_port")
      ->type_name("HOST[:PORT]")
      ->group(kTorchrun);
  app.add_option(names("--log_line_prefix_template"), o.log_line_prefix_template,
                 "Prefix of each output line, e.g. '[${rank}]:'; names ${rank}, ${local_rank}, "
                 "${role_name}, ${host} (default: $TORCHELASTIC_LOG_LINE_PREFIX_TEMPLATE, else "
                 "[rankN]:)")
      ->type_name("TEMPLATE")
      ->group(kTorchrun);

  app.add_option(names("--grace_period"), o.grace_period_seconds,
                 "Seconds workers get to exit after SIGTERM/SIGINT before SIGKILL, 0 to 86400 "
                 "(default 30)")
      ->group(kLauncher);
  app.add_flag(names("--no_prefix"), o.no_prefix,
               "Do not prefix worker output lines with [rankN]: (on by default under SLURM and "
               "for several workers on a terminal)")
      ->group(kLauncher);
  app.add_option(names("--ranks_filter"), o.ranks_filter,
                 "Show only these global ranks' output on the console, e.g. 0 or 0,3 (log files "
                 "get all)")
      ->group(kLauncher);

  app.add_option(names("--rdzv_bind"), o.rdzv_bind,
                 "Address of the interface machine 0 serves the rendezvous on (default: all)")
      ->type_name("ADDR")
      ->group(kRendezvous);
  app.add_option(names("--join_timeout"), o.join_timeout_seconds,
                 "Seconds to wait for every machine to join (default 600)")
      ->type_name("SECONDS")
      ->group(kRendezvous);
  app.add_option(names("--heartbeat_interval"), o.heartbeat_interval_seconds,
                 "Seconds between a machine's heartbeats to machine 0 (default 1)")
      ->type_name("SECONDS")
      ->group(kRendezvous);
  app.add_option(names("--heartbeat_timeout"), o.heartbeat_timeout_seconds,
                 "Seconds of silence after which a machine counts as lost and the job stops "
                 "(default 10; more than --heartbeat_interval)")
      ->type_name("SECONDS")
      ->group(kRendezvous);
  app.add_option(names("--rdzv_token"), o.rdzv_token,
                 "Secret every machine of the job shares, to authenticate the rendezvous "
                 "(default: $ACCEL_RDZV_TOKEN)")
      ->type_name("TOKEN")
      ->group(kRendezvous);
  app.add_option("--python", o.python,
                 "Python interpreter for .py scripts and -m (default: $ACCEL_PYTHON, else python3)")
      ->group(kLauncher);
}

// Accepted so command lines written for torchrun or `accelerate launch` run
// unchanged; some have no effect, and those that are given get a notice.
void bind_compatibility(CLI::App& app) {
  app.add_option(names("--redirects", "-r"))
      ->description(
          "torchrun's redirects; with --log_dir accel writes every stream to the log files, and "
          "--tee picks what also reaches the console")
      ->type_name("TEXT")
      ->group(kTorchrun);
  app.add_option(names("--start_method"))
      ->description("Accepted for torchrun compatibility: accel starts every worker with fork+exec")
      ->type_name("TEXT")
      ->check(CLI::IsMember({"spawn", "fork", "forkserver"}))
      ->group(kTorchrun);
  app.add_option(names("--main_training_function"))
      ->description("Accepted: only Accelerate's TPU launcher calls a function by name")
      ->type_name("TEXT")
      ->group(kIgnored);
  app.add_flag(names("--downcast_bf16"))
      ->description("Accepted: only Accelerate's TPU launcher uses it")
      ->group(kIgnored);
  for (const IgnoredFlagInfo& ignored : kIgnoredFlags) {
    CLI::Option* option = ignored.takes_value ? app.add_option(names(ignored.name))
                                              : app.add_flag(names(ignored.name));
    option->description(std::string("Ignored: ") + ignored.reason)->group(kIgnored);
    if (ignored.takes_value) option->type_name("TEXT");
  }
}

// The text CLI11 kept for an unbound option, when it was given.
std::optional<std::string> given_text(const CLI::App& app, const std::string& name) {
  const CLI::Option* option = app.get_option_no_throw(name);
  if (option == nullptr || option->count() == 0) return std::nullopt;
  return option->results().empty() ? std::string() : option->results().back();
}

std::optional<int> whole_number(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

void finish_torchrun_flags(const CLI::App& app, LaunchRequest& request) {
  if (const auto text = given_text(app, "--nproc_per_node")) {
    if (const auto count = whole_number(*text)) {
      request.flags.nproc_per_node = *count;
      request.nproc_per_node_keyword.reset();
    } else if (*text == "auto" || *text == "cpu" || *text == "gpu") {
      request.nproc_per_node_keyword = *text;
      request.flags.nproc_per_node.reset();
    } else {
      throw UserError("--nproc_per_node '" + *text +
                      "' is not a number of processes; give a number, or auto, cpu or gpu");
    }
  }
  if (const auto text = given_text(app, "--nnodes")) {
    const std::size_t colon = text->find(':');
    const auto low = whole_number(std::string_view(*text).substr(0, colon));
    const auto high =
        colon == std::string::npos ? low : whole_number(std::string_view(*text).substr(colon + 1));
    if (!low || !high) {
      throw UserError("--nnodes '" + *text +
                      "' is not a number of machines; give a number such as 2 (or 2:2)");
    }
    if (*low != *high) {
      throw UserError("--nnodes " + *text +
                      ": elastic ranges of machines are not supported; give a fixed number, "
                      "e.g. --nnodes " +
                      std::to_string(*high) + " (or " + std::to_string(*high) + ":" +
                      std::to_string(*high) + ")");
    }
    request.flags.num_machines = *low;
  }
  if (const auto text = given_text(app, "--redirects"); text && *text != "0") {
    request.ignored.push_back(
        {"--redirects",
         "with --log_dir accel writes every stream to the log files; --tee picks "
         "what also reaches the console"});
  }
}

// One flag per row of the paradigm settings table; values are converted in
// finish_launch_options so the types match Accelerate's argparse exactly.
void bind_settings(CLI::App& app) {
  for (const config::SettingInfo& info : config::launch_settings()) {
    const std::string flag = names(std::string("--") + info.name);
    std::string help = info.help;
    if (info.default_text != nullptr && info.type != config::SettingType::kSwitch) {
      help += " (default: " + std::string(info.default_text) + ")";
    }
    // Unbound: CLI11 would take a string argument for a variable to fill.
    CLI::Option* option =
        info.type == config::SettingType::kSwitch ? app.add_flag(flag) : app.add_option(flag);
    option->description(help);
    if (info.type == config::SettingType::kInt) option->type_name("INT");
    if (info.type == config::SettingType::kFloat) option->type_name("FLOAT");
    if (info.type != config::SettingType::kSwitch && info.type != config::SettingType::kInt &&
        info.type != config::SettingType::kFloat) {
      option->type_name("TEXT");
    }
    if (info.choices != nullptr) {
      std::vector<std::string> choices;
      for (std::string_view rest = info.choices; !rest.empty();) {
        const size_t bar = rest.find('|');
        choices.emplace_back(rest.substr(0, bar));
        rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
      }
      option->check(CLI::IsMember(choices));
    }
    option->group(info.group);
  }
}

// CLI11 takes an empty value for a number as no value at all, so
// `--machine_rank "$SLURM_NODEID"` with the variable unset would quietly
// become machine 0. An empty number is refused instead.
void refuse_empty_numbers(CLI::App& app) {
  const CLI::Validator given(
      [](const std::string& text) {
        return text.empty() ? std::string(
                                  "the value is empty (a job script quoting an unset variable?); "
                                  "give a number")
                            : std::string();
      },
      "", "not empty");
  for (const char* name : {"--num_processes", "--num_machines", "--num_cpu_threads_per_process",
                           "--machine_rank", "--main_process_port", "--max_restarts",
                           "--monitor_interval", "--node_rank", "--master_port", "--grace_period",
                           "--join_timeout", "--heartbeat_interval", "--heartbeat_timeout"}) {
    app.get_option(name)->check(given);
  }
}

}  // namespace

void bind_launch_flags(CLI::App& launch, LaunchRequest& request) {
  bind_general(launch, request);
  bind_paradigms_and_distributed(launch, request);
  bind_settings(launch);
  bind_torchrun_and_launcher(launch, request);
  bind_compatibility(launch);
  refuse_empty_numbers(launch);
}

void finish_launch_flags(const CLI::App& launch, LaunchRequest& options) {
  finish_torchrun_flags(launch, options);
  for (const IgnoredFlagInfo& ignored : kIgnoredFlags) {
    if (given_text(launch, ignored.name)) options.ignored.push_back({ignored.name, ignored.reason});
  }
  for (const config::SettingInfo& info : config::launch_settings()) {
    const CLI::Option* option = launch.get_option_no_throw(std::string("--") + info.name);
    if (option == nullptr || option->count() == 0) continue;
    const std::string text = option->results().empty() ? "" : option->results().back();
    const auto value = config::setting_from_flag(info, text);
    if (!value) {
      const char* expected = info.type == config::SettingType::kInt     ? "an integer"
                             : info.type == config::SettingType::kFloat ? "a number"
                                                                        : "true or false";
      throw UserError("--" + std::string(info.name) + ": '" + text + "' is not " + expected);
    }
    options.flags.settings.insert_or_assign(info.name, *value);
  }
  options.command = launch.remaining();
  if (options.command.empty()) {
    throw UserError(
        "accel launch needs a script to run: accel launch [options] script.py [script args...]");
  }
  if (options.command[0].size() > 1 && options.command[0][0] == '-') {
    throw UserError("unknown option " + options.command[0] +
                    " for accel launch (options go before the script); see 'accel launch --help'");
  }
}

void configure_launch_parsing(CLI::App& launch) {
  launch.prefix_command();  // the script and everything after it are not ours
  // argparse semantics: a flag given twice keeps its last value.
  launch.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

launch::LaunchRequest parse_launch_arguments(const std::vector<std::string>& args) {
  CLI::App app{"accel"};
  CLI::App* subcommand = app.add_subcommand("launch");
  configure_launch_parsing(*subcommand);
  LaunchRequest request;
  bind_launch_flags(*subcommand, request);
  std::vector<std::string> reversed{args.rbegin(), args.rend()};  // CLI11 takes them last first
  reversed.emplace_back("launch");
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    // CLI11's own text for it is addressed to programmers.
    throw UserError("--help asks for help, it is not a launch flag; see 'accel launch --help'");
  } catch (const CLI::CallForAllHelp&) {
    throw UserError("--help-all asks for help, it is not a launch flag; see 'accel launch --help'");
  } catch (const CLI::ParseError& error) {
    throw UserError(error.what());
  }
  finish_launch_flags(*subcommand, request);
  return request;
}

}  // namespace accel::cli
