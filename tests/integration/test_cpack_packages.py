"""CPack on the project's build folder (ACCEL_BUILD_DIR, packaging/cpack.cmake)
builds accel-<version>-Linux.deb and accel-<version>-Linux.tar.gz, and each
holds what a user installs: the binary, libaccel (shared and static), the
headers, the package config, accel.pc, the man page and the completions. The
.deb depends on nothing but the C and C++ runtime and is well formed (its
control fields, dpkg-deb --info)."""
import os
import re
import shutil
import tempfile
import unittest

import harness
from harness import run_checked

BUILD_DIR = os.environ.get("ACCEL_BUILD_DIR", "")

# Relative to the install prefix (/usr in the .deb, the top folder in the tarball).
EXPECTED = ["bin/accel", "lib/libaccel.so", "lib/libaccel.a", "include/accel/accel.hpp",
            "lib/cmake/accel/accelConfig.cmake", "lib/cmake/accel/accelConfigVersion.cmake",
            "lib/pkgconfig/accel.pc", "share/man/man1/accel.1",
            "share/bash-completion/completions/accel", "share/zsh/site-functions/_accel",
            "share/fish/vendor_completions.d/accel.fish"]
# Runtime packages a portable build may depend on.
ALLOWED_DEPENDS = {"libc6", "libstdc++6", "libgcc-s1"}


def run(command):
    """The tool's standard output; a failure fails the test."""
    return run_checked(command).stdout


def project_version():
    with open(os.path.join(BUILD_DIR, "CMakeCache.txt")) as f:
        cache = f.read()
    return re.search(r"^CMAKE_PROJECT_VERSION:STATIC=(.*)$", cache, re.M).group(1)


class CPackPackages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not BUILD_DIR:
            raise unittest.SkipTest("ACCEL_BUILD_DIR is not set (run through ctest)")
        work = tempfile.TemporaryDirectory(prefix="accel-test-")
        cls.addClassCleanup(work.cleanup)
        cls.out = work.name
        cls.name = f"accel-{project_version()}-Linux"
        run(["cpack", "--config", os.path.join(BUILD_DIR, "CPackConfig.cmake"),
             "-G", "DEB;TGZ", "-B", cls.out])

    def test_both_packages_are_built(self):
        built = sorted(f for f in os.listdir(self.out) if os.path.isfile(os.path.join(self.out, f)))
        self.assertIn(self.name + ".deb", built)
        self.assertIn(self.name + ".tar.gz", built)

    def test_the_deb_installs_everything_under_usr(self):
        if not shutil.which("dpkg-deb"):
            self.skipTest("dpkg-deb is not installed")
        listing = run(["dpkg-deb", "-c", os.path.join(self.out, self.name + ".deb")])
        paths = {line.split()[5].removeprefix("./") for line in listing.splitlines()}
        for path in EXPECTED:
            self.assertIn("usr/" + path, paths, listing)

    def test_the_deb_depends_only_on_the_c_and_cxx_runtime(self):
        if not shutil.which("dpkg-deb"):
            self.skipTest("dpkg-deb is not installed")
        deb = os.path.join(self.out, self.name + ".deb")
        fields = {name: run(["dpkg-deb", "-f", deb, name]).strip()
                  for name in ["Package", "Version", "Maintainer", "Section", "Description",
                               "Depends", "Architecture"]}
        self.assertEqual(fields["Package"], "accel")
        self.assertEqual(fields["Section"], "devel")
        self.assertTrue(fields["Maintainer"] and fields["Description"], fields)
        depends = {re.match(r"[\w.+-]+", d.strip()).group(0)
                   for d in fields["Depends"].split(",") if d.strip()}
        self.assertTrue(depends, fields)
        self.assertLessEqual(depends, ALLOWED_DEPENDS, fields["Depends"])

    def test_the_tarball_unpacks_to_one_prefix(self):
        listing = run(["tar", "-tzf", os.path.join(self.out, self.name + ".tar.gz")])
        paths = {line.rstrip("/") for line in listing.splitlines()}
        for path in EXPECTED:
            self.assertIn(f"{self.name}/{path}", paths, listing)
        self.assertEqual({p.split("/")[0] for p in paths}, {self.name})


if __name__ == "__main__":
    harness.main()
