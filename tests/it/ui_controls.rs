//! The strategist's controls as a user drives them: a typed value, resets,
//! round steps, one undo per gesture, the command palette and the searched
//! help, and a provider of one's own added, saved, reopened and removed.

use cloudstrat::document::Source;
use cloudstrat::document::file;
use cloudstrat::document::presets::default_scenario;
use cloudstrat::document::storage::Storage;
use cloudstrat::sim::{ParamRef, ProviderKey};
use cloudstrat::ui::keymap::Mode;
use cloudstrat::ui::overlay::Overlay;
use cloudstrat::ui::{self, Action, App, ScriptedEvents, Step, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;

fn app_in(saves: &Path) -> App {
    let mut a = App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR)
        .with_storage(Storage::new(saves.to_path_buf()));
    a.update(Action::Resize { width: 120, height: 40 });
    a
}

fn type_text(a: &mut App, s: &str) {
    for c in s.chars() {
        a.update(Action::TypeChar(c));
    }
}

/// The cursor at 2025 Q1, eight quarters in.
fn at_2025q1(a: &mut App) {
    for _ in 0..8 {
        a.update(Action::StepForward);
    }
    assert_eq!(a.scenario().quarter_at(a.cursor()).label(), "2025 Q1");
}

fn text(a: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("backend");
    t.draw(|f| ui::widgets::render(a, f)).expect("draw");
    format!("{}", t.backend())
}

fn value_error(a: &App) -> Option<String> {
    match a.overlays().top() {
        Some(Overlay::Value(v)) => v.error.clone(),
        _ => None,
    }
}

#[test]
fn a_typed_value_applies_like_a_slider_move_and_a_bad_one_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    at_2025q1(&mut a);
    let r = ParamRef::PARITY;
    assert_eq!(a.selected_ref(), Some(r));
    let before = a.scenario().clone();
    a.update(Action::EditValue);
    assert_eq!(a.mode(), Mode::Value);
    let screen = text(&a, 120, 40);
    assert!(screen.contains("Type in %; allowed 0% to 100%."), "{screen}");
    insta::assert_snapshot!("value_input_120x40", screen);
    insta::assert_snapshot!("value_input_80x24", text(&a, 80, 24));

    // Out of range and not a number: said inline, nothing changes.
    type_text(&mut a, "150");
    a.update(Action::SubmitValue);
    assert_eq!(a.mode(), Mode::Value);
    assert!(
        value_error(&a).is_some_and(|e| e.contains("outside 0% to 100%")),
        "{:?}",
        value_error(&a)
    );
    assert!(text(&a, 120, 40).contains("150% is outside 0% to 100%"));
    for _ in 0..3 {
        a.update(Action::DeleteChar);
    }
    type_text(&mut a, "lots");
    a.update(Action::SubmitValue);
    assert!(value_error(&a).is_some_and(|e| e.contains("not a number")));
    assert_eq!(a.scenario(), &before);

    for _ in 0..4 {
        a.update(Action::DeleteChar);
    }
    type_text(&mut a, "95");
    a.update(Action::SubmitValue);
    assert_eq!(a.mode(), Mode::Normal);
    assert_eq!(a.value(r), 0.95);
    assert!(
        a.scenario().keyframe_quarters(r).any(|t| t == a.cursor()),
        "a keyframe at 2025 Q1"
    );
    assert_eq!(a.scenario().base_value(r), before.base_value(r), "the base value stays");
    assert!(
        a.status().is_some_and(|s| s.contains("95% from 2025 Q1")),
        "{:?}",
        a.status()
    );
    a.update(Action::Undo);
    assert_eq!(a.scenario(), &before);

    // At the first quarter it sets the whole run's base value.
    a.update(Action::FirstQuarter);
    a.update(Action::EditValue);
    type_text(&mut a, "42.5");
    a.update(Action::SubmitValue);
    assert_eq!(a.scenario().base_value(r), 0.425);
}

