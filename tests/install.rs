//! The README's install notes work as written: the shell block under
//! "Installing the C library" is run verbatim by `sh -e` from the clone, with
//! `HOME` pointing at a temporary folder and `CARGO_TARGET_DIR` at a build
//! folder of this test (so `install.sh` must honour it). Nothing else is set
//! for the hosts: no `LD_LIBRARY_PATH`, no extra arguments, so a shared
//! library without SONAME, an install script that looks in the wrong folder
//! or a host that cannot find the library at run time fails the test.
//!
//! The release build inside the block runs without LTO and unoptimised
//! (cargo's `CARGO_PROFILE_RELEASE_*` variables) to keep the test quick; it
//! is the same build otherwise. Skipped, with a note, where `sh`,
//! `pkg-config` or `cc` is missing.
#![cfg(feature = "ffi")]

use std::path::{Path, PathBuf};
use std::process::Command;
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

/// The first `sh` block after the README's "Installing the C library"
/// heading.
fn readme_install_block() -> String {
    let readme = fs::read_to_string(manifest_dir().join("README.md")).expect("README.md");
    let section = readme
        .split_once("### Installing the C library")
        .expect("README has an \"Installing the C library\" section")
        .1;
    let block = section
        .split_once("```sh\n")
        .expect("the install section has a ```sh block")
        .1;
    block
        .split_once("```")
        .expect("the install block is closed")
        .0
        .to_string()
}

/// Where cargo and rustup keep their files for the real user, so that the
/// block's `cargo build` works with `HOME` moved.
fn tool_homes() -> Vec<(&'static str, PathBuf)> {
    let home = env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let cargo_home = env::var_os("CARGO_HOME").map_or_else(|| home.join(".cargo"), PathBuf::from);
    let rustup_home =
        env::var_os("RUSTUP_HOME").map_or_else(|| home.join(".rustup"), PathBuf::from);
    vec![("CARGO_HOME", cargo_home), ("RUSTUP_HOME", rustup_home)]
}

#[test]
fn the_readme_install_steps_build_and_run_shared_and_static_hosts() {
    let has_sh = Command::new("sh")
        .args(["-c", "true"])
        .status()
        .is_ok_and(|status| status.success());
    if !(has_sh && available("pkg-config") && available("cc")) {
        eprintln!("pkg-config, cc or sh is missing: the install test is skipped");
        return;
    }
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-install");
    let home = scratch.join("home");
    let _ = fs::remove_dir_all(&home);
    fs::create_dir_all(&home).expect("temporary HOME");
    fs::create_dir_all(manifest_dir().join("target")).expect("target folder");

    let block = readme_install_block();
    let mut command = Command::new("sh");
    command
        .arg("-eu")
        .arg("-c")
        .arg(&block)
        .current_dir(manifest_dir())
        .env("HOME", &home)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env_remove("LD_LIBRARY_PATH")
        .env_remove("PKG_CONFIG_PATH");
    for (name, path) in tool_homes() {
        command.env(name, path);
    }
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("cannot run sh: {err}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the README's install block failed with {}\n--- block ---\n{block}\n--- stdout ---\n{stdout}--- stderr ---\n{stderr}",
        output.status
    );
    // Both hosts printed the sample's counts.
    assert_eq!(
        stdout.matches("\"contacts\":300").count(),
        2,
        "unexpected output: {stdout}"
    );

    let lib = home.join(".local/lib");
    for installed in [
        "../include/crmkit.h",
        "../include/crmkit.hpp",
        "../include/crmkit-json.md",
        "libcrmkit.a",
        "libcrmkit.so.1",
        "pkgconfig/crmkit.pc",
    ] {
        assert!(
            lib.join(installed).is_file(),
            "{installed} was not installed"
        );
    }
    let link = fs::read_link(lib.join("libcrmkit.so")).expect("libcrmkit.so is a link");
    assert_eq!(link, Path::new("libcrmkit.so.1"));
    if available("readelf") {
        let dynamic = Command::new("readelf")
            .arg("-d")
            .arg(lib.join("libcrmkit.so.1"))
            .output()
            .expect("readelf");
        let dynamic = String::from_utf8_lossy(&dynamic.stdout);
        assert!(
            dynamic.contains("Library soname: [libcrmkit.so.1]"),
            "no versioned SONAME:\n{dynamic}"
        );
    }
}
