//! Firms over real HTTP on SQLite and PostgreSQL: the enterprise database searched within
//! permissions, profiles and contacts, gaps in a chain map and the firms to target, and visits
//! to firms counted and held against their plans.

use crate::common::*;
use domain::records::UnitKind;
use store::testing::TestDb;
use store::{Store, both_databases};

/// Firms of the 招商大数据库 for the search and chain tests: (name, credit code, industry,
/// province, tags).
async fn stock_firms(store: &Store) {
    use domain::enterprise::{Enterprise, IndustryCode};
    let firms = [
        (
            "中国船舶集团有限公司",
            "91110000710935732K",
            "C3731",
            "北京市",
            "世界500强、行业龙头",
        ),
        (
            "江南造船（集团）有限责任公司",
            "913100001322785664",
            "C3731",
            "上海市",
            "",
        ),
        (
            "青岛洛唯新材料有限公司",
            "91370200MA3R5T6Y7E",
            "C3099",
            "山东省",
            "",
        ),
        (
            "双鸭山龙煤天泰煤化工有限公司",
            "91230500MA1B2C3D4X",
            "C2520",
            "黑龙江省",
            "",
        ),
        (
            "中国石油化工股份有限公司",
            "91110000101696839W",
            "C2511",
            "北京市",
            "世界500强、上市",
        ),
    ];
    let firms: Vec<Enterprise> = firms
        .iter()
        .map(|(name, code, industry, province, tags)| {
            let mut e = Enterprise::new(name).unwrap();
            e.credit_code = Some(domain::CreditCode::parse("代码", code).unwrap());
            e.industry = Some(IndustryCode::parse("行业", industry).unwrap());
            e.province = Some((*province).into());
            e.tags = Enterprise::split_tags(tags);
            e
        })
        .collect();
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_enterprises(&firms).await.unwrap();
    tx.commit().await.unwrap();
}

/// The firm names a search page lists, in order (links to a firm's number, not to the
/// bureau's merges page).
fn listed_firms(body: &str) -> Vec<String> {
    body.split("<a href=\"/enterprises/")
        .skip(1)
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        .filter_map(|rest| {
            rest.split_once("\">")
                .map(|(_, r)| r.split('<').next().unwrap_or("").to_owned())
        })
        .collect()
}

fn firm_id(body: &str, name: &str) -> String {
    body.split("<a href=\"/enterprises/")
        .skip(1)
        .find(|rest| rest.contains(&format!("\">{name}<")))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned()
}

