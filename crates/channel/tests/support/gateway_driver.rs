//! A thin, blocking gateway around `GatewayChannel` and `GroomingBuffer`
//! for tests: it reads the parent's stream on standard input, runs each
//! request's command locally once per target (`sh -c`, `%h` replaced by
//! the target), and writes the channel to standard output. Threads read
//! the pipes; one loop owns the state machines and the clock.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use cscomm_channel::{GatewayChannel, GatewayConfig, GatewayEvent, GroomingBuffer, GroomingConfig};
use cscomm_message::{NodeSet, ShellRequest};

enum Input {
    Stdin(Vec<u8>),
    StdinEof,
    Line {
        req: usize,
        node: usize,
        stderr: bool,
        line: Vec<u8>,
    },
    Drained {
        req: usize,
        node: usize,
    },
}

struct Target {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    done: bool,
    timed_out: bool,
}

struct Request {
    srcid: u64,
    targets: Vec<Target>,
    out: GroomingBuffer,
    deadline: Option<Instant>,
}

/// Serves one channel on standard input and output until it closes.
pub(crate) fn serve() {
    let (tx, rx) = mpsc::channel();
    let stdin_tx = tx.clone();
    thread::spawn(move || read_stdin(&stdin_tx));
    let mut gw = GatewayChannel::new(GatewayConfig::new("driver"));
    let mut requests: Vec<Request> = Vec::new();
    let mut stdout = std::io::stdout().lock();
    loop {
        while let Some(event) = gw.poll_event() {
            if !handle(event, &mut requests, &tx) {
                flush(&mut gw, &mut requests, &mut stdout);
                return;
            }
        }
        flush(&mut gw, &mut requests, &mut stdout);
        let input = match next_deadline(&requests) {
            Some(at) => match rx.recv_timeout(at.saturating_duration_since(Instant::now())) {
                Ok(input) => Some(input),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            },
            None => match rx.recv() {
                Ok(input) => Some(input),
                Err(_) => return,
            },
        };
        match input {
            Some(Input::Stdin(bytes)) => gw.feed(&bytes),
            Some(Input::StdinEof) => gw.feed_eof(),
            Some(Input::Line {
                req,
                node,
                stderr,
                line,
            }) => {
                let request = &mut requests[req];
                let name = &request.targets[node].name;
                if stderr {
                    request.out.stderr(name, &line);
                } else {
                    request.out.stdout(name, &line);
                }
            }
            Some(Input::Drained { req, node }) => reap(&mut requests[req], node),
            None => {}
        }
        let now = Instant::now();
        for request in &mut requests {
            expire(request, now);
            request.out.handle_timeout(now);
        }
    }
}

fn read_stdin(tx: &Sender<Input>) {
    let mut stdin = std::io::stdin().lock();
    let mut buf = vec![0; 65536];
    loop {
        match stdin.read(&mut buf) {
            Ok(0) | Err(_) => {
                let _ = tx.send(Input::StdinEof);
                return;
            }
            Ok(n) => {
                if tx.send(Input::Stdin(buf[..n].to_vec())).is_err() {
                    return;
                }
            }
        }
    }
}

/// Acts on one event; false when the channel closed.
fn handle(event: GatewayEvent, requests: &mut Vec<Request>, tx: &Sender<Input>) -> bool {
    match event {
        GatewayEvent::Shell {
            srcid,
            targets,
            request,
        } => {
            let req = requests.len();
            requests.push(start(req, srcid, &targets, &request, tx));
        }
        GatewayEvent::Write { srcid, data, .. } => {
            for target in targets_of(requests, srcid) {
                if let Some(stdin) = &mut target.stdin {
                    let _ = stdin.write_all(&data);
                }
            }
        }
        GatewayEvent::Eof { srcid, .. } => {
            for target in targets_of(requests, srcid) {
                target.stdin = None;
            }
        }
        GatewayEvent::Closed { .. } => {
            for target in requests.iter_mut().flat_map(|r| r.targets.iter_mut()) {
                let _ = target.child.kill();
            }
            return false;
        }
        _ => {}
    }
    true
}

