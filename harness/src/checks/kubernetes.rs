//! Kubernetes check kinds beyond the shared lint checks: manifests valid against the
//! schema, a value at a path in one object, and bounds on containers' resources.

use super::{expect, lint, CheckContext, Outcome, Tree};
use crate::catalog::yamltree::Node;
use crate::inject::PlannedCheck;
use crate::model::check::PathExpect;
use crate::model::snapshot::join;
use crate::model::Evidence;
use crate::rules::kubernetes::quantity::Quantity;
use crate::rules::kubernetes::{self as k8s, containers, get, Manifests};
use crate::rules::Family;

fn problems_evidence(m: &Manifests) -> Vec<Evidence> {
    m.problems
        .iter()
        .map(|p| {
            Evidence::at(&p.file, p.line, format!("does not parse ({}:{}:{}): {}", p.file, p.line, p.column, p.message))
        })
        .collect()
}

/// Every manifest parses and no object has a `k8s.schema` finding (an object of a kind
/// the rules do not know is noted, not failed).
pub(super) fn valid(ctx: &CheckContext, planned: &PlannedCheck, mount: &str, dir: &str) -> Outcome {
    let report = ctx.lint(Family::Kubernetes, Tree::Candidate, &join(mount, dir), planned);
    let mut evidence = lint::parse_evidence(&report);
    let schema: Vec<_> =
        report.findings.iter().filter(|f| f.class == "k8s.schema" && f.rule != "not-validated").collect();
    evidence.extend(schema.iter().map(|f| lint::finding_evidence(ctx, f)));
    let ok = evidence.is_empty();
    if ok {
        let skipped = report.findings.iter().filter(|f| f.rule == "not-validated").count();
        let note = if skipped == 0 {
            "every manifest parses and matches the Kubernetes schema".to_owned()
        } else {
            format!("every manifest parses and matches the Kubernetes schema ({skipped} object(s) of unknown kinds not validated)")
        };
        evidence.push(Evidence::note(note));
    }
    Outcome::from_bool(ok, evidence)
}

/// Walks a dotted path: keys in mappings; in lists, a number indexes and a word picks
/// the item whose `name` is that word (`containers.web.image`).
fn walk<'n>(node: &'n Node, query: &str) -> Option<&'n Node> {
    let mut cur = node;
    for seg in query.split('.').filter(|s| !s.is_empty()) {
        cur = match cur {
            Node::Map(..) => get(cur, seg)?,
            Node::Seq(list, _) => match seg.parse::<usize>() {
                Ok(i) => list.get(i)?,
                Err(_) => list.iter().find(|item| get(item, "name").and_then(k8s::text).as_deref() == Some(seg))?,
            },
            _ => return None,
        };
    }
    Some(cur)
}

pub(super) fn path(
    ctx: &CheckContext,
    mount: &str,
    dir: &str,
    object: &str,
    query: &str,
    want: &PathExpect,
) -> Outcome {
    let m = k8s::load(ctx.candidate, &join(mount, dir));
    let Some(obj) = m.find(object) else {
        let mut evidence = problems_evidence(&m);
        evidence.push(Evidence::note(format!("no {object} in the manifests under {}", join(mount, dir))));
        let mut o = Outcome::fail(evidence);
        o.message = format!("{object} is missing");
        return o;
    };
    let found = walk(&obj.doc, query);
    let value = found.map(Node::to_json);
    let evidence = vec![match found {
        Some(n) => Evidence::at(&obj.file, n.pos().line, format!("{object}: {query} = {}", n.to_json())),
        None => Evidence::at(&obj.file, obj.pos().line, format!("{object}: {query} is not set")),
    }];
    match expect::satisfied(value.as_ref(), want) {
        Ok(()) => Outcome::pass(evidence),
        Err(why) => {
            let mut o = Outcome::fail(evidence);
            o.message = why;
            o
        }
    }
}

/// A quantity written as a YAML number or string.
fn quantity(node: &Node) -> Option<Quantity> {
    match node {
        Node::Int(i, _) => Some(Quantity::from_number(*i as f64)),
        Node::Float(f, _) => Some(Quantity::from_number(*f)),
        Node::Str(s, _) => Quantity::parse(s).ok(),
        _ => None,
    }
}

/// The bounds of a `k8s_limits` check, as written.
pub(super) struct Bounds<'a> {
    pub max_memory: Option<&'a str>,
    pub max_cpu: Option<&'a str>,
    pub min_memory: Option<&'a str>,
    pub min_cpu: Option<&'a str>,
}

/// One parsed bound: the resource, whether it is a ceiling, its text and value.
struct Bound<'a> {
    resource: &'static str,
    ceiling: bool,
    text: &'a str,
    value: Quantity,
}

