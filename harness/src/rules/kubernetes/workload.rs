//! Container rules: image tags, resources, privileges, the user a container runs as,
//! host paths, literal credentials in env, and probe ports.

use super::{containers, get, is_true, items, key_value, path, text, Object};
use crate::catalog::yamltree::Node;
use crate::model::{Finding, Severity};

/// Container runtime sockets: mounting one hands over the node.
const RUNTIME_SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
];

/// Capabilities that amount to root on the node.
const DANGEROUS_CAPABILITIES: &[&str] =
    &["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH"];

pub fn check(obj: &Object, out: &mut Vec<Finding>) {
    let Some(pod) = obj.pod_spec() else { return };
    host_namespaces(obj, pod, out);
    host_paths(obj, pod, out);
    for (name, c) in containers(pod) {
        image_tag(obj, &name, c, out);
        resources(obj, &name, c, out);
        privileged(obj, &name, c, out);
        run_as_root(obj, pod, &name, c, out);
        literal_secrets(obj, &name, c, out);
        probe_ports(obj, &name, c, out);
    }
}

fn image_tag(obj: &Object, name: &str, c: &Node, out: &mut Vec<Finding>) {
    let Some(node) = get(c, "image") else {
        return; // the schema rule reports a missing image where it is required
    };
    let image = text(node).unwrap_or_default();
    if image.contains('@') {
        return; // pinned by digest
    }
    let last = image.rsplit('/').next().unwrap_or(&image);
    match last.split_once(':') {
        None => out.push(obj.finding(
            "k8s.image-tag",
            "missing-tag",
            Severity::Medium,
            node.pos(),
            format!("container `{name}` runs `{image}` without a tag, which means `latest`: a pod restart can pull different code; pin a version"),
        )),
        Some((_, "latest")) => out.push(obj.finding(
            "k8s.image-tag",
            "latest-tag",
            Severity::Medium,
            node.pos(),
            format!("container `{name}` runs `{image}`: `latest` moves, so replicas can run different code; pin a version"),
        )),
        Some(_) => {}
    }
}

fn non_empty_map(node: Option<&Node>) -> bool {
    matches!(node, Some(Node::Map(list, _)) if !list.is_empty())
}

fn resources(obj: &Object, name: &str, c: &Node, out: &mut Vec<Finding>) {
    let res = get(c, "resources");
    let requests = non_empty_map(res.and_then(|r| get(r, "requests")));
    let limits = non_empty_map(res.and_then(|r| get(r, "limits")));
    let (rule, what) = match (requests, limits) {
        (true, true) => return,
        (false, false) => (
            "no-requests-or-limits",
            "neither resource requests nor limits: the scheduler places it blind and nothing caps what it uses",
        ),
        (false, true) => ("no-requests", "no resource requests, so the scheduler cannot reserve room for it"),
        (true, false) => ("no-limits", "no resource limits, so nothing stops it starving its neighbours"),
    };
    let at = key_value(c, "resources").map_or_else(|| *c.pos(), |(k, _)| k.pos);
    out.push(obj.finding(
        "k8s.missing-resources",
        rule,
        Severity::Medium,
        &at,
        format!("container `{name}` has {what}"),
    ));
}

fn privileged(obj: &Object, name: &str, c: &Node, out: &mut Vec<Finding>) {
    let sc = get(c, "securityContext");
    if let Some((k, v)) = sc.and_then(|s| key_value(s, "privileged")) {
        if is_true(Some(v)) {
            out.push(obj.finding(
                "k8s.privileged",
                "privileged",
                Severity::Critical,
                &k.pos,
                format!("container `{name}` is privileged: it has every capability and the host's devices"),
            ));
        }
    }
    if let Some((k, v)) = sc.and_then(|s| key_value(s, "allowPrivilegeEscalation")) {
        if is_true(Some(v)) {
            out.push(obj.finding(
                "k8s.privileged",
                "privilege-escalation",
                Severity::Medium,
                &k.pos,
                format!("container `{name}` allows privilege escalation (setuid binaries can gain root)"),
            ));
        }
    }
    for cap in items(sc.and_then(|s| path(s, "capabilities.add"))) {
        let t = text(cap).unwrap_or_default();
        let bare = t.trim_start_matches("CAP_").to_ascii_uppercase();
        if DANGEROUS_CAPABILITIES.contains(&bare.as_str()) {
            out.push(obj.finding(
                "k8s.privileged",
                "dangerous-capability",
                Severity::High,
                cap.pos(),
                format!("container `{name}` adds capability `{t}`, which is close to running privileged"),
            ));
        }
    }
}

fn host_namespaces(obj: &Object, pod: &Node, out: &mut Vec<Finding>) {
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if let Some((k, v)) = key_value(pod, field) {
            if is_true(Some(v)) {
                out.push(obj.finding(
                    "k8s.privileged",
                    "host-namespace",
                    Severity::High,
                    &k.pos,
                    format!("{field}: true shares the node's namespace with the pod"),
                ));
            }
        }
    }
}

