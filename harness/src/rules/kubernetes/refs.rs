//! `k8s.missing-config-ref`: env, envFrom and volumes that refer to a ConfigMap or
//! Secret (or a key of one) that no manifest in the folder defines. A reference marked
//! `optional: true` is never reported: the pod starts without it.

use std::collections::{BTreeMap, BTreeSet};

use super::{containers, entries, get, is_true, items, text, Object};
use crate::catalog::yamltree::Node;
use crate::model::{Finding, Severity};

/// Names of defined ConfigMaps or Secrets, with their keys.
type Defined = BTreeMap<String, BTreeSet<String>>;

#[derive(Clone, Copy)]
enum Source {
    ConfigMap,
    Secret,
}

impl Source {
    fn word(self) -> &'static str {
        match self {
            Source::ConfigMap => "ConfigMap",
            Source::Secret => "Secret",
        }
    }
}

struct Index {
    config_maps: Defined,
    secrets: Defined,
}

impl Index {
    fn of(&self, s: Source) -> &Defined {
        match s {
            Source::ConfigMap => &self.config_maps,
            Source::Secret => &self.secrets,
        }
    }
}

fn keys(obj: &Object, fields: &[&str]) -> BTreeSet<String> {
    fields.iter().flat_map(|f| entries(get(&obj.doc, f)).iter().map(|(k, _)| k.name.clone())).collect()
}

pub fn check(objects: &[Object], out: &mut Vec<Finding>) {
    let mut index = Index { config_maps: Defined::new(), secrets: Defined::new() };
    for o in objects {
        match o.kind.as_str() {
            "ConfigMap" => {
                index.config_maps.entry(o.name.clone()).or_default().extend(keys(o, &["data", "binaryData"]))
            }
            "Secret" => index.secrets.entry(o.name.clone()).or_default().extend(keys(o, &["data", "stringData"])),
            _ => {}
        }
    }
    for o in objects {
        let Some(pod) = o.pod_spec() else { continue };
        for (cname, c) in containers(pod) {
            let whom = format!("container `{cname}`");
            for env in items(get(c, "env")) {
                let from = get(env, "valueFrom");
                let var = get(env, "name").and_then(text).unwrap_or_default();
                let whom = format!("{whom} (env `{var}`)");
                if let Some(r) = from.and_then(|f| get(f, "configMapKeyRef")) {
                    reference(o, &index, Source::ConfigMap, r, "name", vec![r], &whom, out);
                }
                if let Some(r) = from.and_then(|f| get(f, "secretKeyRef")) {
                    reference(o, &index, Source::Secret, r, "name", vec![r], &whom, out);
                }
            }
            for ef in items(get(c, "envFrom")) {
                if let Some(r) = get(ef, "configMapRef") {
                    reference(o, &index, Source::ConfigMap, r, "name", Vec::new(), &format!("{whom} (envFrom)"), out);
                }
                if let Some(r) = get(ef, "secretRef") {
                    reference(o, &index, Source::Secret, r, "name", Vec::new(), &format!("{whom} (envFrom)"), out);
                }
            }
        }
        for vol in items(get(pod, "volumes")) {
            let vname = get(vol, "name").and_then(text).unwrap_or_default();
            let whom = format!("volume `{vname}`");
            if let Some(r) = get(vol, "configMap") {
                reference(o, &index, Source::ConfigMap, r, "name", items(get(r, "items")).iter().collect(), &whom, out);
            }
            if let Some(r) = get(vol, "secret") {
                reference(
                    o,
                    &index,
                    Source::Secret,
                    r,
                    "secretName",
                    items(get(r, "items")).iter().collect(),
                    &whom,
                    out,
                );
            }
            for src in items(get(vol, "projected").and_then(|p| get(p, "sources"))) {
                if let Some(r) = get(src, "configMap") {
                    reference(
                        o,
                        &index,
                        Source::ConfigMap,
                        r,
                        "name",
                        items(get(r, "items")).iter().collect(),
                        &whom,
                        out,
                    );
                }
                if let Some(r) = get(src, "secret") {
                    reference(
                        o,
                        &index,
                        Source::Secret,
                        r,
                        "name",
                        items(get(r, "items")).iter().collect(),
                        &whom,
                        out,
                    );
                }
            }
        }
    }
}

/// Check one reference: `name_field` names the object, each of `key_holders` has a
/// `key` that must exist in it.
#[allow(clippy::too_many_arguments)]
fn reference(
    obj: &Object,
    index: &Index,
    source: Source,
    r: &Node,
    name_field: &str,
    key_holders: Vec<&Node>,
    whom: &str,
    out: &mut Vec<Finding>,
) {
    if is_true(get(r, "optional")) {
        return;
    }
    let Some(name_node) = get(r, name_field) else { return };
    let name = text(name_node).unwrap_or_default();
    let kind = source.word();
    let Some(defined) = index.of(source).get(&name) else {
        out.push(obj.finding(
            "k8s.missing-config-ref",
            if matches!(source, Source::ConfigMap) { "missing-configmap" } else { "missing-secret" },
            Severity::High,
            name_node.pos(),
            format!("{whom} refers to {kind} `{name}`, which no manifest here defines; the pod will not start (CreateContainerConfigError)"),
        ));
        return;
    };
    for holder in key_holders {
        let Some(key_node) = get(holder, "key") else { continue };
        let key = text(key_node).unwrap_or_default();
        if !defined.contains(&key) {
            let have: Vec<&str> = defined.iter().map(String::as_str).collect();
            out.push(obj.finding(
                "k8s.missing-config-ref",
                if matches!(source, Source::ConfigMap) { "missing-configmap-key" } else { "missing-secret-key" },
                Severity::High,
                key_node.pos(),
                format!(
                    "{whom} reads key `{key}` of {kind} `{name}`, which has {}",
                    if have.is_empty() { "no keys".to_owned() } else { format!("only {}", have.join(", ")) }
                ),
            ));
        }
    }
}
