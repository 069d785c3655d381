//! The columns of each kind of file (SPEC §5), shared by import, export and the templates.

use crate::table::header_key;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Units,
    Leaders,
    Chains,
    Teams,
    Enterprises,
    Segments,
    SegmentFirms,
    Projects,
    ProjectSegments,
    Events,
    Funds,
    Visits,
    VisitPlans,
    Targets,
    LeaderUnits,
    Elements,
    Blockers,
    Financing,
}

impl Kind {
    pub const ALL: [Kind; 18] = [
        Kind::Units,
        Kind::Leaders,
        Kind::Chains,
        Kind::Teams,
        Kind::Enterprises,
        Kind::Segments,
        Kind::SegmentFirms,
        Kind::Projects,
        Kind::ProjectSegments,
        Kind::Events,
        Kind::Funds,
        Kind::Visits,
        Kind::VisitPlans,
        Kind::Targets,
        Kind::LeaderUnits,
        Kind::Elements,
        Kind::Blockers,
        Kind::Financing,
    ];

    /// The word used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Units => "units",
            Kind::Leaders => "leaders",
            Kind::Chains => "chains",
            Kind::Teams => "teams",
            Kind::Enterprises => "enterprises",
            Kind::Segments => "segments",
            Kind::SegmentFirms => "segment-firms",
            Kind::Projects => "projects",
            Kind::ProjectSegments => "project-segments",
            Kind::Events => "events",
            Kind::Funds => "funds",
            Kind::Visits => "visits",
            Kind::VisitPlans => "visit-plans",
            Kind::Targets => "targets",
            Kind::LeaderUnits => "leader-units",
            Kind::Elements => "elements",
            Kind::Blockers => "blockers",
            Kind::Financing => "financing",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Units => "责任单位",
            Kind::Leaders => "领导",
            Kind::Chains => "产业链",
            Kind::Teams => "工作专班",
            Kind::Enterprises => "企业",
            Kind::Segments => "产业链环节",
            Kind::SegmentFirms => "环节企业",
            Kind::Projects => "项目",
            Kind::ProjectSegments => "项目所在环节",
            Kind::Events => "项目阶段事件",
            Kind::Funds => "到位资金",
            Kind::Visits => "对接走访记录",
            Kind::VisitPlans => "敲门计划",
            Kind::Targets => "目标任务",
            Kind::LeaderUnits => "领导包保县区",
            Kind::Elements => "要素保障",
            Kind::Blockers => "堵点问题",
            Kind::Financing => "融资方案",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One column: its header as written in templates and exports (the unit or allowed values in
/// parentheses), whether it is required, a note for the template, and an example value.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub required: bool,
    pub note: &'static str,
    pub example: &'static str,
}

impl Column {
    /// The name used to match headers and to name the column in messages.
    pub fn key(&self) -> &'static str {
        header_key(self.header)
    }
}

const fn req(header: &'static str, note: &'static str, example: &'static str) -> Column {
    Column {
        header,
        required: true,
        note,
        example,
    }
}

const fn opt(header: &'static str, note: &'static str, example: &'static str) -> Column {
    Column {
        header,
        required: false,
        note,
        example,
    }
}

const UNITS: &[Column] = &[
    req("单位名称", "单位全称，全市唯一", "集贤县"),
    req("类型(市本级/县/区/开发区/部门/驻外)", "单位类型", "县"),
    opt(
        "分组(县区/部门/驻外)",
        "晒单排名分组；不填时按类型确定（县、区、开发区为县区）",
        "县区",
    ),
    opt("行政区划代码", "6位数字，如 230521", "230521"),
    opt(
        "上级单位",
        "已有单位或本文件中的单位名称；市本级不填",
        "双鸭山市",
    ),
];

const LEADERS: &[Column] = &[
    req("姓名", "领导姓名，全市唯一", "王建国"),
    opt("职务", "如 副市长", "副市长"),
];

const CHAINS: &[Column] = &[
    req("产业链名称", "全市唯一", "新能源产业链"),
    opt("主导产业", "所属主导产业", "新能源"),
    opt("链长", "担任链长的市级领导姓名，须已录入", "王建国"),
];

const TEAMS: &[Column] = &[
    req("专班名称", "全市唯一", "新能源产业专班"),
    opt("牵头领导", "牵头的市级领导姓名，须已录入", "王建国"),
];

const ENTERPRISES: &[Column] = &[
    req(
        "企业名称",
        "有信用代码的按代码、没有的按名称识别；再次导入将更新",
        "中国船舶集团有限公司",
    ),
    opt(
        "统一社会信用代码",
        "18位，按GB 32100校验",
        "91310000710924478P",
    ),
    opt(
        "行业代码",
        "GB/T 4754-2017，如 C3511；可省略门类字母",
        "C3731",
    ),
    opt("省份", "", "北京市"),
    opt("城市", "", "北京市"),
    opt("注册资本(万元)", "最多四位小数", "11000000"),
    opt("成立日期", "如 2019-11-08", "2019-11-08"),
    opt("规模(大型/中型/小型/微型)", "", "大型"),
    opt(
        "标签(多个以、分隔)",
        "世界500强、中国500强、上市、行业龙头等",
        "世界500强、行业龙头",
    ),
    opt(
        "经营范围",
        "营业执照所载，参与全文检索",
        "船舶、海洋工程装备的设计、制造与销售",
    ),
];