#[test]
fn big_steps_land_on_round_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    a.update(Action::EditValue);
    type_text(&mut a, "85");
    a.update(Action::SubmitValue);
    a.update(Action::Adjust(Step::BigUp));
    assert_eq!(a.value(ParamRef::PARITY), 0.9);
    a.update(Action::Adjust(Step::BigUp));
    assert_eq!(a.value(ParamRef::PARITY), 0.95);
    // The hyperscaler's chip volume from 40k: 50k, 100k, 200k a quarter.
    a.update(Action::NextLever);
    a.update(Action::NextLever);
    let chips = ParamRef::self_chip_volume(0);
    assert_eq!(a.selected_ref(), Some(chips));
    for want in [50.0, 100.0, 200.0] {
        a.update(Action::Adjust(Step::BigUp));
        assert_eq!(a.value(chips), want);
    }
}

#[test]
fn resets_go_back_to_the_file_each_as_one_undo_step() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    let file = default_scenario();
    let chips = ParamRef::self_chip_volume(0);
    a.update(Action::NextLever);
    a.update(Action::NextLever);
    assert_eq!(a.selected_ref(), Some(chips));
    assert_eq!(a.scenario().keyframe_quarters(chips).count(), 2);

    // Clear the lever's keyframes: the base value then holds for the whole run.
    a.update(Action::ClearKeyframes);
    assert_eq!(a.scenario().keyframe_quarters(chips).count(), 0);
    assert!(
        a.status().is_some_and(|s| s.contains("2 keyframes cleared")),
        "{:?}",
        a.status()
    );
    // Reset the lever: its keyframes and base come back from the file.
    a.update(Action::Adjust(Step::BigUp));
    a.update(Action::ResetLever);
    assert_eq!(a.scenario(), &file);
    a.update(Action::Undo);
    assert_eq!(a.scenario().keyframe_quarters(chips).count(), 0);
    assert!(
        a.status().is_some_and(|s| s.contains("reset to the file's value")),
        "{:?}",
        a.status()
    );
    a.update(Action::Redo);
    assert_eq!(a.scenario(), &file);

    // Reset all: several levers at several quarters back in one step.
    a.update(Action::Adjust(Step::BigUp));
    at_2025q1(&mut a);
    a.update(Action::PrevLever);
    a.update(Action::Adjust(Step::BigDown));
    a.update(Action::ToggleAllParams);
    a.update(Action::Adjust(Step::Up));
    assert_ne!(a.scenario(), &file);
    let changed = a.scenario().clone();
    a.update(Action::ResetAll);
    assert_eq!(a.scenario(), &file);
    assert!(!a.is_modified());
    a.update(Action::Undo);
    assert_eq!(a.scenario(), &changed);
}

#[test]
fn presses_on_one_lever_are_one_undo_step_that_says_what_it_undid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    for _ in 0..10 {
        a.update(Action::Adjust(Step::Up));
    }
    assert_eq!(a.value(ParamRef::PARITY), 0.4);
    assert_eq!(a.can_undo(), 1);
    a.update(Action::Undo);
    assert_eq!(a.value(ParamRef::PARITY), 0.3);
    assert_eq!(a.status(), Some("undone: Open-source parity at 2023 Q1, 40% → 30%"));
    a.update(Action::Redo);
    assert_eq!(a.status(), Some("redone: Open-source parity at 2023 Q1, 30% → 40%"));
    // Another action in between starts a new step.
    a.update(Action::Adjust(Step::Up));
    a.update(Action::StepForward);
    a.update(Action::StepBack);
    a.update(Action::Adjust(Step::Up));
    assert_eq!(a.can_undo(), 3);
}

#[test]
fn pinning_a_baseline_is_unsaved_only_once_the_file_has_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    a.update(Action::ToggleBaseline);
    assert!(a.baseline().is_some());
    assert!(!a.is_modified(), "a pinned baseline alone is not unsaved work");
    // Saved, the file holds the baseline: unpinning it is then a change.
    let path = dir.path().join("plan.ron");
    let doc = file::to_ron_document(a.scenario(), a.pinned_scenario());
    std::fs::write(&path, doc).expect("write");
    let loaded = file::load_document(&path).expect("load");
    let mut b = App::new(loaded.scenario.clone(), Source::File(path.clone()), Theme::COLOR)
        .with_storage(Storage::new(dir.path().to_path_buf()))
        .with_document(loaded, Source::File(path));
    assert!(b.baseline().is_some() && !b.is_modified());
    b.update(Action::ToggleBaseline);
    assert!(b.is_modified(), "unpinning the file's baseline is unsaved");
    b.update(Action::ToggleBaseline);
    assert!(!b.is_modified(), "the same baseline pinned again is the file's");
}

