//! `zhaoshang bench enterprises`: a registry dump of N generated firms imported end to end (file
//! → rules → database → search index), the peak memory of the process, then the latency of
//! typical searches against the index, and of the same searches as SQLite FTS5 (trigram) and
//! LIKE scans, the baselines.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};
use domain::CreditCode;
use exchange::Quiet;
use search::{Filters, SearchIndex};
use store::{Store, Table};

const PROVINCES: [(&str, &str, &str); 12] = [
    ("黑龙江省", "双鸭山市", "230500"),
    ("黑龙江省", "哈尔滨市", "230100"),
    ("北京市", "北京市", "110000"),
    ("上海市", "上海市", "310000"),
    ("江苏省", "南京市", "320100"),
    ("江苏省", "苏州市", "320500"),
    ("浙江省", "杭州市", "330100"),
    ("广东省", "深圳市", "440300"),
    ("山东省", "青岛市", "370200"),
    ("四川省", "成都市", "510100"),
    ("辽宁省", "大连市", "210200"),
    ("湖北省", "武汉市", "420100"),
];

/// (行业代码, a word of the name, 经营范围).
const TRADES: [(&str, &str, &str); 12] = [
    ("C3731", "船舶", "船舶、海洋工程装备的设计、制造与销售"),
    ("C3099", "石墨新材料", "石墨及碳素制品制造、销售"),
    ("D4415", "风电", "风力发电项目的开发、建设和运营"),
    ("D4416", "光伏", "太阳能发电技术服务、光伏设备销售"),
    ("C2520", "煤化工", "煤焦油加工、甲醇生产与销售"),
    ("C3841", "新能源电池", "锂离子电池及负极材料的研发与制造"),
    ("C1391", "粮食", "粮食收购、加工与仓储"),
    ("C2761", "生物制药", "生物药品研发、生产"),
    ("I6511", "软件", "软件开发、信息系统集成服务"),
    ("C3110", "钢铁", "钢铁冶炼、钢材轧制与销售"),
    ("C3024", "玄武岩纤维", "玄武岩连续纤维及制品的生产"),
    ("D4411", "热电", "热电联产、供热服务"),
];

const BRAND: [char; 40] = [
    '恒', '瑞', '华', '远', '泰', '鑫', '宏', '达', '盛', '昌', '隆', '兴', '利', '通', '海', '天',
    '安', '博', '康', '润', '金', '龙', '中', '新', '东', '方', '永', '嘉', '信', '德', '凯', '宇',
    '星', '辰', '明', '峰', '源', '禾', '森', '晟',
];

const FORMS: [&str; 4] = ["有限公司", "股份有限公司", "科技有限公司", "集团有限公司"];

/// Real firms among the generated ones, so that abbreviations have something to find.
const KNOWN: [(&str, &str, usize); 4] = [
    ("中国船舶集团有限公司", "C3731", 2),
    ("中国石油化工股份有限公司", "C2511", 2),
    ("四川航天拓新玄武岩实业有限公司", "C3024", 9),
    ("青岛洛唯新材料有限公司", "C3099", 8),
];

const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The i-th generated firm as a CSV line (企业名称 … 经营范围).
fn firm_row(i: usize) -> Vec<String> {
    let (name, code, province) = match KNOWN.get(i / 100_000).filter(|_| i % 100_000 == 7) {
        Some((name, code, p)) => ((*name).to_owned(), *code, PROVINCES[*p]),
        None => {
            let province = PROVINCES[i % PROVINCES.len()];
            let trade = &TRADES[(i / 7) % TRADES.len()];
            let a = BRAND[i % BRAND.len()];
            let b = BRAND[(i / BRAND.len() + i / 3) % BRAND.len()];
            let form = FORMS[(i / 11) % FORMS.len()];
            let short = province.0.trim_end_matches(['省', '市']);
            (format!("{short}{a}{b}{}{form}", trade.1), trade.0, province)
        }
    };
    let scope = TRADES
        .iter()
        .find(|t| t.0 == code)
        .map_or("", |t| t.2)
        .to_owned();
    let mut body = String::new();
    let mut n = i;
    for _ in 0..9 {
        body.push(ALPHABET[n % 31] as char);
        n /= 31;
    }
    let credit = CreditCode::with_check_char(&format!("91{}{body}", province.2))
        .map(|c| c.as_str().to_owned())
        .unwrap_or_default();
    let mut tags = Vec::new();
    for (every, tag) in [
        (997, "世界500强"),
        (503, "中国500强"),
        (101, "上市"),
        (211, "行业龙头"),
    ] {
        if i.is_multiple_of(every) {
            tags.push(tag);
        }
    }
    let size = ["微型", "小型", "小型", "中型", "大型"][i % 5];
    let founded = format!("{}-{:02}-{:02}", 1990 + i % 33, 1 + i % 12, 1 + i % 28);
    vec![
        name,
        credit,
        code.to_owned(),
        province.0.to_owned(),
        province.1.to_owned(),
        format!("{}", 100 + (i * 37) % 100_000),
        founded,
        size.to_owned(),
        tags.join("、"),
        scope,
    ]
}

