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

/// Byte offsets just after each `params: (` outside strings, characters and
/// comments. The text is walked character by character, so every offset is
/// on a character boundary whatever the file holds.
fn params_openings(text: &str) -> Vec<usize> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let offset = |i: usize| chars.get(i).map_or(text.len(), |&(o, _)| o);
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(c) = at(i) {
        let prev_ident = i > 0 && at(i - 1).is_some_and(is_ident);
        match c {
            '"' => i = skip_string(&chars, i + 1),
            // A raw string: r"…", r#"…"#, also after b (br"…").
            'r' if !prev_ident && matches!(at(i + 1), Some('"' | '#')) => {
                let mut j = i + 1;
                let mut hashes = 0;
                while at(j) == Some('#') {
                    hashes += 1;
                    j += 1;
                }
                if at(j) == Some('"') {
                    i = skip_raw_string(&chars, j + 1, hashes);
                } else {
                    // `r#ident`, a raw identifier.
                    i = j;
                }
            }
            'b' if !prev_ident && at(i + 1) == Some('r') && matches!(at(i + 2), Some('"' | '#')) => i += 1,
            '\'' => i = skip_char(&chars, i + 1),
            '/' if at(i + 1) == Some('/') => {
                while at(i).is_some_and(|c| c != '\n') {
                    i += 1;
                }
            }
            '/' if at(i + 1) == Some('*') => i = block_comment_end(at, i),
            'p' if !prev_ident && text[offset(i)..].starts_with("params") => {
                let mut j = i + "params".len();
                if at(j).is_some_and(is_ident) {
                    i = j;
                    continue;
                }
                while matches!(at(j), Some(' ' | '\t')) {
                    j += 1;
                }
                if at(j) == Some(':') {
                    j += 1;
                    while matches!(at(j), Some(' ' | '\t')) {
                        j += 1;
                    }
                    if at(j) == Some('(') {
                        found.push(offset(j + 1));
                    }
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    found
}

/// The index after the closing quote of a string whose text starts at `i`.
fn skip_string(chars: &[(usize, char)], mut i: usize) -> usize {
    while let Some(&(_, c)) = chars.get(i) {
        match c {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// The index after `"` and `hashes` times `#` closing a raw string whose text starts at `i`.
fn skip_raw_string(chars: &[(usize, char)], mut i: usize, hashes: usize) -> usize {
    while let Some(&(_, c)) = chars.get(i) {
        if c == '"' && (1..=hashes).all(|k| chars.get(i + k).is_some_and(|&(_, h)| h == '#')) {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}

/// The index after a character literal whose content starts at `i` (`'x'`, `'\''`).
fn skip_char(chars: &[(usize, char)], i: usize) -> usize {
    let c = |k: usize| chars.get(k).map(|&(_, c)| c);
    let body = match (c(i), c(i + 1)) {
        // '\u{e9}'
        (Some('\\'), Some('u')) => (i..chars.len()).find(|&k| c(k) == Some('}')).map_or(2, |k| k + 1 - i),
        (Some('\\'), _) => 2,
        _ => 1,
    };
    // Only a well-formed literal is skipped; a stray quote is left to the parser.
    if c(i + body) == Some('\'') { i + body + 1 } else { i }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
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

/// Index just past the block comment that starts at `i` (`/*`), or the end of
/// the text when it is not closed. Block comments nest in RON.
pub(crate) fn block_comment_end(at: impl Fn(usize) -> Option<char>, mut i: usize) -> usize {
    let mut depth = 0usize;
    while let Some(c) = at(i) {
        if c == '/' && at(i + 1) == Some('*') {
            depth += 1;
            i += 2;
        } else if c == '*' && at(i + 1) == Some('/') {
            depth = depth.saturating_sub(1);
            i += 2;
            if depth == 0 {
                break;
            }
        } else {
            i += 1;
        }
    }
    i
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

    #[test]
    fn non_ascii_text_outside_strings_does_not_panic() {
        for text in [
            "(naïve: 1, params: (a: 1.0))",
            "(c: 'é', params: (a: 1.0))",
            "(c: '\\u{e9}', d: '\\'', params: (a: 1.0))",
            "(s: r#\"a \"params: (\" ü\"#, params: (a: 1.0))",
            "(s: br\"x\", /* é /* params: ( */ */ params: (a: 1.0))",
            "(x: ü",
            "'",
            "r#",
            "(paramsé: (a: 1.0))",
        ] {
            let out = v1_to_v2(text);
            let expected = usize::from(!text.contains("paramsé") && text.contains("params: (a"));
            assert_eq!(out.matches("serving_efficiency").count(), expected, "{text}");
        }
    }
}
