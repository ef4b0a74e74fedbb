//! Drives the gateway end of a channel by hand, with no process and no
//! runtime: feeds it what a ClusterShell initiator sent, prints the
//! requests it hands out, answers the command as a gateway would (each
//! target "runs" it: its output is the standard input it got, then a line
//! naming it; exit code 0), closes, and prints the stream sent back.
//!
//! `gateway_by_hand FILE` (`-` reads standard input), for instance the
//! repository's `examples/capture/initiator.xml`.

use std::collections::HashMap;
use std::error::Error;
use std::io::{Read, Write};

use cscomm_channel::{GatewayChannel, GatewayConfig, GatewayEvent};
use cscomm_message::NodeSet;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: gateway_by_hand FILE")?;
    let input = if path == "-" {
        let mut input = Vec::new();
        std::io::stdin().read_to_end(&mut input)?;
        input
    } else {
        std::fs::read(&path)?
    };
    let mut gateway = GatewayChannel::new(GatewayConfig::new("gw1"));
    let mut sent = Vec::new();
    let mut jobs = HashMap::new();
    for chunk in input.chunks(64) {
        gateway.feed(chunk);
        while let Some(event) = gateway.poll_event() {
            handle(&mut gateway, &mut jobs, event)?;
        }
        while let Some(bytes) = gateway.poll_transmit() {
            sent.extend_from_slice(&bytes);
        }
    }
    gateway.close();
    while let Some(bytes) = gateway.poll_transmit() {
        sent.extend_from_slice(&bytes);
    }
    eprintln!("-- the gateway sent back:");
    std::io::stdout().write_all(&sent)?;
    Ok(())
}

/// A command being "run": its targets and the standard input they got.
struct Job {
    targets: NodeSet,
    stdin: Vec<u8>,
}

fn handle(
    gateway: &mut GatewayChannel,
    jobs: &mut HashMap<u64, Job>,
    event: GatewayEvent,
) -> Result<(), Box<dyn Error>> {
    match event {
        GatewayEvent::Shell {
            srcid,
            targets,
            request,
        } => {
            eprintln!("shell {srcid} on {targets}: {:?}", request.cmd);
            jobs.insert(
                srcid,
                Job {
                    targets,
                    stdin: Vec::new(),
                },
            );
        }
        GatewayEvent::Write { srcid, data, .. } => {
            eprintln!("write {srcid}: {data:?}");
            if let Some(job) = jobs.get_mut(&srcid) {
                job.stdin.extend_from_slice(&data);
            }
        }
        GatewayEvent::Eof { srcid, .. } => {
            eprintln!("eof {srcid}: answering");
            if let Some(job) = jobs.remove(&srcid) {
                answer(gateway, srcid, &job)?;
            }
        }
        other => eprintln!("{other:?}"),
    }
    Ok(())
}

fn answer(gateway: &mut GatewayChannel, srcid: u64, job: &Job) -> Result<(), Box<dyn Error>> {
    let stdin = String::from_utf8_lossy(&job.stdin);
    for node in &job.targets {
        let output = format!("{stdin}hello from {node}");
        let one: NodeSet = node.parse()?;
        gateway.send_stdout(srcid, &one, output.into_bytes())?;
    }
    gateway.send_retcode(srcid, &job.targets, 0)?;
    Ok(())
}
