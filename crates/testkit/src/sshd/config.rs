//! The configuration files of the throwaway server and of its clients.

use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::Path;

/// How one test host name is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostKind {
    /// A node served by the server, with the authorized user key.
    Up,
    /// An address where nothing listens on the server's port: connection refused.
    Down,
    /// A node served by the server, but offered only a key it does not authorize.
    Denied,
}

/// A test host name and the loopback address it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostEntry {
    pub(crate) name: String,
    pub(crate) addr: Ipv4Addr,
    pub(crate) kind: HostKind,
}

/// Everything `sshd_config` needs.
pub(crate) struct ServerConfig<'a> {
    pub(crate) dir: &'a Path,
    pub(crate) port: u16,
    pub(crate) listen: &'a [Ipv4Addr],
    pub(crate) set_env: &'a [(String, String)],
    /// Run instead of every session's command (which it finds in
    /// `SSH_ORIGINAL_COMMAND`).
    pub(crate) force_command: Option<&'a Path>,
}

/// Renders the server configuration: key-only login of the current user, no
/// PAM, everything kept inside `dir`.
pub(crate) fn server_config(cfg: &ServerConfig<'_>) -> String {
    let dir = cfg.dir.display();
    let mut out = String::new();
    let _ = writeln!(out, "Port {}", cfg.port);
    for addr in cfg.listen {
        let _ = writeln!(out, "ListenAddress {addr}");
    }
    let _ = writeln!(out, "HostKey {dir}/host_ed25519");
    let _ = writeln!(out, "PidFile {dir}/sshd.pid");
    let _ = writeln!(out, "AuthorizedKeysFile {dir}/authorized_keys");
    out.push_str(
        "UsePAM no\n\
         StrictModes no\n\
         PubkeyAuthentication yes\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         AuthenticationMethods publickey\n\
         PermitRootLogin prohibit-password\n\
         UseDNS no\n\
         PrintMotd no\n\
         PrintLastLog no\n\
         X11Forwarding no\n\
         AllowAgentForwarding no\n\
         MaxStartups 1000\n\
         MaxSessions 1000\n\
         LoginGraceTime 30\n\
         LogLevel INFO\n\
         AcceptEnv LANG LC_* CLUSTERSHELL_* PYTHONPATH CSCOMM_TEST_HOST\n\
         Subsystem sftp /usr/lib/openssh/sftp-server\n",
    );
    if !cfg.set_env.is_empty() {
        out.push_str("SetEnv");
        for (key, value) in cfg.set_env {
            let _ = write!(out, " \"{key}={value}\"");
        }
        out.push('\n');
    }
    if let Some(command) = cfg.force_command {
        let _ = writeln!(out, "ForceCommand {}", command.display());
    }
    out
}

/// Renders the client configuration: one `Host` block per test name, then the
/// options every connection shares. Nothing outside `dir` is read or written.
pub(crate) fn client_config(dir: &Path, port: u16, hosts: &[HostEntry]) -> String {
    let dir = dir.display();
    let mut out = String::new();
    for host in hosts {
        let _ = writeln!(out, "Host {}\n    HostName {}", host.name, host.addr);
        // The name the session was reached by (the server accepts it).
        let _ = writeln!(out, "    SetEnv CSCOMM_TEST_HOST={}", host.name);
        if host.kind == HostKind::Denied {
            let _ = writeln!(out, "    IdentityFile {dir}/unauthorized_ed25519");
        }
    }
    // IdentityFile accumulates over matching blocks: the authorized key is
    // offered to every host but the denied ones.
    let denied: String = hosts
        .iter()
        .filter(|h| h.kind == HostKind::Denied)
        .map(|h| format!(" !{}", h.name))
        .collect();
    let _ = writeln!(out, "Host *{denied}\n    IdentityFile {dir}/id_ed25519");
    let _ = writeln!(
        out,
        "Host *\n    Port {port}\n    IdentitiesOnly yes\n    StrictHostKeyChecking no\n    \
         UserKnownHostsFile /dev/null\n    GlobalKnownHostsFile /dev/null\n    \
         BatchMode yes\n    LogLevel ERROR\n    ControlMaster no\n    ControlPath none"
    );
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn denied_hosts_are_excluded_from_the_authorized_identity() {
        let hosts = [
            HostEntry {
                name: "node1".into(),
                addr: Ipv4Addr::new(127, 0, 0, 1),
                kind: HostKind::Up,
            },
            HostEntry {
                name: "denied1".into(),
                addr: Ipv4Addr::new(127, 0, 0, 2),
                kind: HostKind::Denied,
            },
        ];
        let text = client_config(Path::new("/d"), 2222, &hosts);
        assert!(text.contains("Host node1\n    HostName 127.0.0.1\n"));
        assert!(text.contains(
            "Host denied1\n    HostName 127.0.0.2\n    SetEnv CSCOMM_TEST_HOST=denied1\n    \
             IdentityFile /d/unauthorized_ed25519\n"
        ));
        assert!(text.contains("Host * !denied1\n    IdentityFile /d/id_ed25519\n"));
        assert!(text.contains("Port 2222"));
    }

    #[test]
    fn server_config_lists_every_address_and_env() {
        let addrs = [Ipv4Addr::new(127, 0, 0, 1), Ipv4Addr::new(127, 0, 0, 2)];
        let env = [("PATH".to_string(), "/a:/b".to_string())];
        let text = server_config(&ServerConfig {
            dir: Path::new("/d"),
            port: 4000,
            listen: &addrs,
            set_env: &env,
            force_command: None,
        });
        assert!(text.contains("ListenAddress 127.0.0.1\nListenAddress 127.0.0.2\n"));
        assert!(text.contains("SetEnv \"PATH=/a:/b\"\n"));
        assert!(text.contains("AuthorizedKeysFile /d/authorized_keys\n"));
    }
}
