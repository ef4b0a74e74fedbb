//! Time the current thread spent on a CPU, which the load of other
//! processes on a shared machine barely changes (unlike wall time).

use std::time::Duration;

/// Time on CPU of the calling thread so far (`CLOCK_THREAD_CPUTIME_ID`,
/// nanosecond resolution); `None` where that clock is missing.
///
/// (Not `/proc/thread-self/schedstat`: on some kernels, such as this
/// machine's, it only advances by whole scheduler ticks of 4 ms.)
#[cfg(unix)]
pub fn thread_cpu_time() -> Option<Duration> {
    use nix::time::{ClockId, clock_gettime};
    let now = clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).ok()?;
    let secs = u64::try_from(now.tv_sec()).ok()?;
    let nanos = u32::try_from(now.tv_nsec()).ok()?;
    Some(Duration::new(secs, nanos))
}

/// Time on CPU of the calling thread so far: not measured on this platform.
#[cfg(not(unix))]
pub fn thread_cpu_time() -> Option<Duration> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_advances_finely_with_work() {
        let start = thread_cpu_time();
        assert_eq!(start.is_some(), cfg!(unix), "thread CPU clock");
        let Some(start) = start else { return };
        // About a tenth of a millisecond of work, far less than a tick.
        let mut x = 0u64;
        for i in 0..200_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        let spent = thread_cpu_time().map(|end| end.saturating_sub(start));
        assert!(spent.is_some_and(|d| d > Duration::ZERO), "{x}");
    }
}