fn targets_of(requests: &mut [Request], srcid: u64) -> impl Iterator<Item = &mut Target> {
    requests
        .iter_mut()
        .filter(move |r| r.srcid == srcid)
        .flat_map(|r| r.targets.iter_mut())
}

fn start(
    req: usize,
    srcid: u64,
    targets: &NodeSet,
    request: &ShellRequest,
    tx: &Sender<Input>,
) -> Request {
    let now = Instant::now();
    let grooming = GroomingConfig::from_delay_secs(request.taskinfo.grooming_delay());
    let targets = targets
        .iter()
        .enumerate()
        .map(|(node, name)| spawn(req, node, name.to_string(), request, tx))
        .collect();
    Request {
        srcid,
        targets,
        out: GroomingBuffer::new(srcid, grooming, now),
        deadline: request
            .timeout_secs()
            .filter(|t| *t > 0.0)
            .map(|t| now + Duration::from_secs_f64(t)),
    }
}

fn spawn(
    req: usize,
    node: usize,
    name: String,
    request: &ShellRequest,
    tx: &Sender<Input>,
) -> Target {
    let command = request.cmd.replace("%hosts", &name).replace("%h", &name);
    let script = if request.stderr {
        command
    } else {
        format!("exec 2>&1\n{command}")
    };
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sh");
    let readers = [
        (
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            false,
        ),
        (
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            true,
        ),
    ]
    .map(|(stream, stderr)| {
        let tx = tx.clone();
        thread::spawn(move || {
            if let Some(stream) = stream {
                read_lines(stream, &tx, req, node, stderr);
            }
        })
    });
    let tx = tx.clone();
    thread::spawn(move || {
        for reader in readers {
            let _ = reader.join();
        }
        let _ = tx.send(Input::Drained { req, node });
    });
    Target {
        name,
        stdin: child.stdin.take(),
        child,
        done: false,
        timed_out: false,
    }
}

fn read_lines(
    stream: Box<dyn Read + Send>,
    tx: &Sender<Input>,
    req: usize,
    node: usize,
    stderr: bool,
) {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        let line = std::mem::take(&mut line);
        if tx
            .send(Input::Line {
                req,
                node,
                stderr,
                line,
            })
            .is_err()
        {
            return;
        }
    }
}

fn reap(request: &mut Request, node: usize) {
    let target = &mut request.targets[node];
    let status = target.child.wait();
    if target.done {
        return;
    }
    target.done = true;
    let code = status.ok().and_then(|s| s.code()).unwrap_or(255);
    request.out.retcode(&target.name, i64::from(code));
    finish_if_done(request);
}

fn expire(request: &mut Request, now: Instant) {
    if request.deadline.is_none_or(|d| now < d) {
        return;
    }
    request.deadline = None;
    for target in request.targets.iter_mut().filter(|t| !t.done) {
        let _ = target.child.kill();
        target.done = true;
        target.timed_out = true;
    }
    finish_if_done(request);
}

fn finish_if_done(request: &mut Request) {
    if request.targets.iter().all(|t| t.done) {
        let timed_out = NodeSet::from_names(
            request
                .targets
                .iter()
                .filter(|t| t.timed_out)
                .map(|t| t.name.as_str()),
        );
        request.out.finish(&timed_out);
    }
}

fn next_deadline(requests: &[Request]) -> Option<Instant> {
    requests
        .iter()
        .flat_map(|r| [r.deadline, r.out.poll_timeout()])
        .flatten()
        .min()
}

fn flush(gw: &mut GatewayChannel, requests: &mut [Request], stdout: &mut impl Write) {
    for request in requests.iter_mut() {
        while let Some(message) = request.out.poll_message() {
            let _ = gw.send(message);
        }
    }
    while let Some(bytes) = gw.poll_transmit() {
        if stdout
            .write_all(&bytes)
            .and_then(|()| stdout.flush())
            .is_err()
        {
            return;
        }
    }
}
