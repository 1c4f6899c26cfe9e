"""`cmake --install` of the project's build folder (ACCEL_BUILD_DIR) into a
staging prefix, used the way a user would use it, with nothing of the source
tree or the build folder on any path:

- the layout: bin/accel, libaccel.so (with its soname links) and libaccel.a,
  include/accel/, the package config, accel.pc, the man page, completions;
- the public headers include nothing but the standard library and each other;
- the example training job (docs/examples/*.cpp) built against the staged
  tree with find_package(accel) (accel::runtime and accel::runtime_static)
  and with pkg-config, each run through the staged `accel launch` on 2
  processes, ending with bit-identical parameters;
- bin/accel and libaccel.so need only the C and C++ runtime (ldd), and
  libaccel.so exports accel's own symbols only.

It builds the user programs with -j2 and takes about a minute on 2 cores."""
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import harness
from harness import run_checked as run

BUILD_DIR = os.environ.get("ACCEL_BUILD_DIR", "")
SOURCE_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLE_SOURCES = sorted(glob.glob(os.path.join(SOURCE_ROOT, "docs", "examples", "*.cpp")))
IDENTICAL = re.compile(r"parameters bit-identical on 2 processes \(checksum [0-9a-f]{16}\)")
# What a portable binary may load: glibc's parts, the C++ runtime, the loader.
ALLOWED_LIBRARIES = re.compile(
    r"^(linux-vdso|libc|libm|libstdc\+\+|libgcc_s|ld-linux[\w-]*|libpthread|libdl|librt)\.so")

USER_PROJECT = """cmake_minimum_required(VERSION 3.25)
project(train_mlp_user LANGUAGES CXX)
find_package(accel 0.1 REQUIRED COMPONENTS runtime_static)
add_library(train_mlp_objects OBJECT {sources})
target_link_libraries(train_mlp_objects PRIVATE accel::runtime)
add_executable(train_mlp_shared $<TARGET_OBJECTS:train_mlp_objects>)
target_link_libraries(train_mlp_shared PRIVATE accel::runtime)
add_executable(train_mlp_static $<TARGET_OBJECTS:train_mlp_objects>)
target_link_libraries(train_mlp_static PRIVATE accel::runtime_static)
"""


def user_environment():
    """The environment without anything that points into the build."""
    return {k: v for k, v in os.environ.items()
            if k not in ("LD_LIBRARY_PATH", "PKG_CONFIG_PATH", "CMAKE_PREFIX_PATH", "CPATH",
                         "LIBRARY_PATH")}


def libraries_loaded(path):
    r = run(["ldd", path], timeout=60)
    return [os.path.basename(line.split()[0]) for line in r.stdout.splitlines() if line.strip()]


