//! Progress on stderr for long work (a listing that fetches every page, a flow's steps, a
//! large seeded mock), drawn only when stderr is a terminal: a pipe or a log gets nothing.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal as _;
use std::time::Duration;

/// A spinner with a message and the time it has run; cleared when dropped.
pub struct Spinner(ProgressBar);

impl Spinner {
    /// Starts a spinner saying `message`, or a hidden one when stderr is not a terminal.
    pub fn start(message: impl Into<String>) -> Self {
        let target = match std::io::stderr().is_terminal() {
            true => ProgressDrawTarget::stderr(),
            false => ProgressDrawTarget::hidden(),
        };
        let bar = ProgressBar::with_draw_target(None, target);
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(100));
        Spinner(bar)
    }

    /// Says something else.
    pub fn say(&self, message: impl Into<String>) {
        self.0.set_message(message.into());
    }

    /// Runs `print` with the spinner out of the way, so a line printed meanwhile stays whole.
    pub fn above<T>(&self, print: impl FnOnce() -> T) -> T {
        self.0.suspend(print)
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
