//! Colours of highlighted code made readable: WCAG AA contrast against the block's background.
//!
//! Syntax themes were drawn for editors, not for pages that must pass an accessibility check: the
//! default, InspiredGitHub, writes comments in `#969896` on white (2.9:1) and several token colours
//! between 3:1 and 4.2:1, where WCAG AA asks 4.5:1 for text. Each colour that falls short is moved
//! towards black (on a light background) or white (on a dark one) in small steps, keeping its hue,
//! until it reaches 4.5:1; colours that already do are left exactly as the theme has them.

use syntect::highlighting::Color;

/// The contrast WCAG AA asks of normal-size text.
pub const AA: f64 = 4.5;

/// `fg` (composited over `bg` when translucent) moved just far enough towards black or white to reach
/// [`AA`] against `bg`.
pub fn readable(fg: Color, bg: Color) -> Color {
    let fg = over(fg, bg);
    if contrast(fg, bg) >= AA {
        return fg;
    }
    let target = if luminance(bg) > 0.18 { 0.0 } else { 255.0 };
    let mix = |c: u8, t: f64| (f64::from(c) + (target - f64::from(c)) * t).round() as u8;
    (1..=50)
        .map(|step| f64::from(step) / 50.0)
        .map(|t| Color {
            r: mix(fg.r, t),
            g: mix(fg.g, t),
            b: mix(fg.b, t),
            a: 255,
        })
        .find(|c| contrast(*c, bg) >= AA)
        .unwrap_or(fg)
}

/// `fg` drawn over the opaque `bg`.
fn over(fg: Color, bg: Color) -> Color {
    let a = f64::from(fg.a) / 255.0;
    let mix = |f: u8, b: u8| (f64::from(f) * a + f64::from(b) * (1.0 - a)).round() as u8;
    Color {
        r: mix(fg.r, bg.r),
        g: mix(fg.g, bg.g),
        b: mix(fg.b, bg.b),
        a: 255,
    }
}

/// The WCAG contrast ratio of two opaque colours, from 1 to 21.
pub fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// WCAG relative luminance.
fn luminance(c: Color) -> f64 {
    let channel = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.039_28 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb(r: u8, g: u8, b: u8) -> Color {
        Color { r, g, b, a: 255 }
    }

    #[test]
    fn short_colours_reach_aa_and_good_ones_stay() {
        let white = rgb(255, 255, 255);
        let black = rgb(0, 0, 0);
        let grey = rgb(0x96, 0x98, 0x96);
        assert!((contrast(grey, white) - 2.9).abs() < 0.1);
        let fixed = readable(grey, white);
        assert!(contrast(fixed, white) >= AA);
        assert!(contrast(fixed, white) < AA + 0.5, "no darker than needed");
        let navy = rgb(0x18, 0x36, 0x91);
        assert_eq!(readable(navy, white), navy);
        let dim = rgb(0x40, 0x40, 0x40);
        assert!(contrast(readable(dim, black), black) >= AA);
        assert!(
            luminance(readable(dim, black)) > luminance(dim),
            "lightened on dark"
        );
    }

    #[test]
    fn a_translucent_colour_is_judged_as_drawn() {
        let half_black = Color {
            r: 0,
            g: 0,
            b: 0,
            a: 128,
        };
        let fixed = readable(half_black, rgb(255, 255, 255));
        assert_eq!(fixed.a, 255);
        assert!(contrast(fixed, rgb(255, 255, 255)) >= AA);
    }
}
