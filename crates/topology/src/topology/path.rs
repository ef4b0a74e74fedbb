//! Where ClusterShell looks for `topology.conf` (`Defaults.config_paths`
//! and `Task._default_tree_is_enabled`).

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

const FILE: &str = "topology.conf";

/// The places ClusterShell 1.10 looks for `topology.conf`, the first found
/// winning: `$CLUSTERSHELL_CFGDIR/topology.conf` (when the variable is
/// set), `$XDG_CONFIG_HOME/clustershell/topology.conf` (default
/// `~/.config`), `<prefix>/etc/clustershell/topology.conf` (when `prefix`,
/// Python's `sys.prefix`, is given), `~/.local/etc/clustershell/topology.conf`
/// and `/etc/clustershell/topology.conf`. `~` is `$HOME`.
pub fn topology_search_path(python_prefix: Option<&Path>) -> Vec<PathBuf> {
    config_search_path(FILE, python_prefix)
}

/// The places ClusterShell 1.10 looks for the configuration file `name`
/// (`groups.conf`, `clush.conf`, ...), highest priority first, as
/// [`topology_search_path`] lists them for `topology.conf`.
pub fn config_search_path(name: &str, python_prefix: Option<&Path>) -> Vec<PathBuf> {
    search_path(|var| env::var_os(var), name, python_prefix)
}

/// [`topology_search_path`] with the environment given by `var`.
fn search_path(
    var: impl Fn(&str) -> Option<OsString>,
    file: &str,
    python_prefix: Option<&Path>,
) -> Vec<PathBuf> {
    let home = var("HOME").map(PathBuf::from);
    let in_home = |rel: &str| match &home {
        Some(h) => h.join(rel),
        // Python's expanduser leaves `~` alone when it cannot expand it.
        None => PathBuf::from("~").join(rel),
    };
    let mut paths = Vec::new();
    if let Some(dir) = var("CLUSTERSHELL_CFGDIR") {
        paths.push(PathBuf::from(dir).join(file));
    }
    let xdg = var("XDG_CONFIG_HOME").map_or_else(|| in_home(".config"), PathBuf::from);
    paths.push(xdg.join("clustershell").join(file));
    if let Some(prefix) = python_prefix {
        paths.push(prefix.join("etc/clustershell").join(file));
    }
    paths.push(in_home(".local/etc/clustershell").join(file));
    paths.push(Path::new("/etc/clustershell").join(file));
    paths
}

/// The `topology.conf` ClusterShell would load: the first path of
/// [`topology_search_path`] (without a Python prefix) that exists.
pub fn find_topology_file() -> Option<PathBuf> {
    topology_search_path(None).into_iter().find(|p| p.exists())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cscomm_testkit::python::Python;

    const SCRIPT: &str = "import sys\nfrom ClusterShell.Defaults import config_paths\n\
                          print(sys.prefix)\nprint('\\n'.join(config_paths('topology.conf')[::-1]))\n";

    #[test]
    fn search_path_matches_clustershell() {
        let python = Python::clustershell();
        let cases: [&[(&str, &str)]; 4] = [
            &[("HOME", "/home/u")],
            &[
                ("HOME", "/home/u"),
                ("CLUSTERSHELL_CFGDIR", "/opt/cfg"),
                ("XDG_CONFIG_HOME", "/x"),
            ],
            &[
                ("HOME", "/h"),
                ("CLUSTERSHELL_CFGDIR", ""),
                ("XDG_CONFIG_HOME", ""),
            ],
            &[("HOME", "/h/"), ("XDG_CONFIG_HOME", "rel/dir")],
        ];
        for vars in cases {
            let mut cmd = python.command();
            cmd.env_remove("CLUSTERSHELL_CFGDIR")
                .env_remove("XDG_CONFIG_HOME");
            cmd.envs(vars.iter().copied()).arg("-c").arg(SCRIPT);
            let out = cmd.output().expect("run the Python peer");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8(out.stdout).expect("UTF-8 paths");
            let mut lines = text.lines();
            let prefix = PathBuf::from(lines.next().expect("sys.prefix"));
            let theirs: Vec<PathBuf> = lines.map(PathBuf::from).collect();
            let var = |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            };
            assert_eq!(search_path(var, FILE, Some(&prefix)), theirs, "{vars:?}");
        }
    }
}
