//! The strategist's controls: a typed value, resets, the command palette,
//! the searchable help's text, and the providers of one's own (add from an
//! archetype or a copy, rename, recolour, remove).
//!
//! A child of `app` so it can work on the whole `App`; `App::update` calls in
//! here. Every change is one undo step and re-simulates, like a slider move.

use super::{App, Edit, LeverState, LeverView, lever_label};
use crate::sim::roster::{self, MAX_PROVIDERS, MIN_PROVIDERS};
use crate::sim::{MarketKey, ParamRef, ProviderKey, Scenario};
use crate::ui::action::Action;
use crate::ui::files::Picker;
use crate::ui::keymap::{self, Mode};
use crate::ui::overlay::{Command, NameFor, Overlay, Palette, PaletteEntry, ProviderName, Templates, ValueInput};
use crate::ui::paramdoc;

/// Share of first-quarter demand a new provider starts with.
const NEW_PROVIDER_SHARE: f64 = 0.05;

impl App {
    /// `=` or Enter: the input for the selected lever's value.
    pub(super) fn edit_value(&mut self) {
        let Some(r) = self.selected_ref() else { return };
        self.play.playing = false;
        self.overlays.push(Overlay::Value(ValueInput {
            target: r,
            text: String::new(),
            error: None,
        }));
    }

    /// Enter in the value input: a value in range applies like a slider move
    /// (whole run at the first quarter, a keyframe later); anything else
    /// leaves the input open with the reason.
    pub(super) fn submit_value(&mut self) {
        let Some(Overlay::Value(input)) = self.overlays.top_mut() else {
            return;
        };
        let r = input.target;
        let spec = r.spec();
        match crate::ui::typed::read(r, &input.text) {
            Err(e) => input.error = Some(e),
            Ok(v) => {
                self.overlays.pop();
                if v == self.in_force(r) {
                    self.status = Some(format!("{} is already {}", lever_label(r), spec.unit.format(v)));
                    return;
                }
                self.apply_lever(r, v, false);
                let q = self.doc.scenario.quarter_at(self.view.cursor).label();
                self.status = Some(if self.view.cursor == 0 || r.is_start_only() {
                    format!("{} set to {} (u undoes)", lever_label(r), spec.unit.format(v))
                } else {
                    format!("{} set to {} from {q} (u undoes)", lever_label(r), spec.unit.format(v))
                });
            }
        }
    }

    /// The lever `r` as the file has it: `Some` with the file's base value and
    /// keyframes, or `None` for a provider the file does not have.
    fn file_state(&self, r: ParamRef) -> Option<LeverState> {
        let clean = &self.doc.clean;
        let in_file = match r {
            ParamRef::Market(_) => r,
            ParamRef::Provider(i, k) => {
                let id = &self.doc.scenario.providers.get(i)?.id;
                ParamRef::Provider(clean.provider_index(id)?, k)
            }
        };
        let mut st = LeverState::of_all(clean, &[in_file]);
        // Re-address it to the provider's position on screen.
        for b in &mut st.bases {
            b.0 = r;
        }
        for k in &mut st.keyframes {
            k.target = r;
        }
        for (_, u) in &mut st.uncertainty {
            u.target = r;
        }
        Some(st)
    }

    /// `r`: the selected lever back to the file's value, keyframes included.
    pub(super) fn reset_lever(&mut self) {
        let Some(r) = self.selected_ref() else { return };
        let label = lever_label(r);
        let Some(file) = self.file_state(r) else {
            self.status = Some(format!(
                "{label}: this provider is not in the file, so it has no file value"
            ));
            return;
        };
        let before = LeverState::of_all(&self.doc.scenario, &[r]);
        if before == file {
            self.status = Some(format!("{label} is already as in the file"));
            return;
        }
        file.restore(&mut self.doc.scenario);
        self.record_whole_lever(r, before, format!("{label} reset to the file's value"));
    }

    /// Records a change to all of lever `r` (its base value and keyframes)
    /// made since `before`, for undo, and says it.
    fn record_whole_lever(&mut self, r: ParamRef, before: LeverState, what: String) {
        let after = LeverState::of_all(&self.doc.scenario, &[r]);
        self.status = Some(format!("{what} (u undoes)"));
        self.push_edit(Edit::Lever {
            target: r,
            at: 0,
            before,
            after,
            what: Some(what),
        });
    }

