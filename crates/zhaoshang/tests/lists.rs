//! Every list page's export holds what the page shows (issue 21.6): as many rows as the page
//! counts, in the viewer's scope, as CSV and as a workbook that says whose list it is.
//!
//! Runs on the demo city served by the real binary, on both databases.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod support;

use store::both_databases;
use store::testing::TestDb;
use support::Session;

/// The number a page states between `before` and `after` ("共 12 个项目").
fn stated(page: &str, before: &str, after: &str) -> usize {
    let start = page
        .find(before)
        .unwrap_or_else(|| panic!("“{before}” not on the page"))
        + before.len();
    let rest = &page[start..];
    let number = &rest[..rest.find(after).unwrap_or(0)];
    number
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("“{before}…{after}”: “{}”", &rest[..rest.len().min(200)]))
}

/// A CSV export's rows under its header, as records of cells.
fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::str::from_utf8(bytes)
        .unwrap_or_else(|_| panic!("not UTF-8: {:?}", &bytes[..bytes.len().min(80)]));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

async fn download(session: &Session, path: &str) -> Vec<u8> {
    let reply = session.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    assert!(
        reply
            .header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment")),
        "{path}"
    );
    reply.bytes
}

async fn every_list_exports_what_it_shows_in_the_viewers_scope(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let (_server, addr, passwords) = support::demo_server(&db.url, dir.path());
    let bureau = Session::sign_in(addr, "bureau", &passwords["bureau"]).await;
    let jixian = Session::sign_in(addr, "jixian", &passwords["jixian"]).await;

    for (who, session) in [("bureau", &bureau), ("jixian", &jixian)] {
        // (page, its export, the count the page states, the column naming each row's county)
        let six = session.get("/six-ones").await.body;
        let blockers = session.get("/blockers?show=all").await.body;
        let visits = session.get("/visits?year=2022").await.body;
        let warnings = session.get("/warnings").await.body;
        let review = session.get("/review").await.body;
        let lists = [
            (
                "/review/export?format=csv",
                stated(&review, "<p>共 ", " 条"),
                None,
            ),
            (
                "/six-ones/export?format=csv",
                stated(&six, "共 ", " 个项目"),
                Some("所在县区"),
            ),
            (
                "/blockers/export?show=all&format=csv",
                stated(&blockers, "全部 ", " 项"),
                Some("所在地"),
            ),
            (
                "/visits/export?year=2022&format=csv",
                stated(&visits, "共对接 ", " 次"),
                None,
            ),
            (
                "/warnings/export?format=csv",
                stated(&warnings, "红灯项目 ", " 个") + stated(&warnings, "黄灯项目 ", " 个"),
                None,
            ),
        ];
        for (path, count, county) in lists {
            let (headers, rows) = csv_rows(&download(session, path).await);
            let rows: Vec<&Vec<String>> = rows
                .iter()
                .filter(|r| !path.starts_with("/warnings") || r[0] == "项目")
                .collect();
            assert_eq!(rows.len(), count, "{who} {path}");
            assert!(
                count > 0 || path.starts_with("/review"),
                "{who} {path}: the demo has some"
            );
            if who == "jixian"
                && let Some(column) = county
            {
                let at = headers.iter().position(|h| h == column).unwrap();
                assert!(
                    rows.iter().all(|r| r[at] == "集贤县"),
                    "{who} {path}: another county's row"
                );
            }
        }
        // A unit account's visits are its own unit's.
        if who == "jixian" {
            let (headers, rows) =
                csv_rows(&download(session, "/visits/export?year=2022&format=csv").await);
            let at = headers.iter().position(|h| h == "单位").unwrap();
            assert!(rows.iter().all(|r| r[at] == "集贤县"));
        }
    }

    // A leader's and a team's projects, as the page counts them, in the viewer's scope.
    for session in [&bureau, &jixian] {
        let leader = session.get("/leaders").await.body;
        let name = leader
            .split("href=\"/leader/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let page = session.get(&format!("/leader/{name}")).await.body;
        let count = stated(&page, "<dt>包保范围内项目</dt><dd>", " 个");
        let (headers, rows) =
            csv_rows(&download(session, &format!("/leader/{name}/export?format=csv")).await);
        assert_eq!(rows.len(), count, "/leader/{name}");
        if std::ptr::eq(session, &jixian) {
            let at = headers.iter().position(|h| h == "所在县区").unwrap();
            assert!(rows.iter().all(|r| r[at] == "集贤县"), "/leader/{name}");
        }
    }

    // A chain map's segments, one row each, and a segment's ranked targets.
    let chains = bureau.get("/chains").await.body;
    let chain = chains
        .split("href=\"/chain-maps/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let map = bureau.get(&format!("/chain-maps/{chain}")).await.body;
    let (_, rows) =
        csv_rows(&download(&bureau, &format!("/chain-maps/{chain}/export?format=csv")).await);
    assert_eq!(rows.len(), map.matches("id=\"segment-").count());
    assert!(!rows.is_empty());
    let targets = map
        .split("href=\"")
        .filter_map(|piece| piece.split('"').next())
        .find(|link| link.starts_with("/chain-maps/") && link.ends_with("/targets"))
        .unwrap()
        .trim_end_matches("/targets")
        .to_owned();
    let page = bureau.get(&format!("{targets}/targets")).await.body;
    let (headers, rows) =
        csv_rows(&download(&bureau, &format!("{targets}/targets/export?format=csv")).await);
    assert_eq!(headers, ["名次", "企业", "得分", "依据"]);
    assert_eq!(rows.len(), page.matches("<tr><td>").count());

    // A figure's records: the same count and sum as the page, the sum as a last row.
    let query = "year=2022&period=H1&indicator=signed_amount&unit=%E9%9B%86%E8%B4%A4%E5%8E%BF";
    let page = jixian.get(&format!("/scoreboard/drill?{query}")).await.body;
    let count = stated(&page, "由以下 ", " 条记录");
    let (headers, rows) = csv_rows(
        &download(
            &jixian,
            &format!("/scoreboard/drill/export?{query}&format=csv"),
        )
        .await,
    );
    assert_eq!(headers.last().unwrap(), "计入数值");
    assert_eq!(rows.len(), count + 1);
    let total: f64 = rows[..count]
        .iter()
        .map(|r| r.last().unwrap().parse::<f64>().unwrap())
        .sum();
    let last = rows.last().unwrap();
    assert_eq!(last[0], "合计");
    assert!((last.last().unwrap().parse::<f64>().unwrap() - total).abs() < 1e-6);
    // Another county's figure is not the unit's to export.
    let other = "year=2022&period=H1&indicator=signed_amount&unit=%E5%AE%9D%E6%B8%85%E5%8E%BF";
    assert_eq!(
        jixian
            .get(&format!("/scoreboard/drill/export?{other}&format=csv"))
            .await
            .status,
        403
    );

    // The workbook says whose list it is in its page header, for the print, and keeps amounts
    // as numbers shown with separators.
    let book = download(&jixian, &format!("/scoreboard/drill/export?{query}")).await;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(sheet.contains("范围：集贤县"), "{sheet}");
    assert!(sheet.contains("<autoFilter"), "{sheet}");
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("#,##0.00"), "{styles}");

    // The search's export is the same search, best first.
    let page = bureau.get("/enterprises?q=%E8%88%B9").await.body;
    let found = stated(&page, "<p>共 ", " 家");
    let (_, rows) =
        csv_rows(&download(&bureau, "/enterprises/export?q=%E8%88%B9&format=csv").await);
    assert_eq!(rows.len(), found.min(5_000), "{rows:?}");
    assert!(found > 0);
}

both_databases!(every_list_exports_what_it_shows_in_the_viewers_scope);
