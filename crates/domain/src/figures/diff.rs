//! What has changed in the figures since a scoreboard was published: a published sheet never
//! changes, so late entries and corrections show up here instead, figure by figure.

use super::scoreboard::{Number, Scoreboard};

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// `None` for the city.
    pub unit: Option<String>,
    /// The indicator id (or funds_in_place_verified).
    pub key: String,
    pub published: Option<Number>,
    pub now: Option<Number>,
}

impl Change {
    /// now − published, when both are whole numbers.
    pub fn delta(&self) -> Option<i64> {
        match (self.published, self.now) {
            (Some(Number::Int(a)), Some(Number::Int(b))) => Some(b - a),
            _ => None,
        }
    }
}

/// Every figure whose value differs between the published sheet and today's computation of
/// the same period, the city first, then units in the published order.
pub fn changes(published: &Scoreboard, now: &Scoreboard) -> Vec<Change> {
    let mut out = Vec::new();
    let mut compare =
        |unit: Option<&str>,
         old: &std::collections::BTreeMap<String, super::Figure>,
         new: Option<&std::collections::BTreeMap<String, super::Figure>>| {
            // In the order the tables show them, not the map's alphabetical order.
            let order = |key: &str| {
                super::Indicator::from_id(key)
                    .and_then(|i| super::Indicator::ALL.iter().position(|x| *x == i))
                    .unwrap_or(usize::MAX)
            };
            let mut keys: Vec<&String> = old.keys().collect();
            keys.sort_by_key(|k| (order(k), k.as_str()));
            for key in keys {
                let figure = &old[key];
                let current = new.and_then(|m| m.get(key)).and_then(|f| f.value);
                if current != figure.value {
                    out.push(Change {
                        unit: unit.map(str::to_owned),
                        key: key.clone(),
                        published: figure.value,
                        now: current,
                    });
                }
            }
        };
    compare(None, &published.city.indicators, Some(&now.city.indicators));
    for unit in &published.units {
        compare(
            Some(&unit.unit),
            &unit.indicators,
            now.unit(&unit.unit).map(|u| &u.indicators),
        );
    }
    out
}
