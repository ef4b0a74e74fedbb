//! `topology.conf` files read as ClusterShell 1.10.1's `TopologyParser`
//! reads them: the same tree and groups, or the same error.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::PathBuf;

use cscomm::tree::load_topology;
use cscomm_testkit::python::{Python, workspace_root};
use serde_json::{Value, json};

const REFERENCE: &str = include_str!("peer/topology_reference.py");

/// The example file of ClusterShell's source distribution (fetched by
/// tools/install-peers), extracted under target/.
fn clustershell_example() -> PathBuf {
    let root = workspace_root();
    let out = root.join("target/topology-conf-test/topology.conf.example");
    let tarball = root.join("target/clustershell-sdist/clustershell-1.10.1.tar.gz");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let status = std::process::Command::new("tar")
        .args([
            "-xzOf",
            tarball.to_str().unwrap(),
            "clustershell-1.10.1/conf/topology.conf.example",
        ])
        .stdout(std::fs::File::create(&out).unwrap())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "extract the example from {}",
        tarball.display()
    );
    out
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = workspace_root().join("target/topology-conf-test");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn cases() -> Vec<(PathBuf, &'static str)> {
    vec![
        (clustershell_example(), "rio0"),
        (
            write(
                "two-levels.conf",
                "[routes]\nadmin: gw[1-2]\ngw[1-2]: node[1-10]\n",
            ),
            "admin",
        ),
        (
            write(
                "wide.conf",
                "# several groups\n[routes]\nadmin = gw[1-2],gwb[1-3],x[1-2]\ngw[1-2]: r[1-2]sw[1-4]\ngwb[1-3]: n[001-100]\nr[1-2]sw[1-4]: deep[1-20]\n",
            ),
            "admin",
        ),
        (
            write("main.conf", "[Main]\nadmin: gw1\ngw1: n[1-4]\n"),
            "admin",
        ),
        (
            write(
                "from-gateway.conf",
                "[routes]\nadmin: gw[1-2]\ngw[1-2]: node[1-10]\n",
            ),
            "gw1",
        ),
        (
            write(
                "loop.conf",
                "[routes]\nadmin: gw1\ngw1: n[1-2]\nn[1-2]: admin\n",
            ),
            "admin",
        ),
        (
            write("overlap.conf", "[routes]\nadmin: gw1\ngw1: gw1,n1\n"),
            "admin",
        ),
        (
            write(
                "convergent.conf",
                "[routes]\nadmin: gw[1-2]\ngw1: n[1-4]\ngw2: n[3-8]\n",
            ),
            "admin",
        ),
        (
            write("bad-root.conf", "[routes]\nadmin: gw1\ngw1: n1\n"),
            "nobody",
        ),
        (write("empty.conf", "[routes]\n"), "admin"),
    ]
}

#[test]
fn trees_and_errors_match_clustershell() {
    let cases = cases();
    let input = json!(cases.iter().map(|(p, r)| json!([p, r])).collect::<Vec<_>>()).to_string();
    let out = Python::clustershell().run_ok(REFERENCE, &[], input.as_bytes());
    let reference: Vec<Value> = serde_json::from_slice(&out).unwrap();
    for ((path, root), expected) in cases.iter().zip(&reference) {
        let name = path.file_name().unwrap().to_string_lossy();
        match (load_topology(path, root), expected.get("error")) {
            (Ok(tree), None) => {
                // Seen from a gateway, ClusterShell's root group keeps its
                // parent (outside the tree) and prints as a child: we print
                // it as the root. The groups below must match all the same.
                let text = expected["tree"].as_str().unwrap();
                if !text.starts_with("`- ") {
                    assert_eq!(tree.to_string(), text, "{name}");
                }
                let groups: Vec<String> = tree.groups.iter().map(|g| g.nodes.to_string()).collect();
                assert_eq!(json!(groups), expected["groups"], "{name}");
            }
            (Err(error), Some(message)) => {
                let text = error.to_string();
                assert!(
                    text.starts_with(&format!("{}: ", path.display()))
                        && text.ends_with(message.as_str().unwrap()),
                    "{name}: {error} vs {message}"
                );
            }
            (ours, _) => panic!("{name}: ours {ours:?}, ClusterShell {expected}"),
        }
    }
}

#[test]
fn errors_name_the_line() {
    let path = write("bad-nodeset.conf", "[routes]\nadmin: gw1\n\ngw1: node[1-\n");
    let error = load_topology(&path, "admin").unwrap_err();
    assert_eq!(error.line(), Some(4), "{error}");
    let prefix = format!("{}: line 4: ", path.display());
    assert!(error.to_string().starts_with(&prefix), "{error}");
    let path = write(
        "loop-line.conf",
        "[routes]\nadmin: gw1\ngw1: n[1-2]\nn[1-2]: admin\n",
    );
    assert_eq!(load_topology(&path, "admin").unwrap_err().line(), Some(4));
    let missing = workspace_root().join("target/topology-conf-test/missing.conf");
    let error = load_topology(&missing, "admin").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with(&format!("{}: ", missing.display())),
        "{error}"
    );
}
