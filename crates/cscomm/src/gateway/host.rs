//! The host's short name, as ClusterShell's gateway names itself.

/// The host name up to its first dot (`gw1` for `gw1.cluster.example`).
///
/// Falls back to `localhost` when the system call fails or returns a name
/// that is not UTF-8.
pub fn short_hostname() -> String {
    let full = nix::unistd::gethostname()
        .ok()
        .and_then(|name| name.into_string().ok())
        .unwrap_or_else(|| "localhost".to_owned());
    shorten(&full).to_owned()
}

fn shorten(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_part_before_the_first_dot() {
        assert_eq!(super::shorten("gw1.cluster.example"), "gw1");
        assert_eq!(super::shorten("gw1"), "gw1");
        assert!(!super::short_hostname().contains('.'));
    }
}
