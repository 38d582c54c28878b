//! Text from files made safe to show: control characters never reach a
//! terminal, an SVG or a Markdown file, and error messages do not echo
//! values of any length.
//!
//! Validation refuses control characters in a strategy file's text
//! ([`control_problem`]); these functions are the second line, for text that
//! was never validated (error messages that quote a bad value, a notes file).

use std::borrow::Cow;

/// Characters that are invisible or change the direction of the text around
/// them, so a name holding one can look like another name.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFF8}' | '\u{E0000}'..='\u{E007F}')
}

/// True for characters that must not reach a terminal as they are: C0 and
/// C1 controls (ESC starts escape sequences), DEL, and the characters that
/// reorder text or hide themselves. Newline and tab are text.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_invisible(c)
}

/// `s` with every unsafe character replaced by U+FFFD (�), so it is seen
/// that something was there but nothing acts on it.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    // Printable ASCII, newlines and tabs (most text) are safe as they are.
    if s.bytes().all(|b| matches!(b, b' '..=b'~' | b'\n' | b'\t')) || !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| if is_unsafe(c) { '\u{FFFD}' } else { c }).collect())
}

/// [`for_terminal`] on one line: newlines and tabs become spaces too.
pub fn one_line(s: &str) -> String {
    for_terminal(s)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect()
}

/// Longest run of non-space characters an error message quotes whole.
pub const MAX_QUOTED_CHARS: usize = 60;

/// A message for people: unsafe characters replaced, and every word longer
/// than [`MAX_QUOTED_CHARS`] (a 200 KB string, a 300-digit number) shortened
/// to its start and end with the number of characters left out.
pub fn for_message(s: &str) -> String {
    let s = for_terminal(s);
    let mut out = String::with_capacity(s.len().min(4096));
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let n = word.chars().count();
        if n > MAX_QUOTED_CHARS {
            let head: String = word.chars().take(24).collect();
            let tail: String = word.chars().skip(n - 12).collect();
            out.push_str(&format!("{head}…({} characters left out)…{tail}", n - 36));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in s.chars() {
        if c.is_whitespace() {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Why `text` may not stand in a strategy file, if it may not: it holds a
/// control character (other than newline and tab where `multi_line`) or an
/// invisible or direction-changing one.
pub fn control_problem(text: &str, multi_line: bool) -> Option<String> {
    // Printable ASCII (most text) holds none: no need to look at characters.
    let plain = |b: &u8| matches!(b, b' '..=b'~') || (multi_line && matches!(b, b'\n' | b'\t'));
    if text.as_bytes().iter().all(plain) {
        return None;
    }
    let (at, c) = text
        .chars()
        .enumerate()
        .find(|&(_, c)| is_unsafe(c) || (!multi_line && (c == '\n' || c == '\t')))?;
    Some(format!(
        "holds the character U+{:04X} at character {}; control, invisible and direction-changing characters are not allowed{} (they can change what a terminal shows)",
        u32::from(c),
        at + 1,
        if multi_line { " (newlines and tabs are)" } else { "" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_never_pass() {
        assert_eq!(for_terminal("a\u{1b}]0;evil\u{7}b"), "a\u{FFFD}]0;evil\u{FFFD}b");
        assert_eq!(for_terminal("line\nnext\tcol"), "line\nnext\tcol");
        assert_eq!(for_terminal("\u{9b}31m\u{202E}"), "\u{FFFD}31m\u{FFFD}");
        assert!(matches!(for_terminal("plain é"), Cow::Borrowed(_)));
        assert!(matches!(for_terminal("plain\ttext\n"), Cow::Borrowed(_)));
        assert_eq!(for_terminal("del\u{7f}"), "del\u{FFFD}");
        assert_eq!(for_terminal("cr\r"), "cr\u{FFFD}");
        assert_eq!(one_line("a\nb\u{1b}"), "a b\u{FFFD}");
    }

    #[test]
    fn long_words_are_elided_with_a_count() {
        let long = "x".repeat(200_000);
        let m = for_message(&format!("`{long}` is not a valid id"));
        assert!(m.len() < 200, "{m}");
        assert!(
            m.contains("characters left out") && m.ends_with("is not a valid id"),
            "{m}"
        );
        assert_eq!(for_message("short words stay"), "short words stay");
    }

    #[test]
    fn control_characters_are_named_with_their_place() {
        let m = control_problem("ab\u{1b}[2J", false).expect("refused");
        assert!(m.contains("U+001B at character 3"), "{m}");
        assert!(control_problem("two\nlines", true).is_none());
        assert!(control_problem("two\nlines", false).is_some());
        assert!(control_problem("tab\there", false).is_some());
        assert!(control_problem("del\u{7f}", true).is_some());
        assert!(control_problem("zero\u{200B}width", true).is_some());
        assert!(control_problem("plain ~ text", false).is_none());
        assert!(control_problem("accented é", false).is_none());
    }
}
