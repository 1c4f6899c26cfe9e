// Launcher benchmark (tests/bench; prints a table, asserts nothing).
//
//   supervisor_bench [--runs N] [--accel PATH] [--mb-per-worker M]
//   (cmake --build <build> --target bench_launcher runs it on the real accel)
//
// Start-up: 8 x /bin/true and 8 x a no-op Python script, run bare (8
// posix_spawn + wait, the floor), through run_job in this process, through
// `accel launch` (with --accel) and through `mpirun -np 8`; median/min/max
// wall time over N runs. Peak RSS of `accel launch` (wait4's ru_maxrss over
// the launcher and its /bin/true workers). Output throughput: 8 workers
// writing M blocks of 10485 100-byte lines each (~1 MB a block), the
// launcher's stdout a file.
// `--emit M` is the internal worker mode of that last test.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "supervisor/supervisor.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kWorkers = 8;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Starts argv with stdout/stderr redirected to `out_fd` (or inherited when
// -1); returns the pid.
pid_t start(const std::vector<std::string>& argv, int out_fd) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (out_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
  }
  pid_t pid = -1;
  if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) {
    std::perror(args[0]);
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int wait_for(pid_t pid, rusage* usage = nullptr) {
  int status = 0;
  while (::wait4(pid, &status, 0, usage) < 0 && errno == EINTR) {
  }
  return status;
}

struct Stats {
  double median, min, max;
};

struct Candidate {
  std::string name;
  std::function<void()> once;
  int runs;
  std::vector<double> times;
};

// Runs the candidates round-robin, so a change of load on a shared machine
// hits them all alike; one warm-up run each fills the page cache.
void measure(std::vector<Candidate>& candidates) {
  int most = 0;
  for (Candidate& c : candidates) {
    c.once();
    most = std::max(most, c.runs);
  }
  for (int i = 0; i < most; ++i) {
    for (Candidate& c : candidates) {
      if (i >= c.runs) continue;
      auto t0 = Clock::now();
      c.once();
      c.times.push_back(ms_since(t0));
    }
  }
}

Stats stats_of(std::vector<double> times) {
  if (times.empty()) return {0, 0, 0};
  std::sort(times.begin(), times.end());
  return {times[times.size() / 2], times.front(), times.back()};
}

int null_fd() {
  static int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  return fd;
}

void row(const std::string& what, const Stats& s) {
  std::printf("| %-58s | %8.2f | %8.2f | %8.2f |\n", what.c_str(), s.median, s.min, s.max);
}

accel::supervisor::JobSpec job_of(const std::vector<std::string>& argv, int out_fd) {
  accel::supervisor::JobSpec spec;
  spec.argv = argv;
  for (char** e = environ; *e != nullptr; ++e) spec.env.emplace_back(*e);
  spec.nproc_per_node = kWorkers;
  spec.run_id = "bench";
  spec.output.console_stdout_fd = out_fd;
  spec.output.console_stderr_fd = out_fd;
  return spec;
}

// A worker's output: `blocks` blocks of kLinesPerBlock 100-byte lines.
constexpr long kLinesPerBlock = 10485;  // just under 1 MiB per block

int emit(long blocks) {
  std::string block;
  for (long i = 0; i < kLinesPerBlock; ++i) block += std::string(99, 'x') + "\n";
  for (long i = 0; i < blocks; ++i) {
    std::size_t done = 0;
    while (done < block.size()) {
      ssize_t n = ::write(1, block.data() + done, block.size() - done);
      if (n <= 0) return 1;
      done += static_cast<std::size_t>(n);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 20;
  long mib_per_worker = 256;
  std::string accel;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--emit" && i + 1 < argc) return emit(std::atol(argv[++i]));
    if (arg == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
    if (arg == "--accel" && i + 1 < argc) accel = argv[++i];
    if (arg == "--mb-per-worker" && i + 1 < argc) mib_per_worker = std::atol(argv[++i]);
  }
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  spdlog::set_level(spdlog::level::warn);

  auto dir = std::filesystem::temp_directory_path() / ("accel-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string noop = (dir / "noop.py").string();
  std::ofstream(noop) << "pass\n";

  std::printf("launcher start-up, %d workers, %d runs (ms)\n\n", kWorkers, runs);
  std::printf("| %-58s | %8s | %8s | %8s |\n", "command", "median", "min", "max");
  std::printf("|%s|----------|----------|----------|\n", std::string(60, '-').c_str());
  struct Workload {
    std::string name;
    std::vector<std::string> argv;
  };
  std::vector<Workload> workloads = {{"/bin/true", {"/bin/true"}},
                                     {"python3 noop.py", {"/usr/bin/python3", noop}}};
  std::vector<Candidate> candidates;
  for (const Workload& w : workloads) {
    candidates.push_back({"bare: 8 x " + w.name + " (spawn all, wait all)",
                          [&] {
                            std::vector<pid_t> pids;
                            for (int i = 0; i < kWorkers; ++i)
                              pids.push_back(start(w.argv, null_fd()));
                            for (pid_t pid : pids) wait_for(pid);
                          },
                          runs,
                          {}});
    candidates.push_back({"run_job (in process): 8 x " + w.name,
                          [&] { accel::supervisor::run_job(job_of(w.argv, null_fd())); },
                          runs,
                          {}});
    if (!accel.empty()) {
      std::vector<std::string> cmd = {accel, "launch", "-q", "--no_python", "--num_processes", "8"};
      cmd.insert(cmd.end(), w.argv.begin(), w.argv.end());
      candidates.push_back({"accel launch -q --no_python --num_processes 8 " + w.name,
                            [&, cmd] { wait_for(start(cmd, null_fd())); },
                            runs,
                            {}});
    }
    std::vector<std::string> mpi = {"mpirun", "--oversubscribe", "-np", "8"};
    mpi.insert(mpi.end(), w.argv.begin(), w.argv.end());
    candidates.push_back({"mpirun --oversubscribe -np 8 " + w.name,
                          [&, mpi] { wait_for(start(mpi, null_fd())); },
                          std::min(runs, 10),
                          {}});
  }
  measure(candidates);
  for (const Candidate& c : candidates) row(c.name, stats_of(c.times));

  if (!accel.empty()) {
    rusage usage{};
    wait_for(start({accel, "launch", "-q", "--no_python", "--num_processes", "8", "/bin/true"},
                   null_fd()),
             &usage);
    std::printf("\npeak RSS of accel launch (8 x /bin/true): %.1f MB\n",
                static_cast<double>(usage.ru_maxrss) / 1024.0);
  }

  std::printf("\noutput throughput: %d workers x %ld MB of 100-byte lines, console = a file\n\n",
              kWorkers, mib_per_worker);
  std::string self = std::filesystem::canonical("/proc/self/exe").string();
  std::vector<std::string> writer = {self, "--emit", std::to_string(mib_per_worker)};
  auto out_path = dir / "out.txt";
  const long lines = kWorkers * mib_per_worker * kLinesPerBlock;
  const double total_mb = static_cast<double>(lines) * 100 / 1e6;
  auto throughput = [&](const std::string& what, std::size_t prefix_length,
                        const std::function<void(int)>& run) {
    int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    auto t0 = Clock::now();
    run(fd);
    double seconds = ms_since(t0) / 1000.0;
    ::close(fd);
    auto bytes = std::filesystem::file_size(out_path);
    auto expected = static_cast<std::uintmax_t>(lines) * (100 + prefix_length);
    std::printf("| %-50s | %6.0f MB/s | %6.2f s | %s |\n", what.c_str(), total_mb / seconds,
                seconds, bytes == expected ? "every byte" : "BYTES LOST");
  };
  throughput("bare: workers write the file directly", 0, [&](int fd) {
    std::vector<pid_t> pids;
    for (int i = 0; i < kWorkers; ++i) pids.push_back(start(writer, fd));
    for (pid_t pid : pids) wait_for(pid);
  });
  throughput("run_job (in process)", 0,
             [&](int fd) { accel::supervisor::run_job(job_of(writer, fd)); });
  throughput("run_job (in process), [rankN]: prefixes", 8, [&](int fd) {
    auto spec = job_of(writer, fd);
    spec.output.prefix_lines = true;
    accel::supervisor::run_job(spec);
  });
  if (!accel.empty()) {
    std::vector<std::string> cmd = {accel, "launch", "-q", "--no_python", "--num_processes", "8"};
    cmd.insert(cmd.end(), writer.begin(), writer.end());
    throughput("accel launch", 0, [&](int fd) { wait_for(start(cmd, fd)); });
  }
  std::filesystem::remove_all(dir);
  return 0;
}
