// Rendezvous at scale (tests/bench; prints a table, asserts nothing).
//
//   rendezvous_bench [--clients 1024,4096,16384] [--mode auto|full|join|store]
//                    [--window 1024] [--client-processes 2] [--runs 3] [--timeout 120]
//
// N simulated machines against one rendezvous::Server in its own process
// (this program exec'd with --serve, so its memory is its own: peak RSS is
// its VmHWM, and RSS per connection is (VmHWM - VmRSS before any client) /
// connections). The machines (rendezvous_swarm.hpp: each joins as a member,
// answers the reach-check, gets go, then passes a store barrier on its
// member connection) live in --client-processes processes, forked, each
// running its share on one io_context: two let the clients use both cores
// of a 2-core machine while the server waits for them.
// The time runs from the first connect to the last machine through the
// barrier ("time to all go" is the member part alone); each row is the
// fastest of --runs runs, with that run's memory and CPU seconds (CPU is
// steadier than wall time on a shared machine).
//
// Modes: full (the above), join (members only, done at go), store (store
// clients only: what torch's TCPStore benchmark measures). auto = full, then
// store for the rows to compare with torch's. The server holds one
// descriptor per machine (plus the probes of the reach-check window), each
// client process one per machine of its share: every process raises its soft
// RLIMIT_NOFILE to the hard limit (raising that needs CAP_SYS_RESOURCE), and
// a row that would not fit is skipped, saying so.
//
// --window bounds the connections being set up at once (connect until
// welcome; probe connects): a burst of thousands of SYNs at one listener
// overflows its accept queue (somaxconn) and each dropped SYN costs a 1 s
// retransmit. "listen overflows" counts the kernel's drops during the run
// (TcpExtListenOverflows, for the whole network namespace). 0 = no window.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/system_error.hpp"
#include "base/unique_fd.hpp"
#include "rendezvous/server.hpp"
#include "rendezvous/token.hpp"
#include "rendezvous_swarm.hpp"

namespace {

namespace rdzv = accel::rendezvous;
using accel::bench::Clock;
using accel::bench::kJobId;
using accel::bench::kLoopback;
using accel::bench::Mode;
using accel::bench::Swarm;
using accel::bench::SwarmPlan;
using accel::bench::SwarmResult;

// Listeners, the epoll descriptor, stdio, the pipe: what a process holds
// besides its connections.
constexpr std::size_t kSpareDescriptors = 64;

const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::kFull: return "join + store barrier";
    case Mode::kJoin: return "join only (to go)";
    case Mode::kStore: return "store barrier only";
  }
  return "";
}

// --- the process's limits and the kernel's counters ---------------------------

// Raises the soft descriptor limit to the hard one; returns it.
std::size_t raise_fd_limit() {
  rlimit limit{};
  ACCEL_CHECK_SYSCALL(::getrlimit(RLIMIT_NOFILE, &limit), "getrlimit RLIMIT_NOFILE");
  limit.rlim_cur = limit.rlim_max;
  ACCEL_CHECK_SYSCALL(::setrlimit(RLIMIT_NOFILE, &limit), "setrlimit RLIMIT_NOFILE");
  return limit.rlim_max;
}

// Descriptors the server holds at its peak: a connection per machine, and
// the reach-check's probe connections, at most `window` at once. A client
// process holds its share of both, so it needs no more than this.
std::size_t descriptors_needed(Mode mode, std::size_t machines, std::size_t window) {
  const std::size_t probes = window == 0 ? machines : std::min(window, machines);
  switch (mode) {
    case Mode::kFull:
    case Mode::kJoin: return machines + probes + kSpareDescriptors;
    case Mode::kStore: return machines + kSpareDescriptors;
  }
  return 0;
}

