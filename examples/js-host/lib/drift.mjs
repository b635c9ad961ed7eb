// How the caller's event loop fares while work runs: a 1 ms timer's ticks and its longest
// gap. Measured, for the tests and the benchmark; never a timed assertion.

/** Runs `work` under a 1 ms timer: `{ticks, gap, took}` (milliseconds). */
export async function timerDuring(work) {
  let ticks = 0;
  let gap = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
    ticks += 1;
  }, 1);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  const end = performance.now();
  return { ticks, gap: Math.max(gap, end - last), took: end - started };
}
