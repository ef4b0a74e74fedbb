//! A throwaway OpenSSH server on loopback addresses (written with the transport crate).
