//! Compiles every `tests/c/*.c` file against `include/crmkit.h` and the
//! static library cargo built for this test run, and runs it: as C99, as
//! C++17, and as C99 under valgrind when valgrind is installed. The C++
//! programs in `tests/cpp/*.cpp` (which test the wrapper `include/crmkit.hpp`)
//! are compiled as C++17 and run the same way.
//!
//! Each program must exit with status 0. It receives one argument, the path
//! of `examples/data/sample_company.json`, when that file exists. The C and
//! C++ compilers are `cc` and `c++`, or `$CC` and `$CXX` when set.
#![cfg(feature = "ffi")]

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use std::{env, fs, thread};

/// Warnings are errors in both languages.
const C_FLAGS: &[&str] = &["-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror"];
const CXX_FLAGS: &[&str] = &[
    "-x",
    "c++",
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
];

/// What a Rust static library needs from the system
/// (`rustc --print native-static-libs`).
#[cfg(target_os = "linux")]
const SYSTEM_LIBS: &[&str] = &[
    "-lpthread",
    "-ldl",
    "-lm",
    "-lrt",
    "-lutil",
    "-lgcc_s",
    "-lc",
];
#[cfg(not(target_os = "linux"))]
const SYSTEM_LIBS: &[&str] = &["-lpthread", "-ldl", "-lm"];

const RUN_TIMEOUT: Duration = Duration::from_secs(120);
const VALGRIND_TIMEOUT: Duration = Duration::from_secs(600);

const CPP_FLAGS: &[&str] = &["-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Werror"];

#[derive(Clone, Copy, Debug)]
enum Language {
    /// A `tests/c/*.c` program compiled as C99.
    C,
    /// A `tests/c/*.c` program compiled as C++17 (the header must work in both).
    Cxx,
    /// A `tests/cpp/*.cpp` program (C++17 only).
    Cpp,
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The test programs of `language`: every `tests/c/*.c` or `tests/cpp/*.cpp`,
/// sorted; there must be at least one.
fn sources(language: Language) -> Vec<PathBuf> {
    let (dir, extension) = match language {
        Language::C | Language::Cxx => (manifest_dir().join("tests/c"), "c"),
        Language::Cpp => (manifest_dir().join("tests/cpp"), "cpp"),
    };
    let mut sources: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension() == Some(OsStr::new(extension)) && path.is_file())
        .collect();
    sources.sort();
    assert!(
        !sources.is_empty(),
        "no {language:?} tests found in {}",
        dir.display()
    );
    sources
}

/// The `libcrmkit.a` that `cargo test` built for this run.
///
/// Cargo writes a library with a `staticlib` or `cdylib` crate type without
/// a hash in its name to `target/<profile>/deps/`, and copies it up to
/// `target/<profile>/` only for `cargo build`. So the one in `deps/` is the
/// one built with this test binary; the copy one level up, if any, may be
/// stale.
fn static_library() -> PathBuf {
    let exe = env::current_exe().expect("path of the test binary");
    // target/<profile>/deps/c_abi-<hash> → target/<profile>/deps
    let deps_dir = exe
        .parent()
        .unwrap_or_else(|| panic!("unexpected test binary location {}", exe.display()));
    let lib = deps_dir.join("libcrmkit.a");
    assert!(
        lib.is_file(),
        "the static library {} is missing: `cargo test` should build it because crmkit's \
         crate-type includes \"staticlib\" (check [lib] crate-type in Cargo.toml)",
        lib.display()
    );
    lib
}

/// The sample data file to pass to the programs, if it exists.
fn sample_data() -> Option<PathBuf> {
    let path = manifest_dir().join("examples/data/sample_company.json");
    path.is_file().then_some(path)
}

fn compiler(language: Language) -> OsString {
    let (var, default) = match language {
        Language::C => ("CC", "cc"),
        Language::Cxx | Language::Cpp => ("CXX", "c++"),
    };
    let compiler = env::var_os(var)
        .filter(|value| !value.is_empty())
        .unwrap_or_else(|| default.into());
    let found = Command::new(&compiler)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        found,
        "no working {language:?} compiler `{}` was found; the C ABI tests need one \
         (install gcc/g++ or clang, or set ${var})",
        compiler.to_string_lossy()
    );
    compiler
}

