//! Real `clush` 1.10.1 runs in tree mode over the throwaway sshd.
//!
//! [`Clush`] writes a private `CLUSTERSHELL_CFGDIR` for each run: a
//! `clush.conf` whose `ssh_options` select the test server's client
//! configuration (`-F <ssh_config>`, so `node1`, `gw1`, `down1`... resolve to
//! loopback addresses) and a `topology.conf` whose root is this machine's
//! short host name as ClusterShell computes it. The gateway program is chosen
//! with [`GatewayExe`]: `CLUSTERSHELL_GW_PYTHON_EXECUTABLE` names it, so the
//! admin starts it as `ssh gw1 <exe> -m ClusterShell.Gateway -Bu`.
//!
//! How the pieces find each other (checked against 1.10.1):
//! - clush reaches the gateways with its task's ssh settings, and sends those
//!   same settings (`ssh_path`, `ssh_user`, `ssh_options`) to each gateway in
//!   the CTL taskinfo; a gateway therefore reaches the nodes with
//!   `ssh -F <ssh_config>` too. Neither the `ssh` wrappers on `PATH` nor a
//!   remote `PATH` (sshd `SetEnv`) is needed, and none is used here.
//! - The gateway executable is named by absolute path, so the remote shell's
//!   `PATH` does not matter either. Its log goes to a private
//!   `CLUSTERSHELL_GW_LOG_DIR`, returned with the run.
//!
//! Every run has a deadline: when it passes, clush's process group is killed
//! and [`ClushOutput::timed_out`] is set, so a hung gateway fails a test
//! instead of hanging it. After the run, processes still carrying the run's
//! private log directory in their environment (gateways and the ssh clients
//! they started) are waited for, then killed and listed in
//! [`ClushOutput::leftovers`].
//!
//! ```no_run
//! use cscomm_testkit::clush::{Clush, GatewayExe, Topology};
//! let out = Clush::new(cscomm_testkit::clush::sshd())
//!     .topology(Topology::one_level("gw1", "node[1-4]"))
//!     .gateway(GatewayExe::python())
//!     .nodes("node[1-4]")
//!     .arg("-b")
//!     .command("echo hello")
//!     .run();
//! assert_eq!(out.exit_code, Some(0));
//! assert_eq!(out.normalised().stdout_of("node3"), ["hello"]);
//! ```

mod gateway;
mod leftovers;
mod nodeset;
mod normalise;
mod process;
mod scenario;
mod topology;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub use gateway::{GATEWAY_ENV, GatewayExe};
pub use normalise::Normalised;
pub use process::{Finished, run_with_deadline};
pub use scenario::{Scenario, run_scenario, scenario, scenarios};
pub use topology::{ADMIN, Topology, admin_short_name};

use crate::python::Python;
use crate::sshd::Sshd;

/// The node names of a folded node set such as `node[1-3,5],gw1`, in
/// order; `None` when the text is not a node set (only the simple forms
/// clush prints here are understood: prefixes, bracketed ranges, commas).
pub fn expand_nodeset(text: &str) -> Option<Vec<String>> {
    nodeset::expand(text)
}

/// The session home directory of [`sshd`]: it does not exist, so no
/// shell startup file runs (a developer's `~/.bashrc` may print noise) and
/// no ssh client on the gateway side reads or writes a `~/.ssh`.
pub const SESSION_HOME: &str = "/nonexistent/cscomm-clush";

/// One server for all clush runs of the test process: the default host
/// names (see [`crate::sshd::SshdBuilder::default`]), sessions with
/// `HOME` set to [`SESSION_HOME`], so that what a node prints does not
/// depend on the login shell's startup files.
pub fn sshd() -> &'static Sshd {
    static SHARED: OnceLock<Sshd> = OnceLock::new();
    SHARED.get_or_init(|| Sshd::builder().set_env("HOME", SESSION_HOME).start())
}

/// How long a run may take unless [`Clush::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// How long gateways may take to go away after clush has exited.
const LEFTOVER_GRACE: Duration = Duration::from_secs(2);

