//! A throwaway OpenSSH server on loopback addresses.
//!
//! [`Sshd`] runs the system's `/usr/sbin/sshd` in the foreground as a child
//! process, with host and user keys made for it by `ssh-keygen` in a fresh
//! temporary directory and its own configuration: key-only login of the
//! current user, no PAM, listening on `127.0.0.1` to `127.0.0.8` on a free
//! port. Clients use the `ssh_config` it writes (`ssh -F <config>`), which
//! maps test host names to those addresses; the user's `~/.ssh` is never read
//! or written.
//!
//! The server is stopped and its directory removed when the [`Sshd`] value
//! is dropped, and also when the test process dies: a small watchdog shell
//! holds the server and ends it as soon as the pipe from this process closes.
//!
//! As root, the privilege separation directory `/run/sshd` that sshd insists
//! on is created when missing. A non-root user can run the server too (it
//! then logs in only that user, whose account must not be locked, and
//! `/run/sshd` must already exist). Login shells' startup files still run:
//! they may add to the `PATH` set with [`SshdBuilder::path`].
//!
//! ```no_run
//! use cscomm_testkit::sshd::Sshd;
//! let sshd = Sshd::start();
//! let out = std::process::Command::new("ssh")
//!     .args(sshd.ssh_args())
//!     .args(["node1", "echo hello"])
//!     .output()
//!     .unwrap();
//! assert_eq!(out.stdout, b"hello\n");
//! ```

mod config;

use std::ffi::OsString;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use config::{HostEntry, HostKind, ServerConfig};

/// The server binary (Debian package `openssh-server`).
pub const SSHD_PATH: &str = "/usr/sbin/sshd";

/// How many loopback addresses the server listens on (`127.0.0.1` to `127.0.0.8`).
pub const LISTEN_ADDRESSES: u8 = 8;

const START_ATTEMPTS: usize = 10;
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// Stops the server when stdin closes, then removes the directory. The
/// background job ignores SIGINT (non-interactive shell), hence the trap.
const WATCHDOG: &str = r#"dir=$1
"$2" -D -e -f "$dir/sshd_config" 2>>"$dir/sshd.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid; rm -rf "$dir"; exit 0' INT TERM HUP
read -r _ || :
kill $pid 2>/dev/null
wait $pid
rm -rf "$dir"
"#;

/// Chooses the host names of a throwaway server before starting it.
#[derive(Debug, Clone)]
pub struct SshdBuilder {
    hosts: Vec<HostEntry>,
    set_env: Vec<(String, String)>,
    private_dirs: Option<PrivateDirs>,
}

/// Each host's own files: `root/<host name>` seen at `mount` in its
/// sessions (a private mount namespace per session).
#[derive(Debug, Clone)]
struct PrivateDirs {
    root: PathBuf,
    mount: PathBuf,
}

/// The `ForceCommand` of a server with private directories: the session's
/// host name comes from the client (`SetEnv CSCOMM_TEST_HOST`), its
/// directory is bound at the mount point in a mount namespace of its own
/// (with what is mounted below it: a test may give a host a small file
/// system), then the command runs as it would have.
const PRIVATE_DIRS: &str = r#"#!/bin/sh
host=${CSCOMM_TEST_HOST:?no test host name}
mkdir -p "$CSCOMM_PRIVATE_ROOT/$host" "$CSCOMM_PRIVATE_MOUNT" || exit 255
exec unshare --mount --propagation private /bin/sh -c   'mount --rbind "$1" "$2" || exit 255; exec "${SHELL:-/bin/sh}" -c "$SSH_ORIGINAL_COMMAND"'   cscomm-private-dirs "$CSCOMM_PRIVATE_ROOT/$host" "$CSCOMM_PRIVATE_MOUNT"
"#;

impl Default for SshdBuilder {
    /// `node1`..`node32` (on the 8 addresses in turn), `gw1`..`gw8`
    /// (`127.0.0.1`..`127.0.0.8`), `down1`..`down4` (refused) and `denied1`
    /// (a key the server does not authorize).
    fn default() -> Self {
        SshdBuilder::empty()
            .nodes("node", 32)
            .nodes("gw", 8)
            .down_hosts("down", 4)
            .denied_host("denied1")
    }
}

