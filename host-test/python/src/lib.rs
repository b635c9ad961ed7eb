//! `okta_nodes._okta_nodes`: the native half of the Python package, a thin shell over
//! [`okta_host::Host::call_json`]. JSON crosses as text (the Python half encodes and
//! decodes it), so Python sees exactly the JSON every other host gives. A call runs on the
//! host's own tokio runtime with the interpreter released; an `async` call completes
//! through a callback the Python half turns into an awaitable.

use okta_host::egress::governor::Governance;
use okta_host::state::shared::{RedisState, SealKey, SharedState};
use okta_host::{Connection, Host, HostConfig, Outcome};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What a call gives the Python half: `(true, output)` or `(false, okta-error)`, each as
/// JSON text.
type Answer = (bool, String);

/// The host and the runtime its calls run on.
#[pyclass(frozen, module = "okta_nodes._okta_nodes")]
struct NativeHost {
    host: Arc<Host>,
    runtime: Arc<tokio::runtime::Runtime>,
}

/// Runs one call: the JSON texts in, the answer out; `Err` is a failure of the host (an
/// unknown node, an input that is not JSON).
async fn call(host: &Host, node: &str, conn: &str, input: &str) -> anyhow::Result<Answer> {
    let conn: Value = serde_json::from_str(conn)?;
    let input: Value = serde_json::from_str(input)?;
    Ok(match host.call_json_with(&conn, node, &input).await? {
        Outcome::Ok(output) => (true, output.to_string()),
        Outcome::Err(error) => (false, error.to_string()),
    })
}

/// A host failure as the Python exception the package raises for it.
fn host_error(err: anyhow::Error) -> PyErr {
    PyRuntimeError::new_err(format!("{err:#}"))
}

#[pymethods]
impl NativeHost {
    /// A host with its own runtime of `workers` threads.
    #[new]
    #[pyo3(signature = (*, route_to=None, deadline_ms=None, max_instances=None, component=None, cache_dir=None, workers=None, govern=None, redis=None, seal_key=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        route_to: Option<String>,
        deadline_ms: Option<u64>,
        max_instances: Option<u32>,
        component: Option<PathBuf>,
        cache_dir: Option<PathBuf>,
        workers: Option<usize>,
        govern: Option<f64>,
        redis: Option<String>,
        seal_key: Option<String>,
    ) -> PyResult<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers.unwrap_or(2).max(1))
            .thread_name("okta-nodes")
            .enable_all()
            .build()
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        let mut config = HostConfig {
            route_to,
            component,
            cache_dir,
            ..HostConfig::default()
        };
        if let Some(ms) = deadline_ms {
            if ms == 0 || Duration::from_millis(ms) > okta_host::MAX_DEADLINE {
                return Err(PyValueError::new_err(format!(
                    "deadline_ms is from 1 to {}",
                    okta_host::MAX_DEADLINE.as_millis()
                )));
            }
            config.deadline = Duration::from_millis(ms);
        }
        if let Some(n) = max_instances {
            config.max_instances = n.max(1);
        }
        if let Some(headroom) = govern {
            if !(0.0..=0.9).contains(&headroom) {
                return Err(PyValueError::new_err("govern is a fraction from 0 to 0.9"));
            }
            config.governor = Some(Governance { headroom });
        }
        match (redis, seal_key) {
            (Some(url), seal_key) => {
                let seal_key = seal_key
                    .map(|key| SealKey::new(key.as_bytes()))
                    .transpose()
                    .map_err(|e| PyValueError::new_err(e.to_string()))?;
                config.shared = SharedState::Redis(RedisState {
                    seal_key,
                    ..RedisState::new(url)
                });
            }
            (None, Some(_)) => {
                return Err(PyValueError::new_err("seal_key is for a host with redis"));
            }
            (None, None) => {}
        }
        let host = {
            let _entered = runtime.enter();
            Host::new(config).map_err(host_error)?
        };
        Ok(NativeHost {
            host: Arc::new(host),
            runtime: Arc::new(runtime),
        })
    }

    /// Calls a node and waits, with the interpreter released.
    fn call(&self, py: Python<'_>, node: &str, conn: &str, input: &str) -> PyResult<Answer> {
        py.detach(|| self.runtime.block_on(call(&self.host, node, conn, input)))
            .map_err(host_error)
    }

    /// Starts a call and returns at once; `done(ok, text, failure)` is called from a
    /// runtime thread when it ends (`failure`: the host's failure, or `None`).
    fn call_soon(&self, node: String, conn: String, input: String, done: Py<PyAny>) {
        let host = self.host.clone();
        self.runtime.spawn(async move {
            let answer = call(&host, &node, &conn, &input).await;
            Python::attach(|py| {
                let args = match answer {
                    Ok((ok, text)) => (ok, text, None),
                    Err(err) => (false, String::new(), Some(format!("{err:#}"))),
                };
                if let Err(err) = done.call1(py, args) {
                    err.write_unraisable(py, None);
                }
            });
        });
    }

    /// The catalog's nodes, as `okta-nodes list --json` prints them (JSON text).
    fn nodes(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| self.runtime.block_on(self.host.describe()))
            .map(|catalog| catalog.nodes_json().to_string())
            .map_err(host_error)
    }

    /// The catalog's JSON Schema document (JSON text).
    fn schema(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| self.runtime.block_on(self.host.describe()))
            .map(|catalog| catalog.schema.to_string())
            .map_err(host_error)
    }

    /// One node's record, as in `nodes()` (JSON text); `None` for an unknown id.
    fn describe(&self, py: Python<'_>, node: &str) -> PyResult<Option<String>> {
        let catalog = py
            .detach(|| self.runtime.block_on(self.host.describe()))
            .map_err(host_error)?;
        Ok(catalog
            .node(node)
            .map(|info| okta_host::catalog::describe::node_json(info).to_string()))
    }

    /// Runs a call `times` times from Rust and gives the seconds it took: `call_json`'s own
    /// cost, for the benchmark to set beside a call from Python. Every call must succeed.
    fn _repeat(
        &self,
        py: Python<'_>,
        node: &str,
        conn: &str,
        input: &str,
        times: usize,
    ) -> PyResult<f64> {
        py.detach(|| {
            self.runtime.block_on(async {
                let conn = Connection::from_json(&serde_json::from_str(conn)?)
                    .map_err(anyhow::Error::msg)?;
                let input: Value = serde_json::from_str(input)?;
                let started = std::time::Instant::now();
                for _ in 0..times {
                    if let Outcome::Err(error) = self.host.call_json(&conn, node, &input).await? {
                        anyhow::bail!("{error}");
                    }
                }
                Ok(started.elapsed().as_secs_f64())
            })
        })
        .map_err(host_error)
    }

    /// The WIT package, such as `okta:management@0.6.0`.
    #[getter]
    fn package(&self) -> String {
        self.host.package().to_string()
    }

    fn __repr__(&self) -> String {
        format!("Host({})", self.host.package())
    }
}

