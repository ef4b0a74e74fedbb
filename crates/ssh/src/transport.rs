//! How a target is reached: the OpenSSH client, or a local shell.

use crate::Error;
use crate::pattern::substitute;
use crate::shlex::split_and_expand;

/// ClusterShell's default connect timeout, in seconds (`connect_timeout`).
pub const DEFAULT_CONNECT_TIMEOUT: f64 = 10.0;

/// The shell that runs local commands, as in ClusterShell (`/bin/sh -c`).
pub const LOCAL_SHELL: &str = "/bin/sh";

/// The OpenSSH client settings, with ClusterShell's names and meaning.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SshOptions {
    /// `ssh_path`: the client command, split into words (default `ssh`).
    pub path: Option<String>,
    /// `ssh_user`: the remote user, passed as `-l user`.
    pub user: Option<String>,
    /// `ssh_options`: extra options, split into words and placed first so
    /// they override the built-in ones.
    pub options: Option<String>,
    /// `connect_timeout` in seconds; passed as `-oConnectTimeout=N` (whole
    /// seconds, truncated) when above zero.
    pub connect_timeout: f64,
}

impl Default for SshOptions {
    fn default() -> Self {
        SshOptions {
            path: None,
            user: None,
            options: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }
}

impl SshOptions {
    /// Sets [`SshOptions::path`] (`ssh_path`).
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sets [`SshOptions::user`] (`ssh_user`).
    pub fn with_user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Sets [`SshOptions::options`] (`ssh_options`).
    pub fn with_options(mut self, options: impl Into<String>) -> Self {
        self.options = Some(options.into());
        self
    }

    /// Sets [`SshOptions::connect_timeout`] (seconds; 0: none).
    pub fn with_connect_timeout(mut self, seconds: f64) -> Self {
        self.connect_timeout = seconds;
        self
    }

    /// The argument vector ClusterShell builds to run `command` on `host`:
    /// `ssh [ssh_options] -oForwardAgent=no -oForwardX11=no [-l user]
    /// [-oConnectTimeout=N] -oBatchMode=yes host command`, with `~` expanded
    /// in every word of `ssh_path` and `ssh_options`. The command is one
    /// argument, handed to the remote user's shell.
    ///
    /// ```
    /// use cscomm_ssh::SshOptions;
    /// let ssh = SshOptions::default().with_user("admin").with_options("-p 2222");
    /// let argv = ssh.argv("node1", "uname -r").unwrap();
    /// assert_eq!(argv, ["ssh", "-p", "2222", "-oForwardAgent=no", "-oForwardX11=no",
    ///     "-l", "admin", "-oConnectTimeout=10", "-oBatchMode=yes", "node1", "uname -r"]);
    /// ```
    pub fn argv(&self, host: &str, command: &str) -> Result<Vec<String>, Error> {
        let path = self
            .path
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or("ssh");
        let mut argv = split_and_expand(path)?;
        if argv.is_empty() {
            return Err(Error::EmptySshPath);
        }
        if let Some(options) = self.options.as_deref().filter(|o| !o.is_empty()) {
            argv.extend(split_and_expand(options)?);
        }
        argv.push("-oForwardAgent=no".into());
        argv.push("-oForwardX11=no".into());
        if let Some(user) = self.user.as_deref().filter(|u| !u.is_empty()) {
            argv.push("-l".into());
            argv.push(user.into());
        }
        // Python formats the float with "%d": truncation toward zero.
        if self.connect_timeout > 0.0 && self.connect_timeout.is_finite() {
            argv.push(format!("-oConnectTimeout={}", self.connect_timeout.trunc()));
        }
        argv.push("-oBatchMode=yes".into());
        argv.push(host.into());
        argv.push(command.into());
        Ok(argv)
    }
}

/// How commands reach their targets.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum Transport {
    /// Through the OpenSSH client: `ssh ... host command`. The command is
    /// sent as is (ClusterShell substitutes nothing in remote commands).
    Ssh(SshOptions),
    /// On this machine, once per target, through `/bin/sh -c`, after
    /// substituting `%h`, `%host`, `%hosts`, `%n`, `%rank` (see
    /// [`substitute`](crate::substitute)).
    #[default]
    Local,
}

impl Transport {
    /// The argument vector that runs `command` for target `host` of `rank`.
    pub fn argv(&self, host: &str, rank: usize, command: &str) -> Result<Vec<String>, Error> {
        match self {
            Transport::Ssh(ssh) => ssh.argv(host, command),
            Transport::Local => Ok(vec![
                LOCAL_SHELL.to_string(),
                "-c".to_string(),
                substitute(command, host, rank)?,
            ]),
        }
    }

    /// Whether commands run remotely (ssh failures are then recognized).
    pub fn is_remote(&self) -> bool {
        matches!(self, Transport::Ssh(_))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn connect_timeout_is_truncated_and_skipped_when_not_positive() {
        let mut ssh = SshOptions::default().with_connect_timeout(2.9);
        assert!(
            ssh.argv("h", "c")
                .unwrap()
                .contains(&"-oConnectTimeout=2".to_string())
        );
        ssh.connect_timeout = 0.0;
        let argv = ssh.argv("h", "c").unwrap();
        assert!(!argv.iter().any(|a| a.starts_with("-oConnectTimeout")));
    }

    #[test]
    fn an_empty_path_is_an_error() {
        let ssh = SshOptions::default().with_path("   ");
        assert!(matches!(ssh.argv("h", "c"), Err(Error::EmptySshPath)));
    }

    #[test]
    fn local_commands_run_through_sh() {
        let argv = Transport::Local.argv("n1", 4, "echo %h %n").unwrap();
        assert_eq!(argv, ["/bin/sh", "-c", "echo n1 4"]);
    }
}
