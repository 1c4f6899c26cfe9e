#include "cli/test_report.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "base/directory.hpp"
#include "base/fd_io.hpp"
#include "base/system_error.hpp"
#include "base/unique_fd.hpp"

namespace accel::cli {

namespace {

constexpr const char* kSuccess = "Test is a success! You are ready for your distributed training!";

std::string report_name(int rank) {
  return "rank" + std::to_string(rank) + ".txt";
}

std::optional<TestOutcome> read_report(const std::filesystem::path& file) {
  std::ifstream in(file);
  TestOutcome outcome;
  std::string word;
  if (!(in >> word >> outcome.rank) || word != "rank") return std::nullopt;
  if (!(in >> word >> outcome.world_size) || word != "world_size") return std::nullopt;
  if (!(in >> word >> outcome.local_rank) || word != "local_rank") return std::nullopt;
  if (!(in >> word >> outcome.local_world_size) || word != "local_world_size") return std::nullopt;
  if (!(in >> word >> outcome.checks) || word != "checks") return std::nullopt;
  std::string line;
  std::getline(in, line);  // the rest of the checks line
  while (std::getline(in, line)) {
    if (line.starts_with("failure ")) outcome.failures.push_back(line.substr(8));
  }
  return outcome;
}

std::string rank_list(const std::set<int>& ranks) {
  std::string text;
  for (int rank : ranks) text += (text.empty() ? "" : ", ") + std::to_string(rank);
  return text;
}

}  // namespace

void write_test_report(const std::filesystem::path& dir, const TestOutcome& outcome) {
  std::ostringstream text;
  text << "rank " << outcome.rank << "\nworld_size " << outcome.world_size << "\nlocal_rank "
       << outcome.local_rank << "\nlocal_world_size " << outcome.local_world_size << "\nchecks "
       << outcome.checks << "\n";
  for (const std::string& failure : outcome.failures) text << "failure " << failure << "\n";

  const std::filesystem::path final_path = dir / report_name(outcome.rank);
  const std::filesystem::path partial = final_path.string() + ".partial";
  {
    base::UniqueFd file(
        ACCEL_CHECK_SYSCALL(::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644),
                            "open (accel test's report)"));
    if (!base::write_all(file.get(), text.str())) {
      throw base::SystemError("write " + partial.string(), errno, ACCEL_HERE);
    }
  }
  ACCEL_CHECK_SYSCALL(::rename(partial.c_str(), final_path.c_str()),
                      "rename (accel test's report)");
}

std::vector<TestOutcome> read_test_reports(const std::filesystem::path& dir) {
  std::vector<TestOutcome> reports;
  base::for_each_entry(dir, [&reports](const std::filesystem::directory_entry& entry) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("rank") && name.ends_with(".txt")) {
      if (auto report = read_report(entry.path())) reports.push_back(std::move(*report));
    }
    return true;
  });
  std::sort(reports.begin(), reports.end(),
            [](const TestOutcome& a, const TestOutcome& b) { return a.rank < b.rank; });
  return reports;
}

int write_test_verdict(std::ostream& out, std::ostream& err,
                       const std::vector<TestOutcome>& reports, int job_exit_code) {
  // The ranks this machine ran (its launcher's reports only): those of the
  // first report's machine, consecutive from RANK - LOCAL_RANK.
  std::set<int> missing_ranks;
  if (!reports.empty()) {
    const TestOutcome& first = reports.front();
    for (int i = 0; i < first.local_world_size; ++i) {
      missing_ranks.insert(first.rank - first.local_rank + i);
    }
  }
  std::set<int> failed_ranks;
  int checks = 0;
  int failures = 0;
  for (const TestOutcome& report : reports) {
    missing_ranks.erase(report.rank);
    checks += report.checks;
    for (const std::string& failure : report.failures) {
      err << "accel test: rank " << report.rank << ": " << failure << "\n";
      failed_ranks.insert(report.rank);
      ++failures;
    }
  }
  if (job_exit_code == 0 && failed_ranks.empty() && missing_ranks.empty() && !reports.empty()) {
    const std::size_t processes = reports.size();
    const int world_size = reports.front().world_size;
    out << "accel test: " << processes << (processes == 1 ? " process" : " processes");
    if (static_cast<int>(processes) != world_size)
      out << " of " << world_size << " on this machine";
    out << " passed every check (" << checks
        << " in all: environment, store, barriers, main_process_first, each collective x type x "
           "op)\n"
        << kSuccess << "\n"
        << std::flush;
    return 0;
  }
  if (reports.empty()) {
    err << "accel test: no worker wrote a report: the job stopped before its checks ran (see the "
           "launcher's messages above)\n";
  } else if (!missing_ranks.empty()) {
    err << "accel test: no report from rank(s) " << rank_list(missing_ranks)
        << ": stopped or crashed before the end (the launcher's summary above says which rank "
           "failed first, and why)\n";
  }
  if (failures > 0) {
    err << "accel test: " << failures << (failures == 1 ? " check" : " checks") << " of " << checks
        << " failed, on rank(s) " << rank_list(failed_ranks) << "\n";
  }
  err << "Test failed.\n" << std::flush;
  return job_exit_code != 0 ? job_exit_code : 1;
}

}  // namespace accel::cli
