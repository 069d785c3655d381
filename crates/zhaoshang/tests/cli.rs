//! The real `zhaoshang` binary driven as an office would drive it, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader};
use domain::{Money, Period};
use store::testing::TestDb;
use store::{Store, Table, both_databases};

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn zhaoshang(db: &TestDb, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
        .arg("--db")
        .arg(&db.url)
        .args(args)
        .env_remove("ZHAOSHANG_DB")
        // Each database its own search index, out of the source tree (PostgreSQL's default
        // would be data/index/ under the working directory).
        .env("ZHAOSHANG_INDEX", index_dir(db))
        .output()
        .expect("run zhaoshang");
    Run {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn index_dir(db: &TestDb) -> PathBuf {
    let name: String = db
        .url
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    std::env::temp_dir().join(format!(
        "zhaoshang-index-{}",
        &name[name.len().saturating_sub(60)..]
    ))
}

fn import(db: &TestDb, kind: &str, file: &Path) -> Run {
    zhaoshang(db, &["import", kind, file.to_str().unwrap()])
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Excel writes CSV as UTF-8 with a byte-order mark.
fn write_excel_csv(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
    )
    .unwrap();
    path
}

const UNITS: &str = "单位名称,类型,分组,行政区划代码,上级单位\n\
双鸭山市,市本级,,230500,\n\
集贤县,县,县区,230521,双鸭山市\n\
宝清县,县,,230523,双鸭山市\n\
市发展和改革委员会,部门,部门,,双鸭山市\n";

const LEADERS: &str = "姓名,职务\n王建国,常务副市长\n";
const CHAINS: &str = "产业链名称,主导产业,链长\n新能源产业链,新能源,王建国\n";
const TEAMS: &str = "专班名称,牵头领导\n新能源专班,王建国\n";

const PROJECTS: &str = "项目编号,项目名称,投资企业,统一社会信用代码,产业链,所在县区,责任单位(多个以、分隔),分管领导,工作专班,招商方式,资金来源(内资/外资),币种,计划总投资(万元),签约额(万元),重点项目(是/否)\n\
P-001,集贤200兆瓦风电项目,中船风电双鸭山新能源开发有限公司,91350100M000100Y43,新能源产业链,集贤县,市发展和改革委员会,王建国,新能源专班,政府团队,内资,人民币,120000,120000,是\n\
P-002,石墨负极材料项目,浙江碳一新能源有限公司,,,宝清县,,,,,,,\"200,000.5\",,否\n";

const EVENTS: &str = "项目编号,阶段,日期(YYYY-MM-DD),金额(万元),落地企业信用代码,地块编号,说明\n\
P-001,开工,2022-04-25,,,,\n\
P-001,签约,2022-01-18,,,,\n\
P-001,落地,2022/3/10,,,双土储〔2022〕015号,\n\
P-002,在谈,2021-06-20,,,,\n\
P-002,签约,2021-09-15,200000.5,,,\n";

const FUNDS: &str = "项目编号,日期,金额(万元),币种,来源,已核实(是/否)\n\
P-001,2022-05-31,5000,人民币,自有,是\n\
P-001,2022-06-30,1.2345,,贷款,否\n\
P-002,2022-03-01,300,美元,股权,否\n";

const VISITS: &str = "日期,单位,企业名称,统一社会信用代码,带队领导,方式,地点,内容,成果,项目编号\n\
2022-05-06,集贤县,浙江碳一新能源有限公司,,王建国,上门拜访,杭州,洽谈负极材料项目,达成意向,P-002\n\
2022-05-07,,中国船舶集团风电发展有限公司,,,云洽谈,,,,\n";

const TARGETS: &str = "年度,单位,指标,目标值\n2022,全市,签约项目数,160\n2022,全市,签约额,7000000\n2022,集贤县,签约项目数,30\n";

fn import_all(db: &TestDb, dir: &Path) {
    for (kind, text) in [
        ("units", UNITS),
        ("leaders", LEADERS),
        ("chains", CHAINS),
        ("teams", TEAMS),
        ("projects", PROJECTS),
        ("events", EVENTS),
        ("funds", FUNDS),
        ("visits", VISITS),
        ("targets", TARGETS),
    ] {
        let run = import(
            db,
            kind,
            &write_excel_csv(dir, &format!("{kind}.csv"), text),
        );
        assert!(
            run.ok,
            "import {kind} failed:\n{}{}",
            run.stdout, run.stderr
        );
    }
}

async fn counts(store: &Store) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        Table::Units,
        Table::Projects,
        Table::Events,
        Table::Funds,
        Table::Visits,
        Table::Targets,
        Table::ChangeLog,
    ] {
        out.push(store.count(table).await.unwrap());
    }
    out
}

async fn a_full_set_of_office_files_imports_with_bom_and_in_any_order(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_all(db, dir.path());
    let store = db.open().await.unwrap();
    assert_eq!(counts(&store).await[..6], [4, 2, 5, 3, 2, 3]);
    let p2 = store.project("P-002").await.unwrap().unwrap().project;
    assert_eq!(
        p2.planned_investment,
        Some(Money::from_units("", 2_000_005_000).unwrap())
    );
    let funds = store.funds().await.unwrap();
    assert!(
        funds.iter().any(|(_, f)| f.amount.units() == 12_345),
        "1.2345万元 is 12345元"
    );
    assert!(
        funds
            .iter()
            .any(|(_, f)| f.currency == domain::Currency::Usd && f.amount.units() == 3_000_000)
    );
    // Events listed out of date order are applied in date order.
    let events = store.events_of("P-001").await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.event.kind.label()).collect();
    assert_eq!(kinds, ["签约", "落地", "开工"]);
    let log = store.changes_of("project", "P-001").await.unwrap();
    assert!(log[0].actor.starts_with("cli:"), "{}", log[0].actor);
}

async fn an_import_with_bad_cells_changes_nothing_and_names_every_cell(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import(
        db,
        "units",
        &write_excel_csv(dir.path(), "units.csv", UNITS),
    );
    let store = db.open().await.unwrap();
    let before = counts(&store).await;
    let bad = "项目编号,项目名称,所在县区,签约额(万元),统一社会信用代码,投资企业\n\
                   P-1,风电项目,集贤县,1000,,\n\
                   P-2,石墨项目,集贤县,abc,91350100M000100Y44,某公司\n\
                   P-3,乙醇项目,不存在县,500,,\n\
                   P-4,玄武岩项目,集贤县,\"10,5\",,\n\
                   P-5,全角数字项目,集贤县,１，２００．５,,\n\
                   合计,,,\"2,710.5\",,\n\
                   P-1,风电项目（重复录入）,集贤县,1000,,\n";
    let run = import(db, "projects", &write(dir.path(), "projects.csv", bad));
    assert!(!run.ok);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "第3行 签约额: “abc”不是数字，请填写万元数，如 1200 或 1,200.5",
            "第3行 统一社会信用代码: 校验位（第18位）不符，请核对代码是否抄错",
            "第4行 所在县区: 单位“不存在县”不存在，请先录入或导入",
            "第5行 签约额: “10,5”中的逗号位置不对：千分位逗号须每三位一个（如 1,234,567.5）；小数请用小数点（10.5，不是 10,5）",
            "第7行 项目编号: “合计”是合计行，不是一条记录；请删除合计、小计行后再导入",
            "第8行 项目编号: “P-1”与第2行重复：同一文件中每条记录只能出现一次，请合并或删去一行",
            "导入失败：发现6处错误，未导入任何记录。",
        ]
    );
    assert_eq!(
        counts(&store).await,
        before,
        "the good row P-1 was not written either"
    );
}

async fn a_missing_required_column_is_reported_on_the_header_row(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let run = import(
        db,
        "events",
        &write(dir.path(), "events.csv", "项目编号,日期\nP-1,2022-01-01\n"),
    );
    assert!(!run.ok);
    assert!(
        run.stderr.contains("第1行 阶段: 缺少必填列“阶段”"),
        "{}",
        run.stderr
    );
}

