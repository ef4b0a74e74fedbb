//! Test support shared by the integration tests of this crate.

use cscomm_testkit::sshd::Sshd;

/// The throwaway sshd of the test process (its sessions have a private,
/// empty home: the user's shell start-up files do not run).
pub(crate) fn sshd() -> &'static Sshd {
    Sshd::shared()
}