async fn enterprise_search_finds_partial_and_inner_words_with_filters_within_permissions(
    db: &TestDb,
) {
    let store = db.open().await.unwrap();
    stock_firms(&store).await;
    let app = start(store).await;
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    for unit in ["集贤县", "宝清县"] {
        let mut visit = domain::records::Visit::new(d("2022-05-01"));
        visit.unit = Some(unit.into());
        visit.enterprise = Some("中国船舶集团有限公司".into());
        visit.enterprise_code =
            Some(domain::CreditCode::parse("代码", "91110000710935732K").unwrap());
        visit.content = Some(format!("{unit}洽谈风电装备"));
        tx.add_visit(&visit).await.unwrap();
    }
    tx.commit().await.unwrap();
    let (bureau, _) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    let found = |q: &str| {
        let path = format!("/enterprises?{q}");
        let app = &app;
        async move {
            let page = app.get(&path, b).await;
            assert_eq!(page.status, 200, "{}", page.body);
            listed_firms(&page.body)
        }
    };
    assert_eq!(
        found("q=%E4%B8%AD%E8%88%B9")
            .await
            .first()
            .map(String::as_str),
        Some("中国船舶集团有限公司"),
        "中船, the abbreviation"
    );
    assert_eq!(
        found("q=%E9%80%A0%E8%88%B9").await,
        vec!["江南造船（集团）有限责任公司"],
        "造船, a word inside the name"
    );
    assert_eq!(
        found("q=%E6%B4%9B%E5%94%AF").await,
        vec!["青岛洛唯新材料有限公司"],
        "洛唯, a run of characters inside"
    );
    let mut flagged = found("flag=%E4%B8%96%E7%95%8C500%E5%BC%BA").await;
    flagged.sort();
    assert_eq!(
        flagged,
        vec!["中国石油化工股份有限公司", "中国船舶集团有限公司"],
        "世界500强"
    );
    assert_eq!(
        found("flag=%E4%B8%96%E7%95%8C500%E5%BC%BA&flag=%E8%A1%8C%E4%B8%9A%E9%BE%99%E5%A4%B4")
            .await,
        vec!["中国船舶集团有限公司"],
        "世界500强 and 行业龙头"
    );
    assert_eq!(
        found("industry=C37&province=%E4%B8%8A%E6%B5%B7%E5%B8%82").await,
        vec!["江南造船（集团）有限责任公司"]
    );
    assert!(
        found("q=%E4%B8%AD%E8%88%B9&industry=C25").await.is_empty(),
        "text and filter together"
    );
    let bad = app.get("/enterprises?industry=Z99", b).await;
    assert!(
        bad.body.contains("不是国民经济行业分类"),
        "a bad code is named, not ignored"
    );

    // Permissions: strangers sign in first, administrators read no business data.
    let stranger = app.get("/enterprises?q=x", None).await;
    assert_eq!(
        (stranger.status, stranger.header("location")),
        (303, Some("/login"))
    );
    let (admin, _) = app.sign_in("sysadmin").await;
    assert_eq!(app.get("/enterprises", Some(&admin)).await.status, 403);

    // The profile: every visit for the bureau, only its own unit's for a county's staff.
    let listing = app.get("/enterprises?q=%E4%B8%AD%E8%88%B9", b).await;
    // In relevance order, said in words; no raw score for an official to puzzle over.
    assert!(
        listing.body.contains("按相关度排序") && !listing.body.contains("相关度</th>"),
        "{}",
        listing.body
    );
    let id = firm_id(&listing.body, "中国船舶集团有限公司");
    let profile = app.get(&format!("/enterprises/{id}"), b).await;
    assert!(
        profile.body.contains("集贤县洽谈风电装备") && profile.body.contains("宝清县洽谈风电装备")
    );
    let (staff, staff_csrf) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    let theirs = app.get(&format!("/enterprises/{id}"), s).await;
    assert_eq!(theirs.status, 200);
    assert!(theirs.body.contains("集贤县洽谈风电装备"));
    assert!(
        !theirs.body.contains("宝清县洽谈风电装备"),
        "another county's visit stays hidden"
    );
    assert!(theirs.body.contains("另有 1 条其他单位的对接记录"));
    assert_eq!(
        app.get(&format!("/enterprises/{id}"), Some(&admin))
            .await
            .status,
        403
    );
    assert_eq!(app.get("/enterprises/999999", b).await.status, 404);
    // Contacts: added by the units' staff, refused without a name, refused to an auditor.
    let added = app
        .post_form(
            &format!("/enterprises/{id}/contacts"),
            s,
            &[
                ("csrf", &staff_csrf),
                ("name", "王经理"),
                ("phone", "13800000000"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert!(
        app.get(&format!("/enterprises/{id}"), b)
            .await
            .body
            .contains("王经理")
    );
    let nameless = app
        .post_form(
            &format!("/enterprises/{id}/contacts"),
            s,
            &[("csrf", &staff_csrf), ("name", " ")],
        )
        .await;
    assert_eq!(nameless.status, 422);
    assert!(nameless.body.contains("联系人"));
    let (auditor, auditor_csrf) = app.sign_in("auditor").await;
    let refused = app
        .post_form(
            &format!("/enterprises/{id}/contacts"),
            Some(&auditor),
            &[("csrf", &auditor_csrf), ("name", "李四")],
        )
        .await;
    assert_eq!(refused.status, 403);
}

async fn a_chain_map_marks_a_segment_without_local_firms_as_a_gap_and_ranks_targets(db: &TestDb) {
    let store = db.open().await.unwrap();
    stock_firms(&store).await;
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_chain(
        &domain::records::Chain::new("船舶产业链", Some("装备制造".into()), None).unwrap(),
    )
    .await
    .unwrap();
    // More shipbuilders with a larger registered capital than any target list holds: the
    // 500强 group, whose capital was never recorded, must still come first on its points.
    let yards: Vec<domain::enterprise::Enterprise> = (0..600)
        .map(|i| {
            let mut e =
                domain::enterprise::Enterprise::new(&format!("辽东第{i}造船有限公司")).unwrap();
            e.industry = Some(domain::enterprise::IndustryCode::parse("行业", "C3731").unwrap());
            e.province = Some("辽宁省".into());
            e.size = Some(domain::enterprise::EnterpriseSize::Large);
            e.registered_capital =
                Some(domain::Money::from_units("注册资本", 1_000_000_000 + i).unwrap());
            e
        })
        .collect();
    tx.upsert_enterprises(&yards).await.unwrap();
    tx.commit().await.unwrap();
    let app = start(store).await;
    let (bureau, csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    let base = "/chain-maps/%E8%88%B9%E8%88%B6%E4%BA%A7%E4%B8%9A%E9%93%BE";
    for (name, position, codes) in [
        ("钢材", "上游", "C3110"),
        ("船舶总装", "中游", "C3731"),
        ("船用设备", "配套", "C3734"),
    ] {
        let reply = app
            .post_form(
                &format!("{base}/segments"),
                b,
                &[
                    ("csrf", &csrf),
                    ("name", name),
                    ("position", position),
                    ("industries", codes),
                ],
            )
            .await;
        assert_eq!(reply.status, 303, "{}", reply.body);
    }
    let placed = app
        .post_form(
            &format!("{base}/firms"),
            b,
            &[
                ("csrf", &csrf),
                ("segment", "船舶总装"),
                ("firm", "913100001322785664"),
                ("role", "已有"),
                ("chain_leader", "1"),
            ],
        )
        .await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    let unknown = app
        .post_form(
            &format!("{base}/firms"),
            b,
            &[
                ("csrf", &csrf),
                ("segment", "船舶总装"),
                ("firm", "不存在的企业"),
                ("role", "已有"),
            ],
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body.contains("企业库中没有“不存在的企业”"));
    let bad_position = app
        .post_form(
            &format!("{base}/segments"),
            b,
            &[
                ("csrf", &csrf),
                ("name", "物流"),
                ("position", "旁边"),
                ("industries", ""),
            ],
        )
        .await;
    assert_eq!(bad_position.status, 422);
    assert!(bad_position.body.contains("应为上游、中游、下游或配套"));

    let page = app.get(base, b).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let segment_box = |name: &str| {
        let start = page.body.find(&format!("data-segment=\"{name}\"")).unwrap();
        let end = start + page.body[start..].find("</g>").unwrap();
        page.body[start..end].to_owned()
    };
    assert!(
        segment_box("钢材").contains("缺失·延链"),
        "an empty upstream link is a gap to extend into"
    );
    assert!(
        segment_box("船用设备").contains("缺失·补链"),
        "an empty support link is a gap to fill"
    );
    assert!(
        segment_box("船舶总装").contains("薄弱·强链"),
        "one local firm is thin"
    );
    assert!(segment_box("船舶总装").contains("链主：江南造船"));
    let fill = app.get(&format!("{base}?view=fill"), b).await;
    assert!(
        fill.body.contains("id=\"segment-")
            && fill.body.contains("船用设备")
            && !fill.body.contains("<td>钢材</td>")
    );

    // Targets for the thin 船舶总装: the 500强 shipbuilder first, with its reasons; the local
    // firm is not recommended to itself.
    let segment_id = page
        .body
        .split("id=\"segment-")
        .nth(2)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let targets = app
        .get(&format!("{base}/segments/{segment_id}/targets"), b)
        .await;
    assert_eq!(targets.status, 200, "{}", targets.body);
    let first = targets
        .body
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        first.contains("中国船舶集团有限公司"),
        "85 points beat 60 whatever the capital: {first}"
    );
    assert!(
        targets.body.contains("所在大类的 602 家企业全部参与计分"),
        "every shipbuilder of C37 is weighed"
    );
    assert!(
        targets
            .body
            .contains("行业C3731与环节行业C3731小类相同（+40）"),
        "{}",
        targets.body
    );
    assert!(targets.body.contains("世界500强（+25）"));
    let table = targets.body.split("<tbody>").nth(1).unwrap();
    assert!(!table.contains("江南造船"), "already local");

    let (staff, staff_csrf) = app.sign_in("jixian").await;
    let refused = app
        .post_form(
            &format!("{base}/segments"),
            Some(&staff),
            &[("csrf", &staff_csrf), ("name", "x"), ("position", "中游")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(app.get("/chain-maps/%E6%97%A0", b).await.status, 404);

    // The print view: the map, the links and each missing or thin link's best targets, with
    // no forms or menus; read by the same roles.
    let print = app.get(&format!("{base}/print"), b).await;
    assert_eq!(print.status, 200, "{}", print.body);
    assert!(
        print.body.contains("<body class=\"print\">")
            && !print.body.contains("<form")
            && !print.body.contains("<nav")
    );
    assert!(print.body.contains("共3个环节：较强0个，薄弱1个（强链），缺失2个（补链1个、延链1个）；链主企业江南造船（集团）有限责任公司；归入环节的项目0个。"), "{}", print.body);
    assert!(print.body.contains("data-segment=\"钢材\"") && print.body.contains("缺失·延链"));
    let shipbuilding = print
        .body
        .split("<h3>船舶总装（中游 · 薄弱·强链）</h3>")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(
        shipbuilding.contains("所在大类企业库中共602家"),
        "{shipbuilding}"
    );
    assert_eq!(
        shipbuilding.matches("<tr><td>").count(),
        5,
        "five targets a link"
    );
    assert!(
        shipbuilding
            .split("<tr><td>1</td>")
            .nth(1)
            .unwrap()
            .starts_with("<td>中国船舶集团有限公司</td>")
    );
    assert!(
        print
            .body
            .contains("<h3>钢材（上游 · 缺失·延链）</h3>\n<p>企业库中没有行业相符的企业。</p>"),
        "no steel firm in the database"
    );
    assert_eq!(app.get("/chain-maps/%E6%97%A0/print", b).await.status, 404);
    let (admin, _) = app.sign_in("sysadmin").await;
    assert_eq!(
        app.get(&format!("{base}/print"), Some(&admin)).await.status,
        403
    );
}

async fn visits_are_counted_by_unit_and_leader_and_plans_held_against_them(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    unit_with_staff(db, "宝清县", UnitKind::County, "baoqing").await;
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.set_records_as_of(d("2022-07-10")).await.unwrap();
    for name in ["陈立新", "王建国", "赵文博"] {
        tx.upsert_leader(&domain::records::Leader {
            name: name.into(),
            title: None,
            illustrative: false,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let (staff, csrf) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    let visit = |date: &'static str, firm: &'static str, leaders: &'static str| {
        let (app, csrf) = (&app, csrf.clone());
        async move {
            app.post_form(
                "/visits",
                s,
                &[
                    ("csrf", &csrf),
                    ("date", date),
                    ("enterprise", firm),
                    ("leaders", leaders),
                    ("mode", "上门拜访"),
                ],
            )
            .await
        }
    };
    assert_eq!(
        visit(
            "2022-06-01",
            "中国船舶集团有限公司",
            "陈立新、王建国、集贤县招商局"
        )
        .await
        .status,
        303
    );
    assert_eq!(
        visit("2022-06-20", "青岛洛唯新材料有限公司", "陈立新")
            .await
            .status,
        303
    );
    let bad = visit("2022-13-01", "某公司", "").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("日期"), "{}", bad.body);
    for (date, firm) in [
        ("2022-06-30", "中国船舶集团有限公司"),
        ("2022-06-15", "江南造船（集团）有限责任公司"),
        ("2022-09-30", "中国石油化工股份有限公司"),
    ] {
        let reply = app
            .post_form(
                "/visits/plans",
                s,
                &[
                    ("csrf", &csrf),
                    ("date", date),
                    ("enterprise", firm),
                    ("leaders", "陈立新"),
                ],
            )
            .await;
        assert_eq!(reply.status, 303, "{}", reply.body);
    }
    let nameless = app
        .post_form(
            "/visits/plans",
            s,
            &[("csrf", &csrf), ("date", "2022-09-30"), ("enterprise", " ")],
        )
        .await;
    assert_eq!(nameless.status, 422);
    assert!(nameless.body.contains("目标企业"));
    let all_wrong = app
        .post_form(
            "/visits/plans",
            s,
            &[
                ("csrf", &csrf),
                ("date", "九月底"),
                ("enterprise", " "),
                ("credit_code", "123"),
            ],
        )
        .await;
    assert_eq!(all_wrong.status, 422);
    for field in ["计划日期", "目标企业", "统一社会信用代码"] {
        assert!(
            all_wrong.body.contains(field),
            "{field}: {}",
            all_wrong.body
        );
    }

    let (other, other_csrf) = app.sign_in("baoqing").await;
    let reply = app
        .post_form(
            "/visits",
            Some(&other),
            &[
                ("csrf", &other_csrf),
                ("date", "2022-05-05"),
                ("enterprise", "中国船舶集团有限公司"),
                ("leaders", "赵文博"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303);

    let page = app.get("/visits?year=2022", s).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("2022年对接 2 次"),
        "only the county's own: {}",
        page.body
    );
    assert!(
        page.body
            .contains("<td>陈立新</td><td class=\"num\">2</td>")
            && page
                .body
                .contains("<td>王建国</td><td class=\"num\">1</td>")
    );
    // An office written where a leader goes is shown apart, never counted as a leader; the
    // form offers the leaders' names.
    assert!(
        !page.body.contains("<td>集贤县招商局</td>")
            && page
                .body
                .contains("名单外的带队人员（不计入领导对接次数）：集贤县招商局 1次")
            && page
                .body
                .contains("<datalist id=\"leader-names\"><option value=\"")
            && page.body.contains("<option value=\"王建国\">"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("<td>赵文博</td>"),
        "another county's visit stays hidden (the name is only offered in the form)"
    );
    assert!(
        page.body.contains("已对接（2022-06-01）"),
        "done by the visit a month before"
    );
    assert!(
        page.body.contains("逾期25天未对接"),
        "江南造船 planned for 06-15, not visited by 07-10"
    );
    assert!(page.body.contains("未到期"));
    assert!(page.body.contains("已对接 1 项，逾期未对接 1 项"));

    let (bureau, _) = app.sign_in("bureau").await;
    let city = app.get("/visits?year=2022", Some(&bureau)).await;
    assert!(city.body.contains("2022年对接 3 次") && city.body.contains("赵文博"));
    let (admin, _) = app.sign_in("sysadmin").await;
    assert_eq!(app.get("/visits", Some(&admin)).await.status, 403);
    let (auditor, auditor_csrf) = app.sign_in("auditor").await;
    let refused = app
        .post_form(
            "/visits",
            Some(&auditor),
            &[
                ("csrf", &auditor_csrf),
                ("date", "2022-06-01"),
                ("enterprise", "某公司"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
}

both_databases!(
    enterprise_search_finds_partial_and_inner_words_with_filters_within_permissions,
    a_chain_map_marks_a_segment_without_local_firms_as_a_gap_and_ranks_targets,
    visits_are_counted_by_unit_and_leader_and_plans_held_against_them,
);