// A "VmRSS:" / "VmHWM:" line of /proc/<pid>/status, in KiB; -1 when absent.
long status_kib(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

// User + system CPU seconds of `pid` so far (/proc/<pid>/stat, fields 14 and 15).
double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  // The command name may hold spaces: the fields after it start past its ')'.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int number = 3; fields >> field && number <= 15; ++number) {
    if (number >= 14) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double own_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// TcpExt ListenOverflows from /proc/net/netstat (a names line, then a values line).
long listen_overflows() {
  std::ifstream netstat("/proc/net/netstat");
  std::string names, values;
  while (std::getline(netstat, names) && std::getline(netstat, values)) {
    if (names.rfind("TcpExt:", 0) != 0) continue;
    std::istringstream name_words(names), value_words(values);
    std::string name, value;
    while (name_words >> name && value_words >> value) {
      if (name == "ListenOverflows") return std::atol(value.c_str());
    }
  }
  return 0;
}

// --- the server, in a child process -------------------------------------------

// The server runs in a fresh image of this program (`--serve`, exec'd), not
// in a plain fork: a fork would inherit this process's heap, resident pages
// and free lists from earlier rows, and the server would reuse them without
// its RSS growing, hiding what its connections cost.
constexpr const char* kServeFlag = "--serve";
constexpr const char* kTokenVariable = "RENDEZVOUS_BENCH_TOKEN";
constexpr int kPortFd = 3;  // where the server writes its port

class ServerProcess {
 public:
  ServerProcess(int member_count, const std::string& token) {
    accel::base::Pipe pipe = accel::base::make_pipe();
    const std::string count = std::to_string(member_count);
    pid_ = ACCEL_CHECK_SYSCALL(::fork(), "fork (the rendezvous server)");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::setenv(kTokenVariable, token.c_str(), 1);
      // dup2 clears close-on-exec on the copy.
      if (::dup2(pipe.write_end.get(), kPortFd) < 0) ::_exit(127);
      const char* args[] = {"rendezvous_bench", kServeFlag, count.c_str(), nullptr};
      ::execv("/proc/self/exe", const_cast<char* const*>(args));
      ::_exit(127);
    }
    pipe.write_end.reset();
    const ssize_t got = accel::base::retry_on_eintr(
        [&] { return ::read(pipe.read_end.get(), &port_, sizeof port_); });
    if (got != sizeof port_ || port_ == 0) {
      stop();
      throw std::runtime_error("the rendezvous server process did not start (see above)");
    }
  }
  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // The `--serve N` mode: serves until killed, after writing its port to kPortFd.
  static int serve(int member_count) {
    uint16_t port = 0;
    try {
      // Inherited across fork and exec from the bench, which raised it; a
      // server started some other way raises its own.
      raise_fd_limit();
      const char* token = std::getenv(kTokenVariable);
      boost::asio::io_context io(1);
      rdzv::ServerOptions options;
      options.bind_address = kLoopback;
      options.token = token == nullptr ? "" : token;
      options.job_id = kJobId;
      options.member_count = member_count;
      options.master_addr = kLoopback;
      rdzv::Server server(io, options);
      server.start();
      port = server.port();
      ACCEL_CHECK_SYSCALL(::write(kPortFd, &port, sizeof port), "write the port to the bench");
      ::close(kPortFd);
      io.run();
    } catch (const std::exception& error) {
      std::fprintf(stderr, "rendezvous server: %s\n", error.what());
      if (port == 0) (void)!::write(kPortFd, &port, sizeof port);
    }
    return 1;
  }

  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    accel::base::retry_on_eintr([&] { return ::waitpid(pid_, &status, 0); });
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// --- one row of the table -----------------------------------------------------------

std::string seconds_cell(const std::optional<double>& seconds) {
  if (!seconds) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.3f s", *seconds);
  return text;
}

std::string mib_cell(long kib) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(kib) / 1024.0);
  return text;
}

// --- swarms in client processes ---------------------------------------------------

