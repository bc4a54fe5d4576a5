//! 分帧 / Framing: how a byte stream carries messages.
//!
//! TCP delivers bytes in order and nothing else: no `send` boundary survives
//! the trip. So the two ends agree on how a message ends, and the reader keeps
//! the bytes that arrived until a whole message is there, however the stream
//! was cut into `recv`s. Two ways to agree:
//!
//! - **length prefix**: 4 bytes, the payload's length as a big-endian unsigned
//!   integer, then the payload. Any bytes may be in the payload; the reader
//!   knows how many to wait for.
//! - **line**: the payload, then `\n` (0x0A). Safe in GBK and UTF-8, where no
//!   multi-byte character contains the byte 0x0A; not in UTF-16, where `上`
//!   (U+4E0A) is `0a 4e`.
//!
//! The reader takes its bytes from a `recv` function it is given, so that the
//! lesson's server shows its own `socket.recv(…)` call and the tests can feed
//! it bytes cut at random.
//!
//! Left out on purpose: anything a real protocol adds (a type byte, a checksum,
//! a version).

use std::fmt;
use std::io;

use clap::ValueEnum;

/// The largest payload this lesson accepts. A length prefix can declare up to
/// 4 GiB; a reader that believed it would allocate that much for one hostile
/// peer.
pub const MAX_PAYLOAD: usize = 64 * 1024;

/// How many bytes the reader asks `recv` for at a time.
const CHUNK: usize = 4096;

/// How messages are marked in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Framing {
    /// 4 字节大端长度前缀，然后是内容 /
    /// a 4-byte big-endian length, then the payload
    Length,
    /// 内容，然后是换行符 \n / the payload, then a newline
    Line,
}

impl fmt::Display for Framing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Length => "length",
            Self::Line => "line",
        })
    }
}

/// What went wrong while reading or writing a frame.
#[derive(Debug)]
pub enum FrameError {
    /// The peer declared (or sent, without a newline) more than [`MAX_PAYLOAD`]
    /// bytes.
    TooLong { length: usize },
    /// A line payload contains the newline that would end it early.
    NewlineInPayload,
    /// The stream ended after `have` bytes of an unfinished frame.
    ClosedMidFrame { have: usize },
    /// `recv` failed; `have` bytes of an unfinished frame were waiting
    /// (0: between frames).
    Recv { error: io::Error, have: usize },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { length } => write!(
                f,
                "帧太长 frame too long: \
                 {length} 字节 bytes > 上限 max {MAX_PAYLOAD}"
            ),
            Self::NewlineInPayload => {
                write!(f, "内容里有换行符 the payload contains a newline (\\n)")
            }
            Self::ClosedMidFrame { have } => write!(
                f,
                "对方在一帧的中间关闭了连接 \
                 the peer closed mid-frame, after {have} 字节 bytes"
            ),
            Self::Recv { error, have } => write!(
                f,
                "接收失败 recv failed \
                 ({have} 字节 bytes of a frame waiting): {:?}: {error}",
                error.kind()
            ),
        }
    }
}

/// As an `io::Error` of the kind that says what happened, so that `course::finish` can explain
/// it: the stream ended early (`UnexpectedEof`), bytes that are no frame (`InvalidData`), or
/// the `recv` error itself (a reset stays a reset).
impl From<FrameError> for io::Error {
    fn from(error: FrameError) -> Self {
        let kind = match &error {
            FrameError::TooLong { .. } | FrameError::NewlineInPayload => {
                io::ErrorKind::InvalidData
            }
            FrameError::ClosedMidFrame { .. } => io::ErrorKind::UnexpectedEof,
            FrameError::Recv { error, .. } => error.kind(),
        };
        io::Error::new(kind, error.to_string())
    }
}

// ANCHOR: write_frame
/// Appends one frame carrying `payload` to `out`.
pub fn write_frame(
    framing: Framing,
    payload: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), FrameError> {
    if payload.len() > MAX_PAYLOAD {
        return Err(FrameError::TooLong {
            length: payload.len(),
        });
    }
    match framing {
        Framing::Length => {
            // The length fits in 4 bytes: MAX_PAYLOAD is far below u32::MAX.
            let length = u32::try_from(payload.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&length.to_be_bytes());
            out.extend_from_slice(payload);
        }
        Framing::Line => {
            if payload.contains(&b'\n') {
                return Err(FrameError::NewlineInPayload);
            }
            out.extend_from_slice(payload);
            out.push(b'\n');
        }
    }
    Ok(())
}
// ANCHOR_END: write_frame

