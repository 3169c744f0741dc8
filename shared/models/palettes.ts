import { DocumentError } from "../document/index.ts";

/** A palette: a list of CSS colors (Python's palettes are tuples of "#rrggbb" strings). */
export type Palette = readonly string[];

const colors = (hex: string): Palette => Object.freeze(hex.split(" ").map((h) => `#${h}`));

// Colour values of Bokeh's standard palettes (ColorBrewer, matplotlib's viridis, D3's category palettes).
const SIZED: Record<string, Record<number, string>> = {
  Viridis: {
    3: "440154 208F8C FDE724",
    4: "440154 30678D 35B778 FDE724",
    5: "440154 3B518A 208F8C 5BC862 FDE724",
    6: "440154 404387 29788E 22A784 79D151 FDE724",
    7: "440154 443982 30678D 208F8C 35B778 8DD644 FDE724",
    8: "440154 46317E 365A8C 277E8E 1EA087 49C16D 9DD93A FDE724",
    9: "440154 472B7A 3B518A 2C718E 208F8C 27AD80 5BC862 AADB32 FDE724",
    10: "440154 472777 3E4989 30678D 25828E 1E9C89 35B778 6BCD59 B2DD2C FDE724",
    11: "440154 482374 404387 345E8D 29788E 208F8C 22A784 42BE71 79D151 BADE27 FDE724",
  },
  Spectral: {
    3: "99d594 ffffbf fc8d59",
    4: "2b83ba abdda4 fdae61 d7191c",
    5: "2b83ba abdda4 ffffbf fdae61 d7191c",
    6: "3288bd 99d594 e6f598 fee08b fc8d59 d53e4f",
    7: "3288bd 99d594 e6f598 ffffbf fee08b fc8d59 d53e4f",
    8: "3288bd 66c2a5 abdda4 e6f598 fee08b fdae61 f46d43 d53e4f",
    9: "3288bd 66c2a5 abdda4 e6f598 ffffbf fee08b fdae61 f46d43 d53e4f",
    10: "5e4fa2 3288bd 66c2a5 abdda4 e6f598 fee08b fdae61 f46d43 d53e4f 9e0142",
    11: "5e4fa2 3288bd 66c2a5 abdda4 e6f598 ffffbf fee08b fdae61 f46d43 d53e4f 9e0142",
  },
  Blues: {
    3: "3182bd 9ecae1 deebf7",
    4: "2171b5 6baed6 bdd7e7 eff3ff",
    5: "08519c 3182bd 6baed6 bdd7e7 eff3ff",
    6: "08519c 3182bd 6baed6 9ecae1 c6dbef eff3ff",
    7: "084594 2171b5 4292c6 6baed6 9ecae1 c6dbef eff3ff",
    8: "084594 2171b5 4292c6 6baed6 9ecae1 c6dbef deebf7 f7fbff",
    9: "08306b 08519c 2171b5 4292c6 6baed6 9ecae1 c6dbef deebf7 f7fbff",
  },
  Greys: {
    3: "636363 bdbdbd f0f0f0",
    4: "525252 969696 cccccc f7f7f7",
    5: "252525 636363 969696 cccccc f7f7f7",
    6: "252525 636363 969696 bdbdbd d9d9d9 f7f7f7",
    7: "252525 525252 737373 969696 bdbdbd d9d9d9 f7f7f7",
    8: "252525 525252 737373 969696 bdbdbd d9d9d9 f0f0f0 ffffff",
    9: "000000 252525 525252 737373 969696 bdbdbd d9d9d9 f0f0f0 ffffff",
  },
};

const VIRIDIS_256 =
  "440154 440255 440357 450558 45065A 45085B 46095C 460B5E 460C5F 460E61 470F62 471163 471265 471466 471567 471669 " +
  "47186A 48196B 481A6C 481C6E 481D6F 481E70 482071 482172 482273 482374 472575 472676 472777 472878 472A79 472B7A " +
  "472C7B 462D7C 462F7C 46307D 46317E 45327F 45347F 453580 453681 443781 443982 433A83 433B83 433C84 423D84 423E85 " +
  "424085 414186 414286 404387 404487 3F4587 3F4788 3E4888 3E4989 3D4A89 3D4B89 3D4C89 3C4D8A 3C4E8A 3B508A 3B518A " +
  "3A528B 3A538B 39548B 39558B 38568B 38578C 37588C 37598C 365A8C 365B8C 355C8C 355D8C 345E8D 345F8D 33608D 33618D " +
  "32628D 32638D 31648D 31658D 31668D 30678D 30688D 2F698D 2F6A8D 2E6B8E 2E6C8E 2E6D8E 2D6E8E 2D6F8E 2C708E 2C718E " +
  "2C728E 2B738E 2B748E 2A758E 2A768E 2A778E 29788E 29798E 287A8E 287A8E 287B8E 277C8E 277D8E 277E8E 267F8E 26808E " +
  "26818E 25828E 25838D 24848D 24858D 24868D 23878D 23888D 23898D 22898D 228A8D 228B8D 218C8D 218D8C 218E8C 208F8C " +
  "20908C 20918C 1F928C 1F938B 1F948B 1F958B 1F968B 1E978A 1E988A 1E998A 1E998A 1E9A89 1E9B89 1E9C89 1E9D88 1E9E88 " +
  "1E9F88 1EA087 1FA187 1FA286 1FA386 20A485 20A585 21A685 21A784 22A784 23A883 23A982 24AA82 25AB81 26AC81 27AD80 " +
  "28AE7F 29AF7F 2AB07E 2BB17D 2CB17D 2EB27C 2FB37B 30B47A 32B57A 33B679 35B778 36B877 38B976 39B976 3BBA75 3DBB74 " +
  "3EBC73 40BD72 42BE71 44BE70 45BF6F 47C06E 49C16D 4BC26C 4DC26B 4FC369 51C468 53C567 55C666 57C665 59C764 5BC862 " +
  "5EC961 60C960 62CA5F 64CB5D 67CC5C 69CC5B 6BCD59 6DCE58 70CE56 72CF55 74D054 77D052 79D151 7CD24F 7ED24E 81D34C " +
  "83D34B 86D449 88D547 8BD546 8DD644 90D643 92D741 95D73F 97D83E 9AD83C 9DD93A 9FD938 A2DA37 A5DA35 A7DB33 AADB32 " +
  "ADDC30 AFDC2E B2DD2C B5DD2B B7DD29 BADE27 BDDE26 BFDF24 C2DF22 C5DF21 C7E01F CAE01E CDE01D CFE11C D2E11B D4E11A " +
  "D7E219 DAE218 DCE218 DFE318 E1E318 E4E318 E7E419 E9E419 ECE41A EEE51B F1E51C F3E51E F6E61F F8E621 FAE622 FDE724";
