//! Selectors and ports between objects: a workload's selector must match its own pod
//! template, a Service's selector must match some pod template in the manifests, and
//! the Service's target ports must be ports those pods declare.

use super::selector::{describe_labels, labels, Labels, Selector};
use super::{containers, get, items, key_value, text, Object};
use crate::catalog::yamltree::Node;
use crate::model::{Finding, Severity};

/// Kinds that carry a `spec.selector` for their own template.
fn has_template_selector(kind: &str) -> bool {
    matches!(kind, "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
}

/// Pods the manifests would create: the object, its labels, and its pod spec.
struct PodSource<'a> {
    obj: &'a Object,
    labels: Labels,
    spec: &'a Node,
}

fn same_namespace(a: &Object, b: &Object) -> bool {
    match (&a.namespace, &b.namespace) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

pub fn check(objects: &[Object], out: &mut Vec<Finding>) {
    let pods: Vec<PodSource> = objects
        .iter()
        .filter_map(|o| o.pod_spec().map(|spec| PodSource { obj: o, labels: labels(o.pod_labels()), spec }))
        .collect();
    for p in &pods {
        if has_template_selector(&p.obj.kind) {
            workload_selector(p, out);
        }
    }
    for svc in objects.iter().filter(|o| o.kind == "Service") {
        service(svc, &pods, out);
    }
}

fn workload_selector(p: &PodSource, out: &mut Vec<Finding>) {
    let Some(spec) = get(&p.obj.doc, "spec") else { return };
    let Some((key, sel_node)) = key_value(spec, "selector") else {
        return; // required by the schema, reported there
    };
    let sel = Selector::from_label_selector(Some(sel_node));
    if sel.is_empty() {
        out.push(p.obj.finding(
            "k8s.selector-mismatch",
            "empty-selector",
            Severity::High,
            &key.pos,
            format!("{} has an empty selector; the API server refuses it", p.obj.subject()),
        ));
    } else if !sel.matches(&p.labels) {
        out.push(p.obj.finding(
            "k8s.selector-mismatch",
            "workload-selector",
            Severity::High,
            sel_node.pos(),
            format!(
                "the selector `{}` does not match the pod template's labels ({}); the API server refuses this {}",
                sel.describe(),
                describe_labels(&p.labels),
                p.obj.kind
            ),
        ));
    }
}

fn service(svc: &Object, pods: &[PodSource], out: &mut Vec<Finding>) {
    let Some(spec) = get(&svc.doc, "spec") else { return };
    let Some(sel_node) = get(spec, "selector") else {
        return; // a Service without a selector has its endpoints managed by hand
    };
    let sel = Selector::from_map(Some(sel_node));
    if sel.is_empty() || pods.is_empty() {
        return;
    }
    let selected: Vec<&PodSource> =
        pods.iter().filter(|p| same_namespace(svc, p.obj) && sel.matches(&p.labels)).collect();
    if selected.is_empty() {
        let known: Vec<String> =
            pods.iter().map(|p| format!("{} ({})", p.obj.subject(), describe_labels(&p.labels))).collect();
        out.push(svc.finding(
            "k8s.selector-mismatch",
            "service-selects-nothing",
            Severity::High,
            sel_node.pos(),
            format!(
                "the selector `{}` matches no pod template in these manifests, so the Service has no endpoints; pods here: {}",
                sel.describe(),
                known.join("; ")
            ),
        ));
        return;
    }
    for port in items(get(spec, "ports")) {
        target_port(svc, port, &selected, out);
    }
}

fn target_port(svc: &Object, port: &Node, selected: &[&PodSource], out: &mut Vec<Finding>) {
    let (target, defaulted) = match get(port, "targetPort") {
        Some(t) => (t, false),
        None => match get(port, "port") {
            Some(p) => (p, true),
            None => return,
        },
    };
    let mut numbers = Vec::new();
    let mut names = Vec::new();
    for p in selected {
        for (_, c) in containers(p.spec) {
            for cp in items(get(c, "ports")) {
                if let Some(Node::Int(n, _)) = get(cp, "containerPort") {
                    numbers.push(*n);
                }
                if let Some(n) = get(cp, "name").and_then(text) {
                    names.push(n);
                }
            }
        }
    }
    let pods: Vec<String> = selected.iter().map(|p| p.obj.subject()).collect();
    let message = match target {
        Node::Int(n, _) if !numbers.is_empty() && !numbers.contains(n) => {
            let shown: Vec<String> = numbers.iter().map(i64::to_string).collect();
            let lead = if defaulted {
                format!("targetPort is not set, so it defaults to port {n}")
            } else {
                format!("targetPort {n}")
            };
            format!("{lead}, but the selected pods ({}) listen on {}", pods.join(", "), shown.join(", "))
        }
        Node::Str(s, _) if !names.contains(s) => format!(
            "targetPort `{s}` names no container port of the selected pods ({}); named ports there: {}",
            pods.join(", "),
            if names.is_empty() { "none".to_owned() } else { names.join(", ") }
        ),
        _ => return,
    };
    out.push(svc.finding("k8s.target-port-mismatch", "target-port", Severity::High, target.pos(), message));
}
