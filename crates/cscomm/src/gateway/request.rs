//! A gateway's reading of a `shell` request: the settings of its tree run.

use cscomm_message::{ShellRequest, TaskInfo};
use cscomm_pickle::Value;
use cscomm_ssh::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_FANOUT, SshOptions};

use crate::tree::TreeOptions;

/// The tree-run settings a gateway applies for `request`, as ClusterShell's
/// gateway applies the request's `taskinfo` to its task: fanout, ssh
/// settings, and `tree_default:distant_workername` (`exec` means targets
/// and sub-gateways are reached by local execution).
pub fn tree_options(request: &ShellRequest) -> TreeOptions {
    let info = &request.taskinfo;
    let mut ssh = SshOptions::default();
    ssh.path = info.ssh_path().map(str::to_owned);
    ssh.user = info.ssh_user().map(str::to_owned);
    ssh.options = info.ssh_options().map(str::to_owned);
    ssh.connect_timeout = info.connect_timeout().unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    TreeOptions {
        fanout: fanout(info),
        stderr: request.stderr,
        remote: request.remote,
        timeout: request.timeout_secs(),
        ssh,
        local_workers: tree_default_is(info, "distant_workername", "exec"),
        local_worker_ssh: tree_default_is(info, "local_workername", "ssh"),
        invoke_gateway: request.invoke_gateway.clone(),
        taskinfo: info.clone(),
        ..TreeOptions::default()
    }
}

fn fanout(info: &TaskInfo) -> usize {
    info.fanout()
        .and_then(|f| usize::try_from(f).ok())
        .filter(|f| *f > 0)
        .unwrap_or(DEFAULT_FANOUT)
}

/// Whether `tree_default:<key>` names the worker `worker`.
fn tree_default_is(info: &TaskInfo, key: &str, worker: &str) -> bool {
    info.tree_defaults().any(|(k, value)| {
        k == key
            && value
                .as_str()
                .is_some_and(|name| name.eq_ignore_ascii_case(worker))
    })
}

/// Sets `tree_default:distant_workername` to `exec` in `info`: what a
/// local demo sends so that gateways reach everything by local execution.
pub fn request_local_workers(info: &mut TaskInfo) {
    info.set("tree_default:distant_workername", Value::from("exec"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taskinfo_settings_become_tree_options() {
        let mut request = ShellRequest::new("uname -r");
        request.stderr = true;
        request.remote = false;
        request.taskinfo.set("fanout", Value::Int(8));
        request.taskinfo.set("ssh_user", Value::from("admin"));
        request.taskinfo.set("connect_timeout", Value::Float(2.5));
        request_local_workers(&mut request.taskinfo);
        let options = tree_options(&request);
        assert_eq!(options.fanout, 8);
        assert!(options.stderr && !options.remote && options.local_workers);
        assert_eq!(options.ssh.user.as_deref(), Some("admin"));
        assert_eq!(options.ssh.connect_timeout, 2.5);
        assert_eq!(options.timeout, None);
    }

    #[test]
    fn missing_or_bad_settings_fall_back_to_clustershell_defaults() {
        let mut request = ShellRequest::new("true");
        request.taskinfo.set("fanout", Value::Int(-3));
        let options = tree_options(&request);
        assert_eq!(options.fanout, DEFAULT_FANOUT);
        assert_eq!(options.ssh.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
        assert!(!options.local_workers);
    }
}