/// Reads frames from one connection's stream, keeping the bytes of an
/// unfinished frame between calls. One per connection, like lesson 4's decoder.
pub struct FrameReader {
    framing: Framing,
    /// Bytes received and not yet handed out as a frame.
    pending: Vec<u8>,
}

impl FrameReader {
    pub fn new(framing: Framing) -> Self {
        FrameReader {
            framing,
            pending: Vec::new(),
        }
    }

    // ANCHOR: read_frame
    /// The next whole frame's payload, calling `recv` as often as it takes;
    /// `Ok(None)` when the stream ends cleanly between frames. `recv` is the
    /// socket's: it fills the buffer it is given with up to that many bytes and
    /// returns how many, 0 at the end of the stream.
    pub fn read_frame(
        &mut self,
        mut recv: impl FnMut(&mut [u8]) -> io::Result<usize>,
    ) -> Result<Option<Vec<u8>>, FrameError> {
        let mut chunk = [0u8; CHUNK];
        loop {
            // A whole frame may already be here:
            // a recv can bring several (粘包).
            if let Some(payload) = self.take_frame()? {
                return Ok(Some(payload));
            }
            // Not yet: the rest is still on its way (拆包). Ask for more.
            let received =
                recv(&mut chunk).map_err(|error| FrameError::Recv {
                    error,
                    have: self.pending.len(),
                })?;
            if received == 0 {
                return match self.pending.len() {
                    0 => Ok(None),
                    have => Err(FrameError::ClosedMidFrame { have }),
                };
            }
            self.pending.extend_from_slice(&chunk[..received]);
        }
    }
    // ANCHOR_END: read_frame

