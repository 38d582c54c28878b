//! Where a value is written in strategy-file text.
//!
//! Serde gives no positions once a file has parsed, so the errors found by
//! validation (a value out of range, a provider that does not exist, two
//! keyframes for the same quarter) are placed afterwards: the text is read
//! again by this small reader of RON's syntax — `//` and nested `/* */`
//! comments, strings with escapes, raw strings, words (names, numbers, unit
//! variants) and the nesting of `( )`, `[ ]` and `{ }`, each optionally named
//! (`Market(…)`, `Some(…)`, `Triangular(…)`) — into a tree of where each value
//! starts. A field path such as `providers[2].params.markup` walks that tree.
//!
//! Lines and columns are 1-based. A column counts characters (Unicode scalar
//! values), not bytes: `é` or `☁` before a value counts one. A line ends at
//! `\n`; the `\r` of a CRLF ending is the last character of its line, so it
//! never moves a column.
//!
//! Nothing here panics on any text: text that is not RON gives no tree, and
//! then no position (the caller shows the message without one).

/// Line and column, both 1-based; the column counts characters.
pub type Place = (usize, usize);

/// Deeper nesting than this is not followed (a strategy file nests about six deep).
const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open(char),
    Close(char),
    Comma,
    Colon,
    /// A name, a number, `true`, a unit variant: a run of other characters.
    Word(String),
    /// A string literal (plain, raw or byte), decoded.
    Str(String),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// Index of its first character.
    at: usize,
    /// Index just after its last character.
    end: usize,
}

/// The tokens of a text and how the text ends.
struct Lexed {
    tokens: Vec<Token>,
    /// Where an unclosed string (`"`) or block comment (`/*`) starts.
    unterminated: Option<(&'static str, usize)>,
    /// Brackets opened and not closed at the end, outermost first.
    open: Vec<(char, usize)>,
}

/// Line and column of every character of `chars`, then of the end.
fn places(chars: &[char]) -> Vec<Place> {
    let mut out = Vec::with_capacity(chars.len() + 1);
    let (mut line, mut col) = (1, 1);
    for &c in chars {
        out.push((line, col));
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    out.push((line, col));
    out
}

fn is_punct(c: char) -> bool {
    matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | ',' | ':' | '"' | '\'')
}

/// Reads a `"…"` string whose opening quote is at `i`; returns its value and
/// the index after the closing quote, or `None` when it is not closed.
fn plain_string(chars: &[char], mut i: usize) -> (String, Option<usize>) {
    let mut value = String::new();
    i += 1;
    while let Some(&c) = chars.get(i) {
        match c {
            '"' => return (value, Some(i + 1)),
            '\\' => {
                let decoded = match chars.get(i + 1) {
                    Some('n') => Some('\n'),
                    Some('t') => Some('\t'),
                    Some('r') => Some('\r'),
                    Some('0') => Some('\0'),
                    Some('u' | 'x') => None,
                    Some(&other) => Some(other),
                    None => None,
                };
                // `\u{…}` and `\x..` stay as written: only the end of the string matters for them.
                match decoded {
                    Some(d) => value.push(d),
                    None => value.push('\\'),
                }
                i += if decoded.is_some() { 2 } else { 1 };
            }
            c => {
                value.push(c);
                i += 1;
            }
        }
    }
    (value, None)
}

/// Reads a raw string `r#"…"#` whose first `#` or quote is at `i` (just after
/// the `r`); `None` when `i` does not start one. Returns value and end as
/// [`plain_string`] does.
fn raw_string(chars: &[char], mut i: usize) -> Option<(String, Option<usize>)> {
    let mut hashes = 0;
    while chars.get(i) == Some(&'#') {
        hashes += 1;
        i += 1;
    }
    if chars.get(i) != Some(&'"') {
        return None;
    }
    i += 1;
    let start = i;
    while let Some(&c) = chars.get(i) {
        if c == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
            return Some((chars[start..i].iter().collect(), Some(i + 1 + hashes)));
        }
        i += 1;
    }
    Some((chars[start..].iter().collect(), None))
}

