#include "launch/coordinated_run.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "base/environment.hpp"
#include "base/network_interface.hpp"
#include "base/system_error.hpp"
#include "launch/rendezvous_records.hpp"
#include "launch/waiting_line.hpp"
#include "launch/worker_network.hpp"
#include "rendezvous/env_names.hpp"
#include "rendezvous/member_client.hpp"
#include "rendezvous/server.hpp"
#include "supervisor/exit_status.hpp"
#include "supervisor/log.hpp"
#include "supervisor/summary.hpp"
#include "supervisor/supervisor.hpp"

namespace accel::launch {

namespace {

using supervisor::log;
using Clock = std::chrono::steady_clock;

// After the job ends, member 0 keeps serving until every other member has
// read its job-end and closed its connection, at most this long: closing at
// once could cut the frames still in flight.
constexpr auto kServerLinger = std::chrono::seconds(2);
constexpr auto kLingerPoll = std::chrono::milliseconds(20);
constexpr const char* kLoopbackInterface = "lo";

// The summary when the job ended for a reason no worker record explains (a
// machine went silent, Ctrl-C on another machine, a reachability failure).
std::string stopped_summary(int exit_code, const std::string& reason) {
  const std::string rule(72, '=');
  return rule + "\naccel: the job was stopped (exit code " + std::to_string(exit_code) +
         "): " + reason + "\n" + rule + "\n";
}

class CoordinatedRun {
 public:
  CoordinatedRun(const LaunchPlan& plan, const RunConsole& console)
      : plan_(plan),
        rdzv_(plan.rendezvous),
        waiting_(console.err, console.err_is_terminal),
        linger_timer_(io_) {}

  RunResult run() {
    if (std::string problem = unresolvable_master_addr(); !problem.empty()) {
      result_.exit_code = 1;
      result_.error = problem;
      return result_;
    }
    serve();
    supervisor_ = std::make_unique<supervisor::Supervisor>(io_, job_spec(), supervisor_events());
    member_ = std::make_unique<rendezvous::MemberClient>(io_, member_options(), member_events());
    member_->start();
    io_.run();
    member_->close();
    if (server_) server_->close();
    supervisor_->close();
    result_.summary = summary();
    return result_;
  }

 private:
  // --- set-up --------------------------------------------------------------------
  // Machine 0 must resolve main_process_ip itself (its workers connect to
  // MASTER_ADDR too); saying so now beats the others waiting out the join
  // timeout. The others retry: a Kubernetes pod's name resolves late.
  std::string unresolvable_master_addr() const {
    if (!rdzv_.serve || rdzv_.member_count == 1) return "";
    const std::string& address = plan_.job.ranks.master_addr;
    if (!numeric_address(address).empty()) return "";
    const std::string& source = plan_.spec.sources.main_process_ip;
    return "main_process_ip '" + address + "'" + (source.empty() ? "" : " (" + source + ")") +
           " does not resolve on this machine, machine 0 of the job: fix the name in DNS or "
           "/etc/hosts, or give --main_process_ip an address the other machines reach";
  }

  void serve() {
    if (!rdzv_.serve) return;
    rendezvous::ServerOptions options;
    options.bind_address = rdzv_.bind_address;
    options.port = static_cast<uint16_t>(rdzv_.port);
    options.token = rdzv_.token;
    options.job_id = rdzv_.job_id;
    options.member_count = rdzv_.member_count;
    options.terms = rendezvous::JobTerms{rdzv_.num_processes, rdzv_.script, rdzv_.max_restarts};
    options.master_addr = plan_.job.ranks.master_addr;
    // One member: MASTER_PORT is the one planned (main_process_port, or a
    // free one); several: machine 0's server picks a free one per round.
    options.master_port =
        rdzv_.member_count == 1 ? static_cast<uint16_t>(plan_.job.ranks.master_port) : 0;
    // One machine reaches itself; holding the port for a check would race
    // another launch on this host probing the same default port (the plan
    // already found it free).
    options.check_reachability = rdzv_.member_count > 1;
    options.join_timeout = rdzv_.join_timeout;
    options.heartbeat_interval = rdzv_.heartbeat_interval;
    options.heartbeat_timeout = rdzv_.heartbeat_timeout;
    server_ = std::make_unique<rendezvous::Server>(io_, options);
    server_->start();
    if (rdzv_.member_count > 1 && rdzv_.token.empty()) {
      log()->warn(
          "the rendezvous on port {} is unauthenticated: any process that reaches it can join "
          "the job; give every machine the same --rdzv_token (or ACCEL_RDZV_TOKEN)",
          server_->port());
    }
  }