pub(super) fn limits(ctx: &CheckContext, mount: &str, dir: &str, object: Option<&str>, b: &Bounds) -> Outcome {
    let mut bounds = Vec::new();
    let wanted = [
        ("memory", true, b.max_memory),
        ("cpu", true, b.max_cpu),
        ("memory", false, b.min_memory),
        ("cpu", false, b.min_cpu),
    ];
    for (resource, ceiling, text) in wanted {
        let Some(text) = text else { continue };
        match Quantity::parse(text) {
            Ok(value) => bounds.push(Bound { resource, ceiling, text, value }),
            Err(e) => return Outcome::error(format!("the check's bound is invalid: {e}"), Vec::new()),
        }
    }
    let m = k8s::load(ctx.candidate, &join(mount, dir));
    if let Some(o) = object {
        if m.find(o).is_none() {
            let mut evidence = problems_evidence(&m);
            evidence.push(Evidence::note(format!("no {o} in the manifests under {}", join(mount, dir))));
            return Outcome::fail(evidence);
        }
    }
    let mut out_of_bounds = Vec::new();
    let mut seen = 0;
    for obj in m.objects.iter().filter(|o| object.is_none_or(|s| o.subject() == s)) {
        let Some(pod) = obj.pod_spec() else { continue };
        for (name, c) in containers(pod) {
            seen += 1;
            for section in ["requests", "limits"] {
                let Some(values) = get(c, "resources").and_then(|r| get(r, section)) else { continue };
                // A ceiling bounds requests and limits; a floor bounds limits only.
                for bound in bounds.iter().filter(|b| b.ceiling || section == "limits") {
                    let Some(node) = get(values, bound.resource) else { continue };
                    let Some(q) = quantity(node) else { continue };
                    let bad = if bound.ceiling { q > bound.value } else { q < bound.value };
                    if bad {
                        let shown = k8s::text(node).unwrap_or_default();
                        let side = if bound.ceiling { "above the maximum" } else { "below the minimum" };
                        out_of_bounds.push(Evidence::at(
                            &obj.file,
                            node.pos().line,
                            format!(
                                "{}: container `{name}` {section} {} {shown}, {side} of {}",
                                obj.subject(),
                                bound.resource,
                                bound.text
                            ),
                        ));
                    }
                }
            }
        }
    }
    if out_of_bounds.is_empty() {
        let what: Vec<String> =
            bounds.iter().map(|b| format!("{} {} {}", b.resource, if b.ceiling { "≤" } else { "≥" }, b.text)).collect();
        Outcome::pass(vec![Evidence::note(format!("{seen} container(s) within {}", what.join(", ")))])
    } else {
        Outcome::fail(out_of_bounds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::check::NewFindings;
    use crate::model::scenario::TerraformSettings;
    use crate::model::{CheckKind, CheckSpec, CheckStatus, Snapshot};

    const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: 8080, name: http}]
          env:
            - name: MODE
              valueFrom:
                configMapKeyRef: {name: web, key: MODE}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: MEM}