// A swarm in a child process; it reports one line on a pipe when done, then
// waits to be killed: its connections stay open until the server is gone, so
// an early swarm's disconnects never reach the server while others run.
class ClientProcess {
 public:
  explicit ClientProcess(const SwarmPlan& plan) {
    accel::base::Pipe pipe = accel::base::make_pipe();
    pid_ = ACCEL_CHECK_SYSCALL(::fork(), "fork (a client process)");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      pipe.read_end.reset();
      // Never returns, so the parent's destructors (which would stop its
      // server) never run here.
      run_and_report(plan, pipe.write_end.get());
    }
    report_fd_ = std::move(pipe.read_end);
  }
  ~ClientProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    accel::base::retry_on_eintr([&] { return ::waitpid(pid_, &status, 0); });
  }
  ClientProcess(const ClientProcess&) = delete;
  ClientProcess& operator=(const ClientProcess&) = delete;

  struct Report {
    SwarmResult result;
    double cpu_seconds = 0;
  };

  // Blocks until the swarm is done.
  Report wait() {
    std::string text;
    char bytes[4096];
    for (;;) {
      const ssize_t got = accel::base::retry_on_eintr(
          [&] { return ::read(report_fd_.get(), bytes, sizeof bytes); });
      if (got <= 0) break;
      text.append(bytes, static_cast<std::size_t>(got));
      if (text.back() == '\n') break;
    }
    Report report;
    std::istringstream fields(text);
    long long started = 0;
    long long all_go = -1;
    long long all_passed = -1;
    if (!(fields >> started >> all_go >> all_passed >> report.result.passed >>
          report.cpu_seconds)) {
      report.result.error = "a client process died without a report";
      return report;
    }
    const auto at = [](long long ns) { return Clock::time_point(std::chrono::nanoseconds(ns)); };
    report.result.started = at(started);
    if (all_go >= 0) report.result.all_go = at(all_go);
    if (all_passed >= 0) report.result.all_passed = at(all_passed);
    std::string error;
    std::getline(fields >> std::ws, error);
    if (!error.empty()) report.result.error = error;
    return report;
  }

 private:
  // Runs the swarm, reports, and keeps its connections open until killed.
  [[noreturn]] static void run_and_report(const SwarmPlan& plan, int fd) {
    std::optional<boost::asio::io_context> io;
    std::optional<Swarm> swarm;
    SwarmResult result;
    double cpu = 0;
    try {
      const std::size_t limit = raise_fd_limit();
      const std::size_t needed =
          descriptors_needed(plan.mode, static_cast<std::size_t>(plan.count), plan.window);
      if (needed > limit) {
        throw std::runtime_error("a client process needs about " + std::to_string(needed) +
                                 " descriptors, RLIMIT_NOFILE allows " + std::to_string(limit));
      }
      io.emplace(1);
      swarm.emplace(*io, plan);
      const double cpu_before = own_cpu_seconds();
      result = swarm->run();
      cpu = own_cpu_seconds() - cpu_before;
    } catch (const std::exception& error) {
      result.error = error.what();
    }
    const auto ns = [](const std::optional<Clock::time_point>& t) -> long long {
      if (!t) return -1;
      return std::chrono::duration_cast<std::chrono::nanoseconds>(t->time_since_epoch()).count();
    };
    std::ostringstream line;
    line << ns(result.started) << ' ' << ns(result.all_go) << ' ' << ns(result.all_passed) << ' '
         << result.passed << ' ' << cpu << ' ' << result.error.value_or("") << '\n';
    const std::string text = line.str();
    (void)!::write(fd, text.data(), text.size());
    for (;;) ::pause();
  }

  pid_t pid_ = -1;
  accel::base::UniqueFd report_fd_;
};

struct Measurement {
  std::optional<std::string> error;
  int passed = 0;
  std::optional<double> all_go_s;      // from the first connect of any swarm to the last go
  std::optional<double> all_passed_s;  // ... to the last machine through
  long rss_before_kib = 0;
  long peak_kib = 0;
  double server_cpu = 0;
  double clients_cpu = 0;
  long overflows = 0;

  double seconds() const { return all_passed_s.value_or(std::numeric_limits<double>::infinity()); }
};

struct RowPlan {
  int machines = 0;
  Mode mode = Mode::kFull;
  std::size_t window = 0;  // for all client processes together
  int processes = 1;
  std::chrono::seconds timeout{120};
};

Measurement measure(const RowPlan& row) {
  Measurement m;
  const std::string token = rdzv::generate_token();
  ServerProcess server(row.machines, token);
  m.rss_before_kib = status_kib(server.pid(), "VmRSS");
  const long overflows_before = listen_overflows();
  const double server_cpu_before = cpu_seconds(server.pid());
  std::vector<std::unique_ptr<ClientProcess>> clients;
  for (int p = 0; p < row.processes; ++p) {
    SwarmPlan plan;
    plan.mode = row.mode;
    plan.machines = row.machines;
    plan.first_machine = row.machines * p / row.processes;
    plan.count = row.machines * (p + 1) / row.processes - plan.first_machine;
    plan.window = row.window == 0 ? 0 : std::max<std::size_t>(1, row.window / row.processes);
    plan.port = server.port();
    plan.token = token;
    plan.timeout = row.timeout;
    clients.push_back(std::make_unique<ClientProcess>(plan));
  }
  std::optional<Clock::time_point> first_start;
  std::optional<Clock::time_point> last_go;
  std::optional<Clock::time_point> last_passed;
  bool all_went = true;
  bool all_passed = true;
  for (auto& client : clients) {
    const ClientProcess::Report report = client->wait();
    const SwarmResult& r = report.result;
    m.clients_cpu += report.cpu_seconds;
    m.passed += r.passed;
    if (r.error && !m.error) m.error = r.error;
    first_start = first_start ? std::min(*first_start, r.started) : r.started;
    all_went = all_went && r.all_go.has_value();
    all_passed = all_passed && r.all_passed.has_value();
    if (r.all_go) last_go = last_go ? std::max(*last_go, *r.all_go) : *r.all_go;
    if (r.all_passed)
      last_passed = last_passed ? std::max(*last_passed, *r.all_passed) : *r.all_passed;
  }
  m.server_cpu = cpu_seconds(server.pid()) - server_cpu_before;
  m.peak_kib = status_kib(server.pid(), "VmHWM");
  // Before the clients close: the server would otherwise work through
  // thousands of disconnects.
  server.stop();
  clients.clear();
  m.overflows = listen_overflows() - overflows_before;
  const auto seconds = [&](Clock::time_point t) {
    return std::chrono::duration<double>(t - *first_start).count();
  };
  if (all_went && last_go) m.all_go_s = seconds(*last_go);
  if (all_passed && last_passed) m.all_passed_s = seconds(*last_passed);
  return m;
}

