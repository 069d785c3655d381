//! Each stage rule of SPEC §2, accepting the good and rejecting the bad with its message.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use chrono::NaiveDate;
use domain::stage::{
    Correction, NextStep, Progress, ProjectFacts, RecordedEvent, RuleContext, StageEvent,
    check_correction, effective_events, next_step, progress_of,
};
use domain::{CreditCode, EventKind, Money, Stage};

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn ctx() -> RuleContext {
    RuleContext {
        today: d("2022-07-01"),
        project_signed_amount: None,
    }
}

fn ev(kind: EventKind, date: &str) -> StageEvent {
    StageEvent::new(kind, d(date), None, None, None, None).unwrap()
}

fn stage(s: Stage, date: &str) -> StageEvent {
    ev(EventKind::Stage(s), date)
}

fn signed(date: &str, wan: &str) -> StageEvent {
    let amount = Money::parse_wan("金额", wan).unwrap();
    StageEvent::new(
        EventKind::Stage(Stage::Signed),
        d(date),
        Some(amount),
        None,
        None,
        None,
    )
    .unwrap()
}

fn landed(date: &str) -> StageEvent {
    StageEvent::new(
        EventKind::Stage(Stage::Landed),
        d(date),
        None,
        None,
        Some("G2022-01".into()),
        None,
    )
    .unwrap()
}

fn with_note(kind: EventKind, date: &str, note: &str) -> StageEvent {
    StageEvent::new(kind, d(date), None, None, None, Some(note.into())).unwrap()
}

fn replay(events: &[StageEvent]) -> Result<Progress, String> {
    Progress::replay(events, &ctx()).map_err(|(i, e)| format!("#{i} {e}"))
}

#[test]
fn forward_moves_may_skip_stages() {
    let p = replay(&[
        stage(Stage::Lead, "2022-01-01"),
        signed("2022-02-01", "1000"),
        landed("2022-02-01"),
    ])
    .unwrap();
    assert_eq!(p.stage, Some(Stage::Landed));
    assert_eq!(
        p.signed,
        Some((d("2022-02-01"), Money::parse_wan("金额", "1000").unwrap()))
    );
    assert_eq!(p.label(), "落地");
}

#[test]
fn a_stage_cannot_go_back_or_repeat() {
    let err = replay(&[
        signed("2022-02-01", "10"),
        stage(Stage::Negotiating, "2022-03-01"),
    ])
    .unwrap_err();
    assert_eq!(
        err,
        "#1 阶段: 项目已处于“签约”，只能向后推进，不能再记“在谈”"
    );
    let err = replay(&[signed("2022-02-01", "10"), signed("2022-03-01", "10")]).unwrap_err();
    assert!(err.starts_with("#1 阶段: 项目已处于“签约”"), "{err}");
}

#[test]
fn dates_never_go_backwards() {
    let err = replay(&[
        stage(Stage::Lead, "2022-03-01"),
        stage(Stage::Negotiating, "2022-02-28"),
    ])
    .unwrap_err();
    assert_eq!(err, "#1 日期: 不能早于该项目上一事件的日期（2022-03-01）");
    assert!(
        replay(&[
            stage(Stage::Lead, "2022-03-01"),
            stage(Stage::Negotiating, "2022-03-01")
        ])
        .is_ok()
    );
}

#[test]
fn dates_never_lie_in_the_future() {
    let err = replay(&[stage(Stage::Lead, "2022-07-02")]).unwrap_err();
    assert_eq!(err, "#0 日期: 不能晚于今天（2022-07-01）");
    assert!(replay(&[stage(Stage::Lead, "2022-07-01")]).is_ok());
}

#[test]
fn signing_needs_a_positive_amount_from_the_event_or_the_project() {
    let err = replay(&[stage(Stage::Signed, "2022-02-01")]).unwrap_err();
    assert_eq!(err, "#0 金额: 签约须有大于0的签约额");
    let err = replay(&[signed("2022-02-01", "0")]).unwrap_err();
    assert_eq!(err, "#0 金额: 签约须有大于0的签约额");
    let with_project_amount = RuleContext {
        project_signed_amount: Some(Money::parse_wan("签约额", "500").unwrap()),
        ..ctx()
    };
    let p = Progress::replay(&[stage(Stage::Signed, "2022-02-01")], &with_project_amount).unwrap();
    assert_eq!(p.signed.map(|(_, m)| m.units()), Some(5_000_000));
}