const PROJECTS: &[Column] = &[
    req(
        "项目编号",
        "全市唯一；再次导入同一编号将更新该项目",
        "SYS-2022-001",
    ),
    req("项目名称", "", "集贤200兆瓦风电项目"),
    opt(
        "投资企业",
        "投资方企业名称",
        "中船风电双鸭山新能源开发有限公司",
    ),
    opt(
        "统一社会信用代码",
        "投资企业的18位代码，按GB 32100校验",
        "91350100M000100Y43",
    ),
    opt("产业链", "须为已录入的产业链", "新能源产业链"),
    req("所在县区", "项目落地的单位，须已录入", "集贤县"),
    opt(
        "责任单位(多个以、分隔)",
        "承担该项目任务的部门或驻外机构",
        "市发展和改革委员会、市驻北京招商服务中心",
    ),
    opt("分管领导", "须为已录入的领导", "王建国"),
    opt("工作专班", "须为已录入的专班", "新能源产业专班"),
    opt("招商方式", "取值见“招商方式”可选值", "政府团队"),
    opt("资金来源(内资/外资)", "不填为内资", "内资"),
    opt(
        "币种",
        "人民币、美元、欧元、港元、日元；不填为人民币",
        "人民币",
    ),
    opt("计划总投资(万元)", "最多四位小数", "120000"),
    opt("签约额(万元)", "人民币万元，最多四位小数", "120000"),
    opt("重点项目(是/否)", "", "是"),
];

const EVENTS: &[Column] = &[
    req("项目编号", "须为已录入的项目", "SYS-2022-001"),
    req(
        "阶段(线索/在谈/签约/落地/开工/停工/复工/投产/达效/停滞/终止)",
        "只能向后推进，可跳过阶段",
        "签约",
    ),
    req(
        "日期(YYYY-MM-DD)",
        "不早于该项目上一事件，不晚于今天",
        "2022-03-15",
    ),
    opt(
        "金额(万元)",
        "仅签约填写：签约额；不填则取项目的签约额",
        "120000",
    ),
    opt("落地企业信用代码", "落地须填落地企业信用代码或地块编号", ""),
    opt("地块编号", "落地须填落地企业信用代码或地块编号", ""),
    opt("说明", "停滞、终止须说明原因", ""),
];

const FUNDS: &[Column] = &[
    req("项目编号", "须为已录入的项目", "SYS-2022-001"),
    req("日期", "资金到位日期，如 2022-05-31", "2022-05-31"),
    req("金额(万元)", "按币种计的万元数，最多四位小数", "5000"),
    opt("币种", "人民币或美元；不填为人民币", "人民币"),
    opt("来源", "取值见“资金来源”可选值", "自有"),
    opt("已核实(是/否)", "", "否"),
];

const VISITS: &[Column] = &[
    req("日期", "对接日期", "2022-05-06"),
    opt("单位", "开展对接的单位；不填只计入全市", "集贤县"),
    opt("企业名称", "", "浙江碳一新能源有限公司"),
    opt("统一社会信用代码", "企业的18位代码", ""),
    opt("带队领导", "", "王建国"),
    opt("方式", "取值见“对接方式”可选值", "上门拜访"),
    opt("地点", "", "杭州"),
    opt("内容", "", "洽谈石墨负极材料项目"),
    opt("成果", "", "达成投资意向"),
    opt("项目编号", "关联的项目，须已录入", ""),
];

const TARGETS: &[Column] = &[
    req("年度", "如 2022", "2022"),
    req("单位", "单位名称，或“全市”表示全市目标", "全市"),
    req(
        "指标",
        "指标中文名称，如 签约项目数、签约额、到位资金",
        "签约项目数",
    ),
    req("目标值", "金额类指标以万元计，其余为个数", "160"),
];

const LEADER_UNITS: &[Column] = &[
    req(
        "领导",
        "须为已录入的领导；再次导入将替换其包保县区",
        "王建国",
    ),
    opt(
        "包保县区(多个以、分隔)",
        "须为已录入的单位；不填表示不包保县区",
        "集贤县、宝清县",
    ),
];