class StagedInstall(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not BUILD_DIR:
            raise unittest.SkipTest("ACCEL_BUILD_DIR is not set (run through ctest)")
        work = tempfile.TemporaryDirectory(prefix="accel-test-")
        cls.addClassCleanup(work.cleanup)
        cls.work = work.name
        cls.prefix = os.path.join(cls.work, "prefix")
        run(["cmake", "--install", BUILD_DIR, "--prefix", cls.prefix])

    def staged(self, *parts):
        return os.path.join(self.prefix, *parts)

    def launch(self, program):
        env = user_environment()
        env["HF_HOME"] = os.path.join(self.work, "hf")  # no default config file
        r = subprocess.run([self.staged("bin", "accel"), "launch", "--cpu", "--num_processes",
                            "2", program, "--epochs", "1"], env=env, cwd=self.work,
                           capture_output=True, text=True, timeout=240)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, IDENTICAL)

    def test_the_layout(self):
        for path in ["bin/accel", "lib/libaccel.a", "lib/libaccel.so", "include/accel/accel.hpp",
                     "lib/cmake/accel/accelConfig.cmake",
                     "lib/cmake/accel/accelConfigVersion.cmake", "lib/pkgconfig/accel.pc",
                     "share/man/man1/accel.1", "share/bash-completion/completions/accel",
                     "share/zsh/site-functions/_accel",
                     "share/fish/vendor_completions.d/accel.fish"]:
            self.assertTrue(os.path.isfile(self.staged(path)), path)
        # The real file, its soname link, and the link the linker uses.
        real = glob.glob(self.staged("lib", "libaccel.so.*.*.*"))
        self.assertEqual(len(real), 1, os.listdir(self.staged("lib")))
        soname = re.search(r"SONAME\)\s+Library soname: \[(.*)\]",
                           run(["readelf", "-d", real[0]]).stdout).group(1)
        self.assertEqual(os.path.realpath(self.staged("lib", soname)), real[0])
        self.assertEqual(os.path.realpath(self.staged("lib", "libaccel.so")), real[0])

    def test_the_public_headers_need_nothing_else(self):
        include = self.staged("include")
        headers = glob.glob(os.path.join(include, "accel", "**", "*.hpp"), recursive=True)
        self.assertIn(os.path.join(include, "accel", "accel.hpp"), headers)
        for header in headers:
            with open(header) as f:
                for line in f:
                    m = re.match(r'\s*#\s*include\s*"([^"]+)"', line)
                    if m:
                        self.assertTrue(os.path.isfile(os.path.join(include, m.group(1))),
                                        f"{header} includes {m.group(1)}, which is not installed")

    def test_accel_and_libaccel_need_only_the_c_and_cxx_runtime(self):
        for path in [self.staged("bin", "accel"), self.staged("lib", "libaccel.so")]:
            for library in libraries_loaded(path):
                self.assertRegex(library, ALLOWED_LIBRARIES, path)

    def test_libaccel_exports_accel_symbols_only(self):
        # Not Boost's, OpenSSL's or the standard library's: a program with its
        # own copies of those must never bind to libaccel's.
        symbols = run(["nm", "-D", "--defined-only", "-C",
                       self.staged("lib", "libaccel.so")]).stdout.splitlines()
        names = [line.split(" ", 2)[2] for line in symbols if line.count(" ") >= 2]
        self.assertTrue(any(n.startswith("accel::Accelerator::") for n in names), names[:20])
        self.assertEqual([n for n in names if "accel::" not in n], [])

    def test_find_package_build_runs_through_the_installed_launcher(self):
        project = os.path.join(self.work, "user_cmake")
        os.makedirs(project)
        with open(os.path.join(project, "CMakeLists.txt"), "w") as f:
            f.write(USER_PROJECT.format(sources=" ".join(EXAMPLE_SOURCES)))
        build = os.path.join(project, "build")
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        run(["cmake", "-S", project, "-B", build, *generator, "-DCMAKE_BUILD_TYPE=Release",
             f"-DCMAKE_PREFIX_PATH={self.prefix}", "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"],
            env=user_environment())
        run(["cmake", "--build", build, "-j2"], env=user_environment())
        for program in ["train_mlp_shared", "train_mlp_static"]:
            with self.subTest(program=program):
                self.launch(os.path.join(build, program))
        # accel::runtime is the shared library, the staged one.
        loaded = run(["ldd", os.path.join(build, "train_mlp_shared")]).stdout
        self.assertRegex(loaded, r"libaccel\.so\S* => " + re.escape(self.staged("lib")))

    def test_pkg_config_build_runs_through_the_installed_launcher(self):
        if not shutil.which("pkg-config"):
            self.skipTest("pkg-config is not installed")
        env = user_environment()
        env["PKG_CONFIG_PATH"] = self.staged("lib", "pkgconfig")
        cflags = run(["pkg-config", "--cflags", "accel"], env=env).stdout.split()
        libs = run(["pkg-config", "--libs", "accel"], env=env).stdout.split()
        self.assertIn("-std=c++20", cflags)
        objects_dir = os.path.join(self.work, "user_pkg_config")
        os.makedirs(objects_dir)

        def compile_one(source):
            target = os.path.join(objects_dir, os.path.basename(source) + ".o")
            run(["g++", "-O2", *cflags, "-c", source, "-o", target], env=env)
            return target

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            objects = list(pool.map(compile_one, EXAMPLE_SOURCES))
        program = os.path.join(objects_dir, "train_mlp")
        run(["g++", *objects, *libs, f"-Wl,-rpath,{self.staged('lib')}", "-o", program],
            env=env)
        self.launch(program)


if __name__ == "__main__":
    harness.main()
