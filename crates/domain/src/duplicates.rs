//! 重复研判: the same project reported twice — by two units, or once by hand and once by file —
//! would count twice in the city's total. A new project is suspected when it has the same
//! investor as an existing one (by credit code; by name where either lacks a code), lands in the
//! same county, and has a similar name. Different investors are never duplicates.

use serde::Serialize;

use crate::records::Project;

/// Where a suspected project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DuplicateState {
    /// Held for the bureau's judgement: not counted.
    Held,
    /// Judged a duplicate: never counted.
    Confirmed,
    /// Judged a project of its own: counted.
    Cleared,
}

impl DuplicateState {
    pub fn code(self) -> &'static str {
        match self {
            DuplicateState::Held => "held",
            DuplicateState::Confirmed => "confirmed",
            DuplicateState::Cleared => "cleared",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Held, Self::Confirmed, Self::Cleared]
            .into_iter()
            .find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            DuplicateState::Held => "疑似重复，待研判",
            DuplicateState::Confirmed => "已确认重复，不计入统计",
            DuplicateState::Cleared => "经研判不重复",
        }
    }

    /// Whether the project counts in figures.
    pub fn counts(self) -> bool {
        self == DuplicateState::Cleared
    }
}

/// Words every project name carries that say nothing of which project it is, and the units of
/// capacities, whose figures change between reports of the same project (17万吨 then 19万吨).
const FILLER: [&str; 13] = [
    "项目",
    "年产",
    "建设",
    "工程",
    "万千瓦",
    "千瓦",
    "兆瓦",
    "万吨",
    "吨",
    "万台",
    "万套",
    "万平方米",
    "万件",
];

fn essential(name: &str) -> Vec<char> {
    let mut text: String = name.chars().filter(|c| !c.is_ascii_digit()).collect();
    for word in FILLER {
        text = text.replace(word, "");
    }
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Whether two project names are alike: one contains the other, or their character pairs
/// overlap by at least 60 % (Dice), once the filler words are set aside.
pub fn similar_names(a: &str, b: &str) -> bool {
    let (a, b) = (essential(a), essential(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let (sa, sb): (String, String) = (a.iter().collect(), b.iter().collect());
    if sa.contains(&sb) || sb.contains(&sa) {
        return true;
    }
    let pairs = |v: &[char]| -> Vec<(char, char)> { v.windows(2).map(|w| (w[0], w[1])).collect() };
    let (pa, mut pb) = (pairs(&a), pairs(&b));
    if pa.is_empty() || pb.is_empty() {
        return false;
    }
    let total = pa.len() + pb.len();
    let mut shared = 0;
    for p in &pa {
        if let Some(i) = pb.iter().position(|q| q == p) {
            pb.swap_remove(i);
            shared += 1;
        }
    }
    shared * 2 * 100 >= total * 60
}

/// Whether both projects name the same investor: equal credit codes when both have one,
/// else equal names (a missing investor matches nothing).
pub fn same_investor(a: &Project, b: &Project) -> bool {
    match (&a.investor_code, &b.investor_code) {
        (Some(x), Some(y)) => x == y,
        _ => match (&a.investor, &b.investor) {
            (Some(x), Some(y)) => x.trim() == y.trim() && !x.trim().is_empty(),
            _ => false,
        },
    }
}

/// The first of `existing` that `new` looks like a second report of.
pub fn suspected_original<'a, K>(new: &Project, existing: &'a [(K, Project)]) -> Option<&'a K> {
    existing
        .iter()
        .find(|(_, old)| {
            old.code != new.code
                && old.territory == new.territory
                && same_investor(old, new)
                && similar_names(&old.name, &new.name)
        })
        .map(|(k, _)| k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CreditCode;

    fn project(
        code: &str,
        name: &str,
        territory: &str,
        investor: &str,
        credit: Option<&str>,
    ) -> Project {
        let mut p = Project::new(code, name, territory).unwrap();
        p.investor = Some(investor.into());
        p.investor_code = credit.map(|c| CreditCode::parse("统一社会信用代码", c).unwrap());
        p
    }

    #[test]
    fn names_alike_after_filler_words_are_set_aside() {
        assert!(similar_names("集贤200兆瓦风电项目", "集贤200兆瓦风电"));
        assert!(similar_names(
            "年产10万吨石墨负极材料项目",
            "10万吨石墨负极材料生产基地"
        ));
        assert!(similar_names("中船集贤风电场", "中船集贤县风电场项目"));
        assert!(!similar_names(
            "集贤200兆瓦风电项目",
            "宝清褐煤干燥提质项目"
        ));
        assert!(!similar_names("项目", "项目"), "nothing left to compare");
        assert!(
            similar_names(
                "远大年产17万吨焦炉煤气综合利用项目",
                "远大年产19万吨焦炉煤气综合利用项目"
            ),
            "capacity revised"
        );
        assert!(
            !similar_names(
                "华泰生物年产16万吨铸造件项目",
                "华泰生物年产16万吨特钢棒材项目"
            ),
            "another product"
        );
    }

    #[test]
    fn a_second_report_is_suspected_only_with_the_same_investor_and_county() {
        let code = "91110000710935732K";
        let old = vec![(
            1,
            project(
                "A-1",
                "集贤200兆瓦风电项目",
                "集贤县",
                "中国船舶集团有限公司",
                Some(code),
            ),
        )];
        let again = project("B-9", "集贤200兆瓦风电", "集贤县", "中船集团", Some(code));
        assert_eq!(
            suspected_original(&again, &old),
            Some(&1),
            "same credit code, names differ"
        );
        let elsewhere = project(
            "B-9",
            "集贤200兆瓦风电",
            "宝清县",
            "中国船舶集团有限公司",
            Some(code),
        );
        assert_eq!(suspected_original(&elsewhere, &old), None, "another county");
        let other = project(
            "B-9",
            "集贤200兆瓦风电",
            "集贤县",
            "中国船舶集团有限公司",
            Some("91110000101696839W"),
        );
        assert_eq!(
            suspected_original(&other, &old),
            None,
            "another investor by credit code"
        );
        let by_name = project(
            "B-9",
            "集贤200兆瓦风电项目",
            "集贤县",
            "中国船舶集团有限公司",
            None,
        );
        assert_eq!(
            suspected_original(&by_name, &old),
            Some(&1),
            "by name where a code is missing"
        );
        let itself = project(
            "A-1",
            "集贤200兆瓦风电项目",
            "集贤县",
            "中国船舶集团有限公司",
            Some(code),
        );
        assert_eq!(
            suspected_original(&itself, &old),
            None,
            "a project is not its own duplicate"
        );
    }
}
