//! Synthesising a Terraform state (format v4) from a plan, without any cloud.
//!
//! The plan check asks Terraform what it would do to the *deployed* base if the
//! candidate's configuration were applied. Nothing is deployed, so we make up the
//! state that applying the base would have produced: take the base plan's planned
//! values, give every value only known after apply (`after_unknown`) a deterministic
//! stand-in of the right type (`id` → `fl-<address>`, ARNs → `arn:aws:…:fl-<address>`,
//! other strings → `fl-<address>-<attribute>`, numbers 0, booleans false, empty
//! collections), and write that as a state. The caller then plans the base against
//! the state again and repeats until the base plans nothing, so that what the
//! candidate plans is really the candidate's doing.
//!
//! Types come from the provider schemas (`terraform providers schema -json`, slimmed
//! by [`slim_schemas`]), because a stand-in of the wrong type makes Terraform reject
//! the state. To save rounds, an unknown attribute written in the configuration as a
//! plain reference to another resource's attribute (`vpc_id = aws_vpc.main.id`)
//! gets that attribute's stand-in straight away.
//!
//! Everything here is pure: JSON in, JSON out.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{json, Map, Value};

/// Provider schemas reduced to what synthesis needs: provider source address →
/// `{"resource_schemas": {type: {"version": n, "block": …}}}` with descriptions
/// and other documentation removed.
pub(crate) type Schemas = BTreeMap<String, Arc<Value>>;

/// Slim the output of `terraform providers schema -json` into one entry per
/// provider (keyed by source address, e.g. `registry.terraform.io/hashicorp/aws`).
pub(crate) fn slim_schemas(full: &Value) -> Schemas {
    let mut out = Schemas::new();
    let Some(providers) = full.get("provider_schemas").and_then(Value::as_object) else {
        return out;
    };
    for (address, provider) in providers {
        let mut types = Map::new();
        if let Some(resources) = provider.get("resource_schemas").and_then(Value::as_object) {
            for (name, schema) in resources {
                types.insert(
                    name.clone(),
                    json!({
                        "version": schema.get("version").cloned().unwrap_or(json!(0)),
                        "block": slim_block(schema.get("block").unwrap_or(&Value::Null)),
                    }),
                );
            }
        }
        out.insert(address.clone(), Arc::new(json!({ "resource_schemas": types })));
    }
    out
}

fn slim_block(block: &Value) -> Value {
    let mut out = Map::new();
    if let Some(attrs) = block.get("attributes").and_then(Value::as_object) {
        let slim: Map<String, Value> = attrs.iter().map(|(k, v)| (k.clone(), slim_attribute(v))).collect();
        out.insert("attributes".into(), Value::Object(slim));
    }
    if let Some(blocks) = block.get("block_types").and_then(Value::as_object) {
        let slim: Map<String, Value> = blocks
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    json!({
                        "nesting_mode": v.get("nesting_mode").cloned().unwrap_or(json!("list")),
                        "block": slim_block(v.get("block").unwrap_or(&Value::Null)),
                    }),
                )
            })
            .collect();
        out.insert("block_types".into(), Value::Object(slim));
    }
    Value::Object(out)
}

fn slim_attribute(attr: &Value) -> Value {
    if let Some(nested) = attr.get("nested_type") {
        let attrs: Map<String, Value> = nested
            .get("attributes")
            .and_then(Value::as_object)
            .map(|a| a.iter().map(|(k, v)| (k.clone(), slim_attribute(v))).collect())
            .unwrap_or_default();
        json!({ "nested_type": {
            "nesting_mode": nested.get("nesting_mode").cloned().unwrap_or(json!("single")),
            "attributes": attrs,
        }})
    } else {
        json!({ "type": attr.get("type").cloned().unwrap_or(json!("dynamic")) })
    }
}

/// One managed resource instance taken from a plan's `planned_values`.
#[derive(Debug, Clone)]
struct Instance {
    address: String,
    module: Option<String>,
    kind: String,
    name: String,
    index: Option<Value>,
    provider_name: String,
    schema_version: u64,
    attributes: Map<String, Value>,
    sensitive: Value,
    unknown: Value,
}

/// What [`state_from_plan`] needs besides the plan.
pub(crate) struct StateMeta<'a> {
    /// Written as the state's `terraform_version`.
    pub terraform_version: &'a str,
    /// The state's serial; bump it every round.
    pub serial: u64,
    /// The state's lineage.
    pub lineage: &'a str,
}