#[test]
fn landing_needs_a_company_or_a_parcel() {
    let err = StageEvent::new(
        EventKind::Stage(Stage::Landed),
        d("2022-03-01"),
        None,
        None,
        None,
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "落地企业信用代码: 落地须填写落地企业信用代码或地块编号"
    );
    let company = CreditCode::parse("落地企业信用代码", "91350100M000100Y43").unwrap();
    assert!(
        StageEvent::new(
            EventKind::Stage(Stage::Landed),
            d("2022-03-01"),
            None,
            Some(company),
            None,
            None
        )
        .is_ok()
    );
    assert!(replay(&[landed("2022-03-01")]).is_ok());
}

#[test]
fn an_amount_belongs_only_on_a_signing() {
    let amount = Money::parse_wan("金额", "5").unwrap();
    let err = StageEvent::new(
        EventKind::Stage(Stage::Started),
        d("2022-03-01"),
        Some(amount),
        None,
        None,
        None,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "金额: 只有签约事件填写金额");
}

#[test]
fn suspension_and_resumption_only_while_under_construction() {
    let err = replay(&[
        signed("2022-01-01", "1"),
        ev(EventKind::Suspend, "2022-02-01"),
    ])
    .unwrap_err();
    assert_eq!(err, "#1 阶段: 只有已开工、未投产的项目可以停工");
    let err = replay(&[
        stage(Stage::Started, "2022-01-01"),
        ev(EventKind::Resume, "2022-02-01"),
    ])
    .unwrap_err();
    assert_eq!(err, "#1 阶段: 只有停工中的项目可以复工");
    let err = replay(&[
        stage(Stage::Started, "2022-01-01"),
        ev(EventKind::Suspend, "2022-02-01"),
        ev(EventKind::Suspend, "2022-02-02"),
    ])
    .unwrap_err();
    assert_eq!(err, "#2 阶段: 项目已在停工中");
    let err = replay(&[
        stage(Stage::Started, "2021-10-01"),
        ev(EventKind::Suspend, "2021-11-15"),
        stage(Stage::Production, "2022-05-01"),
    ])
    .unwrap_err();
    assert_eq!(err, "#2 阶段: 项目停工中，须先记录复工");
    let p = replay(&[
        stage(Stage::Started, "2021-10-01"),
        ev(EventKind::Suspend, "2021-11-15"),
        ev(EventKind::Resume, "2022-04-10"),
        stage(Stage::Production, "2022-06-01"),
    ])
    .unwrap();
    assert_eq!((p.stage, p.suspended), (Some(Stage::Production), false));
    let err = replay(&[
        stage(Stage::Production, "2022-01-01"),
        ev(EventKind::Suspend, "2022-02-01"),
    ])
    .unwrap_err();
    assert_eq!(err, "#1 阶段: 只有已开工、未投产的项目可以停工");
}

#[test]
fn stalling_and_termination_need_a_reason_and_nothing_follows_termination() {
    for kind in [EventKind::Stall, EventKind::Terminate] {
        let err = StageEvent::new(kind, d("2022-03-01"), None, None, None, None).unwrap_err();
        assert_eq!(err.to_string(), format!("说明: {}须说明原因", kind.label()));
    }
    let p = replay(&[
        stage(Stage::Negotiating, "2022-01-01"),
        with_note(EventKind::Stall, "2022-02-01", "投资方资金紧张"),
    ])
    .unwrap();
    assert_eq!(p.label(), "在谈（停滞）");
    let p = replay(&[
        stage(Stage::Negotiating, "2022-01-01"),
        with_note(EventKind::Stall, "2022-02-01", "投资方资金紧张"),
        signed("2022-03-01", "100"),
    ])
    .unwrap();
    assert!(!p.stalled, "a forward move ends the stall");
    let err = replay(&[
        stage(Stage::Negotiating, "2022-01-01"),
        with_note(EventKind::Terminate, "2022-02-01", "投资方撤回"),
        signed("2022-03-01", "100"),
    ])
    .unwrap_err();
    assert_eq!(err, "#2 阶段: 项目已终止，不能再记录事件");
}

fn recorded(id: i64, event: StageEvent, correction: Option<Correction>) -> RecordedEvent {
    RecordedEvent {
        id,
        event,
        correction,
        approved: true,
    }
}

