//! The keymap: every key the dashboard promises maps to its action, and the
//! help overlay lists every binding.

use cloudstrat::document::Source;
use cloudstrat::document::presets::default_scenario;
use cloudstrat::ui::keymap::{self, Mode, action_for_key, keymap};
use cloudstrat::ui::{Action, App, Metric, Step, Theme, widgets};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

fn press(code: KeyCode, mods: KeyModifiers) -> Option<Action> {
    action_for_key(Mode::Normal, &KeyEvent::new(code, mods))
}

fn plain(code: KeyCode) -> Option<Action> {
    press(code, KeyModifiers::NONE)
}

fn ch(c: char) -> Option<Action> {
    plain(KeyCode::Char(c))
}

#[test]
fn every_listed_key_produces_its_action() {
    use KeyCode::*;
    let shift = KeyModifiers::SHIFT;
    assert_eq!(ch('?'), Some(Action::ToggleHelp));
    assert_eq!(ch('q'), Some(Action::Quit));
    assert_eq!(plain(Up), Some(Action::PrevLever));
    assert_eq!(ch('k'), Some(Action::PrevLever));
    assert_eq!(plain(Down), Some(Action::NextLever));
    assert_eq!(ch('j'), Some(Action::NextLever));
    assert_eq!(plain(Left), Some(Action::Adjust(Step::Down)));
    assert_eq!(ch('h'), Some(Action::Adjust(Step::Down)));
    assert_eq!(plain(Right), Some(Action::Adjust(Step::Up)));
    assert_eq!(ch('l'), Some(Action::Adjust(Step::Up)));
    assert_eq!(press(Left, shift), Some(Action::Adjust(Step::BigDown)));
    assert_eq!(press(Right, shift), Some(Action::Adjust(Step::BigUp)));
    // Terminals report Shift-h as 'H', with or without the Shift flag.
    assert_eq!(press(Char('H'), shift), Some(Action::Adjust(Step::BigDown)));
    assert_eq!(ch('L'), Some(Action::Adjust(Step::BigUp)));
    assert_eq!(plain(Tab), Some(Action::NextProvider));
    assert_eq!(press(BackTab, shift), Some(Action::PrevProvider));
    assert_eq!(plain(BackTab), Some(Action::PrevProvider));
    assert_eq!(ch(','), Some(Action::StepBack));
    assert_eq!(ch('.'), Some(Action::StepForward));
    assert_eq!(plain(Home), Some(Action::FirstQuarter));
    assert_eq!(plain(End), Some(Action::LastQuarter));
    assert_eq!(ch(' '), Some(Action::TogglePlay));
    for (n, tab) in Metric::ALL.iter().enumerate() {
        let c = char::from_digit(n as u32 + 1, 10).unwrap();
        assert_eq!(ch(c), Some(Action::ShowTab(*tab)));
    }
    assert_eq!(ch('b'), Some(Action::ToggleBaseline));
    assert_eq!(ch('u'), Some(Action::Undo));
    assert_eq!(press(Char('r'), KeyModifiers::CONTROL), Some(Action::Redo));
    // Ctrl-r is not r, and r alone does nothing.
    assert_eq!(ch('r'), None);
    assert_eq!(ch('='), Some(Action::EditValue));
    assert_eq!(ch(':'), Some(Action::OpenPalette));
    assert_eq!(press(Char('p'), KeyModifiers::CONTROL), Some(Action::OpenPalette));
}

#[test]
fn key_releases_are_ignored() {
    let mut ev = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    ev.kind = KeyEventKind::Release;
    assert_eq!(action_for_key(Mode::Normal, &ev), None);
}

