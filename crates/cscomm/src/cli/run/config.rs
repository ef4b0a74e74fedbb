//! `clush.conf` for `cscomm run`: the file (`--conf`, else ClusterShell's
//! search path), the command line over it, and the run mode (`-m`).

use cscomm_groups::{ClushConfig, ClushOverrides, ClushSettings, Error};

use super::RunArgs;

/// The options of the command line that override `clush.conf`.
fn overrides(args: &RunArgs) -> ClushOverrides {
    ClushOverrides {
        quiet: args.quiet,
        fanout: args.fanout,
        user: args.user.clone(),
        options: args.options.clone(),
        connect_timeout: args.connect_timeout,
        command_timeout: args.command_timeout,
        maxrc: args.maxrc,
        set: args.set.clone(),
        ..ClushOverrides::default()
    }
}

/// Reads `clush.conf` and applies the command line over it.
pub(super) fn load(args: &RunArgs) -> Result<ClushConfig, Error> {
    ClushConfig::load(args.conf.as_deref(), &overrides(args))
}

/// The settings in the run mode of `-m`, if any.
pub(super) fn settings(config: &mut ClushConfig, args: &RunArgs) -> Result<ClushSettings, Error> {
    if let Some(mode) = &args.mode {
        config.set_mode(mode)?;
    }
    config.settings()
}