#[test]
fn the_palette_finds_actions_parameters_and_presets_and_runs_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    a.update(Action::OpenPalette);
    assert_eq!(a.mode(), Mode::Palette);
    insta::assert_snapshot!("palette_120x40", text(&a, 120, 40));
    type_text(&mut a, "tornado");
    insta::assert_snapshot!("palette_tornado_80x24", text(&a, 80, 24));
    a.update(Action::PaletteRun);
    assert_eq!(a.mode(), Mode::Tornado);
    a.update(Action::Dismiss);

    // A parameter: it is shown, selected, with its value input open.
    a.update(Action::OpenPalette);
    type_text(&mut a, "neocloud markup");
    a.update(Action::PaletteRun);
    assert_eq!(a.mode(), Mode::Value);
    let neo = a.scenario().provider_index("neo").expect("neo");
    assert_eq!(a.selected_ref(), Some(ParamRef::Provider(neo, ProviderKey::markup)));
    a.update(Action::Dismiss);

    // Unknown keys are not silent.
    let (esc, colon) = (key(KeyCode::Esc), key(KeyCode::Char('Z')));
    let _ = esc;
    if let Some(act) = ui::input::action_for_event(&a, &colon) {
        a.update(act);
    }
    assert!(
        a.status().is_some_and(|s| s.contains(": finds any command")),
        "{:?}",
        a.status()
    );

    // A preset opens (the work is unchanged, so nothing asks first).
    a.update(Action::OpenPalette);
    type_text(&mut a, "preset parity-shock");
    a.update(Action::PaletteRun);
    assert_eq!(a.source(), &Source::Preset("parity-shock".into()));
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[test]
fn the_help_searches_as_you_type() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    a.update(Action::ToggleHelp);
    type_text(&mut a, "cash");
    let s = text(&a, 80, 24);
    assert!(s.contains("chart: cash") && !s.contains("play or pause"), "{s}");
    insta::assert_snapshot!("help_search_80x24", s);
    a.update(Action::Dismiss);
    assert_eq!(a.mode(), Mode::Normal);
}