    /// `c`: every keyframe of the selected lever goes; its base value stays.
    pub(super) fn clear_keyframes(&mut self) {
        let Some(r) = self.selected_ref() else { return };
        let label = lever_label(r);
        let quarters: Vec<u32> = self.doc.scenario.keyframe_quarters(r).collect();
        if quarters.is_empty() {
            self.status = Some(format!("{label} has no keyframes"));
            return;
        }
        let before = LeverState::of_all(&self.doc.scenario, &[r]);
        for &t in &quarters {
            self.doc.scenario.remove_keyframe(r, t);
        }
        let n = quarters.len();
        let what = format!(
            "{label}: {n} keyframe{} cleared, {} for the whole run",
            if n == 1 { "" } else { "s" },
            r.spec().unit.format(self.doc.scenario.base_value(r))
        );
        self.record_whole_lever(r, before, what);
    }

    /// `R`: every lever and parameter back to the file's values, keyframes
    /// and uncertain inputs included, for the providers the file has. Providers
    /// added here stay, as they are.
    pub(super) fn reset_all(&mut self) {
        let mut next = self.doc.scenario.clone();
        let clean = &self.doc.clean;
        next.market = clean.market.clone();
        for p in &mut next.providers {
            if let Some(c) = clean.providers.iter().find(|c| c.id == p.id) {
                p.params = c.params.clone();
            }
        }
        // Keyframes and uncertainty: the file's, moved to where its providers are now;
        // those of providers added here are kept.
        let map = |r: ParamRef| -> Option<ParamRef> {
            match r {
                ParamRef::Market(_) => Some(r),
                ParamRef::Provider(i, k) => {
                    let id = &clean.providers.get(i)?.id;
                    Some(ParamRef::Provider(next.provider_index(id)?, k))
                }
            }
        };
        let added = |r: ParamRef| match r {
            ParamRef::Provider(i, _) => next
                .providers
                .get(i)
                .is_some_and(|p| clean.provider_index(&p.id).is_none()),
            ParamRef::Market(_) => false,
        };
        let mut keyframes: Vec<_> = next.keyframes.iter().filter(|k| added(k.target)).copied().collect();
        keyframes.extend(
            clean
                .keyframes
                .iter()
                .filter_map(|k| map(k.target).map(|target| crate::sim::Keyframe { target, ..*k })),
        );
        let mut uncertainty: Vec<_> = next.uncertainty.iter().filter(|u| added(u.target)).copied().collect();
        uncertainty.extend(
            clean
                .uncertainty
                .iter()
                .filter_map(|u| map(u.target).map(|target| crate::sim::Uncertain { target, ..*u })),
        );
        next.keyframes = keyframes;
        next.sort_keyframes();
        next.uncertainty = uncertainty;
        if next == self.doc.scenario {
            self.status = Some("every lever is already as in the file".into());
            return;
        }
        self.whole_change(next, "every lever reset to the file's values".into());
    }

    /// Replaces the scenario by `next` as one undo step that says `what`.
    fn whole_change(&mut self, next: Scenario, what: String) {
        let before = Box::new(std::mem::replace(&mut self.doc.scenario, next));
        let after = Box::new(self.doc.scenario.clone());
        self.status = Some(format!("{what} (u undoes)"));
        self.push_edit(Edit::Whole { before, after, what });
        let n = self.doc.scenario.providers.len();
        self.view.provider = self.view.provider.min(n.saturating_sub(1));
        self.view.lever = self.view.lever.min(self.levers().len().saturating_sub(1));
    }

    /// `:` or Ctrl-p: every action with its key, every parameter, the saved
    /// files and presets, the charts, the providers and the story's beats.
    pub(super) fn open_palette(&mut self) {
        self.play.playing = false;
        let mut entries = Vec::new();
        for b in keymap::keymap(Mode::Normal) {
            if matches!(b.action, Action::OpenPalette | Action::CancelJobs) {
                continue;
            }
            if let Action::ShowTab(m) = b.action {
                entries.push(PaletteEntry {
                    kind: "chart",
                    label: m.title().to_string(),
                    keys: b.keys_label(),
                    command: Command::Tab(m),
                });
                continue;
            }
            entries.push(PaletteEntry {
                kind: "action",
                label: b.help.to_string(),
                keys: b.keys_label(),
                command: Command::Action(b.action),
            });
        }
        for &(action, help) in keymap::PALETTE_ONLY {
            entries.push(PaletteEntry {
                kind: "action",
                label: help.to_string(),
                keys: String::new(),
                command: Command::Action(action),
            });
        }
        let sc = &self.doc.scenario;
        for (i, p) in sc.providers.iter().enumerate() {
            entries.push(PaletteEntry {
                kind: "provider",
                label: p.name.clone(),
                keys: String::new(),
                command: Command::Provider(i),
            });
        }
        for &k in MarketKey::ALL {
            entries.push(param_entry(sc, ParamRef::Market(k)));
        }
        for i in 0..sc.providers.len() {
            for &k in ProviderKey::ALL {
                entries.push(param_entry(sc, ParamRef::Provider(i, k)));
            }
        }
        for (i, b) in sc.story.iter().enumerate() {
            entries.push(PaletteEntry {
                kind: "beat",
                label: format!("{} · {}", sc.quarter_at(b.at).label(), b.title),
                keys: String::new(),
                command: Command::Beat(i),
            });
        }
        for e in Picker::read(&self.doc.storage).entries {
            let what = if e.is_preset() { "preset" } else { "saved" };
            entries.push(PaletteEntry {
                kind: "open",
                label: format!("{what} {}: {}", e.label, e.name),
                keys: String::new(),
                command: Command::Open(e.source),
            });
        }
        self.overlays.push(Overlay::Palette(Palette::new(entries)));
    }