/// A `clush` run to make: topology, gateway, flags, command and stdin.
#[derive(Debug, Clone)]
pub struct Clush<'a> {
    sshd: &'a Sshd,
    topology: Topology,
    gateway: GatewayExe,
    nodes: Option<String>,
    args: Vec<String>,
    command: Option<String>,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
    config: Vec<(String, String)>,
    env: Vec<(String, String)>,
}

impl<'a> Clush<'a> {
    /// A run against `sshd` with no topology (direct mode), the Python
    /// gateway, fanout 64 and the [`DEFAULT_TIMEOUT`].
    pub fn new(sshd: &'a Sshd) -> Clush<'a> {
        Clush {
            sshd,
            topology: Topology::new(),
            gateway: GatewayExe::python(),
            nodes: None,
            args: Vec::new(),
            command: None,
            stdin: None,
            timeout: DEFAULT_TIMEOUT,
            config: vec![("fanout".into(), "64".into())],
            env: Vec::new(),
        }
    }

    /// The tree to use; an empty one means direct mode.
    pub fn topology(mut self, topology: Topology) -> Self {
        self.topology = topology;
        self
    }

    /// The gateway program.
    pub fn gateway(mut self, gateway: GatewayExe) -> Self {
        self.gateway = gateway;
        self
    }

    /// The target nodes (`-w`).
    pub fn nodes(mut self, nodes: &str) -> Self {
        self.nodes = Some(nodes.to_string());
        self
    }

    /// One more clush flag (`-b`, `-S`, `-q`...), before the command.
    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_string());
        self
    }

    /// More clush flags (`["-u", "2"]`, `["-x", "node3"]`...).
    pub fn args<S: AsRef<str>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_string()));
        self
    }

    /// The command run on every node (one shell string).
    pub fn command(mut self, command: &str) -> Self {
        self.command = Some(command.to_string());
        self
    }

    /// Bytes clush reads on its stdin and forwards to every node; without
    /// it, stdin is `/dev/null`.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// The deadline of the whole run.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The fanout in `clush.conf` (default 64).
    pub fn fanout(self, fanout: u32) -> Self {
        self.config("fanout", &fanout.to_string())
    }

    /// Sets a `[Main]` key of `clush.conf` (`ssh_options` is appended to
    /// the `-F <ssh_config>` the run needs).
    pub fn config(mut self, key: &str, value: &str) -> Self {
        self.config.retain(|(k, _)| k != key);
        self.config.push((key.to_string(), value.to_string()));
        self
    }

    /// Sets an environment variable of clush (`CLUSTERSHELL_GW_LOG_LEVEL`...).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Whether stdout comes in `-b`/`-B` blocks.
    fn gathered(&self) -> bool {
        self.args
            .iter()
            .any(|a| matches!(a.as_str(), "-b" | "-B" | "--dshbak"))
    }

    /// Runs clush and collects everything; never hangs past the deadline.
    ///
    /// # Panics
    /// When the peer is missing or the private directory cannot be written.
    pub fn run(&self) -> ClushOutput {
        let dir = RunDir::create();
        self.write_config(&dir);
        let gwlog = dir.path.join("gwlog");
        let cmd = self.command_line(&dir, &gwlog);
        let done = process::run_with_deadline(cmd, self.stdin.clone(), self.timeout);
        let leftovers = leftovers::reap(&gwlog, LEFTOVER_GRACE);
        ClushOutput {
            exit_code: done.status.code(),
            stdout: done.stdout,
            stderr: done.stderr,
            elapsed: done.elapsed,
            timed_out: done.timed_out,
            gateway_log: read_logs(&gwlog),
            leftovers,
            gathered: self.gathered(),
            port: self.sshd.port(),
        }
    }

    fn write_config(&self, dir: &RunDir) {
        let mut conf = String::from("[Main]\nconfdir:\ncolor: never\nverbosity: 1\n");
        let mut ssh_options = self.sshd.ssh_options();
        for (key, value) in &self.config {
            if key == "ssh_options" {
                let _ = write!(ssh_options, " {value}");
            } else {
                let _ = writeln!(conf, "{key}: {value}");
            }
        }
        let _ = writeln!(conf, "ssh_options: {ssh_options}");
        dir.write("cfg/clush.conf", &conf);
        if !self.topology.is_empty() {
            dir.write(
                "cfg/topology.conf",
                &self.topology.render(admin_short_name()),
            );
        }
    }

    fn command_line(&self, dir: &RunDir, gwlog: &Path) -> Command {
        let python = Python::clustershell();
        let mut cmd = Command::new(python.bin_dir().join("clush"));
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("CLUSTERSHELL_") || key == "PYTHONPATH" {
                cmd.env_remove(&*key);
            }
        }
        std::fs::create_dir_all(gwlog).expect("private dir is writable");
        cmd.env("CLUSTERSHELL_CFGDIR", dir.path.join("cfg"))
            .env("CLUSTERSHELL_GW_PYTHON_EXECUTABLE", self.gateway.program())
            .env("CLUSTERSHELL_GW_LOG_DIR", gwlog)
            .env("XDG_CONFIG_HOME", dir.path.join("xdg"))
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        if let Some(nodes) = &self.nodes {
            cmd.args(["-w", nodes]);
        }
        cmd.args(&self.args);
        if let Some(command) = &self.command {
            cmd.arg(command);
        }
        cmd
    }
}