const ELEMENTS: &[Column] = &[
    req("项目编号", "须为已录入的项目", "SYS-2022-001"),
    req(
        "事项",
        "立项、可研批复、用地指标、规划许可、环评、能评、施工许可、资金/融资、用工、水、电、气、运输",
        "施工许可",
    ),
    req("状态(不涉及/未启动/办理中/已完成)", "", "办理中"),
    opt(
        "责任部门",
        "未完成的事项必填，须为已录入的单位",
        "市住房和城乡建设局",
    ),
    opt("应完成日期", "", "2022-09-30"),
    opt("完成日期", "已完成的事项必填", ""),
];

const BLOCKERS: &[Column] = &[
    req("项目编号", "须为已录入的项目", "SYS-2022-001"),
    req(
        "问题描述",
        "同一项目同一天同样描述的问题只登记一次",
        "施工用电接入工程未完成",
    ),
    req("问题类别", "取值见“堵点类别”可选值", "水电气暖"),
    req("提出日期", "", "2022-06-01"),
    req("责任单位", "须为已录入的单位", "市能源局"),
    opt("责任领导", "须为已录入的领导", "王建国"),
    req("办结时限", "不早于提出日期", "2022-06-30"),
    opt("状态(待处理/处理中/已解决)", "不填为待处理", "待处理"),
    opt("解决情况", "已解决的必填", ""),
    opt("办结日期", "已解决的必填", ""),
];

const FINANCING: &[Column] = &[
    req(
        "项目编号",
        "须为已录入的项目；再次导入将替换其融资方案",
        "SYS-2022-001",
    ),
    req("融资需求(万元)", "最多四位小数", "30000"),
    req("资金来源构成", "", "企业自有资金40%、银行贷款60%"),
    opt("合作金融机构", "编制中以外的状态必填", "龙江银行双鸭山分行"),
    req(
        "状态(编制中/已对接金融机构/已获批/已放款)",
        "",
        "已对接金融机构",
    ),
];

const SEGMENTS: &[Column] = &[
    req("产业链", "已有的产业链名称", "新能源产业链"),
    req("环节", "同一产业链中已有的环节将被更新", "风电整机"),
    req("位置(上游/中游/下游/配套)", "", "中游"),
    opt(
        "行业代码(多个以、分隔)",
        "国民经济行业分类代码，推荐目标企业时据此匹配",
        "C3415",
    ),
];

const SEGMENT_FIRMS: &[Column] = &[
    req("产业链", "", "新能源产业链"),
    req("环节", "该产业链中已有的环节", "风电整机"),
    req(
        "企业",
        "企业库中企业的统一社会信用代码或完整名称",
        "91350100M000100Y43",
    ),
    req("类别(已有/目标)", "已有：本地企业；目标：招引对象", "目标"),
    opt("链主企业(是/否)", "链主须为已有企业", "否"),
];

const PROJECT_SEGMENTS: &[Column] = &[
    req("项目编号", "已录入的项目", "SYS-2022-001"),
    req("产业链", "", "新能源产业链"),
    req(
        "环节",
        "该产业链中已有的环节：项目补上或做强的一环",
        "风电整机",
    ),
];

const VISIT_PLANS: &[Column] = &[
    req("目标企业", "", "中国船舶集团风电发展有限公司"),
    opt("统一社会信用代码", "", ""),
    opt("单位", "负责走访的单位；空表示市级计划", "集贤县"),
    opt("带队领导", "", ""),
    req("计划日期", "YYYY-MM-DD", "2022-12-15"),
    opt("目的", "", "风电整机环节招商"),
];

pub fn columns(kind: Kind) -> &'static [Column] {
    match kind {
        Kind::Units => UNITS,
        Kind::Leaders => LEADERS,
        Kind::Chains => CHAINS,
        Kind::Teams => TEAMS,
        Kind::Enterprises => ENTERPRISES,
        Kind::Segments => SEGMENTS,
        Kind::SegmentFirms => SEGMENT_FIRMS,
        Kind::Projects => PROJECTS,
        Kind::ProjectSegments => PROJECT_SEGMENTS,
        Kind::Events => EVENTS,
        Kind::Funds => FUNDS,
        Kind::Visits => VISITS,
        Kind::VisitPlans => VISIT_PLANS,
        Kind::Targets => TARGETS,
        Kind::LeaderUnits => LEADER_UNITS,
        Kind::Elements => ELEMENTS,
        Kind::Blockers => BLOCKERS,
        Kind::Financing => FINANCING,
    }
}

/// Which value list, if any, gives a column's allowed values.
pub fn value_list_of(kind: Kind, key: &str) -> Option<&'static str> {
    use domain::records::value_lists::{BLOCKER_CATEGORY, FUND_SOURCE, SOURCE_MODE, VISIT_MODE};
    match (kind, key) {
        (Kind::Blockers, "问题类别") => Some(BLOCKER_CATEGORY),
        (Kind::Projects, "招商方式") => Some(SOURCE_MODE),
        (Kind::Funds, "来源") => Some(FUND_SOURCE),
        (Kind::Visits, "方式") => Some(VISIT_MODE),
        _ => None,
    }
}
