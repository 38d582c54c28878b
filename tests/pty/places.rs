//! End to end: the config file read from the session's own home (a broken one
//! said in the status line, the dashboard on its defaults), and colours in 24
//! bits only when `COLORTERM` announces them.

use crate::common::Launch;

/// A colour the dark theme and the default providers use: is it drawn as RGB or from the palette?
fn colours(screen: &vt100::Screen) -> (usize, usize) {
    let (rows, cols) = screen.size();
    let (mut rgb, mut indexed) = (0, 0);
    for r in 0..rows.get() {
        for c in 0..cols.get() {
            if let Some(cell) = screen.cell(r, c) {
                match cell.fgcolor() {
                    vt100::Color::Rgb(..) => rgb += 1,
                    vt100::Color::Idx(i) if i >= 16 => indexed += 1,
                    _ => {}
                }
            }
        }
    }
    (rgb, indexed)
}

#[test]
fn without_truecolor_the_providers_are_drawn_from_the_256_colour_palette() {
    let mut s = Launch::new(24, 80).env_remove("COLORTERM").start();
    s.wait_text("League table at 2023 Q1");
    let (rgb, indexed) = colours(s.parser.screen());
    assert_eq!(rgb, 0, "no 24-bit colour");
    assert!(indexed > 20, "palette colours: {indexed}");
    s.send("q");
    assert!(s.wait_exit().success());
    let mut s = Launch::new(24, 80).envs(&[("COLORTERM", "truecolor")]).start();
    s.wait_text("League table at 2023 Q1");
    let (rgb, _) = colours(s.parser.screen());
    assert!(rgb > 20, "24-bit colours: {rgb}");
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn a_broken_config_file_is_said_and_the_dashboard_starts_on_its_defaults() {
    let launch = Launch::new(24, 80);
    let config = launch.dir().join("home/.config/cloudstrat");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.ron"),
        "(\n  theme: \"light\",\n  scenario: no-parity,\n)\n",
    )
    .unwrap();
    let mut s = launch.start();
    // The status line: where, then what it means, in 80 columns.
    s.wait_text("~/.config/cloudstrat/config.ron:3:");
    s.wait_text("config file not used");
    s.wait_text("default [unsaved]");
    s.send("q");
    assert!(s.wait_exit().success());
}

#[test]
fn the_config_file_opens_its_scenario() {
    let launch = Launch::new(24, 80);
    let config = launch.dir().join("home/.config/cloudstrat");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.ron"), "(scenario: \"no-parity\")\n").unwrap();
    let mut s = launch.start();
    s.wait_text("no-parity [unsaved]");
    s.send("q");
    assert!(s.wait_exit().success());
}
