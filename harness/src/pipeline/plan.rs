//! Which jobs run in which order, and what each matrix expands to.
//!
//! GitHub jobs wait for the jobs they `need`. GitLab jobs wait for their `needs`
//! when given, otherwise for every job of an earlier stage. The order is a
//! topological one that keeps file order (GitLab: stage order first) among jobs
//! that are ready together, so runs are repeatable.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{Dialect, Job, Matrix, Workflow};

/// The jobs a job waits for.
pub fn dependencies(wf: &Workflow, job: &Job) -> Vec<String> {
    match wf.dialect {
        Dialect::GitHub => job.needs.iter().map(|n| n.value.clone()).collect(),
        Dialect::GitLab if job.needs_given => job.needs.iter().map(|n| n.value.clone()).collect(),
        Dialect::GitLab => {
            let mine = stage_index(wf, job);
            wf.jobs.iter().filter(|j| stage_index(wf, j) < mine).map(|j| j.id.clone()).collect()
        }
    }
}

fn stage_index(wf: &Workflow, job: &Job) -> usize {
    job.stage.as_ref().and_then(|s| wf.stages.iter().position(|t| t.value == s.value)).unwrap_or(usize::MAX / 2)
}

/// Every job a job depends on, directly or not.
pub fn ancestors(wf: &Workflow, job: &Job) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = dependencies(wf, job);
    while let Some(id) = todo.pop() {
        if seen.insert(id.clone()) {
            if let Some(j) = wf.job(&id) {
                todo.extend(dependencies(wf, j));
            }
        }
    }
    seen
}

/// Job ids in the order they run. `Err` holds a cycle of job ids.
/// Dependencies naming no job are ignored here (the parser reports them).
pub fn order(wf: &Workflow) -> Result<Vec<String>, Vec<String>> {
    let mut jobs: Vec<&Job> = wf.jobs.iter().collect();
    if wf.dialect == Dialect::GitLab {
        jobs.sort_by_key(|j| stage_index(wf, j));
    }
    let ids: BTreeSet<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    let deps: BTreeMap<&str, Vec<String>> = jobs
        .iter()
        .map(|j| (j.id.as_str(), dependencies(wf, j).into_iter().filter(|d| ids.contains(d.as_str())).collect()))
        .collect();
    let mut done: Vec<String> = Vec::new();
    let mut left: Vec<&Job> = jobs;
    while !left.is_empty() {
        let ready = left.iter().position(|j| deps[j.id.as_str()].iter().all(|d| done.contains(d)));
        match ready {
            Some(i) => done.push(left.remove(i).id.clone()),
            None => return Err(find_cycle(&deps, left[0].id.as_str())),
        }
    }
    Ok(done)
}

fn find_cycle(deps: &BTreeMap<&str, Vec<String>>, start: &str) -> Vec<String> {
    let mut path: Vec<String> = vec![start.to_string()];
    let mut current = start.to_string();
    loop {
        let Some(next) = deps.get(current.as_str()).and_then(|d| d.first()).cloned() else {
            return path;
        };
        if let Some(at) = path.iter().position(|p| *p == next) {
            let mut cycle = path[at..].to_vec();
            cycle.push(next);
            return cycle;
        }
        path.push(next.clone());
        current = next;
    }
}

/// The combinations of a matrix, each as `name → value`, in GitHub's order:
/// the cross product of the axes, minus `exclude`, then `include` entries merged
/// into every combination they extend (or added as new ones).
pub fn expand(m: &Matrix) -> Vec<Map<String, Value>> {
    let mut combos: Vec<Map<String, Value>> = vec![Map::new()];
    for (name, values) in &m.axes {
        let mut next = Vec::new();
        for c in &combos {
            for v in values {
                let mut c = c.clone();
                c.insert(name.clone(), v.clone());
                next.push(c);
            }
        }
        combos = next;
    }
    if m.axes.is_empty() {
        combos.clear();
    }
    combos.retain(|c| !m.exclude.iter().any(|e| e.iter().all(|(k, v)| c.get(k) == Some(v))));
    let axis_names: BTreeSet<&str> = m.axes.iter().map(|(n, _)| n.as_str()).collect();
    for inc in &m.include {
        // An include extends the combinations whose axis values it matches, without
        // overwriting an original axis value; otherwise it is a combination of its own.
        let mut extended = false;
        for c in combos.iter_mut() {
            let fits = inc.iter().all(|(k, v)| !axis_names.contains(k.as_str()) || c.get(k) == Some(v));
            if fits && !axis_names.is_empty() {
                for (k, v) in inc {
                    if !axis_names.contains(k.as_str()) || !c.contains_key(k) {
                        c.insert(k.clone(), v.clone());
                    }
                }
                extended = true;
            }
        }
        if !extended {
            combos.push(inc.clone());
        }
    }
    combos
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(o) => o,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn matrix_cross_product_minus_excludes_plus_includes() {
        let m = Matrix {
            axes: vec![("py".into(), vec![json!("3.10"), json!("3.11")]), ("os".into(), vec![json!("a"), json!("b")])],
            include: vec![obj(json!({"py": "3.11", "extra": true})), obj(json!({"py": "3.12", "os": "c"}))],
            exclude: vec![obj(json!({"py": "3.10", "os": "b"}))],
            expression: None,
        };
        let combos: Vec<Value> = expand(&m).into_iter().map(Value::Object).collect();
        assert_eq!(
            combos,
            [
                json!({"os": "a", "py": "3.10"}),
                json!({"extra": true, "os": "a", "py": "3.11"}),
                json!({"extra": true, "os": "b", "py": "3.11"}),
                json!({"os": "c", "py": "3.12"}),
            ]
        );
    }
}
