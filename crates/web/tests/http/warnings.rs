//! Warnings over real HTTP on SQLite and PostgreSQL: each light on a project built for it, the
//! thresholds the bureau sets, the filters, and units behind their targets.

use crate::common::*;
use domain::records::{Project, Unit, UnitKind};
use domain::stage::StageEvent;
use domain::{EventKind, Stage};
use store::both_databases;
use store::testing::TestDb;

/// One event of a fixture: its kind, date and signed amount in 万元.
type Step = (EventKind, &'static str, Option<i64>);

/// Records one event on a project through the store.
async fn event(tx: &mut store::Tx, code: &str, kind: EventKind, date: &str, wan: Option<i64>) {
    let amount = wan.map(|w| domain::Money::from_units("金额", w * 10_000).unwrap());
    let parcel = (kind == EventKind::Stage(Stage::Landed)).then(|| "地块-1".to_owned());
    let note = matches!(kind, EventKind::Stall | EventKind::Terminate)
        .then(|| "投资方资金链紧张".to_owned());
    let e = StageEvent::new(kind, d(date), amount, None, parcel, note).unwrap();
    tx.add_event(code, &e).await.unwrap();
}

async fn each_warning_lights_on_the_project_built_for_it_and_not_on_its_twin(db: &TestDb) {
    use EventKind::Stage as S;
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.set_records_as_of(d("2022-07-01")).await.unwrap();
    tx.upsert_unit(
        &Unit::new(
            "市住房和城乡建设局",
            UnitKind::Department,
            None,
            None,
            Some("双鸭山市".into()),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    // Each fixture and its twin differ only in what should light one warning.
    let fixtures: [(&str, &[Step]); 20] = [
        ("IDLE", &[(S(Stage::Negotiating), "2022-05-20", None)]),
        ("IDLE-OK", &[(S(Stage::Negotiating), "2022-06-15", None)]),
        ("SIGN", &[(S(Stage::Signed), "2022-03-01", Some(5_000))]),
        ("SIGN-OK", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
        (
            "LAND",
            &[
                (S(Stage::Signed), "2021-08-01", Some(5_000)),
                (S(Stage::Landed), "2021-09-15", None),
            ],
        ),
        (
            "LAND-OK",
            &[
                (S(Stage::Signed), "2022-03-01", Some(5_000)),
                (S(Stage::Landed), "2022-04-01", None),
            ],
        ),
        ("PLAN", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
        ("PLAN-OK", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
        ("ELEM", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
        ("ELEM-OK", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
        ("BLOCK", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
        ("BLOCK-OK", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
        (
            "FUNDS",
            &[
                (S(Stage::Signed), "2021-06-01", Some(10_000)),
                (S(Stage::Started), "2021-08-01", None),
            ],
        ),
        (
            "FUNDS-OK",
            &[
                (S(Stage::Signed), "2021-06-01", Some(10_000)),
                (S(Stage::Started), "2021-08-01", None),
            ],
        ),
        (
            "STALL",
            &[
                (S(Stage::Signed), "2022-05-01", Some(5_000)),
                (EventKind::Stall, "2022-06-01", None),
            ],
        ),
        ("STALL-OK", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
        (
            "SUSP",
            &[
                (S(Stage::Signed), "2021-09-01", Some(5_000)),
                (S(Stage::Started), "2021-10-01", None),
                (EventKind::Suspend, "2021-11-15", None),
            ],
        ),
        (
            "SUSP-OK",
            &[
                (S(Stage::Signed), "2021-09-01", Some(5_000)),
                (S(Stage::Started), "2021-10-01", None),
                (EventKind::Suspend, "2022-01-05", None),
            ],
        ),
        (
            "PROD",
            &[
                (S(Stage::Signed), "2022-03-01", Some(5_000)),
                (S(Stage::Started), "2022-04-01", None),
            ],
        ),
        (
            "PROD-OK",
            &[
                (S(Stage::Signed), "2022-03-01", Some(5_000)),
                (S(Stage::Started), "2022-04-01", None),
            ],
        ),
    ];
    for (code, events) in fixtures {
        tx.upsert_project(&Project::new(code, &format!("预警样例{code}"), "集贤县").unwrap())
            .await
            .unwrap();
        for (kind, date, wan) in events {
            event(&mut tx, code, *kind, date, *wan).await;
        }
    }
    let plan = |started: &str| {
        domain::responsibility::SchedulePlan::new(vec![(Stage::Started, d(started))]).unwrap()
    };
    tx.set_plan("PLAN", &plan("2022-06-21")).await.unwrap();
    tx.set_plan("PLAN-OK", &plan("2022-12-01")).await.unwrap();
    let production = |on: &str| {
        domain::responsibility::SchedulePlan::new(vec![(Stage::Production, d(on))]).unwrap()
    };
    tx.set_plan("PROD", &production("2022-06-15"))
        .await
        .unwrap();
    tx.set_plan("PROD-OK", &production("2022-12-01"))
        .await
        .unwrap();
    // LAND has no financing plan and has landed: it also lacks one before 开工; its twin has one.
    let financing = domain::financing::FinancingPlan::new(
        domain::Money::from_units("", 10_000_000).unwrap(),
        "自有",
        None,
        domain::financing::FinancingStatus::Drafting,
    )
    .unwrap();
    tx.set_financing("LAND-OK", &financing).await.unwrap();
    use domain::responsibility::{ElementItem, ElementStatus, ElementSupport};
    let permit = |due: &str| {
        ElementSupport::new(
            ElementItem::ConstructionPermit,
            ElementStatus::InProgress,
            Some("市住房和城乡建设局".into()),
            Some(d(due)),
            None,
        )
        .unwrap()
    };
    tx.set_element("ELEM", &permit("2022-06-01")).await.unwrap();
    tx.set_element("ELEM-OK", &permit("2022-07-01"))
        .await
        .unwrap();
    let blocker = |code: &str, deadline: &str| {
        domain::blockers::NewBlocker::new(
            code,
            "电力接入",
            "水电气暖",
            d("2022-06-01"),
            "市住房和城乡建设局",
            None,
            d(deadline),
            d("2022-07-01"),
        )
        .unwrap()
    };
    tx.raise_blocker(&blocker("BLOCK", "2022-06-30"))
        .await
        .unwrap();
    tx.raise_blocker(&blocker("BLOCK-OK", "2022-07-01"))
        .await
        .unwrap();
    for (code, wan) in [("FUNDS", 900), ("FUNDS-OK", 1_000)] {
        let fund = domain::records::Fund::new(
            code,
            d("2021-09-01"),
            domain::Money::from_units("", wan * 10_000).unwrap(),
            domain::Currency::Cny,
        )
        .unwrap();
        tx.add_fund(&fund).await.unwrap();
    }
    tx.commit().await.unwrap();

    let (bureau, csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    let page = app.get("/warnings", b).await;
    assert!(
        page.status == 200 && page.body.contains("预警基准日 2022-07-01"),
        "{}",
        page.body
    );
    let row_of = |code: &str| -> String {
        page.body
            .split("<tr>")
            .find(|row| row.contains(&format!("<a href=\"/projects/{code}\">{code}</a>")))
            .unwrap_or_default()
            .to_owned()
    };
    let expected = [
        ("IDLE", "黄灯", "在谈已42天无进展"),
        ("SIGN", "黄灯", "签约122天仍未落地"),
        ("LAND", "黄灯", "落地289天仍未开工"),
        ("PLAN", "红灯", "计划开工日期2022-06-21已过10天，尚未开工"),
        ("ELEM", "黄灯", "要素保障“施工许可”逾期30天"),
        ("BLOCK", "红灯", "堵点问题“电力接入”逾期1天未解决"),
        (
            "FUNDS",
            "黄灯",
            "到位资金900.00万元，仅为签约额10,000.00万元的9.0%（低于10%）",
        ),
        (
            "STALL",
            "红灯",
            "项目处于停滞状态（自2022-06-01起，已30天）",
        ),
        (
            "SUSP",
            "黄灯",
            "停工228天仍未复工（2021-11-15停工，预警线180天）",
        ),
        ("PROD", "黄灯", "计划投产日期2022-06-15已过16天，尚未投产"),
    ];
    for (code, light, reason) in expected {
        let row = row_of(code);
        assert!(
            row.contains(light) && row.contains(reason),
            "{code} should be {light}: {reason}; row: {row}"
        );
        assert_eq!(
            row_of(&format!("{code}-OK")),
            "",
            "{code}-OK should not be lit"
        );
    }
    assert!(
        row_of("LAND").contains("临近开工，尚无融资方案"),
        "{}",
        row_of("LAND")
    );
    // The filters: a reason, a light, a unit; the export keeps them.
    let codes_on = |body: &str| -> Vec<String> {
        let mut codes: Vec<String> = body
            .split("<a href=\"/projects/")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .filter(|code| *code != "new")
            .map(str::to_owned)
            .collect();
        codes.sort();
        codes
    };
    let suspended = app
        .get("/warnings?reason=%E5%81%9C%E5%B7%A5%E8%BF%87%E4%B9%85", b)
        .await;
    assert_eq!(codes_on(&suspended.body), ["SUSP"], "{}", suspended.body);
    assert!(
        suspended
            .body
            .contains("<option value=\"停工过久\" selected>停工过久（1）</option>"),
        "{}",
        suspended.body
    );
    let red = app.get("/warnings?light=%E7%BA%A2%E7%81%AF", b).await;
    assert_eq!(codes_on(&red.body), ["BLOCK", "PLAN", "STALL"]);
    let elsewhere = app
        .get("/warnings?unit=%E5%AE%9D%E6%B8%85%E5%8E%BF", b)
        .await;
    assert!(
        codes_on(&elsewhere.body).is_empty() && elsewhere.body.contains("没有符合条件的亮灯项目"),
        "{}",
        elsewhere.body
    );
    let by_reasons = app.get("/warnings?sort=reasons", b).await;
    assert_eq!(
        codes_on(&by_reasons.body).len(),
        codes_on(&page.body).len(),
        "a sort keeps every row"
    );
    let csv = app
        .get("/warnings/export?light=%E7%BA%A2%E7%81%AF&format=csv", b)
        .await;
    assert!(
        csv.status == 200 && csv.body.contains("PLAN") && !csv.body.contains("IDLE"),
        "{}",
        csv.body
    );

    // A project page says the same.
    let project = app.get("/projects/PLAN", b).await;
    assert!(
        project
            .body
            .contains("预警：<span class=\"light red\">红灯</span>")
            && project.body.contains("计划开工日期2022-06-21已过10天"),
        "{}",
        project.body
    );
    assert!(
        app.get("/projects/PLAN-OK", b)
            .await
            .body
            .contains("无预警")
    );

    // A financing plan clears the flag; a bad one is refused naming its fields.
    let bad = [
        ("csrf", csrf.as_str()),
        ("need", "0"),
        ("sources", ""),
        ("bank", ""),
        ("status", "已获批"),
    ];
    let reply = app.post_form("/projects/LAND/financing", b, &bad).await;
    assert!(
        reply.status == 422
            && reply.body.contains("融资需求：须大于0")
            && reply.body.contains("资金来源构成：不能为空")
            && reply.body.contains("合作金融机构"),
        "{} {}",
        reply.status,
        reply.body
    );
    let good = [
        ("csrf", csrf.as_str()),
        ("need", "3000"),
        ("sources", "自有30%、贷款70%"),
        ("bank", "龙江银行"),
        ("status", "已对接金融机构"),
    ];
    assert_eq!(
        app.post_form("/projects/LAND/financing", b, &good)
            .await
            .status,
        303
    );
    let project = app.get("/projects/LAND?tab=funds", b).await;
    assert!(
        project.body.contains("龙江银行") && !project.body.contains("尚无融资方案（"),
        "{}",
        project.body
    );

    // The thresholds are the bureau's to change: a 60-day idle line puts IDLE out.
    let mut rules = vec![("csrf", csrf.as_str())];
    let values = ["10", "30", "60", "90", "180", "30", "365", "60", "180"];
    let names = ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"];
    rules.extend(names.iter().copied().zip(values));
    assert_eq!(
        app.post_form("/warnings/rules", b, &rules).await.status,
        303
    );
    let page = app.get("/warnings", b).await;
    assert!(
        !page.body.contains("在谈已42天无进展") && page.body.contains("签约122天仍未落地"),
        "{}",
        page.body
    );
    let mut bad_rules = rules.clone();
    bad_rules[3] = ("r2", "三十");
    let reply = app.post_form("/warnings/rules", b, &bad_rules).await;
    assert!(
        reply.status == 422
            && reply
                .body
                .contains("在谈无进展天数：“三十”不是1至36500之间的整数"),
        "{} {}",
        reply.status,
        reply.body
    );
    let (staff, staff_csrf) = app.sign_in("jixian").await;
    let mut theirs = rules.clone();
    theirs[0] = ("csrf", staff_csrf.as_str());
    assert_eq!(
        app.post_form("/warnings/rules", Some(&staff), &theirs)
            .await
            .status,
        403
    );
    // Unit staff see their own unit's lit projects.
    let page = app.get("/warnings", Some(&staff)).await;
    assert!(
        page.status == 200 && page.body.contains("预警样例PLAN"),
        "{}",
        page.body
    );
}

async fn a_unit_behind_its_targets_is_lit_with_the_points_it_lags(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.set_records_as_of(d("2022-06-30")).await.unwrap();
    for (unit, target) in [("集贤县", 4), ("宝清县", 1)] {
        tx.upsert_target(&domain::records::Target {
            year: 2022,
            unit: Some(unit.into()),
            indicator: domain::figures::Indicator::SignedProjects,
            value: target,
        })
        .await
        .unwrap();
    }
    event(
        &mut tx,
        "JX-1",
        EventKind::Stage(Stage::Signed),
        "2022-03-01",
        Some(1_000),
    )
    .await;
    event(
        &mut tx,
        "BQ-1",
        EventKind::Stage(Stage::Signed),
        "2022-03-01",
        Some(1_000),
    )
    .await;
    tx.commit().await.unwrap();
    let (bureau, _) = app.sign_in("bureau").await;
    let page = app.get("/warnings", Some(&bureau)).await;
    // 1 of 4 at 181/365 = 49.6 % of the year: 24.6 points behind, yellow; 宝清县 has done its 1.
    assert!(
        page.body.contains(
            "<td class=\"nowrap\">集贤县</td><td class=\"nowrap\"><span class=\"light yellow\">黄灯</span>"
        ) && page
            .body
            .contains("各项指标平均任务进度25.0%，时间进度49.6%，落后24.6个百分点")
            && page
                .body
                .contains("签约项目数：任务进度25.0%，时间进度49.6%，落后24.6个百分点"),
        "{}",
        page.body
    );
    let units = page.body.split("项目预警").next().unwrap();
    assert!(!units.contains(">宝清县</td>"), "{units}");
    // The scoreboard on the same day shows each unit the same light: one definition.
    let board = app
        .get(
            "/scoreboard?year=2022&period=YTD&as_of=2022-06-30",
            Some(&bureau),
        )
        .await;
    let row_of = |unit: &str| -> String {
        board
            .body
            .split("<tr")
            .find(|row| row.contains(&format!(">{unit}</a>")))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        row_of("集贤县").contains("<span class=\"light yellow\">黄灯</span>")
            && row_of("宝清县").contains("<span class=\"light green\">绿灯</span>"),
        "{}",
        board.body
    );
}

both_databases!(
    each_warning_lights_on_the_project_built_for_it_and_not_on_its_twin,
    a_unit_behind_its_targets_is_lit_with_the_points_it_lags,
);