    // ANCHOR: take_frame
    /// Cuts the first whole frame off the pending bytes, if they hold one.
    fn take_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        match self.framing {
            Framing::Length => {
                let Some(prefix) = self.pending.first_chunk::<4>() else {
                    return Ok(None);
                };
                let length = u32::from_be_bytes(*prefix) as usize;
                // Refuse before waiting for (or making room for)
                // a payload this large.
                if length > MAX_PAYLOAD {
                    return Err(FrameError::TooLong { length });
                }
                if self.pending.len() < 4 + length {
                    return Ok(None);
                }
                let payload = self.pending[4..4 + length].to_vec();
                self.pending.drain(..4 + length);
                Ok(Some(payload))
            }
            Framing::Line => {
                match self.pending.iter().position(|&byte| byte == b'\n') {
                    Some(end) => {
                        let payload = self.pending[..end].to_vec();
                        self.pending.drain(..=end);
                        Ok(Some(payload))
                    }
                    None if self.pending.len() > MAX_PAYLOAD => {
                        Err(FrameError::TooLong {
                            length: self.pending.len(),
                        })
                    }
                    None => Ok(None),
                }
            }
        }
    }
    // ANCHOR_END: take_frame
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream whose `recv` returns between 1 and 4096 bytes, at random,
    /// however much is asked for: the frames must come out the same whatever
    /// the cuts.
    struct Choppy {
        bytes: Vec<u8>,
        at: usize,
        seed: u64,
    }

    impl Choppy {
        fn new(bytes: Vec<u8>, seed: u64) -> Self {
            Choppy { bytes, at: 0, seed }
        }

        /// xorshift64: enough randomness to place the cuts, and repeatable from
        /// the seed.
        fn next(&mut self) -> u64 {
            self.seed ^= self.seed << 13;
            self.seed ^= self.seed >> 7;
            self.seed ^= self.seed << 17;
            self.seed
        }

        fn recv(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            let most = 1 + (self.next() % 4096) as usize;
            let n = most.min(buffer.len()).min(self.bytes.len() - self.at);
            buffer[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn messages() -> Vec<Vec<u8>> {
        let mut messages: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            "你好".as_bytes().to_vec(),
            vec![b'x'; MAX_PAYLOAD],
            b"a".to_vec(),
        ];
        for n in 0..50 {
            messages
                .push(format!("第 {n} 条 message {n}").repeat(n).into_bytes());
        }
        messages
    }

    fn stream(framing: Framing, messages: &[Vec<u8>]) -> Vec<u8> {
        let mut stream = Vec::new();
        for message in messages {
            write_frame(framing, message, &mut stream)
                .expect("no newline, within the maximum");
        }
        stream
    }

    #[test]
    fn frames_survive_any_cuts() {
        for framing in [Framing::Length, Framing::Line] {
            let messages = messages();
            for seed in 1..=20 {
                let mut source = Choppy::new(stream(framing, &messages), seed);
                let mut reader = FrameReader::new(framing);
                let mut got = Vec::new();
                while let Some(frame) = reader
                    .read_frame(|buffer| source.recv(buffer))
                    .expect("a well-formed stream")
                {
                    got.push(frame);
                }
                assert_eq!(got, messages, "{framing:?}, seed {seed}");
            }
        }
    }

    #[test]
    fn a_hostile_length_is_refused_before_anything_is_allocated() {
        let mut source = Choppy::new(u32::MAX.to_be_bytes().to_vec(), 7);
        let mut reader = FrameReader::new(Framing::Length);
        let error = reader.read_frame(|buffer| source.recv(buffer));
        assert!(matches!(
            error,
            Err(FrameError::TooLong { length }) if length == u32::MAX as usize
        ));
        assert!(
            reader.pending.capacity() < 2 * CHUNK,
            "nothing was reserved for the payload"
        );
    }

    /// A payload of exactly the maximum is a frame, even when its newline (or the last byte of
    /// its length-prefixed payload) comes in a recv of its own: the limit is passed only by a
    /// byte more.
    #[test]
    fn a_frame_of_the_maximum_waits_for_its_last_byte() {
        for framing in [Framing::Length, Framing::Line] {
            let bytes = stream(framing, &[vec![b'x'; MAX_PAYLOAD]]);
            let (most, last) = bytes.split_at(bytes.len() - 1);
            let mut parts = most.chunks(CHUNK).chain([last]);
            let mut reader = FrameReader::new(framing);
            let frame = reader.read_frame(|buffer| {
                let Some(part) = parts.next() else {
                    return Ok(0);
                };
                buffer[..part.len()].copy_from_slice(part);
                Ok(part.len())
            });
            assert_eq!(
                frame.expect("within the maximum").map(|f| f.len()),
                Some(MAX_PAYLOAD),
                "{framing:?}"
            );
        }
    }

    #[test]
    fn an_endless_line_is_refused_once_it_passes_the_maximum() {
        let mut source = Choppy::new(vec![b'x'; 3 * MAX_PAYLOAD], 3);
        let mut reader = FrameReader::new(Framing::Line);
        let error = reader.read_frame(|buffer| source.recv(buffer));
        assert!(matches!(error, Err(FrameError::TooLong { .. })));
        assert!(
            source.at < MAX_PAYLOAD + CHUNK + 1,
            "it stopped reading at the maximum"
        );
    }

    #[test]
    fn a_stream_that_ends_mid_frame_says_so() {
        for framing in [Framing::Length, Framing::Line] {
            let mut bytes =
                stream(framing, &[b"whole".to_vec(), b"cut short".to_vec()]);
            bytes.truncate(bytes.len() - 3);
            let mut source = Choppy::new(bytes, 11);
            let mut reader = FrameReader::new(framing);
            let first = reader.read_frame(|buffer| source.recv(buffer));
            assert!(
                matches!(first, Ok(Some(ref payload)) if payload == b"whole")
            );
            let second = reader.read_frame(|buffer| source.recv(buffer));
            assert!(matches!(
                second,
                Err(FrameError::ClosedMidFrame { have }) if have > 0
            ));
        }
    }

    #[test]
    fn a_line_payload_may_not_hold_a_newline() {
        let mut out = Vec::new();
        assert!(matches!(
            write_frame(Framing::Line, b"one\ntwo", &mut out),
            Err(FrameError::NewlineInPayload)
        ));
        assert!(out.is_empty());
    }

    /// Why line framing is safe in GBK and UTF-8 and not in UTF-16: no GBK or
    /// UTF-8 encoding of any character but `\n` itself holds the byte 0x0A; in
    /// UTF-16 thousands do.
    #[test]
    fn only_utf16_hides_newline_bytes_inside_characters() {
        let mut utf16_with_0a = 0;
        for c in (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| c != '\n')
        {
            let text = c.to_string();
            assert!(!text.as_bytes().contains(&b'\n'), "UTF-8 of {c:?}");
            let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
            assert!(unmappable || !gbk.contains(&b'\n'), "GBK of {c:?}");
            let mut units = [0u16; 2];
            let le: Vec<u8> = c
                .encode_utf16(&mut units)
                .iter()
                .flat_map(|unit| unit.to_le_bytes())
                .collect();
            if le.contains(&b'\n') {
                utf16_with_0a += 1;
            }
        }
        assert!(
            utf16_with_0a > 1000,
            "UTF-16 characters holding 0x0A: {utf16_with_0a}"
        );
        assert_eq!(
            "上"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>(),
            [0x0a, 0x4e]
        );
    }
}
