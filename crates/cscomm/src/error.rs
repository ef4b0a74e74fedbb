//! The facade's error type.

/// What can go wrong when starting a run or a gateway.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The transport refused the request (bad `%` keyword, bad ssh options).
    #[error(transparent)]
    Transport(#[from] cscomm_ssh::Error),
    /// The topology cannot route from the run's root: no group holds the
    /// root, or its groups do not form a tree.
    #[error(transparent)]
    Topology(#[from] cscomm_topology::Error),
    /// The async runtime of a blocking call could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}
