//! The C ABI example from Python (`examples/python/c_abi.py`, ctypes only)
//! runs against the shared library `cargo test` built. Skipped, with a note,
//! where python3 is not installed. (The Python package is
//! `crates/crmkit-python`, tested with pytest by `.ci/run`.)
#![cfg(feature = "ffi")]

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `libcrmkit.so` as built for this test run (`target/<profile>/deps`).
fn shared_library() -> PathBuf {
    let exe = env::current_exe().expect("path of the test binary");
    let lib = exe.parent().expect("deps directory").join("libcrmkit.so");
    assert!(lib.is_file(), "{} is missing", lib.display());
    lib
}

fn python() -> Option<&'static str> {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
        .then_some("python3")
}

fn run_python(script: &str) -> String {
    let python = python().expect("python3");
    let output = Command::new(python)
        .arg(manifest_dir().join("examples/python").join(script))
        .arg(shared_library())
        .output()
        .unwrap_or_else(|err| panic!("cannot run {script}: {err}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{script} failed with {}\n--- stdout ---\n{stdout}--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn python_c_abi_example_runs() {
    if python().is_none() {
        eprintln!("python3 is not installed: the Python example is not tested");
        return;
    }
    let output = run_python("c_abi.py");
    for expected in [
        "300 contacts, 554 deals",
        "a $750.00 deal: ['create_task']",
        "win_rate: ",
        "error: CRM_STATUS_JSON: deals[0]",
    ] {
        assert!(
            output.contains(expected),
            "{expected:?} missing from the output:\n{output}"
        );
    }
}
