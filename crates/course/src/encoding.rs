//! Text encodings by label (`gbk`, `gb2312`, `gb18030`, `utf-8`, `big5`, …), as `encoding_rs`
//! knows them from the WHATWG Encoding Standard.

use encoding_rs::Encoding;

/// Looks up an encoding by label for `--encoding`; the error is a line in Chinese and one in
/// English that a student can act on, starting on a line of its own after clap's `error:
/// invalid value … for '--encoding <ENCODING>':`, so that no line is wider than a terminal.
///
/// Labels that name the same encoding resolve to it: `gb2312` is decoded and encoded as
/// GBK, its superset, exactly as web browsers do.
pub fn parse_label(label: &str) -> Result<&'static Encoding, String> {
    let encoding = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        format!(
            "\n  未知的编码 '{label}'，可用例如 gbk、gb2312、gb18030、utf-8、big5\n  \
             unknown encoding '{label}': try gbk, gb2312, gb18030, utf-8 or big5"
        )
    })?;
    // UTF-16 and the "replacement" encoding can decode but encode as UTF-8 instead; a
    // lesson that sent something other than what was asked for would teach the wrong thing.
    if encoding.output_encoding() != encoding {
        return Err(format!(
            "\n  编码 '{label}' 只能解码、不能编码，请换一个，例如 gbk 或 utf-8\n  \
             encoding '{label}' can decode but not encode: pick another, such as gbk or utf-8"
        ));
    }
    Ok(encoding)
}

// ANCHOR: decode_stream
/// Decodes the next bytes of one connection's stream with that connection's
/// decoder (lesson 4's `decode`, shared by the servers after it). A character
/// whose bytes are split across two calls comes out whole from the second;
/// bytes that are not valid come out as U+FFFD; `last` says the stream has
/// ended, so that a half character left over shows as U+FFFD too.
pub fn decode_stream(decoder: &mut encoding_rs::Decoder, bytes: &[u8], last: bool) -> String {
    let mut text = String::new();
    let mut rest = bytes;
    loop {
        // The decoder writes into spare capacity only; give it room for the worst case.
        let room = decoder
            .max_utf8_buffer_length(rest.len())
            .unwrap_or(rest.len() * 3 + 16);
        text.reserve(room);
        let (result, read, _) = decoder.decode_to_string(rest, &mut text, last);
        rest = &rest[read..];
        if let encoding_rs::CoderResult::InputEmpty = result {
            return text;
        }
    }
}
// ANCHOR_END: decode_stream

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_chinese_labels_resolve() {
        for label in ["gbk", "GBK", "gb2312", "gb18030", "utf-8", "utf8", "big5"] {
            assert!(parse_label(label).is_ok(), "{label} should be known");
        }
        assert_eq!(parse_label("gb2312").map(Encoding::name), Ok("GBK"));
    }

    /// A character split across two calls comes out whole from the second; an invalid byte and
    /// a half character at the end of the stream come out as U+FFFD.
    #[test]
    fn a_stream_decodes_across_its_pieces() {
        let mut decoder = encoding_rs::GBK.new_decoder_without_bom_handling();
        let ni_hao = encoding_rs::GBK.encode("你好").0.into_owned();
        assert_eq!(decode_stream(&mut decoder, &ni_hao[..1], false), "");
        assert_eq!(decode_stream(&mut decoder, &ni_hao[1..], false), "你好");
        assert_eq!(
            decode_stream(&mut decoder, b"ok\xff!", false),
            "ok\u{fffd}!"
        );
        assert_eq!(decode_stream(&mut decoder, &ni_hao[..1], true), "\u{fffd}");
    }

    #[test]
    fn unknown_and_decode_only_labels_are_refused() {
        assert!(parse_label("klingon").is_err_and(|e| e.contains("unknown encoding")));
        assert!(parse_label("utf-16le").is_err_and(|e| e.contains("not encode")));
    }
}
