//! Builds the component (the workspace's root crate) for `wasm32-wasip2` with the
//! `component` profile, in its own target directory, and hands its path to the crate as
//! `OKTA_COMPONENT_WASM`.
//!
//! Then compiles it with Cranelift for the machine the build runs on, with the host's own
//! compile settings (`src/engine/compiled.rs`), and hands that code's path to the crate as
//! `OKTA_COMPONENT_CWASM` and the engine's compatibility digest as
//! `OKTA_COMPONENT_COMPATIBILITY`: a host whose engine has the same digest loads that code
//! in milliseconds instead of compiling. A cross-compiled host gets no code (its engine is
//! not this machine's) and compiles at its first start, as before.
//!
//! A fresh machine may have the toolchain without the target: it is added with rustup.

#[path = "src/engine/compiled.rs"]
mod compiled;

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

fn main() {
    let manifest_dir =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest_dir
        .parent()
        .expect("host-test lives inside the workspace")
        .to_path_buf();
    for watched in [
        "src",
        "wit",
        "build.rs",
        "build",
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=OKTA_COMPONENT_WASM_OVERRIDE");

    if let Ok(path) = env::var("OKTA_COMPONENT_WASM_OVERRIDE") {
        println!("cargo:rustc-env=OKTA_COMPONENT_WASM={path}");
        precompile(&std::fs::read(&path).expect("read the component to embed"));
        return;
    }

    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    ensure_target(&rustc);

    let target_dir = root.join("target").join("component");
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(&root)
        .args([
            "build",
            "--profile",
            "component",
            "--package",
            "okta-management",
            "--target",
            TARGET,
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    // The outer build's flags are for the host, not for the guest.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd
        .status()
        .expect("could not run cargo to build the component");
    assert!(
        status.success(),
        "building the component for {TARGET} failed"
    );

    let wasm = target_dir
        .join(TARGET)
        .join("component")
        .join("okta_management.wasm");
    assert!(
        wasm.exists(),
        "the component was not built at {}",
        wasm.display()
    );
    let shipped = target_dir.join("okta_management.wasm");
    let bytes = std::fs::read(&wasm).expect("read the component");
    let shipped_bytes = without_names(&bytes);
    std::fs::write(&shipped, &shipped_bytes).expect("write the component");
    println!("cargo:rustc-env=OKTA_COMPONENT_WASM={}", shipped.display());
    precompile(&shipped_bytes);
}

/// Compiles the component for this machine with the host's settings and writes the code
/// to `$OUT_DIR`; nothing (an empty file, digest 0) when the host is built for another
/// machine.
fn precompile(wasm: &[u8]) {
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let cwasm = out.join("okta_management.cwasm");
    let native = env::var("TARGET").ok() == env::var("HOST").ok();
    let (code, digest) = if native {
        let engine = wasmtime::Engine::new(&compiled::config()).expect("a Cranelift engine");
        let code = engine
            .precompile_component(wasm)
            .expect("Cranelift compiles the component");
        (code, compiled::compatibility(&engine))
    } else {
        (Vec::new(), 0)
    };
    std::fs::write(&cwasm, code).expect("write the compiled component");
    println!("cargo:rustc-env=OKTA_COMPONENT_CWASM={}", cwasm.display());
    println!("cargo:rustc-env=OKTA_COMPONENT_COMPATIBILITY={digest}");
}

/// The component without its `component-name` section: names for debuggers (about 20 KB),
/// which `strip = true` leaves in because the component is wrapped after linking. The
/// binary is a header and sections (an id byte, a LEB128 size, the contents); any other
/// form is kept as it is.
fn without_names(wasm: &[u8]) -> Vec<u8> {
    fn leb(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let byte = *bytes.get(at)?;
            at += 1;
            value |= usize::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Some((value, at));
            }
            shift += 7;
            if shift > 28 {
                return None;
            }
        }
    }
    let strip = || -> Option<Vec<u8>> {
        let mut out = wasm.get(..8)?.to_vec();
        let mut at = 8;
        while at < wasm.len() {
            let id = wasm[at];
            let (size, body) = leb(wasm, at + 1)?;
            let end = body.checked_add(size).filter(|&end| end <= wasm.len())?;
            let is_names = id == 0 && {
                let (len, name) = leb(wasm, body)?;
                wasm.get(name..name + len) == Some(b"component-name".as_slice())
            };
            if !is_names {
                out.extend_from_slice(&wasm[at..end]);
            }
            at = end;
        }
        Some(out)
    };
    strip().unwrap_or_else(|| wasm.to_vec())
}

/// Adds the wasm target with rustup when the toolchain lacks it.
fn ensure_target(rustc: &str) {
    let libdir = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    if libdir.as_deref().is_some_and(Path::exists) {
        return;
    }
    println!("cargo:warning=adding the {TARGET} target with rustup");
    let mut rustup = Command::new("rustup");
    rustup.args(["target", "add", TARGET]);
    if let Ok(toolchain) = env::var("RUSTUP_TOOLCHAIN") {
        rustup.args(["--toolchain", &toolchain]);
    }
    let status = rustup
        .status()
        .expect("the wasm32-wasip2 target is missing and rustup could not be run");
    assert!(status.success(), "rustup could not add the {TARGET} target");
}
