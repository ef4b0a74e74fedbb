//! Group expressions resolved by [`GroupResolver`] against the real
//! ClusterShell 1.10.1 `nodeset -f` on the same `groups.conf` (upcall
//! sources, a `confdir` part, a YAML `autodir` file, a `mapall` source):
//! the folded result, or the error line and exit status.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use cscomm_groups::GroupResolver;
use cscomm_testkit::python::{Python, workspace_root};

const GROUPS_CONF: &str = "\
[Main]
default: local
confdir: $CFGDIR/parts
autodir: $CFGDIR/yaml

[local]
map: sed -n 's/^$GROUP:\\(.*\\)/\\1/p' $CFGDIR/local.cfg
list: sed -n 's/^\\([0-9A-Za-z_-]*\\):.*/\\1/p' $CFGDIR/local.cfg

[fail]
map: exit 1
all: exit 2

[ma]
mapall: printf 'g1: m[1-2]\\ng2: m3\\ng1: m9\\n'

[badlist]
map: echo n1
list: echo 'ok bad@name'
";

const LOCAL_CFG: &str = "\
compute: node[1-8]
login: login[1-2]
io: io[1-2] node8
rack1: node[1-4]
rack2: node[5-8]
nested: @login,io1
deep: @nested,@site:web
";

const SITE_YAML: &str = "\
site:
  web: w[1-3]
  db: [db1, db2]
  empty:
";

/// The configuration directory, written once per test run (the tests run
/// in parallel and read it).
fn cfgdir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(write_cfgdir).clone()
}

