//! Searching the 招商大数据库 as the offices do: by abbreviation, by a run of characters or a word
//! inside a name, by business scope, with filters; the index follows the database.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use domain::CreditCode;
use domain::enterprise::{Enterprise, EnterpriseSize, IndustryCode};
use search::{Filters, SearchIndex};
use store::testing::TestDb;
use store::{Store, both_databases};

fn firm(
    name: &str,
    code: &str,
    industry: &str,
    province: &str,
    size: EnterpriseSize,
    tags: &str,
    scope: Option<&str>,
) -> Enterprise {
    let mut e = Enterprise::new(name).unwrap();
    e.credit_code = Some(CreditCode::parse("统一社会信用代码", code).unwrap());
    e.industry = Some(IndustryCode::parse("行业代码", industry).unwrap());
    e.province = Some(province.to_owned());
    e.size = Some(size);
    e.tags = Enterprise::split_tags(tags);
    e.scope = scope.map(str::to_owned);
    e
}

fn firms() -> Vec<Enterprise> {
    use EnterpriseSize::*;
    vec![
        firm(
            "中国船舶集团有限公司",
            "91110000710935732K",
            "C3731",
            "北京市",
            Large,
            "世界500强、行业龙头",
            Some("船舶、海洋工程装备的设计、制造与销售"),
        ),
        firm(
            "中国石油化工股份有限公司",
            "91110000101696839W",
            "C2511",
            "北京市",
            Large,
            "世界500强、上市",
            None,
        ),
        firm(
            "江南造船（集团）有限责任公司",
            "913100001322785664",
            "C3731",
            "上海市",
            Large,
            "",
            None,
        ),
        firm(
            "双鸭山龙煤天泰煤化工有限公司",
            "91230500MA1B2C3D4X",
            "C2520",
            "黑龙江省",
            Medium,
            "",
            Some("煤焦油加工、甲醇生产"),
        ),
        firm(
            "青岛洛唯新材料有限公司",
            "91370200MA3R5T6Y7E",
            "C3099",
            "山东省",
            Small,
            "",
            Some("石墨及碳素制品制造"),
        ),
    ]
}

async fn stocked(store: &Store) {
    let mut tx = store.begin("测试").await.unwrap();
    tx.upsert_enterprises(&firms()).await.unwrap();
    tx.commit().await.unwrap();
}

/// The names of the hits, best first.
async fn names(store: &Store, index: &SearchIndex, text: &str, filters: &Filters) -> Vec<String> {
    index.catch_up(store).await.unwrap();
    let hits = index.search(text, filters, 0, 20).unwrap();
    let ids: Vec<i64> = hits.hits.iter().map(|h| h.id).collect();
    store
        .enterprises_by_id(&ids)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.firm.name)
        .collect()
}

async fn firms_are_found_by_abbreviation_inner_runs_words_and_scope(db: &TestDb) {
    let store = db.open().await.unwrap();
    stocked(&store).await;
    let index = SearchIndex::open(None).unwrap();
    assert_eq!(index.catch_up(&store).await.unwrap(), 5);
    let none = Filters::default();
    let first = |v: Vec<String>| v.first().cloned().unwrap_or_default();
    assert_eq!(
        first(names(&store, &index, "中船", &none).await),
        "中国船舶集团有限公司",
        "abbreviation"
    );
    assert_eq!(
        first(names(&store, &index, "中石化", &none).await),
        "中国石油化工股份有限公司"
    );
    assert_eq!(
        names(&store, &index, "船舶集", &none).await,
        vec!["中国船舶集团有限公司"],
        "a run inside the name"
    );
    // The first characters of a credit code, as read off a licence, any case.
    let mut beijing = names(&store, &index, "91110000", &none).await;
    beijing.sort();
    assert_eq!(
        beijing,
        vec!["中国石油化工股份有限公司", "中国船舶集团有限公司"],
        "a credit-code prefix"
    );
    assert_eq!(
        names(&store, &index, "9131000013", &none).await,
        vec!["江南造船（集团）有限责任公司"]
    );
    assert_eq!(
        names(&store, &index, "91110000710935732k", &none).await,
        vec!["中国船舶集团有限公司"],
        "a whole code, lower case"
    );
    assert!(names(&store, &index, "9199999", &none).await.is_empty());
    assert_eq!(
        names(&store, &index, "造船", &none).await,
        vec!["江南造船（集团）有限责任公司"],
        "a word inside the name"
    );
    let long = vec!["双鸭山龙煤天泰煤化工有限公司".to_owned()];
    assert_eq!(
        names(&store, &index, "龙煤天泰煤化", &none).await,
        long,
        "a run longer than one term"
    );
    assert_eq!(
        names(&store, &index, "双鸭山龙煤天泰煤化工", &none).await,
        long
    );
    assert!(
        names(&store, &index, "天泰龙煤煤化", &none)
            .await
            .is_empty(),
        "the same characters out of order"
    );
    assert_eq!(
        names(&store, &index, "海洋工程", &none).await,
        vec!["中国船舶集团有限公司"],
        "business scope"
    );
    assert_eq!(
        names(&store, &index, "石墨", &none).await,
        vec!["青岛洛唯新材料有限公司"]
    );
    assert_eq!(
        names(&store, &index, "龙煤 甲醇", &none).await,
        vec!["双鸭山龙煤天泰煤化工有限公司"],
        "every word must match"
    );
    assert!(names(&store, &index, "龙煤 船舶", &none).await.is_empty());
    assert_eq!(
        names(&store, &index, "91370200MA3R5T6Y7E", &none).await,
        vec!["青岛洛唯新材料有限公司"],
        "by credit code"
    );
    assert!(names(&store, &index, "钢铁", &none).await.is_empty());
    let total = index.search("", &none, 0, 2).unwrap();
    assert_eq!(
        (total.hits.len(), total.total),
        (2, 5),
        "empty text lists everything, a page at a time"
    );
}