fn on_path(program: &str) -> bool {
    env::var_os("PATH")
        .is_some_and(|paths| env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// A fresh directory for this test's binaries under cargo's temp dir.
fn build_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("c_abi")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("cannot create {}: {err}", dir.display()));
    dir
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

fn report(command: &Command, output: &Output) -> String {
    format!(
        "command: {}\nstatus: {}\n--- stdout ---\n{}--- stderr ---\n{}",
        describe(command),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `command` to completion, killing it after `timeout`.
fn run(mut command: Command, timeout: Duration) -> Result<Output, String> {
    let start = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cannot start `{}`: {err}", describe(&command)))?;
    // Drain the pipes on other threads so a chatty child cannot block.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut buffer);
        buffer
    });
    let err_reader = thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut buffer);
        buffer
    });
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|err| err.to_string())? {
            break status;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "`{}` did not finish within {timeout:?}",
                describe(&command)
            ));
        }
        thread::sleep(Duration::from_millis(20));
    };
    let output = Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    };
    if output.status.success() {
        Ok(output)
    } else {
        Err(report(&command, &output))
    }
}

/// Compiles `source` into an executable in `dir`.
fn compile(language: Language, source: &Path, dir: &Path) -> Result<PathBuf, String> {
    let stem = source.file_stem().expect("file name").to_string_lossy();
    let exe = dir.join(stem.as_ref());
    let mut command = Command::new(compiler(language));
    command.args(match language {
        Language::C => C_FLAGS,
        Language::Cxx => CXX_FLAGS,
        Language::Cpp => CPP_FLAGS,
    });
    command
        .arg("-g")
        .arg("-I")
        .arg(manifest_dir().join("include"))
        .arg(source);
    if let Language::Cxx = language {
        // `-x c++` applies to every later input: the library is not C++.
        command.args(["-x", "none"]);
    }
    command
        .arg(static_library())
        .args(SYSTEM_LIBS)
        .arg("-o")
        .arg(&exe);
    run(command, RUN_TIMEOUT).map(|_| exe)
}

/// The programs are compiled against the checked-in `include/crmkit.h`, so it
/// must be the header `build.rs` generated (`tests/header.rs` checks the same).
fn check_header_is_fresh() {
    let checked_in = manifest_dir().join("include/crmkit.h");
    let generated = Path::new(concat!(env!("OUT_DIR"), "/crmkit.h"));
    let fresh = matches!(
        (fs::read(&checked_in), fs::read(generated)),
        (Ok(old), Ok(new)) if old == new
    );
    assert!(
        fresh,
        "{} is missing or stale (it differs from {}); regenerate it with \
         `CRMKIT_BLESS=1 cargo test --test header`",
        checked_in.display(),
        generated.display()
    );
}

/// The arguments of every C test program.
fn program_args() -> Vec<PathBuf> {
    sample_data().into_iter().collect()
}

/// Compiles and runs every C test in `language`, through `wrapper` (a
/// command and its arguments, e.g. valgrind) if given; panics with all the
/// failures at once.
fn compile_and_run_all(name: &str, language: Language, wrapper: &[&str], timeout: Duration) {
    compile_and_run(name, language, sources(language), wrapper, timeout);
}

/// Compiles and runs `sources` (see [`compile_and_run_all`]).
fn compile_and_run(
    name: &str,
    language: Language,
    sources: Vec<PathBuf>,
    wrapper: &[&str],
    timeout: Duration,
) {
    check_header_is_fresh();
    let dir = build_dir(name);
    let mut failures = String::new();
    for source in &sources {
        let exe = match compile(language, source, &dir) {
            Ok(exe) => exe,
            Err(message) => {
                let _ = writeln!(
                    failures,
                    "\n=== {} does not compile as {language:?}\n{message}",
                    source.display()
                );
                continue;
            }
        };
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(&exe);
                command
            }
            None => Command::new(&exe),
        };
        command.args(program_args()).current_dir(manifest_dir());
        match run(command, timeout) {
            Ok(output) => {
                eprintln!(
                    "{} ({name}): ok\n{}",
                    source.display(),
                    String::from_utf8_lossy(&output.stdout).trim_end()
                );
                // Each program holds a static copy of the library (tens of
                // MB in a debug build): a passing one is not kept, so the
                // suite does not fill a small CI disk. Failing ones stay.
                let _ = fs::remove_file(&exe);
            }
            Err(message) => {
                let _ = writeln!(
                    failures,
                    "\n=== {} failed ({name})\n{message}",
                    source.display()
                );
            }
        }
    }
    assert!(failures.is_empty(), "C ABI tests failed:{failures}");
    eprintln!("{} {language:?} test(s) passed ({name})", sources.len());
}