fn write_cfgdir() -> PathBuf {
    let dir = workspace_root().join(format!(
        "target/groups-nodeset-parity/{}",
        std::process::id()
    ));
    for sub in ["parts", "yaml"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::write(dir.join("groups.conf"), GROUPS_CONF).unwrap();
    std::fs::write(dir.join("local.cfg"), LOCAL_CFG).unwrap();
    std::fs::write(dir.join("yaml/site.yaml"), SITE_YAML).unwrap();
    std::fs::write(
        dir.join("parts/echo.conf"),
        "[echo,echo2]\nmap: echo $SOURCE-$GROUP x$GROUP\n",
    )
    .unwrap();
    dir
}

const EXPRESSIONS: &[&str] = &[
    "@compute",
    "@local:login",
    "@rack[1-2]",
    "@rack[1-2]!node[2-6]",
    "@nested",
    "@deep",
    "@compute&@io",
    "@compute^@io",
    "@io,@login!login1",
    "@*",
    "@site:*",
    "@site:db,@site:empty",
    "@site:nope",
    "@nope",
    "@echo:g",
    "@echo2:h[1-2]",
    "@@site",
    "@@local",
    "node*",
    "node[1-2]*,login?",
    "@site:w*",
    "@ma:g1",
    "@ma:g2,@ma:g3",
    "@ma:*",
    "@fail:x",
    "n1,@fail:x",
    "@fail:*",
    "@zz:x",
    "@badlist:*",
    "@@badlist",
    "node[1-",
    "@login!",
];

/// `nodeset -f expr` of the real ClusterShell: its output or error line
/// (`nodeset:` as the program name) and exit status.
fn theirs(conf: &Path, expr: &str) -> (String, i32) {
    let python = Python::clustershell();
    let out = Command::new(python.bin_dir().join("nodeset"))
        .args(["--groupsconf", conf.to_str().unwrap(), "-f", expr])
        .output()
        .unwrap();
    let text = if out.status.success() {
        String::from_utf8_lossy(&out.stdout).into_owned()
    } else {
        // Upcalls write their own errors first; keep clush's line.
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        stderr
            .lines()
            .filter(|l| l.starts_with("nodeset:"))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    (text, out.status.code().unwrap())
}

fn ours(conf: &Path, expr: &str) -> (String, i32) {
    let mut resolver = GroupResolver::from_config_files(vec![conf.to_owned()]);
    match resolver.parse(expr) {
        Ok(nodes) => (format!("{nodes}\n"), 0),
        Err(e) => (format!("{}\n", e.message("nodeset")), 1),
    }
}

#[test]
fn expressions_resolve_as_nodeset_resolves_them() {
    let dir = cfgdir();
    let conf = dir.join("groups.conf");
    let mut differ = Vec::new();
    let mut resolved = 0;
    for expr in EXPRESSIONS {
        let (want, got) = (theirs(&conf, expr), ours(&conf, expr));
        if want.1 == 0 && want.0.trim().len() > 1 {
            resolved += 1;
        }
        if want != got {
            differ.push(format!("{expr}: nodeset {want:?}, ours {got:?}"));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    assert!(resolved >= 20, "only {resolved} expressions gave nodes");
}

#[test]
fn upcall_results_are_cached_for_cache_time() {
    let dir = cfgdir().join("cache");
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("runs");
    let conf = dir.join("groups.conf");
    let map = format!("map: echo $GROUP >> {}; echo n-$GROUP", log.display());
    let text = format!("[kept]\n{map}\n[fresh]\n{map}\ncache_time: 0\n");
    std::fs::write(&conf, text).unwrap();
    let mut resolver = GroupResolver::from_config_files(vec![conf]);
    let nodes = resolver.parse("@kept:a,@kept:a,@kept:b").unwrap();
    assert_eq!(nodes.to_string(), "n-a,n-b");
    resolver.parse("@kept:a").unwrap();
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "a\nb\n");
    std::thread::sleep(std::time::Duration::from_millis(5));
    resolver.parse("@fresh:c").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    resolver.parse("@fresh:c").unwrap();
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "a\nb\nc\nc\n");
}

#[test]
fn configuration_errors_read_as_nodeset_reads_them() {
    let dir = cfgdir().join("broken");
    std::fs::create_dir_all(dir.join("y")).unwrap();
    std::fs::write(dir.join("afile"), "").unwrap();
    let yaml = |name: &str, text: &str| {
        let sub = dir.join(name);
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("g.yaml"), text).unwrap();
        sub
    };
    let cases = [
        format!(
            "[Main]\nconfdir: {}/afile\n[a]\nmap: echo x\n",
            dir.display()
        ),
        format!(
            "[Main]\nautodir: {}/afile\n[a]\nmap: echo x\n",
            dir.display()
        ),
        format!(
            "[Main]\nautodir: {}\n[a]\nmap: echo x\n",
            yaml("dup", "a:\n  g: n1\n").display()
        ),
        format!(
            "[Main]\nautodir: {}\n",
            yaml("list", "- a\n- b\n").display()
        ),
        format!("[Main]\nautodir: {}\n", yaml("scalar", "a: b\n").display()),
        format!(
            "[Main]\nautodir: {}\n",
            yaml("intkey", "a:\n  1: n1\n").display()
        ),
        format!(
            "[Main]\nautodir: {}\n",
            yaml("intsrc", "7:\n  g: n1\n").display()
        ),
        format!("[Main]\nautodir: {}\n", yaml("empty", "").display()),
        "[Main]\ndefault:\n[b]\nmap: echo b-$GROUP\n[a]\nmap: echo a-$GROUP\n".to_owned(),
        "[Main]\nconfdir: /nonexistent/dir\nautodir: /nonexistent/too\n[a]\nmap: echo x\n"
            .to_owned(),
        "[a,b]\nmap: echo $SOURCE\n[c]\nmapall: printf 'bad line\\n'\n".to_owned(),
    ];
    let mut differ = Vec::new();
    for (i, text) in cases.iter().enumerate() {
        let conf = dir.join(format!("case{i}.conf"));
        std::fs::write(&conf, text).unwrap();
        for expr in ["@g", "@b:g", "@c:g"] {
            let (want, got) = (theirs(&conf, expr), ours(&conf, expr));
            if want != got {
                differ.push(format!("{text:?} {expr}: nodeset {want:?}, ours {got:?}"));
            }
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
