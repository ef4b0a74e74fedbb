//! `ClusterShell.NodeSet.NodeSet` objects as pickled values.
//!
//! A pickled `NodeSet` is an object built with `NodeSet.__new__` and the
//! state `{_autostep: None, _length: 0, _patterns: {...}, fold_axis: None,
//! _version: 2}`; `_patterns` maps each pattern (`node%s`) to `None`, a
//! `RangeSet` (reduced to `RangeSet('1-3')` with the state `{padding,
//! _autostep: 1e100, _version: 4}`) or a `RangeSetND` (state `{_veclist,
//! _dirty, _autostep, _multivar_hint}`). [`cscomm_topology`]'s views mirror
//! that form.

use cscomm_pickle::{Global, Instance, SharedIndex, Value};
use cscomm_topology::{
    AUTOSTEP_DISABLED, NodeSet, PatternView, RangeSetNdView, RangeSetView, RangesView,
};

use super::{text, unexpected};
use crate::PayloadError;

const NODESET_MODULE: &str = "ClusterShell.NodeSet";
const RANGESET_MODULE: &str = "ClusterShell.RangeSet";

/// The pickled form of `nodes`: what ClusterShell's `pickle.dumps(NodeSet)`
/// holds.
///
/// ```
/// use cscomm_message::{NodeSet, nodeset_from_value, nodeset_to_value};
/// let nodes: NodeSet = "node[1-3],r[1-2]n[01-03]".parse()?;
/// let value = nodeset_to_value(&nodes);
/// assert_eq!(nodeset_from_value(&value)?, nodes);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn nodeset_to_value(nodes: &NodeSet) -> Value {
    let patterns = nodes
        .to_view()
        .into_iter()
        .map(|p| (Value::Str(p.pattern), ranges_to_value(p.ranges)))
        .collect();
    let state = Value::str_dict([
        ("_autostep", Value::None),
        ("_length", Value::Int(0)),
        ("_patterns", Value::Dict(patterns)),
        ("fold_axis", Value::None),
        ("_version", Value::Int(2)),
    ]);
    Instance::new(Global::new(NODESET_MODULE, "NodeSet"))
        .with_state(state)
        .into()
}

fn ranges_to_value(ranges: RangesView) -> Value {
    match ranges {
        RangesView::None => Value::None,
        RangesView::One(r) => rangeset_to_value(r),
        RangesView::Nd(nd) => {
            let veclist = nd
                .vectors
                .into_iter()
                .map(|v| Value::List(v.into_iter().map(rangeset_to_value).collect()))
                .collect();
            let state = Value::str_dict([
                ("_veclist", Value::List(veclist)),
                ("_dirty", Value::Bool(nd.dirty)),
                ("_autostep", Value::Float(AUTOSTEP_DISABLED)),
                ("_multivar_hint", Value::Bool(nd.multivar_hint)),
            ]);
            Instance::new(Global::new(RANGESET_MODULE, "RangeSetND"))
                .with_state(state)
                .into()
        }
    }
}

fn rangeset_to_value(view: RangeSetView) -> Value {
    let state = Value::str_dict([
        (
            "padding",
            view.padding.map_or(Value::None, |p| Value::Int(p.into())),
        ),
        ("_autostep", Value::Float(AUTOSTEP_DISABLED)),
        ("_version", Value::Int(4)),
    ]);
    Instance::call(
        Global::new(RANGESET_MODULE, "RangeSet"),
        vec![Value::Str(view.folded)],
    )
    .with_state(state)
    .into()
}

/// The node set of a pickled `NodeSet` (see [`nodeset_to_value`]).
///
/// # Errors
/// [`PayloadError::Shape`] when the value is not a `NodeSet` object of
/// this form, or describes no valid node set.
pub fn nodeset_from_value(value: &Value) -> Result<NodeSet, PayloadError> {
    nodeset_from(&SharedIndex::new(value), value)
}

