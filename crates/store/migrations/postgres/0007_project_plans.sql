-- 计划进度: a project's planned dates of 签约, 落地, 开工, 投产, 达效 (issue 5), one row per
-- planned milestone; the actual dates are the project's events.

CREATE TABLE project_plans (
    project_id BIGINT NOT NULL REFERENCES projects (id),
    stage      TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    PRIMARY KEY (project_id, stage)
);