#[test]
fn c_tests_pass_as_c99() {
    compile_and_run_all("c99", Language::C, &[], RUN_TIMEOUT);
}

#[test]
fn c_tests_pass_as_cpp17() {
    compile_and_run_all("cpp17", Language::Cxx, &[], RUN_TIMEOUT);
}

#[test]
fn cpp_wrapper_tests_pass() {
    compile_and_run_all("cpp", Language::Cpp, &[], RUN_TIMEOUT);
}

/// valgrind's memcheck, failing on any error or definite leak.
const MEMCHECK: &[&str] = &[
    "valgrind",
    "--error-exitcode=99",
    "--leak-check=full",
    "--errors-for-leak-kinds=definite",
    "--show-leak-kinds=definite",
    "-q",
];

fn valgrind_installed() -> bool {
    let installed = on_path("valgrind");
    if !installed {
        eprintln!(
            "valgrind is not installed: the C tests ran without the memory check \
             (install valgrind to enable it)"
        );
    }
    installed
}

#[test]
fn c_tests_pass_under_valgrind() {
    if valgrind_installed() {
        compile_and_run_all("valgrind", Language::C, MEMCHECK, VALGRIND_TIMEOUT);
    }
}

#[test]
fn cpp_wrapper_tests_pass_under_valgrind() {
    if valgrind_installed() {
        compile_and_run_all("cpp-valgrind", Language::Cpp, MEMCHECK, VALGRIND_TIMEOUT);
    }
}

/// The multi-threaded C programs: `tests/c/threads*.c`.
fn thread_sources() -> Vec<PathBuf> {
    let threads: Vec<PathBuf> = sources(Language::C)
        .into_iter()
        .filter(|path| {
            path.file_stem()
                .is_some_and(|stem| stem.to_string_lossy().starts_with("threads"))
        })
        .collect();
    assert!(!threads.is_empty(), "no tests/c/threads*.c programs found");
    threads
}

/// The suppression file for the race detectors (one benign, documented
/// report of the memchr crate).
fn race_suppressions() -> String {
    format!(
        "--suppressions={}",
        manifest_dir().join("tests/valgrind/races.supp").display()
    )
}

#[test]
fn c_thread_tests_have_no_races_under_helgrind() {
    if valgrind_installed() {
        let suppressions = race_suppressions();
        compile_and_run(
            "helgrind",
            Language::C,
            thread_sources(),
            &[
                "valgrind",
                "--tool=helgrind",
                &suppressions,
                "--error-exitcode=99",
                "-q",
            ],
            VALGRIND_TIMEOUT,
        );
    }
}

#[test]
fn c_thread_tests_have_no_races_under_drd() {
    if valgrind_installed() {
        let suppressions = race_suppressions();
        compile_and_run(
            "drd",
            Language::C,
            thread_sources(),
            &[
                "valgrind",
                "--tool=drd",
                &suppressions,
                "--error-exitcode=99",
                "-q",
            ],
            VALGRIND_TIMEOUT,
        );
    }
}

/// The README's ```` ```lang ```` blocks, each written to a file of the build
/// directory `name` (with `extension`), so that the snippets users copy are
/// compiled and run like the tests.
fn readme_snippets(lang: &str, name: &str, extension: &str) -> Vec<PathBuf> {
    let readme = fs::read_to_string(manifest_dir().join("README.md")).expect("README.md");
    let fence = format!("```{lang}\n");
    let dir = build_dir(name);
    let mut files = Vec::new();
    let mut rest = readme.as_str();
    while let Some((_, after)) = rest.split_once(fence.as_str()) {
        let (block, tail) = after.split_once("```").expect("a closed README block");
        let file = dir.join(format!("readme_{}.{extension}", files.len() + 1));
        fs::write(&file, block).expect("write a README snippet");
        files.push(file);
        rest = tail;
    }
    assert!(!files.is_empty(), "the README has no ```{lang} block");
    files
}

#[test]
fn readme_c_snippets_compile_and_run_under_valgrind() {
    let sources = readme_snippets("c", "readme-c-src", "c");
    let wrapper = if valgrind_installed() { MEMCHECK } else { &[] };
    compile_and_run("readme-c", Language::C, sources, wrapper, VALGRIND_TIMEOUT);
}

#[test]
fn readme_cpp_snippets_compile_and_run() {
    let sources = readme_snippets("cpp", "readme-cpp-src", "cpp");
    compile_and_run("readme-cpp", Language::Cpp, sources, &[], RUN_TIMEOUT);
}