async fn filters_narrow_by_industry_region_size_and_flags(db: &TestDb) {
    let store = db.open().await.unwrap();
    stocked(&store).await;
    let index = SearchIndex::open(None).unwrap();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let flagged = Filters {
        flags: vec!["世界500强".into()],
        ..Filters::default()
    };
    assert_eq!(
        sorted(names(&store, &index, "", &flagged).await),
        vec!["中国石油化工股份有限公司", "中国船舶集团有限公司"]
    );
    let leaders = Filters {
        flags: vec!["世界500强".into(), "行业龙头".into()],
        ..Filters::default()
    };
    assert_eq!(
        names(&store, &index, "", &leaders).await,
        vec!["中国船舶集团有限公司"],
        "every flag asked for"
    );
    let shanghai = Filters {
        province: Some("上海市".into()),
        ..Filters::default()
    };
    assert_eq!(
        names(&store, &index, "船", &shanghai).await,
        vec!["江南造船（集团）有限责任公司"]
    );
    let ships = Filters {
        industry: Some("C37".into()),
        ..Filters::default()
    };
    assert_eq!(
        sorted(names(&store, &index, "", &ships).await),
        vec!["中国船舶集团有限公司", "江南造船（集团）有限责任公司"]
    );
    let manufacturing = Filters {
        industry: Some("C".into()),
        ..Filters::default()
    };
    assert_eq!(names(&store, &index, "", &manufacturing).await.len(), 5);
    let medium = Filters {
        size: Some("中型".into()),
        ..Filters::default()
    };
    assert_eq!(
        names(&store, &index, "", &medium).await,
        vec!["双鸭山龙煤天泰煤化工有限公司"]
    );
    assert!(
        names(&store, &index, "中船", &medium).await.is_empty(),
        "text and filter together"
    );
}

async fn the_index_follows_the_database_and_rebuilds_for_another(db: &TestDb) {
    let store = db.open().await.unwrap();
    stocked(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(Some(dir.path())).unwrap();
    assert_eq!(index.catch_up(&store).await.unwrap(), 5);
    assert_eq!(index.catch_up(&store).await.unwrap(), 0, "nothing new");
    // A firm renamed (same credit code) is re-indexed under its new name only.
    let mut renamed = firms().pop().unwrap();
    renamed.name = "青岛洛唯石墨科技有限公司".into();
    let mut tx = store.begin("测试").await.unwrap();
    tx.upsert_enterprise(&renamed).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        names(&store, &index, "石墨科技", &Filters::default()).await,
        vec!["青岛洛唯石墨科技有限公司"]
    );
    // (新材料 is a category word: the new name's 石墨 is of it.)
    assert!(
        names(&store, &index, "唯新材", &Filters::default())
            .await
            .is_empty()
    );
    assert_eq!(index.len(), 5);
    drop(index);
    // Reopened, it knows where it stopped.
    let index = SearchIndex::open(Some(dir.path())).unwrap();
    assert_eq!(index.catch_up(&store).await.unwrap(), 0);
    assert_eq!(index.len(), 5);
    // The rebuild reads everything again.
    assert_eq!(index.rebuild(&store, |_| {}).await.unwrap(), 5);
    assert_eq!(index.len(), 5);
}

