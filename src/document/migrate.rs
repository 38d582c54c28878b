//! Migration of strategy files written by older versions of the schema.
//!
//! Each step rewrites the text of version N into version N + 1 in place, on the
//! same lines, so syntax and range errors in an old file still point at the line
//! the user wrote.
//!
//! - 1 → 2: providers gained `serving_efficiency`. Version 1 behaved as if it
//!   were 1.0, so the step inserts `serving_efficiency: 1.0,` at the start of
//!   every provider's `params: (` block; the `uncertainty` and `story` sections
//!   are new and optional.

/// Rewrites `text` of schema `version` into the current schema.
pub fn migrate(text: &str, version: u32) -> String {
    let mut out = text.to_string();
    if version < 2 {
        out = v1_to_v2(&out);
    }
    out
}

/// Byte offsets just after each `params: (` outside strings and comments.
fn params_openings(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            _ if text[i..].starts_with("params") && (i == 0 || !is_ident(b[i - 1])) => {
                let mut j = i + "params".len();
                if j < b.len() && is_ident(b[j]) {
                    i = j;
                    continue;
                }
                while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                    j += 1;
                }
                if b.get(j) == Some(&b':') {
                    j += 1;
                    while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                        j += 1;
                    }
                    if b.get(j) == Some(&b'(') {
                        found.push(j + 1);
                    }
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    found
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn v1_to_v2(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0;
    for at in params_openings(text) {
        out.push_str(&text[last..at]);
        out.push_str(" serving_efficiency: 1.0, ");
        last = at;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_on_the_same_line_and_skips_strings_and_comments() {
        let text = "(\n  description: \"params: (\",\n  // params: (\n  providers: [(params: (a: 1.0))],\n)";
        let out = v1_to_v2(text);
        assert_eq!(out.lines().count(), text.lines().count());
        assert_eq!(out.matches("serving_efficiency").count(), 1);
        assert!(out.contains("(params: ( serving_efficiency: 1.0, a: 1.0))"));
    }
}