fn run_as_root(obj: &Object, pod: &Node, name: &str, c: &Node, out: &mut Vec<Finding>) {
    let pod_sc = get(pod, "securityContext");
    let sc = get(c, "securityContext");
    let field =
        |key: &str| -> Option<&Node> { sc.and_then(|s| get(s, key)).or_else(|| pod_sc.and_then(|s| get(s, key))) };
    let user = field("runAsUser");
    let non_root = field("runAsNonRoot");
    if let Some(u @ Node::Int(0, _)) = user {
        out.push(obj.finding(
            "k8s.run-as-root",
            "run-as-uid-0",
            Severity::High,
            u.pos(),
            format!("container `{name}` runs as user 0 (root)"),
        ));
        return;
    }
    if let Some(n @ Node::Bool(false, _)) = non_root {
        if !matches!(user, Some(Node::Int(u, _)) if *u > 0) {
            out.push(obj.finding(
                "k8s.run-as-root",
                "run-as-non-root-false",
                Severity::High,
                n.pos(),
                format!("container `{name}` sets runAsNonRoot: false and no non-root user, so it may run as root"),
            ));
        }
        return;
    }
    let safe = is_true(non_root) || matches!(user, Some(Node::Int(u, _)) if *u > 0);
    if !safe {
        out.push(obj.finding(
            "k8s.run-as-root",
            "no-run-as-non-root",
            Severity::Low,
            get(c, "name").map_or(c.pos(), Node::pos),
            format!("container `{name}` does not set runAsNonRoot: true or a non-zero runAsUser (pod or container securityContext), so it runs as whatever user the image says, often root"),
        ));
    }
}

fn host_paths(obj: &Object, pod: &Node, out: &mut Vec<Finding>) {
    for vol in items(get(pod, "volumes")) {
        let Some(hp) = get(vol, "hostPath") else { continue };
        let vname = get(vol, "name").and_then(text).unwrap_or_default();
        let p_node = get(hp, "path");
        let p = p_node.and_then(text).unwrap_or_default();
        let at = p_node.map_or(hp.pos(), Node::pos);
        let trimmed = p.trim_end_matches('/');
        let (rule, severity, why) = if RUNTIME_SOCKETS.contains(&trimmed) {
            (
                "container-runtime-socket",
                Severity::Critical,
                "the container runtime's socket: whoever holds it controls every container on the node",
            )
        } else if trimmed.is_empty()
            || matches!(trimmed, "/etc" | "/var/lib/kubelet" | "/proc" | "/root" | "/var/run" | "/run")
        {
            ("sensitive-host-path", Severity::High, "a sensitive part of the node's filesystem")
        } else {
            ("host-path", Severity::Medium, "the node's filesystem: pods should not depend on the node they land on")
        };
        out.push(obj.finding(
            "k8s.host-path",
            rule,
            severity,
            at,
            format!("volume `{vname}` mounts `{p}` from the host, {why}"),
        ));
    }
}

fn literal_secrets(obj: &Object, name: &str, c: &Node, out: &mut Vec<Finding>) {
    for env in items(get(c, "env")) {
        let Some(value) = get(env, "value") else { continue };
        let var = get(env, "name").and_then(text).unwrap_or_default();
        let v = text(value).unwrap_or_default();
        let line = v.lines().next().unwrap_or("").replace('"', "'");
        let hits = crate::rules::secrets::scan(&format!("{var}: \"{line}\""));
        if let Some(hit) = hits.first() {
            out.push(obj.finding(
                "k8s.secret-literal-env",
                &hit.rule,
                Severity::High,
                value.pos(),
                format!("container `{name}` sets `{var}` to a literal credential ({}) in the manifest; read it from a Secret with valueFrom.secretKeyRef", hit.snippet),
            ));
        }
    }
}

fn probe_ports(obj: &Object, name: &str, c: &Node, out: &mut Vec<Finding>) {
    let ports = items(get(c, "ports"));
    let numbers: Vec<i64> = ports
        .iter()
        .filter_map(|p| match get(p, "containerPort") {
            Some(Node::Int(n, _)) => Some(*n),
            _ => None,
        })
        .collect();
    let names: Vec<String> = ports.iter().filter_map(|p| get(p, "name").and_then(text)).collect();
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let Some(pr) = get(c, probe) else { continue };
        for handler in ["httpGet", "tcpSocket", "grpc"] {
            let Some(port) = get(pr, handler).and_then(|h| get(h, "port")) else { continue };
            let problem = match port {
                Node::Int(n, _) if !numbers.is_empty() && !numbers.contains(n) => Some((
                    "port-not-declared",
                    format!(
                        "{probe} of container `{name}` checks port {n}, but the container declares {}",
                        list(&numbers.iter().map(i64::to_string).collect::<Vec<_>>())
                    ),
                )),
                Node::Str(s, _) if !names.contains(s) => Some((
                    "named-port-undeclared",
                    format!(
                        "{probe} of container `{name}` checks the port named `{s}`, but the container has {}",
                        if names.is_empty() { "no named port".to_owned() } else { format!("only {}", list(&names)) }
                    ),
                )),
                _ => None,
            };
            if let Some((rule, message)) = problem {
                out.push(obj.finding("k8s.probe-port-mismatch", rule, Severity::High, port.pos(), message));
            }
        }
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "no ports".to_owned()
    } else {
        items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
    }
}
