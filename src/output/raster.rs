//! PNG charts at slide size, for tools that take no SVG (Google Slides):
//! each chart's SVG rendered by resvg at 1920×1080 and at 3840×2160 for
//! high-density screens. Text uses the system's fonts; on a machine without
//! any, the lines and shapes still render and the labels are left out.
//!
//! Pure apart from reading the installed fonts once.

use super::svg::{self, ChartOptions};
use crate::sim::{Metric, Run, Scenario};
use std::sync::{Arc, OnceLock};

/// Slide size in pixels; the second image of each chart is twice this.
pub const SLIDE: (u32, u32) = (1920, 1080);

fn fonts() -> Arc<resvg::usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = resvg::usvg::fontdb::Database::new();
            db.load_system_fonts();
            Arc::new(db)
        })
        .clone()
}

/// `svg` drawn at `width`×`height` pixels, as PNG bytes.
pub fn render_png(svg: &str, width: u32, height: u32) -> Result<Vec<u8>, String> {
    let opt = resvg::usvg::Options {
        fontdb: fonts(),
        ..Default::default()
    };
    let tree = resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| e.to_string())?;
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(width, height).ok_or_else(|| format!("cannot make a {width}×{height} image"))?;
    let size = tree.size();
    let t = resvg::tiny_skia::Transform::from_scale(width as f32 / size.width(), height as f32 / size.height());
    resvg::render(&tree, t, &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| e.to_string())
}

/// Every chart as `NAME.png` (1920×1080) and `NAME@2x.png` (3840×2160).
pub fn pngs(sc: &Scenario, run: &Run, opt: &ChartOptions) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for kind in Metric::ALL {
        let svg = svg::chart(sc, run, kind, opt);
        for (suffix, scale) in [("", 1), ("@2x", 2)] {
            let (w, h) = (SLIDE.0 * scale, SLIDE.1 * scale);
            match render_png(&svg, w, h) {
                Ok(png) => out.push((format!("{}{suffix}.png", kind.name()), png)),
                Err(e) => out.push((
                    format!("{}{suffix}.txt", kind.name()),
                    format!("could not render: {e}\n").into_bytes(),
                )),
            }
        }
    }
    out
}
