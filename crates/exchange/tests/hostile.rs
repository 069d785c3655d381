//! Files as an attacker or a broken tool would send them: a zip bomb dressed as .xlsx, damaged
//! and random workbooks, text that a spreadsheet would run as a formula; and the parsers of
//! every cell fuzzed with generated input. Each ends in a clear error or safe data, never a
//! panic.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use std::io::Write;

use exchange::table::{guarded, read_bytes};
use proptest::prelude::*;

/// A real workbook: a header and a row.
fn workbook() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "单位名称").unwrap();
    sheet.write_string(0, 1, "类型").unwrap();
    sheet.write_string(1, 0, "集贤县").unwrap();
    sheet.write_number(1, 1, 12.5).unwrap();
    book.save_to_buffer().unwrap()
}

/// An .xlsx-shaped zip whose sheet claims `inflated` bytes of zeros.
fn zip_with_sheet(inflated: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(inflated > u32::MAX as usize);
        zip.start_file("[Content_Types].xml", options).unwrap();
        zip.write_all(b"<Types/>").unwrap();
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        let block = vec![b' '; 1 << 20];
        for _ in 0..inflated >> 20 {
            zip.write_all(&block).unwrap();
        }
        zip.finish().unwrap();
    }
    bytes
}

#[test]
fn a_zip_bomb_dressed_as_a_workbook_is_refused_before_it_is_inflated() {
    let bomb = zip_with_sheet(256 << 20);
    assert!(bomb.len() < 2 << 20, "{} bytes packed", bomb.len());
    let err = read_bytes("名单.xlsx", &bomb).unwrap_err().to_string();
    assert!(
        err.contains("疑似压缩炸弹") && err.contains("xl/worksheets/sheet1.xml"),
        "{err}"
    );
    // The same check on the streaming path the enterprise import takes.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("firms.xlsx");
    std::fs::write(&path, &bomb).unwrap();
    let Err(err) = exchange::table::stream_xlsx(&path) else {
        panic!("the bomb was opened")
    };
    assert!(err.to_string().contains("疑似压缩炸弹"), "{err}");
}

#[test]
fn damaged_and_foreign_files_get_a_chinese_error() {
    let real = workbook();
    assert!(read_bytes("units.xlsx", &real).is_ok());
    for cut in [10, real.len() / 3, real.len() - 20] {
        let err = read_bytes("units.xlsx", &real[..cut])
            .unwrap_err()
            .to_string();
        assert!(err.contains("无法读取Excel文件"), "{err}");
    }
    let err = read_bytes("units.xlsx", b"PK\x03\x04 not really a zip")
        .unwrap_err()
        .to_string();
    assert!(err.contains("无法读取Excel文件"), "{err}");
    // GBK, as Chinese Excel saves "CSV (逗号分隔)": read, and the report says so.
    let gbk = [0xb5u8, 0xa5, 0xce, 0xbb, 0xc3, 0xfb, 0xb3, 0xc6, b'\n'];
    let table = read_bytes("units.csv", &gbk).unwrap();
    assert_eq!(table.headers, ["单位名称"]);
    assert!(table.notes[0].contains("GB18030/GBK"), "{:?}", table.notes);
    // Bytes that are text in no encoding offices use: refused with the way out.
    let err = read_bytes("units.csv", &[0x81u8, 0x20, 0xFF, 0xFE, 0x00, 0x81])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("编码无法识别") && err.contains("CSV UTF-8"),
        "{err}"
    );
    let err = read_bytes("../../etc/passwd", b"root:x:0:0")
        .unwrap_err()
        .to_string();
    assert!(!err.is_empty());
}

#[test]
fn text_a_spreadsheet_would_run_is_written_as_text_and_read_back_as_typed() {
    assert_eq!(guarded("\t=1"), "'\t=1");
    for formula in ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)"] {
        let written = guarded(formula);
        assert_eq!(written, format!("'{formula}"));
        let csv = format!("名称\n\"{written}\"\n");
        let table = read_bytes("x.csv", csv.as_bytes()).unwrap();
        assert_eq!(
            table.rows[0].cells[0].text(),
            formula,
            "imported as it was typed"
        );
    }
    assert_eq!(guarded("集贤县"), "集贤县");
    assert_eq!(guarded("'quoted"), "'quoted");
}

/// How many generated inputs each fuzzed parser is given.
const CASES: u32 = 2_000;

proptest! {
    // PROPTEST_CASES=N runs more by hand.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(CASES),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_bytes_as_csv_read_or_refuse(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_bytes("fuzz.csv", &bytes);
    }

    #[test]
    fn any_text_as_csv_read_or_refuse(text in "[\\PC\",\n\r]{0,400}") {
        if let Ok(table) = read_bytes("fuzz.csv", text.as_bytes()) {
            prop_assert!(table.rows.iter().all(|r| r.number >= 2));
        }
    }

    #[test]
    fn any_bytes_as_xlsx_read_or_refuse(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read_bytes("fuzz.xlsx", &bytes);
    }

    #[test]
    fn a_workbook_damaged_anywhere_reads_or_refuses(at in 0usize..100_000, byte in any::<u8>()) {
        let mut real = workbook();
        let i = at % real.len();
        real[i] = byte;
        let _ = read_bytes("fuzz.xlsx", &real);
    }

    #[test]
    fn every_cell_parser_answers_any_text(text in "\\PC{0,40}") {
        let _ = domain::Money::parse_wan("金额", &text);
        let _ = domain::period::parse_date("日期", &text);
        let _ = domain::CreditCode::parse("统一社会信用代码", &text);
        let _ = domain::enterprise::IndustryCode::parse("行业", &text);
        let _ = domain::Period::parse(2022, &text, None);
    }

    #[test]
    fn amounts_in_wan_parse_exactly(whole in 0i64..10_000_000, frac in 0u32..10_000) {
        let text = format!("{whole}.{frac:04}");
        let money = domain::Money::parse_wan("金额", &text).unwrap();
        prop_assert_eq!(money.units(), whole * 10_000 + i64::from(frac));
        prop_assert_eq!(money.to_wan_exact().parse::<f64>().unwrap(), text.parse::<f64>().unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(CASES) / 4,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The streaming reader of the enterprise import: a damaged workbook ends in an error, never
    /// in a panic or in rows that pass for the whole file.
    #[test]
    fn a_damaged_workbook_streams_or_refuses(at in 0usize..100_000, byte in any::<u8>()) {
        let mut real = workbook();
        let i = at % real.len();
        real[i] = byte;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("firms.xlsx");
        std::fs::write(&path, &real).unwrap();
        if let Ok((_, _, rows, _)) = exchange::table::stream_xlsx(&path) {
            for row in rows {
                if row.is_err() {
                    break;
                }
            }
        }
    }
}
