//! `$NAME` substitution as Python's `string.Template.safe_substitute` does
//! it (ClusterShell's upcalls and `$CFGDIR` in paths).

/// Replaces `$NAME` and `${NAME}` by the value of `NAME` in `vars` and `$$`
/// by `$`; unknown names and lone `$` stay as written.
pub(crate) fn substitute(text: &str, vars: &[(&str, &str)]) -> String {
    let lookup = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        let (name, braced) = match after.strip_prefix('{') {
            Some(inner) => match inner.find('}') {
                Some(end) if is_identifier(&inner[..end]) => (&inner[..end], true),
                _ => ("", true),
            },
            None => (identifier_prefix(after), false),
        };
        match lookup(name).filter(|_| !name.is_empty()) {
            Some(value) => {
                out.push_str(value);
                let used = if braced { name.len() + 2 } else { name.len() };
                rest = &after[used..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Python's `Template` identifier: `[_a-zA-Z][_a-zA-Z0-9]*` (ASCII).
fn is_identifier(name: &str) -> bool {
    !name.is_empty() && identifier_prefix(name).len() == name.len()
}

fn identifier_prefix(text: &str) -> &str {
    let mut end = 0;
    for (i, c) in text.char_indices() {
        let ok = c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit());
        if !ok {
            break;
        }
        end = i + c.len_utf8();
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::substitute;

    #[test]
    fn substitutes_like_safe_substitute() {
        let vars = [("GROUP", "io"), ("CFGDIR", "/etc/cs")];
        assert_eq!(
            substitute("cat $CFGDIR/$GROUP.txt", &vars),
            "cat /etc/cs/io.txt"
        );
        assert_eq!(
            substitute("${GROUP}x $$GROUP $NODE $", &vars),
            "iox $GROUP $NODE $"
        );
        assert_eq!(substitute("$GROUPS ${ GROUP}", &vars), "$GROUPS ${ GROUP}");
    }
}