  // Where the workers find the store, and who this launcher connects to.
  std::string server_host() const {
    if (!rdzv_.serve) return rdzv_.server_host;
    return rdzv_.bind_address.empty() ? "127.0.0.1" : rdzv_.bind_address;
  }
  uint16_t server_port() const {
    return server_ ? server_->port() : static_cast<uint16_t>(rdzv_.port);
  }

  supervisor::JobSpec job_spec() {
    supervisor::JobSpec job = plan_.job;
    const bool one_member = rdzv_.member_count == 1;
    base::set_entry(job.env, env::kAccelStoreAddr, one_member ? "127.0.0.1" : rdzv_.server_host);
    base::set_entry(job.env, env::kAccelStorePort, std::to_string(server_port()));
    base::set_entry(job.env, env::kAccelJobToken, rdzv_.token);
    if (!one_member && !base::has_entry(job.env, env::kGlooSocketIfname)) {
      if (auto interface = gloo_interface(job.ranks.master_addr)) {
        log()->debug("GLOO_SOCKET_IFNAME={} (the interface toward {})", *interface,
                     job.ranks.master_addr);
        base::set_entry(job.env, env::kGlooSocketIfname, *interface);
        gloo_on_loopback_ = *interface == kLoopbackInterface;
      }
    }
    return job;
  }

  // Machine 0 whose own name for itself is a loopback address (Debian and
  // Ubuntu write "127.0.1.1 <hostname>" into /etc/hosts) would send its
  // workers' gloo to "lo", where no other machine reaches it: once the
  // others have reached this machine, the interface they came in on is the
  // right one.
  std::optional<std::string> gloo_interface_seen_by_others() const {
    if (!server_ || !gloo_on_loopback_) return std::nullopt;
    const std::string address = server_->address_reached_by_others();
    if (address.empty()) return std::nullopt;  // every machine is this host
    std::string interface = base::interface_of_address(address);
    if (interface.empty()) return std::nullopt;
    log()->debug("GLOO_SOCKET_IFNAME={}: the other machines reached this one at {}", interface,
                 address);
    return interface;
  }

  rendezvous::MemberOptions member_options() const {
    rendezvous::MemberOptions options;
    options.server_host = server_host();
    options.server_port = server_port();
    options.token = rdzv_.token;
    options.job_id = rdzv_.job_id;
    options.join.member_index = rdzv_.member_index;
    options.join.member_count = rdzv_.member_count;
    options.join.num_processes = rdzv_.num_processes;
    options.join.local_workers = rdzv_.local_workers;
    options.join.node_rank = plan_.job.ranks.layout.group_rank;
    options.join.max_restarts = rdzv_.max_restarts;
    options.join.script = rdzv_.script;
    options.join.hostname = plan_.job.hostname;
    options.join_timeout = rdzv_.join_timeout;
    options.heartbeat_interval = rdzv_.heartbeat_interval;
    options.heartbeat_timeout = rdzv_.heartbeat_timeout;
    return options;
  }

  supervisor::SupervisorEvents supervisor_events() {
    return {[this](const supervisor::WorkerFailure& failure) {
              failed_here_ = true;
              if (member_alive_) member_->report_failure(to_record(failure));
            },
            [this](int signal) { on_interrupt(signal); },
            [this](const supervisor::AttemptEnd& end) { on_attempt_end(end); }};
  }

