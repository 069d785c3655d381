//! The records projects refer to by name — units, leaders, chains, work teams — each listed
//! with a form that adds one or, given an existing name, changes it; and their export.
//! 系统管理员 and 招商局 keep units; 招商局 keeps the rest; whoever reads projects reads these.

use std::collections::HashMap;

use crate::kit::form::Form;
use crate::kit::request::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::FieldError;
use domain::records::{Chain, Leader, ScoreGroup, Team, Unit, UnitKind};
use domain::text::optional;
use exchange::Kind;
use store::Store;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::{Choice, choices};
use crate::kit::render::render;
use crate::kit::view::Layout;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Org {
    Units,
    Leaders,
    Chains,
    Teams,
}

impl Org {
    fn from_path(name: &str) -> Result<Org, WebError> {
        match name {
            "units" => Ok(Org::Units),
            "leaders" => Ok(Org::Leaders),
            "chains" => Ok(Org::Chains),
            "teams" => Ok(Org::Teams),
            _ => Err(WebError::NotFound("没有这个页面".into())),
        }
    }

    fn kind(self) -> Kind {
        match self {
            Org::Units => Kind::Units,
            Org::Leaders => Kind::Leaders,
            Org::Chains => Kind::Chains,
            Org::Teams => Kind::Teams,
        }
    }

    fn may_read(self, user: &CurrentUser) -> bool {
        self == Org::Units || user.actor().reads_projects()
    }

    fn may_edit(self, user: &CurrentUser) -> bool {
        let actor = user.actor();
        if self == Org::Units {
            actor.manages_units()
        } else {
            actor.manages_city_data()
        }
    }
}

/// One input of the add-or-change form.
pub struct Input {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
    options: Option<Vec<Choice>>,
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrgPage {
    layout: Layout,
    path: &'static str,
    title: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    can_edit: bool,
    inputs: Vec<Input>,
    errors: Vec<FieldError>,
}

impl OrgPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

async fn page(
    store: &Store,
    user: &CurrentUser,
    org: Org,
    form: &HashMap<String, String>,
    errors: Vec<FieldError>,
) -> Result<OrgPage, WebError> {
    let value = |name: &str| form.get(name).cloned().unwrap_or_default();
    let input = |name, label, hint| Input {
        name,
        label,
        hint,
        value: value(name),
        options: None,
    };
    let select = |name, label, values: Vec<String>| {
        let mut all = vec![String::new()];
        all.extend(values);
        let chosen = value(name);
        Input {
            name,
            label,
            hint: "",
            value: chosen.clone(),
            options: Some(choices(all.iter().map(String::as_str), &chosen)),
        }
    };
    let leaders = || async {
        Ok::<_, WebError>(
            store
                .leaders()
                .await?
                .into_iter()
                .map(|l| l.name)
                .collect::<Vec<_>>(),
        )
    };
    let (path, title, headers, rows, inputs) = match org {
        Org::Units => {
            let units = store.units().await?;
            let names = units.iter().map(|u| u.name.clone()).collect();
            let rows = units
                .iter()
                .map(|u| {
                    vec![
                        u.name.clone(),
                        u.kind.label().to_owned(),
                        u.group.map(|g| g.label().to_owned()).unwrap_or_default(),
                        text(&u.division_code),
                        text(&u.parent),
                    ]
                })
                .collect();
            let kinds: Vec<String> = UnitKind::ALL.iter().map(|k| k.label().to_owned()).collect();
            let groups: Vec<String> = ScoreGroup::ALL
                .iter()
                .map(|g| g.label().to_owned())
                .collect();
            let inputs = vec![
                input("name", "单位名称", "已有名称则修改该单位"),
                select("kind", "类型", kinds),
                select("group", "分组", groups),
                input("division_code", "行政区划代码", "6位数字，可不填"),
                select("parent", "上级单位", names),
            ];
            (
                "units",
                "责任单位",
                vec!["单位名称", "类型", "分组", "行政区划代码", "上级单位"],
                rows,
                inputs,
            )
        }
        Org::Leaders => {
            let rows = store
                .leaders()
                .await?
                .iter()
                .map(|l| vec![l.name.clone(), text(&l.title)])
                .collect();
            let inputs = vec![
                input("name", "姓名", "已有姓名则修改"),
                input("title", "职务", ""),
            ];
            ("leaders", "领导", vec!["姓名", "职务"], rows, inputs)
        }
        Org::Chains => {
            let rows = store
                .chains()
                .await?
                .iter()
                .map(|c| vec![c.name.clone(), text(&c.industry), text(&c.chain_leader)])
                .collect();
            let inputs = vec![
                input("name", "产业链名称", "已有名称则修改"),
                input("industry", "主导产业", ""),
                select("leader", "链长", leaders().await?),
            ];
            (
                "chains",
                "产业链",
                vec!["产业链名称", "主导产业", "链长"],
                rows,
                inputs,
            )
        }
        Org::Teams => {
            let rows = store
                .teams()
                .await?
                .iter()
                .map(|t| vec![t.name.clone(), text(&t.leader)])
                .collect();
            let inputs = vec![
                input("name", "专班名称", "已有名称则修改"),
                select("leader", "牵头领导", leaders().await?),
            ];
            (
                "teams",
                "工作专班",
                vec!["专班名称", "牵头领导"],
                rows,
                inputs,
            )
        }
    };
    Ok(OrgPage {
        layout: Layout::of(user),
        path,
        title,
        headers,
        rows,
        can_edit: org.may_edit(user),
        inputs,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
) -> Result<Html<String>, WebError> {
    let org = Org::from_path(&name)?;
    if !org.may_read(&user) {
        return Err(WebError::Forbidden);
    }
    Ok(Html(render(
        &page(&state.store, &user, org, &HashMap::new(), Vec::new()).await?,
    )?))
}

/// Adds a record, or changes the one with the same name.
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let org = Org::from_path(&name)?;
    user.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    if !org.may_edit(&user) {
        return Err(WebError::Forbidden);
    }
    let get = |key: &str| form.get(key).map_or("", String::as_str);
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    let outcome: Result<(), WebError> = async {
        match org {
            Org::Units => {
                let kind = UnitKind::parse("类型", get("kind"))?;
                let group = optional(get("group"))
                    .map(|g| ScoreGroup::parse("分组", &g))
                    .transpose()?;
                let unit = Unit::new(
                    get("name"),
                    kind,
                    group,
                    optional(get("division_code")),
                    optional(get("parent")),
                )?;
                tx.upsert_unit(&unit).await?;
            }
            Org::Leaders => {
                let mut leader = Leader::new(get("name"), optional(get("title")))?;
                leader.illustrative = false;
                tx.upsert_leader(&leader).await?;
            }
            Org::Chains => {
                tx.upsert_chain(&Chain::new(
                    get("name"),
                    optional(get("industry")),
                    optional(get("leader")),
                )?)
                .await?;
            }
            Org::Teams => {
                tx.upsert_team(&Team::new(get("name"), optional(get("leader")))?)
                    .await?;
            }
        }
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/{name}")).into_response())
        }
        Err(WebError::Invalid(errors)) => {
            tx.rollback().await?;
            let page = page(&state.store, &user, org, &form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(serde::Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: String,
}

pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, WebError> {
    let org = Org::from_path(&name)?;
    if !org.may_read(&user) {
        return Err(WebError::Forbidden);
    }
    let format = crate::kit::render::file_format(&query.format);
    let bytes = exchange::export_bytes(&state.store, org.kind(), format)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(crate::kit::render::attachment(
        bytes,
        format,
        org.kind().label(),
    ))
}
