//! The decoding state machine over a caller-owned buffer. [`FrameDecoder`]
//! (push API) and the tokio codec both drive it.
//!
//! Invariant: the first byte of the buffer is the first byte of the unit
//! being decoded (a frame, a run of text or white space, a declaration), so
//! the unit's size is an index and its offset is `base`.
//!
//! [`FrameDecoder`]: crate::FrameDecoder

use std::ops::Range;

use bytes::{Buf, Bytes, BytesMut};

use crate::attributes::Attributes;
use crate::chars::is_ws;
use crate::error::{WireError, WireErrorKind, name_for_error};
use crate::frame::{Frame, MessageFrame};
use crate::markup::{Markup, find_markup, inside_message_error, invalid_start_tag, nested_element};
use crate::scan::TagEndScanner;
use crate::tag::StartTag;
use crate::text::{Decoded, Fail, decode_text};

const BOM: &[u8] = b"\xEF\xBB\xBF";
const MESSAGE_END: &[u8] = b"</message>";

/// Where in the document the decoder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing decoded yet: a BOM and the XML declaration may come.
    Start { bom_done: bool },
    /// Before `<channel>`.
    Prolog,
    /// Inside `<channel>`.
    Channel,
    /// After `</channel>`: only white space may follow.
    Epilog,
}

/// The unit being decoded at the start of the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// Between units.
    Idle,
    /// Markup starting with `<`, not yet complete.
    Markup,
    /// Character data between elements inside `<channel>`.
    Text,
    /// A message whose start tag (in [`Core::open`]) is parsed; `lt` is the
    /// first `<` after it, once found.
    Content { lt: Option<usize> },
}

/// What one decoding step achieved. Frames are built only in
/// [`Core::next`], straight into its result: moving a frame through
/// intermediate results costs more than decoding it.
enum Flow {
    /// Go on with the next unit.
    Continue,
    /// More input is needed.
    Stalled,
    /// The tag in `open` (at the buffer start) starts the channel.
    ChannelStart,
    /// `</channel>` was consumed.
    ChannelEnd,
    /// The message whose tag is in `open` ends at `end`; its payload.
    Message { end: usize, payload: Payload },
}

/// Where a message's payload is.
enum Payload {
    Empty,
    /// This range of the frame's bytes.
    Slice(Range<usize>),
    /// Decoded.
    Owned(Vec<u8>),
}

type Outcome = Result<Option<Frame>, WireError>;

/// The decoder's state; the buffer is passed in on every call.
#[derive(Debug)]
pub(crate) struct Core {
    base: u64,
    max: usize,
    state: State,
    unit: Unit,
    /// Search progress of the current unit (index into the buffer).
    scan: TagEndScanner,
    /// The last start tag parsed: the open message's while its content is
    /// read.
    open: StartTag,
    pending_end: bool,
    error: Option<WireError>,
    version: Option<String>,
}

impl Core {
    pub(crate) fn new(max: usize) -> Self {
        Core {
            base: 0,
            max,
            state: State::Start { bom_done: false },
            unit: Unit::Idle,
            scan: TagEndScanner::default(),
            open: StartTag::default(),
            pending_end: false,
            error: None,
            version: None,
        }
    }

    pub(crate) fn offset(&self) -> u64 {
        self.base
    }

    pub(crate) fn max(&self) -> usize {
        self.max
    }

    pub(crate) fn error(&self) -> Option<&WireError> {
        self.error.as_ref()
    }

    pub(crate) fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The next frame from `buf` (consumed bytes are removed from it);
    /// `eof` says no more bytes will come.
    pub(crate) fn next(&mut self, buf: &mut BytesMut, eof: bool) -> Outcome {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        if std::mem::take(&mut self.pending_end) {
            return Ok(Some(Frame::ChannelEnd));
        }
        loop {
            let flow = match self.unit {
                Unit::Idle => self.idle(buf),
                Unit::Markup => self.markup_unit(buf),
                Unit::Text => self.text(buf),
                Unit::Content { lt } => self.content(buf, lt),
            }?;
            match flow {
                Flow::Continue => {}
                Flow::Stalled => return self.stalled(buf, eof),
                Flow::ChannelEnd => return Ok(Some(Frame::ChannelEnd)),
                Flow::ChannelStart => {
                    return Ok(Some(Frame::ChannelStart(self.take_channel_start(buf))));
                }
                Flow::Message { end, payload } => {
                    return Ok(Some(Frame::Message(self.take_message(buf, end, payload))));
                }
            }
        }
    }

    /// An error at index `at` of the buffer; the decoder keeps returning it.
    fn error_at(&mut self, at: usize, kind: WireErrorKind) -> WireError {
        let err = WireError::new(self.base + at as u64, kind);
        self.error = Some(err.clone());
        err
    }

    fn fail(&mut self, (at, kind): Fail) -> WireError {
        self.error_at(at, kind)
    }

