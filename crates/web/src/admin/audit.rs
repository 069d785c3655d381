//! The 审计员's page (`/audit`): the change log (every change and sign-in event, hash-chained)
//! and the access log (refusals, exports, prints, bulk reads, token use), each filtered by date,
//! person, action and record, paged, exported to xlsx, in Chinese — the codes the store writes
//! (`sign_in`, `failure`, JSON details) are translated here and nowhere else.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use chrono::{FixedOffset, NaiveDate, TimeZone};
use domain::access::Actor;
use serde::Deserialize;
use serde_json::Value;
use store::AccessFilter;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::render::{render, xlsx_response};
use crate::kit::request::{Query, page_number};
use crate::kit::view::{Layout, when};

const PAGE_SIZE: i64 = 100;
/// The most rows one export writes; a longer period is exported in parts.
const EXPORT_ROWS: i64 = 100_000;

/// The kinds of record in the change log, with their names.
const ENTITIES: &[(&str, &str)] = &[
    ("project", "项目"),
    ("event", "阶段事件"),
    ("fund", "到位资金"),
    ("visit", "对接走访"),
    ("visit_plan", "敲门计划"),
    ("blocker", "堵点问题"),
    ("element", "要素保障"),
    ("plan", "计划进度"),
    ("financing", "融资需求"),
    ("placement", "项目归属"),
    ("review", "审核"),
    ("window", "月报窗口"),
    ("published_sheet", "晒单发布"),
    ("target", "目标任务"),
    ("unit", "单位"),
    ("leader", "领导"),
    ("leader_units", "包保县区"),
    ("chain", "产业链"),
    ("chain_segment", "产业链环节"),
    ("project_segment", "项目所属环节"),
    ("segment_firm", "环节企业"),
    ("team", "专班"),
    ("team_members", "专班成员"),
    ("enterprise", "企业"),
    ("enterprise_contact", "企业联系人"),
    ("value_list", "选项清单"),
    ("settings", "系统设置"),
    ("user", "账号"),
    ("account_request", "账号变更申请"),
    ("api_token", "接口令牌"),
    ("import_mapping", "导入映射"),
    ("sign_in", "登录"),
    ("session", "会话"),
];

/// The change log's actions, with their names.
const ACTIONS: &[(&str, &str)] = &[
    ("create", "新增"),
    ("update", "修改"),
    ("set", "设置"),
    ("add", "添加"),
    ("remove", "移除"),
    ("correct", "更正"),
    ("withdraw", "撤回"),
    ("status", "状态变更"),
    ("verify", "核实"),
    ("review", "审核"),
    ("judge", "研判"),
    ("instruction", "批示"),
    ("duplicate", "疑似重复"),
    ("requested", "待确认"),
    ("confirmed", "已确认"),
    ("close", "关闭"),
    ("reopen", "重新开放"),
    ("publish", "发布"),
    ("success", "登录成功"),
    ("failure", "登录失败"),
    ("locked", "账号锁定"),
    ("step", "登录步骤"),
    ("end", "会话结束"),
    ("end_all", "结束全部会话"),
    ("disable", "停用"),
    ("enable", "启用"),
    ("unlock", "解锁"),
    ("password_reset", "重置密码"),
    ("password_change", "修改密码"),
    ("totp_enrol", "绑定动态口令"),
    ("totp_reset", "重置动态口令"),
    ("role", "变更角色"),
    ("leader", "对应领导"),
    ("request", "提出申请"),
    ("approve", "批准"),
    ("reject", "驳回"),
    ("revoke", "撤销"),
];

/// The access log's actions.
const ACCESS_ACTIONS: &[(&str, &str)] = &[
    ("refused", "拒绝访问"),
    ("export", "导出"),
    ("print", "打印视图"),
    ("bulk_read", "接口批量读取"),
    ("api_token", "令牌调用"),
    ("throttled", "请求过频"),
];

