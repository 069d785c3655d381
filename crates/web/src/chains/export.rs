//! A chain map and a segment's target firms as files: what the pages list, in the viewer's scope.

use axum::extract::State;
use axum::response::Response;

use super::{ViewQuery, chain_page, targets_page, view_of};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::request::{Path, Query};

/// GET /chain-maps/{name}/export[?view=…]&format=xlsx|csv: the segments the map lists, with
/// their firms, targets and projects (the projects in the viewer's scope).
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(chain): Path<String>,
    Query(query): Query<ViewQuery>,
) -> Result<Response, WebError> {
    let view = view_of(&query)?;
    let page = chain_page(&state, &user, &chain, view, None).await?;
    let mut listing = exchange::Listing::new(
        format!("{}图谱", page.chain),
        &[
            "位置",
            "环节",
            "行业代码",
            "状况",
            "建议",
            "本地企业（已有）",
            "目标企业",
            "填补项目",
        ],
    );
    if let Some((label, _, _)) = page.view {
        listing.note(format!("视图：{label}"));
    }
    let lines = |names: Vec<String>| names.join("\n");
    for r in page.rows {
        listing.push(vec![
            r.segment.position.label().into(),
            r.segment.name.as_str().into(),
            r.industries.into(),
            r.strength.into(),
            r.action.unwrap_or_default().into(),
            lines(
                r.segment
                    .local
                    .iter()
                    .map(|f| {
                        if f.chain_leader {
                            format!("{}（链主）", f.name)
                        } else {
                            f.name.clone()
                        }
                    })
                    .collect(),
            )
            .into(),
            lines(r.segment.targets.iter().map(|f| f.name.clone()).collect()).into(),
            lines(
                r.segment
                    .projects
                    .iter()
                    .map(|p| format!("{}（{}）", p.name, p.stage))
                    .collect(),
            )
            .into(),
        ]);
    }
    crate::kit::render::listing_download(
        &user,
        listing,
        crate::kit::render::file_format(&query.format),
    )
}

/// GET /chain-maps/{name}/segments/{id}/targets/export?format=xlsx|csv: the shortlist to work
/// through, each firm with its score and the reasons for it.
pub async fn export_targets(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((chain, id)): Path<(String, i64)>,
    Query(query): Query<crate::kit::render::FormatQuery>,
) -> Result<Response, WebError> {
    let page = targets_page(&state, &user, chain, id).await?;
    let mut listing = exchange::Listing::new(
        format!("{}目标企业推荐", page.segment.name),
        &["名次", "企业", "得分", "依据"],
    );
    listing.note(format!(
        "{}·{}环节，行业代码 {}，本地企业 {} 家（{}）",
        page.chain,
        page.segment.position.label(),
        page.industries,
        page.segment.local.len(),
        page.strength
    ));
    for (rank, r) in page.recommendations.into_iter().enumerate() {
        listing.push(vec![
            (rank + 1).into(),
            r.name.into(),
            i64::from(r.score).into(),
            r.reasons
                .iter()
                .map(|(why, points)| format!("{why}（+{points}）"))
                .collect::<Vec<_>>()
                .join("；")
                .into(),
        ]);
    }
    crate::kit::render::listing_download(&user, listing, query.file_format())
}