impl SshdBuilder {
    /// A builder with no host name at all (see [`SshdBuilder::default`]).
    pub fn empty() -> Self {
        SshdBuilder {
            hosts: Vec::new(),
            set_env: Vec::new(),
            private_dirs: None,
        }
    }

    /// Maps `name` to `127.0.0.<index>`, `index` in `1..=8`.
    ///
    /// # Panics
    /// When `index` is not an address the server listens on.
    pub fn host(mut self, name: &str, index: u8) -> Self {
        assert!(
            (1..=LISTEN_ADDRESSES).contains(&index),
            "the server listens on 127.0.0.1 to 127.0.0.{LISTEN_ADDRESSES}, not 127.0.0.{index}"
        );
        self.push(name, Ipv4Addr::new(127, 0, 0, index), HostKind::Up);
        self
    }

    /// Maps `<prefix>1`..`<prefix><count>` to the listening addresses in turn.
    pub fn nodes(mut self, prefix: &str, count: usize) -> Self {
        for i in 0..count {
            let index = (i % usize::from(LISTEN_ADDRESSES)) as u8 + 1;
            self = self.host(&format!("{prefix}{}", i + 1), index);
        }
        self
    }

    /// Maps `<prefix>1`..`<prefix><count>` to loopback addresses where nothing
    /// listens on the server's port (`127.0.0.101` and up): connection refused.
    pub fn down_hosts(mut self, prefix: &str, count: usize) -> Self {
        for i in 0..count.min(100) {
            let addr = Ipv4Addr::new(127, 0, 0, 101 + i as u8);
            self.push(&format!("{prefix}{}", i + 1), addr, HostKind::Down);
        }
        self
    }

    /// Maps `name` to `127.0.0.1` with only a key the server does not accept:
    /// permission denied.
    pub fn denied_host(mut self, name: &str) -> Self {
        self.push(name, Ipv4Addr::LOCALHOST, HostKind::Denied);
        self
    }

    /// Sets an environment variable in every session (`SetEnv`). Sessions
    /// have a private, empty `HOME` unless this sets one.
    pub fn set_env(mut self, key: &str, value: &str) -> Self {
        self.set_env.push((key.to_string(), value.to_string()));
        self
    }

    /// Gives every host name files of its own, as separate machines have:
    /// in a session of host `h`, `mount` shows the directory `root/h`
    /// (made when missing), in a mount namespace of that session only
    /// (needs root, `unshare` and `mount`). For file copies to many nodes
    /// on one machine.
    pub fn private_dirs(mut self, root: &Path, mount: &Path) -> Self {
        self.private_dirs = Some(PrivateDirs {
            root: root.to_path_buf(),
            mount: mount.to_path_buf(),
        });
        self
    }

    /// Sets `PATH` in every session (`SetEnv PATH=...`).
    pub fn path(self, value: &str) -> Self {
        self.set_env("PATH", value)
    }

    fn push(&mut self, name: &str, addr: Ipv4Addr, kind: HostKind) {
        self.hosts.retain(|h| h.name != name);
        self.hosts.push(HostEntry {
            name: name.to_string(),
            addr,
            kind,
        });
    }

    /// Starts the server and waits until it accepts connections.
    ///
    /// # Panics
    /// When `sshd` or `ssh-keygen` is missing (run `tools/install-peers`) or
    /// the server does not start; the message carries the server's log.
    pub fn start(self) -> Sshd {
        Sshd::launch(self)
    }
}

/// A running throwaway OpenSSH server; stopped when dropped.
#[derive(Debug)]
pub struct Sshd {
    dir: PathBuf,
    port: u16,
    hosts: Vec<HostEntry>,
    watchdog: Child,
    watchdog_stdin: Option<ChildStdin>,
}

impl Sshd {
    /// Starts a server with the default host names (see [`SshdBuilder::default`]).
    pub fn start() -> Sshd {
        SshdBuilder::default().start()
    }

    /// A builder to choose host names and session environment.
    pub fn builder() -> SshdBuilder {
        SshdBuilder::default()
    }

