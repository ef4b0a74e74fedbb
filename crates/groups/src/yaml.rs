//! YAML group files of an `autodir` (ClusterShell's `YAMLGroupLoader`):
//! each top-level key is a source, mapping group names to node sets.

use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

use crate::Error;
use crate::source::FileSource;

/// Reads the sources of one YAML file, in file order.
pub fn load_file(path: &Path) -> Result<Vec<FileSource>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(&e, path))?;
    load_str(&text, &path.display().to_string())
}

/// Reads the sources of YAML `text`, named `file` in errors.
pub fn load_str(text: &str, file: &str) -> Result<Vec<FileSource>, Error> {
    let docs =
        YamlLoader::load_from_str(text).map_err(|e| Error::Config(format!("{file}: {e}")))?;
    if docs.len() > 1 {
        return Err(Error::Config(format!(
            "{file}: expected a single document in the stream"
        )));
    }
    let Some(Yaml::Hash(sources)) = docs.into_iter().next() else {
        return Err(Error::Config(format!(
            "{file}: invalid content (base is not a dict)"
        )));
    };
    let mut out = Vec::new();
    for (name, groups) in sources {
        let Some(name) = string_key(&name) else {
            let shown = scalar(&name).unwrap_or_default();
            return Err(Error::Config(format!(
                "{file}: group source {shown} not a string (add quotes?)"
            )));
        };
        let Yaml::Hash(groups) = groups else {
            return Err(Error::Config(format!(
                "{file}: invalid content (group source '{name}' is not a dict)"
            )));
        };
        let mut list = Vec::new();
        for (group, nodes) in groups {
            let Some(group) = string_key(&group) else {
                let shown = scalar(&group).unwrap_or_default();
                return Err(Error::Config(format!(
                    "{file}: {name}: group name {shown} not a string (add quotes?)"
                )));
            };
            list.push((group, nodes_text(&nodes)));
        }
        out.push(FileSource::new(&name, list));
    }
    Ok(out)
}

/// A key that YAML read as a string.
fn string_key(key: &Yaml) -> Option<String> {
    match key {
        Yaml::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// A scalar's text (how Python would print it, near enough).
fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(true) => Some("True".to_owned()),
        Yaml::Boolean(false) => Some("False".to_owned()),
        Yaml::Null => Some(String::new()),
        _ => None,
    }
}

/// A group's nodes as text: a string, a list joined with `,`, `null` empty.
fn nodes_text(value: &Yaml) -> String {
    match value {
        Yaml::Array(items) => items
            .iter()
            .filter_map(scalar)
            .collect::<Vec<_>>()
            .join(","),
        other => scalar(other).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sources_and_refuses_bad_shapes() {
        let text = "a:\n  web: w[1-3]\n  db: [db1, db2]\n  none:\nb:\n  x: x1\n";
        let sources = load_str(text, "f.yaml").unwrap();
        assert_eq!(sources.len(), 2);
        assert_eq!(
            sources[0],
            FileSource::new(
                "a",
                vec![
                    ("web".into(), "w[1-3]".into()),
                    ("db".into(), "db1,db2".into()),
                    ("none".into(), String::new()),
                ]
            )
        );
        let e = load_str("- a\n", "f.yaml").unwrap_err().to_string();
        assert_eq!(
            e,
            "Group resolver error: f.yaml: invalid content (base is not a dict)"
        );
        let e = load_str("a: b\n", "f.yaml").unwrap_err().to_string();
        assert!(e.contains("group source 'a' is not a dict"), "{e}");
        let e = load_str("1:\n  x: y\n", "f.yaml").unwrap_err().to_string();
        assert!(
            e.contains("group source 1 not a string (add quotes?)"),
            "{e}"
        );
        assert!(load_str("a: [\n", "f.yaml").is_err());
    }
}
