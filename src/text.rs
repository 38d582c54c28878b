//! Plain text laid out by display width: how many terminal columns a string
//! takes, word wrap, and cutting to a width with "…". Wide characters (CJK,
//! most emoji) take two columns, combining marks none, so counting `char`s
//! would overflow a line or cut words off; everything here measures with
//! `unicode-width`.
//!
//! A leaf: it imports nothing from the crate, so every layer may use it (the
//! dashboard, the speaker notes, exports).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The columns `s` takes on a terminal.
pub fn width(s: &str) -> usize {
    // Printable ASCII, most of what is drawn, is a column a byte.
    if s.bytes().all(|b| matches!(b, b' '..=b'~')) {
        return s.len();
    }
    UnicodeWidthStr::width(s)
}

fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// `s` cut to at most `w` columns, the cut marked with "…".
pub fn truncate(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if used + cw > w - 1 {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// `s` cut to `w` columns and padded with spaces on the right to exactly `w`.
pub fn fit_left(s: &str, w: usize) -> String {
    fit(s, w, false)
}

/// `s` cut to `w` columns and padded with spaces on the left to exactly `w`.
pub fn fit_right(s: &str, w: usize) -> String {
    fit(s, w, true)
}

/// `s` cut to `w` columns and padded to exactly `w`, on the left when `right`.
fn fit(s: &str, w: usize, right: bool) -> String {
    let sw = width(s);
    let cut;
    let (s, sw) = if sw <= w {
        (s, sw)
    } else {
        cut = truncate(s, w);
        (cut.as_str(), width(&cut))
    };
    let pad = w.saturating_sub(sw);
    let mut out = String::with_capacity(s.len() + pad);
    if !right {
        out.push_str(s);
    }
    out.extend(std::iter::repeat_n(' ', pad));
    if right {
        out.push_str(s);
    }
    out
}

/// Greedy word wrap to `w` columns that loses nothing: the text's own line
/// breaks are kept (a blank line stays blank), runs of spaces between words
/// become one, and a word wider than a whole line (a file path, a sentence
/// in a script without spaces) is split at the column where it stops
/// fitting. Text with no words gives no lines; `w` of 0 gives no lines.
pub fn wrap(text: &str, w: usize) -> Vec<String> {
    let mut out = Vec::new();
    if w == 0 || text.trim().is_empty() {
        return out;
    }
    for para in text.trim_end().split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in para.split_whitespace() {
            let ww = width(word);
            if used > 0 && used + 1 + ww > w {
                out.push(std::mem::take(&mut line));
                used = 0;
            }
            if used > 0 {
                line.push(' ');
                used += 1;
            }
            if used + ww <= w {
                line.push_str(word);
                used += ww;
                continue;
            }
            // Wider than the line: fill lines column by column.
            for c in word.chars() {
                let cw = char_width(c);
                if used > 0 && used + cw > w {
                    out.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push(c);
                used += cw;
            }
        }
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn width_counts_columns_not_characters() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("日本語"), 6);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("🚀"), 2);
    }

    #[test]
    fn truncate_marks_the_cut_and_never_overflows() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello", 4), "hel…");
        assert_eq!(truncate("hello", 0), "");
        assert_eq!(truncate("日本語テキスト", 6), "日本…");
        // A wide character that would straddle the edge is left out whole.
        assert_eq!(truncate("日本語テキスト", 5), "日本…");
        assert_eq!(width(&truncate("日本語テキスト", 5)), 5);
    }

    #[test]
    fn fit_pads_to_the_exact_width() {
        assert_eq!(fit_left("ab", 4), "ab  ");
        assert_eq!(fit_right("ab", 4), "  ab");
        assert_eq!(fit_right("日本", 6), "  日本");
        assert_eq!(fit_left("abcdef", 4), "abc…");
    }

    #[test]
    fn wrap_keeps_breaks_and_splits_long_words() {
        assert_eq!(wrap("ab cd\nef", 5), vec!["ab cd", "ef"]);
        assert_eq!(wrap("ab\n\ncd", 5), vec!["ab", "", "cd"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("x abcdefgh", 4), vec!["x", "abcd", "efgh"]);
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert!(wrap("anything", 0).is_empty());
        assert!(wrap("", 10).is_empty());
        assert!(wrap("  \n ", 10).is_empty());
    }

    #[test]
    fn wrap_measures_wide_characters() {
        // Ten columns: five CJK characters per line, none lost.
        let lines = wrap("日本語のナレーションは長い", 10);
        assert_eq!(lines, vec!["日本語のナ", "レーション", "は長い"]);
        // An emoji word counts two columns.
        assert_eq!(wrap("go 🚀🚀 now", 7), vec!["go 🚀🚀", "now"]);
        assert_eq!(wrap("go 🚀🚀 now", 6), vec!["go", "🚀🚀", "now"]);
    }

    proptest! {
        #[test]
        fn wrap_loses_no_character_and_fits(
            text in "[a-z日本語🚀 é\n]{0,60}",
            w in 2usize..30,
        ) {
            let lines = wrap(&text, w);
            for l in &lines {
                prop_assert!(width(l) <= w, "{l:?} is wider than {w}");
            }
            let kept: String = lines.concat().chars().filter(|c| !c.is_whitespace()).collect();
            let given: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            prop_assert_eq!(kept, given);
        }

        #[test]
        fn fit_is_truncate_and_pad(text in "[a-z日本語🚀 é\u{301}\t]{0,30}", w in 0usize..20) {
            let t = truncate(&text, w);
            let pad = " ".repeat(w.saturating_sub(UnicodeWidthStr::width(t.as_str())));
            prop_assert_eq!(fit_left(&text, w), format!("{t}{pad}"));
            prop_assert_eq!(fit_right(&text, w), format!("{pad}{t}"));
            prop_assert_eq!(width(&text), UnicodeWidthStr::width(text.as_str()));
        }

        #[test]
        fn truncate_fits(text in "[a-z日本語🚀 ]{0,30}", w in 0usize..20) {
            let t = truncate(&text, w);
            prop_assert!(width(&t) <= w);
            if width(&text) <= w {
                prop_assert_eq!(t, text);
            }
        }
    }
}
