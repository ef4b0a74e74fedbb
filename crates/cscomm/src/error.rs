//! The facade's error type.

/// What can go wrong when starting a run or a gateway.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The transport refused the request (bad `%` keyword, bad ssh options).
    #[error(transparent)]
    Transport(#[from] cscomm_ssh::Error),
    /// The topology does not hold the node routing the targets.
    #[error(transparent)]
    Route(#[from] crate::tree::UnknownRoot),
    /// The async runtime of a blocking call could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}
