/**
 * The diverging colour map of the explanation pictures (internal): Paul Tol's "BuRd" scheme
 * (P. Tol, "Colour Schemes", SRON technical note SRON/EPS/TN/09-002, https://personal.sron.nl/~pault/),
 * which stays readable with the common forms of colour blindness. Blue is negative, red positive, and the neutral off-white #F7F7F7 is exactly 0. As in Tol's
 * `tol_colors.py`, the continuous map interpolates linearly between the nine colours.
 */

/** Tol's nine BuRd colours, from the most negative to the most positive; index 4 is the neutral centre. */
export const BU_RD: readonly string[] = ['#2166AC', '#4393C3', '#92C5DE', '#D1E5F0', '#F7F7F7', '#FDDBC7', '#F4A582', '#D6604D', '#B2182B'];

/** The colour of 0. */
export const NEUTRAL = BU_RD[4] as string;
/** The colour of the most negative value (bars of negative attributions). */
export const NEGATIVE = BU_RD[0] as string;
/** The colour of the most positive value (bars of positive attributions). */
export const POSITIVE = BU_RD[8] as string;

const RGB = BU_RD.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));

function hex2(v: number): string {
  return Math.round(v).toString(16).toUpperCase().padStart(2, '0');
}

/**
 * The colour of `value` on a scale from `-bound` (darkest blue) through 0 (the neutral
 * #F7F7F7) to `+bound` (darkest red); values beyond ±bound take the end colours.
 */
export function divergingColor(value: number, bound: number): string {
  const t = Math.max(-1, Math.min(1, value / bound));
  const position = ((t + 1) / 2) * (RGB.length - 1);
  const i = Math.min(RGB.length - 2, Math.floor(position));
  const f = position - i;
  const [a, b] = [RGB[i] as number[], RGB[i + 1] as number[]];
  return `#${a.map((c, k) => hex2(c + f * ((b[k] as number) - c))).join('')}`;
}