/// The index after the block comment starting at `i` (`/*`), and whether it was closed. They nest.
fn block_comment(chars: &[char], mut i: usize) -> (usize, bool) {
    let mut depth = 0usize;
    while let Some(&c) = chars.get(i) {
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if c == '*' && chars.get(i + 1) == Some(&'/') {
            depth = depth.saturating_sub(1);
            i += 2;
            if depth == 0 {
                return (i, true);
            }
        } else {
            i += 1;
        }
    }
    (i, false)
}

/// The index after a character literal whose quote is at `i`, if it is one.
fn char_literal(chars: &[char], i: usize) -> Option<usize> {
    let body = match (chars.get(i + 1), chars.get(i + 2)) {
        (Some('\\'), Some('u')) => (i + 1..chars.len()).find(|&k| chars[k] == '}')? - i,
        (Some('\\'), Some(_)) => 2,
        (Some(_), _) => 1,
        (None, _) => return None,
    };
    (chars.get(i + 1 + body) == Some(&'\'')).then_some(i + 2 + body)
}

fn lex(chars: &[char]) -> Lexed {
    let mut tokens = Vec::new();
    let mut open: Vec<(char, usize)> = Vec::new();
    let mut i = 0;
    let push = |tokens: &mut Vec<Token>, tok: Tok, at: usize| tokens.push(Token { tok, at, end: at });
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        let count = tokens.len();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while chars.get(i).is_some_and(|&c| c != '\n') {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let (end, closed) = block_comment(chars, i);
            if !closed {
                return Lexed {
                    tokens,
                    unterminated: Some(("comment", i)),
                    open,
                };
            }
            i = end;
        } else if c == '"' || (c == 'b' && next == Some('"')) {
            let quote = if c == 'b' { i + 1 } else { i };
            match plain_string(chars, quote) {
                (value, Some(end)) => {
                    push(&mut tokens, Tok::Str(value), i);
                    i = end;
                }
                (_, None) => {
                    return Lexed {
                        tokens,
                        unterminated: Some(("string", i)),
                        open,
                    };
                }
            }
        } else if let Some((value, end)) = match (c, next) {
            ('r', Some('"' | '#')) => raw_string(chars, i + 1),
            ('b', Some('r')) => raw_string(chars, i + 2),
            _ => None,
        } {
            match end {
                Some(end) => {
                    push(&mut tokens, Tok::Str(value), i);
                    i = end;
                }
                None => {
                    return Lexed {
                        tokens,
                        unterminated: Some(("string", i)),
                        open,
                    };
                }
            }
        } else if c == '\'' || (c == 'b' && next == Some('\'')) {
            let quote = if c == 'b' { i + 1 } else { i };
            let end = char_literal(chars, quote).unwrap_or(quote + 1);
            push(&mut tokens, Tok::Word(chars[i..end].iter().collect()), i);
            i = end;
        } else if matches!(c, '(' | '[' | '{') {
            open.push((c, i));
            push(&mut tokens, Tok::Open(c), i);
            i += 1;
        } else if matches!(c, ')' | ']' | '}') {
            open.pop();
            push(&mut tokens, Tok::Close(c), i);
            i += 1;
        } else if c == ',' {
            push(&mut tokens, Tok::Comma, i);
            i += 1;
        } else if c == ':' {
            push(&mut tokens, Tok::Colon, i);
            i += 1;
        } else {
            let start = i;
            while let Some(&c) = chars.get(i) {
                let comment = c == '/' && matches!(chars.get(i + 1), Some('/' | '*'));
                if c.is_whitespace() || is_punct(c) || comment {
                    break;
                }
                i += 1;
            }
            // A raw identifier `r#type` is the name `type`.
            let word: String = chars[start..i].iter().collect();
            let word = word.strip_prefix("r#").map(str::to_string).unwrap_or(word);
            push(&mut tokens, Tok::Word(word), start);
        }
        let pushed = tokens.len() > count;
        if let Some(t) = tokens.last_mut().filter(|_| pushed) {
            t.end = i;
        }
    }
    Lexed {
        tokens,
        unterminated: None,
        open,
    }
}