  rendezvous::MemberEvents member_events() {
    return {
        [this](const rendezvous::WaitingStatus& status) { waiting_.show(status, Clock::now()); },
        [this](const rendezvous::Assignment& assignment) { on_go(assignment); },
        [this](const std::string& reason, const std::optional<rendezvous::FailureRecord>& root) {
          on_stop(reason, root);
        },
        [this](int exit_code, const std::optional<rendezvous::FailureRecord>& root,
               const std::string& reason) { on_job_end(exit_code, root, reason); },
        [this](const std::string& message) { on_member_error(message); }};
  }

  // --- the rendezvous' events --------------------------------------------------------
  void on_go(const rendezvous::Assignment& assignment) {
    waiting_.clear();
    if (assignment.round > 0) {
      log()->warn("attempt {} failed; restarting all workers{} (restart {} of {})",
                  assignment.round - 1, rdzv_.member_count > 1 ? " on every machine" : "",
                  assignment.round, rdzv_.max_restarts);
    }
    round_ = assignment.round;
    started_ = true;
    failed_here_ = false;
    supervisor::AttemptRanks ranks;
    ranks.layout = plan_.job.ranks.layout;
    ranks.layout.first_rank = assignment.first_rank;
    ranks.layout.world_size = assignment.world_size;
    ranks.master_addr = assignment.master_addr;
    ranks.master_port = assignment.master_port;
    if (std::optional<std::string> interface = gloo_interface_seen_by_others()) {
      ranks.environment.push_back(std::string(env::kGlooSocketIfname) + "=" + *interface);
    }
    log()->debug("round {}: ranks {}-{} of {}, MASTER_ADDR={} MASTER_PORT={}", assignment.round,
                 assignment.first_rank, assignment.first_rank + assignment.local_workers - 1,
                 assignment.world_size, assignment.master_addr, assignment.master_port);
    try {
      supervisor_->start_attempt(assignment.round, ranks);
    } catch (const std::exception& error) {
      // Nothing of this attempt is left running (start_attempt's contract):
      // tell the others, whose workers the rendezvous then stops.
      result_.error = std::string("could not start the workers: ") + error.what();
      member_->report_attempt_end(rendezvous::AttemptOutcome::kFailed);
    }
  }

  void on_stop(const std::string& reason, const std::optional<rendezvous::FailureRecord>& root) {
    if (root) root_causes_[round_] = *root;
    if (supervisor_->attempt_running()) {
      // Where the root cause is, the supervisor said so already.
      if (!failed_here_) log()->warn("stopping the workers: {}", reason);
      supervisor_->stop(reason);
    }
  }

  void on_job_end(int exit_code, const std::optional<rendezvous::FailureRecord>& root,
                  const std::string& reason) {
    member_alive_ = false;
    waiting_.clear();
    if (root) root_causes_[round_] = *root;
    result_.exit_code = exit_code;
    end_reason_ = reason;
    // Before any worker started (a join timeout, an unreachable MASTER_PORT)
    // there is no job to summarise: the reason is this launcher's error.
    if (!started_ && exit_code != 0 && result_.error.empty()) result_.error = reason;
    finish();
  }

  void on_member_error(const std::string& message) {
    member_alive_ = false;
    waiting_.clear();
    if (result_.error.empty()) result_.error = message;
    if (result_.exit_code == 0) result_.exit_code = 1;
    finish();
  }

  // --- the supervisor's events -------------------------------------------------------
  void on_interrupt(int signal) {
    interrupted_by_ = signal;
    if (supervisor_->attempt_running()) return;  // forwarded; the attempt's end reports it
    // Waiting for the other machines, or between rounds: leaving the
    // rendezvous is all there is to do, and tells the others.
    waiting_.clear();
    result_.exit_code = 128 + signal;
    if (result_.error.empty()) {
      result_.error =
          "interrupted by " + supervisor::signal_name(signal) + " before the workers started";
    }
    member_alive_ = false;
    finish();
  }