const HEADERS: [&str; 10] = [
    "企业名称",
    "统一社会信用代码",
    "行业代码",
    "省份",
    "城市",
    "注册资本(万元)",
    "成立日期",
    "规模",
    "标签",
    "经营范围",
];

fn write_csv(path: &Path, rows: usize) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "{}", HEADERS.join(","))?;
    for i in 0..rows {
        writeln!(out, "{}", firm_row(i).join(","))?;
    }
    out.flush()?;
    Ok(())
}

fn write_xlsx(path: &Path, rows: usize) -> Result<()> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory()?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    for i in 0..rows {
        for (c, v) in firm_row(i).iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(i as u32 + 1, c as u16, v)?;
            }
        }
    }
    book.save(path)?;
    Ok(())
}

/// A line of /proc/self/status in MB (Linux): `VmHWM` is the peak resident memory so far,
/// `RssAnon` the memory the process allocated now (without the files it maps).
fn status_mb(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn peak_mb() -> Option<f64> {
    status_mb("VmHWM:")
}

/// The peak of `RssAnon` while it runs, sampled ten times a second: the resident peak also
/// counts the index files tantivy maps while it merges segments, which the kernel may drop at
/// will, so this is the figure that says whether memory stays flat as the file grows.
struct AnonPeak {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    sampler: std::thread::JoinHandle<f64>,
}

impl AnonPeak {
    fn start() -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let sampler = std::thread::spawn(move || {
            let mut peak = 0.0_f64;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(status_mb("RssAnon:").unwrap_or(0.0));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            peak
        });
        AnonPeak { stop, sampler }
    }

    fn finish(self) -> f64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.sampler.join().unwrap_or(0.0)
    }
}

/// The searches timed: (text, filters, what it exercises).
fn queries() -> Vec<(&'static str, Filters, &'static str)> {
    let none = Filters::default;
    vec![
        ("中船", none(), "简称"),
        ("中石化", none(), "简称"),
        ("船舶集", none(), "名称中的字串"),
        ("石墨", none(), "名称中的词"),
        ("玄武岩", none(), "名称中的词"),
        ("恒瑞", none(), "字号"),
        ("海洋工程", none(), "经营范围"),
        ("黑龙江 石墨", none(), "两个词"),
        (
            "",
            Filters {
                flags: vec!["世界500强".into()],
                ..Filters::default()
            },
            "只按标签筛选",
        ),
        (
            "电池",
            Filters {
                province: Some("江苏省".into()),
                ..Filters::default()
            },
            "词+省份",
        ),
        (
            "船",
            Filters {
                industry: Some("C37".into()),
                size: Some("大型".into()),
                ..Filters::default()
            },
            "单字+行业+规模",
        ),
    ]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn summary(times: &mut [f64]) -> String {
    times.sort_by(f64::total_cmp);
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, 最慢 {:.2} ms",
        percentile(times, 0.50),
        percentile(times, 0.99),
        times.last().copied().unwrap_or(0.0)
    )
}

