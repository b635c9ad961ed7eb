//! The compiled component on disk: compiled once per engine configuration, and loaded from
//! the cache on later starts.
//!
//! A `.cwasm` is native code the host runs outside every sandbox, so it is loaded only from
//! where no one but the host's own user could have put it: a directory and a file that user
//! owns and that neither the group nor others may write, the file a regular file (not a
//! link). The file is opened once, checked on the open handle, and read from it, so it
//! cannot be swapped between the check and the load. A cache that fails the check is not
//! used (nor written), and the host compiles instead, with a warning on stderr.

use anyhow::Result;
use std::fs::{File, Metadata};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

/// The cache directory when the host is given none: `$XDG_CACHE_HOME/okta-nodes`, or
/// `$HOME/.cache/okta-nodes`; `None` (no disk cache) without either.
pub(crate) fn default_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|dir| Path::new(dir).is_absolute())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|dir| Path::new(dir).is_absolute())
                .map(|home| PathBuf::from(home).join(".cache"))
        })?;
    Some(base.join("okta-nodes"))
}

/// Why a directory or file may not hold code the host runs; `None` when it may.
#[cfg(unix)]
fn untrusted(meta: &Metadata, file: bool) -> Option<&'static str> {
    use std::os::unix::fs::MetadataExt as _;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if file && !meta.file_type().is_file() {
        Some("it is not a regular file")
    } else if !file && !meta.file_type().is_dir() {
        Some("it is not a directory")
    } else if meta.uid() != me {
        Some("another user owns it")
    } else if meta.mode() & 0o022 != 0 {
        Some("its group or other users may write it")
    } else {
        None
    }
}

/// Off Unix the owner cannot be checked, so no cache is trusted.
#[cfg(not(unix))]
fn untrusted(_: &Metadata, _: bool) -> Option<&'static str> {
    Some("ownership cannot be checked on this platform")
}

/// Whether `dir` may hold the cache: why not, or `None`.
fn untrusted_dir(dir: &Path) -> Option<String> {
    match std::fs::symlink_metadata(dir) {
        Ok(meta) => untrusted(&meta, false).map(|why| format!("{}: {why}", dir.display())),
        Err(err) => Some(format!("{}: {err}", dir.display())),
    }
}

/// Reads a cached file if it is one the host may trust: `Ok(None)` when there is none,
/// `Err` with the reason when there is one it refuses.
fn read_trusted(path: &Path) -> Result<Option<Vec<u8>>, String> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(format!("{}: {err}", path.display())),
    };
    let meta = file
        .metadata()
        .map_err(|err| format!("{}: {err}", path.display()))?;
    if let Some(why) = untrusted(&meta, true) {
        return Err(format!("{}: {why}", path.display()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)
        .map_err(|err| format!("{}: {err}", path.display()))?;
    Ok(Some(bytes))
}

/// Writes the compiled component where only this user may read or replace it: beside the
/// target and renamed over it, so a concurrent reader never sees half a file.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let partial = path.with_extension(format!("{}.partial", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file: File = options.open(&partial)?;
    file.write_all(bytes)?;
    drop(file);
    std::fs::rename(&partial, path)
}

/// Makes the cache directory (and its missing parents) private to this user.
fn make_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Compiles a component, or loads the compiled form cached in `cache_dir` (by default
/// [`default_dir`]) when the directory and the file pass the checks above.
pub(crate) fn load_component(
    engine: &Engine,
    bytes: &[u8],
    cache_dir: Option<&Path>,
) -> Result<Component> {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let name = format!("okta-management-{:016x}.cwasm", hasher.finish());
    let dir = cache_dir.map(Path::to_path_buf).or_else(default_dir);
    let dir = dir.filter(|dir| {
        // A missing cache directory is made; one that cannot be made only costs the next
        // start a compile.
        if !dir.exists() {
            let _ = make_dir(dir);
        }
        match untrusted_dir(dir) {
            None => true,
            Some(why) => {
                if dir.exists() {
                    eprintln!(
                        "okta-host: warning: not using the compiled-code cache {why}; compiling instead"
                    );
                }
                false
            }
        }
    });
    let cache = dir.map(|dir| dir.join(name));
    if let Some(cache) = &cache {
        match read_trusted(cache) {
            Ok(Some(compiled)) => {
                // SAFETY: the bytes come from a file only this user could have written, in
                // a directory only this user can write; its name carries the engine's
                // compatibility hash, and wasmtime checks the header before loading.
                if let Ok(component) = unsafe { Component::deserialize(engine, &compiled) } {
                    return Ok(component);
                }
            }
            Ok(None) => {}
            Err(why) => eprintln!(
                "okta-host: warning: not loading the cached compiled component {why}; compiling instead"
            ),
        }
    }
    let compiled = engine.precompile_component(bytes)?;
    if let Some(cache) = &cache {
        let _ = write_private(cache, &compiled);
    }
    // SAFETY: the bytes were just produced by `precompile_component` on this engine.
    Ok(unsafe { Component::deserialize(engine, &compiled) }?)
}