/// [`nodeset_from_value`] within a larger value whose shared objects are
/// indexed.
pub(crate) fn nodeset_from<'a>(
    index: &SharedIndex<'a>,
    value: &'a Value,
) -> Result<NodeSet, PayloadError> {
    let inst = instance(index, value, NODESET_MODULE, "NodeSet")?;
    let patterns = inst
        .attr("_patterns")
        .map(|p| index.resolve(p))
        .ok_or_else(|| PayloadError::shape("NodeSet state has no _patterns"))?;
    let pairs = patterns
        .as_dict()
        .ok_or_else(|| unexpected("a _patterns dict", patterns))?;
    let mut view = Vec::with_capacity(pairs.len());
    for (key, ranges) in pairs {
        let pattern = text(index, key).ok_or_else(|| unexpected("a str pattern", key))?;
        view.push(PatternView {
            pattern: pattern.to_owned(),
            ranges: ranges_from(index, ranges)?,
        });
    }
    NodeSet::from_view(&view).map_err(|e| PayloadError::shape(format!("invalid NodeSet: {e}")))
}

fn instance<'a>(
    index: &SharedIndex<'a>,
    value: &'a Value,
    module: &str,
    name: &str,
) -> Result<&'a Instance, PayloadError> {
    let value = index.resolve(value);
    value
        .as_instance()
        .filter(|inst| inst.is(module, name))
        .ok_or_else(|| unexpected(&format!("a {name} object"), value))
}

fn ranges_from<'a>(index: &SharedIndex<'a>, value: &'a Value) -> Result<RangesView, PayloadError> {
    let value = index.resolve(value);
    if value.is_none() {
        return Ok(RangesView::None);
    }
    match value.as_instance() {
        Some(inst) if inst.is(RANGESET_MODULE, "RangeSet") => {
            Ok(RangesView::One(rangeset_from(index, value)?))
        }
        Some(inst) if inst.is(RANGESET_MODULE, "RangeSetND") => {
            let veclist = inst
                .attr("_veclist")
                .map(|v| index.resolve(v))
                .ok_or_else(|| PayloadError::shape("RangeSetND state has no _veclist"))?;
            let vectors = veclist
                .as_sequence()
                .ok_or_else(|| unexpected("a _veclist list", veclist))?
                .iter()
                .map(|vector| {
                    let vector = index.resolve(vector);
                    vector
                        .as_sequence()
                        .ok_or_else(|| unexpected("a vector of RangeSet", vector))?
                        .iter()
                        .map(|r| rangeset_from(index, r))
                        .collect::<Result<Vec<_>, _>>()
                })
                .collect::<Result<Vec<_>, _>>()?;
            let flag = |name| {
                inst.attr(name)
                    .and_then(|v| index.resolve(v).as_bool())
                    .unwrap_or(false)
            };
            Ok(RangesView::Nd(RangeSetNdView {
                vectors,
                // Without the attribute, fold again to be safe.
                dirty: inst.attr("_dirty").is_none() || flag("_dirty"),
                multivar_hint: flag("_multivar_hint"),
            }))
        }
        _ => Err(unexpected("None, a RangeSet or a RangeSetND", value)),
    }
}

fn rangeset_from<'a>(
    index: &SharedIndex<'a>,
    value: &'a Value,
) -> Result<RangeSetView, PayloadError> {
    let inst = instance(index, value, RANGESET_MODULE, "RangeSet")?;
    let folded = match inst.args.first() {
        Some(arg) if index.resolve(arg).is_none() => "",
        Some(arg) => text(index, arg).ok_or_else(|| unexpected("a str RangeSet pattern", arg))?,
        None => return Err(PayloadError::shape("RangeSet without its pattern argument")),
    };
    let padding = inst
        .attr("padding")
        .and_then(|p| index.resolve(p).as_i64())
        .and_then(|p| u32::try_from(p).ok());
    Ok(RangeSetView {
        folded: folded.to_owned(),
        padding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects() {
        for text in [
            "",
            "node1",
            "node[1-3],login",
            "r[1-2]n[01-03]",
            "a[1-2]b[3-4]c5,x[001-100/2]",
        ] {
            let nodes: NodeSet = text.parse().unwrap();
            assert_eq!(
                nodeset_from_value(&nodeset_to_value(&nodes)).unwrap(),
                nodes,
                "{text}"
            );
        }
        assert!(nodeset_from_value(&Value::None).is_err());
        let bogus = Instance::new(Global::new(NODESET_MODULE, "NodeSet"))
            .with_state(Value::str_dict([("_patterns", Value::Int(1))]));
        assert!(nodeset_from_value(&bogus.into()).is_err());
    }
}
