//! Test support shared by the integration tests of this crate.

use std::sync::OnceLock;

use cscomm_testkit::python::workspace_root;
use cscomm_testkit::sshd::Sshd;

/// One throwaway sshd for the test process whose sessions have a private,
/// empty home: the user's shell start-up files (which may print, as
/// `pyenv` does under concurrent logins) do not run.
pub(crate) fn sshd() -> &'static Sshd {
    static SSHD: OnceLock<Sshd> = OnceLock::new();
    SSHD.get_or_init(|| {
        let home = workspace_root().join("target/test-ssh-home");
        std::fs::create_dir_all(&home).expect("create the session home");
        Sshd::builder()
            .set_env("HOME", home.to_str().expect("UTF-8 path"))
            .start()
    })
}
