#[test]
fn dbg() {
    let v = cscomm_pickle::read(b"((lp0\n(g0\nVx\np1\ntp2\nag1\n000g2\n.").unwrap();
    println!("{v:?}");
    let w = cscomm_pickle::write_with(&v, cscomm_pickle::Protocol::V0);
    println!("{w:?}");
}
