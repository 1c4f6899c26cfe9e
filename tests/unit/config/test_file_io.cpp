// Atomic writes: nothing replaced unless asked, the replaced file kept as
// .bak, no temporary files left behind, errors that name the path.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>

#include "config/file_io.hpp"
#include "config_test_support.hpp"

using namespace accel::config;
using accel::config::testing::slurp;
using accel::config::testing::spit;
using accel::config::testing::TempDir;

namespace {

std::size_t entries_in(const std::string& directory) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(directory)) ++count;
  return count;
}

}  // namespace

TEST_CASE("file_io: writes a new file and creates missing directories") {
  TempDir dir;
  const std::string path = dir.file("a/b/config.yaml");
  const WriteResult result = write_file_atomically(path, "x: 1\n", IfExists::kRefuse);
  REQUIRE(result.ok);
  CHECK_FALSE(result.backup);
  CHECK(slurp(path) == "x: 1\n");
  CHECK(entries_in(dir.file("a/b")) == 1);  // no temporary file left
}

TEST_CASE("file_io: refuses to replace an existing file unless asked") {
  TempDir dir;
  const std::string path = dir.file("config.yaml");
  spit(path, "old\n");
  const WriteResult refused = write_file_atomically(path, "new\n", IfExists::kRefuse);
  CHECK_FALSE(refused.ok);
  CHECK(refused.already_exists);
  CHECK(refused.error == path + " already exists");
  CHECK(slurp(path) == "old\n");
  CHECK(entries_in(dir.path()) == 1);
}

TEST_CASE("file_io: replacing keeps the old content as .bak and the file's mode") {
  TempDir dir;
  const std::string path = dir.file("config.yaml");
  spit(path, "old\n");
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  spit(backup_path(path), "older\n");
  const WriteResult result = write_file_atomically(path, "new\n", IfExists::kReplaceKeepBackup);
  REQUIRE(result.ok);
  CHECK(result.backup == path + ".bak");
  CHECK(slurp(path) == "new\n");
  CHECK(slurp(path + ".bak") == "old\n");
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 07777) == 0640);
  CHECK(entries_in(dir.path()) == 2);
}

TEST_CASE("file_io: errors name the path and the system's reason") {
  TempDir dir;
  spit(dir.file("plain"), "");
  const WriteResult under_file =
      write_file_atomically(dir.file("plain/config.yaml"), "x\n", IfExists::kRefuse);
  CHECK_FALSE(under_file.ok);
  CHECK(under_file.error == "cannot use directory " + dir.file("plain") + ": Not a directory");

  const WriteResult onto_directory =
      write_file_atomically(dir.path(), "x\n", IfExists::kReplaceKeepBackup);
  CHECK_FALSE(onto_directory.ok);
  CHECK(onto_directory.error == "cannot write " + dir.path() + ": Is a directory");

  const ReadResult missing = read_file(dir.file("nope"));
  CHECK_FALSE(missing.contents);
  CHECK(missing.error == "cannot read " + dir.file("nope") + ": No such file or directory");
}
