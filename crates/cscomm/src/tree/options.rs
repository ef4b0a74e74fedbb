//! What a tree run needs to know besides the command and the targets.

use cscomm_ssh::{DEFAULT_FANOUT, SshOptions};

/// How a [`TreeRun`](super::TreeRun) reaches and runs its targets, with
/// ClusterShell's task info names and meanings.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeOptions {
    /// At most this many direct processes at once (`fanout`).
    pub fanout: usize,
    /// Standard error kept separate (`stderr=True`) or merged into stdout.
    pub stderr: bool,
    /// Run commands on the targets (`remote=True`) or locally, once per
    /// target, with `%h` substituted (`remote=False`).
    pub remote: bool,
    /// The command timeout in seconds, per target (`command_timeout`).
    pub timeout: Option<f64>,
    /// How ssh is invoked (`ssh_path`, `ssh_user`, `ssh_options`,
    /// `connect_timeout`).
    pub ssh: SshOptions,
    /// Reach targets and gateways by local execution instead of ssh
    /// (`tree_default:distant_workername` set to `Exec`): the demo and tests.
    pub local_workers: bool,
    /// The command that starts a gateway on a gateway host.
    pub invoke_gateway: String,
}

impl Default for TreeOptions {
    fn default() -> Self {
        TreeOptions {
            fanout: DEFAULT_FANOUT,
            stderr: true,
            remote: true,
            timeout: None,
            ssh: SshOptions::default(),
            local_workers: false,
            invoke_gateway: "python3 -m ClusterShell.Gateway -Bu".to_owned(),
        }
    }
}