/// Build a v4 state from the JSON of `terraform show -json <planfile>`.
pub(crate) fn state_from_plan(plan: &Value, schemas: &Schemas, meta: &StateMeta<'_>) -> Value {
    let unknown_by_address: HashMap<&str, &Value> = plan
        .get("resource_changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|rc| Some((rc.get("address")?.as_str()?, rc.pointer("/change/after_unknown")?)))
        .collect();
    let mut instances = Vec::new();
    if let Some(root) = plan.pointer("/planned_values/root_module") {
        collect_instances(root, &unknown_by_address, &mut instances);
    }
    for instance in &mut instances {
        let block = resource_block(schemas, &instance.provider_name, &instance.kind);
        let filled =
            fill_block(&Value::Object(instance.attributes.clone()), &instance.unknown, block, &instance.address);
        if let Value::Object(map) = filled {
            instance.attributes = map;
        }
    }
    let config = ConfigIndex::new(plan);
    resolve_references(&mut instances, &config, schemas);

    // Group instances into resources, keeping the plan's order.
    let mut resources: Vec<Value> = Vec::new();
    let mut position: HashMap<(Option<String>, String, String), usize> = HashMap::new();
    for instance in instances {
        let block = resource_block(schemas, &instance.provider_name, &instance.kind);
        let mut entry = Map::new();
        if let Some(index) = &instance.index {
            entry.insert("index_key".into(), index.clone());
        }
        entry.insert("schema_version".into(), json!(instance.schema_version));
        entry.insert("attributes".into(), Value::Object(instance.attributes.clone()));
        entry.insert("sensitive_attributes".into(), Value::Array(sensitive_paths(&instance.sensitive, block)));
        let key = (instance.module.clone(), instance.kind.clone(), instance.name.clone());
        match position.get(&key) {
            Some(&i) => {
                if let Some(list) = resources[i].get_mut("instances").and_then(Value::as_array_mut) {
                    list.push(Value::Object(entry));
                }
            }
            None => {
                let mut resource = Map::new();
                if let Some(module) = &instance.module {
                    resource.insert("module".into(), json!(module));
                }
                resource.insert("mode".into(), json!("managed"));
                resource.insert("type".into(), json!(instance.kind));
                resource.insert("name".into(), json!(instance.name));
                resource.insert("provider".into(), json!(config.provider_config(&instance)));
                resource.insert("instances".into(), json!([Value::Object(entry)]));
                position.insert(key, resources.len());
                resources.push(Value::Object(resource));
            }
        }
    }
    json!({
        "version": 4,
        "terraform_version": meta.terraform_version,
        "serial": meta.serial,
        "lineage": meta.lineage,
        "outputs": {},
        "resources": resources,
        "check_results": null,
    })
}

fn collect_instances(module: &Value, unknown: &HashMap<&str, &Value>, out: &mut Vec<Instance>) {
    let module_address = module.get("address").and_then(Value::as_str).map(str::to_string);
    for r in module.get("resources").and_then(Value::as_array).into_iter().flatten() {
        if r.get("mode").and_then(Value::as_str) != Some("managed") {
            continue;
        }
        let text = |key: &str| r.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let address = text("address");
        out.push(Instance {
            unknown: unknown.get(address.as_str()).map_or(Value::Null, |v| (*v).clone()),
            address,
            module: module_address.clone(),
            kind: text("type"),
            name: text("name"),
            index: r.get("index").cloned(),
            provider_name: text("provider_name"),
            schema_version: r.get("schema_version").and_then(Value::as_u64).unwrap_or(0),
            attributes: r.get("values").and_then(Value::as_object).cloned().unwrap_or_default(),
            sensitive: r.get("sensitive_values").cloned().unwrap_or(Value::Null),
        });
    }
    for child in module.get("child_modules").and_then(Value::as_array).into_iter().flatten() {
        collect_instances(child, unknown, out);
    }
}

static EMPTY_BLOCK: Value = Value::Null;

fn resource_block<'a>(schemas: &'a Schemas, provider: &str, kind: &str) -> &'a Value {
    schemas.get(provider).and_then(|p| p.pointer(&format!("/resource_schemas/{kind}/block"))).unwrap_or(&EMPTY_BLOCK)
}

