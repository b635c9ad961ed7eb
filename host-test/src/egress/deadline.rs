//! The whole-call deadline, enforced three ways.
//!
//! - The guest is told the deadline (`options.deadline-ms`) and ends the call itself with a
//!   typed `timeout`: it begins no request and no wait it cannot finish.
//! - The outbound hook gives each request only the time left, refuses one begun after the
//!   deadline and cuts a response body still arriving at it (a body dripping a byte a
//!   second within the between-bytes timeout).
//! - The engine's epoch advances every [`TICK`]: a guest running wasm code yields to the
//!   executor at each tick, so one busy call never starves the others, and is stopped
//!   with [`DeadlinePassed`] once the deadline and a [`GRACE`] have passed. A call blocked
//!   in the host past that moment is dropped by the caller's timer
//!   ([`crate::Host::call_json`] does this).

use std::fmt;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use wasmtime::{Engine, Store, UpdateDeadline};

/// How often the engine's epoch advances: how long a guest runs before it yields, and about
/// the most it runs past the moment it is stopped.
pub const TICK: Duration = Duration::from_millis(10);

/// How long past its deadline a call has to return its own typed error before the host
/// stops it.
pub const GRACE: Duration = Duration::from_secs(1);

/// The error of a call the host stopped at its deadline: a typed call's `Err` carries it
/// (`err.downcast_ref::<DeadlinePassed>()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeadlinePassed {
    /// The call's deadline.
    pub deadline: Duration,
}

impl fmt::Display for DeadlinePassed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the call passed its deadline of {} ms and was stopped",
            self.deadline.as_millis()
        )
    }
}

impl std::error::Error for DeadlinePassed {}

/// The node's `timeout` error for a call the host ended before the guest could: the
/// deadline passed while it waited (for an instance, another call's token mint), or no
/// instance became free. Nothing was sent for it; the same call may be sent again.
pub(crate) fn timeout_error(message: String) -> crate::wit::types::OktaError {
    crate::wit::types::OktaError {
        kind: crate::wit::types::ErrorKind::Timeout,
        message,
        status: None,
        error_code: None,
        error_causes: Vec::new(),
        error_id: None,
        request_id: None,
        reset_at: None,
        retryable: true,
        attempts: 0,
    }
}

/// One call's deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline {
    /// How long the call may take.
    pub length: Duration,
    /// When the call must have ended.
    pub at: Instant,
}

impl Deadline {
    /// A deadline `length` from now.
    pub fn after(length: Duration) -> Self {
        Deadline {
            length,
            at: Instant::now() + length,
        }
    }

    /// The node's `timeout` error for a deadline that passed while the host was doing
    /// `what` (waiting for a token, minting one).
    pub(crate) fn passed_while(&self, what: &str) -> crate::wit::types::OktaError {
        timeout_error(format!(
            "{} while {what}",
            DeadlinePassed {
                deadline: self.length
            }
        ))
    }

    /// When the host stops a call that has not ended: the deadline and the grace.
    pub fn stop_at(&self) -> Instant {
        self.at + GRACE
    }

    /// The time left, or `None` once the deadline has passed.
    pub fn time_left(&self) -> Option<Duration> {
        self.at
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
    }

    /// Arms a store: its guest yields at every tick and is stopped with [`DeadlinePassed`]
    /// at [`Deadline::stop_at`]. The store must be driven by `*_async` calls.
    pub fn arm<T>(&self, store: &mut Store<T>) {
        let (stop_at, passed) = (
            self.stop_at(),
            DeadlinePassed {
                deadline: self.length,
            },
        );
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            if Instant::now() >= stop_at {
                Err(passed.into())
            } else {
                Ok(UpdateDeadline::Yield(1))
            }
        });
    }
}

/// Advances an engine's epoch every [`TICK`] until dropped.
pub(crate) struct Ticker {
    _stop: mpsc::Sender<()>,
}

impl Ticker {
    /// Starts the ticking thread.
    pub(crate) fn start(engine: &Engine) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::channel::<()>();
        let engine = engine.clone();
        std::thread::Builder::new()
            .name("okta-host-epoch".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
                    engine.increment_epoch();
                }
            })?;
        Ok(Ticker { _stop: stop })
    }
}
