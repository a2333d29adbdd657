//! Label selectors: `matchLabels`, `matchExpressions` (`In`, `NotIn`, `Exists`,
//! `DoesNotExist`) and a Service's plain map of labels.

use std::collections::BTreeMap;

use super::{entries, items, text};
use crate::catalog::yamltree::Node;

/// Labels as written under `metadata.labels`.
pub type Labels = BTreeMap<String, String>;

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    Equals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A selector: every requirement must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
}

impl Selector {
    /// A Service's `spec.selector` (a map of labels).
    pub fn from_map(node: Option<&Node>) -> Selector {
        let requirements = entries(node)
            .iter()
            .map(|(k, v)| Requirement::Equals(k.name.clone(), text(v).unwrap_or_default()))
            .collect();
        Selector { requirements }
    }

    /// A `LabelSelector` (`matchLabels` and `matchExpressions`). Unknown operators
    /// select nothing, as the API would refuse them.
    pub fn from_label_selector(node: Option<&Node>) -> Selector {
        let mut sel = Selector::from_map(node.and_then(|n| super::get(n, "matchLabels")));
        for expr in items(node.and_then(|n| super::get(n, "matchExpressions"))) {
            let key = super::get(expr, "key").and_then(text).unwrap_or_default();
            let values: Vec<String> = items(super::get(expr, "values")).iter().filter_map(text).collect();
            let op = super::get(expr, "operator").and_then(text).unwrap_or_default();
            sel.requirements.push(match op.as_str() {
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "Exists" => Requirement::Exists(key),
                "DoesNotExist" => Requirement::DoesNotExist(key),
                _ => Requirement::In(key, Vec::new()),
            });
        }
        sel
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether a set of labels satisfies every requirement.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| match r {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|v| !vs.contains(v)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        })
    }

    /// The selector as people write it: `app=web,tier in (a,b)`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .requirements
            .iter()
            .map(|r| match r {
                Requirement::Equals(k, v) => format!("{k}={v}"),
                Requirement::In(k, vs) => format!("{k} in ({})", vs.join(",")),
                Requirement::NotIn(k, vs) => format!("{k} notin ({})", vs.join(",")),
                Requirement::Exists(k) => k.clone(),
                Requirement::DoesNotExist(k) => format!("!{k}"),
            })
            .collect();
        parts.join(",")
    }
}

/// Labels of a `metadata.labels` node.
pub fn labels(node: Option<&Node>) -> Labels {
    entries(node).iter().map(|(k, v)| (k.name.clone(), text(v).unwrap_or_default())).collect()
}

/// Labels as `a=b,c=d`.
pub fn describe_labels(labels: &Labels) -> String {
    if labels.is_empty() {
        return "no labels".to_owned();
    }
    labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::yamltree::parse;

    fn labels_of(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_service_selector_needs_every_label_with_the_same_value() {
        let doc = parse("app: web\ntier: front\n").unwrap();
        let sel = Selector::from_map(Some(&doc));
        assert!(sel.matches(&labels_of(&[("app", "web"), ("tier", "front"), ("extra", "x")])));
        assert!(!sel.matches(&labels_of(&[("app", "web")])));
        assert!(!sel.matches(&labels_of(&[("app", "web"), ("tier", "back")])));
        assert_eq!(sel.describe(), "app=web,tier=front");
    }

    #[test]
    fn match_expressions_follow_the_api_operators() {
        let doc = parse(
            "matchLabels: {app: web}\nmatchExpressions:\n- {key: tier, operator: In, values: [front, edge]}\n- {key: canary, operator: DoesNotExist}\n- {key: env, operator: NotIn, values: [dev]}\n- {key: team, operator: Exists}\n",
        )
        .unwrap();
        let sel = Selector::from_label_selector(Some(&doc));
        assert!(sel.matches(&labels_of(&[("app", "web"), ("tier", "edge"), ("team", "a")])));
        assert!(sel.matches(&labels_of(&[("app", "web"), ("tier", "front"), ("team", "a"), ("env", "prod")])));
        assert!(!sel.matches(&labels_of(&[("app", "web"), ("tier", "back"), ("team", "a")])));
        assert!(!sel.matches(&labels_of(&[("app", "web"), ("tier", "front"), ("team", "a"), ("canary", "1")])));
        assert!(!sel.matches(&labels_of(&[("app", "web"), ("tier", "front"), ("team", "a"), ("env", "dev")])));
        assert!(!sel.matches(&labels_of(&[("app", "web"), ("tier", "front")])));
    }

    #[test]
    fn an_unknown_operator_selects_nothing_and_numbers_compare_as_text() {
        let doc = parse("matchExpressions:\n- {key: app, operator: Like, values: [web]}\n").unwrap();
        assert!(!Selector::from_label_selector(Some(&doc)).matches(&labels_of(&[("app", "web")])));
        let doc = parse("version: 2\n").unwrap();
        assert!(Selector::from_map(Some(&doc)).matches(&labels_of(&[("version", "2")])));
    }
}