    /// Waits for more input, resuming `unit`.
    fn stall(&mut self, unit: Unit) -> Result<Flow, WireError> {
        self.unit = unit;
        Ok(Flow::Stalled)
    }

    /// No frame without more input: fine, unless the unit is too large or
    /// the stream ended.
    fn stalled(&mut self, buf: &mut BytesMut, eof: bool) -> Outcome {
        if buf.len() >= self.max {
            let kind = WireErrorKind::FrameTooLarge { max: self.max };
            return Err(self.error_at(self.max, kind));
        }
        if !eof {
            return Ok(None);
        }
        match self.unit {
            Unit::Idle if buf.is_empty() => Ok(None),
            // Text at the end of an unterminated channel: ignored like any
            // text between messages, once checked.
            Unit::Text => {
                if let Err(f) = decode_text(buf) {
                    return Err(self.fail(f));
                }
                self.consume(buf, buf.len());
                Ok(None)
            }
            _ => Err(self.error_at(0, WireErrorKind::Truncated)),
        }
    }

    /// Drops the first `n` bytes of `buf` and starts a new unit.
    fn consume(&mut self, buf: &mut BytesMut, n: usize) {
        buf.advance(n);
        self.base += n as u64;
        self.unit = Unit::Idle;
        self.scan = TagEndScanner::default();
    }

    /// Detaches the first `n` bytes of `buf` as a shared buffer.
    fn take(&mut self, buf: &mut BytesMut, n: usize) -> Bytes {
        let bytes = buf.split_to(n).freeze();
        self.base += n as u64;
        self.unit = Unit::Idle;
        self.scan = TagEndScanner::default();
        bytes
    }

    fn limit(&self, buf: &[u8]) -> usize {
        buf.len().min(self.max)
    }

    /// Between units: BOM, white space, or the start of the next unit.
    fn idle(&mut self, buf: &mut BytesMut) -> Result<Flow, WireError> {
        if let State::Start { bom_done } = self.state {
            if !bom_done {
                if buf.len() < BOM.len() && BOM.starts_with(buf) {
                    return self.stall(Unit::Idle);
                }
                self.state = State::Start { bom_done: true };
                if buf.starts_with(BOM) {
                    self.consume(buf, BOM.len());
                }
            }
            match buf.first() {
                None => return self.stall(Unit::Idle),
                Some(b'<') => {
                    self.unit = Unit::Markup;
                    return Ok(Flow::Continue);
                }
                Some(_) => self.state = State::Prolog,
            }
        }
        let spaces = buf.iter().position(|&b| !is_ws(b)).unwrap_or(buf.len());
        if spaces > 0 {
            self.consume(buf, spaces);
        }
        self.unit = match (buf.first(), self.state) {
            (None, _) => return self.stall(Unit::Idle),
            (Some(b'<'), _) => Unit::Markup,
            (Some(_), State::Channel) => Unit::Text,
            (Some(_), State::Epilog) => {
                return Err(self.error_at(0, WireErrorKind::JunkAfterChannel));
            }
            (Some(_), _) => return Err(self.error_at(0, WireErrorKind::TextBeforeChannel)),
        };
        Ok(Flow::Continue)
    }

    /// Text between elements: checked like any character data, then dropped
    /// (ClusterShell ignores it too).
    fn text(&mut self, buf: &mut BytesMut) -> Result<Flow, WireError> {
        let limit = self.limit(buf);
        let from = self.scan.pos;
        let Some(n) = memchr::memchr(b'<', &buf[from..limit]) else {
            self.scan.pos = limit;
            return self.stall(Unit::Text);
        };
        if let Err(f) = decode_text(&buf[..from + n]) {
            return Err(self.fail(f));
        }
        self.consume(buf, from + n);
        Ok(Flow::Continue)
    }

    /// Markup at the start of the buffer, outside any message.
    fn markup_unit(&mut self, buf: &mut BytesMut) -> Result<Flow, WireError> {
        let limit = self.limit(buf);
        let declaration_allowed = matches!(self.state, State::Start { .. });
        let found = find_markup(
            buf,
            0,
            limit,
            declaration_allowed,
            &mut self.scan,
            &mut self.open,
        );
        match found {
            Err(f) => Err(self.fail(f)),
            Ok(None) => self.stall(Unit::Markup),
            Ok(Some(Markup::Declaration(len))) => {
                self.consume(buf, len);
                self.state = State::Prolog;
                Ok(Flow::Continue)
            }
            Ok(Some(Markup::Start)) => self.start_tag(buf),
            Ok(Some(Markup::End(..))) if self.state == State::Epilog => {
                Err(self.error_at(0, WireErrorKind::JunkAfterChannel))
            }
            Ok(Some(Markup::End(name, len))) => {
                let found = &buf[name];
                if self.state == State::Channel && found == b"channel" {
                    self.consume(buf, len);
                    self.state = State::Epilog;
                    return Ok(Flow::ChannelEnd);
                }
                let expected = (self.state == State::Channel).then_some("channel");
                let found = name_for_error(found);
                Err(self.error_at(2, WireErrorKind::MismatchedTag { expected, found }))
            }
        }
    }