#[test]
fn a_correction_needs_a_reason_and_keeps_the_original() {
    let history = vec![
        recorded(1, stage(Stage::Lead, "2022-01-01"), None),
        recorded(2, signed("2022-02-01", "100"), None),
    ];
    let fixed = signed("2022-02-01", "1000");
    let err = check_correction(&history, 2, Some(&fixed), "  ", &ctx()).unwrap_err();
    assert_eq!(err.to_string(), "更正原因: 更正须说明原因");
    check_correction(&history, 2, Some(&fixed), "金额录入少一个零", &ctx()).unwrap();

    let mut amended = history.clone();
    amended.push(recorded(
        3,
        fixed.clone(),
        Some(Correction {
            corrects: 2,
            reason: "金额录入少一个零".into(),
            withdrawn: false,
        }),
    ));
    let effective = effective_events(&amended);
    assert_eq!(effective.len(), 2);
    assert_eq!(effective[1], (2, &fixed));
    assert_eq!(
        amended[1].event.amount,
        Some(Money::parse_wan("金额", "100").unwrap()),
        "the original is kept"
    );
    let p = progress_of(&amended, &ctx()).unwrap();
    assert_eq!(p.signed.map(|(_, m)| m.units()), Some(10_000_000));
}

#[test]
fn a_correction_that_would_break_a_rule_is_rejected() {
    let history = vec![
        recorded(1, signed("2022-02-01", "100"), None),
        recorded(2, stage(Stage::Started, "2022-03-01"), None),
    ];
    // History may skip stages, so withdrawing the signing still leaves a valid history.
    check_correction(&history, 1, None, "误录", &ctx()).unwrap();
    let building = vec![
        recorded(1, stage(Stage::Started, "2022-03-01"), None),
        recorded(2, ev(EventKind::Suspend, "2022-04-01"), None),
    ];
    let err = check_correction(&building, 1, None, "误录", &ctx()).unwrap_err();
    assert_eq!(err.to_string(), "阶段: 只有已开工、未投产的项目可以停工");
    let future = signed("2022-08-01", "100");
    let err = check_correction(&history, 1, Some(&future), "日期写错", &ctx()).unwrap_err();
    assert_eq!(err.to_string(), "日期: 不能晚于今天（2022-07-01）");
    let err = check_correction(&history, 99, None, "误录", &ctx()).unwrap_err();
    assert_eq!(err.to_string(), "阶段: 要更正的事件不存在");
}

#[test]
fn a_withdrawn_event_no_longer_counts() {
    let history = vec![
        recorded(1, stage(Stage::Negotiating, "2022-01-01"), None),
        recorded(2, signed("2022-02-01", "100"), None),
        recorded(
            3,
            signed("2022-02-01", "100"),
            Some(Correction {
                corrects: 2,
                reason: "重复录入".into(),
                withdrawn: true,
            }),
        ),
    ];
    let p = progress_of(&history, &ctx()).unwrap();
    assert_eq!(p.stage, Some(Stage::Negotiating));
    assert_eq!(p.signed, None);
}

#[test]
fn next_step_lists_what_is_missing() {
    let facts = ProjectFacts::default();
    let p = replay(&[stage(Stage::Negotiating, "2022-01-01")]).unwrap();
    let NextStep { next, missing } = next_step(&p, &facts);
    assert_eq!(next, Some(EventKind::Stage(Stage::Signed)));
    let fields: Vec<&str> = missing.iter().map(|m| m.field.as_str()).collect();
    assert_eq!(fields, ["分管领导", "工作专班", "投资企业", "金额"]);

    let complete = ProjectFacts {
        has_investor: true,
        signed_amount: Some(Money::parse_wan("签约额", "10").unwrap()),
        has_leader: true,
        has_team: true,
    };
    assert!(next_step(&p, &complete).missing.is_empty());

    let suspended = replay(&[
        stage(Stage::Started, "2022-01-01"),
        ev(EventKind::Suspend, "2022-02-01"),
    ])
    .unwrap();
    assert_eq!(
        next_step(&suspended, &complete).next,
        Some(EventKind::Resume)
    );
    let signed_p = replay(&[signed("2022-01-01", "5")]).unwrap();
    assert_eq!(
        next_step(&signed_p, &complete).missing[0].field,
        "落地企业信用代码"
    );
    let done = replay(&[stage(Stage::Capacity, "2022-01-01")]).unwrap();
    assert_eq!(next_step(&done, &complete).next, None);
}