#[test]
fn a_provider_of_ones_own_is_added_saved_reopened_and_removed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    let share = |a: &App| -> f64 { a.scenario().providers.iter().map(|p| p.params.initial_share).sum() };
    let total = share(&a);
    a.update(Action::AddProvider);
    assert_eq!(a.mode(), Mode::AddProvider);
    insta::assert_snapshot!("add_provider_80x24", text(&a, 80, 24));
    a.update(Action::TemplateMove(1)); // archetype: EcoCloud
    a.update(Action::TemplateChosen);
    assert_eq!(a.mode(), Mode::ProviderName);
    a.update(Action::SubmitProviderName);
    assert_eq!(a.mode(), Mode::ProviderName, "an empty name is refused");
    type_text(&mut a, "Us");
    a.update(Action::SubmitProviderName);
    assert_eq!(a.mode(), Mode::Normal);
    assert_eq!(a.scenario().providers.len(), 6);
    let us = a.scenario().provider_index("us").expect("us");
    assert_eq!(a.provider(), us, "the new provider is selected");
    assert_eq!(a.scenario().providers[us].params.initial_share, 0.05);
    assert!((share(&a) - total).abs() < 1e-12, "shares add up as before");
    assert!(a.scenario().problems().is_empty());
    assert_eq!(a.run().providers, 6);

    // Rename and recolour, each undoable.
    let colour = a.scenario().providers[us].color;
    a.update(Action::RecolourProvider);
    assert_ne!(a.scenario().providers[us].color, colour);
    a.update(Action::Undo);
    assert_eq!(a.scenario().providers[us].color, colour);
    a.update(Action::RenameProvider);
    for _ in 0..2 {
        a.update(Action::DeleteChar);
    }
    type_text(&mut a, "Our Cloud");
    a.update(Action::SubmitProviderName);
    assert_eq!(a.scenario().providers[us].name, "Our Cloud");
    insta::assert_snapshot!("six_providers_120x40", text(&a, 120, 40));

    // Saved and opened again: the provider is in the file.
    a.update(Action::SaveAs);
    for _ in 0..10 {
        a.update(Action::DeleteChar);
    }
    type_text(&mut a, "ours");
    a.update(Action::SubmitName);
    let path = dir.path().join("ours.ron");
    let loaded = file::load_document(&path).expect("the saved file loads");
    assert_eq!(loaded.scenario.providers.len(), 6);
    assert_eq!(loaded.scenario.providers[us].name, "Our Cloud");
    assert_eq!(loaded.scenario.providers, a.scenario().providers);

    // Removed: the others take its share back; undo brings it back.
    a.update(Action::RemoveProvider);
    assert_eq!(a.mode(), Mode::ConfirmRemove);
    a.update(Action::ConfirmRemove);
    assert_eq!(a.scenario().providers.len(), 5);
    assert!((share(&a) - total).abs() < 1e-12);
    assert!(a.is_modified());
    a.update(Action::Undo);
    let (now, then) = (a.scenario(), &loaded.scenario);
    assert_eq!(now.providers, then.providers);
    assert_eq!(now.keyframes, then.keyframes);
    assert_eq!(now.story, then.story);
    assert!(!a.is_modified());
}

#[test]
fn between_two_and_twelve_providers_every_screen_draws() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    while a.scenario().providers.len() < 12 {
        a.update(Action::AddProvider);
        a.update(Action::TemplateChosen);
        let n = a.scenario().providers.len();
        type_text(&mut a, &format!("Rival {n}"));
        a.update(Action::SubmitProviderName);
    }
    a.update(Action::AddProvider);
    assert!(a.status().is_some_and(|s| s.contains("at most 12")), "{:?}", a.status());
    assert_eq!(a.mode(), Mode::Normal);
    insta::assert_snapshot!("twelve_providers_120x40", text(&a, 120, 40));
    insta::assert_snapshot!("twelve_providers_80x24", text(&a, 80, 24));
    for tab in cloudstrat::sim::Metric::ALL {
        a.update(Action::ShowTab(tab));
        let _ = text(&a, 80, 24);
    }
    a.update(Action::Meeting(ui::MeetingAction::Present));
    let _ = text(&a, 120, 40);
    a.update(Action::Meeting(ui::MeetingAction::Leave));
    while a.scenario().providers.len() > 2 {
        a.update(Action::RemoveProvider);
        a.update(Action::ConfirmRemove);
    }
    a.update(Action::RemoveProvider);
    assert!(a.status().is_some_and(|s| s.contains("at least 2")), "{:?}", a.status());
    assert!(a.scenario().problems().is_empty());
    insta::assert_snapshot!("two_providers_80x24", text(&a, 80, 24));
}

#[test]
fn the_whole_what_if_loop_through_the_event_loop() {
    // Pause at 2025 Q1, parity to exactly 95 %, add a provider called Us,
    // pin a baseline, compare, undo: as keys.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    let ch = |c: char| key(KeyCode::Char(c));
    let mut ev: Vec<Event> = (0..8).map(|_| ch('.')).collect();
    ev.extend([ch('='), ch('9'), ch('5'), key(KeyCode::Enter)]);
    ev.push(ch(':'));
    ev.extend("add a provider".chars().map(ch));
    ev.extend([
        key(KeyCode::Enter),
        key(KeyCode::Enter),
        ch('U'),
        ch('s'),
        key(KeyCode::Enter),
    ]);
    ev.extend([ch('b'), ch('u'), ch('w')]);
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("backend");
    ui::run_app(&mut t, &mut a, &mut ScriptedEvents::new(ev)).expect("loop");
    assert_eq!(a.value(ParamRef::PARITY), 0.95);
    assert_eq!(a.scenario().providers.len(), 5, "undo took Us out again");
    assert!(a.baseline().is_some());
    assert_eq!(a.baseline().map(|b| b.providers), Some(6));
}