/// A mock Okta org on loopback, for tests: seeded with the demo org.
#[pyclass(frozen, module = "okta_nodes._okta_nodes")]
struct NativeMock {
    mock: std::sync::Mutex<Option<okta_mock::MockOkta>>,
    url: String,
    token: String,
    runtime: tokio::runtime::Runtime,
}

#[pymethods]
impl NativeMock {
    /// Starts a mock; `faults` are JSON texts, as `okta-nodes mock --fault` takes them.
    #[new]
    #[pyo3(signature = (*, seed=true, latency_ms=None, rate_limit_scale=0.0, faults=Vec::new()))]
    fn new(
        seed: bool,
        latency_ms: Option<u64>,
        rate_limit_scale: f64,
        faults: Vec<String>,
    ) -> PyResult<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("okta-mock")
            .enable_all()
            .build()
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        let mut switches = Vec::new();
        for fault in faults.iter().chain(
            latency_ms
                .map(|ms| format!(r#"{{"effect": "delay", "delay-ms": {ms}}}"#))
                .as_ref(),
        ) {
            let value: Value =
                serde_json::from_str(fault).map_err(|e| PyValueError::new_err(e.to_string()))?;
            switches.push(okta_mock::Fault::from_json(&value).map_err(PyValueError::new_err)?);
        }
        let mock = runtime
            .block_on(okta_mock::MockOkta::start(okta_mock::MockConfig {
                seed,
                rate_limit_scale,
                faults: switches,
                ..okta_mock::MockConfig::default()
            }))
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(NativeMock {
            url: mock.url(),
            token: mock.token(),
            mock: std::sync::Mutex::new(Some(mock)),
            runtime,
        })
    }

    /// The mock's base URL: a host's `route_to`.
    #[getter]
    fn url(&self) -> String {
        self.url.clone()
    }

    /// The API token the mock takes.
    #[getter]
    fn token(&self) -> String {
        self.token.clone()
    }

    /// How many requests reached the mock.
    fn requests(&self) -> usize {
        let mock = self.mock.lock().unwrap_or_else(|e| e.into_inner());
        mock.as_ref().map_or(0, |m| m.requests().len())
    }

    /// Stops the mock.
    fn close(&self, py: Python<'_>) {
        let taken = self.mock.lock().unwrap_or_else(|e| e.into_inner()).take();
        py.detach(|| {
            let _entered = self.runtime.enter();
            drop(taken);
        });
    }

    fn __repr__(&self) -> String {
        format!("Mock(url={:?})", self.url)
    }
}

/// The native module.
#[pymodule]
fn _okta_nodes(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<NativeHost>()?;
    module.add_class::<NativeMock>()?;
    Ok(())
}