/// One value of the text and where it starts.
#[derive(Debug, Clone)]
struct Node {
    /// Its first character: the name of a named value (`Market(`), else the
    /// bracket, quote or first character of a word.
    at: usize,
    name: Option<String>,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// A word or string; its text (a string decoded).
    Atom(String),
    /// `( name: value, … )`
    Fields(Vec<(String, Node)>),
    /// `( value, … )` or `[ value, … ]`
    Items(Vec<Node>),
    /// `{ key: value, … }`
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// `Some(x)` stands for `x`.
    fn unwrapped(&self) -> &Node {
        match &self.kind {
            Kind::Items(items) if self.name.as_deref() == Some("Some") && items.len() == 1 => items[0].unwrapped(),
            _ => self,
        }
    }

    fn child(&self, seg: &Seg) -> Option<&Node> {
        match (seg, &self.unwrapped().kind) {
            (Seg::Field(f), Kind::Fields(fields)) => fields.iter().find(|(n, _)| n == f).map(|(_, v)| v),
            (Seg::Field(f), Kind::Map(entries)) => entries
                .iter()
                .find(|(k, _)| matches!(&k.kind, Kind::Atom(t) if t == f))
                .map(|(_, v)| v),
            (Seg::Index(i), Kind::Items(items)) => items.get(*i),
            _ => None,
        }
    }
}

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self, ahead: usize) -> Option<&Tok> {
        self.tokens.get(self.pos + ahead).map(|t| &t.tok)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(0, |t| t.at)
    }

    fn eat(&mut self, tok: &Tok) -> Option<()> {
        (self.peek(0) == Some(tok)).then(|| self.pos += 1)
    }

    /// `#![enable(…)]` lines before the value.
    fn skip_attributes(&mut self) -> Option<()> {
        while matches!(self.peek(0), Some(Tok::Word(w)) if w == "#!" || w == "#")
            && self.peek(1) == Some(&Tok::Open('['))
        {
            self.pos += 1;
            let mut depth = 0usize;
            loop {
                match self.peek(0)? {
                    Tok::Open(_) => depth += 1,
                    Tok::Close(_) => depth = depth.saturating_sub(1),
                    _ => {}
                }
                self.pos += 1;
                if depth == 0 {
                    break;
                }
            }
        }
        Some(())
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let at = self.at();
        match self.peek(0)?.clone() {
            Tok::Word(w) => {
                self.pos += 1;
                if self.peek(0) == Some(&Tok::Open('(')) {
                    let mut node = self.group(depth)?;
                    node.at = at;
                    node.name = Some(w);
                    Some(node)
                } else {
                    Some(Node {
                        at,
                        name: None,
                        kind: Kind::Atom(w),
                    })
                }
            }
            Tok::Str(s) => {
                self.pos += 1;
                Some(Node {
                    at,
                    name: None,
                    kind: Kind::Atom(s),
                })
            }
            Tok::Open(_) => self.group(depth),
            Tok::Close(_) | Tok::Comma | Tok::Colon => None,
        }
    }

    /// A bracketed value; the parser is at its opening bracket.
    fn group(&mut self, depth: usize) -> Option<Node> {
        let at = self.at();
        let Some(Tok::Open(open)) = self.peek(0).cloned() else {
            return None;
        };
        self.pos += 1;
        let close = Tok::Close(match open {
            '(' => ')',
            '[' => ']',
            _ => '}',
        });
        let named_fields =
            open == '(' && matches!(self.peek(0), Some(Tok::Word(_))) && self.peek(1) == Some(&Tok::Colon);
        let kind = if named_fields {
            let mut fields = Vec::new();
            while self.eat(&close).is_none() {
                let Some(Tok::Word(name)) = self.peek(0).cloned() else {
                    return None;
                };
                self.pos += 1;
                self.eat(&Tok::Colon)?;
                fields.push((name, self.value(depth + 1)?));
                if self.eat(&Tok::Comma).is_none() {
                    self.eat(&close)?;
                    break;
                }
            }
            Kind::Fields(fields)
        } else if open == '{' {
            let mut entries = Vec::new();
            while self.eat(&close).is_none() {
                let key = self.value(depth + 1)?;
                self.eat(&Tok::Colon)?;
                entries.push((key, self.value(depth + 1)?));
                if self.eat(&Tok::Comma).is_none() {
                    self.eat(&close)?;
                    break;
                }
            }
            Kind::Map(entries)
        } else {
            let mut items = Vec::new();
            while self.eat(&close).is_none() {
                items.push(self.value(depth + 1)?);
                if self.eat(&Tok::Comma).is_none() {
                    self.eat(&close)?;
                    break;
                }
            }
            Kind::Items(items)
        };
        Some(Node { at, name: None, kind })
    }
}

