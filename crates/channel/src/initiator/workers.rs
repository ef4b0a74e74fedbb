//! What the initiator asked of a gateway, per worker: the gateway may
//! speak only for these targets, and only until each one ended.

use std::collections::BTreeMap;

use cscomm_message::NodeSet;

/// The targets of one worker (`srcid`) on this channel.
#[derive(Debug, Default)]
struct Worker {
    /// Every target ever requested.
    requested: NodeSet,
    /// Targets without a return code or timeout yet.
    pending: NodeSet,
    /// Targets that timed out: their last buffered output may still come
    /// (ClusterShell's gateway sends `TIM` before its last grooming tick).
    timed_out: NodeSet,
}

/// Per worker, what the gateway may report on.
#[derive(Debug, Default)]
pub(super) struct Workers {
    workers: BTreeMap<u64, Worker>,
    /// The gateway and the gateways behind it: a gateway relays their own
    /// error output as standard error of their names (ClusterShell does).
    relays: NodeSet,
}

/// Why a routed message was refused: a protocol error of the gateway.
pub(super) type Refusal = String;

impl Workers {
    /// No worker yet; `relays` may have standard error of their own.
    pub(super) fn new(relays: NodeSet) -> Workers {
        Workers {
            workers: BTreeMap::new(),
            relays,
        }
    }

    /// `targets` were requested for `srcid`.
    pub(super) fn request(&mut self, srcid: u64, targets: &NodeSet) {
        let worker = self.workers.entry(srcid).or_default();
        worker.requested.update(targets);
        worker.pending.update(targets);
        worker.timed_out.difference_update(targets);
    }

    fn worker(&self, ident: &str, srcid: u64) -> Result<&Worker, Refusal> {
        self.workers
            .get(&srcid)
            .ok_or_else(|| format!("{ident} message for unknown worker {srcid}"))
    }

    /// Output (`OUT`, `SER`) of `nodes`: they must be running, or have
    /// just timed out; standard error may also be a relay's.
    pub(super) fn check_output(
        &self,
        ident: &str,
        srcid: u64,
        nodes: &NodeSet,
    ) -> Result<(), Refusal> {
        let worker = self.worker(ident, srcid)?;
        let mut allowed = worker.pending.clone();
        allowed.update(&worker.timed_out);
        if ident == "SER" {
            allowed.update(&self.relays);
        }
        refuse_outside(ident, worker, nodes, &allowed)
    }

    /// A routing event (`RTR`) about `targets` of `srcid`.
    pub(super) fn check_routing(&self, srcid: u64, targets: &NodeSet) -> Result<(), Refusal> {
        let worker = self.worker("RTR", srcid)?;
        refuse_outside("RTR", worker, targets, &worker.requested)
    }

    /// `nodes` of `srcid` ended (`RET`, or `TIM` when `timed_out`): each
    /// must still be pending.
    pub(super) fn finish(
        &mut self,
        ident: &str,
        srcid: u64,
        nodes: &NodeSet,
        timed_out: bool,
    ) -> Result<(), Refusal> {
        let worker = self.worker(ident, srcid)?;
        refuse_outside(ident, worker, nodes, &worker.pending)?;
        let worker = self.workers.entry(srcid).or_default();
        worker.pending.difference_update(nodes);
        if timed_out {
            worker.timed_out.update(nodes);
        }
        Ok(())
    }

    /// Targets of each worker with no return code or timeout yet.
    pub(super) fn pending(&self) -> impl Iterator<Item = (u64, &NodeSet)> {
        self.workers
            .iter()
            .filter(|(_, worker)| !worker.pending.is_empty())
            .map(|(srcid, worker)| (*srcid, &worker.pending))
    }

    /// Takes every pending target (the gateway is gone): nothing more is
    /// accepted from it for them.
    pub(super) fn take_pending(&mut self) -> Vec<(u64, NodeSet)> {
        self.workers
            .iter_mut()
            .filter(|(_, worker)| !worker.pending.is_empty())
            .map(|(srcid, worker)| (*srcid, std::mem::take(&mut worker.pending)))
            .collect()
    }
}

/// Refuses `nodes` unless all are in `allowed`; names the others.
fn refuse_outside(
    ident: &str,
    worker: &Worker,
    nodes: &NodeSet,
    allowed: &NodeSet,
) -> Result<(), Refusal> {
    let outside = nodes.difference(allowed);
    if outside.is_empty() {
        return Ok(());
    }
    let finished = outside.intersection(&worker.requested);
    Err(if finished.len() == outside.len() {
        format!("{ident} message for nodes already finished: {outside}")
    } else {
        let foreign = outside.difference(&worker.requested);
        format!("{ident} message for nodes not routed through this gateway: {foreign}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(text: &str) -> NodeSet {
        text.parse().expect("node set")
    }

    #[test]
    fn a_gateway_speaks_only_for_running_targets_of_known_workers() {
        let mut workers = Workers::new(nodes("gw[1-2]"));
        workers.request(1, &nodes("n[1-3]"));
        assert_eq!(workers.check_output("OUT", 1, &nodes("n[1-2]")), Ok(()));
        let foreign = workers.check_output("OUT", 1, &nodes("n[3-4]"));
        assert_eq!(
            foreign.unwrap_err(),
            "OUT message for nodes not routed through this gateway: n4"
        );
        assert_eq!(
            workers.check_output("SER", 2, &nodes("n1")).unwrap_err(),
            "SER message for unknown worker 2"
        );
        assert_eq!(workers.finish("RET", 1, &nodes("n1"), false), Ok(()));
        assert_eq!(
            workers.finish("RET", 1, &nodes("n1"), false).unwrap_err(),
            "RET message for nodes already finished: n1"
        );
        assert!(workers.check_output("OUT", 1, &nodes("n1")).is_err());
        assert_eq!(workers.check_routing(1, &nodes("n1")), Ok(()));
        assert_eq!(workers.check_output("SER", 1, &nodes("gw2")), Ok(()));
        assert!(workers.check_output("OUT", 1, &nodes("gw2")).is_err());
    }

    #[test]
    fn output_of_timed_out_targets_may_follow_their_timeout() {
        let mut workers = Workers::default();
        workers.request(1, &nodes("n[1-2]"));
        assert_eq!(workers.finish("TIM", 1, &nodes("n1"), true), Ok(()));
        assert_eq!(workers.check_output("OUT", 1, &nodes("n1")), Ok(()));
        assert!(workers.finish("RET", 1, &nodes("n1"), false).is_err());
        assert_eq!(workers.take_pending(), vec![(1, nodes("n2"))]);
        assert_eq!(workers.pending().count(), 0);
    }
}
