//! Local sessions: raw chunks, ordered input with backpressure, kill, timeout.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::time::{Duration, Instant};

use common::*;
use cscomm_ssh::{Error, EventKind, ExecOptions, OutputMode, Session, Transport};
use sha2::{Digest, Sha256};

fn raw() -> ExecOptions {
    ExecOptions::default().with_stdout_mode(OutputMode::Chunks)
}

#[tokio::test]
async fn sixty_four_mib_round_trip_in_order() {
    let mut session = Session::spawn("gw1", "cat", &Transport::Local, &raw()).unwrap();
    let stdin = session.stdin();
    let chunk: Vec<u8> = (0..65_521u32).map(|i| (i * 7 % 256) as u8).collect();
    let rounds = (64 << 20) / chunk.len();
    let mut expected = Sha256::new();
    for i in 0..rounds {
        expected.update(&chunk[i % 97..]);
    }
    let writer = tokio::spawn(async move {
        for i in 0..rounds {
            stdin.write(chunk[i % 97..].to_vec()).await.unwrap();
        }
        stdin.close().await;
        assert!(matches!(
            stdin.write(&b"x"[..]).await,
            Err(Error::StdinClosed)
        ));
    });
    let mut received = Sha256::new();
    let mut chunks = 0;
    let (mut code, mut stdout_ended) = (None, false);
    while let Some(event) = session.next_event().await {
        match event {
            EventKind::StdoutChunk(bytes) => {
                assert!(!stdout_ended, "a chunk after the end of stdout");
                received.update(&bytes);
                chunks += 1;
            }
            EventKind::StdoutEnd => stdout_ended = true,
            EventKind::Exited(exit) => {
                assert!(stdout_ended, "exited before stdout said it ended");
                code = Some(exit.code)
            }
            EventKind::Started => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    writer.await.unwrap();
    assert_eq!(code, Some(0));
    assert!(chunks > 100, "{chunks} chunks");
    assert_eq!(received.finalize(), expected.finalize());
}

#[tokio::test]
async fn writes_wait_while_the_process_does_not_read() {
    let session =
        Session::spawn("gw1", "sleep 1; cat >/dev/null", &Transport::Local, &raw()).unwrap();
    let stdin = session.stdin();
    let started = Instant::now();
    // 16 queued writes plus the pipe's 64 KiB cannot hold 8 MiB.
    for _ in 0..128 {
        stdin.write(vec![b'x'; 65_536]).await.unwrap();
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(800),
        "writes did not wait ({waited:?})"
    );
    stdin.close().await;
}

#[tokio::test]
async fn kill_ends_the_process_group_and_the_events() {
    let m = marker();
    let command = format!("{} & {}", marked_sleep(&m), marked_sleep(&m));
    let mut session = Session::spawn("gw1", &command, &Transport::Local, &raw()).unwrap();
    assert_eq!(session.next_event().await, Some(EventKind::Started));
    assert!(wait_process(&m, Duration::from_secs(5)).await);
    session.kill();
    let end = tokio::time::timeout(Duration::from_secs(5), session.next_event())
        .await
        .unwrap();
    assert_eq!(end, None);
    assert_eq!(
        wait_no_process(&m, Duration::from_secs(2)).await,
        Vec::<u32>::new()
    );
    assert!(session.stdin().write(&b"late"[..]).await.is_err());
}

#[tokio::test]
async fn a_session_times_out() {
    let options = raw().with_timeout(Some(Duration::from_millis(300)));
    let mut session = Session::spawn(
        "gw1",
        "printf partial; sleep 30",
        &Transport::Local,
        &options,
    )
    .unwrap();
    let o = collect_session(&mut session).await;
    assert!(o.timed_out);
    assert_eq!(o.stdout, b"partial");
}