    pub(super) fn palette_move(&mut self, by: i32) {
        if let Some(Overlay::Palette(p)) = self.overlays.top_mut() {
            p.move_by(by);
        }
    }

    /// Enter in the palette: closes it and does what the entry says.
    pub(super) fn palette_run(&mut self) {
        let Some(Overlay::Palette(p)) = self.overlays.top() else {
            return;
        };
        let Some(entry) = p.selected().cloned() else {
            self.status = Some("nothing matches: Backspace widens the search".into());
            return;
        };
        self.overlays.pop();
        match entry.command {
            Command::Action(a) => self.update(a),
            Command::Tab(m) => self.view.tab = m,
            Command::Provider(i) => {
                self.view.provider = i.min(self.doc.scenario.providers.len().saturating_sub(1));
                self.refresh_analysis_panel();
            }
            Command::Beat(i) => {
                self.meeting.selected_beat = i;
                self.update(Action::Meeting(crate::ui::present::MeetingAction::GoToBeat));
            }
            Command::Open(source) => self.open_or_ask(source),
            Command::Param(r) => self.jump_to(r),
        }
    }

    /// Shows parameter `r` in the lever panel, selected, and opens its value input.
    fn jump_to(&mut self, r: ParamRef) {
        if let ParamRef::Provider(i, _) = r {
            self.view.provider = i;
        }
        let mission = [ParamRef::PARITY, ParamRef::CEILING];
        let is_mission = mission.contains(&r)
            || matches!(
                r,
                ParamRef::Provider(_, ProviderKey::self_chip_volume | ProviderKey::ecosystem_lock_in)
            );
        self.view.lever_view = if is_mission { LeverView::Mission } else { LeverView::All };
        self.view.lever = self.levers().iter().position(|&l| l == r).unwrap_or(0);
        self.edit_value();
    }

    /// `+`: the archetypes (the default scenario's five) and copies of the providers on screen.
    pub(super) fn add_provider(&mut self) {
        if self.doc.scenario.providers.len() >= MAX_PROVIDERS {
            self.status = Some(format!("the dashboard works with at most {MAX_PROVIDERS} providers"));
            return;
        }
        self.play.playing = false;
        let mut entries: Vec<(String, crate::sim::Provider)> = crate::document::presets::default_scenario()
            .providers
            .into_iter()
            .map(|p| (format!("archetype: {}", p.name), p))
            .collect();
        for p in &self.doc.scenario.providers {
            entries.push((format!("copy of {}", p.name), p.clone()));
        }
        self.overlays
            .push(Overlay::AddProvider(Templates { entries, selected: 0 }));
    }

    pub(super) fn template_move(&mut self, by: i32) {
        if let Some(Overlay::AddProvider(t)) = self.overlays.top_mut() {
            let last = t.entries.len().saturating_sub(1) as i64;
            t.selected = (t.selected as i64 + i64::from(by)).clamp(0, last) as usize;
        }
    }

    pub(super) fn template_chosen(&mut self) {
        let Some(Overlay::AddProvider(t)) = self.overlays.pop() else {
            return;
        };
        let Some((_, p)) = t.entries.into_iter().nth(t.selected) else {
            return;
        };
        self.overlays.push(Overlay::ProviderName(ProviderName {
            purpose: NameFor::Add(Box::new(p)),
            text: String::new(),
            error: None,
        }));
    }

    /// `e`: the selected provider's name.
    pub(super) fn rename_provider(&mut self) {
        let i = self.view.provider;
        let Some(p) = self.doc.scenario.providers.get(i) else {
            return;
        };
        self.overlays.push(Overlay::ProviderName(ProviderName {
            purpose: NameFor::Rename(i),
            text: p.name.clone(),
            error: None,
        }));
    }