const CATEGORY10 = "1f77b4 ff7f0e 2ca02c d62728 9467bd 8c564b e377c2 7f7f7f bcbd22 17becf";
const CATEGORY20 = "1f77b4 aec7e8 ff7f0e ffbb78 2ca02c 98df8a d62728 ff9896 9467bd c5b0d5 8c564b c49c94 e377c2 f7b6d2 7f7f7f c7c7c7 bcbd22 dbdb8d 17becf 9edae5";

function build(): Map<string, Palette> {
  const out = new Map<string, Palette>();
  for (const [family, sizes] of Object.entries(SIZED)) {
    for (const [n, hex] of Object.entries(sizes)) out.set(`${family}${n}`, colors(hex));
  }
  out.set("Viridis256", colors(VIRIDIS_256));
  const greys = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0").repeat(3));
  out.set("Greys256", colors(greys.join(" ")));
  const c10 = colors(CATEGORY10);
  const c20 = colors(CATEGORY20);
  for (let n = 3; n <= 10; n++) out.set(`Category10_${n}`, Object.freeze(c10.slice(0, n)));
  for (let n = 3; n <= 20; n++) out.set(`Category20_${n}`, Object.freeze(c20.slice(0, n)));
  return out;
}

const PALETTES = build();

/**
 * The palette names plothost knows, as Python spells them: Viridis3–11 and Viridis256, Spectral3–11, Blues3–9,
 * Greys3–9 and Greys256, Category10_3–10, Category20_3–20. Other palettes: pass the colour list itself.
 */
export type PaletteName =
  | `Viridis${3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 256}`
  | `Spectral${3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11}`
  | `Blues${3 | 4 | 5 | 6 | 7 | 8 | 9}`
  | `Greys${3 | 4 | 5 | 6 | 7 | 8 | 9 | 256}`
  | `Category10_${3 | 4 | 5 | 6 | 7 | 8 | 9 | 10}`
  | `Category20_${3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20}`;

/** The named palette ("Viridis256", "Category10_6"); a list of colours is returned as is. */
export function palette(name: PaletteName | Palette): Palette {
  if (typeof name !== "string") return name;
  const found = PALETTES.get(name);
  if (found === undefined) {
    throw new DocumentError("bad_argument", `unknown palette '${name}'; known: ${[...PALETTES.keys()].join(", ")}, or pass a list of colours`);
  }
  return found;
}

/** Python's `linear_palette`: `n` colours evenly picked from `colors` (in order). */
export function linear_palette(colors: Palette, n: number): Palette {
  if (!Number.isInteger(n) || n < 0 || n > colors.length) {
    throw new DocumentError("bad_argument", `can pick 0 to ${colors.length} colours from this palette, not ${n}`);
  }
  if (n === 1) return [colors[0]];
  return Array.from({ length: n }, (_, i) => colors[Math.floor((i * (colors.length - 1)) / (n - 1))]);
}

/** Python's palette families: `Category10[6]`, `Viridis[256]`, ... */
export const Category10: Readonly<Record<number, Palette>> = family("Category10_");
export const Category20: Readonly<Record<number, Palette>> = family("Category20_");
export const Viridis: Readonly<Record<number, Palette>> = family("Viridis");
export const Spectral: Readonly<Record<number, Palette>> = family("Spectral");
export const Blues: Readonly<Record<number, Palette>> = family("Blues");
export const Greys: Readonly<Record<number, Palette>> = family("Greys");
export const Viridis256: Palette = PALETTES.get("Viridis256")!;

function family(prefix: string): Readonly<Record<number, Palette>> {
  const out: Record<number, Palette> = {};
  for (const [name, colours] of PALETTES) {
    const rest = name.slice(prefix.length);
    if (name.startsWith(prefix) && /^\d+$/.test(rest)) out[Number(rest)] = colours;
  }
  return Object.freeze(out);
}
