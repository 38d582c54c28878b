//! Keeps `docs/MODEL.md` in step with the code.
//!
//! The document's parameter tables must list every market and provider
//! parameter, with the unit and allowed range from `src/sim/params.rs` and the
//! default from the built-in default scenario (`assets/scenarios/default.ron`).
//! The hardware table must match the scenario's hardware generations.
//! Change a default, a range or a unit without updating the document, and a
//! test here fails and names the row.
//!
//! Table rows look like this (cells separated by `|`):
//!
//! ```text
//! | Key | Unit | Range | Default | Meaning | Source of the default |
//! | `market.price_elasticity` | — | 0 to 3 | 0.7 | … | … |
//!
//! | Key | Unit | Range | hyper | eco | lab | neo | open | Source of the defaults |
//! | `providers.<id>.markup` | share of cost | 0 to 50 | 1 | 1.2 | 0.6 | 0.5 | 0.15 | … |
//! ```

use cloudstrat::document::presets::default_scenario;
use cloudstrat::sim::{MarketKey, ParamSpec, ProviderKey};

const DOC: &str = include_str!("../../docs/MODEL.md");

/// The cells of a Markdown table row, trimmed, without the outer pipes.
fn cells(line: &str) -> Vec<&str> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(str::trim).collect()
}

/// The cells of the table row whose first cell is `` `key` ``.
fn row(key: &str) -> Vec<&'static str> {
    let first = format!("`{key}`");
    let rows: Vec<Vec<&str>> = DOC
        .lines()
        .filter(|l| l.trim_start().starts_with('|'))
        .map(cells)
        .filter(|c| c.first() == Some(&first.as_str()))
        .collect();
    assert_eq!(rows.len(), 1, "MODEL.md needs exactly one table row for {key}");
    rows.into_iter().next().unwrap_or_default()
}

/// The header cells of the table whose first column is `first` and which has
/// every one of `columns`.
fn header(first: &str, columns: &[&str]) -> Vec<&'static str> {
    DOC.lines()
        .map(cells)
        .find(|c| c.first() == Some(&first) && columns.iter().all(|col| c.contains(col)))
        .unwrap_or_else(|| panic!("MODEL.md has no table header `| {first} |` with {columns:?}"))
}

