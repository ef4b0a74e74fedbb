//! A slow consumer stops the reading: the producer blocks and memory stays
//! bounded; once the consumer reads again, everything arrives. Alone in its
//! test binary so the resident size measured is its own.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::time::Duration;

use cscomm_ssh::{EventKind, ExecOptions, Executor, OutputMode, Request, Transport};

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

async fn stalled_consumer(mode: OutputMode) {
    let size: usize = 256 << 20;
    let flag = std::env::temp_dir().join(format!("cscomm-bp-{}", common::marker()));
    // The flag file appears only once the whole output has been written.
    let command = format!("head -c {size} /dev/zero; : > {}", flag.display());
    let options = ExecOptions::default()
        .with_stdout_mode(mode)
        .with_buffer_bytes(1 << 20);
    let request = Request::new(command, ["n1"], Transport::Local).with_options(options);
    let before = status_kib("VmRSS:");
    let mut run = Executor::default().run(request).unwrap();
    run.close_stdin();
    assert_eq!(run.next_event().await.unwrap().kind, EventKind::Started);
    // Not reading: without backpressure 256 MiB would be read in well
    // under this time.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let stalled = status_kib("VmRSS:");
    assert!(!flag.exists(), "{mode:?}: the producer was not held back");
    let mut received = 0;
    let mut code = None;
    while let Some(event) = run.next_event().await {
        match event.kind {
            EventKind::Stdout(line) => {
                received += line.bytes.len() + usize::from(line.end == cscomm_ssh::LineEnd::Newline)
            }
            EventKind::StdoutChunk(chunk) => received += chunk.len(),
            EventKind::StdoutEnd if mode == OutputMode::Chunks => {}
            EventKind::Exited(exit) => code = Some(exit.code),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(flag.exists());
    std::fs::remove_file(&flag).unwrap();
    assert_eq!((received, code), (size, Some(0)));
    let growth = stalled.saturating_sub(before) / 1024;
    eprintln!(
        "{mode:?}: RSS {} MiB before, {} MiB while stalled",
        before / 1024,
        stalled / 1024
    );
    assert!(
        growth < 16,
        "{mode:?}: RSS grew by {growth} MiB while stalled"
    );
}

#[tokio::test]
async fn a_stalled_consumer_holds_the_producer_back() {
    // Lines mode on a stream without newlines: 1 MiB pieces.
    stalled_consumer(OutputMode::Lines).await;
    stalled_consumer(OutputMode::Chunks).await;
}
