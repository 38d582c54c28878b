//! Lever change → re-simulation → full frame rendered into a `TestBackend`
//! at 120×40 and 200×60, drawn as the dashboard draws (`ui::frames`): what a
//! keypress costs (issue 11: within 1 ms). The `_ratatui_draw` variant draws
//! through `Terminal::draw` instead, for comparison.

#![allow(clippy::expect_used)] // A benchmark that cannot draw has nothing to measure.

use cloudstrat::document::Source;
use cloudstrat::document::presets::default_scenario;
use cloudstrat::ui::frames::Frames;
use cloudstrat::ui::{Action, App, Metric, Step, Theme, widgets};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

fn lever_change_to_frame(c: &mut Criterion) {
    let mut group = c.benchmark_group("ui");
    for (name, baseline, tab, (width, height), ratatui_draw) in [
        ("lever_change_frame_120x40", false, Metric::Share, (120, 40), false),
        ("lever_change_frame_200x60", false, Metric::Share, (200, 60), false),
        (
            "lever_change_frame_200x60_baseline_price",
            true,
            Metric::PriceCost,
            (200, 60),
            false,
        ),
        (
            "lever_change_frame_200x60_ratatui_draw",
            false,
            Metric::Share,
            (200, 60),
            true,
        ),
    ] {
        let mut app = App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR);
        app.update(Action::Resize { width, height });
        for _ in 0..8 {
            app.update(Action::StepForward);
        }
        app.update(Action::ShowTab(tab));
        if baseline {
            app.update(Action::ToggleBaseline);
        }
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
        let mut frames = Frames::new();
        let mut up = true;
        group.bench_function(name, |b| {
            b.iter(|| {
                // Alternate up and down so the lever stays in range however long criterion runs.
                app.update(Action::Adjust(if up { Step::Up } else { Step::Down }));
                up = !up;
                if ratatui_draw {
                    terminal.draw(|f| widgets::render(&app, f)).expect("draw");
                } else {
                    frames
                        .draw(&mut terminal, |area, buf| widgets::render_screen(&app, area, buf))
                        .expect("draw");
                }
                black_box(terminal.backend().buffer().area);
            })
        });
    }
    group.finish();
}

fn frame_only(c: &mut Criterion) {
    let app = App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("test backend");
    c.bench_function("ui/frame_only_200x60", |b| {
        b.iter(|| {
            terminal.draw(|f| widgets::render(&app, f)).expect("draw");
        })
    });
}

criterion_group!(benches, lever_change_to_frame, frame_only);
criterion_main!(benches);
