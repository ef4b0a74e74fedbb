//! A stand-in `ssh` for tree benchmarks (`benches/compare_tree_run.py`):
//! `fake_ssh [SSH OPTIONS] HOST COMMAND...` runs COMMAND on this machine
//! with `/bin/sh -c` instead of connecting to HOST. The ssh options (and
//! their arguments) are skipped; the command words are joined with spaces,
//! as ssh joins them; `CSCOMM_FAKE_SSH_HOST` is set to HOST for the
//! command.
//!
//! Every hop replaces itself with the shell (`exec`: one process, and
//! the admin's kill reaches the command as it would reach ssh). A gateway
//! hop (a command that starts `ClusterShell.Gateway`) is measured when
//! `CSCOMM_FAKE_SSH_GATEWAYS` names a directory: the command becomes
//! `exec env COMMAND` (dash forks even for the last command of `sh -c`),
//! so the gateway keeps this process's id, and a detached monitor (this
//! program again, reparented to init: the admin may SIGKILL its ssh)
//! samples `/proc/PID` every 20 ms: peak RSS (`VmHWM`), own and children's
//! CPU (user + system). When the process is gone (or a zombie), one line
//! `HOST PID OWN_CPU_S CHILDREN_CPU_S PEAK_RSS_KIB` goes to `DIR/HOST.PID`.
//!
//! usage: fake_ssh [-o OPTION]... [-l USER] [-T] ... HOST COMMAND...

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

/// The first argument of the monitor's command lines.
const MONITOR: &str = "--cscomm-fake-ssh-monitor";
/// The first argument of the command that starts the monitor, detached.
const DETACH: &str = "--cscomm-fake-ssh-detach";

/// ssh's options that take an argument when it is not attached.
const WITH_ARGUMENT: &str = "BbcDEeFIiJLlmOoPpQRSWw";

/// The host and the command of an ssh command line, options skipped.
fn parse(args: &[String]) -> Option<(&str, String)> {
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let Some(flags) = arg.strip_prefix('-').filter(|f| !f.is_empty()) else {
            let command: Vec<&str> = rest.map(String::as_str).collect();
            return Some((arg.as_str(), command.join(" ")));
        };
        if flags == "-" {
            let host = rest.next()?;
            let command: Vec<&str> = rest.map(String::as_str).collect();
            return Some((host.as_str(), command.join(" ")));
        }
        // `-o X`, `-l X`...: the argument is the next word unless attached;
        // grouped flags (`-Tq`) end at the first that takes one.
        for (i, flag) in flags.char_indices() {
            if WITH_ARGUMENT.contains(flag) {
                if i + flag.len_utf8() == flags.len() {
                    rest.next()?;
                }
                break;
            }
        }
    }
    None
}

/// The shell command that runs `command` for `host`.
fn shell(host: &str, command: &str) -> Command {
    let mut sh = Command::new("/bin/sh");
    sh.arg("-c").arg(command).env("CSCOMM_FAKE_SSH_HOST", host);
    sh
}

/// What the monitor reads of a process in `/proc`.
#[derive(Debug, Default, Clone, Copy)]
struct Sample {
    /// Field 22 of `stat`: tells a reused process id.
    start: u64,
    zombie: bool,
    own_cpu_s: f64,
    children_cpu_s: f64,
    peak_rss_kib: u64,
}

/// Reads `/proc/PID/stat` and `status`; `None` when the process is gone.
fn sample(pid: u32) -> Option<Sample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let num = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    let ticks = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .map_or(100.0, |t| t as f64);
    // After the command name: state 0, utime 11, stime 12, cutime 13,
    // cstime 14, starttime 19.
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    Some(Sample {
        start: fields.get(19)?.parse().ok()?,
        zombie: fields.first() == Some(&"Z"),
        own_cpu_s: (num(11)? + num(12)?) / ticks,
        children_cpu_s: (num(13)? + num(14)?) / ticks,
        peak_rss_kib: peak,
    })
}

/// The monitor: samples `pid` until it is gone, then writes the report.
fn monitor(pid: u32, host: &str, dir: &Path) -> ExitCode {
    let Some(mut last) = sample(pid) else {
        return ExitCode::from(1);
    };
    let mut peak = last.peak_rss_kib;
    loop {
        std::thread::sleep(Duration::from_millis(20));
        match sample(pid) {
            Some(now) if now.start == last.start => {
                peak = peak.max(now.peak_rss_kib);
                last = now;
                if now.zombie {
                    break;
                }
            }
            _ => break,
        }
    }
    let line = format!(
        "{host} {pid} {:.3} {:.3} {peak}\n",
        last.own_cpu_s, last.children_cpu_s
    );
    let report = dir.join(format!("{host}.{pid}"));
    match std::fs::write(&report, line) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("fake_ssh: {}: {err}", report.display());
            ExitCode::from(1)
        }
    }
}

/// Starts a helper; `wait`: for the intermediate process, which starts
/// the monitor without waiting and exits, so the monitor is nobody's child.
fn start_monitor(args: &[&str], wait: bool) {
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut command = Command::new(exe);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .process_group(0);
    if let Ok(mut child) = command.spawn() {
        if wait {
            let _ = child.wait();
        }
    }
}

/// Runs the monitor and its detaching parent (`args` after the program).
fn helper(args: &[String]) -> Option<ExitCode> {
    match args {
        [flag, pid, host, dir] if flag == DETACH => {
            start_monitor(&[MONITOR, pid, host, dir], false);
            Some(ExitCode::SUCCESS)
        }
        [flag, pid, host, dir] if flag == MONITOR => {
            let pid = pid.parse().ok()?;
            Some(monitor(pid, host, Path::new(dir)))
        }
        _ => None,
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = helper(&args) {
        return code;
    }
    let Some((host, command)) = parse(&args) else {
        eprintln!("usage: fake_ssh [SSH OPTIONS] HOST COMMAND...");
        return ExitCode::from(255);
    };
    if command.is_empty() {
        eprintln!("fake_ssh: no command (no interactive sessions)");
        return ExitCode::from(255);
    }
    let gateway_hop = command.contains("ClusterShell.Gateway");
    let simple = !command.contains([';', '&', '|', '(', ')', '\n']);
    let command = match std::env::var("CSCOMM_FAKE_SSH_GATEWAYS") {
        Ok(dir) if gateway_hop && simple => {
            let pid = std::process::id().to_string();
            start_monitor(&[DETACH, &pid, host, &dir], true);
            format!("exec env {command}")
        }
        _ => command,
    };
    let err = shell(host, &command).exec();
    eprintln!("fake_ssh: /bin/sh: {err}");
    ExitCode::from(255)
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn options_are_skipped() {
        let args = words("-oBatchMode=yes -o ForwardAgent=no -T -l root -Tp 22 node1 echo ok");
        assert_eq!(parse(&args), Some(("node1", "echo ok".to_owned())));
    }

    #[test]
    fn double_dash_ends_options() {
        let args = words("-T -- -node uname -r");
        assert_eq!(parse(&args), Some(("-node", "uname -r".to_owned())));
    }

    #[test]
    fn no_host_is_none() {
        assert_eq!(parse(&words("-o")), None);
        assert_eq!(parse(&words("-T -l")), None);
        assert_eq!(parse(&[]), None);
    }
}