/// Words inside details: the records' members and the codes they hold.
const WORDS: &[(&str, &str)] = &[
    ("date", "日期"),
    ("unit", "单位"),
    ("enterprise", "企业"),
    ("enterprise_code", "统一社会信用代码"),
    ("credit_code", "统一社会信用代码"),
    ("leaders", "带队领导"),
    ("leader", "领导"),
    ("mode", "方式"),
    ("place", "地点"),
    ("content", "内容"),
    ("outcome", "成果"),
    ("project_code", "项目编号"),
    ("code", "编号"),
    ("amount", "金额"),
    ("currency", "币种"),
    ("source", "来源"),
    ("verified", "已核实"),
    ("verifier", "核实人"),
    ("evidence", "凭证"),
    ("investor", "投资方"),
    ("investor_code", "投资方信用代码"),
    ("chain", "产业链"),
    ("territory", "所在地"),
    ("credited", "计入单位"),
    ("signed_amount", "签约额"),
    ("planned_investment", "计划投资"),
    ("team", "专班"),
    ("source_mode", "招商方式"),
    ("capital_origin", "资本来源"),
    ("key_project", "重点项目"),
    ("item", "事项"),
    ("status", "状态"),
    ("department", "责任部门"),
    ("due", "期限"),
    ("done", "完成日期"),
    ("year", "年度"),
    ("indicator", "指标"),
    ("value", "数值"),
    ("entries", "节点"),
    ("need", "融资需求"),
    ("sources", "资金来源"),
    ("bank", "银行"),
    ("industry", "行业"),
    ("province", "省份"),
    ("city", "城市"),
    ("registered_capital", "注册资本"),
    ("founded", "成立日期"),
    ("description", "描述"),
    ("category", "类别"),
    ("raised_on", "提出日期"),
    ("owner_unit", "责任单位"),
    ("deadline", "期限"),
    ("kind", "类型"),
    ("group", "分组"),
    ("division_code", "区划代码"),
    ("parent", "上级"),
    ("planned", "计划日期"),
    ("purpose", "目的"),
    ("chain_leader", "链长"),
    ("title", "职务"),
    ("illustrative", "示意数据"),
    ("change", "申请内容"),
    ("requested_by", "申请人"),
    ("role", "角色"),
    ("reason_text", "理由"),
    ("stage", "阶段"),
    ("Lead", "线索"),
    ("Talks", "在谈"),
    ("Signed", "签约"),
    ("Landed", "落地"),
    ("Started", "开工"),
    ("Production", "投产"),
    ("Capacity", "达效"),
    ("Cny", "人民币"),
    ("Usd", "美元"),
    ("Done", "已完成"),
    ("Pending", "待办"),
    ("InProgress", "办理中"),
    ("City", "市"),
    ("County", "县"),
    ("District", "区"),
    ("Zone", "园区"),
    ("Department", "部门"),
    ("full", "完成"),
    ("totp", "动态口令验证"),
    ("password", "修改密码"),
    ("enrol", "绑定动态口令"),
    ("reason", "原因"),
    ("address", "客户端地址"),
    ("step", "步骤"),
    ("ended_sessions", "结束的会话数"),
    ("name", "名称"),
    ("days", "有效天数"),
    ("id", "编号"),
    ("unknown_user", "用户名不存在"),
    ("wrong_password", "密码错误"),
    ("locked", "账号已锁定"),
    ("disabled", "账号已停用"),
    ("wrong_code", "动态口令错误"),
    ("address_throttled", "本机失败次数过多"),
    ("second_factor", "动态口令"),
    ("change_password", "修改密码"),
    ("enrol_second_factor", "绑定动态口令"),
    ("done", "完成"),
    ("signed_out", "退出"),
    ("idle", "长时间未操作"),
    ("expired", "到期"),
    ("replaced", "在别处登录"),
    ("ended_by_admin", "管理员结束"),
];

fn label<'a>(table: &[(&str, &'a str)], code: &'a str) -> &'a str {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .or_else(|| domain::access::Role::from_code(code).map(|r| r.label()))
        .unwrap_or(code)
}

/// Members that hold an amount in whole 元, shown in 万元.
const AMOUNTS: &[&str] = &[
    "amount",
    "need",
    "signed_amount",
    "planned_investment",
    "registered_capital",
];

