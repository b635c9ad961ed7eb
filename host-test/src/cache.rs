//! The compiled component on disk: compiled once per engine configuration, and loaded from
//! the cache on later starts.

use anyhow::{Context as _, Result};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use wasmtime::Engine;
use wasmtime::component::Component;

/// Compiles a component, or loads the compiled form cached beside it (or in `cache_dir`).
pub(crate) fn load_component(
    engine: &Engine,
    wasm: &Path,
    cache_dir: Option<&Path>,
) -> Result<Component> {
    let bytes = std::fs::read(wasm)
        .with_context(|| format!("reading the component at {}", wasm.display()))?;
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let name = format!("okta-management-{:016x}.cwasm", hasher.finish());
    let cache = match cache_dir {
        Some(dir) => dir.join(name),
        None => wasm.with_file_name(name),
    };
    if cache.exists() {
        // SAFETY: the file was written by `Engine::precompile_component` below, for an
        // engine with the same compatibility hash (it is part of the file name).
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &cache) } {
            return Ok(component);
        }
    }
    let compiled = engine.precompile_component(&bytes)?;
    // Written beside and renamed, so a concurrent reader never sees half a file. A missing
    // cache directory is made; a cache that cannot be written only costs the next start a
    // compile.
    if let Some(dir) = cache.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let partial = cache.with_extension(format!("{}.partial", std::process::id()));
    if std::fs::write(&partial, &compiled).is_ok() {
        let _ = std::fs::rename(&partial, &cache);
    }
    // SAFETY: the bytes were just produced by `precompile_component` on this engine.
    Ok(unsafe { Component::deserialize(engine, &compiled) }?)
}
