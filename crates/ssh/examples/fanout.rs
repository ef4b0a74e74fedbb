//! Runs one command for many node names on this machine, two at a time
//! (`%h` is the node name), and prints each node's output and exit code as
//! they come, as a gateway sees them.
//!
//! `fanout COMMAND NODE...`, for instance `fanout 'echo hello from %h' n1 n2 n3`.
//! With `Transport::Ssh(SshOptions::default())` the same request runs the
//! command over ssh on each node instead.

use cscomm_ssh::{EventKind, Executor, Request, Transport};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let command = args.next().ok_or("usage: fanout COMMAND NODE...")?;
    let nodes: Vec<String> = args.collect();
    let request = Request::new(
        command.as_str(),
        nodes.iter().map(String::as_str),
        Transport::Local,
    );
    let mut run = Executor::new(2).run(request)?;
    run.close_stdin();
    while let Some(event) = run.next_event().await {
        let node = &event.key;
        match event.kind {
            EventKind::Stdout(line) => println!("{node}: {}", String::from_utf8_lossy(&line.bytes)),
            EventKind::Stderr(line) => {
                eprintln!("{node}: {}", String::from_utf8_lossy(&line.bytes))
            }
            EventKind::Exited(exit) => println!("{node}: exit code {}", exit.code),
            EventKind::TimedOut => println!("{node}: timed out"),
            _ => {}
        }
    }
    Ok(())
}
