//! `tf.open-ingress`: administrative ports, or every port, reachable from the whole
//! internet.
//!
//! Inbound rules are written three ways in the AWS provider: `ingress` blocks inside
//! `aws_security_group`, `aws_security_group_rule` with `type = "ingress"`, and
//! `aws_vpc_security_group_ingress_rule`. All three are read into the same shape and
//! judged once. A rule is open when a source CIDR has prefix length zero
//! (`0.0.0.0/0`, `::/0`); it matters when the protocol is "all", the ports cover the
//! whole range, or the range includes SSH (22) or RDP (3389). Web ports open to the
//! world are the normal case for a public load balancer and are left alone.

use crate::model::{Finding, Severity};

use super::eval::{self, Bound, Scope, Value};
use super::syntax::{Block, Loc};
use super::{Context, Hit, TfModule};

pub const CLASS: &str = "tf.open-ingress";

const SSH: f64 = 22.0;
const RDP: f64 = 3389.0;

/// How one rule spells its fields.
struct Spelling {
    protocol: &'static str,
    cidrs: &'static [&'static str],
}

const CLASSIC: Spelling = Spelling {
    protocol: "protocol",
    cidrs: &["cidr_blocks", "ipv6_cidr_blocks"],
};
const VPC_RULE: Spelling = Spelling {
    protocol: "ip_protocol",
    cidrs: &["cidr_ipv4", "cidr_ipv6"],
};

/// Read access to one inbound rule, wherever it is written.
trait RuleFields {
    fn get(&self, name: &str) -> Option<Value>;
    fn loc(&self, name: &str) -> Loc;
}

/// A rule written as a block (`ingress { ... }` or a resource body).
struct BlockFields<'a> {
    scope: &'a dyn Scope,
    block: &'a Block,
}

impl RuleFields for BlockFields<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        self.block
            .body
            .value(name)
            .map(|e| eval::eval(e, self.scope))
    }
    fn loc(&self, name: &str) -> Loc {
        super::attr_loc(self.block, name)
    }
}

/// A rule written as an object inside `ingress = [ {...} ]`.
struct ObjectFields<'a> {
    value: &'a Value,
    loc: Loc,
}

impl RuleFields for ObjectFields<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        self.value.get(name).cloned()
    }
    fn loc(&self, _name: &str) -> Loc {
        self.loc
    }
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let module = cx.module;
    for resource in module.resources() {
        let block = resource.block;
        let mut judge = |fields: &dyn RuleFields, spelling: &Spelling| {
            if let Some((rule, severity, loc, message)) = judge(fields, spelling) {
                let subject = resource.address();
                let file = resource.file;
                out.push(
                    Hit {
                        class: CLASS,
                        rule,
                        severity,
                        file,
                        loc,
                        subject,
                        message,
                    }
                    .into(),
                );
            }
        };
        match resource.type_name {
            "aws_security_group" => {
                for ingress in block.body.blocks_of("ingress") {
                    judge(
                        &BlockFields {
                            scope: module,
                            block: ingress,
                        },
                        &CLASSIC,
                    );
                }
                for dynamic in block.body.blocks_of("dynamic") {
                    if dynamic.labels.first().is_some_and(|l| l == "ingress") {
                        for_each_dynamic(module, dynamic, |fields| judge(fields, &CLASSIC));
                    }
                }
                let rules = super::attr_value(module, block, "ingress");
                if let (Some(Value::List(rules)), Some(attr)) = (rules, block.body.attr("ingress"))
                {
                    for rule in &rules {
                        judge(
                            &ObjectFields {
                                value: rule,
                                loc: attr.loc,
                            },
                            &CLASSIC,
                        );
                    }
                }
            }
            "aws_security_group_rule" => {
                let kind = super::attr_value(module, block, "type");
                if kind.as_ref().and_then(Value::as_str) == Some("ingress") {
                    judge(
                        &BlockFields {
                            scope: module,
                            block,
                        },
                        &CLASSIC,
                    );
                }
            }
            "aws_vpc_security_group_ingress_rule" => {
                judge(
                    &BlockFields {
                        scope: module,
                        block,
                    },
                    &VPC_RULE,
                );
            }
            _ => {}
        }
    }
}

