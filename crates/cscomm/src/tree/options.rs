//! What a tree run needs to know besides the command and the targets.

use std::sync::Arc;

use cscomm_message::{PickledTopology, TaskInfo};
use cscomm_ssh::{DEFAULT_FANOUT, SshOptions};

/// How a [`TreeRun`](super::TreeRun) reaches and runs its targets, with
/// ClusterShell's task info names and meanings.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
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
    /// Run `remote=False` commands over ssh instead of locally
    /// (`tree_default:local_workername` set to `ssh`): no `%h` substitution.
    pub local_worker_ssh: bool,
    /// The command that starts a gateway on a gateway host.
    pub invoke_gateway: String,
    /// The task settings sent to gateways with each command (ClusterShell's
    /// `taskinfo`), forwarded unchanged by a gateway to its sub-gateways.
    pub taskinfo: TaskInfo,
    /// The propagation tree; `None` reaches every target directly.
    pub topology: Option<Arc<PickledTopology>>,
    /// This node's name in the tree (the admin node, or the gateway's name),
    /// from which targets are routed.
    pub root: String,
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
            local_worker_ssh: false,
            invoke_gateway: "python3 -m ClusterShell.Gateway -Bu".to_owned(),
            taskinfo: TaskInfo::default(),
            topology: None,
            root: String::new(),
        }
    }
}
