//! Shared inputs for the cscomm benchmarks (streams like the ones ClusterShell exchanges).