async fn a_stage_rule_broken_in_a_file_names_the_row(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_all(db, dir.path());
    let store = db.open().await.unwrap();
    let before = counts(&store).await;
    let text = "项目编号,阶段,日期,说明\nP-002,落地,2022-05-01,\nP-002,终止,2022-06-01,\nP-001,在谈,2022-06-01,\nP-001,投产,2099-01-01,\n";
    let run = import(db, "events", &write(dir.path(), "more.csv", text));
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("第2行 落地企业信用代码: 落地须填写落地企业信用代码或地块编号"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("第3行 说明: 终止须说明原因"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("第4行 阶段: 项目已处于“开工”，只能向后推进，不能再记“在谈”"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("第5行 日期: 不能晚于今天"),
        "{}",
        run.stderr
    );
    assert_eq!(counts(&store).await, before);
}

async fn importing_the_same_files_twice_adds_nothing(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_all(db, dir.path());
    let store = db.open().await.unwrap();
    let before = counts(&store).await;
    import_all(db, dir.path());
    assert_eq!(
        counts(&store).await,
        before,
        "no record and no change-log entry was added"
    );
    let run = import(db, "funds", &dir.path().join("funds.csv"));
    assert!(
        run.stdout.contains("新增0") && run.stdout.contains("重复3"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("第2行、第3行、第4行与已有记录完全相同"),
        "{}",
        run.stdout
    );
}

async fn an_export_imports_back_to_the_same_records(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    assert!(zhaoshang(db, &["demo"]).ok);
    let copy = TestDb::sqlite();
    let kinds = [
        "units",
        "leaders",
        "chains",
        "teams",
        "enterprises",
        "segments",
        "segment-firms",
        "projects",
        "project-segments",
        "events",
        "funds",
        "visits",
        "visit-plans",
        "targets",
        "leader-units",
        "elements",
        "blockers",
        "financing",
        "packaged",
        "factors",
        "agencies",
        "agency-contracts",
        "roadmaps",
    ];
    for kind in kinds {
        let file = dir.path().join(format!("{kind}.xlsx"));
        let run = zhaoshang(db, &["export", kind, file.to_str().unwrap()]);
        assert!(run.ok, "{}", run.stderr);
        let run = import(&copy, kind, &file);
        assert!(run.ok, "re-import of {kind}: {}", run.stderr);
    }
    // The export reads and prints: columns as wide as their content, a filter on the header,
    // amounts with separators, landscape one page wide with the header row repeated.
    let xml = sheet_xml(
        &dir.path().join("projects.xlsx"),
        "xl/worksheets/sheet1.xml",
    );
    assert!(xml.contains("<autoFilter ref=\"A1:"), "{xml:.400}");
    assert!(xml.contains("orientation=\"landscape\"") && xml.contains("fitToPage=\"1\""));
    let code_width: f64 = xml
        .split("<col min=\"1\" max=\"1\" width=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|w| w.parse().ok())
        .unwrap();
    assert!(code_width >= "SYS-2020-0016".len() as f64, "{code_width}");
    let styles = sheet_xml(&dir.path().join("projects.xlsx"), "xl/styles.xml");
    assert!(styles.contains("#,##0.00"), "amounts with separators");
    for kind in kinds {
        let original = dir.path().join(format!("{kind}-a.csv"));
        let copied = dir.path().join(format!("{kind}-b.csv"));
        assert!(zhaoshang(db, &["export", kind, original.to_str().unwrap()]).ok);
        assert!(zhaoshang(&copy, &["export", kind, copied.to_str().unwrap()]).ok);
        let (a, b) = (
            std::fs::read_to_string(&original).unwrap(),
            std::fs::read_to_string(&copied).unwrap(),
        );
        assert!(a.lines().count() > 1, "{kind} export is not empty");
        assert_eq!(a, b, "{kind} differs after the round trip");
    }
    let (one, two) = (db.open().await.unwrap(), copy.open().await.unwrap());
    let strip = |mut projects: Vec<domain::records::Project>| {
        projects.iter_mut().for_each(|p| p.illustrative = false);
        projects
    };
    assert_eq!(
        strip(one.projects().await.unwrap()),
        strip(two.projects().await.unwrap())
    );
    copy.cleanup().await;
}

/// Issue 23.5: the kinds before the investor import all or nothing, every bad cell named by row
/// and column, and a file imported twice changes nothing the second time.
async fn the_kinds_before_the_investor_import_all_or_nothing_and_twice_change_nothing(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    assert!(zhaoshang(db, &["demo"]).ok);
    let bad = [
        (
            "factors",
            "要素编号,类别,要素名称,数值,单位,来源,生效日期,有效期至,备注\n\
GS-01,电力,一般工商业电价,0.68,元/千瓦时,省发改委,2023-01-01,,\n\
GS-02,GDP,地区生产总值,100,亿元,统计局,明天,,\n",
            &["第3行 类别", "第3行 生效日期"][..],
        ),
        (
            "packaged",
            "项目库编号,项目名称,责任单位,投资概算(万元),建设年限\nBZ-NEW-1,新项目,宝清县,\"10,5\",2\n",
            &["第2行 投资概算"][..],
        ),
        (
            "agency-contracts",
            "合同编号,机构名称,合同开始日期,合同截止日期,计费方式,比例(%),计付时点\n\
WT-NEW-1,新机构有限公司,2023-01-01,2023-12-31,签约额比例,0.125,签约\n\
WT-NEW-2,拼错的机构,2023-01-01,2023-12-31,签约额比例,0.5,签约\n",
            &["第2行 比例", "第3行 机构名称"][..],
        ),
        (
            "roadmaps",
            "年度,产业链,单位,类型,内容,计划月份,带队领导\n2023,,宝清县,对接计划,不存在的公司,13,\n",
            &["第2行 计划月份"][..],
        ),
    ];
    let store = db.open().await.unwrap();
    let before = (
        store.factors().await.unwrap().len(),
        store.agencies(None).await.unwrap().len(),
        store.roadmaps().await.unwrap().len(),
    );
    for (kind, text, messages) in bad {
        let run = import(
            db,
            kind,
            &write_excel_csv(dir.path(), &format!("bad-{kind}.csv"), text),
        );
        assert!(!run.ok, "{kind}: {}", run.stdout);
        for message in messages {
            assert!(
                run.stderr.contains(message),
                "{kind} {message}: {}",
                run.stderr
            );
        }
    }
    let after = (
        store.factors().await.unwrap().len(),
        store.agencies(None).await.unwrap().len(),
        store.roadmaps().await.unwrap().len(),
    );
    assert_eq!(before, after, "nothing was imported");
    assert!(store.packaged("BZ-NEW-1").await.unwrap().is_none());
    let good = [
        (
            "factors",
            "要素编号,类别,要素名称,数值,单位,来源,生效日期\nDL-01,电力,大工业用电价格（1-10千伏）,0.5700,元/千瓦时,省发改委,2023-01-01\n",
        ),
        (
            "packaged",
            "项目库编号,项目名称,责任单位,投资概算(万元),概算构成,状态\nBZ-NEW-1,新项目,宝清县,1000,设备 600；土建 400,已包装\n",
        ),
        ("agencies", "机构名称,联系人\n新机构有限公司,李经理\n"),
        (
            "agency-contracts",
            "合同编号,机构名称,合同开始日期,合同截止日期,计费方式,比例(%),计付时点,约定区域\n\
WT-NEW-1,新机构有限公司,2023-01-01,2023-12-31,签约额比例,0.5,签约,宝清县\n",
        ),
        (
            "roadmaps",
            "年度,产业链,单位,类型,内容,计划月份,带队领导\n2023,,宝清县,重点招商项目,BZ-NEW-1,,\n2023,,宝清县,招商政策,宝清县招商引资优惠政策,,\n",
        ),
    ];
    for (kind, text) in good {
        let file = write_excel_csv(dir.path(), &format!("{kind}.csv"), text);
        let run = import(db, kind, &file);
        assert!(run.ok, "{kind}: {}{}", run.stdout, run.stderr);
        let again = import(db, kind, &file);
        assert!(
            again.ok && again.stdout.contains("未变"),
            "{kind} twice: {}{}",
            again.stdout,
            again.stderr
        );
    }
    let factors = store.factors().await.unwrap();
    let power = factors.iter().find(|f| f.factor.code == "DL-01").unwrap();
    assert_eq!(
        power.values.len(),
        3,
        "the 2023 value closes the one before"
    );
    assert_eq!(
        power.values[1].valid_to,
        chrono::NaiveDate::from_ymd_opt(2022, 12, 31)
    );
    let agencies = store.agencies(None).await.unwrap();
    assert!(agencies.iter().any(|a| a.agency.name == "新机构有限公司"));
    let roadmap = store
        .roadmaps()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.owner == "宝清县" && r.year == 2023)
        .unwrap();
    assert_eq!(roadmap.items.len(), 2);
}

async fn follow_up_files_import_all_or_nothing_and_twice_add_nothing(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_all(db, dir.path());
    let bad_blockers = "项目编号,问题描述,问题类别,提出日期,责任单位,责任领导,办结时限,状态,解决情况,办结日期\n\
P-001,用地指标未落实,用地,2022-05-01,市发展和改革委员会,王建国,2022-05-31,待处理,,\n\
P-001,施工用电未接入,天气,2022-05-02,市发展和改革委员会,,2022-04-30,已解决,,\n";
    let run = import(
        db,
        "blockers",
        &write_excel_csv(dir.path(), "bad-blockers.csv", bad_blockers),
    );
    assert!(!run.ok, "{}", run.stdout);
    for message in [
        "第3行 问题类别",
        "第3行 办结时限: 不能早于提出日期（2022-05-02）",
    ] {
        assert!(run.stderr.contains(message), "{message}: {}", run.stderr);
    }
    let store = db.open().await.unwrap();
    assert!(
        store
            .blockers(&store::BlockerFilter::default())
            .await
            .unwrap()
            .is_empty(),
        "nothing was imported"
    );
    let files = [
        (
            "leader-units",
            "领导,包保县区(多个以、分隔)\n王建国,集贤县、宝清县\n",
        ),
        (
            "elements",
            "项目编号,事项,状态,责任部门,应完成日期,完成日期\n\
P-001,施工许可,已完成,市发展和改革委员会,2022-04-01,2022-03-28\n\
P-002,用地指标,办理中,市发展和改革委员会,2022-09-30,\n",
        ),
        (
            "blockers",
            "项目编号,问题描述,问题类别,提出日期,责任单位,责任领导,办结时限,状态,解决情况,办结日期\n\
P-001,用地指标未落实,用地,2022-05-01,市发展和改革委员会,王建国,2022-05-31,已解决,已调剂指标,2022-05-20\n\
P-002,贷款审批慢,资金融资,2022-06-01,市发展和改革委员会,,2022-06-30,处理中,,\n",
        ),
        (
            "financing",
            "项目编号,融资需求(万元),资金来源构成,合作金融机构,状态\nP-001,72000,自有40%、贷款60%,龙江银行双鸭山分行,已放款\n",
        ),
    ];
    for (kind, text) in files {
        let run = import(
            db,
            kind,
            &write_excel_csv(dir.path(), &format!("{kind}.csv"), text),
        );
        assert!(run.ok, "{kind}: {}{}", run.stdout, run.stderr);
    }
    let blockers = store
        .blockers(&store::BlockerFilter::default())
        .await
        .unwrap();
    let states: Vec<(&str, Option<&str>)> = blockers
        .iter()
        .map(|b| (b.blocker.status.label(), b.blocker.resolution.as_deref()))
        .collect();
    assert_eq!(states, [("已解决", Some("已调剂指标")), ("处理中", None)]);
    assert_eq!(store.elements_of("P-002").await.unwrap().len(), 1);
    assert_eq!(
        store
            .financing_of("P-001")
            .await
            .unwrap()
            .map(|f| f.need.units()),
        Some(720_000_000)
    );
    assert_eq!(
        store
            .leader_scope("王建国", None)
            .await
            .unwrap()
            .unwrap()
            .units,
        ["宝清县", "集贤县"]
    );
    let before = counts(&store).await;
    for (kind, _) in files {
        let run = import(db, kind, &dir.path().join(format!("{kind}.csv")));
        assert!(run.ok, "{kind}: {}", run.stderr);
    }
    assert_eq!(
        counts(&store).await,
        before,
        "nothing was added or logged the second time"
    );
    assert_eq!(
        store
            .blockers(&store::BlockerFilter::default())
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn chain_segments_their_firms_and_knock_door_plans_import_all_or_nothing(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_all(db, dir.path());
    let firms = "企业名称,统一社会信用代码,行业代码\n\
中船风电双鸭山新能源开发有限公司,91350100M000100Y43,C3731\n\
浙江碳一新能源有限公司,,C3099\n";
    assert!(
        import(
            db,
            "enterprises",
            &write_excel_csv(dir.path(), "firms.csv", firms)
        )
        .ok
    );
    let bad = [
        (
            "segments",
            "产业链,环节,位置(上游/中游/下游/配套),行业代码(多个以、分隔)\n\
新能源产业链,风电整机,中游,C3731\n\
新能源产业链,负极材料,旁边,C3099\n\
新能源产业链,储能,下游,X99\n",
            vec!["第3行 位置", "第4行 行业代码"],
        ),
        (
            "segments",
            "产业链,环节,位置\n煤化工产业链,焦化,上游\n",
            vec!["第2行 产业链"],
        ),
        (
            "visit-plans",
            "目标企业,统一社会信用代码,单位,带队领导,计划日期,目的\n\
浙江碳一新能源有限公司,,集贤县,王建国,,负极材料环节招商\n\
某公司,12345,,,2022-12-15,\n",
            vec!["第2行 计划日期", "第3行 统一社会信用代码"],
        ),
        (
            "project-segments",
            "项目编号,产业链,环节\nP-404,新能源产业链,风电整机\n",
            vec!["第2行 项目编号"],
        ),
    ];
    for (kind, text, messages) in bad {
        let run = import(
            db,
            kind,
            &write_excel_csv(dir.path(), &format!("bad-{kind}.csv"), text),
        );
        assert!(!run.ok, "{kind}: {}", run.stdout);
        for message in messages {
            assert!(run.stderr.contains(message), "{message}: {}", run.stderr);
        }
    }
    let store = db.open().await.unwrap();
    let map = store
        .chain_map("新能源产业链", None)
        .await
        .unwrap()
        .unwrap();
    assert!(
        map.segments.is_empty(),
        "a file with a bad row imports nothing"
    );
    let files = [
        (
            "segments",
            "产业链,环节,位置(上游/中游/下游/配套),行业代码(多个以、分隔)\n\
新能源产业链,风电整机,中游,C3731\n\
新能源产业链,负极材料,上游,C3099、C2520\n",
        ),
        (
            "segment-firms",
            "产业链,环节,企业,类别(已有/目标),链主企业(是/否)\n\
新能源产业链,风电整机,91350100M000100Y43,已有,是\n\
新能源产业链,负极材料,浙江碳一新能源有限公司,目标,\n",
        ),
        (
            "visit-plans",
            "目标企业,统一社会信用代码,单位,带队领导,计划日期,目的\n\
浙江碳一新能源有限公司,,集贤县,王建国,2022-12-15,负极材料环节招商\n",
        ),
        (
            "project-segments",
            "项目编号,产业链,环节\nP-002,新能源产业链,负极材料\n",
        ),
    ];
    for (kind, text) in files {
        let run = import(
            db,
            kind,
            &write_excel_csv(dir.path(), &format!("{kind}.csv"), text),
        );
        assert!(run.ok, "{kind}: {}{}", run.stdout, run.stderr);
    }
    let map = store
        .chain_map("新能源产业链", None)
        .await
        .unwrap()
        .unwrap();
    let segments: Vec<(&str, usize, usize)> = map
        .segments
        .iter()
        .map(|s| (s.name.as_str(), s.local.len(), s.targets.len()))
        .collect();
    assert_eq!(
        segments,
        [("负极材料", 0, 1), ("风电整机", 1, 0)],
        "by position, 上游 first"
    );
    assert_eq!(map.segments[0].industries.len(), 2);
    let filled: Vec<&str> = map.segments[0]
        .projects
        .iter()
        .map(|p| p.code.as_str())
        .collect();
    assert_eq!(filled, ["P-002"], "the project fills the segment");
    let plans = store.visit_plans(Some("集贤县")).await.unwrap();
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].purpose.as_deref(), Some("负极材料环节招商"));
    let before = counts(&store).await;
    for (kind, _) in files {
        let run = import(db, kind, &dir.path().join(format!("{kind}.csv")));
        assert!(run.ok, "{kind}: {}", run.stderr);
    }
    assert_eq!(
        counts(&store).await,
        before,
        "nothing was added or logged the second time"
    );
    assert_eq!(store.visit_plans(None).await.unwrap().len(), 1);
    let leader =
        "产业链,环节,企业,类别,链主企业\n新能源产业链,负极材料,浙江碳一新能源有限公司,目标,是\n";
    let run = import(
        db,
        "segment-firms",
        &write_excel_csv(dir.path(), "leader.csv", leader),
    );
    assert!(
        !run.ok
            && run
                .stderr
                .contains("第2行 链主企业: 链主企业须为本地已有企业"),
        "{}",
        run.stderr
    );
    let unknown = "产业链,环节,企业,类别\n新能源产业链,负极材料,不存在的公司,目标\n";
    let run = import(
        db,
        "segment-firms",
        &write_excel_csv(dir.path(), "unknown.csv", unknown),
    );
    assert!(
        !run.ok && run.stderr.contains("第2行 企业"),
        "{}",
        run.stderr
    );
}

async fn an_enterprise_file_names_each_bad_row_and_may_be_imported_in_part(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let rows = "企业名称,统一社会信用代码,行业代码,省份,城市,注册资本(万元),成立日期,规模,标签\n\
中国船舶集团有限公司,91310000710924478P,3731,上海市,上海市,11000000,2019-11-08,大型,世界500强、行业龙头\n\
坏代码公司,91310000710924478Q,C3731,,,,,,\n\
错行业公司,91110000100001234U,C4411,,,,,,\n\
错日期公司,,C3511,,,,2019-13-01,,\n\
未来公司,,C3511,,,,2099-01-01,,\n\
龙江石墨新材料有限公司,91230500MA1B2C3D4X,C3091,黑龙江省,双鸭山市,5000.5,2015-06-30,中,上市\n";
    let file = write_excel_csv(dir.path(), "enterprises.csv", rows);
    let run = import(db, "enterprises", &file);
    assert!(!run.ok, "{}", run.stdout);
    for message in [
        "第3行 统一社会信用代码",
        "第4行 行业代码: “C4411”不是国民经济行业分类（GB/T 4754-2017）的行业代码",
        "第5行 成立日期",
        "第6行 成立日期: 不能晚于今天",
    ] {
        assert!(run.stderr.contains(message), "{message}: {}", run.stderr);
    }
    let store = db.open().await.unwrap();
    assert_eq!(
        store.count(Table::Enterprises).await.unwrap(),
        0,
        "a bad row imports nothing"
    );
    // Imported in part when asked: the good rows in, the bad ones to their own file with the
    // reason.
    let bad = dir.path().join("bad.csv");
    let run = zhaoshang(
        db,
        &[
            "import",
            "enterprises",
            file.to_str().unwrap(),
            "--bad-rows",
            bad.to_str().unwrap(),
            "--skip-bad",
        ],
    );
    assert!(
        run.ok
            && run.stdout.contains("新增2")
            && run.stdout.contains("有错误的4行未导入，已连同原因写入"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    let written = std::fs::read_to_string(&bad).unwrap();
    assert_eq!(written.lines().count(), 5, "{written}");
    assert!(
        written.lines().next().unwrap().ends_with(",错误原因"),
        "{written}"
    );
    assert!(
        written.contains("错行业公司")
            && written.contains("行业代码: “C4411”")
            && !written.contains("中国船舶集团"),
        "{written}"
    );
    let firm = store
        .enterprise_by_code("91310000710924478P")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        firm.industry.as_ref().map(|c| c.as_str()),
        Some("C3731"),
        "the section letter is put back"
    );
    assert!(
        firm.has_flag("世界500强")
            && firm.registered_capital.map(|m| m.units()) == Some(110_000_000_000)
    );
    // Met again by its credit code, a firm is updated rather than added.
    let again = "企业名称,统一社会信用代码,城市\n中国船舶集团有限公司,91310000710924478P,北京市\n";
    let run = import(
        db,
        "enterprises",
        &write_excel_csv(dir.path(), "again.csv", again),
    );
    assert!(run.ok && run.stdout.contains("更新1"), "{}", run.stdout);
    assert_eq!(store.count(Table::Enterprises).await.unwrap(), 2);
    let firm = store
        .enterprise_by_code("91310000710924478P")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(firm.city.as_deref(), Some("北京市"));
    let run = zhaoshang(
        db,
        &[
            "import",
            "enterprises",
            file.to_str().unwrap(),
            "--bad-rows",
            dir.path().join("bad.xlsx").to_str().unwrap(),
        ],
    );
    assert!(
        !run.ok && run.stderr.contains("应为 .csv"),
        "a million bad rows are written as they come: {}",
        run.stderr
    );

    // The search follows the imports: by abbreviation, by a word inside, with filters.
    let search = |args: &[&str]| {
        let mut all = vec!["search", "enterprises"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        let run = zhaoshang(db, &all);
        assert!(run.ok, "{}{}", run.stdout, run.stderr);
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap()
    };
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let hits = search(&["中船"]);
    assert_eq!(names(&hits), ["中国船舶集团有限公司"]);
    assert_eq!(hits["hits"][0]["credit_code"], "91310000710924478P");
    assert!(hits["hits"][0]["score"].as_f64().unwrap() > 0.0);
    assert_eq!(
        names(&search(&["石墨"])),
        ["龙江石墨新材料有限公司"],
        "a word inside the name"
    );
    assert_eq!(
        names(&search(&["", "--flag", "上市"])),
        ["龙江石墨新材料有限公司"]
    );
    assert_eq!(
        names(&search(&["", "--city", "北京市"])),
        ["中国船舶集团有限公司"],
        "the update reached the index"
    );
    assert_eq!(search(&["", "--limit", "1"])["total"], 2);
    let run = zhaoshang(db, &["search", "enterprises", "x", "--industry", "Z99"]);
    assert!(
        !run.ok && run.stderr.contains("--industry"),
        "{}",
        run.stderr
    );
    let run = zhaoshang(db, &["reindex"]);
    assert!(
        run.ok && run.stdout.contains("检索索引已重建：2家企业"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(names(&search(&["中船"])), ["中国船舶集团有限公司"]);
    let _ = std::fs::remove_dir_all(index_dir(db));
}

async fn the_demo_loads_the_seeds_figures_into_the_database(db: &TestDb) {
    let run = zhaoshang(db, &["demo"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("已载入演示数据"));
    let again = zhaoshang(db, &["demo"]);
    assert!(
        !again.ok && again.stderr.contains("演示数据只能载入空数据库"),
        "{}",
        again.stderr
    );

    let report = zhaoshang(
        db,
        &["report", "scoreboard", "--year", "2022", "--period", "H1"],
    );
    assert!(report.ok, "{}", report.stderr);
    let json: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    let city = &json["city"];
    assert_eq!(json["start"], "2022-01-01");
    assert_eq!(json["end"], "2022-06-30");
    assert_eq!(city["signed_projects"]["value"], 88);
    assert_eq!(city["signed_amount"]["value"], 40_500_000_000i64);
    assert_eq!(city["funds_in_place"]["value"], 8_050_000_000i64);
    assert_eq!(city["funds_in_place"]["yoy_pct"], 91.9);
    assert_eq!(city["funds_in_place"]["record"], true);
    assert_eq!(city["started_or_resumed_projects"]["value"], 63);
    assert_eq!(city["started_or_resumed_projects"]["record"], true);
    assert_eq!(city["visits"]["value"], 196);
    for indicator in domain::figures::Indicator::ALL {
        assert!(
            city.get(indicator.id()).is_some(),
            "{} missing",
            indicator.id()
        );
    }
    // SPEC §3: by 招商方式 beside the indicators, adding up to them.
    let by_source = city["by_source"].as_object().unwrap();
    assert!(by_source.contains_key("政府团队"), "{by_source:?}");
    let sum = |key: &str| {
        by_source
            .values()
            .map(|f| f[key].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(sum("signed_projects"), 88);
    assert_eq!(sum("signed_amount"), 40_500_000_000);
    assert_eq!(sum("funds_in_place"), 8_050_000_000);
    let units = json["units"].as_array().unwrap();
    assert!(units.iter().all(|u| u["by_source"].is_object()));
    assert_eq!(units.len(), 22);
    assert_eq!(units[0]["group"], "县区");
    assert_eq!(units[0]["rank"], 1);
    // What the database gives is exactly what the domain computes from the demo's records.
    let expected = domain::figures::scoreboard(
        &demo::build().facts(),
        &Period::parse(2022, "H1", None).unwrap(),
        &domain::figures::RankWeights::default(),
    );
    let stored: domain::figures::Scoreboard = serde_json::from_str(&report.stdout).unwrap();
    let differences = domain::figures::diff::changes(&stored, &expected);
    assert!(differences.is_empty(), "{differences:?}");
    let ranks = |b: &domain::figures::Scoreboard| {
        b.units
            .iter()
            .map(|u| (u.unit.clone(), u.rank))
            .collect::<Vec<_>>()
    };
    assert_eq!(ranks(&stored), ranks(&expected));
    assert!(
        stored == expected,
        "every field, not only the values, agrees"
    );

    // The chain maps: 负极材料 has no local firm yet (a gap to fill) and the 碳一 project to
    // fill it; 球形石墨 has its 链主; no generated project waits in 重复研判.
    let store = db.open().await.unwrap();
    let graphite = store.chain_map("石墨产业链", None).await.unwrap().unwrap();
    let link = |name: &str| {
        graphite
            .segments
            .iter()
            .find(|s| s.name == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        link("负极材料").action(),
        Some(domain::chains::Action::Fill)
    );
    assert!(link("负极材料").projects[0].name.contains("碳一"));
    assert!(
        link("球形石墨")
            .chain_leaders()
            .any(|f| f.name == "双鸭山龙江石墨新材料有限公司")
    );
    assert!(store.suspected_duplicates(None).await.unwrap().is_empty());
    assert_eq!(store.visit_plans(None).await.unwrap().len(), 9);

    let summary = zhaoshang(
        db,
        &["report", "summary", "--year", "2022", "--period", "H1"],
    );
    assert!(summary.ok, "{}", summary.stderr);
    assert!(
        summary.stdout.starts_with(
            "2022年上半年，双鸭山市签约项目88项，签约额405亿元；到位资金80.5亿元，同比增长91.9%"
        ),
        "{}",
        summary.stdout
    );
    assert!(summary.stdout.contains("均创历史同期新高"));

    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("h1.xlsx");
    let run = zhaoshang(
        db,
        &[
            "report",
            "scoreboard",
            "--year",
            "2022",
            "--period",
            "H1",
            "--format",
            "xlsx",
            "--output",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = book.worksheet_range("全市").unwrap();
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).cloned();
    assert_eq!(cell(4, 0), Some(Data::String("签约项目数".into())));
    assert_eq!(cell(4, 1), Some(Data::Float(88.0)));
    assert_eq!(cell(5, 0), Some(Data::String("签约额（万元）".into())));
    assert_eq!(cell(5, 1), Some(Data::Float(4_050_000.0)));
    assert!(book.worksheet_range("单位排名").unwrap().rows().count() >= 25);

    let html = zhaoshang(
        db,
        &[
            "report",
            "scoreboard",
            "--year",
            "2022",
            "--period",
            "H1",
            "--format",
            "html",
        ],
    );
    assert!(
        html.ok && html.stdout.contains("<svg") && html.stdout.contains("县区排名"),
        "{}",
        html.stderr
    );
    assert!(
        html.stdout.contains("<style>"),
        "a standalone page carries its stylesheet"
    );

    let bad = zhaoshang(
        db,
        &["report", "scoreboard", "--year", "2022", "--period", "Q5"],
    );
    assert!(
        !bad.ok && bad.stderr.contains("期间") && bad.stderr.contains("Q5"),
        "{}",
        bad.stderr
    );
    let store = db.open().await.unwrap();
    // The derived state each project carries agrees with its events.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
        .unwrap()
        .max(store::today_in_china());
    assert_eq!(
        store.project_states_disagreeing(today).await.unwrap(),
        Vec::<String>::new()
    );
    // 集贤县's last reports are still in the cycle, at each of its stages, and count nowhere.
    use domain::review::ReviewState;
    let queue = store
        .review_queue(&store::ReviewFilter {
            states: vec![
                ReviewState::County,
                ReviewState::City,
                ReviewState::Returned,
            ],
            unit: Some("集贤县".into()),
        })
        .await
        .unwrap();
    let states: Vec<ReviewState> = queue.iter().map(|r| r.state).collect();
    assert_eq!(
        states,
        [
            ReviewState::County,
            ReviewState::County,
            ReviewState::City,
            ReviewState::Returned
        ]
    );
    assert!(
        queue[3]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("请补充后重新报送"))
    );
    assert_eq!(
        store.follow_up_date().await.unwrap().to_string(),
        demo::DEMO_AS_OF
    );
}

async fn office_spreadsheets_with_typed_cells_import_correctly(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_all(db, dir.path());
    let path = dir.path().join("funds.xlsx");
    // A date cell, a float amount with binary noise, and a date typed as a number whose amount
    // is `second`.
    let write_funds = |second: f64| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        for (col, header) in ["项目编号", "日期", "金额(万元)", "币种", "来源", "已核实"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, col as u16, *header).unwrap();
        }
        sheet.write_string(1, 0, "P-001").unwrap();
        sheet
            .write_datetime_with_format(
                1,
                1,
                chrono::NaiveDate::from_ymd_opt(2022, 6, 1).unwrap(),
                &date,
            )
            .unwrap();
        sheet.write_number(1, 2, 0.1 + 0.2).unwrap();
        sheet.write_boolean(1, 5, true).unwrap();
        sheet.write_string(2, 0, "P-001").unwrap();
        sheet.write_number(2, 1, 20220602.0).unwrap();
        sheet.write_number(2, 2, second).unwrap();
        book.save(&path).unwrap();
    };
    write_funds(1.00005);
    // A fifth decimal someone typed is refused as the same text would be; float noise is not.
    let run = import(db, "funds", &path);
    assert!(
        !run.ok && run.stderr.contains("第3行 金额: 万元金额最多四位小数"),
        "{}",
        run.stderr
    );
    write_funds(1.0001);
    let run = import(db, "funds", &path);
    assert!(run.ok, "{}", run.stderr);
    let store = db.open().await.unwrap();
    let amounts: Vec<(String, i64, bool)> = store
        .funds()
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, f)| {
            let june = |day| chrono::NaiveDate::from_ymd_opt(2022, 6, day).unwrap();
            (june(1)..=june(2)).contains(&f.date)
        })
        .map(|(_, f)| (f.date.to_string(), f.amount.units(), f.verified))
        .collect();
    assert_eq!(
        amounts,
        [
            ("2022-06-01".to_owned(), 3_000, true),
            ("2022-06-02".to_owned(), 10_001, false)
        ]
    );

    // An 18-digit code that a spreadsheet turned into a number has lost digits.
    let path = dir.path().join("projects.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in [
        "项目编号",
        "项目名称",
        "所在县区",
        "投资企业",
        "统一社会信用代码",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    sheet.write_number(1, 0, 2022001.0).unwrap();
    sheet.write_string(1, 1, "数字编号项目").unwrap();
    sheet.write_string(1, 2, "集贤县").unwrap();
    sheet.write_string(1, 3, "某公司").unwrap();
    sheet.write_number(1, 4, 912305001234567890.0).unwrap();
    book.save(&path).unwrap();
    let run = import(db, "projects", &path);
    assert!(!run.ok);
    assert!(
        run.stderr
            .starts_with("第2行 统一社会信用代码: 代码被表格存成了数字"),
        "{}",
        run.stderr
    );
}

async fn the_template_has_headers_an_example_and_the_allowed_values(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("projects-template.xlsx");
    let run = zhaoshang(db, &["template", "projects", path.to_str().unwrap()]);
    assert!(run.ok, "{}", run.stderr);
    let mut book = calamine::open_workbook_auto(&path).unwrap();
    let sheet = book.worksheet_range("导入模板").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let expected: Vec<&str> = exchange::columns(exchange::Kind::Projects)
        .iter()
        .map(|c| c.header)
        .collect();
    assert_eq!(header, expected);
    assert_eq!(
        sheet.rows().nth(1).unwrap()[0],
        Data::String("【示例】SYS-2022-001".into())
    );
    let guide = book.worksheet_range("填写说明").unwrap();
    let text: Vec<String> = guide
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        text.iter()
            .any(|t| t.contains("政府团队") && t.contains("云招商")),
        "{text:?}"
    );
    // Drop-downs on the closed columns, from the header's own options and the deployment's
    // lists and records; the lists on a hidden sheet after the template.
    assert_eq!(
        book.sheet_names()[0],
        "导入模板",
        "an import reads the template first"
    );
    let xml = sheet_xml(&path, "xl/worksheets/sheet1.xml");
    assert!(
        xml.matches("<dataValidation ").count() >= 3,
        "drop-downs for 招商方式, 重点项目(是/否), 资金来源(内资/外资)…: {xml}"
    );
    assert!(xml.contains("可选值!$"), "{xml}");
    assert!(
        xml.contains("<pageSetup") && xml.contains("landscape"),
        "print set-up"
    );
    // An office fills the template below its example and imports it: the example, unchanged,
    // is skipped and said to be; the office's row is imported.
    import(db, "units", &write(dir.path(), "u.csv", UNITS));
    import(db, "leaders", &write(dir.path(), "l.csv", LEADERS));
    let mut filled = rust_xlsxwriter::Workbook::new();
    let out = filled.add_worksheet();
    let example: Vec<String> = sheet
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    for (col, header) in expected.iter().enumerate() {
        out.write_string(0, col as u16, *header).unwrap();
        out.write_string(1, col as u16, &example[col]).unwrap();
    }
    for (key, value) in [
        ("项目编号", "JX-OFFICE-1"),
        ("项目名称", "办公室填写的项目"),
        ("所在县区", "集贤县"),
    ] {
        let col = expected.iter().position(|h| h.starts_with(key)).unwrap();
        out.write_string(2, col as u16, value).unwrap();
    }
    let filled_path = dir.path().join("filled.xlsx");
    filled.save(&filled_path).unwrap();
    let run = import(db, "projects", &filled_path);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.contains("第2行是模板自带的示例行") && run.stdout.contains("新增1"),
        "{}",
        run.stdout
    );
    let store = db.open().await.unwrap();
    assert!(store.project("SYS-2022-001").await.unwrap().is_none());
    assert!(store.project("JX-OFFICE-1").await.unwrap().is_some());
}

/// One part of an xlsx file, as text.
fn sheet_xml(path: &Path, part: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(part).unwrap(), &mut text).unwrap();
    text
}

/// Files as Chinese Excel and WPS save them: "CSV (逗号分隔)" in GB18030/GBK, "Unicode 文本" in
/// UTF-16 with tabs, a title row above the header; each read and said in the report.
async fn gbk_utf16_and_titled_files_are_read_and_the_report_says_how(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let units = "2022年单位名录（示意）,,,,\n".to_owned() + UNITS;
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&units);
    assert!(!unmappable);
    let path = dir.path().join("units-gbk.csv");
    std::fs::write(&path, &gbk).unwrap();
    let run = import(db, "units", &path);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.contains("文件编码为GB18030/GBK")
            && run.stdout.contains("第1行是表头上方的标题行"),
        "{}",
        run.stdout
    );
    let store = db.open().await.unwrap();
    assert!(
        store
            .units()
            .await
            .unwrap()
            .iter()
            .any(|u| u.name == "集贤县")
    );

    let leaders = LEADERS.replace(',', "\t");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in leaders.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let path = dir.path().join("leaders.txt");
    std::fs::write(&path, &utf16).unwrap();
    let run = import(db, "leaders", &path);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("UTF-16LE"), "{}", run.stdout);
    assert!(
        store
            .leaders()
            .await
            .unwrap()
            .iter()
            .any(|l| l.name == "王建国")
    );

    // The streaming enterprise import reads GBK too, and a 合计 row is no firm.
    let firms = "企业名称,统一社会信用代码,行业代码\n龙江石墨新材料有限公司,91230500MA1B2C3D4X,C3091\n合计,,\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(firms);
    let path = dir.path().join("firms.csv");
    std::fs::write(&path, &gbk).unwrap();
    let run = import(db, "enterprises", &path);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("第3行 企业名称: “合计”是合计行"),
        "{}",
        run.stderr
    );
    let firms =
        "企业名称,统一社会信用代码,行业代码\n龙江石墨新材料有限公司,91230500MA1B2C3D4X,C3091\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(firms);
    std::fs::write(&path, &gbk).unwrap();
    let run = import(db, "enterprises", &path);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("GB18030/GBK"), "{}", run.stdout);
    assert!(
        store
            .enterprises()
            .await
            .unwrap()
            .iter()
            .any(|e| e.name == "龙江石墨新材料有限公司")
    );
    // Bytes that are no text at all are refused in Chinese.
    std::fs::write(&path, [0xFFu8, 0xFF, 0x00, 0x81, 0x30, 0xFF]).unwrap();
    let run = import(db, "units", &path);
    assert!(
        !run.ok && run.stderr.contains("编码无法识别"),
        "{}",
        run.stderr
    );
}

