//! `k8s.schema`: every object checked against the Kubernetes OpenAPI types.
//!
//! The JSON schemas come from `k8s-openapi`'s schemars support, generated once. Two
//! adjustments make them strict the way the API server is: every object type with
//! listed properties refuses other keys (the API server drops or rejects unknown
//! fields; either way they are mistakes), and `Quantity`/`IntOrString`, which have no
//! JSON type of their own, become "integer or string" (plus "number" for quantities).
//! Quantities written as strings are then parsed ([`super::quantity`]).
//!
//! Scalars are typed as written ([`schema_check::check_typed`]): `containerPort: "80"`
//! and `value: 8080` for an env var are type errors, as `kubectl apply` says too.

use std::collections::HashMap;
use std::sync::LazyLock;

use k8s_openapi::api::{apps, autoscaling, batch, core, networking, policy, rbac};
use k8s_openapi::schemars::{generate::SchemaSettings, JsonSchema, SchemaGenerator};
use k8s_openapi::Resource;
use serde_json::{Map, Value};

use super::quantity::Quantity;
use super::{get, key_value, Object};
use crate::catalog::schema_check::{self, Problem};
use crate::catalog::yamltree::Node;
use crate::model::{Finding, Severity};

pub const CLASS: &str = "k8s.schema";

/// Marks the schema of a quantity, for the quantity pass.
const QUANTITY_MARK: &str = "x-faultline-quantity";

/// The generated schemas: `$defs` for every type, and the definition name per
/// (apiVersion, kind).
pub struct Schemas {
    pub root: Value,
    pub kinds: HashMap<(String, String), Value>,
}

impl Schemas {
    /// The apiVersions a kind is validated under.
    pub fn versions_of(&self, kind: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self.kinds.keys().filter(|(_, k)| k == kind).map(|(a, _)| a.as_str()).collect();
        v.sort_unstable();
        v
    }
}

fn add<T: JsonSchema + Resource>(generator: &mut SchemaGenerator, kinds: &mut HashMap<(String, String), Value>) {
    let schema = generator.subschema_for::<T>().to_value();
    kinds.insert((T::API_VERSION.to_owned(), T::KIND.to_owned()), schema);
}

/// Every kind the schema rule validates.
pub static SCHEMAS: LazyLock<Schemas> = LazyLock::new(|| {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let mut kinds = HashMap::new();
    let g = &mut generator;
    let k = &mut kinds;
    add::<core::v1::Pod>(g, k);
    add::<core::v1::Service>(g, k);
    add::<core::v1::ConfigMap>(g, k);
    add::<core::v1::Secret>(g, k);
    add::<core::v1::ServiceAccount>(g, k);
    add::<core::v1::PersistentVolumeClaim>(g, k);
    add::<core::v1::ResourceQuota>(g, k);
    add::<core::v1::LimitRange>(g, k);
    add::<core::v1::Namespace>(g, k);
    add::<core::v1::ReplicationController>(g, k);
    add::<apps::v1::Deployment>(g, k);
    add::<apps::v1::StatefulSet>(g, k);
    add::<apps::v1::DaemonSet>(g, k);
    add::<apps::v1::ReplicaSet>(g, k);
    add::<batch::v1::Job>(g, k);
    add::<batch::v1::CronJob>(g, k);
    add::<networking::v1::Ingress>(g, k);
    add::<networking::v1::IngressClass>(g, k);
    add::<networking::v1::NetworkPolicy>(g, k);
    add::<rbac::v1::Role>(g, k);
    add::<rbac::v1::RoleBinding>(g, k);
    add::<rbac::v1::ClusterRole>(g, k);
    add::<rbac::v1::ClusterRoleBinding>(g, k);
    add::<policy::v1::PodDisruptionBudget>(g, k);
    add::<autoscaling::v2::HorizontalPodAutoscaler>(g, k);
    add::<autoscaling::v1::HorizontalPodAutoscaler>(g, k);
    let mut defs = generator.take_definitions(true);
    for def in defs.values_mut() {
        strict(def);
    }
    defs.insert(
        "io.k8s.apimachinery.pkg.api.resource.Quantity".to_owned(),
        serde_json::json!({"type": ["string", "integer", "number"], QUANTITY_MARK: true}),
    );
    defs.insert(
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString".to_owned(),
        serde_json::json!({"type": ["integer", "string"]}),
    );
    Schemas { root: serde_json::json!({ "$defs": defs }), kinds }
});

