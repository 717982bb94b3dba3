//! The command line (`reluscope`) and the desktop app (`reluscope-app`) are two binaries that
//! start each other: the command line holds none of the app's code (its process start is
//! shorter), and each finds the other beside it or says how to build it.
#![cfg(feature = "gui")]

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_reluscope-app"))
}

fn run(binary: &Path, args: &[&str]) -> Output {
    Command::new(binary)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_command_line_holds_none_of_the_apps_code() {
    // egui's panic locations name its source files (`…/egui-0.37.0/src/…`): present where
    // its code is linked.
    let app = std::fs::read(app_binary()).unwrap();
    assert!(contains(&app, b"/egui-"), "the probe finds egui in the app");
    let cli = std::fs::read(binary()).unwrap();
    assert!(
        !contains(&cli, b"/egui-"),
        "egui's code is linked into the command line"
    );
    assert!(
        cli.len() * 3 < app.len() * 2,
        "{} vs {} bytes",
        cli.len(),
        app.len()
    );
}

#[test]
fn the_app_hands_a_command_to_the_command_line() {
    let net = sample("peaks_25x2.json");
    let net = net.to_str().unwrap();
    let by_app = run(&app_binary(), &["info", net, "--json"]);
    assert!(
        by_app.status.success(),
        "{}",
        String::from_utf8_lossy(&by_app.stderr)
    );
    let by_cli = run_ok(&["info", net, "--json"]);
    assert_eq!(by_app.stdout, by_cli.stdout);
    let json: serde_json::Value = serde_json::from_slice(&by_app.stdout).unwrap();
    assert_eq!(json["hidden_neurons"], 50, "{json}");
    // Its failures come back as the command line's.
    let bad = run(&app_binary(), &["solve", "no_such_network.json"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("no_such_network.json"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn bench_ui_runs_in_the_app() {
    let out = run_ok(&["bench", "ui", "--frames", "1", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let views = json["frames"]["views"].as_array().expect("views");
    assert!(views.len() >= 5, "{json}");
    for view in views {
        let median = view["median_ms"].as_f64().unwrap();
        assert!(median.is_finite() && median > 0.0, "{view}");
        assert_eq!(view["frames"], 1, "{view}");
    }
    let bad = run(&binary(), &["bench", "ui", "--cancel-after=-1"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--cancel-after"));
}

/// The app's arguments arrive whole (spaces, a name starting with `-` after `--`), and its
/// exit status comes back: a stand-in app beside a copy of the command line prints them.
#[cfg(unix)]
#[test]
fn the_command_line_starts_the_app_with_its_arguments() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cli = dir.path().join("reluscope");
    std::fs::copy(binary(), &cli).unwrap();
    let app = dir.path().join("reluscope-app");
    std::fs::write(
        &app,
        "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done\nexit 3\n",
    )
    .unwrap();
    std::fs::set_permissions(&app, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&[], ""),
        (
            &["gui", "a b.json", "--tour"],
            "[--tour]\n[--]\n[a b.json]\n",
        ),
        (&["gui", "--", "-x.json"], "[--]\n[-x.json]\n"),
        (
            &["bench", "ui", "--frames", "2", "--cancel-after=-0"],
            "[--bench-ui]\n[--frames=2]\n[--cancel-after=-0]\n",
        ),
    ];
    for (args, expected) in cases {
        let out = run(&cli, args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{args:?}");
    }
}

#[test]
fn a_missing_sibling_is_named_with_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let lone_cli = dir.path().join(binary().file_name().unwrap());
    std::fs::copy(binary(), &lone_cli).unwrap();
    let out = run(&lone_cli, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("`reluscope-app`")
            && stderr.contains("cargo build --release")
            && stderr.contains(&dir.path().join("reluscope-app").display().to_string()),
        "{stderr}"
    );

    let lone_app = dir.path().join(app_binary().file_name().unwrap());
    std::fs::remove_file(&lone_cli).unwrap();
    std::fs::copy(app_binary(), &lone_app).unwrap();
    let out = run(&lone_app, &["solve", "net.json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("`reluscope`") && stderr.contains("--bin reluscope"),
        "{stderr}"
    );
}