/// A JSON detail as a line of "名称：值；…": objects by member, arrays joined, codes named,
/// yes and no in words, amounts in 万元, instants (epoch milliseconds) as Beijing time.
fn readable(json: Option<&str>) -> String {
    fn write(key: &str, value: &Value) -> String {
        match value {
            Value::Null => "—".into(),
            Value::Bool(true) => "是".into(),
            Value::Bool(false) => "否".into(),
            Value::String(s) if key == "role" => domain::access::Role::from_code(s)
                .map_or_else(|| s.clone(), |r| r.label().to_owned()),
            Value::String(s) => label(WORDS, s).to_owned(),
            Value::Number(n) => match n.as_i64() {
                Some(yuan) if AMOUNTS.contains(&key) => {
                    match domain::Money::from_units("金额", yuan) {
                        Ok(money) => format!("{}万元", domain::money::format_wan(money)),
                        Err(_) => n.to_string(),
                    }
                }
                // Past 1万亿 (the largest amount a record may hold) a number is a time.
                Some(ms) if (1_000_000_000_001..10_000_000_000_000).contains(&ms) => when(ms),
                _ => n.to_string(),
            },
            Value::Array(items) => items
                .iter()
                .map(|v| write(key, v))
                .collect::<Vec<_>>()
                .join("、"),
            Value::Object(map) => map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| format!("{}：{}", label(WORDS, k), write(k, v)))
                .collect::<Vec<_>>()
                .join("；"),
        }
    }
    match json {
        None => String::new(),
        Some(text) => serde_json::from_str::<Value>(text)
            .map(|v| write("", &v))
            .unwrap_or_else(|_| text.to_owned()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    /// `access` for the access log; the change log otherwise.
    log: String,
    from: String,
    to: String,
    person: String,
    action: String,
    entity: String,
    record: String,
    page: Option<i64>,
    verify: Option<String>,
}

impl AuditQuery {
    fn access(&self) -> bool {
        self.log == "access"
    }

    /// The filter, or the field that is wrong with it.
    fn filter(&self) -> Result<AccessFilter, WebError> {
        let given = |s: &str| {
            Some(s.trim().chars().take(200).collect::<String>()).filter(|s| !s.is_empty())
        };
        let day = |field: &str, raw: &str, next: bool| -> Result<Option<i64>, WebError> {
            let Some(raw) = given(raw) else {
                return Ok(None);
            };
            let date = domain::period::parse_date(field, &raw)?;
            let date = if next {
                date.succ_opt().unwrap_or(date)
            } else {
                date
            };
            Ok(Some(beijing_midnight(date)))
        };
        Ok(AccessFilter {
            from: day("起始日期", &self.from, false)?,
            until: day("截止日期", &self.to, true)?,
            username: given(&self.person),
            action: given(&self.action),
            entity: given(&self.entity).filter(|_| !self.access()),
            path: given(&self.record),
        })
    }

    /// This query's address with another page.
    fn href(&self, page: i64) -> String {
        let pairs = [
            ("log", self.log.as_str()),
            ("from", &self.from),
            ("to", &self.to),
            ("person", &self.person),
            ("action", &self.action),
            ("entity", &self.entity),
            ("record", &self.record),
        ];
        let mut query: String = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}&", crate::kit::render::encode(v)))
            .collect();
        query.push_str(&format!("page={page}"));
        query
    }
}

fn beijing_midnight(date: NaiveDate) -> i64 {
    let beijing = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| {
        FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!("UTC is a valid offset"))
    });
    beijing
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .map_or(0, |t| t.timestamp_millis())
}

pub struct Row {
    number: i64,
    at: String,
    person: String,
    kind: String,
    record: String,
    action: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    query: AuditQuery,
    access: bool,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    previous: Option<String>,
    next: Option<String>,
    export: String,
    actions: Vec<(&'static str, &'static str)>,
    entities: &'static [(&'static str, &'static str)],
    verdict: Option<(bool, String)>,
    /// A filter that could not be read, beside the form that keeps what was typed.
    error: Option<String>,
}

fn check(user: &CurrentUser) -> Result<Actor, WebError> {
    let actor = user.actor();
    if !actor.reads_audit_log() {
        return Err(WebError::Forbidden);
    }
    Ok(actor)
}