/// Fill the unknown parts of a block's value, following the schema's shape.
fn fill_block(value: &Value, unknown: &Value, block: &Value, address: &str) -> Value {
    let mut out = value.as_object().cloned().unwrap_or_default();
    if block.is_null() {
        // No schema: fill unknown top-level values as strings, the usual case.
        if let Some(unknown) = unknown.as_object() {
            for (name, u) in unknown {
                if u == &Value::Bool(true) {
                    out.insert(name.clone(), synth(&json!("string"), address, name));
                }
            }
        }
        return Value::Object(out);
    }
    for (name, spec) in block.get("attributes").and_then(Value::as_object).into_iter().flatten() {
        let current = out.get(name).cloned().unwrap_or(Value::Null);
        let u = unknown.get(name.as_str()).unwrap_or(&Value::Null);
        let filled = match spec.get("nested_type") {
            Some(nested) => fill_nested(&current, u, nested, address),
            None => fill_typed(&current, u, spec.get("type").unwrap_or(&Value::Null), address, name),
        };
        out.insert(name.clone(), filled);
    }
    for (name, spec) in block.get("block_types").and_then(Value::as_object).into_iter().flatten() {
        let current = out.get(name).cloned().unwrap_or(Value::Null);
        let u = unknown.get(name.as_str()).unwrap_or(&Value::Null);
        let inner = spec.get("block").unwrap_or(&Value::Null);
        let mode = spec.get("nesting_mode").and_then(Value::as_str).unwrap_or("list");
        out.insert(name.clone(), fill_collection(&current, u, mode, |v, u| fill_block(v, u, inner, address)));
    }
    Value::Object(out)
}

/// Fill a nested block or nested attribute according to its nesting mode.
fn fill_collection(value: &Value, unknown: &Value, mode: &str, fill: impl Fn(&Value, &Value) -> Value) -> Value {
    let null = Value::Null;
    let whole_unknown = unknown == &Value::Bool(true);
    match mode {
        "list" | "set" => match value.as_array() {
            Some(items) if !whole_unknown => {
                Value::Array(items.iter().enumerate().map(|(i, v)| fill(v, unknown.get(i).unwrap_or(&null))).collect())
            }
            _ => json!([]),
        },
        "map" => match value.as_object() {
            Some(items) if !whole_unknown => Value::Object(
                items.iter().map(|(k, v)| (k.clone(), fill(v, unknown.get(k.as_str()).unwrap_or(&null)))).collect(),
            ),
            _ => json!({}),
        },
        // single / group
        _ if whole_unknown => fill(&json!({}), &json!({})),
        _ if value.is_null() => Value::Null,
        _ => fill(value, unknown),
    }
}

fn fill_nested(value: &Value, unknown: &Value, nested: &Value, address: &str) -> Value {
    let attrs = nested.get("attributes").cloned().unwrap_or(json!({}));
    let mode = nested.get("nesting_mode").and_then(Value::as_str).unwrap_or("single");
    let as_block = json!({ "attributes": attrs });
    if unknown == &Value::Bool(true) && mode == "single" {
        // A wholly unknown single object: make every attribute up.
        let all_unknown: Map<String, Value> =
            attrs.as_object().into_iter().flatten().map(|(k, _)| (k.clone(), Value::Bool(true))).collect();
        return fill_block(&json!({}), &Value::Object(all_unknown), &as_block, address);
    }
    fill_collection(value, unknown, mode, |v, u| fill_block(v, u, &as_block, address))
}

/// Fill the unknown parts of a value of a cty type (as in the schema JSON).
fn fill_typed(value: &Value, unknown: &Value, ty: &Value, address: &str, name: &str) -> Value {
    let null = Value::Null;
    if unknown == &Value::Bool(true) {
        return synth(ty, address, name);
    }
    if !(unknown.is_array() || unknown.is_object()) {
        return value.clone();
    }
    let (Some(kind), Some(inner)) = (ty.get(0).and_then(Value::as_str), ty.get(1)) else {
        return value.clone();
    };
    match (kind, value) {
        ("list" | "set", Value::Array(items)) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| fill_typed(v, unknown.get(i).unwrap_or(&null), inner, address, name))
                .collect(),
        ),
        ("tuple", Value::Array(items)) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    fill_typed(v, unknown.get(i).unwrap_or(&null), inner.get(i).unwrap_or(&null), address, name)
                })
                .collect(),
        ),
        ("map", Value::Object(items)) => Value::Object(
            items
                .iter()
                .map(|(k, v)| (k.clone(), fill_typed(v, unknown.get(k.as_str()).unwrap_or(&null), inner, address, k)))
                .collect(),
        ),
        ("object", Value::Object(items)) => {
            let mut out = items.clone();
            for (k, t) in inner.as_object().into_iter().flatten() {
                let current = items.get(k).cloned().unwrap_or(Value::Null);
                out.insert(k.clone(), fill_typed(&current, unknown.get(k.as_str()).unwrap_or(&null), t, address, k));
            }
            Value::Object(out)
        }
        _ => value.clone(),
    }
}

