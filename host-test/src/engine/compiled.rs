//! The settings the component is compiled with: what Cranelift makes of it depends on
//! these and nothing else the host configures (the pooling allocator is the runtime's).
//! The build script (`build.rs`) compiles the embedded component with this same function,
//! so the host loads that code instead of compiling when its engine's compatibility hash is
//! the one recorded at build time.

use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use wasmtime::{Config, Engine};

/// The component model without its concurrency, and epoch interruption for deadlines.
pub fn config() -> Config {
    let mut wasm = Config::new();
    wasm.wasm_component_model(true)
        .concurrency_support(false)
        .epoch_interruption(true);
    wasm
}

/// A digest of what compiled code must match to run on `engine`: its target, Cranelift's
/// flags (the CPU's features among them), tunables and wasm features
/// (`Engine::precompile_compatibility_hash`). Stable between a build script and the crate
/// compiled by the same toolchain.
pub fn compatibility(engine: &Engine) -> u64 {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.finish()
}