/// One step of a field path: `market`, `[2]`.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Field(String),
    Index(usize),
}

/// `providers[2].params.markup` → providers, [2], params, markup. `None` when
/// the text is not a path of names and indices.
fn segments(path: &str) -> Option<Vec<Seg>> {
    let mut out = Vec::new();
    for piece in path.split('.') {
        let (name, mut rest) = piece.split_at(piece.find('[').unwrap_or(piece.len()));
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        out.push(Seg::Field(name.to_string()));
        while let Some(inner) = rest.strip_prefix('[') {
            let (index, after) = inner.split_once(']')?;
            out.push(Seg::Index(index.parse().ok()?));
            rest = after;
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// Where a path was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub place: Place,
    /// False when the path's value is not written in the file (a field left
    /// out) and `place` is where the nearest enclosing value starts.
    pub exact: bool,
}

/// The values of one strategy file's text and where each starts.
pub struct Layout {
    places: Vec<Place>,
    root: Option<Node>,
}

impl Layout {
    /// Reads `text`. Text that is not well-formed RON gives a layout that finds nothing.
    pub fn of(text: &str) -> Layout {
        let chars: Vec<char> = text.chars().collect();
        let lexed = lex(&chars);
        let root = if lexed.unterminated.is_some() {
            None
        } else {
            let mut p = Parser {
                tokens: &lexed.tokens,
                pos: 0,
            };
            p.skip_attributes()
                .and_then(|()| p.value(0))
                .filter(|_| p.pos == lexed.tokens.len())
        };
        Layout {
            places: places(&chars),
            root,
        }
    }

    fn place(&self, node: &Node) -> Place {
        self.places.get(node.at).copied().unwrap_or((1, 1))
    }

    /// Where the value at `path` starts (`market.open_source_parity`,
    /// `providers[2].params.markup`, `keyframes[0]`); if the value is not
    /// written, where the nearest enclosing value that is starts. `None` for a
    /// path that is not a path of names and indices, or text that did not read.
    pub fn find(&self, path: &str) -> Option<Found> {
        let mut node = self.root.as_ref()?;
        let mut exact = true;
        for seg in segments(path)? {
            match node.child(&seg) {
                Some(child) => node = child,
                None => {
                    exact = false;
                    break;
                }
            }
        }
        let node = if exact { node.unwrapped() } else { node };
        Some(Found {
            place: self.place(node),
            exact,
        })
    }
}

/// How a text that stops before its last value is complete ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutShort {
    /// What is left open: `(`, `[`, `{`, `string` or `comment`.
    pub open: String,
    /// Where it was opened (the innermost one still open).
    pub opened: Place,
    /// Field path of the value it opens, e.g. `providers[1].params`; empty for
    /// the whole file (or where no path can be told).
    pub path: String,
    /// Just after the last character that is not white space.
    pub end: Place,
    /// Where the last token (or the unclosed string or comment) may be said
    /// to start: just after the token before it. (A parser may report an
    /// error at the last token from before the white space that precedes it.)
    pub last_token: Place,
}

/// If `text` ends inside a string or comment or with a bracket still open, how.
pub fn cut_short(text: &str) -> Option<CutShort> {
    let chars: Vec<char> = text.chars().collect();
    let lexed = lex(&chars);
    let (open, opened) = match (lexed.unterminated, lexed.open.last()) {
        (Some((what, at)), _) => (what.to_string(), at),
        (None, Some(&(bracket, at))) => (bracket.to_string(), at),
        (None, None) => return None,
    };
    // The token before the last one ends where the last one may be said to start.
    let before_last = match lexed.unterminated {
        Some(_) => lexed.tokens.last(),
        None => lexed.tokens.len().checked_sub(2).and_then(|k| lexed.tokens.get(k)),
    };
    let last = before_last.map_or(0, |t| t.end);
    let places = places(&chars);
    let end = chars.iter().rposition(|c| !c.is_whitespace()).map_or(0, |i| i + 1);
    let place = |i: usize| places.get(i).copied().unwrap_or((1, 1));
    let path = open_path(
        &lexed.tokens,
        lexed.unterminated.is_some_and(|(what, _)| what == "string"),
    );
    Some(CutShort {
        open,
        opened: place(opened),
        path,
        end: place(end),
        last_token: place(last),
    })
}

/// One bracket still open while the tokens are replayed.
struct Level {
    bracket: char,
    /// `Some(…)`, which stands for its content.
    some: bool,
    commas: usize,
    key: Option<Seg>,
}

/// How the value that starts after `before` is named inside the innermost open bracket.
fn key_of_next(before: &[Token], stack: &[Level]) -> Option<Seg> {
    let tok = |back: usize| {
        before
            .len()
            .checked_sub(back)
            .and_then(|i| before.get(i))
            .map(|t| &t.tok)
    };
    match (tok(1), tok(2), tok(3)) {
        (Some(Tok::Colon), Some(Tok::Word(name)), _)
        | (Some(Tok::Word(_)), Some(Tok::Colon), Some(Tok::Word(name))) => {
            return Some(Seg::Field(name.clone()));
        }
        _ => {}
    }
    let parent = stack.last()?;
    (!parent.some && matches!(parent.bracket, '(' | '[')).then_some(Seg::Index(parent.commas))
}

/// The field path of the innermost bracket still open after `tokens`, or, with
/// `string`, of the string that follows them.
fn open_path(tokens: &[Token], string: bool) -> String {
    let mut stack: Vec<Level> = Vec::new();
    for (k, t) in tokens.iter().enumerate() {
        match &t.tok {
            Tok::Open(c) => {
                let key = key_of_next(&tokens[..k], &stack);
                let some = matches!(k.checked_sub(1).map(|i| &tokens[i].tok), Some(Tok::Word(w)) if w == "Some");
                // A named value (`Market(`) is named by its field, already read.
                let key = if matches!(k.checked_sub(1).map(|i| &tokens[i].tok), Some(Tok::Word(_))) {
                    key_of_next(&tokens[..k - 1], &stack)
                } else {
                    key
                };
                stack.push(Level {
                    bracket: *c,
                    some,
                    commas: 0,
                    key,
                });
            }
            Tok::Close(_) => {
                stack.pop();
            }
            Tok::Comma => {
                if let Some(top) = stack.last_mut() {
                    top.commas += 1;
                }
            }
            _ => {}
        }
    }
    let last = if string { key_of_next(tokens, &stack) } else { None };
    let mut path = String::new();
    for seg in stack.iter().filter_map(|l| l.key.as_ref()).chain(last.as_ref()) {
        match seg {
            Seg::Field(name) if path.is_empty() => path.push_str(name),
            Seg::Field(name) => {
                path.push('.');
                path.push_str(name);
            }
            Seg::Index(i) => path.push_str(&format!("[{i}]")),
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str, path: &str) -> Option<Place> {
        Layout::of(text).find(path).filter(|f| f.exact).map(|f| f.place)
    }

    /// Line and column of the `nth` (0-based) occurrence of `needle`, counted
    /// independently of the reader: lines by `\n`, columns in characters.
    fn place_of(text: &str, needle: &str, nth: usize) -> Place {
        let at = text
            .match_indices(needle)
            .nth(nth)
            .map(|(i, _)| i)
            .unwrap_or_else(|| panic!("`{needle}` #{nth} not in the text"));
        let before = &text[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (
            1 + before.matches('\n').count(),
            1 + before[line_start..].chars().count(),
        )
    }

    /// `path` is found exactly where the `nth` `needle` starts.
    fn assert_at(text: &str, path: &str, needle: &str, nth: usize) {
        assert_eq!(
            find(text, path),
            Some(place_of(text, needle, nth)),
            "{path} in:\n{text}"
        );
    }

    #[test]
    fn finds_struct_fields_list_items_and_nested_values() {
        let text = "(\n    market: (\n        parity: 0.5,\n        cap: 1.7,\n    ),\n    providers: [\n        (id: \"a\", params: (markup: 0.1)),\n        (id: \"b\", params: (markup: 9.0)),\n    ],\n)\n";
        assert_at(text, "market.cap", "1.7", 0);
        assert_at(text, "market", "(\n        parity", 0);
        assert_at(text, "providers[1].params.markup", "9.0", 0);
        assert_at(text, "providers[0].id", "\"a\"", 0);
        assert_at(text, "providers[1]", "(id: \"b\"", 0);
        assert_at(text, "providers", "[", 0);
        assert_eq!(find(text, "providers[2]"), None);
        assert_eq!(find(text, "market.nope"), None);
        assert_eq!(find(text, "market.cap.deeper"), None);
    }

    #[test]
    fn a_missing_value_falls_back_to_the_enclosing_one() {
        let text = "(\n  market: (\n    a: 1.0,\n  ),\n)";
        let f = Layout::of(text).find("market.b").expect("found");
        assert_eq!(
            f,
            Found {
                place: (2, 11),
                exact: false
            }
        );
        let f = Layout::of(text).find("providers[3].markup").expect("found");
        assert_eq!(
            f,
            Found {
                place: (1, 1),
                exact: false
            }
        );
    }

    #[test]
    fn skips_comments_and_strings_that_look_like_fields() {
        let text = "( /* a: 9,\n b: ( */\n  // a: 8,\n  name: \"a: 7, (\\\" [\",\n  raw: r#\"a: \"6\" (\"#,\n  a: 5.0, /* nested /* */ a: 4 */ b: 3 )";
        assert_at(text, "a", "5.0", 0);
        assert_at(text, "b", "3 )", 0);
        assert_at(text, "name", "\"a: 7", 0);
        assert_at(text, "raw", "r#", 0);
    }

    #[test]
    fn named_structs_variants_and_some_are_walked_through() {
        let text = "Scenario(\n  market: Market(x: 2.0),\n  author: Some(\"Ada\"),\n  decisions: Some([\"a\", \"b\"]),\n  dist: Triangular(min: 0.1, mode: 0.2, max: 0.3),\n  on: true,\n  s: b\"x\", r: br\"y\",\n)";
        assert_at(text, "market.x", "2.0", 0);
        assert_at(text, "market", "Market", 0);
        assert_at(text, "author", "\"Ada\"", 0);
        assert_at(text, "decisions[1]", "\"b\"", 0);
        assert_at(text, "dist", "Triangular", 0);
        assert_at(text, "dist.max", "0.3", 0);
        assert_at(text, "on", "true", 0);
        assert_at(text, "r", "br", 0);
    }

    #[test]
    fn maps_tuples_and_attributes() {
        let text = "#![enable(implicit_some)]\n(\n  m: {\"k\": 1, other: [2, (3, 4)]},\n  t: (1, 2),\n  r#type: 5,\n)";
        assert_at(text, "m.k", "1,", 0);
        assert_at(text, "m.other[1][1]", "4)", 0);
        assert_at(text, "t[1]", "2)", 0);
        assert_at(text, "type", "5", 0);
    }

    #[test]
    fn columns_count_characters_and_crlf_does_not_move_them() {
        let text = "(\r\n  name: \"Café ☁ 🚀\", v: 1.7,\r\n  w: 2,\r\n)\r\n";
        assert_eq!(find(text, "v"), Some((2, 24)));
        assert_at(text, "v", "1.7", 0);
        assert_eq!(find(text, "w"), Some((3, 6)));
    }

    #[test]
    fn paths_that_are_not_names_and_indices_find_nothing() {
        let text = "(a: [1])";
        for path in ["", "a[", "a[x]", "a[0]b", "providers.*.x", "keyframes: x at y", "a..b"] {
            assert_eq!(Layout::of(text).find(path), None, "{path}");
        }
    }

    #[test]
    fn text_that_is_not_ron_finds_nothing_and_never_panics() {
        for text in [
            "",
            "(",
            ")",
            "(a: ",
            "(a: 1,, b: 2)",
            "\"open",
            "/* open",
            "(a: 1) trailing",
            "r#\"",
            "'",
            "b'",
            "'\\u{",
            "(a: 'x', b: '\\'')",
            "[[[[[[",
            "{:}",
            "#![",
            "#",
            "(a: 1 b: 2)",
        ] {
            let f = Layout::of(text).find("a").filter(|f| f.exact);
            assert!(f.is_none() || text == "(a: 'x', b: '\\'')", "{text}: {f:?}");
            let _ = cut_short(text);
        }
        assert_at("(a: 'x', b: '\\'', c: 3)", "c", "3", 0);
        let deep = format!("(a: {}1{})", "[".repeat(1000), "]".repeat(1000));
        assert_eq!(Layout::of(&deep).find("a"), None);
    }

    #[test]
    fn a_text_cut_short_says_what_is_left_open_and_where_it_ends() {
        let text = "(\n  market: (\n    parity: 0.5,\n    open_sou";
        let c = cut_short(text).expect("cut short");
        assert_eq!(c.open, "(");
        assert_eq!(c.opened, (2, 11));
        assert_eq!(c.end, (4, 13));
        assert_eq!(c.last_token, (3, 17));
        assert_eq!(c.path, "market");
        let c = cut_short("(\n  hw: [\n    (a: 1),\n    (a: 2, b: Some(Gen(x: [1, (y: 2, z: (").expect("cut");
        assert_eq!(c.path, "hw[1].b.x[1].z");
        let c = cut_short("(a: [(n: \"x\"), (n: \"y").expect("cut");
        assert_eq!((c.open.as_str(), c.path.as_str()), ("string", "a[1].n"));
        let c = cut_short("(a: [\"x\", \"y").expect("cut");
        assert_eq!(c.path, "a[1]");
        assert_eq!(cut_short("(a: 1, b").map(|c| c.path), Some(String::new()));
        let c = cut_short("(\n  name: \"half a na\n\n").expect("in a string");
        assert_eq!((c.open.as_str(), c.opened, c.end), ("string", (2, 9), (2, 19)));
        let c = cut_short("( /* to do").expect("in a comment");
        assert_eq!(c.open, "comment");
        assert_eq!(cut_short("(a: [1, 2])\n"), None);
        assert_eq!(cut_short("(a: \"(\" /* [ */)"), None);
    }
}