/// The data on a sheet other than the first — behind a hidden one, beside a cover sheet — is
/// found by its header; two sheets with the header are refused naming both.
async fn the_sheet_whose_header_matches_is_imported_and_named(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let write_book = |name: &str, sheets: &[(&str, bool, &str)]| {
        let mut book = rust_xlsxwriter::Workbook::new();
        for (sheet_name, hidden, csv) in sheets {
            let sheet = book.add_worksheet();
            sheet.set_name(*sheet_name).unwrap();
            if *hidden {
                sheet.set_hidden(true);
            }
            for (r, line) in csv.lines().enumerate() {
                for (c, cell) in line.split(',').enumerate() {
                    if !cell.is_empty() {
                        sheet.write_string(r as u32, c as u16, cell).unwrap();
                    }
                }
            }
        }
        let path = dir.path().join(name);
        book.save(&path).unwrap();
        path
    };
    let units = write_book(
        "units.xlsx",
        &[
            ("参数", true, "说明,内部用\n"),
            ("封面", false, "双鸭山市招商单位名录\n"),
            ("单位", false, UNITS),
        ],
    );
    let run = import(db, "units", &units);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.contains("数据取自工作表“单位”"),
        "{}",
        run.stdout
    );
    let twice = write_book("twice.xlsx", &[("一", false, UNITS), ("二", false, UNITS)]);
    let run = import(db, "units", &twice);
    assert!(
        !run.ok && run.stderr.contains("工作表“一”和“二”都有本类数据的表头"),
        "{}",
        run.stderr
    );
    let et = write(dir.path(), "ledger.et", "x");
    let run = import(db, "units", &et);
    assert!(!run.ok && run.stderr.contains("另存为"), "{}", run.stderr);
    let mut encrypted = vec![0xD0u8, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    encrypted.resize(4096, 0);
    let path = dir.path().join("locked.xlsx");
    std::fs::write(&path, encrypted).unwrap();
    let run = import(db, "units", &path);
    assert!(!run.ok && run.stderr.contains("已加密"), "{}", run.stderr);
}

