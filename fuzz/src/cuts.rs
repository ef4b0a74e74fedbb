//! Deterministic chunkings for the fuzz checks.

/// Cut points derived from the input itself (so the replay is deterministic):
/// pieces of 1 to 64 bytes.
pub(crate) fn pseudo_random_cuts(data: &[u8]) -> Vec<usize> {
    let mut state = data
        .iter()
        .take(16)
        .fold(0x9E37_79B9_7F4A_7C15u64 ^ data.len() as u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
        });
    let mut cuts = Vec::new();
    let mut at = 0;
    loop {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        at += 1 + (state % 64) as usize;
        if at >= data.len() {
            return cuts;
        }
        cuts.push(at);
    }
}
