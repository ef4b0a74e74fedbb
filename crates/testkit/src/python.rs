//! The Python peer: virtual environments with a pinned ClusterShell release.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A ClusterShell release the tests run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// ClusterShell 1.10.1, the reference peer.
    V1_10,
    /// ClusterShell 1.9.3, the previous release line.
    V1_9,
}

impl Peer {
    /// The exact version string the peer reports (`ClusterShell.__version__`).
    pub fn version(self) -> &'static str {
        match self {
            Peer::V1_10 => "1.10.1",
            Peer::V1_9 => "1.9.3",
        }
    }

    fn venv_name(self) -> &'static str {
        match self {
            Peer::V1_10 => "peer-venv",
            Peer::V1_9 => "peer-venv-1.9",
        }
    }
}

/// The root of the cscomm workspace (where `tools/` and `target/` live).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .expect("testkit lives two levels below the workspace root")
        .to_path_buf()
}

/// A Python interpreter of a virtual environment holding one ClusterShell release.
#[derive(Debug, Clone)]
pub struct Python {
    exe: PathBuf,
    peer: Peer,
}

impl Python {
    /// The interpreter of the reference peer, ClusterShell 1.10.1.
    ///
    /// # Panics
    /// When the environment is missing: run `tools/install-peers` (the README
    /// test command and `.ci/run` do). Tests must fail, not skip, without it.
    pub fn clustershell() -> Python {
        Python::peer(Peer::V1_10)
    }

    /// The interpreter of the given peer release.
    ///
    /// # Panics
    /// When that environment is missing (see [`Python::clustershell`]).
    pub fn peer(peer: Peer) -> Python {
        let dir = std::env::var_os("CSCOMM_PEER_VENV")
            .filter(|_| peer == Peer::V1_10)
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target").join(peer.venv_name()));
        let exe = dir.join("bin").join("python3");
        assert!(
            exe.exists(),
            "the ClusterShell {} peer is missing ({} not found): run tools/install-peers",
            peer.version(),
            exe.display()
        );
        Python { exe, peer }
    }

    /// Absolute path of the interpreter (usable as `CLUSTERSHELL_GW_PYTHON_EXECUTABLE`).
    pub fn exe(&self) -> &Path {
        &self.exe
    }

    /// Which ClusterShell release this environment holds.
    pub fn release(&self) -> Peer {
        self.peer
    }

    /// Directory holding the environment's scripts (`clush`, `pytest`, ...).
    pub fn bin_dir(&self) -> &Path {
        self.exe
            .parent()
            .expect("interpreter lives in a bin directory")
    }

    /// A command running this interpreter, isolated from the user's site,
    /// with a fixed hash seed (set and dict-of-set orders are the same in
    /// every run, so outputs can be compared).
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.exe);
        cmd.env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONHASHSEED", "0")
            .env_remove("PYTHONPATH");
        cmd
    }

    /// Runs `script` (Python source) with `args` after it in `sys.argv[1:]`,
    /// feeding `stdin`, and returns everything it produced.
    pub fn run(&self, script: &str, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = self
            .command()
            .arg("-c")
            .arg(script)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the Python peer");
        let mut input = child.stdin.take().expect("piped stdin");
        let data = stdin.to_vec();
        let writer = std::thread::spawn(move || {
            // A script may stop reading early; its exit status tells why.
            let _ = input.write_all(&data);
        });
        let output = child.wait_with_output().expect("wait for the Python peer");
        writer.join().expect("stdin writer thread");
        output
    }

    /// Like [`Python::run`], but panics with the script's stderr unless it
    /// exits with status 0, and returns its stdout.
    pub fn run_ok(&self, script: &str, args: &[&str], stdin: &[u8]) -> Vec<u8> {
        let output = self.run(script, args, stdin);
        assert!(
            output.status.success(),
            "Python peer failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }
}

/// A Python script running ClusterShell's own tree-mode initiator (Task,
/// TreeWorker, PropagationChannel) against a gateway program, through a
/// stand-in ssh that runs everything on this machine, and printing what it
/// received per node as JSON. Arguments: the gateway executable (as
/// `CLUSTERSHELL_GW_PYTHON_EXECUTABLE`) and a scenario in JSON; see the
/// script's docstring.
pub const TREE_INITIATOR: &str = include_str!("peer/tree_initiator.py");