/// Refuse unknown keys in every object schema that lists its properties.
fn strict(schema: &mut Value) {
    let Value::Object(obj) = schema else { return };
    if obj.contains_key("properties") && !obj.contains_key("additionalProperties") {
        obj.insert("additionalProperties".to_owned(), Value::Bool(false));
    }
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        props.values_mut().for_each(strict);
    }
    for key in ["additionalProperties", "items"] {
        if let Some(sub) = obj.get_mut(key) {
            strict(sub);
        }
    }
    for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
        if let Some(Value::Array(list)) = obj.get_mut(key) {
            list.iter_mut().for_each(strict);
        }
    }
}

/// Schema findings of one object.
pub fn check(obj: &Object, out: &mut Vec<Finding>) {
    let schemas = &*SCHEMAS;
    let key = (obj.api_version.clone(), obj.kind.clone());
    let Some(schema) = schemas.kinds.get(&key) else {
        let versions = schemas.versions_of(&obj.kind);
        if versions.is_empty() {
            let at = get(&obj.doc, "kind").map_or(*obj.doc.pos(), |n| *n.pos());
            out.push(obj.finding(
                CLASS,
                "not-validated",
                Severity::Low,
                &at,
                format!("`{}` `{}` is not a kind these rules know; it was not validated", obj.api_version, obj.kind),
            ));
        } else {
            let at = get(&obj.doc, "apiVersion").map_or(*obj.doc.pos(), |n| *n.pos());
            out.push(obj.finding(
                CLASS,
                "unknown-api-version",
                Severity::High,
                &at,
                format!(
                    "{} is served as `{}`, not `{}`; the API server would refuse this object",
                    obj.kind,
                    versions.join("`, `"),
                    obj.api_version
                ),
            ));
        }
        return;
    };
    let problems = schema_check::check_typed(&obj.doc, &schemas.root, schema);
    for p in &problems {
        out.push(problem_finding(obj, p));
    }
    if obj.name.is_empty() && super::path(&obj.doc, "metadata.generateName").is_none() {
        let at = key_value(&obj.doc, "metadata").map_or(obj.pos(), |(k, _)| k.pos);
        out.push(obj.finding(CLASS, "missing-name", Severity::High, &at, "metadata.name is missing".to_owned()));
    }
    let mut quantities = Vec::new();
    quantity_pass(&obj.doc, schema, &schemas.root, "", 0, &mut quantities);
    for (node, path, why) in quantities {
        // A value of the wrong type is already reported by the schema pass.
        if problems.iter().any(|p| p.pos == *node.pos()) {
            continue;
        }
        out.push(obj.finding(CLASS, "invalid-quantity", Severity::High, node.pos(), format!("{path}: {why}")));
    }
}

fn problem_finding(obj: &Object, p: &Problem) -> Finding {
    let rule = if p.message.starts_with("unknown key") {
        "unknown-field"
    } else if p.message.starts_with("missing required key") {
        "missing-field"
    } else if p.message.starts_with("duplicate key") {
        "duplicate-key"
    } else if p.message.starts_with("expected") && p.message.contains("found") {
        "wrong-type"
    } else {
        "invalid-value"
    };
    let mut message = p.to_string();
    if let Some(help) = &p.help {
        // The list of valid keys is long; the did-you-mean in the message is enough.
        if rule != "unknown-field" {
            message.push_str(&format!(" ({help})"));
        }
    }
    obj.finding(CLASS, rule, Severity::High, &p.pos, message)
}

fn resolve<'s>(root: &'s Value, schema: &'s Value) -> Option<&'s Map<String, Value>> {
    let mut cur = schema.as_object()?;
    for _ in 0..32 {
        match cur.get("$ref").and_then(Value::as_str) {
            Some(r) => cur = root.pointer(r.strip_prefix('#')?)?.as_object()?,
            None => return Some(cur),
        }
    }
    None
}

