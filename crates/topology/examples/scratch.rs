fn main() {
    for a in std::env::args().skip(1) {
        match cscomm_topology::NodeSet::parse_literal(&a) {
            Ok(ns) => println!("{a:?} -> {ns} len {} first {:?} view {:?}", ns.len(), ns.iter().take(4).collect::<Vec<_>>(), ns.to_view()),
            Err(e) => println!("{a:?} ERR {e}"),
        }
    }
}