    /// A complete start tag at the start of the buffer, parsed into `open`.
    fn start_tag(&mut self, buf: &BytesMut) -> Result<Flow, WireError> {
        let (len, empty) = (self.open.len, self.open.empty);
        let kind = match (self.state, &buf[self.open.name.clone()]) {
            (State::Epilog, _) => WireErrorKind::JunkAfterChannel,
            (State::Channel, b"message") if empty => {
                let payload = Payload::Empty;
                return Ok(Flow::Message { end: len, payload });
            }
            (State::Channel, b"message") => {
                self.scan = TagEndScanner::at(len);
                self.unit = Unit::Content { lt: None };
                return Ok(Flow::Continue);
            }
            (State::Channel, b"channel") => nested_element("channel", "channel"),
            (_, b"channel") => return Ok(Flow::ChannelStart),
            (_, b"message") => WireErrorKind::MessageOutsideChannel,
            (_, other) => invalid_start_tag(other),
        };
        Err(self.error_at(0, kind))
    }

    /// Splits off the channel's start tag (in `open`) as its attributes.
    fn take_channel_start(&mut self, buf: &mut BytesMut) -> Attributes {
        let empty = self.open.empty;
        let bytes = self.take(buf, self.open.len);
        let attributes = self.open_attributes(bytes);
        self.version = attributes.get("version").map(str::to_owned);
        self.state = if empty { State::Epilog } else { State::Channel };
        self.pending_end = empty;
        attributes
    }

    /// Splits off the message ending at `end` (its tag is in `open`).
    #[inline]
    fn take_message(&mut self, buf: &mut BytesMut, end: usize, payload: Payload) -> MessageFrame {
        let bytes = self.take(buf, end);
        let payload = match payload {
            Payload::Empty => Bytes::new(),
            Payload::Slice(range) => bytes.slice(range),
            Payload::Owned(text) => Bytes::from(text),
        };
        MessageFrame::new(self.open_attributes(bytes), payload)
    }

    /// The attributes of the tag in `open`, whose bytes start `bytes`.
    fn open_attributes(&mut self, bytes: Bytes) -> Attributes {
        let side = match self.open.side.is_empty() {
            true => Bytes::new(),
            false => Bytes::from(std::mem::take(&mut self.open.side)),
        };
        Attributes::from_parts(bytes, side, &self.open.spans)
    }

    /// Message content: everything up to `</message>`.
    fn content(&mut self, buf: &mut BytesMut, lt: Option<usize>) -> Result<Flow, WireError> {
        let limit = self.limit(buf);
        let lt = match lt {
            Some(lt) => lt,
            None => {
                let Some(n) = memchr::memchr(b'<', &buf[self.scan.pos..limit]) else {
                    self.scan.pos = limit;
                    return self.stall(Unit::Content { lt: None });
                };
                self.scan = TagEndScanner::at(self.scan.pos + n);
                self.scan.pos
            }
        };
        let tag_len = self.open.len;
        let end = if buf[lt..limit].starts_with(MESSAGE_END) {
            Ok(lt + MESSAGE_END.len())
        } else {
            self.content_end(buf, lt, limit)
        };
        let end = match end {
            Ok(0) => return self.stall(Unit::Content { lt: Some(lt) }),
            end => end,
        };
        // An error in the text comes first: it is earlier in the stream.
        let payload = match decode_text(&buf[tag_len..lt]) {
            Ok(Decoded::Same) if tag_len == lt => Payload::Empty,
            Ok(Decoded::Same) => Payload::Slice(tag_len..lt),
            Ok(Decoded::Owned(text)) => Payload::Owned(text),
            Err((i, kind)) => return Err(self.error_at(tag_len + i, kind)),
        };
        match end {
            Ok(end) => Ok(Flow::Message { end, payload }),
            Err(f) => Err(self.fail(f)),
        }
    }

    /// The end of the message whose content stops at `lt`, when that is not
    /// plainly `</message>`: `Ok(0)` when more input is needed.
    fn content_end(&mut self, buf: &[u8], lt: usize, limit: usize) -> Result<usize, Fail> {
        // A nested start tag is parsed into a scratch tag, keeping `open`.
        let mut nested = StartTag::default();
        match find_markup(buf, lt, limit, false, &mut self.scan, &mut nested)? {
            None => Ok(0),
            Some(Markup::End(name, len)) if &buf[lt + name.start..lt + name.end] == b"message" => {
                Ok(lt + len)
            }
            Some(markup) => Err(inside_message_error(buf, lt, markup, &nested)),
        }
    }
}
