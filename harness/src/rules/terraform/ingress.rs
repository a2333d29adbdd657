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

use super::eval::Value;
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
    module: &'a TfModule,
    block: &'a Block,
}

impl RuleFields for BlockFields<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        super::attr_value(self.module, self.block, name)
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
                out.push(
                    Hit {
                        class: CLASS,
                        rule,
                        severity,
                        file: resource.file,
                        loc,
                        subject: resource.address(),
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
                            module,
                            block: ingress,
                        },
                        &CLASSIC,
                    );
                }
                if let (Some(Value::List(rules)), Some(attr)) = (
                    super::attr_value(module, block, "ingress"),
                    block.body.attr("ingress"),
                ) {
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
                    judge(&BlockFields { module, block }, &CLASSIC);
                }
            }
            "aws_vpc_security_group_ingress_rule" => {
                judge(&BlockFields { module, block }, &VPC_RULE)
            }
            _ => {}
        }
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
