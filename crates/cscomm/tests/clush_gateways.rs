//! The gateway issue's scenario matrix: the real `clush` 1.10.1 in tree
//! mode over a real sshd, once with ClusterShell's Python gateway and once
//! with `cscomm-gateway`; per-node outputs, messages and exit codes must be
//! identical.

use std::path::PathBuf;
use std::thread;

use cscomm_testkit::clush::{GatewayExe, run_scenario, scenarios};

#[test]
fn every_scenario_gives_the_same_results_with_both_gateways() {
    let ours = GatewayExe::Executable(PathBuf::from(env!("CARGO_BIN_EXE_cscomm-gateway")));
    let mut failures = Vec::new();
    for scenario in scenarios() {
        let python = {
            let scenario = scenario.clone();
            thread::spawn(move || run_scenario(&scenario, &GatewayExe::python()))
        };
        let with_ours = run_scenario(&scenario, &ours);
        let with_python = python.join().expect("python gateway run");
        if with_ours != with_python {
            failures.push(format!(
                "{}:\n  python:  {with_python:?}\n  cscomm:  {with_ours:?}",
                scenario.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
