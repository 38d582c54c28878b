//! Every widget survives any area, however small, and the whole screen any
//! terminal size, in every mode, view and tab.

use cloudstrat::document::Source;
use cloudstrat::document::presets::default_scenario;
use cloudstrat::ui::widgets::{
    self, ChartWidget, ConfirmQuitWidget, EventLogWidget, FooterWidget, HeaderWidget, HelpWidget, LeagueWidget,
    LeverPanelWidget, TooSmallWidget,
};
use cloudstrat::ui::{Action, App, Metric, Step, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::widgets::Widget;

fn app() -> App {
    App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR)
}

/// Apps in a spread of states: pinned baseline, later cursor, all-parameters view, each tab.
fn states() -> Vec<App> {
    let mut out = Vec::new();
    for tab in Metric::ALL {
        let mut a = app();
        a.update(Action::ShowTab(tab));
        out.push(a);
    }
    let mut a = app();
    a.update(Action::ToggleBaseline);
    a.update(Action::LastQuarter);
    a.update(Action::Adjust(Step::BigUp));
    a.update(Action::ShowTab(Metric::PriceCost));
    out.push(a);
    let mut a = app();
    a.update(Action::ToggleAllParams);
    for _ in 0..60 {
        a.update(Action::NextLever);
    }
    out.push(a);
    out
}

fn render_all(a: &App, area: Rect) {
    let mut buf = Buffer::empty(area);
    HeaderWidget { app: a }.render(area, &mut buf);
    LeverPanelWidget { app: a }.render(area, &mut buf);
    EventLogWidget { app: a }.render(area, &mut buf);
    ChartWidget { app: a }.render(area, &mut buf);
    LeagueWidget { app: a }.render(area, &mut buf);
    FooterWidget { app: a }.render(area, &mut buf);
    HelpWidget { app: a }.render(area, &mut buf);
    ConfirmQuitWidget { app: a }.render(area, &mut buf);
    TooSmallWidget { app: a }.render(area, &mut buf);
}

#[test]
fn every_widget_renders_into_0x0_and_1x1() {
    for a in states() {
        for area in [Rect::new(0, 0, 0, 0), Rect::new(0, 0, 1, 1), Rect::new(3, 2, 1, 1)] {
            render_all(&a, area);
        }
    }
}

#[test]
fn every_widget_renders_into_thin_and_small_areas() {
    let a = &states()[6];
    for w in 0..12 {
        for h in 0..12 {
            render_all(a, Rect::new(0, 0, w, h));
        }
    }
    render_all(a, Rect::new(0, 0, 200, 1));
    render_all(a, Rect::new(0, 0, 1, 60));
}

#[test]
fn whole_screen_renders_at_every_size() {
    for a in states() {
        for w in (0..=130).step_by(7) {
            for h in (0..=45).step_by(3) {
                let area = Rect::new(0, 0, w, h);
                let mut buf = Buffer::empty(area);
                widgets::render_screen(&a, area, &mut buf);
            }
        }
    }
}

#[test]
fn no_color_means_no_colour() {
    let mut a = App::new(default_scenario(), Source::Preset("default".into()), Theme::MONO);
    a.update(Action::ToggleBaseline);
    a.update(Action::StepForward);
    a.update(Action::Adjust(Step::BigUp));
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    widgets::render_screen(&a, area, &mut buf);
    for cell in buf.content() {
        assert_eq!(
            cell.fg,
            Color::Reset,
            "coloured text under NO_COLOR: {:?}",
            cell.symbol()
        );
        assert_eq!(
            cell.bg,
            Color::Reset,
            "coloured background under NO_COLOR: {:?}",
            cell.symbol()
        );
    }
}

#[test]
fn provider_colours_come_from_the_scenario() {
    let a = app();
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    widgets::render_screen(&a, area, &mut buf);
    for p in &a.scenario().providers {
        let c = Color::Rgb(p.color.0, p.color.1, p.color.2);
        assert!(
            buf.content().iter().any(|cell| cell.fg == c),
            "{} not drawn in its colour",
            p.name
        );
    }
}