/// Run `f` on the `content` of a `dynamic "ingress"` block once per element of its
/// `for_each`, with the iterator (`ingress.key`, `ingress.value`) bound. Nothing
/// happens when the collection is unknown.
fn for_each_dynamic(module: &TfModule, dynamic: &Block, mut f: impl FnMut(&dyn RuleFields)) {
    let Some(content) = dynamic.body.blocks_of("content").next() else {
        return;
    };
    let name = match dynamic.body.value("iterator").and_then(|e| e.reference()) {
        Some([name]) => name.as_str(),
        _ => dynamic.labels.first().map_or("ingress", String::as_str),
    };
    let items: Vec<(Value, Value)> = match super::attr_value(module, dynamic, "for_each") {
        // Terraform keys a list by index (a set by value; sets are read as lists here).
        Some(Value::List(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::Number(i as f64), v))
            .collect(),
        Some(Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| (Value::String(k), v))
            .collect(),
        _ => return,
    };
    for (key, value) in items {
        let mut iterator = std::collections::BTreeMap::new();
        iterator.insert("key".to_string(), key);
        iterator.insert("value".to_string(), value);
        let scope = Bound {
            inner: module,
            name,
            value: Value::Object(iterator),
        };
        f(&BlockFields {
            scope: &scope,
            block: content,
        });
    }
}

/// The finding for one inbound rule, if it is open where it must not be.
fn judge(
    fields: &dyn RuleFields,
    spelling: &Spelling,
) -> Option<(&'static str, Severity, Loc, String)> {
    let (cidr, loc) = spelling.cidrs.iter().find_map(|name| {
        let value = fields.get(name)?;
        let (items, _) = value.string_items();
        items
            .into_iter()
            .find(|c| is_world(c))
            .map(|c| (c, fields.loc(name)))
    })?;
    let protocol = fields.get(spelling.protocol)?;
    if is_all_protocols(&protocol) {
        let msg = format!("every protocol and port is open to {cidr}");
        return Some(("all-traffic-from-anywhere", Severity::Critical, loc, msg));
    }
    let name = protocol.scalar_string()?.to_ascii_lowercase();
    if !matches!(name.as_str(), "tcp" | "udp" | "6" | "17") {
        return None;
    }
    let from = fields.get("from_port")?.as_f64()?;
    let to = fields.get("to_port")?.as_f64()?;
    let ports = if from == to {
        format!("port {from}")
    } else {
        format!("ports {from}-{to}")
    };
    if from <= 1.0 && to >= 65535.0 {
        let msg = format!("every {name} port is open to {cidr}");
        Some(("all-ports-from-anywhere", Severity::Critical, loc, msg))
    } else if (from..=to).contains(&SSH) {
        let msg = format!("SSH is reachable from {cidr} ({name} {ports}); restrict it to a known range or use SSM");
        Some(("ssh-from-anywhere", Severity::High, loc, msg))
    } else if (from..=to).contains(&RDP) {
        let msg =
            format!("RDP is reachable from {cidr} ({name} {ports}); restrict it to a known range");
        Some(("rdp-from-anywhere", Severity::High, loc, msg))
    } else {
        None
    }
}

/// `0.0.0.0/0`, `::/0` and any other zero-length prefix.
fn is_world(cidr: &str) -> bool {
    cidr.trim()
        .rsplit_once('/')
        .is_some_and(|(_, prefix)| prefix.trim() == "0")
}

fn is_all_protocols(protocol: &Value) -> bool {
    match protocol {
        Value::Number(n) => *n == -1.0,
        Value::String(s) => matches!(s.trim().to_ascii_lowercase().as_str(), "-1" | "all"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_zero_length_prefixes_count_as_the_world() {
        assert!(is_world("0.0.0.0/0"));
        assert!(is_world("::/0"));
        assert!(!is_world("10.0.0.0/8"));
        assert!(!is_world("203.0.113.7/32"));
        assert!(!is_world("0.0.0.0"));
    }

    #[test]
    fn minus_one_means_every_protocol_as_number_or_string() {
        assert!(is_all_protocols(&Value::Number(-1.0)));
        assert!(is_all_protocols(&Value::String("-1".into())));
        assert!(is_all_protocols(&Value::String("all".into())));
        assert!(!is_all_protocols(&Value::String("tcp".into())));
    }
}
