//! The light theme's colours, read from the stylesheet's `:root` block at build time
//! (`build.rs`), so the page, the SVG exports and the command line's charts share one list.
//! The canvases read the theme in force from the page's CSS custom properties and fall back
//! to these.

include!(concat!(env!("OUT_DIR"), "/light_palette.rs"));

/// The light theme's value of the custom property `name` (`"--ink"`), if the stylesheet sets
/// one as `#rrggbb`.
pub fn light(name: &str) -> Option<(u8, u8, u8)> {
    LIGHT.iter().find(|(n, _)| *n == name).map(|&(_, rgb)| rgb)
}

/// `light(name)` as `#rrggbb`.
pub fn light_hex(name: &str) -> Option<String> {
    light(name).map(|(r, g, b)| format!("#{r:02x}{g:02x}{b:02x}"))
}