/// The rows of either log, and how many match.
async fn rows(
    state: &AppState,
    query: &AuditQuery,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Row>, i64), WebError> {
    let filter = query.filter()?;
    if query.access() {
        let (entries, total) = state.store.access_entries(&filter, offset, limit).await?;
        let rows = entries
            .into_iter()
            .map(|e| Row {
                number: e.id,
                at: when(e.at),
                person: e.username.unwrap_or_else(|| "（未登录）".into()),
                kind: format!("{} {}", e.method, e.status),
                record: match &e.query {
                    Some(q) => format!("{}?{q}", e.path),
                    None => e.path.clone(),
                },
                action: label(ACCESS_ACTIONS, &e.action).to_owned(),
                detail: e
                    .address
                    .map(|a| format!("客户端地址：{a}"))
                    .unwrap_or_default(),
            })
            .collect();
        return Ok((rows, total));
    }
    let (entries, total) = state.store.change_entries(&filter, offset, limit).await?;
    let rows = entries
        .into_iter()
        .map(|e| {
            let before = readable(e.before.as_deref());
            let after = readable(e.after.as_deref());
            let detail = match (before.is_empty(), after.is_empty()) {
                (true, _) => after,
                (false, true) => format!("原为：{before}"),
                (false, false) => format!("原为：{before}\n改为：{after}"),
            };
            Row {
                number: e.seq.unwrap_or_default(),
                at: when(e.at),
                person: e.actor,
                kind: label(ENTITIES, &e.entity).to_owned(),
                record: e.entity_key,
                action: label(ACTIONS, &e.action).to_owned(),
                detail,
            }
        })
        .collect();
    Ok((rows, total))
}

pub async fn audit_log(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<AuditQuery>,
) -> Result<Html<String>, WebError> {
    check(&user)?;
    let page = page_number(query.page)?;
    let (rows, total, error) = match rows(&state, &query, (page - 1) * PAGE_SIZE, PAGE_SIZE).await {
        Ok((rows, total)) => (rows, total, None),
        Err(WebError::Invalid(errors)) => (
            Vec::new(),
            0,
            Some(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
        ),
        Err(other) => return Err(other),
    };
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let verdict = match query.verify {
        Some(_) => {
            let verdict = state.store.verify_audit().await?;
            Some(match verdict.breach {
                None => (
                    true,
                    format!(
                        "已核验 {} 条，哈希链完整。链头：第 {} 条，哈希 {}",
                        verdict.checked,
                        verdict.head.seq,
                        domain::audit::to_hex(&verdict.head.hash)
                    ),
                ),
                Some(breach) => (false, format!("审计日志被篡改：{}。", breach.describe())),
            })
        }
        None => None,
    };
    let access = query.access();
    Ok(Html(render(&AuditPage {
        layout: Layout::of(&user),
        access,
        rows,
        total,
        page,
        pages,
        previous: (page > 1).then(|| query.href(page - 1)),
        next: (page < pages).then(|| query.href(page + 1)),
        export: query.href(1),
        actions: if access {
            ACCESS_ACTIONS.to_vec()
        } else {
            ACTIONS.to_vec()
        },
        entities: ENTITIES,
        verdict,
        error,
        query,
    })?))
}

/// GET /audit/export: what the filters select, as a workbook.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<AuditQuery>,
) -> Result<Response, WebError> {
    check(&user)?;
    let (rows, total) = rows(&state, &query, 0, EXPORT_ROWS).await?;
    if total > EXPORT_ROWS {
        return Err(WebError::BadRequest(format!(
            "符合条件的记录有 {total} 条，超过一次导出的上限 {EXPORT_ROWS} 条，请缩小日期范围后分次导出"
        )));
    }
    let (title, headers): (&str, [&str; 7]) = if query.access() {
        (
            "访问审计记录",
            ["编号", "时间", "账号", "请求", "访问地址", "类别", "说明"],
        )
    } else {
        (
            "审计日志",
            ["序号", "时间", "操作人", "对象类型", "对象", "动作", "内容"],
        )
    };
    let cells: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            vec![
                r.number.to_string(),
                r.at,
                r.person,
                r.kind,
                r.record,
                r.action,
                r.detail,
            ]
        })
        .collect();
    let bytes = exchange::listing_xlsx(title, &headers, &cells)
        .map_err(crate::kit::error::exchange_error)?;
    Ok(xlsx_response(bytes, title).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_as_chinese_not_json() {
        assert_eq!(
            readable(Some(r#"{"reason":"wrong_password","address":"10.0.0.7"}"#)),
            "客户端地址：10.0.0.7；原因：密码错误"
        );
        assert_eq!(readable(Some("\"locked\"")), "账号已锁定");
        assert_eq!(
            readable(Some(
                r#"{"amount":29930000,"verified":false,"role":"unit"}"#
            )),
            "金额：2,993.00万元；角色：单位填报员；已核实：否"
        );
        assert_eq!(readable(Some("1796657006877")), when(1_796_657_006_877));
        assert_eq!(readable(None), "");
    }
}