pub async fn enterprises(
    store: &Store,
    index_dir: Option<&Path>,
    rows: usize,
    xlsx: bool,
    rounds: usize,
) -> Result<String> {
    if store.count(Table::Enterprises).await? > 0 {
        bail!("基准测试需要一个空数据库（用 --db 指定）");
    }
    let dir = std::env::temp_dir().join(format!("zhaoshang-bench-firms-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join(if xlsx { "firms.xlsx" } else { "firms.csv" });
    let started = Instant::now();
    if xlsx {
        write_xlsx(&file, rows)?;
    } else {
        write_csv(&file, rows)?;
    }
    let mut out = format!(
        "数据库: {:?}；生成{}行{}（{:.1} MB）用时{:.1}秒\n",
        store.backend(),
        rows,
        if xlsx { "xlsx" } else { "CSV" },
        std::fs::metadata(&file)?.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let before = peak_mb().unwrap_or(0.0);

    // As `zhaoshang import enterprises` does it: the index follows the rows as they are
    // written, then the firms fed become searchable once the database has committed.
    let started = Instant::now();
    let anon = AnonPeak::start();
    let index = SearchIndex::open(index_dir).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut feed = index
        .feed(store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let report = exchange::import_enterprises(
        store,
        &file,
        "bench",
        &Quiet,
        None,
        exchange::OnBadRows::ImportNothing,
        Some(&mut crate::find::FeedSink(&mut feed)),
    )
    .await?;
    if !report.is_ok() {
        bail!("基准数据导入失败: {}", report.errors[0]);
    }
    let imported = started.elapsed().as_secs_f64();
    let settling = Instant::now();
    let count = feed
        .finish(store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let settled = settling.elapsed().as_secs_f64();
    let anon = anon.finish();
    let _ = writeln!(
        out,
        "导入: {} 行入库（检索索引随写随建）{:.1} 秒 + 索引收尾 {:.1} 秒 = {:.1} 秒，索引{}家；进程峰值内存 {:.0} MB（导入前 {:.0} MB），其中自有内存（不含映射的索引文件）峰值 {:.0} MB",
        report.rows,
        imported,
        settled,
        imported + settled,
        count,
        peak_mb().unwrap_or(0.0),
        before,
        anon
    );
    let rebuilding = Instant::now();
    index
        .rebuild(store, |_| {})
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let _ = writeln!(
        out,
        "对照：从数据库重建索引（zhaoshang reindex）{:.1} 秒",
        rebuilding.elapsed().as_secs_f64()
    );

    let (timings, engine) = time_searches(store, &index, rounds).await?;
    out.push_str(&timings);
    if store.backend().is_sqlite() {
        out.push_str(&baseline(store, &queries(), rounds, &engine).await?);
    } else {
        out.push_str("对照（SQLite FTS5 / LIKE）只在 SQLite 上测。\n");
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(out)
}

/// `zhaoshang bench searches`: the typical searches over the firms a database already holds
/// (its index caught up first), so that large indexes are built once and timed many times.
pub async fn searches(store: &Store, index_dir: Option<&Path>, rounds: usize) -> Result<String> {
    let index = SearchIndex::open(index_dir).map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    index
        .catch_up(store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = format!(
        "数据库: {:?}；索引{}家企业（追平用时{:.1}秒）\n",
        store.backend(),
        index.len(),
        started.elapsed().as_secs_f64()
    );
    out.push_str(&time_searches(store, &index, rounds).await?.0);
    out.push_str(&time_recommendations(store).await?);
    Ok(out)
}

/// A segment's target list (`/chain-maps/…/targets`) weighs every firm of the segment's 大类:
/// the time of that pass for a segment of one trade (C3731) and of a 大类 holding three (D44),
/// three runs each.
async fn time_recommendations(store: &Store) -> Result<String> {
    use domain::chains::{HOME_PROVINCE, Position, Segment};
    use domain::enterprise::IndustryCode;
    let mut out = String::new();
    for code in ["C3731", "D4415"] {
        let segment = Segment {
            id: 0,
            name: code.to_owned(),
            position: Position::Midstream,
            industries: vec![IndustryCode::parse("行业代码", code)?],
            local: Vec::new(),
            targets: Vec::new(),
            projects: Vec::new(),
        };
        let mut times = Vec::new();
        let mut result = (0, 0);
        for _ in 0..3 {
            let t = Instant::now();
            let (matching, ranked) = store.shortlist(&segment, HOME_PROVINCE, 30).await?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
            result = (matching, ranked.first().map_or(0, |r| r.score));
        }
        let (median, max) = crate::bench::median_and_max(&mut times);
        writeln!(
            out,
            "目标企业推荐（环节行业{code}，所在大类{}家，第一名{}分）: 中位 {median:.0} ms, 最慢 {max:.0} ms",
            result.0, result.1
        )?;
    }
    Ok(out)
}

/// Each typical search `rounds` times after one warm-up: the latency of the index alone and
/// with the page's firms read from the database, overall and per search. Returns the report
/// and the index's times (for the baselines' ratio).
async fn time_searches(
    store: &Store,
    index: &SearchIndex,
    rounds: usize,
) -> Result<(String, Vec<f64>)> {
    let queries = queries();
    for (text, filters, _) in &queries {
        index
            .search(text, filters, 0, 20)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let mut engine = Vec::new();
    let mut with_rows = Vec::new();
    let mut per_query = vec![Vec::new(); queries.len()];
    let mut found = Vec::new();
    for round in 0..rounds {
        for (i, (text, filters, _)) in queries.iter().enumerate() {
            let t = Instant::now();
            let hits = index
                .search(text, filters, 0, 20)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let searched = t.elapsed().as_secs_f64() * 1e3;
            engine.push(searched);
            per_query[i].push(searched);
            let ids: Vec<i64> = hits.hits.iter().map(|h| h.id).collect();
            store.enterprises_by_id(&ids).await?;
            with_rows.push(t.elapsed().as_secs_f64() * 1e3);
            if round == 0 {
                found.push(hits.total);
            }
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "检索（tantivy+jieba，{}种检索×{}轮，前20名）: 索引 {}；含读取企业记录 {}",
        queries.len(),
        rounds,
        summary(&mut engine.clone()),
        summary(&mut with_rows)
    );
    for (((text, filters, what), total), times) in queries.iter().zip(&found).zip(&mut per_query) {
        let _ = writeln!(
            out,
            "  “{text}” {what}{}: {total} 家；{}",
            if *filters == Filters::default() {
                String::new()
            } else {
                format!(" {filters:?}")
            },
            summary(times)
        );
    }
    Ok((out, engine))
}

/// The same searches in SQL: FTS5 with the trigram tokenizer over name and scope (ranked by
/// bm25; words under three characters fall back to LIKE on it), and LIKE over the table.
async fn baseline(
    store: &Store,
    queries: &[(&'static str, Filters, &'static str)],
    rounds: usize,
    engine: &[f64],
) -> Result<String> {
    let mut out = String::new();
    let t = Instant::now();
    store.bench_fts_build().await?;
    let _ = writeln!(
        out,
        "对照 SQLite FTS5（trigram）建表 {:.1} 秒",
        t.elapsed().as_secs_f64()
    );
    let texts: Vec<&str> = queries
        .iter()
        .filter(|(text, filters, _)| !text.is_empty() && *filters == Filters::default())
        .map(|(text, _, _)| *text)
        .collect();
    let ours_median = {
        let mut v = engine.to_vec();
        v.sort_by(f64::total_cmp);
        percentile(&v, 0.5)
    };
    for (label, fts) in [("FTS5 trigram", true), ("LIKE 全表扫描", false)] {
        let mut times = Vec::new();
        let mut found = Vec::new();
        for round in 0..rounds.min(5) {
            for text in &texts {
                let t = Instant::now();
                let n = store.bench_sql_search(text, fts).await?;
                times.push(t.elapsed().as_secs_f64() * 1e3);
                if round == 0 {
                    found.push(format!("“{text}” {n}"));
                }
            }
        }
        let mut sorted = times.clone();
        sorted.sort_by(f64::total_cmp);
        let _ = writeln!(
            out,
            "对照 {label}（无筛选的{}种，前20条）: {}；p50 是本系统的 {:.1} 倍；命中: {}",
            texts.len(),
            summary(&mut times),
            percentile(&sorted, 0.5) / ours_median.max(1e-6),
            found.join("，")
        );
    }
    Ok(out)
}