    /// One server shared by the whole test process, started on first use
    /// with the default host names; it ends with the process.
    pub fn shared() -> &'static Sshd {
        static SHARED: OnceLock<Sshd> = OnceLock::new();
        SHARED.get_or_init(Sshd::start)
    }

    /// The TCP port the server listens on, on every address.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory holding keys, configurations and the log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The client configuration to pass with `ssh -F`.
    pub fn config_path(&self) -> PathBuf {
        self.dir.join("ssh_config")
    }

    /// The private key the server authorizes.
    pub fn identity(&self) -> PathBuf {
        self.dir.join("id_ed25519")
    }

    /// A private key the server does not authorize.
    pub fn unauthorized_identity(&self) -> PathBuf {
        self.dir.join("unauthorized_ed25519")
    }

    /// The `ssh` arguments that select this server's client configuration.
    pub fn ssh_args(&self) -> Vec<String> {
        vec!["-F".to_string(), self.config_path().display().to_string()]
    }

    /// The same as one string, for ClusterShell's `ssh_options`.
    pub fn ssh_options(&self) -> String {
        format!("-F {}", self.config_path().display())
    }

    /// A directory with `ssh` and `scp` scripts that add `-F <config>`, for
    /// programs (such as `clush`) that run plain `ssh` from `PATH`.
    pub fn wrapper_dir(&self) -> PathBuf {
        self.dir.join("bin")
    }

    /// The current `PATH` with [`Sshd::wrapper_dir`] in front.
    pub fn path_with_wrappers(&self) -> OsString {
        let mut dirs = vec![self.wrapper_dir()];
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        std::env::join_paths(dirs).unwrap_or_default()
    }

    /// Every test host name served with the authorized key.
    pub fn nodes(&self) -> Vec<&str> {
        self.names(HostKind::Up)
    }

    /// The host names whose connection is refused.
    pub fn down_hosts(&self) -> Vec<&str> {
        self.names(HostKind::Down)
    }

    /// The host names offered only an unauthorized key.
    pub fn denied_hosts(&self) -> Vec<&str> {
        self.names(HostKind::Denied)
    }

    /// The loopback address a test host name stands for.
    pub fn address_of(&self, name: &str) -> Option<Ipv4Addr> {
        self.hosts.iter().find(|h| h.name == name).map(|h| h.addr)
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }

    fn names(&self, kind: HostKind) -> Vec<&str> {
        let hosts = self.hosts.iter().filter(|h| h.kind == kind);
        hosts.map(|h| h.name.as_str()).collect()
    }

    fn launch(builder: SshdBuilder) -> Sshd {
        assert!(
            Path::new(SSHD_PATH).exists(),
            "{SSHD_PATH} is missing: run tools/install-peers (Debian package openssh-server)"
        );
        ensure_privsep_dir();
        let listen: Vec<Ipv4Addr> = (1..=LISTEN_ADDRESSES)
            .map(|i| Ipv4Addr::new(127, 0, 0, i))
            .collect();
        let mut last_log = String::new();
        for _ in 0..START_ATTEMPTS {
            let dir = unique_dir();
            let port = free_port(&listen);
            prepare_dir(&dir, port, &listen, &builder);
            let (watchdog, stdin) = spawn_watchdog(&dir);
            let sshd = Sshd {
                dir,
                port,
                hosts: builder.hosts.clone(),
                watchdog,
                watchdog_stdin: Some(stdin),
            };
            match sshd.wait_listening(&listen) {
                Ok(()) => return sshd,
                // Another process took the port meanwhile: dropping stops this
                // attempt, and the next one uses another port.
                Err(log) => last_log = log,
            }
        }
        panic!("sshd did not start after {START_ATTEMPTS} attempts; last log:\n{last_log}");
    }

    /// Waits for one "Server listening" line per address; an error carries the log.
    fn wait_listening(&self, listen: &[Ipv4Addr]) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let log = self.log();
            let listening = listen.iter().all(|addr| {
                log.contains(&format!("Server listening on {addr} port {}.", self.port))
            });
            if listening {
                return Ok(());
            }
            if log.contains("failed: Address already in use") || log.contains("Cannot bind") {
                return Err(log);
            }
            if log.contains("fatal") || Instant::now() > deadline {
                panic!("sshd failed to start; its log:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn stop(&mut self) {
        drop(self.watchdog_stdin.take());
        let _ = self.watchdog.wait();
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Keys, wrappers and both configurations for one start attempt.
fn prepare_dir(dir: &Path, port: u16, listen: &[Ipv4Addr], builder: &SshdBuilder) {
    make_keys(dir);
    write_wrappers(dir);
    let mut set_env = session_env(dir, builder);
    let force_command = builder.private_dirs.as_ref().map(|private| {
        set_env.push((
            "CSCOMM_PRIVATE_ROOT".to_owned(),
            private.root.display().to_string(),
        ));
        set_env.push((
            "CSCOMM_PRIVATE_MOUNT".to_owned(),
            private.mount.display().to_string(),
        ));
        let script = dir.join("private-dirs");
        write(&script, PRIVATE_DIRS);
        set_executable(&script);
        script
    });
    let server = config::server_config(&ServerConfig {
        dir,
        port,
        listen,
        set_env: &set_env,
        force_command: force_command.as_deref(),
    });
    write(&dir.join("sshd_config"), &server);
    let client = config::client_config(dir, port, &builder.hosts);
    write(&dir.join("ssh_config"), &client);
}

/// The builder's session environment, with a private, empty `HOME` inside
/// `dir` unless it sets one: the user's shell start-up files (which may
/// print, as `pyenv` does under concurrent logins) never run in a session.
fn session_env(dir: &Path, builder: &SshdBuilder) -> Vec<(String, String)> {
    let mut env = builder.set_env.clone();
    if !env.iter().any(|(key, _)| key == "HOME") {
        let home = dir.join("home");
        std::fs::create_dir_all(&home)
            .unwrap_or_else(|e| panic!("creating {}: {e}", home.display()));
        env.push(("HOME".to_owned(), home.display().to_string()));
    }
    env
}

fn spawn_watchdog(dir: &Path) -> (Child, ChildStdin) {
    let mut child = Command::new("/bin/sh")
        .args(["-c", WATCHDOG, "cscomm-sshd-watchdog"])
        .arg(dir)
        .arg(SSHD_PATH)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run /bin/sh for the sshd watchdog: {e}"));
    let stdin = child.stdin.take().expect("stdin was piped");
    (child, stdin)
}

/// sshd insists on its privilege separation directory; as root we can make it.
fn ensure_privsep_dir() {
    let dir = Path::new("/run/sshd");
    if !dir.exists() {
        // Failure (not root) is reported by sshd itself with a clear message.
        let _ = std::fs::create_dir_all(dir);
    }
}

fn unique_dir() -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("cscomm-sshd-{}-{n}-{nanos:x}", std::process::id());
        let dir = std::env::temp_dir().join(name);
        match std::fs::create_dir(&dir) {
            Ok(()) => return dir,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("cannot create {}: {e}", dir.display()),
        }
    }
}