/// Finds quantity values that do not parse.
fn quantity_pass<'n>(
    node: &'n Node,
    schema: &Value,
    root: &Value,
    path: &str,
    depth: usize,
    out: &mut Vec<(&'n Node, String, String)>,
) {
    let Some(obj) = resolve(root, schema) else { return };
    if depth > 128 {
        return;
    }
    if obj.get(QUANTITY_MARK).is_some() {
        if let Node::Str(s, _) = node {
            if let Err(e) = Quantity::parse(s) {
                out.push((node, path.to_owned(), e.to_string()));
            }
        }
        return;
    }
    match node {
        Node::Map(list, _) => {
            let props = obj.get("properties").and_then(Value::as_object);
            for (k, v) in list {
                let sub = props.and_then(|p| p.get(&k.name)).or_else(|| obj.get("additionalProperties"));
                if let Some(sub) = sub {
                    let child = if path.is_empty() { k.name.clone() } else { format!("{path}.{}", k.name) };
                    quantity_pass(v, sub, root, &child, depth + 1, out);
                }
            }
        }
        Node::Seq(list, _) => {
            if let Some(sub) = obj.get("items") {
                for (i, v) in list.iter().enumerate() {
                    quantity_pass(v, sub, root, &format!("{path}[{i}]"), depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Snapshot;

    fn findings(text: &str) -> Vec<String> {
        let snap: Snapshot = [("m.yaml".to_string(), text.to_string())].into_iter().collect();
        let m = super::super::load(&snap, ".");
        assert!(m.problems.is_empty(), "{:?}", m.problems);
        let mut out = Vec::new();
        for o in &m.objects {
            check(o, &mut out);
        }
        out.iter().map(|f| format!("{}:{} {} {}", f.line, f.column, f.rule, f.message)).collect()
    }

    #[test]
    fn every_supported_kind_has_a_schema_and_quantities_are_typed() {
        let s = &*SCHEMAS;
        for kind in ["Deployment", "Service", "ConfigMap", "CronJob", "HorizontalPodAutoscaler", "NetworkPolicy"] {
            assert!(!s.versions_of(kind).is_empty(), "{kind}");
        }
        assert_eq!(s.versions_of("Deployment"), ["apps/v1"]);
        let q = s.root.pointer("/$defs/io.k8s.apimachinery.pkg.api.resource.Quantity").unwrap();
        assert!(q.get(QUANTITY_MARK).is_some());
        let port = s.root.pointer("/$defs/io.k8s.api.core.v1.ContainerPort").unwrap();
        assert_eq!(port.get("additionalProperties"), Some(&Value::Bool(false)));
    }

    #[test]
    fn a_clean_deployment_has_no_schema_finding() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        ports:\n        - containerPort: 80\n          name: http\n        resources:\n          limits: {cpu: 500m, memory: 256Mi}\n          requests: {cpu: 0.1, memory: 128974848}\n        livenessProbe:\n          httpGet: {path: /, port: http}\n";
        assert_eq!(findings(text), Vec::<String>::new());
    }

    #[test]
    fn unknown_fields_wrong_types_and_bad_quantities_point_at_the_node() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: \"2\"\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        imagePullPolcy: Always\n        ports:\n        - containerPort: \"80\"\n        resources:\n          limits: {memory: 2GB}\n";
        let got = findings(text);
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got[0].starts_with("6:13 wrong-type spec.replicas: expected integer"), "{got:?}");
        assert!(got[1].starts_with("16:9 unknown-field") && got[1].contains("imagePullPolicy"), "{got:?}");
        assert!(got[2].starts_with("18:26 wrong-type"), "{got:?}");
        assert!(got[3].starts_with("20:28 invalid-quantity") && got[3].contains("2GB"), "{got:?}");
    }

    #[test]
    fn unknown_kinds_are_noted_and_old_api_versions_refused() {
        let got = findings("apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c}\n");
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("2:7 not-validated"), "{got:?}");
        let got = findings("apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: d}\nspec: {}\n");
        assert!(got[0].starts_with("1:13 unknown-api-version") && got[0].contains("apps/v1"), "{got:?}");
    }
}
