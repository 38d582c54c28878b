//! Changing who is in the market: adding a provider (from an archetype or as
//! a copy), renaming, recolouring and removing one, with everything that
//! points at providers by position (keyframes, uncertain inputs, story beats)
//! kept pointing at the same provider, and the initial shares kept adding up
//! to what they did.
//!
//! Pure functions of a scenario; the dashboard calls them and records the
//! whole change for undo.

use super::scenario::{ParamRef, Provider, Rgb, Scenario};

/// Fewest and most providers the dashboard works with.
pub const MIN_PROVIDERS: usize = 2;
pub const MAX_PROVIDERS: usize = 12;

/// Colours offered to new and recoloured providers, distinct from each other
/// on dark and light themes.
pub const PALETTE: [Rgb; 12] = [
    Rgb(0x4e, 0x9a, 0xf1),
    Rgb(0xf2, 0x8e, 0x2b),
    Rgb(0x59, 0xa1, 0x4f),
    Rgb(0xe1, 0x57, 0x59),
    Rgb(0xb0, 0x7a, 0xa1),
    Rgb(0x76, 0xb7, 0xb2),
    Rgb(0xed, 0xc9, 0x48),
    Rgb(0xff, 0x9d, 0xa7),
    Rgb(0x9c, 0x75, 0x5f),
    Rgb(0xba, 0xb0, 0xac),
    Rgb(0x2f, 0xd0, 0x9a),
    Rgb(0xa0, 0x7c, 0xf0),
];

/// A short id from a display name: lower-case letters and digits, unique in `sc`.
pub fn id_for(sc: &Scenario, name: &str) -> String {
    let mut base: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .take(16)
        .collect();
    if base.is_empty() || !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base = format!("p{base}");
    }
    let taken = |id: &str| sc.providers.iter().any(|p| p.id == id);
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|id| !taken(id))
        .unwrap_or(base)
}

/// The first palette colour no provider of `sc` uses after `after` (cycling).
pub fn next_colour(sc: &Scenario, after: Option<Rgb>) -> Rgb {
    let start = after
        .and_then(|c| PALETTE.iter().position(|&p| p == c))
        .map_or(0, |i| i + 1);
    (0..PALETTE.len())
        .map(|k| PALETTE[(start + k) % PALETTE.len()])
        .find(|c| !sc.providers.iter().any(|p| p.color == *c))
        .unwrap_or(PALETTE[start % PALETTE.len()])
}

/// Adds `template` (an archetype or a copy) as a new provider named `name`,
/// last in the list. It starts with `share` of first-quarter demand, taken
/// from the others in proportion to theirs, so the shares add up as before.
pub fn add(sc: &mut Scenario, template: &Provider, name: &str, share: f64) -> Result<usize, String> {
    if sc.providers.len() >= MAX_PROVIDERS {
        return Err(format!("the dashboard works with at most {MAX_PROVIDERS} providers"));
    }
    let name = name.trim();
    if name.is_empty() {
        return Err("a provider needs a name".into());
    }
    if sc.providers.iter().any(|p| p.name == name) {
        return Err(format!("there is already a provider called {name}"));
    }
    let total: f64 = sc.providers.iter().map(|p| p.params.initial_share).sum();
    let share = share.clamp(0.0, total.max(0.0));
    let keep = if total > 0.0 { (total - share) / total } else { 1.0 };
    for p in &mut sc.providers {
        p.params.initial_share *= keep;
    }
    let mut p = template.clone();
    p.id = id_for(sc, name);
    p.name = name.to_string();
    p.color = next_colour(sc, None);
    p.params.initial_share = share;
    sc.providers.push(p);
    Ok(sc.providers.len() - 1)
}

/// Removes provider `i`. Its initial share goes to the others in proportion
/// to theirs; its keyframes, uncertain inputs and beat lever changes go;
/// beats focused on it focus on the first provider. Returns how many beats'
/// narration still names it (which `cloudstrat check` will then flag).
pub fn remove(sc: &mut Scenario, i: usize) -> Result<usize, String> {
    if i >= sc.providers.len() {
        return Err("no such provider".into());
    }
    if sc.providers.len() <= MIN_PROVIDERS {
        return Err(format!("a market needs at least {MIN_PROVIDERS} providers"));
    }
    let gone = sc.providers.remove(i);
    let rest: f64 = sc.providers.iter().map(|p| p.params.initial_share).sum();
    let give = gone.params.initial_share;
    let n = sc.providers.len() as f64;
    for p in &mut sc.providers {
        p.params.initial_share = if rest > 0.0 {
            p.params.initial_share * (rest + give) / rest
        } else {
            give / n
        };
    }
    // Shift every reference to a provider after `i` down by one; drop those to `i`.
    let shift = |r: ParamRef| -> Option<ParamRef> {
        match r {
            ParamRef::Provider(j, _) if j == i => None,
            ParamRef::Provider(j, k) if j > i => Some(ParamRef::Provider(j - 1, k)),
            other => Some(other),
        }
    };
    sc.keyframes.retain_mut(|k| match shift(k.target) {
        Some(t) => {
            k.target = t;
            true
        }
        None => false,
    });
    sc.uncertainty.retain_mut(|u| match shift(u.target) {
        Some(t) => {
            u.target = t;
            true
        }
        None => false,
    });
    let mut named = 0;
    let mention = format!("{{{}.", gone.id);
    for b in &mut sc.story {
        b.levers.retain_mut(|(r, _)| match shift(*r) {
            Some(t) => {
                *r = t;
                true
            }
            None => false,
        });
        if b.focus == i {
            b.focus = 0;
        } else if b.focus > i {
            b.focus -= 1;
        }
        if b.narration.contains(&mention) || b.narration.contains(&format!("{{if {}.", gone.id)) {
            named += 1;
        }
    }
    Ok(named)
}
