//! The install notes of the README work: `packaging/install.sh` installs the
//! headers, both libraries and a pkg-config file under a prefix, and a C host
//! (`examples/c/hello.c`) builds against it with `pkg-config`, linked
//! dynamically and statically, and runs.
//!
//! Skipped, with a note, where `sh`, `pkg-config` or `cc` is missing.
#![cfg(feature = "ffi")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::{env, fs};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("cannot run {command:?}: {err}"));
    assert!(
        output.status.success(),
        "{command:?} failed with {}\n--- stdout ---\n{}--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Where `cargo test` put the libraries it built for this run
/// (`target/<profile>/deps`, beside this test binary).
fn built_libraries() -> PathBuf {
    let exe = env::current_exe().expect("path of the test binary");
    exe.parent().expect("deps directory").to_path_buf()
}

fn pkg_config(prefix: &Path, args: &[&str]) -> Vec<String> {
    let output = run(Command::new("pkg-config")
        .args(args)
        .arg("crmkit")
        .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig")));
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_c_host_builds_against_the_installed_library_with_pkg_config() {
    if !(available("pkg-config") && available("cc")) {
        eprintln!("pkg-config or cc is missing: the install test is skipped");
        return;
    }
    let prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("install-prefix");
    let _ = fs::remove_dir_all(&prefix);
    run(Command::new("sh")
        .arg(manifest_dir().join("packaging/install.sh"))
        .arg(&prefix)
        .arg(built_libraries()));
    for installed in [
        "include/crmkit.h",
        "include/crmkit.hpp",
        "lib/libcrmkit.a",
        "lib/libcrmkit.so",
        "lib/pkgconfig/crmkit.pc",
    ] {
        assert!(
            prefix.join(installed).is_file(),
            "{installed} was not installed"
        );
    }
    assert_eq!(
        pkg_config(&prefix, &["--modversion"]),
        vec![env!("CARGO_PKG_VERSION").to_string()]
    );

    let source = manifest_dir().join("examples/c/hello.c");
    let sample = manifest_dir().join("examples/data/sample_company.json");

    // Shared: `cc hello.c $(pkg-config --cflags --libs crmkit)`.
    let shared_exe = prefix.join("hello-shared");
    run(Command::new("cc")
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror"])
        .arg(&source)
        .args(pkg_config(&prefix, &["--cflags", "--libs"]))
        .arg("-o")
        .arg(&shared_exe));
    let output = run(Command::new(&shared_exe)
        .arg(&sample)
        .env("LD_LIBRARY_PATH", prefix.join("lib")));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("\"contacts\":300"),
        "unexpected output: {text}"
    );

    // Static: the archive itself plus `pkg-config --static --libs-only-l`.
    let static_exe = prefix.join("hello-static");
    let system_libs: Vec<String> = pkg_config(&prefix, &["--static", "--libs-only-l"])
        .into_iter()
        .filter(|flag| flag != "-lcrmkit")
        .collect();
    run(Command::new("cc")
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror"])
        .args(pkg_config(&prefix, &["--cflags"]))
        .arg(&source)
        .arg(prefix.join("lib/libcrmkit.a"))
        .args(system_libs)
        .arg("-o")
        .arg(&static_exe));
    let output = run(Command::new(&static_exe)
        .arg(&sample)
        .env_remove("LD_LIBRARY_PATH"));
    assert!(String::from_utf8_lossy(&output.stdout).contains("\"contacts\":300"));
}
