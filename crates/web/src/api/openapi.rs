//! The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`. It is kept beside
//! `api::router()`; the tests request every path it lists, so a route removed or renamed without
//! this document following fails them.

use serde_json::{Value, json};

fn error_responses(codes: &[&str]) -> Value {
    let mut out = serde_json::Map::new();
    for code in codes {
        let description = match *code {
            "400" => "请求体不是有效的JSON",
            "401" => "未登录",
            "403" => "无权进行此操作",
            "404" => "不存在或不在权限范围内",
            "409" => "与已有记录冲突",
            "422" => "字段不符合规则（field 指出字段）",
            _ => "错误",
        };
        out.insert(
            (*code).to_owned(),
            json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
        );
    }
    Value::Object(out)
}

fn ok(description: &str, status: &str, schema: Value, errors: &[&str]) -> Value {
    let mut responses = error_responses(errors);
    if let Value::Object(map) = &mut responses {
        map.insert(
            status.to_owned(),
            json!({"description": description, "content": {"application/json": {"schema": schema}}}),
        );
    }
    responses
}

fn code_param() -> Value {
    json!({"name": "code", "in": "path", "required": true, "description": "项目编号", "schema": {"type": "string"}})
}

fn body(schema: &str) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

/// The document.
pub fn document() -> Value {
    let reference = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let list_of = |name: &str| json!({"type": "object", "properties": {"items": {"type": "array", "items": reference(name)}}});
    let created = json!({"type": "object", "properties": {"id": {"type": "integer"}}});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "招商引资与项目建设管理平台 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Amounts are whole 元 (integers) when read; when written they are 万元 given as text \
                (\"amount_wan\": \"1.2345\") so that no floating point intervenes. Every route but this document needs \
                either a personal token (Authorization: Bearer zst_…, made at /account/tokens; no CSRF header; \
                600 requests a minute per token) or a signed-in session (the zs_session cookie from POST /login, \
                with X-CSRF-Token on writes). Unit accounts see only their unit's projects: \
                another unit's project answers 404."
        },
        "paths": {
            "/api/v1/projects": {
                "get": {
                    "summary": "项目列表（当前账号可见范围内）",
                    "parameters": [
                        {"name": "unit", "in": "query", "schema": {"type": "string"}, "description": "所在或承担的单位"},
                        {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "名称或编号中的文字"},
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                        {"name": "size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}
                    ],
                    "responses": ok("一页项目", "200", json!({"type": "object", "properties": {
                        "total": {"type": "integer"}, "page": {"type": "integer"}, "size": {"type": "integer"},
                        "items": {"type": "array", "items": reference("ProjectSummary")}}}), &["401", "403"])
                },
                "post": {
                    "summary": "新建项目",
                    "requestBody": body("NewProject"),
                    "responses": ok("已创建", "201", json!({"type": "object", "properties": {"code": {"type": "string"}}}),
                        &["400", "401", "403", "409", "422"])
                }
            },
            "/api/v1/projects/{code}": {
                "get": {
                    "summary": "项目及其下一步所缺",
                    "parameters": [code_param()],
                    "responses": ok("项目", "200", json!({"type": "object"}), &["401", "404"])
                }
            },
            "/api/v1/projects/{code}/events": {
                "get": {"summary": "项目的阶段事件（含更正）", "parameters": [code_param()],
                        "responses": ok("事件", "200", list_of("RecordedEvent"), &["401", "404"])},
                "post": {"summary": "记录阶段事件", "parameters": [code_param()], "requestBody": body("NewEvent"),
                         "responses": ok("已记录", "201", created.clone(), &["400", "401", "403", "404", "409", "422"])}
            },
            "/api/v1/projects/{code}/funds": {
                "get": {"summary": "项目的到位资金", "parameters": [code_param()],
                        "responses": ok("到位资金", "200", json!({"type": "object"}), &["401", "404"])},
                "post": {"summary": "记录到位资金", "parameters": [code_param()], "requestBody": body("NewFund"),
                         "responses": ok("已记录", "201", created.clone(), &["400", "401", "403", "404", "409", "422"])}
            },
            "/api/v1/units": {
                "get": {"summary": "责任单位", "responses": ok("单位", "200", json!({"type": "object"}), &["401"])}
            },
            "/api/v1/visits": {
                "get": {"summary": "对接走访记录（当前账号的范围）", "responses": ok("对接记录", "200", json!({"type": "object"}), &["401", "403"])},
                "post": {"summary": "记录对接走访", "requestBody": body("NewVisit"),
                         "responses": ok("已记录", "201", created, &["400", "401", "403", "404", "409", "422"])}
            },
            "/api/v1/scoreboard": {
                "get": {
                    "summary": "晒单：一个期间全市和各单位的全部指标（SPEC §3 的形状）",
                    "parameters": [
                        {"name": "year", "in": "query", "schema": {"type": "integer"}, "description": "年度；缺省为有记录的最近一年"},
                        {"name": "period", "in": "query", "schema": {"type": "string", "enum": [
                            "M01", "M02", "M03", "M04", "M05", "M06", "M07", "M08", "M09", "M10", "M11", "M12",
                            "Q1", "Q2", "Q3", "Q4", "H1", "H2", "Y", "YTD"]}},
                        {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "YTD 的截至日期"},
                        {"name": "pending", "in": "query", "schema": {"type": "string", "enum": ["1"]}, "description": "为1时统计含待审核的记录（默认只计已审核的记录）"}
                    ],
                    "responses": ok("晒单", "200", json!({"type": "object", "description":
                        "year, period, start, end, first_year, city: {指标id: Figure, by_source}, units: [{unit, group, rank, mean_task_progress, indicators, by_source}]；\
                         by_source: {招商方式（未填写者为“未填”）: {signed_projects, signed_amount, funds_in_place}}；Figure: value, last_year, yoy_pct, record, target, cumulative, task_progress, time_progress, behind, light；金额为整数元，比率为0–1的小数"}),
                        &["400", "401", "403"])
                }
            },
            "/api/v1/openapi.json": {
                "get": {"summary": "本文档", "security": [], "responses": {"200": {"description": "OpenAPI 文档"}}}
            }
        },
        "security": [{"bearerToken": []}, {"sessionCookie": []}],
        "components": {
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer", "description": "个人接口令牌（/account/tokens 生成，以 zst_ 开头）"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "zs_session", "description": "浏览器登录会话；写操作另需 X-CSRF-Token 请求头"}
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string", "enum": ["bad_request", "unauthenticated", "forbidden", "not_found", "conflict", "invalid", "too_large", "too_many_requests", "internal"]},
                        "message": {"type": "string", "description": "中文说明"},
                        "field": {"type": ["string", "null"], "description": "出错的字段：请求体中的键名（第一个）"},
                        "errors": {"type": "array", "description": "输入有误时，每个出错的字段及原因",
                            "items": {"type": "object", "required": ["field", "message"], "properties": {
                                "field": {"type": "string"}, "message": {"type": "string"}}}}}}}},
                "ProjectSummary": {"type": "object", "properties": {
                    "code": {"type": "string"}, "name": {"type": "string"}, "territory": {"type": "string"},
                    "chain": {"type": ["string", "null"]}, "state": {"type": "string"},
                    "signed_amount": {"type": ["integer", "null"], "description": "元"},
                    "signed_on": {"type": ["string", "null"], "format": "date"}, "key_project": {"type": "boolean"}}},
                "NewProject": {"type": "object", "required": ["code", "name", "territory"], "properties": {
                    "code": {"type": "string"}, "name": {"type": "string"}, "territory": {"type": "string"},
                    "credited": {"type": "array", "items": {"type": "string"}}, "investor": {"type": "string"},
                    "investor_code": {"type": "string", "description": "统一社会信用代码"},
                    "signed_amount_wan": {"type": "string", "description": "万元，最多四位小数"}, "key_project": {"type": "boolean"}}},
                "NewEvent": {"type": "object", "required": ["kind", "date"], "properties": {
                    "kind": {"type": "string", "enum": ["线索", "在谈", "签约", "落地", "开工", "停工", "复工", "投产", "达效", "停滞", "终止"]},
                    "date": {"type": "string", "format": "date"}, "amount_wan": {"type": "string"},
                    "company_code": {"type": "string"}, "parcel": {"type": "string"}, "note": {"type": "string"}}},
                "RecordedEvent": {"type": "object", "properties": {"id": {"type": "integer"}, "event": {"type": "object"},
                    "correction": {"type": ["object", "null"]}}},
                "NewFund": {"type": "object", "required": ["date", "amount_wan"], "properties": {
                    "date": {"type": "string", "format": "date"}, "amount_wan": {"type": "string"},
                    "currency": {"type": "string", "enum": ["人民币", "美元", "CNY", "USD"]}, "source": {"type": "string"}}},
                "NewVisit": {"type": "object", "required": ["date"], "properties": {
                    "date": {"type": "string", "format": "date"}, "unit": {"type": "string"}, "enterprise": {"type": "string"},
                    "enterprise_code": {"type": "string"}, "leaders": {"type": "string"}, "mode": {"type": "string"},
                    "place": {"type": "string"}, "content": {"type": "string"}, "outcome": {"type": "string"},
                    "project_code": {"type": "string"}}}
            }
        }
    })
}