async fn a_feed_follows_an_import_as_written_and_drops_a_rolled_back_one(db: &TestDb) {
    let store = db.open().await.unwrap();
    stocked(&store).await;
    let index = SearchIndex::open(None).unwrap();
    index.catch_up(&store).await.unwrap();
    // Written through a feed: one firm new, one renamed (its old entry goes).
    let (new, mut renamed) = (
        firm(
            "哈尔滨电气集团有限公司",
            &valid("91230100127044009"),
            "C3731",
            "黑龙江省",
            EnterpriseSize::Large,
            "",
            None,
        ),
        firms().pop().unwrap(),
    );
    renamed.name = "青岛洛唯石墨科技有限公司".into();
    let fed = write_fed(&store, &index, vec![new, renamed], true).await;
    assert_eq!(fed, 2);
    // Searchable without reading the firms back: the index's revision is the database's.
    assert_eq!(
        index.revision().await,
        Some(store.enterprise_revision().await.unwrap())
    );
    assert_eq!(index.len(), 6);
    let hit = index
        .search("哈尔滨电气", &Filters::default(), 0, 5)
        .unwrap();
    assert_eq!(hit.total, 1);
    assert_eq!(
        index
            .search("唯新材", &Filters::default(), 0, 5)
            .unwrap()
            .total,
        0
    );
    // A transaction that rolls back leaves nothing in the index: neither the firms already
    // handed to the indexing thread (they go in batches) nor those still waiting.
    // `count` firms named `name` with their number, credit codes in `series`.
    let numbered = |count: usize, name: &str, series: u8| -> Vec<Enterprise> {
        (0..count)
            .map(|i| {
                firm(
                    &name.replace('N', &i.to_string()),
                    &valid(&format!("91230600127{series}{i:05}")),
                    "C2511",
                    "黑龙江省",
                    EnterpriseSize::Large,
                    "",
                    None,
                )
            })
            .collect()
    };
    let gone = numbered(25, "大庆油田第N采油厂", 0);
    assert_eq!(write_fed(&store, &index, gone, false).await, 0);
    assert_eq!(index.len(), 6);
    assert_eq!(
        index
            .search("大庆油田", &Filters::default(), 0, 5)
            .unwrap()
            .total,
        0
    );
    // A committed one is searchable to its last firm, batch or not.
    let kept = numbered(23, "大庆石化第N分厂", 1);
    assert_eq!(write_fed(&store, &index, kept, true).await, 23);
    assert_eq!(index.len(), 29);
    assert_eq!(
        index
            .search("大庆石化", &Filters::default(), 0, 50)
            .unwrap()
            .total,
        23
    );
    assert_eq!(
        index
            .search("第22分厂", &Filters::default(), 0, 5)
            .unwrap()
            .total,
        1
    );
    // Another writer commits between the feed's catch-up and the fed transaction: the
    // index reads both from the database, each firm once.
    let mut feed = index.feed(&store).await.unwrap();
    let mut tx = store.begin("另一个导入").await.unwrap();
    tx.upsert_enterprise(&firm(
        "齐齐哈尔第一机床厂",
        &valid("91230200127044007"),
        "C3099",
        "黑龙江省",
        EnterpriseSize::Medium,
        "",
        None,
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mine = firm(
        "佳木斯电机股份有限公司",
        &valid("91230800127044006"),
        "C2520",
        "黑龙江省",
        EnterpriseSize::Large,
        "",
        None,
    );
    let mut tx = store.begin("测试").await.unwrap();
    for (w, f) in tx
        .upsert_enterprises(std::slice::from_ref(&mine))
        .await
        .unwrap()
        .iter()
        .zip([&mine])
    {
        feed.add(w.id, f, false).unwrap();
    }
    tx.commit().await.unwrap();
    feed.finish(&store).await.unwrap();
    assert_eq!(index.len(), 31);
    for name in ["齐齐哈尔第一机床", "佳木斯电机"] {
        assert_eq!(
            index.search(name, &Filters::default(), 0, 5).unwrap().total,
            1,
            "{name}"
        );
    }
    assert_eq!(
        index.catch_up(&store).await.unwrap(),
        0,
        "nothing left to read"
    );
}

both_databases!(
    firms_are_found_by_abbreviation_inner_runs_words_and_scope,
    filters_narrow_by_industry_region_size_and_flags,
    the_index_follows_the_database_and_rebuilds_for_another,
    a_feed_follows_an_import_as_written_and_drops_a_rolled_back_one,
);

/// A credit code with its check character computed.
fn valid(first17: &str) -> String {
    CreditCode::with_check_char(first17)
        .unwrap()
        .as_str()
        .to_owned()
}

/// Writes `firms` in one transaction fed to the index; commits it or rolls it back.
async fn write_fed(
    store: &Store,
    index: &SearchIndex,
    firms: Vec<Enterprise>,
    commit: bool,
) -> u64 {
    let mut feed = index.feed(store).await.unwrap();
    let mut tx = store.begin("测试").await.unwrap();
    let written = tx.upsert_enterprises(&firms).await.unwrap();
    for (w, f) in written.iter().zip(&firms) {
        feed.add(w.id, f, w.outcome == store::Upserted::Updated)
            .unwrap();
    }
    if commit {
        tx.commit().await.unwrap();
        feed.finish(store).await.unwrap()
    } else {
        tx.rollback().await.unwrap();
        feed.abandon().unwrap();
        0
    }
}

/// An index built from one database and opened against another is rebuilt from the second.
#[tokio::test]
async fn an_index_of_another_database_is_rebuilt() {
    let (one, two) = (
        store::testing::TestDb::sqlite(),
        store::testing::TestDb::sqlite(),
    );
    let (a, b) = (one.open().await.unwrap(), two.open().await.unwrap());
    stocked(&a).await;
    let mut tx = b.begin("测试").await.unwrap();
    tx.upsert_enterprise(&firms()[0]).await.unwrap();
    tx.commit().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(Some(dir.path())).unwrap();
    assert_eq!(index.catch_up(&a).await.unwrap(), 5);
    assert_eq!(index.catch_up(&b).await.unwrap(), 1);
    assert_eq!(index.len(), 1);
    one.cleanup().await;
    two.cleanup().await;
}

/// A run that is a word of the name ranks above the same characters across two words, and a
/// name match above a business-scope match.
#[tokio::test]
async fn whole_words_of_the_name_rank_first() {
    let db = store::testing::TestDb::sqlite();
    let store = db.open().await.unwrap();
    let e = |name: &str, scope: Option<&str>| {
        let mut e = Enterprise::new(name).unwrap();
        e.scope = scope.map(str::to_owned);
        e
    };
    let mut tx = store.begin("测试").await.unwrap();
    tx.upsert_enterprises(&[
        e("钻石油漆有限公司", None),
        e("龙江石油化工有限公司", None),
        e("龙江机械制造有限公司", Some("石油钻采设备制造")),
    ])
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let index = SearchIndex::open(None).unwrap();
    let found = names(&store, &index, "石油", &Filters::default()).await;
    assert_eq!(
        found,
        [
            "龙江石油化工有限公司",
            "钻石油漆有限公司",
            "龙江机械制造有限公司"
        ],
        "the longer name ranks first by its word"
    );
    db.cleanup().await;
}

/// What officials type beyond a name (issue 22.6): a former or short name, a product, a
/// category word; a record merged into another is found as the firm kept, not twice.
async fn firms_are_found_by_former_names_products_categories_and_once_after_a_merge(db: &TestDb) {
    let store = db.open().await.unwrap();
    let mut all = firms();
    all[0].former_names = vec!["中国船舶工业集团有限公司".into()];
    all[0].short_names = vec!["中船集团".into()];
    all[0].products = vec!["风电装备".into()];
    all[4].products = vec!["球形石墨".into()];
    let mut twin = Enterprise::new("洛唯新材").unwrap();
    twin.products = vec!["石墨负极材料".into()];
    all.push(twin);
    let mut tx = store.begin("测试").await.unwrap();
    let written = tx.upsert_enterprises(&all).await.unwrap();
    tx.commit().await.unwrap();
    let index = SearchIndex::open(None).unwrap();
    let none = Filters::default();
    for (typed, expected) in [
        ("船舶工业", "中国船舶集团有限公司"),
        ("中船集团", "中国船舶集团有限公司"),
        ("风电", "中国船舶集团有限公司"),
        ("清洁能源", "中国船舶集团有限公司"),
        ("新材料", "青岛洛唯新材料有限公司"),
    ] {
        let found = names(&store, &index, typed, &none).await;
        assert!(found.iter().any(|n| n == expected), "{typed}: {found:?}");
    }
    assert_eq!(
        names(&store, &index, "石墨", &none).await.len(),
        2,
        "by product: the firm and its twin"
    );
    assert!(
        names(&store, &index, "清洁能源", &none)
            .await
            .iter()
            .all(|n| n != "中国石油化工股份有限公司")
    );
    let mut tx = store.begin("测试").await.unwrap();
    tx.merge_enterprises(written[4].id, written[5].id, "同一家企业")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        names(&store, &index, "石墨", &none).await,
        vec!["青岛洛唯新材料有限公司"],
        "the merged record is found through the one kept"
    );
    assert_eq!(
        names(&store, &index, "洛唯新材", &none)
            .await
            .first()
            .map(String::as_str),
        Some("青岛洛唯新材料有限公司"),
        "its name is now a former name of the firm kept"
    );
}

both_databases!(firms_are_found_by_former_names_products_categories_and_once_after_a_merge);
