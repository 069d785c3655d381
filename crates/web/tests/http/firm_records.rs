//! Clean firm records over real HTTP on SQLite and PostgreSQL (issue 22.6): the bureau merges
//! two records of one firm after a preview and undoes it, places firms in their group, and the
//! 画像 shows the group's projects within the reader's scope; a visit is recorded with the firm
//! chosen through the picker and a contact of that firm, and a project's investor picked too.

use crate::common::*;
use store::testing::TestDb;
use store::{Store, both_databases};

fn enc(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// The kept firm (coded), its twin (a name alone) and a subsidiary; JX-1 invests through the
/// twin, BQ-1 through the subsidiary. Returns their ids.
async fn stock(store: &Store) -> (i64, i64, i64) {
    use domain::enterprise::Enterprise;
    let mut kept = Enterprise::new("中国船舶集团风电发展有限公司").unwrap();
    kept.credit_code = domain::CreditCode::with_check_char("91110000MA01ABCD1");
    let mut tx = store.begin("test").await.unwrap();
    let written = tx
        .upsert_enterprises(&[
            kept,
            Enterprise::new("中船风电").unwrap(),
            Enterprise::new("宝清县中船风力发电有限公司").unwrap(),
        ])
        .await
        .unwrap();
    for (code, investor) in [("JX-1", "中船风电"), ("BQ-1", "宝清县中船风力发电有限公司")]
    {
        let mut p = store.project(code).await.unwrap().unwrap().project;
        p.investor = Some(investor.into());
        tx.upsert_project(&p).await.unwrap();
    }
    let contact = store::Contact {
        name: "王经理".into(),
        title: Some("项目开发部经理".into()),
        phone: None,
        note: None,
    };
    tx.add_contact(written[1].id, &contact).await.unwrap();
    tx.commit().await.unwrap();
    (written[0].id, written[1].id, written[2].id)
}

async fn the_bureau_merges_twin_records_after_a_preview_and_undoes_it(db: &TestDb) {
    let store = db.open().await.unwrap();
    let app = start(store).await;
    let store = db.open().await.unwrap();
    let (kept, twin, child) = stock(&store).await;
    let (bureau, csrf) = app.sign_in("bureau").await;
    let (staff, staff_csrf) = app.sign_in("jixian").await;
    let (b, s) = (Some(bureau.as_str()), Some(staff.as_str()));
    let preview = format!("/enterprises/{kept}/merge?other={}", enc("中船风电"));

    assert_eq!(app.get(&preview, s).await.status, 403, "the bureau's alone");
    let nowhere = app.get(&format!("/enterprises/{kept}/edit"), b).await;
    assert!(
        nowhere.status == 404 && nowhere.body.contains("没有这个页面"),
        "an address no route serves says so in Chinese"
    );
    let refused = app
        .post_form(
            &format!("/enterprises/{kept}/merge"),
            s,
            &[
                ("csrf", &staff_csrf),
                ("other", &twin.to_string()),
                ("reason", "同一家"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);

    let page = app.get(&preview, b).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for said in ["项目 1 个", "联系人 1 人", "确认合并", "中船风电"] {
        assert!(page.body.contains(said), "{said}");
    }
    let unknown = app
        .get(
            &format!("/enterprises/{kept}/merge?other={}", enc("没有这家公司")),
            b,
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body.contains("企业库中没有“没有这家公司”"));

    let merge = |reason: &'static str| {
        let (app, csrf) = (&app, csrf.clone());
        async move {
            app.post_form(
                &format!("/enterprises/{kept}/merge"),
                b,
                &[
                    ("csrf", &csrf),
                    ("other", &twin.to_string()),
                    ("reason", reason),
                ],
            )
            .await
        }
    };
    let no_reason = merge("").await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("合并理由"), "the field is named");
    assert_eq!(
        store.merged_into(twin).await.unwrap(),
        None,
        "nothing written"
    );

    let done = merge("简称录入，同一家企业").await;
    assert_eq!(done.status, 303, "{}", done.body);
    let profile = app.get(done.header("location").unwrap(), b).await;
    assert!(profile.body.contains("已合并"));
    assert!(
        profile.body.contains("/projects/JX-1"),
        "the twin's project moved"
    );
    assert!(profile.body.contains("王经理"), "and its contact");
    assert!(profile.body.contains("<dt>曾用名</dt><dd>中船风电</dd>"));
    let twin_page = app.get(&format!("/enterprises/{twin}"), b).await;
    assert!(twin_page.body.contains("本记录已并入"));
    let search = app
        .get(&format!("/enterprises?q={}", enc("中船风电")), b)
        .await;
    assert!(
        search.body.contains(&format!("/enterprises/{kept}\"")),
        "found as the firm kept"
    );
    assert!(
        !search.body.contains(&format!("/enterprises/{twin}\"")),
        "and not twice"
    );
    let again = merge("再合并一次").await;
    assert_eq!(again.status, 409, "merged already: {}", again.body);

    // Undone from the merges page: the project goes back to the twin.
    let list = app.get("/enterprises/merges", b).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("简称录入，同一家企业"));
    let merge_id = list
        .body
        .split("/enterprises/merges/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_owned();
    assert_eq!(app.get("/enterprises/merges", s).await.status, 403);
    let undone = app
        .post_form(
            &format!("/enterprises/merges/{merge_id}/undo"),
            b,
            &[("csrf", &csrf), ("back", "99999")],
        )
        .await;
    assert_eq!(
        (undone.status, undone.header("location")),
        (303, Some("/enterprises/merges?saved=unmerged")),
        "back only to one of the merge's records"
    );
    assert_eq!(store.merged_into(twin).await.unwrap(), None);
    let profile = app.get(&format!("/enterprises/{twin}"), b).await;
    assert!(profile.body.contains("/projects/JX-1"));
    let list = app.get("/enterprises/merges", b).await;
    assert!(list.body.contains("已撤销"));

    // The group: the twin and the subsidiary under the kept firm; a cycle is refused.
    for firm in [twin, child] {
        let set = app
            .post_form(
                &format!("/enterprises/{firm}/parent"),
                b,
                &[("csrf", &csrf), ("parent", &kept.to_string())],
            )
            .await;
        assert_eq!(set.status, 303, "{}", set.body);
    }
    let cycle = app
        .post_form(
            &format!("/enterprises/{kept}/parent"),
            b,
            &[("csrf", &csrf), ("parent", &child.to_string())],
        )
        .await;
    assert_eq!(cycle.status, 422);
    assert!(cycle.body.contains("不能是本企业或其下属企业"));
    let group = app.get(&format!("/enterprises/{kept}"), b).await;
    assert!(group.body.contains("集团内其他企业的项目"));
    for shown in [
        "/projects/JX-1",
        "/projects/BQ-1",
        "宝清县中船风力发电有限公司",
    ] {
        assert!(group.body.contains(shown), "{shown}");
    }
    // A county's staff see the group's projects of their county only.
    let theirs = app.get(&format!("/enterprises/{kept}"), s).await;
    assert!(theirs.body.contains("/projects/JX-1"));
    assert!(!theirs.body.contains("/projects/BQ-1"), "out of scope");
    assert!(!theirs.body.contains("合并重复记录"), "not the bureau");
    let under = app.get(&format!("/enterprises/{child}"), s).await;
    assert_eq!(
        under
            .body
            .matches(&format!("href=\"/enterprises/{kept}\""))
            .count(),
        1,
        "the group's head once in the tree"
    );
}

async fn a_visit_is_recorded_with_the_firm_picked_and_one_of_its_contacts(db: &TestDb) {
    let store = db.open().await.unwrap();
    let app = start(store).await;
    let store = db.open().await.unwrap();
    let (kept, twin, _) = stock(&store).await;
    let mut tx = store.begin("test").await.unwrap();
    tx.set_records_as_of(d("2022-07-10")).await.unwrap();
    tx.commit().await.unwrap();
    let (staff, csrf) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    let found = app.get(&format!("/visits?find={}", enc("风电")), s).await;
    assert_eq!(found.status, 200);
    assert!(
        found
            .body
            .contains(&format!("/visits?enterprise={twin}#picker")),
        "the twin is offered: {}",
        found.body
    );
    let picked = app.get(&format!("/visits?enterprise={twin}"), s).await;
    assert!(
        picked
            .body
            .contains("name=\"enterprise\" value=\"中船风电\"")
    );
    assert!(
        picked.body.contains("<option>王经理</option>"),
        "its contacts offered"
    );
    assert_eq!(app.get("/visits?enterprise=999999", s).await.status, 404);
    // The project forms pick the investor the same way.
    let found = app
        .get(&format!("/projects/new?find={}", enc("中国船舶集团")), s)
        .await;
    assert!(
        found
            .body
            .contains(&format!("/projects/new?enterprise={kept}#picker"))
    );
    let picked = app
        .get(&format!("/projects/new?enterprise={kept}"), s)
        .await;
    assert!(
        picked
            .body
            .contains("name=\"investor\" value=\"中国船舶集团风电发展有限公司\"")
    );
    assert!(
        picked
            .body
            .contains("name=\"investor_code\" value=\"91110000MA01ABCD1")
    );
    let edit = app
        .get(&format!("/projects/JX-1/edit?enterprise={kept}"), s)
        .await;
    assert!(
        edit.body
            .contains("name=\"investor\" value=\"中国船舶集团风电发展有限公司\"")
    );

    let post = |contact: &'static str| {
        let (app, csrf) = (&app, csrf.clone());
        async move {
            app.post_form(
                "/visits",
                s,
                &[
                    ("csrf", &csrf),
                    ("date", "2022-07-01"),
                    ("enterprise", "中船风电"),
                    ("contact", contact),
                    ("mode", "上门拜访"),
                    ("content", "洽谈风电装备"),
                ],
            )
            .await
        }
    };
    let wrong = post("李总").await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("接待联系人"), "the field is named");
    let saved = post("王经理").await;
    assert_eq!(saved.header("location"), Some("/visits?saved=visit#new"));
    let again = post("王经理").await;
    assert_eq!(
        again.header("location"),
        Some("/visits?saved=duplicate#new")
    );
    let said = app.get("/visits?saved=duplicate", s).await;
    assert!(said.body.contains("与已有记录完全相同，未重复登记"));
    let profile = app.get(&format!("/enterprises/{twin}"), s).await;
    assert!(
        profile.body.contains("<td>王经理</td><td>上门拜访</td>"),
        "{}",
        profile.body
    );
}

both_databases!(
    the_bureau_merges_twin_records_after_a_preview_and_undoes_it,
    a_visit_is_recorded_with_the_firm_picked_and_one_of_its_contacts
);