/// What a `clush` run produced.
#[derive(Debug, Clone)]
pub struct ClushOutput {
    /// clush's exit code; `None` when it was killed (see `timed_out`).
    pub exit_code: Option<i32>,
    /// Everything clush wrote on stdout.
    pub stdout: Vec<u8>,
    /// Everything clush wrote on stderr.
    pub stderr: Vec<u8>,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Whether the deadline passed and the run was killed.
    pub timed_out: bool,
    /// The gateways' log files (`<host>.gw.log`), concatenated.
    pub gateway_log: String,
    /// Processes of the run still alive after the grace period (pid and
    /// command line); they were killed.
    pub leftovers: Vec<String>,
    gathered: bool,
    port: u16,
}

impl ClushOutput {
    /// The comparable view of this run (see [`Normalised`]).
    pub fn normalised(&self) -> Normalised {
        let code = if self.timed_out { None } else { self.exit_code };
        Normalised::from_output(
            code,
            &self.stdout,
            &self.stderr,
            self.gathered,
            Some(self.port),
        )
    }

    /// A text for failure messages: exit code, outputs, gateway log.
    pub fn diagnostics(&self) -> String {
        format!(
            "exit code {:?} after {:?}{}\n--- stdout\n{}--- stderr\n{}--- gateway log\n{}\
             --- leftovers {:?}",
            self.exit_code,
            self.elapsed,
            if self.timed_out { " (TIMED OUT)" } else { "" },
            String::from_utf8_lossy(&self.stdout),
            String::from_utf8_lossy(&self.stderr),
            self.gateway_log,
            self.leftovers,
        )
    }
}

/// A private directory for one run, removed when dropped.
struct RunDir {
    path: PathBuf,
}

impl RunDir {
    fn create() -> RunDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let name = format!("cscomm-clush-{}-{n}", std::process::id());
            let path = std::env::temp_dir().join(name);
            match std::fs::create_dir(&path) {
                Ok(()) => {
                    std::fs::create_dir(path.join("cfg")).expect("private dir is writable");
                    return RunDir { path };
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => panic!("cannot create {}: {e}", path.display()),
            }
        }
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.path.join(name);
        std::fs::write(&path, text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn read_logs(dir: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return String::new();
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    let mut out = String::new();
    for path in paths {
        let text = std::fs::read(&path).unwrap_or_default();
        let _ = writeln!(out, "== {}", path.display());
        out.push_str(&String::from_utf8_lossy(&text));
    }
    out
}