fn make_keys(dir: &Path) {
    for name in ["host_ed25519", "id_ed25519", "unauthorized_ed25519"] {
        let path = dir.join(name);
        let out = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "cscomm-test", "-f"])
            .arg(&path)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run ssh-keygen ({e}): run tools/install-peers"));
        assert!(
            out.status.success(),
            "ssh-keygen failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let public = std::fs::read(dir.join("id_ed25519.pub")).expect("ssh-keygen wrote the key");
    std::fs::write(dir.join("authorized_keys"), public).expect("temporary directory is writable");
}

fn write_wrappers(dir: &Path) {
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).expect("temporary directory is writable");
    let config = dir.join("ssh_config");
    for tool in ["ssh", "scp"] {
        let real = find_in_path(tool, &bin).unwrap_or_else(|| PathBuf::from("/usr/bin").join(tool));
        let script = format!(
            "#!/bin/sh\nexec '{}' -F '{}' \"$@\"\n",
            real.display(),
            config.display()
        );
        let path = bin.join(tool);
        write(&path, &script);
        set_executable(&path);
    }
}

fn find_in_path(tool: &str, skip: &Path) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir != skip)
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
}

fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let perms = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(path, perms).expect("temporary directory is writable");
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// A port free on every listening address at the time of the check (a race
/// with other processes is caught when sshd fails to bind, and retried).
fn free_port(listen: &[Ipv4Addr]) -> u16 {
    loop {
        let first = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("loopback is available");
        let port = first
            .local_addr()
            .expect("bound socket has an address")
            .port();
        let others_free = listen
            .iter()
            .filter(|a| **a != Ipv4Addr::LOCALHOST)
            .all(|a| TcpListener::bind((*a, port)).is_ok());
        if others_free {
            return port;
        }
    }
}
