//! `clush.conf` for `cscomm run`: the file (`--conf`, else ClusterShell's
//! search path), the command line over it, and the run mode (`-m`).

use cscomm_groups::{ClushConfig, ClushOverrides, ClushSettings, Error};

use super::RunArgs;

/// The options of the command line that override `clush.conf`.
fn overrides(args: &RunArgs) -> ClushOverrides {
    let mut overrides = ClushOverrides::default();
    overrides.quiet = args.quiet;
    // clush takes any integer; none below 0 here.
    overrides.fanout = args.fanout.map(|f| usize::try_from(f).unwrap_or(0));
    overrides.user = args.user.clone();
    overrides.options = args.options.clone();
    overrides.connect_timeout = args.connect_timeout;
    overrides.command_timeout = args.command_timeout;
    overrides.maxrc = args.maxrc;
    overrides.set = args.set.clone();
    overrides
}

/// Reads `clush.conf` and applies the command line over it.
pub(super) fn load(args: &RunArgs) -> Result<ClushConfig, Error> {
    ClushConfig::load(args.conf.as_deref(), &overrides(args))
}

/// The settings in the run mode of `-m`, if any.
pub(super) fn settings(config: &mut ClushConfig, args: &RunArgs) -> Result<ClushSettings, Error> {
    // An empty mode is none, as in clush.
    if let Some(mode) = args.mode.as_ref().filter(|m| !m.is_empty()) {
        config.set_mode(mode)?;
    }
    config.settings()
}
