//! The text of a CSV as Chinese offices save it: UTF-8, UTF-16 with its mark, or GB18030 —
//! decided on the whole file for an upload, on its first 64 KiB for a stream.

use crate::ExchangeError;

/// A CSV's text whatever Chinese Excel and WPS saved it as: UTF-8 (with or without its mark),
/// UTF-16 with its mark (Excel's "Unicode 文本"), else GB18030 — what "CSV (逗号分隔)" writes
/// on Chinese Windows, a superset of GBK and GB2312. A file that is none of them is refused.
pub fn decode_text(
    bytes: &[u8],
) -> Result<(std::borrow::Cow<'_, str>, Option<&'static str>), ExchangeError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, malformed) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if malformed {
            return Err(ExchangeError::Format(format!(
                "文件以{}编码标记开头，但内容不是有效的{}文本；请在Excel中另存为“CSV UTF-8（逗号分隔）”",
                encoding.name(),
                encoding.name()
            )));
        }
        let named =
            (encoding != encoding_rs::UTF_8).then_some(if encoding == encoding_rs::UTF_16LE {
                "UTF-16LE（Unicode 文本）"
            } else {
                "UTF-16BE"
            });
        return Ok((text, named));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((std::borrow::Cow::Borrowed(text), None));
    }
    let (text, malformed) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if malformed {
        return Err(ExchangeError::Format(
            "文件编码无法识别（不是UTF-8、GB18030/GBK或UTF-16）；请在Excel中另存为“CSV UTF-8（逗号分隔）”".into(),
        ));
    }
    Ok((text, Some("GB18030/GBK")))
}

/// A file's text as UTF-8, transcoded as it is read, by the rule of [`decode_text`] decided on
/// its first 64 KiB: the streaming enterprise import reads registry dumps of gigabytes in
/// GB18030 without holding them.
pub fn decoding_reader<R: std::io::Read + Send + 'static>(
    mut inner: R,
) -> std::io::Result<(Box<dyn std::io::Read + Send>, Option<&'static str>)> {
    let mut head = vec![0u8; 64 * 1024];
    let mut filled = 0;
    while filled < head.len() {
        let read = inner.read(&mut head[filled..])?;
        if read == 0 {
            break;
        }
        filled += read;
    }
    head.truncate(filled);
    let (encoding, skip) = match encoding_rs::Encoding::for_bom(&head) {
        Some((encoding, bom)) => (encoding, bom),
        None => match std::str::from_utf8(&head) {
            // A character cut at the end of the sample is still UTF-8.
            Ok(_) => (encoding_rs::UTF_8, 0),
            Err(e) if e.error_len().is_none() => (encoding_rs::UTF_8, 0),
            Err(_) => (encoding_rs::GB18030, 0),
        },
    };
    let named = if encoding == encoding_rs::UTF_8 {
        None
    } else if encoding == encoding_rs::GB18030 {
        Some("GB18030/GBK")
    } else if encoding == encoding_rs::UTF_16LE {
        Some("UTF-16LE（Unicode 文本）")
    } else {
        Some("UTF-16BE")
    };
    let head = std::io::Cursor::new(head.split_off(skip));
    let source = std::io::Read::chain(head, inner);
    if encoding == encoding_rs::UTF_8 {
        return Ok((Box::new(source), None));
    }
    Ok((
        Box::new(Transcoder {
            source: Box::new(source),
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; 64 * 1024],
            start: 0,
            end: 0,
            output: Vec::new(),
            at: 0,
            done: false,
        }),
        named,
    ))
}

/// Turns another encoding's bytes into UTF-8 a buffer at a time.
struct Transcoder {
    source: Box<dyn std::io::Read + Send>,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    output: Vec<u8>,
    at: usize,
    done: bool,
}

impl std::io::Read for Transcoder {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.output.len() {
            if self.done {
                return Ok(0);
            }
            if self.start == self.end {
                self.start = 0;
                self.end = self.source.read(&mut self.input)?;
            }
            let last = self.end == 0;
            self.output.clear();
            self.output.resize(self.input.len() * 3 + 16, 0);
            self.at = 0;
            let (result, read, written, malformed) = self.decoder.decode_to_utf8(
                &self.input[self.start..self.end],
                &mut self.output,
                last,
            );
            if malformed {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "文件编码无法识别（不是UTF-8、GB18030/GBK或UTF-16）",
                ));
            }
            self.start += read;
            self.output.truncate(written);
            if last && result == encoding_rs::CoderResult::InputEmpty {
                self.done = true;
            }
        }
        let n = buf.len().min(self.output.len() - self.at);
        buf[..n].copy_from_slice(&self.output[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