    pub(super) fn submit_provider_name(&mut self) {
        let Some(Overlay::ProviderName(n)) = self.overlays.top_mut() else {
            return;
        };
        let text = n.text.trim().to_string();
        let mut next = self.doc.scenario.clone();
        let result = match &n.purpose {
            NameFor::Add(template) => roster::add(&mut next, template, &text, NEW_PROVIDER_SHARE)
                .map(|i| (i, format!("provider {text} added"))),
            NameFor::Rename(i) => rename(&mut next, *i, &text).map(|old| (*i, format!("{old} renamed {text}"))),
        };
        let problem = result
            .as_ref()
            .err()
            .cloned()
            .or_else(|| next.problems().into_iter().next().map(|(f, m)| format!("{f}: {m}")));
        match (result, problem) {
            (Ok((i, what)), None) => {
                self.overlays.pop();
                self.whole_change(next, what);
                self.view.provider = i;
            }
            (_, Some(e)) => n.error = Some(e),
            (Err(e), None) => n.error = Some(e),
        }
    }

    /// `C`: the next palette colour no other provider uses.
    pub(super) fn recolour_provider(&mut self) {
        let i = self.view.provider;
        let mut next = self.doc.scenario.clone();
        let Some(p) = next.providers.get(i) else { return };
        let (name, old) = (p.name.clone(), p.color);
        let colour = roster::next_colour(&next, Some(old));
        if let Some(p) = next.providers.get_mut(i) {
            p.color = colour;
        }
        self.whole_change(next, format!("{name} recoloured {}", colour.hex()));
    }

    /// `-`: asks before removing the selected provider.
    pub(super) fn remove_provider(&mut self) {
        if self.doc.scenario.providers.len() <= MIN_PROVIDERS {
            self.status = Some(format!("a market needs at least {MIN_PROVIDERS} providers"));
            return;
        }
        self.overlays.push(Overlay::ConfirmRemove(self.view.provider));
    }

    pub(super) fn confirm_remove(&mut self) {
        let Some(Overlay::ConfirmRemove(i)) = self.overlays.pop() else {
            return;
        };
        let mut next = self.doc.scenario.clone();
        let name = next.providers.get(i).map(|p| p.name.clone()).unwrap_or_default();
        match roster::remove(&mut next, i) {
            Err(e) => self.status = Some(e),
            Ok(named) => {
                self.whole_change(next, format!("provider {name} removed"));
                if named > 0 {
                    self.status = Some(format!(
                        "provider {name} removed (u undoes); {named} beat{} of the story still name{} it: B edits them",
                        if named == 1 { "" } else { "s" },
                        if named == 1 { "s" } else { "" }
                    ));
                }
            }
        }
    }

    /// A printable key typed into the open text field.
    pub(super) fn type_char(&mut self, c: char) {
        match self.overlays.top_mut() {
            Some(Overlay::NamePrompt(p)) => p.type_char(c),
            Some(Overlay::Value(v)) if v.text.chars().count() < 40 => {
                v.text.push(c);
                v.error = None;
            }
            Some(Overlay::ProviderName(n)) if n.text.chars().count() < 40 => {
                n.text.push(c);
                n.error = None;
            }
            Some(Overlay::Help(q)) if q.chars().count() < 40 => q.push(c),
            // Typing on the help's other page searches the keys.
            Some(Overlay::Glossary) => {
                self.overlays.pop();
                self.overlays.push(Overlay::Help(c.to_string()));
            }
            Some(Overlay::Palette(p)) if p.query.chars().count() < 60 => {
                p.query.push(c);
                p.refilter();
            }
            Some(Overlay::Params { query, selected }) if query.chars().count() < 40 => {
                query.push(c);
                *selected = 0;
            }
            _ => {}
        }
    }

    pub(super) fn delete_char(&mut self) {
        match self.overlays.top_mut() {
            Some(Overlay::NamePrompt(p)) => p.delete_char(),
            Some(Overlay::Value(v)) => {
                v.text.pop();
                v.error = None;
            }
            Some(Overlay::ProviderName(n)) => {
                n.text.pop();
                n.error = None;
            }
            Some(Overlay::Help(q)) => {
                q.pop();
            }
            Some(Overlay::Palette(p)) => {
                p.query.pop();
                p.refilter();
            }
            Some(Overlay::Params { query, selected }) => {
                query.pop();
                *selected = 0;
            }
            _ => {}
        }
    }

    /// `P`: every parameter of the market and of the selected provider, by model section.
    pub(super) fn open_params(&mut self) {
        self.play.playing = false;
        self.overlays.push(Overlay::Params {
            query: String::new(),
            selected: 0,
        });
    }