#[test]
fn the_parameter_view_groups_by_model_section_searches_and_edits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    let open = key(KeyCode::Char('P'));
    if let Some(act) = ui::input::action_for_event(&a, &open) {
        a.update(act);
    }
    assert_eq!(a.mode(), Mode::Params);
    let s = text(&a, 120, 40);
    for want in ["§1 Demand", "Price elasticity", "Source:"] {
        assert!(s.contains(want), "lacks {want}\n{s}");
    }
    insta::assert_snapshot!("params_120x40", s);
    // Search, then edit the first match over the view.
    type_text(&mut a, "electricity");
    let list = a.param_list("electricity");
    let r = ParamRef::Provider(0, ProviderKey::electricity_usd_per_kwh);
    assert_eq!(list.first(), Some(&r));
    insta::assert_snapshot!("params_search_80x24", text(&a, 80, 24));
    a.update(Action::EditParam);
    assert_eq!(a.mode(), Mode::Value);
    type_text(&mut a, "0.05");
    a.update(Action::SubmitValue);
    assert_eq!(a.mode(), Mode::Params, "back in the view");
    assert_eq!(a.scenario().base_value(r), 0.05);
    // Tab shows the next provider's parameters.
    a.update(Action::NextProvider);
    assert_eq!(
        a.param_list("electricity").first(),
        Some(&ParamRef::Provider(1, ProviderKey::electricity_usd_per_kwh))
    );
    a.update(Action::Dismiss);
    assert_eq!(a.mode(), Mode::Normal);
    a.update(Action::Undo);
    assert_eq!(a.scenario(), &default_scenario());
}

#[test]
fn a_baseline_with_other_providers_stays_on_screen_and_the_save_still_loads() {
    // Add Us, pin, undo: the baseline has six providers, the scenario five.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    a.update(Action::AddProvider);
    a.update(Action::TemplateChosen);
    type_text(&mut a, "Us");
    a.update(Action::SubmitProviderName);
    a.update(Action::ToggleBaseline);
    a.update(Action::Undo);
    assert_eq!(a.scenario().providers.len(), 5);
    assert_eq!(a.baseline().map(|b| b.providers), Some(6));
    let _ = text(&a, 120, 40);
    let _ = text(&a, 80, 24);
    a.update(Action::SaveAs);
    for _ in 0..10 {
        a.update(Action::DeleteChar);
    }
    type_text(&mut a, "mixed");
    a.update(Action::SubmitName);
    assert!(
        a.status().is_some_and(|s| s.contains("stays on screen only")),
        "{:?}",
        a.status()
    );
    let loaded = file::load_document(&dir.path().join("mixed.ron")).expect("the saved file loads");
    assert!(loaded.baseline.is_none());
    assert!(!a.is_modified());
    assert!(a.baseline().is_some(), "still compared on screen");
    // The autosave of such work loads too.
    a.update(Action::Adjust(Step::Up));
    a.update(Action::Autosave);
    let auto = a.files().autosave_file.clone().expect("autosaved");
    assert!(file::load_document(&auto).is_ok());
}

#[test]
fn the_analyses_run_with_twelve_providers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path()).with_runner(cloudstrat::ui::analysis::JobRunner::inline());
    while a.scenario().providers.len() < 12 {
        a.update(Action::AddProvider);
        a.update(Action::TemplateChosen);
        let n = a.scenario().providers.len();
        type_text(&mut a, &format!("Rival {n}"));
        a.update(Action::SubmitProviderName);
    }
    a.update(Action::ToggleBaseline);
    a.update(Action::Adjust(Step::BigUp));
    for (open, mode) in [
        (Action::ShowSensitivity, Mode::Tornado),
        (Action::ShowOptimum, Mode::Optimum),
        (Action::ShowAttribution, Mode::Waterfall),
    ] {
        a.update(open);
        a.update(Action::PollJobs);
        assert_eq!(a.mode(), mode);
        let s = text(&a, 120, 40);
        assert!(s.contains("Rival"), "{s}");
        let _ = text(&a, 80, 24);
        a.update(Action::Dismiss);
    }
}

