//! Staleness by revision: an analysis result belongs to the revision of the
//! model it was computed for. A lever change makes it stale, undo makes it
//! current again and redo stale again; saving, story edits and leaving a
//! presentation change nothing that matters; the baseline has a revision of
//! its own. And whatever the dashboard does, the revision it keeps is the
//! scenario's own.

use cloudstrat::document::Source;
use cloudstrat::document::presets::default_scenario;
use cloudstrat::ui::analysis::{JobRunner, Revision};
use cloudstrat::ui::keymap::Mode;
use cloudstrat::ui::{Action, App, MeetingAction, Step, Theme};

fn app() -> App {
    let mut a =
        App::new(default_scenario(), Source::Preset("default".into()), Theme::COLOR).with_runner(JobRunner::inline());
    a.update(Action::Resize { width: 120, height: 40 });
    a
}

/// The tornado, computed now (the inline runner finishes before the poll).
fn tornado(a: &mut App) {
    a.update(Action::ShowSensitivity);
    a.update(Action::PollJobs);
    assert!(a.current_tornado().is_some(), "the tornado is computed");
    a.update(Action::Dismiss);
}

fn in_step(a: &App) -> bool {
    a.revision() == Revision::of(a.scenario())
}

#[test]
fn undo_makes_a_result_current_again_and_redo_stale_again() {
    let mut a = app();
    tornado(&mut a);
    a.update(Action::Adjust(Step::Up));
    assert!(a.current_tornado().is_none(), "a lever change makes it stale");
    a.update(Action::Undo);
    assert!(
        a.current_tornado().is_some(),
        "undo brings back the scenario it belongs to"
    );
    a.update(Action::Redo);
    assert!(a.current_tornado().is_none(), "redo makes it stale again");
    // Two changes, two undos.
    a.update(Action::Undo);
    a.update(Action::StepForward);
    a.update(Action::Adjust(Step::BigUp));
    a.update(Action::NextLever);
    a.update(Action::Adjust(Step::Down));
    assert!(a.current_tornado().is_none());
    a.update(Action::Undo);
    assert!(a.current_tornado().is_none(), "one change is still there");
    a.update(Action::Undo);
    assert!(a.current_tornado().is_some(), "both undone");
    assert!(in_step(&a));
}

#[test]
fn a_change_and_its_reverse_by_hand_are_current_too_but_a_new_value_is_not() {
    let mut a = app();
    tornado(&mut a);
    a.update(Action::Adjust(Step::Up));
    a.update(Action::Adjust(Step::Down));
    assert!(
        a.current_tornado().is_some(),
        "the same model by another path is the same revision"
    );
    a.update(Action::Adjust(Step::Down));
    assert!(a.current_tornado().is_none());
}

#[test]
fn story_edits_and_presentations_do_not_make_results_stale() {
    let mut a = app();
    tornado(&mut a);
    a.update(Action::Meeting(MeetingAction::AddBeat));
    for c in "A beat".chars() {
        a.update(Action::Meeting(MeetingAction::TypeChar(c)));
    }
    a.update(Action::Meeting(MeetingAction::SubmitText));
    assert_eq!(a.mode(), Mode::Normal, "the beat is added");
    assert!(a.current_tornado().is_some(), "a beat changes no outcome");
    a.update(Action::Meeting(MeetingAction::Present));
    a.update(Action::Meeting(MeetingAction::NextBeat));
    a.update(Action::Meeting(MeetingAction::Leave));
    assert!(in_step(&a));
    assert!(
        a.current_tornado().is_some(),
        "leaving undoes the beats' changes: the result is current again"
    );
}

#[test]
fn the_baseline_has_a_revision_of_its_own() {
    let mut a = app();
    a.update(Action::ToggleBaseline);
    a.update(Action::Adjust(Step::BigUp));
    a.update(Action::ShowAttribution);
    a.update(Action::PollJobs);
    assert!(a.current_attribution().is_some());
    a.update(Action::Dismiss);
    // Pinning the run as it is now makes a new comparison.
    a.update(Action::ToggleBaseline);
    a.update(Action::ToggleBaseline);
    assert!(a.current_attribution().is_none(), "another baseline, another question");
    assert!(in_step(&a));
}

#[test]
fn the_revision_follows_the_scenario_through_everything_the_dashboard_does() {
    let mut a = app();
    let actions = [
        Action::Adjust(Step::Up),
        Action::StepForward,
        Action::StepForward,
        Action::Adjust(Step::BigUp),
        Action::RemoveKeyframe,
        Action::NextProvider,
        Action::Adjust(Step::BigDown),
        Action::ToggleAllParams,
        Action::NextLever,
        Action::Adjust(Step::Up),
        Action::SetLeverPosition {
            lever: 0,
            position: 0.9,
            drag: true,
        },
        Action::EndDrag,
        Action::Undo,
        Action::Undo,
        Action::Redo,
        Action::ToggleBaseline,
        Action::Meeting(MeetingAction::Present),
        Action::Meeting(MeetingAction::NextBeat),
        Action::Meeting(MeetingAction::PrevBeat),
        Action::Meeting(MeetingAction::Leave),
        Action::EditValue,
        Action::TypeChar('9'),
        Action::SubmitValue,
        Action::ResetLever,
        Action::ClearKeyframes,
        Action::Undo,
        Action::ResetAll,
        Action::Undo,
        Action::AddProvider,
        Action::TemplateChosen,
        Action::TypeChar('U'),
        Action::TypeChar('s'),
        Action::SubmitProviderName,
        Action::RecolourProvider,
        Action::Undo,
        Action::RemoveProvider,
        Action::ConfirmRemove,
        Action::Undo,
        Action::Redo,
        Action::Undo,
    ];
    for act in actions {
        a.update(act);
        assert!(in_step(&a), "after {act:?}");
    }
    assert!(
        a.scenario().provider_index("us").is_some(),
        "the provider was added and its removal undone"
    );
}

#[test]
fn adding_a_provider_stales_a_result_and_undoing_it_makes_it_current() {
    let mut a = app();
    tornado(&mut a);
    a.update(Action::AddProvider);
    a.update(Action::TemplateChosen);
    for c in "Us".chars() {
        a.update(Action::TypeChar(c));
    }
    a.update(Action::SubmitProviderName);
    assert_eq!(a.scenario().providers.len(), 6);
    assert!(a.current_tornado().is_none());
    a.update(Action::Undo);
    assert_eq!(a.scenario().providers.len(), 5);
    // The new provider was selected; the tornado asked about the first.
    while a.provider() != 0 {
        a.update(Action::NextProvider);
    }
    assert!(a.current_tornado().is_some());
}