/// A deterministic stand-in for an unknown value of type `ty`.
pub(crate) fn synth(ty: &Value, address: &str, name: &str) -> Value {
    match ty {
        Value::String(t) => match t.as_str() {
            "string" => Value::String(synth_string(address, name)),
            "number" => json!(0),
            "bool" => json!(false),
            _ => Value::Null,
        },
        Value::Array(parts) => match (parts.first().and_then(Value::as_str), parts.get(1)) {
            (Some("list" | "set"), _) => json!([]),
            (Some("map"), _) => json!({}),
            (Some("object"), Some(Value::Object(attrs))) => {
                Value::Object(attrs.iter().map(|(k, t)| (k.clone(), synth(t, address, k))).collect())
            }
            (Some("tuple"), Some(Value::Array(items))) => {
                Value::Array(items.iter().map(|t| synth(t, address, name)).collect())
            }
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

fn synth_string(address: &str, name: &str) -> String {
    if name == "id" {
        format!("fl-{address}")
    } else if name == "arn" {
        format!("arn:aws:faultline:us-east-1:000000000000:fl-{address}")
    } else if name.ends_with("_arn") {
        format!("arn:aws:faultline:us-east-1:000000000000:fl-{address}-{name}")
    } else {
        format!("fl-{address}-{name}")
    }
}

/// Turn a `sensitive_values` tree into the state's list of sensitive paths.
fn sensitive_paths(sensitive: &Value, block: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    walk_sensitive(sensitive, block, &mut Vec::new(), &mut out);
    out
}

fn walk_sensitive(sensitive: &Value, block: &Value, path: &mut Vec<Value>, out: &mut Vec<Value>) {
    let Some(map) = sensitive.as_object() else {
        return;
    };
    for (name, marks) in map {
        path.push(json!({"type": "get_attr", "value": name}));
        let nested_block = block.pointer(&format!("/block_types/{}", escape_pointer(name)));
        match (marks, nested_block) {
            (Value::Bool(true), _) => out.push(Value::Array(path.clone())),
            (Value::Array(items), Some(spec)) => {
                let inner = spec.get("block").unwrap_or(&Value::Null);
                for (i, item) in items.iter().enumerate() {
                    path.push(json!({"type": "index", "value": {"value": i, "type": "number"}}));
                    walk_sensitive(item, inner, path, out);
                    path.pop();
                }
            }
            (Value::Object(_), Some(spec)) => {
                walk_sensitive(marks, spec.get("block").unwrap_or(&Value::Null), path, out)
            }
            (other, None) => walk_sensitive_value(other, path, out),
            _ => {}
        }
        path.pop();
    }
}

/// Sensitivity inside an attribute value: lists index by number, maps by key.
fn walk_sensitive_value(marks: &Value, path: &mut Vec<Value>, out: &mut Vec<Value>) {
    match marks {
        Value::Bool(true) => out.push(Value::Array(path.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(json!({"type": "index", "value": {"value": i, "type": "number"}}));
                walk_sensitive_value(item, path, out);
                path.pop();
            }
        }
        Value::Object(items) => {
            for (k, item) in items {
                path.push(json!({"type": "index", "value": {"value": k, "type": "string"}}));
                walk_sensitive_value(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The plan's `configuration` section, indexed by resource configuration address
/// (module path plus `type.name`, without instance keys).
struct ConfigIndex<'a> {
    resources: HashMap<String, &'a Value>,
}

impl<'a> ConfigIndex<'a> {
    fn new(plan: &'a Value) -> Self {
        let mut resources = HashMap::new();
        if let Some(root) = plan.pointer("/configuration/root_module") {
            Self::walk(root, "", &mut resources);
        }
        Self { resources }
    }

    fn walk(module: &'a Value, prefix: &str, out: &mut HashMap<String, &'a Value>) {
        for r in module.get("resources").and_then(Value::as_array).into_iter().flatten() {
            if let Some(address) = r.get("address").and_then(Value::as_str) {
                out.insert(format!("{prefix}{address}"), r);
            }
        }
        for (name, call) in module.get("module_calls").and_then(Value::as_object).into_iter().flatten() {
            if let Some(child) = call.get("module") {
                Self::walk(child, &format!("{prefix}module.{name}."), out);
            }
        }
    }

    fn get(&self, instance_address: &str) -> Option<&'a Value> {
        self.resources.get(&strip_instance_keys(instance_address)).copied()
    }

    /// The provider configuration address to record in the state. Resources of the
    /// root module keep their alias; resources in modules are recorded with the
    /// root's default configuration of their provider.
    fn provider_config(&self, instance: &Instance) -> String {
        let base = format!("provider[\"{}\"]", instance.provider_name);
        if instance.module.is_some() {
            return base;
        }
        let key = self
            .get(&instance.address)
            .and_then(|r| r.get("provider_config_key"))
            .and_then(Value::as_str)
            .unwrap_or("");
        match key.rsplit(':').next().and_then(|k| k.split_once('.')) {
            Some((_, alias)) if !alias.is_empty() => format!("{base}.{alias}"),
            _ => base,
        }
    }
}

/// `module.a[0].aws_subnet.x["k"]` → `module.a.aws_subnet.x`.
fn strip_instance_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for c in address.chars() {
        if depth > 0 {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
            } else if c == ']' {
                depth -= 1;
            } else if c == '[' {
                depth += 1;
            }
            continue;
        }
        if c == '[' {
            depth = 1;
        } else {
            out.push(c);
        }
    }
    out
}

/// Give unknown attributes written as plain references the referenced value.
fn resolve_references(instances: &mut [Instance], config: &ConfigIndex<'_>, schemas: &Schemas) {
    let by_address: HashMap<String, usize> =
        instances.iter().enumerate().map(|(i, r)| (r.address.clone(), i)).collect();
    // A few passes let chains (a → b → c) settle; each pass only reads earlier values.
    for _ in 0..4 {
        let mut changed = false;
        for i in 0..instances.len() {
            let Some(expressions) = config.get(&instances[i].address).and_then(|r| r.get("expressions")) else {
                continue;
            };
            let prefix = instances[i].module.as_deref().map(|m| format!("{m}.")).unwrap_or_default();
            let unknown_names: Vec<String> = instances[i]
                .unknown
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, u)| **u == Value::Bool(true))
                .map(|(k, _)| k.clone())
                .collect();
            for name in unknown_names {
                let refs: Vec<&str> = expressions
                    .pointer(&format!("/{}/references", escape_pointer(&name)))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let targets: Vec<&Value> = refs
                    .iter()
                    .filter_map(|r| {
                        let (resource, attr) =
                            format!("{prefix}{r}").rsplit_once('.').map(|(a, b)| (a.to_string(), b.to_string()))?;
                        let j = *by_address.get(&resource)?;
                        instances[j].attributes.get(&attr).filter(|v| v.is_string())
                    })
                    .collect();
                if targets.is_empty() {
                    continue;
                }
                let block = resource_block(schemas, &instances[i].provider_name, &instances[i].kind);
                let ty = block
                    .pointer(&format!("/attributes/{}/type", escape_pointer(&name)))
                    .cloned()
                    .unwrap_or(Value::Null);
                let resolved = match (&ty, targets.as_slice()) {
                    (Value::String(t), [single]) if t == "string" => (*single).clone(),
                    (Value::Array(parts), _)
                        if parts.first().and_then(Value::as_str).is_some_and(|k| k == "list" || k == "set")
                            && parts.get(1) == Some(&json!("string")) =>
                    {
                        Value::Array(targets.iter().map(|v| (*v).clone()).collect())
                    }
                    _ => continue,
                };
                if instances[i].attributes.get(&name) != Some(&resolved) {
                    instances[i].attributes.insert(name, resolved);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `show -json` of the fixture base planned against an empty state, and the
    /// schemas of its resource types, both stored beside this module.
    fn base_state() -> Value {
        let plan: Value = serde_json::from_str(include_str!("test_data/base-plan.json")).expect("plan JSON");
        let full: Value = serde_json::from_str(include_str!("test_data/aws-schema-subset.json")).expect("schema JSON");
        let meta = StateMeta { terraform_version: "1.11.4", serial: 1, lineage: "test" };
        state_from_plan(&plan, &slim_schemas(&full), &meta)
    }

    fn attributes<'a>(state: &'a Value, kind: &str, name: &str) -> &'a Value {
        state["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["type"] == kind && r["name"] == name))
            .map(|r| &r["instances"][0]["attributes"])
            .unwrap_or(&Value::Null)
    }

    #[test]
    fn a_state_from_the_base_plan_has_every_managed_resource_with_its_schema_version() {
        let state = base_state();
        assert_eq!(state["version"], 4);
        let resources = state["resources"].as_array().expect("resources");
        assert_eq!(resources.len(), 7);
        let db = resources.iter().find(|r| r["type"] == "aws_db_instance").expect("db");
        assert_eq!(db["provider"], "provider[\"registry.terraform.io/hashicorp/aws\"]");
        assert_eq!(db["instances"][0]["schema_version"], 2);
    }

    #[test]
    fn unknown_ids_get_stand_ins_and_references_resolve_to_them() {
        let state = base_state();
        assert_eq!(attributes(&state, "aws_vpc", "main")["id"], "fl-aws_vpc.main");
        assert_eq!(attributes(&state, "aws_subnet", "db_a")["vpc_id"], "fl-aws_vpc.main");
        assert_eq!(
            attributes(&state, "aws_db_subnet_group", "main")["subnet_ids"],
            json!(["fl-aws_subnet.db_a", "fl-aws_subnet.db_b"])
        );
        assert_eq!(
            attributes(&state, "aws_db_instance", "main")["vpc_security_group_ids"],
            json!(["fl-aws_security_group.db"])
        );
        // Known values are kept as planned.
        assert_eq!(attributes(&state, "aws_db_instance", "main")["identifier"], "shop-db");
        assert_eq!(attributes(&state, "aws_db_instance", "main")["allocated_storage"], 20);
    }

    #[test]
    fn unknown_values_of_other_types_get_typed_stand_ins() {
        let state = base_state();
        let db = attributes(&state, "aws_db_instance", "main");
        assert_eq!(db["port"], 0);
        assert_eq!(db["arn"], "arn:aws:faultline:us-east-1:000000000000:fl-aws_db_instance.main");
        assert_eq!(attributes(&state, "aws_vpc", "main")["owner_id"], "fl-aws_vpc.main-owner_id");
    }

    #[test]
    fn sensitive_attributes_of_the_plan_are_recorded() {
        let state = base_state();
        let db = state["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["type"] == "aws_db_instance"))
            .expect("db");
        let paths = db["instances"][0]["sensitive_attributes"].as_array().expect("paths");
        assert!(paths.contains(&json!([{"type": "get_attr", "value": "password"}])), "{paths:?}");
    }

    #[test]
    fn instance_keys_are_stripped_from_addresses_even_with_brackets_in_keys() {
        assert_eq!(strip_instance_keys("module.a[0].aws_subnet.x[\"k]\"]"), "module.a.aws_subnet.x");
        assert_eq!(strip_instance_keys("aws_vpc.main"), "aws_vpc.main");
    }

    #[test]
    fn stand_ins_have_the_schema_type() {
        assert_eq!(synth(&json!("string"), "aws_vpc.main", "id"), json!("fl-aws_vpc.main"));
        assert_eq!(
            synth(&json!("string"), "aws_vpc.main", "arn"),
            json!("arn:aws:faultline:us-east-1:000000000000:fl-aws_vpc.main")
        );
        assert_eq!(synth(&json!("string"), "aws_vpc.main", "owner_id"), json!("fl-aws_vpc.main-owner_id"));
        assert_eq!(synth(&json!("number"), "a.b", "port"), json!(0));
        assert_eq!(synth(&json!("bool"), "a.b", "x"), json!(false));
        assert_eq!(synth(&json!(["set", "string"]), "a.b", "x"), json!([]));
        assert_eq!(
            synth(&json!(["object", {"n": "number", "s": "string"}]), "a.b", "x"),
            json!({"n": 0, "s": "fl-a.b-s"})
        );
    }

    #[test]
    fn sensitive_values_become_state_paths() {
        let block = json!({"attributes": {"password": {"type": "string"}}, "block_types": {"rule": {"nesting_mode": "list", "block": {}}}});
        let paths = sensitive_paths(&json!({"password": true, "tags": {}, "rule": [{"secret": true}]}), &block);
        assert_eq!(
            paths,
            vec![
                json!([{"type": "get_attr", "value": "password"}]),
                json!([{"type": "get_attr", "value": "rule"}, {"type": "index", "value": {"value": 0, "type": "number"}}, {"type": "get_attr", "value": "secret"}]),
            ]
        );
    }
}