// The fastest of `runs` (the machine is shared: the best run is the one
// least disturbed); a failed run is reported at once.
void run_row(const RowPlan& row, int runs) {
  const int machines = row.machines;
  const Mode mode = row.mode;
  std::optional<Measurement> best;
  for (int run = 0; run < runs; ++run) {
    Measurement m = measure(row);
    const bool failed = m.error.has_value();
    if (!best || failed || m.seconds() < best->seconds()) best = std::move(m);
    if (failed) break;
  }
  const Measurement& m = *best;
  const int connections = machines;
  const double per_connection_bytes =
      static_cast<double>(m.peak_kib - m.rss_before_kib) * 1024.0 / connections;
  std::printf("| %d | %s | %s | %s | %s | %.0f B | %.2f s | %.2f s | %ld |", machines,
              mode_name(mode), seconds_cell(m.all_go_s).c_str(),
              seconds_cell(m.all_passed_s).c_str(), mib_cell(m.peak_kib).c_str(),
              per_connection_bytes, m.server_cpu, m.clients_cpu, m.overflows);
  if (m.error) {
    std::printf(" failed after %d of %d: %s", m.passed, machines, m.error->c_str());
  }
  std::printf("\n");
  std::fflush(stdout);
}

std::vector<int> parse_counts(const std::string& list) {
  std::vector<int> counts;
  std::stringstream words(list);
  std::string word;
  while (std::getline(words, word, ',')) counts.push_back(std::atoi(word.c_str()));
  return counts;
}

int usage() {
  std::fprintf(stderr,
               "usage: rendezvous_bench [--clients 1024,4096,16384] "
               "[--mode auto|full|join|store] [--window N (0 = none)] [--client-processes 2] "
               "[--runs 3] "
               "[--timeout SECONDS]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == kServeFlag) {
    return ServerProcess::serve(std::atoi(argv[2]));
  }
  std::vector<int> counts{1024, 4096, 16384};
  std::string mode_text = "auto";
  std::size_t window = 1024;
  std::chrono::seconds timeout{120};
  int runs = 3;
  int processes = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    if (arg == "--clients") {
      counts = parse_counts(argv[++i]);
    } else if (arg == "--mode") {
      mode_text = argv[++i];
    } else if (arg == "--window") {
      window = static_cast<std::size_t>(std::atol(argv[++i]));
    } else if (arg == "--client-processes") {
      processes = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--runs") {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--timeout") {
      timeout = std::chrono::seconds(std::atol(argv[++i]));
    } else {
      return usage();
    }
  }
  if (mode_text != "auto" && mode_text != "full" && mode_text != "join" && mode_text != "store") {
    return usage();
  }
  try {
    const std::size_t fd_limit = raise_fd_limit();
    std::printf(
        "| clients | run | time to all go | time to barrier | server peak RSS "
        "| RSS per connection | server CPU | clients CPU | listen overflows |\n");
    std::printf("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
    std::fflush(stdout);
    for (const int machines : counts) {
      std::vector<Mode> modes;
      if (mode_text == "full") modes = {Mode::kFull};
      if (mode_text == "join") modes = {Mode::kJoin};
      if (mode_text == "store") modes = {Mode::kStore};
      if (mode_text == "auto") modes = {Mode::kFull, Mode::kStore};
      for (const Mode mode : modes) {
        const std::size_t needed =
            descriptors_needed(mode, static_cast<std::size_t>(machines), window);
        if (needed > fd_limit) {
          std::printf(
              "| %d | %s | skipped: needs about %zu descriptors in the server, "
              "RLIMIT_NOFILE's hard limit is %zu (raising it needs CAP_SYS_RESOURCE) "
              "| | | | | | |\n",
              machines, mode_name(mode), needed, fd_limit);
          continue;
        }
        run_row(RowPlan{machines, mode, window, processes, timeout}, runs);
      }
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "rendezvous_bench: %s\n", error.what());
    return 1;
  }
  return 0;
}
