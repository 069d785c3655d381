//! Turning a page or a file into a response.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use exchange::FileFormat;

use super::error::WebError;

pub fn render(template: &impl Template) -> Result<String, WebError> {
    template
        .render()
        .map_err(|e| WebError::Internal(e.to_string()))
}

/// A value percent-encoded for a query string or a path segment.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A file to download, its Chinese name percent-encoded (RFC 5987).
pub fn attachment(bytes: Vec<u8>, format: FileFormat, stem: &str) -> Response {
    attachment_named(
        bytes,
        format.content_type(),
        &format!("{stem}.{}", format.extension()),
    )
}

/// A file of any type to download as `name`.
pub fn attachment_named(bytes: Vec<u8>, content_type: &str, name: &str) -> Response {
    // RFC 5987: the Chinese file name travels percent-encoded.
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let extension = name.rsplit_once('.').map_or("bin", |(_, e)| e);
    let plain: String = extension
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"export.{plain}\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// An xlsx file to download.
pub fn xlsx_response(bytes: Vec<u8>, file_stem: &str) -> Response {
    attachment(bytes, exchange::FileFormat::Xlsx, file_stem)
}

/// `?format=` of a list's export: `csv`, or a workbook.
#[derive(Debug, Default, serde::Deserialize)]
pub struct FormatQuery {
    #[serde(default)]
    pub format: String,
}

impl FormatQuery {
    pub fn file_format(&self) -> FileFormat {
        file_format(&self.format)
    }
}

/// `csv` asks for CSV; anything else is a workbook.
pub fn file_format(format: &str) -> FileFormat {
    if format == "csv" {
        FileFormat::Csv
    } else {
        FileFormat::Xlsx
    }
}

/// Whose records a download holds: the viewer's unit, or the whole city.
pub fn whose(user: &crate::auth::CurrentUser) -> String {
    match &user.user.unit {
        Some(unit) => format!("范围：{unit}"),
        None => "范围：全市".to_owned(),
    }
}

/// A list as a page shows it, downloaded: the first note says whose it is (the viewer's unit,
/// or the whole city for an account that reads it all), so that the file and its print say so.
pub fn listing_download(
    user: &crate::auth::CurrentUser,
    mut listing: exchange::Listing,
    format: FileFormat,
) -> Result<Response, WebError> {
    // A list not of the viewer's records (the enterprise database, the same for everyone) says
    // its own 范围.
    if !listing
        .notes
        .first()
        .is_some_and(|n| n.starts_with("范围："))
    {
        listing.notes.insert(0, whose(user));
    }
    let stem = listing.title.clone();
    let bytes = exchange::listing_bytes(&listing, format).map_err(super::error::exchange_error)?;
    Ok(attachment(bytes, format, &stem))
}
