//! Terminal events to actions: keys through the keymap, mouse through the
//! same layout the screen was drawn with.

use super::action::Action;
use super::app::App;
use super::keymap::{self, Mode};
use super::layout::{self, ScreenLayout};
use ratatui::crossterm::event::{Event, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

/// The action an event asks for, if any.
pub fn action_for_event(app: &App, ev: &Event) -> Option<Action> {
    // While the dashboard shows only "terminal too small", keys it cannot show the
    // effect of are ignored; quitting and resizing still work.
    let v = app.viewport();
    let too_small = app.mode() == Mode::Normal
        && (v.width < super::layout::MIN_WIDTH || v.height < super::layout::MIN_HEIGHT)
        && (v.width, v.height) != (0, 0);
    match ev {
        Event::Key(k) if too_small => keymap::action_for_key(app.mode(), k).filter(|a| *a == Action::Quit),
        Event::Mouse(_) if too_small => None,
        Event::Key(k) => keymap::action_for_key(app.mode(), k)
            .or_else(|| keymap::typed_char(app.mode(), k))
            .or_else(|| unknown_key(app.mode(), k)),
        Event::Mouse(m) => mouse_action(app, m),
        Event::Resize(width, height) => Some(Action::Resize {
            width: *width,
            height: *height,
        }),
        Event::FocusGained | Event::FocusLost | Event::Paste(_) => None,
    }
}

/// A printable key with no binding in the dashboard: said, not ignored.
fn unknown_key(mode: Mode, k: &ratatui::crossterm::event::KeyEvent) -> Option<Action> {
    use ratatui::crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
    match k.code {
        KeyCode::Char(c)
            if mode == Mode::Normal
                && k.kind != KeyEventKind::Release
                && !c.is_control()
                && !k.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(Action::UnknownKey(c))
        }
        _ => None,
    }
}

/// Where along a slider's bar (between its end caps) column `x` falls, 0 to 1.
fn slider_position(slider: Rect, x: u16) -> f64 {
    let bar_w = f64::from(slider.width.saturating_sub(2).max(1));
    let offset = f64::from(x) - f64::from(slider.x + 1) + 0.5;
    (offset / bar_w).clamp(0.0, 1.0)
}

fn mouse_action(app: &App, m: &MouseEvent) -> Option<Action> {
    match app.mode() {
        Mode::Normal => {}
        Mode::Help | Mode::Tornado | Mode::Optimum | Mode::Waterfall | Mode::Palette | Mode::AddProvider => {
            return matches!(m.kind, MouseEventKind::Down(_)).then_some(Action::Dismiss);
        }
        Mode::Params => {
            return match m.kind {
                MouseEventKind::ScrollDown => Some(Action::ParamsMove(1)),
                MouseEventKind::ScrollUp => Some(Action::ParamsMove(-1)),
                _ => None,
            };
        }
        Mode::Picker => {
            return match m.kind {
                MouseEventKind::ScrollDown => Some(Action::PickerMove(1)),
                MouseEventKind::ScrollUp => Some(Action::PickerMove(-1)),
                _ => None,
            };
        }
        Mode::ConfirmQuit
        | Mode::NamePrompt
        | Mode::ConfirmOverwrite
        | Mode::ConfirmOpen
        | Mode::Message
        | Mode::Recover
        | Mode::Reload
        | Mode::Beats
        | Mode::Prompt
        | Mode::Value
        | Mode::ProviderName
        | Mode::ConfirmRemove => return None,
        Mode::Present => {
            use super::present::MeetingAction;
            return match m.kind {
                MouseEventKind::ScrollDown => Some(Action::Meeting(MeetingAction::NextBeat)),
                MouseEventKind::ScrollUp => Some(Action::Meeting(MeetingAction::PrevBeat)),
                _ => None,
            };
        }
    }
    let l = ScreenLayout::compute(app.viewport(), app)?;
    let pos = Position::new(m.column, m.row);
    let n = app.run().quarters;
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            if l.levers.contains(pos) {
                let g = layout::lever_panel(l.levers, app);
                for row in &g.rows {
                    if row.slider.contains(pos) {
                        return Some(Action::SetLeverPosition {
                            lever: row.index,
                            position: slider_position(row.slider, m.column),
                            drag: false,
                        });
                    }
                    if row.label.contains(pos) {
                        return Some(Action::SelectLever(row.index));
                    }
                }
                None
            } else if l.chart.contains(pos) {
                let g = layout::chart(l.chart);
                if let Some(&(tab, _)) = g.tabs.iter().find(|(_, r)| r.contains(pos)) {
                    return Some(Action::ShowTab(tab));
                }
                let timeline = Rect::new(g.plot.x, g.plot.y, g.plot.width, g.plot.height + 2);
                timeline
                    .contains(pos)
                    .then(|| Action::SetCursor(layout::column_quarter(m.column, n, g.plot)))
            } else {
                None
            }
        }
        MouseEventKind::Drag(MouseButton::Left) => {
            if let Some(i) = app.dragging() {
                let g = layout::lever_panel(l.levers, app);
                let row = g.rows.iter().find(|r| r.index == i)?;
                Some(Action::SetLeverPosition {
                    lever: i,
                    position: slider_position(row.slider, m.column),
                    drag: true,
                })
            } else if l.chart.contains(pos) {
                // Scrubbing: dragging across the chart moves the cursor.
                let g = layout::chart(l.chart);
                g.plot
                    .contains(pos)
                    .then(|| Action::SetCursor(layout::column_quarter(m.column, n, g.plot)))
            } else {
                None
            }
        }
        MouseEventKind::Up(_) => app.dragging().map(|_| Action::EndDrag),
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let down = m.kind == MouseEventKind::ScrollDown;
            if l.events.contains(pos) {
                Some(Action::ScrollLog(if down { 1 } else { -1 }))
            } else if l.levers.contains(pos) {
                Some(if down { Action::NextLever } else { Action::PrevLever })
            } else if l.chart.contains(pos) {
                Some(if down { Action::StepForward } else { Action::StepBack })
            } else {
                None
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slider_ends_map_to_the_range_ends() {
        let s = Rect::new(10, 0, 12, 1);
        assert_eq!(slider_position(s, 10), 0.0);
        assert_eq!(slider_position(s, 21), 1.0);
        let mid = slider_position(s, 16);
        assert!((mid - 0.55).abs() < 0.01, "{mid}");
    }
}