fn column(header: &[&str], name: &str) -> usize {
    header
        .iter()
        .position(|c| *c == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// A number as written in the document: `720000000`, `7.2e8` or `720,000,000`.
fn number(text: &str, what: &str) -> f64 {
    let clean: String = text.chars().filter(|c| !matches!(c, ',' | '_' | ' ')).collect();
    clean
        .parse()
        .unwrap_or_else(|_| panic!("{what}: `{text}` in MODEL.md is not a number"))
}

fn same(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// Checks the unit and range cells of a parameter row against its spec.
fn check_spec(key: &str, spec: ParamSpec, unit: &str, range: &str) {
    let want_unit = if spec.unit.label().is_empty() {
        "—"
    } else {
        spec.unit.label()
    };
    assert_eq!(unit, want_unit, "unit of {key} in MODEL.md");
    let (lo, hi) = range
        .split_once(" to ")
        .unwrap_or_else(|| panic!("range of {key} in MODEL.md should read `min to max`, found `{range}`"));
    assert!(
        same(number(lo, key), spec.min) && same(number(hi, key), spec.max),
        "range of {key}: MODEL.md says `{range}`, params.rs says {} to {}",
        spec.min,
        spec.max
    );
}

#[test]
fn every_market_parameter_is_documented_with_its_default() {
    let sc = default_scenario();
    let head = header("Key", &["Unit", "Range", "Default"]);
    let (unit, range, default) = (column(&head, "Unit"), column(&head, "Range"), column(&head, "Default"));
    for &k in MarketKey::ALL {
        let key = format!("market.{}", k.name());
        let row = row(&key);
        check_spec(&key, k.spec(), row[unit], row[range]);
        let doc = number(row[default], &key);
        let code = sc.market.get(k);
        assert!(
            same(doc, code),
            "default of {key}: MODEL.md says {doc}, default.ron says {code}"
        );
    }
}

#[test]
fn every_provider_parameter_is_documented_with_each_providers_default() {
    let sc = default_scenario();
    let ids: Vec<&str> = sc.providers.iter().map(|p| p.id.as_str()).collect();
    let mut wanted = vec!["Unit", "Range"];
    wanted.extend(&ids);
    let head = header("Key", &wanted);
    let (unit, range) = (column(&head, "Unit"), column(&head, "Range"));
    for &k in ProviderKey::ALL {
        let key = format!("providers.<id>.{}", k.name());
        let row = row(&key);
        check_spec(&key, k.spec(), row[unit], row[range]);
        for p in &sc.providers {
            let doc = number(row[column(&head, &p.id)], &key);
            let code = p.params.get(k);
            assert!(
                same(doc, code),
                "default of providers.{}.{}: MODEL.md says {doc}, default.ron says {code}",
                p.id,
                k.name()
            );
        }
    }
}

#[test]
fn every_hardware_generation_is_documented() {
    let sc = default_scenario();
    let head = header(
        "Generation",
        &["Available", "TB/s", "HBM GB", "TFLOPs", "kW", "Build cost USD"],
    );
    for g in &sc.hardware {
        let row = row(&g.name);
        assert_eq!(
            row[column(&head, "Available")],
            g.available,
            "availability of {}",
            g.name
        );
        for (col, value) in [
            ("TB/s", g.bandwidth_tb_s),
            ("HBM GB", g.hbm_gb),
            ("TFLOPs", g.tflops),
            ("kW", g.power_kw),
            ("Build cost USD", g.build_cost_usd),
        ] {
            let doc = number(row[column(&head, col)], &g.name);
            assert!(
                same(doc, value),
                "{col} of {}: MODEL.md says {doc}, default.ron says {value}",
                g.name
            );
        }
    }
}

#[test]
fn the_document_names_the_providers_and_the_mechanism_sections() {
    let sc = default_scenario();
    for p in &sc.providers {
        assert!(
            DOC.contains(&format!("`{}`", p.id)),
            "MODEL.md does not name provider {}",
            p.id
        );
    }
    for s in 1..=10 {
        assert!(
            DOC.contains(&format!("## §{s} ")),
            "MODEL.md has no section heading §{s}"
        );
    }
}

#[test]
fn the_lever_ranges_section_gives_the_code_s_ranges() {
    use cloudstrat::sim::levers::LEVER_RANGES;
    let section = DOC
        .split("\n## Lever ranges\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("MODEL.md has a `## Lever ranges` section");
    for lever in LEVER_RANGES {
        let row: Vec<&str> = section
            .lines()
            .map(cells)
            .find(|c| c.get(1).is_some_and(|k| k.ends_with(&format!(".{}`", lever.key))))
            .unwrap_or_else(|| panic!("Lever ranges has no row for {}", lever.key));
        let (lo, hi) = row[2].split_once(" to ").expect("range reads `min to max`");
        assert!(
            same(number(lo, lever.key), lever.min) && same(number(hi, lever.key), lever.max),
            "{}: MODEL.md says {}, src/sim/levers.rs {} to {}",
            lever.key,
            row[2],
            lever.min,
            lever.max
        );
        assert!(!row[3].is_empty(), "{} needs a source", lever.key);
    }
}

/// The chains of key steps "Lever ranges" gives as examples are the ones the
/// dashboard's `←`/`→` make (a step's size between two round values).
#[test]
fn the_documented_key_steps_are_the_dashboards() {
    use cloudstrat::sim::ParamRef;
    use cloudstrat::ui::Step;
    use cloudstrat::ui::scale::Scale;
    let para: String = DOC
        .split("\n\n")
        .find(|p| p.contains("Key steps land on round values"))
        .expect("the key steps paragraph")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let chains: [(ParamRef, &str, &[f64], Step); 3] = [
        (
            ParamRef::self_chip_volume(0),
            "15 → 16 → 17",
            &[15.0, 16.0, 17.0],
            Step::Up,
        ),
        (
            ParamRef::self_chip_volume(0),
            "40 → 45 → 50 → 60",
            &[40.0, 45.0, 50.0, 60.0],
            Step::Up,
        ),
        (
            ParamRef::CEILING,
            "$60 → $50 → $45 → $40",
            &[60.0, 50.0, 45.0, 40.0],
            Step::Down,
        ),
    ];
    for (r, text, values, step) in chains {
        assert!(para.contains(text), "the paragraph gives {text}: {para}");
        let scale = Scale::for_spec(&r.spec());
        for w in values.windows(2) {
            assert_eq!(scale.step(w[0], step), w[1], "{text}");
        }
    }
    assert!(!para.contains("two significant digits"), "{para}");
}
