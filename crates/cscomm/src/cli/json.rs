//! Pickled values as JSON, for `cscomm decode`.
//!
//! None is null, bool and str as such, int as a number (as a string beyond
//! 2^53), float as a number (`"nan"`, `"inf"`, `"-inf"` as strings), bytes as
//! `{"$bytes": base64}`, list as an array, tuple, set and frozenset as
//! `{"$tuple"|"$set"|"$frozenset": [...]}`, dict with str keys as an object
//! and other dicts as `{"$dict": [[k, v], ...]}`, instances as `{"$class":
//! "module.Name", "args": [...], "state": ...}`. An object that is
//! referenced several times carries `"$id"` where it is shown in full and
//! is `{"$ref": id}` elsewhere.

use std::num::NonZeroUsize;

use bytes::BytesMut;
use cscomm_pickle::{Instance, Value};
use serde_json::{Map, Value as Json, json};

/// The largest integer a JSON number holds exactly (2^53).
const EXACT_INTEGER: i64 = 1 << 53;

/// `value` as JSON, with the mapping of this module.
pub(crate) fn to_json(value: &Value) -> Json {
    match value {
        Value::None => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) if i.unsigned_abs() <= EXACT_INTEGER.unsigned_abs() => json!(i),
        Value::Int(i) => Json::String(i.to_string()),
        Value::BigInt(big) => Json::String(big.to_string()),
        Value::Float(f) => float(*f),
        Value::Str(s) => Json::String(s.clone()),
        Value::Bytes(b) => json!({ "$bytes": base64(b) }),
        Value::ByteArray(b) => json!({ "$bytearray": base64(b) }),
        Value::List(items) => array(items),
        Value::Tuple(items) => json!({ "$tuple": array(items) }),
        Value::Set(items) => json!({ "$set": array(items) }),
        Value::FrozenSet(items) => json!({ "$frozenset": array(items) }),
        Value::Dict(pairs) => dict(pairs),
        Value::Global(global) => json!({ "$global": global.to_string() }),
        Value::Instance(instance) => self::instance(instance),
        Value::Shared(id, inner) => shared(id.0, inner),
        Value::Ref(id) => json!({ "$ref": id.0 }),
        // A kind of value added to the pickle model later.
        other => json!({ "$unknown": other.type_name() }),
    }
}

fn float(f: f64) -> Json {
    serde_json::Number::from_f64(f).map_or_else(
        || {
            Json::String(
                if f.is_nan() {
                    "nan"
                } else if f > 0.0 {
                    "inf"
                } else {
                    "-inf"
                }
                .into(),
            )
        },
        Json::Number,
    )
}

fn array(items: &[Value]) -> Json {
    Json::Array(items.iter().map(to_json).collect())
}

fn dict(pairs: &[(Value, Value)]) -> Json {
    let all_str_keys = pairs.iter().all(|(k, _)| k.as_str().is_some());
    if all_str_keys {
        let map: Map<String, Json> = pairs
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), to_json(v))))
            .collect();
        Json::Object(map)
    } else {
        let pairs = pairs.iter().map(|(k, v)| json!([to_json(k), to_json(v)]));
        json!({ "$dict": pairs.collect::<Vec<_>>() })
    }
}

fn instance(instance: &Instance) -> Json {
    let mut map = Map::new();
    map.insert("$class".into(), Json::String(instance.class.to_string()));
    map.insert("args".into(), array(&instance.args));
    if !instance.kwargs.is_empty() {
        map.insert("kwargs".into(), dict(&instance.kwargs));
    }
    map.insert(
        "state".into(),
        instance.state.as_ref().map_or(Json::Null, to_json),
    );
    Json::Object(map)
}

/// A shared object: its JSON with `"$id"` added (wrapped when not an object).
fn shared(id: u32, inner: &Value) -> Json {
    match to_json(inner) {
        Json::Object(mut map) => {
            map.insert("$id".into(), json!(id));
            Json::Object(map)
        }
        other => json!({ "$id": id, "value": other }),
    }
}

fn base64(data: &[u8]) -> String {
    let mut out = BytesMut::new();
    cscomm_message::base64::encode_wrapped(data, NonZeroUsize::MAX, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cscomm_pickle::{Global, SharedId};

    #[test]
    fn maps_every_kind_of_value() {
        let value = Value::Dict(vec![
            (Value::from("n"), Value::Int(1 << 60)),
            (Value::from("b"), Value::Bytes(b"\xff\x00".to_vec())),
            (
                Value::from("t"),
                Value::Tuple(vec![Value::None, Value::Float(f64::NAN)]),
            ),
            (
                Value::from("i"),
                Value::Instance(Box::new(Instance::call(
                    Global::new("ClusterShell.RangeSet", "RangeSet"),
                    vec![Value::from("1-3")],
                ))),
            ),
            (
                Value::from("s"),
                Value::Shared(
                    SharedId(0),
                    Box::new(Value::List(vec![Value::Ref(SharedId(0))])),
                ),
            ),
        ]);
        let expected = json!({
            "n": (1_i64 << 60).to_string(),
            "b": {"$bytes": "/wA="},
            "t": {"$tuple": [null, "nan"]},
            "i": {"$class": "ClusterShell.RangeSet.RangeSet", "args": ["1-3"], "state": null},
            "s": {"$id": 0, "value": [{"$ref": 0}]},
        });
        assert_eq!(to_json(&value), expected);
    }

    #[test]
    fn dicts_with_other_keys_become_pair_lists() {
        let value = Value::Dict(vec![(Value::Int(1), Value::Bool(true))]);
        assert_eq!(to_json(&value), json!({"$dict": [[1, true]]}));
    }
}