";
    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {MODE: prod}\n";

    fn tree(files: &[(&str, &str)]) -> Snapshot {
        files.iter().map(|(p, t)| (format!("app/{p}"), t.to_string())).collect()
    }

    fn planned(kind: CheckKind) -> PlannedCheck {
        PlannedCheck {
            scenario: "s".into(),
            mount: "app".into(),
            terraform: TerraformSettings::default(),
            pipeline: None,
            spec: CheckSpec {
                id: "c".into(),
                title: "c".into(),
                kind,
                points: 5,
                dimension: "d".into(),
                hidden: false,
                required: false,
                feedback: "no".into(),
                red_flag: None,
            },
        }
    }

    fn run(cand: &Snapshot, base: &Snapshot, broken: &Snapshot, kind: CheckKind) -> crate::model::CheckResult {
        let ctx = CheckContext::new(cand, base, broken);
        crate::checks::run_check(&ctx, &planned(kind))
    }

    #[test]
    fn k8s_fixed_passes_on_the_fix_and_fails_on_a_fix_that_adds_a_finding() {
        let good = DEPLOY.replace("MEM", "256Mi");
        let base = tree(&[("d.yaml", &good), ("cm.yaml", CM)]);
        let broken = tree(&[("d.yaml", &good), ("cm.yaml", &CM.replace("MODE: prod", "MOD: prod"))]);
        let fixed = || CheckKind::K8sFixed {
            class: "k8s.missing-config-ref".into(),
            subject: Some("Deployment/web".into()),
            dir: ".".into(),
            new_findings: NewFindings::Any,
        };
        let r = run(&broken, &base, &broken, fixed());
        assert_eq!(r.status, CheckStatus::Failed, "{r:?}");
        assert_eq!(r.evidence[0].line, Some(21));
        assert_eq!(run(&base, &base, &broken, fixed()).status, CheckStatus::Passed);
        // Fixed, but with `:latest`: a new finding of another class.
        let sloppy = tree(&[("d.yaml", &good.replace("nginx:1.27", "nginx:latest")), ("cm.yaml", CM)]);
        let r = run(&sloppy, &base, &broken, fixed());
        assert_eq!(r.status, CheckStatus::Failed);
        assert!(r.evidence.iter().any(|e| e.text.contains("k8s.image-tag")), "{:?}", r.evidence);
        // A manifest that no longer parses fails with its position.
        let garbled = tree(&[("d.yaml", "kind: [\n"), ("cm.yaml", CM)]);
        let r = run(&garbled, &base, &broken, fixed());
        assert_eq!(r.status, CheckStatus::Failed);
        assert!(r.message.contains("the Kubernetes manifests do not parse"), "{}", r.message);
        assert_eq!(r.evidence[0].file.as_deref(), Some("app/d.yaml"));
    }

    #[test]
    fn k8s_valid_fails_on_schema_errors_and_passes_on_unknown_kinds() {
        let good = DEPLOY.replace("MEM", "256Mi");
        let base = tree(&[("d.yaml", &good), ("cm.yaml", CM)]);
        let valid = || CheckKind::K8sValid { dir: ".".into() };
        assert_eq!(run(&base, &base, &base, valid()).status, CheckStatus::Passed);
        let bad = tree(&[("d.yaml", &DEPLOY.replace("MEM", "lots")), ("cm.yaml", CM)]);
        let r = run(&bad, &base, &base, valid());
        assert_eq!(r.status, CheckStatus::Failed);
        assert_eq!(r.evidence[0].line, Some(24));
        let crd =
            tree(&[("d.yaml", &good), ("x.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")]);
        assert_eq!(run(&crd, &base, &base, valid()).status, CheckStatus::Passed);
    }

    #[test]
    fn k8s_path_finds_objects_across_files_and_list_items_by_name() {
        let base = tree(&[("cm.yaml", CM), ("d.yaml", &DEPLOY.replace("MEM", "256Mi"))]);
        let check = |query: &str, expect: PathExpect| CheckKind::K8sPath {
            dir: ".".into(),
            object: "Deployment/web".into(),
            query: query.into(),
            expect,
        };
        let eq = |v: serde_json::Value| PathExpect { equals: Some(v), ..Default::default() };
        let r = run(&base, &base, &base, check("spec.replicas", eq(serde_json::json!(2))));
        assert_eq!(r.status, CheckStatus::Passed, "{r:?}");
        assert_eq!(r.evidence[0].line, Some(6));
        let r = run(&base, &base, &base, check("spec.template.spec.containers.web.image", eq("nginx:1.27".into())));
        assert_eq!(r.status, CheckStatus::Passed, "{r:?}");
        let r = run(&base, &base, &base, check("spec.replicas", eq(serde_json::json!(0))));
        assert_eq!(r.status, CheckStatus::Failed);
        let deleted = tree(&[("cm.yaml", CM)]);
        let r = run(
            &deleted,
            &base,
            &base,
            check("spec.replicas", PathExpect { exists: Some(true), ..Default::default() }),
        );
        assert_eq!(r.status, CheckStatus::Failed);
        assert!(r.message.contains("missing"));
    }

    #[test]
    fn k8s_limits_compares_quantities_numerically() {
        let limits = |mem: &str| {
            let t = tree(&[("d.yaml", &DEPLOY.replace("MEM", mem)), ("cm.yaml", CM)]);
            let kind = CheckKind::K8sLimits {
                dir: ".".into(),
                object: Some("Deployment/web".into()),
                max_memory: Some("2Gi".into()),
                max_cpu: Some("2".into()),
                min_memory: Some("200Mi".into()),
                min_cpu: None,
            };
            run(&t, &t, &t, kind)
        };
        assert_eq!(limits("512Mi").status, CheckStatus::Passed);
        assert_eq!(limits("2Gi").status, CheckStatus::Passed);
        assert_eq!(limits("2147483648").status, CheckStatus::Passed);
        let r = limits("64Gi");
        assert_eq!(r.status, CheckStatus::Failed);
        assert_eq!(r.evidence[0].line, Some(24));
        assert!(r.evidence[0].text.contains("64Gi"), "{:?}", r.evidence);
        assert_eq!(limits("3G").status, CheckStatus::Failed);
        // Too low a limit is OOMKilled; the request (128Mi) is not held to the floor.
        let r = limits("64Mi");
        assert_eq!(r.status, CheckStatus::Failed);
        assert!(r.evidence[0].text.contains("below the minimum of 200Mi"), "{:?}", r.evidence);
        assert_eq!(r.evidence.len(), 1);
    }
}
