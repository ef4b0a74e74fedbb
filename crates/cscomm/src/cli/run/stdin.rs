//! Standard input forwarded to every node, as clush does.

use std::io::Read;

use cscomm::tree::TreeHandle;

/// Reads standard input on a thread and writes it to the run's targets
/// (waiting while too much is in flight), closing their input at its end.
/// Must be called within a tokio runtime.
pub(super) fn forward(handle: TreeHandle) {
    let runtime = tokio::runtime::Handle::current();
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        let mut buf = vec![0; 64 * 1024];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => runtime.block_on(handle.write_all(buf[..n].to_vec())),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // As clush: a read error ends the input.
                Err(_) => break,
            }
        }
        handle.close_stdin();
    });
}