/// One pass names every bad cell: a bad date, a bad amount and an unknown project on one row.
async fn a_funds_file_names_its_unknown_project_with_its_other_bad_cells(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_all(db, dir.path());
    let funds = "项目编号,日期,金额(万元),币种,来源,已核实(是/否)\n\
                 P-404,2022-02-30,abc,人民币,,否\n\
                 P-001,2022-03-01,10,人民币,,否\n";
    let run = import(db, "funds", &write(dir.path(), "bad-funds.csv", funds));
    assert!(!run.ok);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "第2行 项目编号: 项目“P-404”不存在，请先录入或导入",
            "第2行 日期: “2022-02-30”不是有效日期（格式：2022-06-30）",
            "第2行 金额: “abc”不是数字，请填写万元数，如 1200 或 1,200.5",
            "导入失败：发现3处错误，未导入任何记录。",
        ]
    );
    // A project row with a bad amount names its unknown county, units, chain, leader and team
    // with it; a visit with a bad date its unknown unit.
    let projects = "项目编号,项目名称,所在县区,责任单位,产业链,分管领导,工作专班,签约额(万元)
                    P-9,项目九,不存在县,集贤县、无此局,无此链,无此人,无此班,abc
";
    let run = import(
        db,
        "projects",
        &write(dir.path(), "bad-projects.csv", projects),
    );
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "第2行 所在县区: 单位“不存在县”不存在，请先录入或导入",
            "第2行 责任单位: 单位“无此局”不存在，请先录入或导入",
            "第2行 产业链: 产业链“无此链”不存在，请先录入或导入",
            "第2行 分管领导: 领导“无此人”不存在，请先录入或导入",
            "第2行 工作专班: 工作专班“无此班”不存在，请先录入或导入",
            "第2行 签约额: “abc”不是数字，请填写万元数，如 1200 或 1,200.5",
            "导入失败：发现6处错误，未导入任何记录。",
        ]
    );
    let visits = "日期,单位,企业名称