  void on_attempt_end(const supervisor::AttemptEnd& end) {
    local_ends_.push_back(end);
    if (member_alive_) {
      member_->report_attempt_end(to_wire(end.outcome), end.interrupted_by);
    } else if (result_.exit_code == 0 || end.outcome == supervisor::AttemptOutcome::Failed) {
      // The rendezvous is gone: this machine's own outcome is all we know.
      result_.exit_code = end.exit_code != 0 ? end.exit_code : 1;
    }
    if (finishing_) finish();
  }

  // --- the end ------------------------------------------------------------------------
  // Stops the workers if they still run (the rest waits for their end), then
  // lets member 0's server deliver the last frames, then ends the loop.
  void finish() {
    finishing_ = true;
    if (supervisor_->attempt_running()) {
      supervisor_->stop(result_.error.empty() ? end_reason_ : result_.error);
      return;
    }
    member_->close();
    if (!server_) {
      io_.stop();
      return;
    }
    linger_deadline_ = Clock::now() + kServerLinger;
    linger();
  }

  void linger() {
    if (server_->connection_count() == 0 || Clock::now() >= linger_deadline_) {
      io_.stop();
      return;
    }
    linger_timer_.expires_after(kLingerPoll);
    linger_timer_.async_wait([this](const boost::system::error_code& error) {
      if (!error) linger();
    });
  }

  // The same text on every machine: built from what the rendezvous said,
  // except on a single machine, where this launcher's own account of each
  // attempt (with every worker that failed) is the whole truth.
  std::string summary() const {
    supervisor::JobResult job;
    job.exit_code = result_.exit_code;
    job.interrupted_by = interrupted_by_;
    if (rdzv_.member_count == 1) {
      job.attempts = static_cast<int>(local_ends_.size());
      for (const supervisor::AttemptEnd& end : local_ends_) {
        if (end.outcome == supervisor::AttemptOutcome::Failed) {
          job.failed_attempts.push_back(end.result);
        }
      }
    } else {
      job.attempts = round_ + 1;
      for (const auto& [round, root] : root_causes_) {
        job.failed_attempts.push_back(supervisor::AttemptResult{round, {from_record(root)}});
      }
    }
    const bool explained =
        interrupted_by_ != 0 || job.exit_code == 0 ||
        (!job.failed_attempts.empty() && job.failed_attempts.back().attempt == job.attempts - 1);
    if (!started_) return "";  // the error says it all
    if (!explained && !end_reason_.empty()) return stopped_summary(job.exit_code, end_reason_);
    if (!result_.error.empty() && job.failed_attempts.empty() && interrupted_by_ == 0) return "";
    return supervisor::format_summary(job);
  }

  const LaunchPlan& plan_;
  const RendezvousPlan& rdzv_;
  boost::asio::io_context io_{1};
  WaitingLine waiting_;
  boost::asio::steady_timer linger_timer_;
  Clock::time_point linger_deadline_{};
  std::unique_ptr<rendezvous::Server> server_;
  std::unique_ptr<supervisor::Supervisor> supervisor_;
  std::unique_ptr<rendezvous::MemberClient> member_;
  bool member_alive_ = true;  // until job-end or an error: reports go to the rendezvous
  bool finishing_ = false;
  bool failed_here_ = false;       // a worker of this round failed on this machine
  bool started_ = false;           // a round went (its workers were started)
  bool gloo_on_loopback_ = false;  // job_spec() set GLOO_SOCKET_IFNAME to "lo"
  int round_ = 0;
  int interrupted_by_ = 0;
  std::map<int, rendezvous::FailureRecord> root_causes_;  // by round
  std::vector<supervisor::AttemptEnd> local_ends_;
  std::string end_reason_;
  RunResult result_;
};

}  // namespace

RunResult run_planned_job(const LaunchPlan& plan, const RunConsole& console) {
  CoordinatedRun run(plan, console);
  return run.run();
}

}  // namespace accel::launch
