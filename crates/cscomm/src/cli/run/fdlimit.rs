//! `fd_max` of `clush.conf`: the open files soft limit, set as clush sets
//! it (to the smaller of `fd_max` and the hard limit, up or down).

use nix::sys::resource::{RLIM_INFINITY, Resource, getrlimit, setrlimit};

use super::display::Verbosity;

/// A limit as Python's `resource` module shows it (`-1`: unlimited).
fn python_limit(limit: u64) -> i128 {
    if limit == RLIM_INFINITY {
        -1
    } else {
        i128::from(limit)
    }
}

/// A limit for `setrlimit` (`-1` or less: unlimited, as Python passes it).
fn system_limit(limit: i128) -> u64 {
    u64::try_from(limit).unwrap_or(RLIM_INFINITY)
}

/// Sets the soft limit of open files to `min(fd_max, hard)`, with clush's
/// messages: with -v a warning when the hard limit is lower than `fd_max`
/// or the change fails (standard error), with -d the change (standard
/// output). A limit that cannot be read is left alone.
pub(super) fn apply(fd_max: i64, verbosity: Verbosity) {
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return;
    };
    let (soft, hard, fd_max) = (python_limit(soft), python_limit(hard), i128::from(fd_max));
    let verbose = verbosity >= Verbosity::Verbose;
    if hard < fd_max && verbose {
        eprintln!("Warning: fd_max set to {fd_max} but max open files hard limit is {hard}");
    }
    let wanted = hard.min(fd_max);
    if soft == wanted {
        return;
    }
    if verbosity >= Verbosity::Debug {
        println!("Changing max open files soft limit from {soft} to {wanted}");
    }
    let set = setrlimit(
        Resource::RLIMIT_NOFILE,
        system_limit(wanted),
        system_limit(hard),
    );
    if let (Err(e), true) = (set, verbose) {
        eprintln!("Warning: Failed to set max open files limit to {wanted} ({e})");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlimited_reads_as_python_shows_it() {
        assert_eq!(python_limit(RLIM_INFINITY), -1);
        assert_eq!(python_limit(1024), 1024);
        assert_eq!(system_limit(-1), RLIM_INFINITY);
        assert_eq!(system_limit(8192), 8192);
    }
}
