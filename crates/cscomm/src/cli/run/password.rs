//! `password_prompt` of `clush.conf`: the password asked on the terminal,
//! as Python's `getpass` asks it, then sent to every node's standard input.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};

use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};

/// Asks `Password: ` on the controlling terminal without echo and returns
/// the line typed (without its newline). The error says why there is no
/// terminal to ask on.
pub(super) fn ask() -> Result<String, String> {
    let mut tty = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| format!("password_prompt: no terminal to ask the password on ({e})"))?;
    let saved = tcgetattr(&tty).map_err(|e| format!("password_prompt: {e}"))?;
    let mut quiet = saved.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    // Echo off before the prompt shows, as getpass: what is typed once
    // the prompt is seen is neither echoed nor flushed away.
    let _ = tcsetattr(&tty, SetArg::TCSAFLUSH, &quiet);
    let _ = tty.write_all(b"Password: ");
    let _ = tty.flush();
    let line = read_line(&mut tty);
    let _ = tcsetattr(&tty, SetArg::TCSAFLUSH, &saved);
    let _ = tty.write_all(b"\n");
    Ok(line)
}

/// One line of `tty`, up to a newline or the end of input.
fn read_line(tty: &mut File) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while let Ok(1) = tty.read(&mut byte) {
        match byte[0] {
            b'\n' | b'\r' => break,
            b => line.push(b),
        }
    }
    String::from_utf8_lossy(&line).into_owned()
}