/// The cursor at 2024 Q3, six quarters in, with the price ceiling selected.
fn ceiling_at_2024q3(a: &mut App) {
    a.update(Action::NextLever);
    assert_eq!(a.selected_ref(), Some(ParamRef::CEILING));
    for _ in 0..6 {
        a.update(Action::StepForward);
    }
    assert_eq!(a.scenario().quarter_at(a.cursor()).label(), "2024 Q3");
}

fn ceiling_in_run(a: &App) -> f64 {
    a.run().market[a.cursor() as usize].price_ceiling_usd_per_mtok
}

#[test]
fn the_ceiling_steps_from_the_cap_in_force_so_left_always_lowers_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    ceiling_at_2024q3(&mut a);
    let set = a.value(ParamRef::CEILING);
    let binds = ceiling_in_run(&a);
    assert!(binds < set / 2.0, "indexed: {binds} in force, {set} set");
    assert_eq!(a.in_force(ParamRef::CEILING), binds);
    a.update(Action::Adjust(Step::Down));
    let lowered = ceiling_in_run(&a);
    assert!(lowered < binds, "← lowers the cap in force: {binds} → {lowered}");
    assert!(lowered > binds * 0.8, "by one small step: {binds} → {lowered}");
    let unit = ParamRef::CEILING.spec().unit;
    assert_ne!(unit.format(lowered), unit.format(binds), "a step that shows");
    assert_eq!(
        a.scenario().keyframe_quarters(ParamRef::CEILING).collect::<Vec<_>>(),
        vec![6]
    );
    a.update(Action::Adjust(Step::Up));
    a.update(Action::Adjust(Step::Up));
    assert!(ceiling_in_run(&a) > binds, "→ raises it");
    // A held key in one batch steps from the keyframe just written.
    a.begin_batch();
    for _ in 0..3 {
        a.update(Action::Adjust(Step::Down));
    }
    a.end_batch();
    assert!(ceiling_in_run(&a) < lowered);
    // A later quarter without a keyframe steps from what binds there.
    for _ in 0..4 {
        a.update(Action::StepForward);
    }
    let later = ceiling_in_run(&a);
    a.update(Action::Adjust(Step::BigDown));
    assert!(ceiling_in_run(&a) < later);
    // At the first quarter the step changes the base value, also the cap in force there.
    a.update(Action::FirstQuarter);
    let base = a.scenario().market.price_ceiling_usd_per_mtok;
    a.update(Action::Adjust(Step::Down));
    assert!(a.scenario().market.price_ceiling_usd_per_mtok < base);
    assert_eq!(ceiling_in_run(&a), a.scenario().market.price_ceiling_usd_per_mtok);
}

#[test]
fn a_typed_ceiling_at_a_later_quarter_is_the_cap_in_force_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    ceiling_at_2024q3(&mut a);
    let set = a.value(ParamRef::CEILING);
    // The value set at the start is not what binds here, so typing it adds a keyframe.
    a.update(Action::EditValue);
    type_text(&mut a, &format!("{set}"));
    a.update(Action::SubmitValue);
    assert_eq!(value_error(&a), None);
    assert_eq!(ceiling_in_run(&a), set);
    assert!(
        a.status().is_some_and(|s| s.contains("from 2024 Q3")),
        "{:?}",
        a.status()
    );
}

#[test]
fn the_lever_panel_and_parameter_view_show_the_ceiling_in_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    ceiling_at_2024q3(&mut a);
    let shown = |a: &App| ParamRef::CEILING.spec().unit.format(a.in_force(ParamRef::CEILING));
    let binds = shown(&a);
    let screen = text(&a, 120, 40);
    let row = screen
        .lines()
        .find(|l| l.contains("Price ceiling") && !l.contains("In force"))
        .expect("ceiling row");
    assert!(row.contains(&binds), "headline {binds}: {row}");
    assert!(!row.contains("$60.0/Mtok"), "{row}");
    assert!(screen.contains("set to $60.0/Mtok at 2023 Q1"), "{screen}");
    a.update(Action::OpenParams);
    type_text(&mut a, "price ceiling");
    let screen = text(&a, 120, 40);
    let row = screen
        .lines()
        .find(|l| l.contains("Price ceiling ") && l.contains("$0.001"))
        .expect("parameter row");
    assert!(row.contains(&binds), "{binds}: {row}");
}