    /// The parameters the view lists for `query`: the market's, then the selected
    /// provider's, ordered by `docs/MODEL.md` section; a search ranks by match.
    pub fn param_list(&self, query: &str) -> Vec<ParamRef> {
        let p = self.view.provider;
        let mut all: Vec<ParamRef> = MarketKey::ALL
            .iter()
            .map(|&k| ParamRef::Market(k))
            .chain(ProviderKey::ALL.iter().map(|&k| ParamRef::Provider(p, k)))
            .collect();
        // Stable: within a section, the table's order, market first.
        all.sort_by_key(|&r| paramdoc::section_rank(r));
        if query.trim().is_empty() {
            return all;
        }
        let hay: Vec<String> = all
            .iter()
            .map(|&r| {
                format!(
                    "{} {} {} {}",
                    paramdoc::label(r),
                    paramdoc::section(r),
                    r.spec().name,
                    r.spec().unit.label()
                )
            })
            .collect();
        crate::ui::fuzzy::rank(query, &hay)
            .into_iter()
            .filter_map(|i| all.get(i).copied())
            .collect()
    }

    pub(super) fn params_move(&mut self, by: i32) {
        let n = match self.overlays.top() {
            Some(Overlay::Params { query, .. }) => self.param_list(query).len(),
            _ => return,
        };
        if let Some(Overlay::Params { selected, .. }) = self.overlays.top_mut() {
            let last = n.saturating_sub(1) as i64;
            *selected = (*selected as i64 + i64::from(by)).clamp(0, last) as usize;
        }
    }

    /// Enter in the parameter view: the value input for the selected one, over the view.
    pub(super) fn edit_param(&mut self) {
        let Some(Overlay::Params { query, selected }) = self.overlays.top() else {
            return;
        };
        let Some(&r) = self.param_list(query).get(*selected) else {
            self.status = Some("nothing matches: Backspace widens the search".into());
            return;
        };
        self.overlays.push(Overlay::Value(ValueInput {
            target: r,
            text: String::new(),
            error: None,
        }));
    }

    /// What `←`/`→` will do to the selected lever at the cursor, for the footer.
    pub fn adjust_hint(&self) -> String {
        let Some(r) = self.selected_ref() else {
            return "adjust".into();
        };
        let sc = &self.doc.scenario;
        let t = self.view.cursor;
        let keys: Vec<u32> = sc.keyframe_quarters(r).collect();
        let next = keys.iter().copied().find(|&k| k > t);
        // "until": the quarter the lever's next keyframe takes over, never a value.
        let until = next
            .map(|k| format!(" until {}", sc.quarter_at(k).label()))
            .unwrap_or_default();
        if t == 0 || r.is_start_only() {
            match next {
                None => "set whole run".into(),
                Some(_) => format!("set base{until}"),
            }
        } else if keys.contains(&t) {
            format!("move ◇ here{until}")
        } else {
            format!("add ◇ here{until}")
        }
    }
}

/// A palette entry for parameter `r`: its human name, key, provider and value.
fn param_entry(sc: &Scenario, r: ParamRef) -> PaletteEntry {
    let who = match r {
        ParamRef::Provider(i, _) => sc
            .providers
            .get(i)
            .map(|p| format!("{} · ", p.name))
            .unwrap_or_default(),
        ParamRef::Market(_) => "Market · ".into(),
    };
    PaletteEntry {
        kind: "parameter",
        label: format!(
            "{who}{} = {}  ({})",
            paramdoc::label(r),
            r.spec().unit.format(sc.base_value(r)),
            sc.key_name(r)
        ),
        keys: String::new(),
        command: Command::Param(r),
    }
}

/// The allowed range in the unit the input takes: "0% to 100%", "$0.001/Mtok to $1.0k/Mtok".
pub fn range_in_unit(r: ParamRef) -> String {
    let spec = r.spec();
    format!("{} to {}", spec.unit.format(spec.min), spec.unit.format(spec.max))
}

/// Renames provider `i` of `sc`; returns the old name.
fn rename(sc: &mut Scenario, i: usize, name: &str) -> Result<String, String> {
    if name.is_empty() {
        return Err("a provider needs a name".into());
    }
    if sc.providers.iter().enumerate().any(|(j, p)| j != i && p.name == name) {
        return Err(format!("there is already a provider called {name}"));
    }
    let p = sc.providers.get_mut(i).ok_or("no such provider")?;
    if let Some(problem) = crate::document::clean::control_problem(name, false) {
        return Err(problem);
    }
    Ok(std::mem::replace(&mut p.name, name.to_string()))
}