#[test]
fn each_mode_has_its_own_keys() {
    let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    // In the help `q` types into its search; `?` and Esc close it.
    assert_eq!(action_for_key(Mode::Help, &q), None);
    assert_eq!(
        cloudstrat::ui::keymap::typed_char(Mode::Help, &q),
        Some(Action::TypeChar('q'))
    );
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(action_for_key(Mode::Help, &esc), Some(Action::Dismiss));
    // A second `q` at the quit question cancels; only `d` discards work.
    assert_eq!(action_for_key(Mode::ConfirmQuit, &q), Some(Action::Dismiss));
    let d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::NONE);
    assert_eq!(action_for_key(Mode::ConfirmQuit, &d), Some(Action::QuitDiscard));
    let y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE);
    assert_eq!(action_for_key(Mode::ConfirmQuit, &y), Some(Action::SaveAndQuit));
    let l = KeyEvent::new(KeyCode::Char('l'), KeyModifiers::NONE);
    assert_eq!(
        action_for_key(Mode::Help, &l),
        None,
        "levers must not move under the help"
    );
}

#[test]
fn no_key_is_bound_twice_in_a_mode() {
    for mode in [
        Mode::Normal,
        Mode::Help,
        Mode::ConfirmQuit,
        Mode::Present,
        Mode::Beats,
        Mode::Prompt,
    ] {
        let keys: Vec<_> = keymap(mode).iter().flat_map(|b| b.keys.iter()).collect();
        for (i, k) in keys.iter().enumerate() {
            assert!(!keys[..i].contains(k), "{mode:?}: {} bound twice", k.label());
        }
    }
}

fn help_text(width: u16, height: u16) -> String {
    let mut app = App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR);
    app.update(Action::ToggleHelp);
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    widgets::render_screen(&app, area, &mut buf);
    (0..height)
        .map(|y| (0..width).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn help_overlay_lists_every_binding() {
    for (w, h) in [(120, 40), (80, 24)] {
        let text = help_text(w, h);
        let key_w = keymap(Mode::Normal)
            .iter()
            .map(|b| b.keys_label().chars().count())
            .max()
            .unwrap_or(0);
        let (keys, charts) = cloudstrat::ui::widgets::CHARTS_LINE;
        let charts_line = format!("{keys:<key_w$}  {charts}");
        assert!(
            text.contains(&charts_line),
            "{w}×{h}: help lacks `{charts_line}`\n{text}"
        );
        for b in keymap(Mode::Normal) {
            if matches!(b.action, Action::ShowTab(_)) {
                continue;
            }
            let line = format!("{:<key_w$}  {}", b.keys_label(), b.help);
            assert!(text.contains(&line), "{w}×{h}: help lacks `{line}`\n{text}");
        }
    }
}

#[test]
fn footer_hints_come_from_the_keymap() {
    let hints = keymap::hints(Mode::Normal);
    let labels: Vec<_> = hints.iter().map(|(_, l)| *l).collect();
    for b in keymap(Mode::Normal) {
        if let Some(h) = b.hint {
            assert!(labels.contains(&h));
        }
    }
    let find = |l: &str| hints.iter().find(|(_, x)| *x == l).map(|(k, _)| k.clone());
    assert_eq!(find("lever").as_deref(), Some("↑↓"));
    assert_eq!(find("quarter").as_deref(), Some(",."));
    assert_eq!(find("chart").as_deref(), Some("1-6"));
}

#[test]
fn direction_changing_and_invisible_characters_are_never_typed() {
    // The loader refuses them in names and titles, so typing one would save a
    // file that cannot be opened again.
    for c in ['\u{202E}', '\u{200B}', '\u{FEFF}', '\u{1b}'] {
        for mode in [Mode::NamePrompt, Mode::ProviderName, Mode::Prompt, Mode::Value] {
            let ev = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
            assert_eq!(cloudstrat::ui::keymap::typed_char(mode, &ev), None, "{c:?} in {mode:?}");
        }
    }
    let ev = KeyEvent::new(KeyCode::Char('é'), KeyModifiers::NONE);
    assert!(cloudstrat::ui::keymap::typed_char(Mode::ProviderName, &ev).is_some());
}
