//! Shared inputs for the cscomm benchmarks: channel streams shaped like the
//! ones ClusterShell exchanges, and the decoding loops the benchmarks time.
//!
//! The streams are written with `cscomm-wire`'s writer, with payloads made
//! as ClusterShell makes them (`base64(pickle(obj, protocol 4))`, the base64
//! text wrapped every 65,536 characters) and ClusterShell's attribute order.
//! A test (`tests/streams.rs`) has ClusterShell 1.10.1 rebuild every message
//! from its decoded content and checks it writes the same bytes.
//!
//! ```
//! let stream = cscomm_benches::streams::out_lines(3, 80);
//! let tally = cscomm_benches::decode::chunked(&stream, 64 << 10)?;
//! assert_eq!(tally.messages, 3);
//! # Ok::<(), cscomm_wire::WireError>(())
//! ```

pub mod base64;
pub mod cpu;
pub mod decode;
pub mod payload;
pub mod pickle;
pub mod streams;
