//! The 招商要素表 kept (issue 23.3): a new value closes the old, which stays with its dates; the
//! value on a day read back; a 推介书's factors named by code — on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use domain::factors::{Factor, FactorCategory, FactorValue, value_on};
use domain::packaged::PackagedProject;
use domain::records::{Unit, UnitKind};
use store::testing::TestDb;
use store::{StoreError, both_databases};

fn d(text: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn price(value: &str, from: &str) -> FactorValue {
    FactorValue::new(value, "元/千瓦时", "省发改委", d(from), None).unwrap()
}

async fn factor_values_are_versioned_by_date(db: &TestDb) {
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_unit(&Unit::new("宝清县", UnitKind::County, None, None, None).unwrap())
        .await
        .unwrap();
    tx.upsert_packaged(&PackagedProject::new("BZ-1", "石墨负极材料项目", "宝清县").unwrap())
        .await
        .unwrap();
    let power = Factor::new("DL-01", FactorCategory::Power, "大工业用电价格").unwrap();
    tx.upsert_factor(&power).await.unwrap();
    tx.add_factor_value("DL-01", &price("0.5488", "2021-01-01"))
        .await
        .unwrap();
    tx.add_factor_value("DL-01", &price("0.5612", "2022-07-01"))
        .await
        .unwrap();
    let back_dated = tx
        .add_factor_value("DL-01", &price("0.50", "2022-03-01"))
        .await
        .unwrap_err();
    assert!(matches!(back_dated, StoreError::Invalid(ref e) if e.field == "生效日期"));
    let unknown = tx.add_factor_value("XX-9", &price("1", "2022-01-01")).await;
    assert!(matches!(unknown, Err(StoreError::Invalid(ref e)) if e.field == "要素编号"));
    let refused = tx
        .set_packaged_factors("BZ-1", &["DL-01".into(), "TD-99".into()])
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("要素表中没有TD-99"),
        "{refused}"
    );
    tx.set_packaged_factors("BZ-1", &["DL-01".into()])
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let factors = store.factors().await.unwrap();
    assert_eq!(factors.len(), 1);
    let values = &factors[0].values;
    assert_eq!(values.len(), 2, "the old value is kept");
    assert_eq!(values[0].valid_to, Some(d("2022-06-30")));
    assert_eq!(value_on(values, d("2022-06-30")).unwrap().value, "0.5488");
    assert_eq!(value_on(values, d("2022-07-01")).unwrap().value, "0.5612");
    assert_eq!(store.packaged_factors("BZ-1").await.unwrap(), ["DL-01"]);
}

both_databases!(factor_values_are_versioned_by_date);
