//! Small text values: names that must not be empty, and the yes/no cells of office files.

use crate::FieldError;

/// A required text value, trimmed; rejects an empty cell with the field's name.
pub fn required(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "不能为空"));
    }
    if value.chars().count() > 200 {
        return Err(FieldError::new(field, "不能超过200个字"));
    }
    Ok(value.to_owned())
}

/// An optional text value: an empty or blank cell is simply absent.
/// Whether text holds a control character other than tab and line breaks: NUL and the like are
/// never typed by a person, and PostgreSQL refuses NUL outright.
pub fn has_control_characters(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

pub fn optional(raw: &str) -> Option<String> {
    let value = raw.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// 是/否 as office files write them; also the forms people type by hand.
pub fn yes_no(field: &str, raw: &str) -> Result<bool, FieldError> {
    match raw.trim() {
        "是" | "Y" | "y" | "1" | "TRUE" | "true" | "√" => Ok(true),
        "否" | "N" | "n" | "0" | "FALSE" | "false" | "" => Ok(false),
        other => Err(FieldError::new(
            field,
            format!("应为“是”或“否”，而不是“{other}”"),
        )),
    }
}

/// One of `all` by its label, or an error listing the labels: `“搁置”不是可用的状态（…）`.
pub fn one_status_of<T: Copy>(
    field: &str,
    raw: &str,
    all: &[T],
    label: fn(T) -> &'static str,
) -> Result<T, FieldError> {
    let value = raw.trim();
    all.iter()
        .copied()
        .find(|s| label(*s) == value)
        .ok_or_else(|| {
            let labels: Vec<&str> = all.iter().map(|s| label(*s)).collect();
            FieldError::new(
                field,
                format!("“{value}”不是可用的状态（{}）", labels.join("、")),
            )
        })
}

pub fn yes_no_text(value: bool) -> &'static str {
    if value { "是" } else { "否" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_empty_is_rejected_with_the_field() {
        assert_eq!(required("项目名称", "  风电  ").as_deref(), Ok("风电"));
        let err = required("项目名称", "   ").unwrap_err();
        assert_eq!(err.to_string(), "项目名称: 不能为空");
    }

    #[test]
    fn yes_no_accepts_office_spellings_and_rejects_others() {
        assert_eq!(yes_no("重点项目", "是"), Ok(true));
        assert_eq!(yes_no("重点项目", ""), Ok(false));
        assert!(
            yes_no("重点项目", "也许")
                .unwrap_err()
                .message
                .contains("也许")
        );
    }
}