fn type_and_submit(a: &mut App, s: &str) -> Option<String> {
    a.update(Action::EditValue);
    type_text(a, s);
    a.update(Action::SubmitValue);
    let e = value_error(a);
    if e.is_some() {
        a.update(Action::Dismiss);
    }
    e
}

#[test]
fn typed_prices_refuse_a_decimal_comma_and_say_plainly_what_is_out_of_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    a.update(Action::NextLever);
    let before = a.scenario().clone();
    let e = type_and_submit(&mut a, "1,5").expect("refused");
    assert!(e.contains("decimal") && e.contains("point"), "{e}");
    assert_eq!(a.scenario(), &before, "1,5 is not 15");
    let e = type_and_submit(&mut a, "0.0009").expect("refused");
    let (shown, range) = e.split_once(" is outside ").expect("outside");
    assert!(!range.starts_with(shown), "{e}");
    let e = type_and_submit(&mut a, "-1").expect("refused");
    assert!(!e.contains("$-1") && e.contains("negative"), "{e}");
    let e = type_and_submit(&mut a, "1e400").expect("refused");
    assert!(e.contains("too large"), "{e}");
    assert_eq!(a.scenario(), &before);
    assert_eq!(type_and_submit(&mut a, "1,000"), None);
    assert_eq!(a.scenario().market.price_ceiling_usd_per_mtok, 1000.0);
}

#[test]
fn the_help_has_a_what_you_see_page_and_the_footer_says_until_a_quarter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    // Parity has a keyframe later: at the start, ←→ set the base value until it.
    let screen = text(&a, 120, 40);
    let footer = screen
        .lines()
        .find(|l| l.contains("? help"))
        .expect("footer")
        .to_string();
    assert!(footer.contains("set base until 20"), "{footer}");
    assert!(!footer.contains(" to 20"), "a quarter never reads as a value: {footer}");
    a.update(Action::ToggleHelp);
    assert!(text(&a, 120, 40).contains("Tab: what you see"));
    a.update(Action::HelpPage);
    let page = text(&a, 120, 40);
    for seen in ["In force at", "◇1", "Δq", "Δbase", "caps at", "dashed=cost", "indexed"] {
        assert!(page.contains(seen), "{seen}: {page}");
    }
    a.update(Action::HelpPage);
    assert!(text(&a, 120, 40).contains("Keys · type to search"));
    a.update(Action::HelpPage);
    // Typing there searches the keys.
    a.update(Action::TypeChar('u'));
    assert_eq!(a.overlays().help_query(), Some("u"));
    a.update(Action::Dismiss);
    assert_eq!(a.mode(), Mode::Normal);
}

#[test]
fn undoing_a_ceiling_step_says_the_caps_in_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = app_in(dir.path());
    ceiling_at_2024q3(&mut a);
    let unit = ParamRef::CEILING.spec().unit;
    let binds = unit.format(ceiling_in_run(&a));
    a.update(Action::Adjust(Step::Down));
    let lowered = unit.format(ceiling_in_run(&a));
    a.update(Action::Undo);
    let status = a.status().unwrap_or_default().to_string();
    assert_eq!(
        status,
        format!("undone: Price ceiling at 2024 Q3, {lowered} → {binds} in force"),
        "not the $60 set at the start"
    );
    assert_eq!(unit.format(ceiling_in_run(&a)), binds);
    a.update(Action::Redo);
    assert_eq!(
        a.status().unwrap_or_default(),
        format!("redone: Price ceiling at 2024 Q3, {binds} → {lowered} in force")
    );
    assert_eq!(unit.format(ceiling_in_run(&a)), lowered);
}