2022-13-01,不存在县,某企业
";
    let run = import(db, "visits", &write(dir.path(), "bad-visits.csv", visits));
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "第2行 日期: “2022-13-01”不是有效日期（格式：2022-06-30）",
            "第2行 单位: 单位“不存在县”不存在，请先录入或导入",
        ]
    );
}

/// A file with many bad cells begins its report with what they have in common.
async fn many_bad_cells_are_summed_up_before_they_are_listed(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import(db, "units", &write(dir.path(), "units.csv", UNITS));
    let mut file = String::from("项目编号,项目名称,所在县区,签约额(万元)\n");
    for i in 0..30 {
        file.push_str(&format!("P-{i},项目{i},集贤县,多少{i}\n"));
    }
    file.push_str("P-30,项目30,不存在县,10\n");
    let run = import(db, "projects", &write(dir.path(), "many.csv", &file));
    assert!(!run.ok);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines[0], "共31处错误，涉及31行；按列：");
    assert!(
        lines[1].starts_with("  签约额：30处，多为“不是数字"),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with("  所在县区：1处"), "{}", lines[2]);
    assert!(
        lines[3].starts_with("第2行 签约额"),
        "then every cell: {}",
        lines[3]
    );
}

/// The committed files of tests/fixtures/office, written by openpyxl, xlsxwriter, pandas and
/// LibreOffice (generate.py there makes them again): what each program does to a file is read
/// as the office meant it, or refused saying what to do.
async fn files_made_by_office_programs(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_all(db, dir.path());
    let fixture = |name: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/office")
            .join(name)
    };
    let store = db.open().await.unwrap();

    // openpyxl: a merged title row, a row hidden by the autofilter and one hidden by hand;
    // every row comes in, and the report counts the hidden ones apart.
    let run = import(db, "projects", &fixture("openpyxl-projects-hidden.xlsx"));
    assert!(run.ok, "{}", run.stderr);
    for said in [
        "共5行，新增5",
        "第1行是表头上方的标题行，已跳过。",
        "其中1行在表格中是隐藏行（第7行）",
        "其中1行被筛选隐去（第4行）",
    ] {
        assert!(run.stdout.contains(said), "{said}: {}", run.stdout);
    }
    let signed = |code: &str| {
        let store = &store;
        let code = code.to_owned();
        async move {
            store
                .project(&code)
                .await
                .unwrap()
                .unwrap()
                .project
                .signed_amount
        }
    };
    assert_eq!(
        signed("JX-103").await,
        Some(Money::from_units("", 280_005_000).unwrap())
    );
    assert_eq!(
        signed("JX-105").await,
        Some(Money::from_units("", 60_000_000).unwrap())
    );
    // The same ledger saved by LibreOffice as .ods holds the same records.
    let run = import(db, "projects", &fixture("libreoffice-projects.ods"));
    assert!(
        run.ok && run.stdout.contains("未变化5"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains("其中1行在表格中是隐藏行（第7行）")
            && run.stdout.contains("其中1行被筛选隐去（第4行）"),
        "the .ods counts them alike: {}",
        run.stdout
    );

    // openpyxl writes formulas without their results: refused, each cell named, nothing
    // written; LibreOffice's save of the same file holds the results and imports.
    let funds_before = store.funds().await.unwrap().len();
    let run = import(db, "funds", &fixture("openpyxl-funds-formulas.xlsx"));
    assert!(!run.ok);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    assert!(
        lines[0].starts_with("第2行 金额: 公式没有保存计算结果"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("打开并保存后再导入"), "{}", lines[0]);
    assert!(
        lines[1].starts_with("第4行 金额: 公式没有保存计算结果"),
        "{}",
        lines[1]
    );
    assert_eq!(store.funds().await.unwrap().len(), funds_before);
    let run = import(db, "funds", &fixture("libreoffice-funds.xlsx"));
    assert!(
        run.ok && run.stdout.contains("新增3"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    let amounts: Vec<(String, i64)> = store
        .funds()
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, f)| f.date >= chrono::NaiveDate::from_ymd_opt(2022, 7, 1).unwrap())
        .map(|(_, f)| (f.project_code, f.amount.units()))
        .collect();
    assert_eq!(
        amounts,
        [
            ("P-001".to_owned(), 30_000_000),
            ("P-001".to_owned(), 8_000_000),
            ("P-002".to_owned(), 10_000_000)
        ]
    );

    // xlsxwriter stores 0 as a formula's result and asks for recalculation: the 0 is not
    // taken for the amount; its formatted amounts and date cells are read as shown.
    let run = import(db, "funds", &fixture("xlsxwriter-funds.xlsx"));
    assert!(!run.ok);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(
        lines[0].starts_with("第3行 金额: 公式没有保存计算结果"),
        "{}",
        lines[0]
    );

    // pandas: the index column it writes by default is no column of ours; datetime cells are
    // dates. Its GBK CSV of the same visits is read and found to repeat them.
    let visits_before = store.visits().await.unwrap().len();
    let run = import(db, "visits", &fixture("pandas-visits.xlsx"));
    assert!(
        run.ok && run.stdout.contains("新增2"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    let visits = store.visits().await.unwrap();
    assert_eq!(visits.len(), visits_before + 2);
    assert!(visits.iter().any(|v| v.date.to_string() == "2022-11-10"
        && v.enterprise.as_deref() == Some("中国船舶集团风电发展有限公司")
        && v.project_code.as_deref() == Some("P-001")));
    let run = import(db, "visits", &fixture("pandas-visits-gbk.csv"));
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.contains("GB18030/GBK") && run.stdout.contains("重复2"),
        "{}",
        run.stdout
    );
    assert_eq!(store.visits().await.unwrap().len(), visits_before + 2);
}

/// The sheet 错误行 of a file of bad rows, as text.
fn bad_rows_sheet(path: &Path) -> Vec<Vec<String>> {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    book.worksheet_range("错误行")
        .unwrap()
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// Any kind: `--check` imports nothing; `--bad-rows` writes the bad rows with 原行号 and
/// 错误原因 (bad cells marked in a workbook); `--skip-bad` imports the others; the mended file
/// of bad rows imports as it is.
async fn every_kind_writes_its_bad_rows_and_imports_the_rest_only_when_asked(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_all(db, dir.path());
    let store = db.open().await.unwrap();
    let funds = "项目编号,日期,金额(万元),币种,来源,已核实(是/否)\n\
                 P-001,2022-07-01,100,人民币,,否\n\
                 P-404,2022-07-02,abc,人民币,,否\n\
                 P-002,2022-02-30,50,人民币,,否\n\
                 P-002,2022-07-03,60,人民币,,否\n";
    let file = write(dir.path(), "funds.csv", funds);
    let file = file.to_str().unwrap();
    let before = store.funds().await.unwrap().len();
    let held = || async { store.funds().await.unwrap().len() - before };

    let run = zhaoshang(db, &["import", "funds", file, "--check"]);
    assert!(
        !run.ok && run.stderr.contains("预检发现3处错误（未导入任何记录）"),
        "{}",
        run.stderr
    );
    assert_eq!(held().await, 0);

    let xlsx = dir.path().join("bad.xlsx");
    let run = zhaoshang(
        db,
        &[
            "import",
            "funds",
            file,
            "--bad-rows",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(!run.ok, "all or nothing unless asked");
    assert!(
        run.stderr.contains("有错误的2行已连同原因写入"),
        "{}",
        run.stderr
    );
    assert_eq!(held().await, 0);
    let rows = bad_rows_sheet(&xlsx);
    assert_eq!(rows[0][6..], ["原行号".to_owned(), "错误原因".to_owned()]);
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[1][..3],
        ["P-404", "2022-07-02", "abc"].map(String::from)
    );
    assert_eq!(rows[1][6], "3");
    assert_eq!(
        rows[1][7],
        "项目编号: 项目“P-404”不存在，请先录入或导入；金额: “abc”不是数字，请填写万元数，如 1200 或 1,200.5"
    );
    assert_eq!(rows[2][6], "4");
    // The bad cells are filled red, the good ones not.
    let styles = sheet_xml(&xlsx, "xl/worksheets/sheet1.xml");
    let style_of = |cell: &str| {
        let at = styles.find(&format!("<c r=\"{cell}\"")).unwrap();
        let tail = &styles[at..];
        tail[..tail.find('>').unwrap()]
            .split("s=\"")
            .nth(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
    };
    assert_eq!(
        style_of("A2"),
        style_of("C2"),
        "项目编号 and 金额 are both bad"
    );
    assert_ne!(style_of("A2"), style_of("B2"), "日期 is good");
    // Checked again unmended, the file of bad rows gives the same rows, their first row
    // numbers, and one 原行号 and 错误原因 each.
    let again = dir.path().join("again.xlsx");
    let run = zhaoshang(
        db,
        &[
            "import",
            "funds",
            xlsx.to_str().unwrap(),
            "--check",
            "--bad-rows",
            again.to_str().unwrap(),
        ],
    );
    assert!(!run.ok);
    let rows_again = bad_rows_sheet(&again);
    assert_eq!(rows_again[0], rows[0]);
    assert_eq!(rows_again[1][6], "3");
    assert_eq!(rows_again[2][6], "4");

    let csv = dir.path().join("bad.csv");
    let run = zhaoshang(
        db,
        &[
            "import",
            "funds",
            file,
            "--skip-bad",
            "--bad-rows",
            csv.to_str().unwrap(),
        ],
    );
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("新增2") && run.stdout.contains("有错误的2行未导入，已连同原因写入"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("第3行 项目编号"),
        "the bad cells are still listed: {}",
        run.stderr
    );
    assert_eq!(held().await, 2);

    // The office mends the rows in the file it was given and imports that file.
    let mended = std::fs::read_to_string(&csv)
        .unwrap()
        .replace("P-404", "P-001")
        .replace(",abc,", ",70,")
        .replace("2022-02-30", "2022-02-28");
    let mended = write(dir.path(), "mended.csv", &mended);
    let run = import(db, "funds", &mended);
    assert!(
        run.ok && run.stdout.contains("新增2"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(held().await, 4);
    let run = zhaoshang(
        db,
        &["import", "funds", mended.to_str().unwrap(), "--check"],
    );
    assert!(run.ok && run.stdout.contains("预检通过"), "{}", run.stdout);
    assert_eq!(held().await, 4, "a check adds nothing");
}

/// A county's own ledger (序号 / 项目名称 / 建设地点 / 总投资（亿元）…, a title row, a 合计 row)
/// is taken over with a mapping: suggested from its headers and values, saved for the county,
/// used by name; places read as the units they name, 亿元 brought to 万元 exactly, codes made by
/// the stated rule and found again when the ledger comes back.
async fn a_countys_own_ledger_is_taken_over_with_a_saved_mapping(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_all(db, dir.path());
    let ledger =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/office/county-ledger.xlsx");
    let ledger = ledger.to_str().unwrap();
    let run = import(db, "projects", Path::new(ledger));
    assert!(
        !run.ok && run.stderr.contains("缺少必填列“项目编号”"),
        "as a template it is refused"
    );

    let run = zhaoshang(
        db,
        &[
            "mapping",
            "suggest",
            "projects",
            ledger,
            "--name",
            "集贤台账",
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    let mapping: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let target = |source: &str| {
        mapping["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["source"] == source)
            .map(|c| c["target"].clone())
            .unwrap()
    };
    assert_eq!(target("序号"), serde_json::Value::Null);
    assert_eq!(target("建设地点"), "所在县区");
    assert_eq!(target("投资主体"), "投资企业");
    assert_eq!(target("总投资（亿元）"), "计划总投资");
    assert_eq!(target("包保领导"), "分管领导");
    assert!(
        run.stderr.contains("第3行：230521-0001 | 秸秆综合利用项目"),
        "{}",
        run.stderr
    );
    let file = write(dir.path(), "集贤台账.json", &run.stdout);
    let run = zhaoshang(
        db,
        &[
            "mapping",
            "save",
            file.to_str().unwrap(),
            "--unit",
            "集贤县",
        ],
    );
    assert!(run.ok, "{}", run.stderr);

    let store = db.open().await.unwrap();
    let before = store.count(Table::Projects).await.unwrap();
    let run = zhaoshang(
        db,
        &[
            "import",
            "projects",
            ledger,
            "--mapping",
            "集贤台账",
            "--check",
        ],
    );
    assert!(!run.ok);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines[..3],
        [
            // “宝清” names 宝清县, which is not this ledger's county.
            "第4行 建设地点: “宝清”在宝清县，不是本台账所属的集贤县；请核对，或按宝清县的台账导入",
            "第5行 建设地点: “哈尔滨市”中没有可识别的县区或单位名称，请改为已录入的单位",
            "预检发现2处错误（未导入任何记录）。",
        ]
    );
    assert_eq!(store.count(Table::Projects).await.unwrap(), before);

    let bad = dir.path().join("台账错误行.xlsx");
    let args = [
        "import",
        "projects",
        ledger,
        "--mapping",
        "集贤台账",
        "--skip-bad",
        "--bad-rows",
        bad.to_str().unwrap(),
    ];
    let run = zhaoshang(db, &args);
    assert!(
        run.ok && run.stdout.contains("新增1"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(run.stdout.contains("有错误的2行未导入"), "{}", run.stdout);
    assert!(
        run.stdout.contains("第6行是合计行，已跳过。"),
        "{}",
        run.stdout
    );
    let project = |code: &str| {
        let store = &store;
        let code = code.to_owned();
        async move { store.project(&code).await.unwrap().unwrap().project }
    };
    let straw = project("230521-0001").await;
    assert_eq!(straw.name, "秸秆综合利用项目");
    assert_eq!(straw.territory, "集贤县");
    assert_eq!(
        straw.planned_investment.map(|m| m.units()),
        Some(125_000_000)
    );
    assert_eq!(straw.signed_amount.map(|m| m.units()), Some(120_000_000));
    assert_eq!(straw.leader.as_deref(), Some("王建国"));
    // The office's own rows, as written, to mend in a file like its own.
    let rows = bad_rows_sheet(&bad);
    assert_eq!(
        rows[0][..4],
        ["序号", "项目名称", "投资主体", "建设地点"].map(String::from)
    );
    assert_eq!(rows[1][3], "宝清");
    assert_eq!(rows[2][3], "哈尔滨市");

    // The same ledger again: found by county and name, nothing added.
    let run = zhaoshang(db, &args);
    assert!(
        run.ok && run.stdout.contains("新增0") && run.stdout.contains("未变化1"),
        "{}",
        run.stdout
    );

    let run = zhaoshang(db, &["mapping", "list"]);
    assert!(
        run.stdout.contains("集贤县\tprojects\t集贤台账"),
        "{}",
        run.stdout
    );
    let run = zhaoshang(
        db,
        &[
            "mapping",
            "export",
            "projects",
            "集贤台账",
            "--unit",
            "集贤县",
        ],
    );
    let exported: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(exported["unit"], "集贤县");
    assert_eq!(exported["columns"], mapping["columns"]);
    let run = zhaoshang(db, &["import", "projects", ledger, "--mapping", "无此映射"]);
    assert!(
        !run.ok && run.stderr.contains("没有名为“无此映射”的项目映射"),
        "{}",
        run.stderr
    );
}

/// A projects file large enough that the import reads every firm once (over 1,000 rows) finds
/// the firms held, coded and uncoded, and makes each new one once.
async fn a_large_ledger_finds_its_investors_and_makes_each_new_firm_once(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_all(db, dir.path());
    let store = db.open().await.unwrap();
    let firms_before = store.count(Table::Enterprises).await.unwrap();
    let mut file = String::from("项目编号,项目名称,投资企业,统一社会信用代码,所在县区\n");
    for i in 0..1_200 {
        let (firm, code) = match i % 3 {
            0 => ("中船风电双鸭山新能源开发有限公司", "91350100M000100Y43"),
            1 => ("浙江碳一新能源有限公司", ""),
            _ => (["新企业甲", "新企业乙", "新企业丙"][i % 9 / 3], ""),
        };
        let county = if i % 2 == 0 { "集贤县" } else { "宝清县" };
        file.push_str(&format!("L-{i:04},台账项目{i},{firm},{code},{county}\n"));
    }
    let run = import(db, "projects", &write(dir.path(), "large.csv", &file));
    assert!(
        run.ok && run.stdout.contains("新增1200"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(
        store.count(Table::Enterprises).await.unwrap(),
        firms_before + 3,
        "the held firms are found, the three new ones made once each"
    );
    let investor = |code: &str| {
        let store = &store;
        let code = code.to_owned();
        async move {
            store
                .project(&code)
                .await
                .unwrap()
                .unwrap()
                .project
                .investor
        }
    };
    assert_eq!(
        investor("L-0001").await.as_deref(),
        Some("浙江碳一新能源有限公司")
    );
    assert_eq!(investor("L-0002").await.as_deref(), Some("新企业甲"));
}

async fn migrate_creates_the_schema_and_is_harmless_to_repeat(db: &TestDb) {
    let first = zhaoshang(db, &["migrate"]);
    assert!(
        first.ok && first.stdout.contains("数据库结构已是最新"),
        "{}",
        first.stderr
    );
    assert!(zhaoshang(db, &["migrate"]).ok);
    assert_eq!(
        db.open()
            .await
            .unwrap()
            .value_list("fund_source")
            .await
            .unwrap(),
        ["自有", "贷款", "股权", "其他"]
    );
}

async fn an_export_writes_events_as_they_count_after_corrections(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    import_all(db, dir.path());
    let store = db.open().await.unwrap();
    let recorded = store.events_of("P-002").await.unwrap();
    let talks = recorded
        .iter()
        .find(|r| r.event.kind.label() == "在谈")
        .unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.correct_event("P-002", talks.id, None, "误录")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let file = dir.path().join("events-out.csv");
    assert!(zhaoshang(db, &["export", "events", file.to_str().unwrap()]).ok);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with('\u{feff}'),
        "Excel needs the byte-order mark"
    );
    let p2: Vec<&str> = text.lines().filter(|l| l.starts_with("P-002")).collect();
    assert_eq!(p2, ["P-002,签约,2021-09-15,200000.5,,,"]);
    assert_eq!(
        store.count(Table::Events).await.unwrap(),
        6,
        "the withdrawn event is kept"
    );
}

async fn an_unknown_kind_is_refused_with_the_list_of_kinds(db: &TestDb) {
    let run = zhaoshang(db, &["import", "planets", "x.csv"]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("不支持的数据类型“planets”"),
        "{}",
        run.stderr
    );
}

both_databases!(
    a_full_set_of_office_files_imports_with_bom_and_in_any_order,
    an_import_with_bad_cells_changes_nothing_and_names_every_cell,
    a_missing_required_column_is_reported_on_the_header_row,
    a_stage_rule_broken_in_a_file_names_the_row,
    importing_the_same_files_twice_adds_nothing,
    an_export_imports_back_to_the_same_records,
    follow_up_files_import_all_or_nothing_and_twice_add_nothing,
    the_kinds_before_the_investor_import_all_or_nothing_and_twice_change_nothing,
    chain_segments_their_firms_and_knock_door_plans_import_all_or_nothing,
    an_enterprise_file_names_each_bad_row_and_may_be_imported_in_part,
    the_demo_loads_the_seeds_figures_into_the_database,
    office_spreadsheets_with_typed_cells_import_correctly,
    the_template_has_headers_an_example_and_the_allowed_values,
    gbk_utf16_and_titled_files_are_read_and_the_report_says_how,
    the_sheet_whose_header_matches_is_imported_and_named,
    a_funds_file_names_its_unknown_project_with_its_other_bad_cells,
    many_bad_cells_are_summed_up_before_they_are_listed,
    files_made_by_office_programs,
    every_kind_writes_its_bad_rows_and_imports_the_rest_only_when_asked,
    a_countys_own_ledger_is_taken_over_with_a_saved_mapping,
    a_large_ledger_finds_its_investors_and_makes_each_new_firm_once,
    migrate_creates_the_schema_and_is_harmless_to_repeat,
    an_export_writes_events_as_they_count_after_corrections,
    an_unknown_kind_is_refused_with_the_list_of_kinds,
);

async fn an_enterprise_workbook_is_streamed_with_its_row_numbers(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("firms.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in [
        "企业名称",
        "统一社会信用代码",
        "行业代码",
        "注册资本(万元)",
        "成立日期",
        "标签",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "中国船舶集团有限公司").unwrap();
    sheet.write_string(1, 1, "91310000710924478P").unwrap();
    sheet.write_number(1, 2, 3731.0).unwrap(); // a code the sheet keeps as a number
    sheet.write_number(1, 3, 11_000_000.0).unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 11, 8).unwrap();
    sheet
        .write_datetime_with_format(
            1,
            4,
            &date,
            &rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd"),
        )
        .unwrap();
    // Row 3 is left empty; row 4 is bad; row 5 good.
    sheet.write_string(3, 0, "坏代码公司").unwrap();
    sheet.write_string(3, 1, "91310000710924478Q").unwrap();
    sheet.write_string(4, 0, "龙江石墨新材料有限公司").unwrap();
    sheet.write_string(4, 5, "上市").unwrap();
    book.save(&path).unwrap();

    let run = zhaoshang(db, &["import", "enterprises", path.to_str().unwrap()]);
    assert!(
        !run.ok && run.stderr.contains("第4行 统一社会信用代码"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    let bad = dir.path().join("bad.csv");
    let run = zhaoshang(
        db,
        &[
            "import",
            "enterprises",
            path.to_str().unwrap(),
            "--bad-rows",
            bad.to_str().unwrap(),
            "--skip-bad",
        ],
    );
    assert!(
        run.ok && run.stdout.contains("共3行，新增2") && run.stdout.contains("有错误的1行"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    let store = db.open().await.unwrap();
    let firm = store
        .enterprise_by_code("91310000710924478P")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(firm.industry.as_ref().map(|c| c.as_str()), Some("C3731"));
    assert_eq!(
        firm.founded.map(|d| d.to_string()),
        Some("2019-11-08".into())
    );
    assert_eq!(
        firm.registered_capital.map(|m| m.units()),
        Some(110_000_000_000)
    );
    assert!(
        std::fs::read_to_string(&bad)
            .unwrap()
            .contains("坏代码公司")
    );
    let _ = std::fs::remove_dir_all(index_dir(db));
}

both_databases!(an_enterprise_workbook_is_streamed_with_its_row_numbers);

async fn audit_verify_passes_an_intact_log_and_names_the_entry_changed_behind_its_back(
    db: &TestDb,
) {
    let dir = tempfile::tempdir().unwrap();
    assert!(import(db, "units", &write(dir.path(), "units.csv", UNITS)).ok);
    let run = zhaoshang(db, &["audit", "verify"]);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("已核验审计日志 4 条"), "{}", run.stdout);
    assert!(
        run.stdout.contains("哈希链完整。链头：第 4 条"),
        "{}",
        run.stdout
    );

    let store = db.open().await.unwrap();
    let drop_guard = match store.backend() {
        store::Backend::Sqlite => "DROP TRIGGER change_log_no_update",
        store::Backend::Postgres => "DROP TRIGGER change_log_no_update ON change_log",
    };
    store.close().await;
    db.execute_behind_the_store(drop_guard).await.unwrap();
    db.execute_behind_the_store(
        "UPDATE change_log SET after_json = REPLACE(after_json, '宝清县', '饶河县') WHERE seq = 3",
    )
    .await
    .unwrap();
    let run = zhaoshang(db, &["audit", "verify"]);
    assert!(!run.ok);
    assert!(
        run.stdout.contains("审计日志被篡改：第 3 条（记录号"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("被修改"), "{}", run.stdout);
    assert!(
        run.stdout.contains("最后一条完好记录：第 2 条"),
        "{}",
        run.stdout
    );
}

both_databases!(audit_verify_passes_an_intact_log_and_names_the_entry_changed_behind_its_back,);

/// Runs the binary with `input` on its standard input.
fn zhaoshang_with_input(db: &TestDb, args: &[&str], input: &str) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
        .arg("--db")
        .arg(&db.url)
        .args(args)
        .env_remove("ZHAOSHANG_DB")
        .env("ZHAOSHANG_INDEX", index_dir(db))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run zhaoshang");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    Run {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

async fn an_account_added_by_the_command_line_meets_the_policy_and_changes_its_password_first(
    db: &TestDb,
) {
    let weak = zhaoshang_with_input(
        db,
        &["user", "add", "wang", "--role", "bureau"],
        "wang12345\n",
    );
    assert!(!weak.ok);
    assert!(
        weak.stderr.contains("临时密码") && weak.stderr.contains("至少 10 个字符"),
        "{}",
        weak.stderr
    );
    let added = zhaoshang_with_input(
        db,
        &["user", "add", "wang", "--role", "secadmin"],
        "Anquan#2022x\n",
    );
    assert!(added.ok, "{}", added.stderr);
    assert!(
        added.stdout.contains("首次登录须修改密码并绑定动态口令"),
        "{}",
        added.stdout
    );
    let store = db.open().await.unwrap();
    let user = store.user_by_name("wang").await.unwrap().unwrap();
    assert!(user.must_change_password && user.totp_secret.is_none());
    let log: Vec<_> = store
        .changes_of("user", "wang")
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.action)
        .collect();
    assert_eq!(log, ["create", "password_reset"]);
    assert!(zhaoshang(db, &["audit", "verify"]).ok);
}

both_databases!(
    an_account_added_by_the_command_line_meets_the_policy_and_changes_its_password_first,
);

/// The binary with `--audit-key KEY` before `args`.
fn with_audit_key(db: &TestDb, key: &Path, args: &[&str]) -> Run {
    let mut all = vec!["--audit-key", key.to_str().unwrap()];
    all.extend_from_slice(args);
    zhaoshang(db, &all)
}

async fn an_exported_head_stays_on_the_chain_and_a_rewrite_before_it_is_found_even_with_the_key(
    db: &TestDb,
) {
    use domain::audit::{Key, from_hex, link, to_hex};
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("secret").join("audit.key");
    let run = with_audit_key(
        db,
        &key_file,
        &[
            "import",
            "units",
            write(dir.path(), "units.csv", UNITS).to_str().unwrap(),
        ],
    );
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "created at first start, its owner's alone"
        );
    }

    // `audit head > FILE`: one line, kept outside the database.
    let head = with_audit_key(db, &key_file, &["audit", "head"]);
    assert!(head.ok, "{}", head.stderr);
    assert_eq!(head.stdout.lines().count(), 1, "{}", head.stdout);
    assert!(head.stdout.starts_with("seq=4 hash="), "{}", head.stdout);
    assert!(
        head.stdout.contains(" keyed_from=1 key="),
        "{}",
        head.stdout
    );
    let head_file = write(dir.path(), "head.txt", &head.stdout);
    let expect = head_file.to_str().unwrap();

    // Written to since: the exported head is still on the chain.
    let leaders = write(dir.path(), "leaders.csv", LEADERS);
    let run = with_audit_key(
        db,
        &key_file,
        &["import", "leaders", leaders.to_str().unwrap()],
    );
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    let run = with_audit_key(db, &key_file, &["audit", "verify", "--expect", expect]);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("导出时的链头仍在链上，其后新增 1 条"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("自第 1 条起以审计密钥签名"),
        "{}",
        run.stdout
    );

    // Without the key file (the default one is another, or none), the database is refused.
    let run = zhaoshang(db, &["audit", "verify"]);
    assert!(!run.ok);
    assert!(run.stderr.contains("审计密钥"), "{}", run.stderr);

    // Someone holding the database and the key rewrites the third entry and hashes it and
    // every later one again: the chain holds, the exported head does not.
    let key = Key::from_hex(std::fs::read_to_string(&key_file).unwrap().trim()).unwrap();
    let store = Store::open_with_key(&db.url, store::AuditKey::File(key_file.clone()))
        .await
        .unwrap();
    let mut entries = store
        .audit_entries(&store::AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    entries.reverse();
    let drop_guard = match store.backend() {
        store::Backend::Sqlite => "DROP TRIGGER change_log_no_update",
        store::Backend::Postgres => "DROP TRIGGER change_log_no_update ON change_log",
    };
    store.close().await;
    db.execute_behind_the_store(drop_guard).await.unwrap();
    let mut prev = from_hex(entries[1].hash.as_deref().unwrap()).unwrap();
    for e in &mut entries[2..] {
        let seq = e.seq.unwrap();
        let rewrite = seq == 3;
        if rewrite {
            e.after = e.after.as_ref().map(|a| a.replace("宝清县", "饶河县"));
        }
        let hash = link(&prev, &e.entry(seq), Some(&key));
        let after = if rewrite {
            "after_json = REPLACE(after_json, '宝清县', '饶河县'), "
        } else {
            ""
        };
        db.execute_behind_the_store(&format!(
            "UPDATE change_log SET {after}hash = '{}' WHERE seq = {seq}",
            to_hex(&hash)
        ))
        .await
        .unwrap();
        prev = hash;
    }
    db.execute_behind_the_store(&format!(
        "UPDATE audit_chain SET hash = '{}' WHERE id = 1",
        to_hex(&prev)
    ))
    .await
    .unwrap();
    let run = with_audit_key(db, &key_file, &["audit", "verify"]);
    assert!(run.ok, "{}{}", run.stdout, run.stderr);
    let run = with_audit_key(db, &key_file, &["audit", "verify", "--expect", expect]);
    assert!(!run.ok);
    assert!(
        run.stdout.contains("导出时的链头（第 4 条）已被改写"),
        "{}",
        run.stdout
    );

    // The recorded entry's hash changed by hand: the chain itself breaks, and no head of a
    // broken chain is exported.
    db.execute_behind_the_store(&format!(
        "UPDATE change_log SET hash = '{}' WHERE seq = 4",
        "ab".repeat(32)
    ))
    .await
    .unwrap();
    let run = with_audit_key(db, &key_file, &["audit", "verify", "--expect", expect]);
    assert!(!run.ok);
    assert!(
        run.stdout.contains("审计日志被篡改：第 4 条"),
        "{}",
        run.stdout
    );
    let head = with_audit_key(db, &key_file, &["audit", "head"]);
    assert!(!head.ok && head.stdout.is_empty(), "{}", head.stdout);
}

both_databases!(
    an_exported_head_stays_on_the_chain_and_a_rewrite_before_it_is_found_even_with_the_key,
);
