//! Streaming, zero-copy codec for the XML channel stream of ClusterShell's
//! tree mode.
//!
//! A channel stream, in each direction, looks like this:
//!
//! ```text
//! <?xml version="1.0" encoding="utf-8"?>
//! <channel version="1.10.1"><message type="ACK" msgid="2" ack="0"></message>
//! <message type="OUT" msgid="8" srcid="1404" nodes="node3">gASVFAAAAA...</message>
//! </channel>
//! ```
//!
//! [`FrameDecoder`] turns bytes into [`Frame`]s (`<channel>` start, each
//! `<message>`, `</channel>` end); the writer functions
//! ([`write_declaration`], [`write_channel_start`], [`write_message`],
//! [`write_channel_end`]) produce the bytes Python's `XMLGenerator` writes
//! for ClusterShell, byte for byte. This crate knows nothing of message
//! types: attributes and payloads are handed out as they are.
//!
//! ```
//! use bytes::BytesMut;
//! use cscomm_wire::{Frame, FrameDecoder, write_channel_start, write_declaration, write_message};
//!
//! let mut stream = BytesMut::new();
//! write_declaration(&mut stream);
//! write_channel_start(&mut stream, &[("version", "1.10.1")]);
//! write_message(&mut stream, &[("type", "ERR"), ("msgid", "1"), ("reason", "a <b> & \"c\"")], b"");
//!
//! let mut decoder = FrameDecoder::new();
//! for byte in stream.chunks(1) {
//!     decoder.feed(byte); // any chunking gives the same frames
//! }
//! let mut frames = Vec::new();
//! while let Some(frame) = decoder.finish()? {
//!     frames.push(frame);
//! }
//! let Frame::Message(err) = &frames[1] else { panic!("not a message") };
//! assert_eq!(err.attributes().get("reason"), Some("a <b> & \"c\""));
//! # Ok::<(), cscomm_wire::WireError>(())
//! ```
//!
//! # What the decoder accepts
//!
//! The subset of XML 1.0 a channel stream uses, exactly as a conforming
//! parser (expat, which ClusterShell uses) reads it:
//!
//! - An optional UTF-8 byte order mark, then an optional XML declaration at
//!   the very start: `version` must be `1.`*digits*; `encoding`, if given,
//!   must be UTF-8 (any letter case); `standalone` `yes` or `no`. Expat
//!   also accepts other versions and the encodings Python knows; we refuse
//!   them, the stream being UTF-8 by construction.
//! - One root element `<channel ...>`, or `<channel .../>` (a start and an
//!   end frame at once). Inside it, `<message ...>text</message>` and
//!   `<message .../>` (empty payload). White space (space, TAB, LF, CR)
//!   anywhere between elements and in tags where XML allows it; both quote
//!   styles; any attributes (names per XML's name rules, fifth edition).
//! - References: the five predefined entities (`&lt;` `&gt;` `&amp;`
//!   `&apos;` `&quot;`) and character references `&#N;` / `&#xH;` to
//!   characters XML allows, in attribute values and text.
//! - Attribute values are normalised as XML says: a literal TAB, LF or CR
//!   (or a CR LF pair) becomes one space; characters written as references
//!   (`&#10;`) are kept. Text has its line ends normalised: CR LF and a lone
//!   CR become LF; `&#13;` stays a CR.
//! - Names, values and text must be UTF-8 and hold only characters XML
//!   allows (no C0 control but TAB, LF, CR; no U+FFFE, U+FFFF); `]]>` may
//!   not appear in text, `<` not in attribute values.
//! - **Text between messages** (inside `<channel>`, outside any message)
//!   that is not white space: expat accepts it and ClusterShell ignores it.
//!   We do the same: it is checked like any text (characters, references),
//!   counted against the frame size limit as one run, and dropped.
//!
//! Everything else is an error ([`WireErrorKind`]): other elements
//! (ClusterShell's "Invalid starting tag"), mismatched end tags, repeated
//! attributes, undefined entities, malformed references, anything but
//! white space after `</channel>`, and, though expat and ClusterShell's
//! reader would accept them, comments, CDATA sections, DOCTYPE, processing
//! instructions, a message outside the channel or inside a message, and a
//! channel inside the channel (ClusterShell never writes those; refusing
//! them keeps the attack surface small). Expat's name tables are the older
//! (fourth edition) ones: a few exotic non-ASCII names we accept, it
//! refuses.
//!
//! # Streaming, limits and errors
//!
//! - [`FrameDecoder::next_frame`] returning `Ok(None)` means "feed more";
//!   any split of the input gives the same frames and the same error.
//!   Searches resume where they stopped: feeding one byte at a time is
//!   linear, not quadratic.
//! - A frame (from the `<` of its start tag to the `>` of its end tag) or
//!   a run of text longer than the maximum frame size
//!   ([`DEFAULT_MAX_FRAME_SIZE`], 256 MiB) is an error as soon as the limit
//!   is crossed. White space between frames is dropped as it comes.
//! - End of stream ([`FrameDecoder::finish`]): without `</channel>` it is
//!   how a peer aborts, not an error; inside a frame it is a
//!   [`Truncated`](WireErrorKind::Truncated) error at the frame's start.
//! - Every error carries the absolute stream offset of the offending byte
//!   ([`WireError::offset`]). After an error the decoder keeps returning it.
//!
//! # Zero copy
//!
//! One input buffer; complete frames are split off it and shared
//! ([`bytes::Bytes`]): attribute names, values and the payload are slices
//! of the received bytes unless they held references or normalised white
//! space, in which case only those values are decoded into a side buffer.
//!
//! # Features
//!
//! - `tokio-codec` (default): [`FrameDecoder`] implements
//!   `tokio_util::codec::Decoder` (decoding in place in the reader's
//!   buffer), [`FrameEncoder`] implements `Encoder` for [`OutFrame`] and
//!   [`Frame`], and [`FrameCodec`] does both for `Framed`.

mod attributes;
mod chars;
#[cfg(feature = "tokio-codec")]
mod codec;
mod core;
mod decoder;
mod error;
mod frame;
mod markup;
mod scan;
mod tag;
mod text;
mod writer;

pub use attributes::Attributes;
#[cfg(feature = "tokio-codec")]
pub use codec::{CodecError, FrameCodec, FrameEncoder};
pub use decoder::{DEFAULT_MAX_FRAME_SIZE, FrameDecoder, MAX_FRAME_SIZE_LIMIT};
pub use error::{Construct, WireError, WireErrorKind};
pub use frame::{Frame, MessageFrame, OutFrame};
pub use writer::{
    DECLARATION, escape_text, quote_attr, write_channel_end, write_channel_start,
    write_declaration, write_message,
};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
