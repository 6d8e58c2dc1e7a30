// The settings forms, built from the library's table (src/settings.rs, written by the build to
// pkg/tables.js): each setting's field, label, tooltip, bounds and default come from there, so
// no default or range is written in the page. This module reads and checks the forms and maps
// them to the link's keys; only it and ui code touch the forms' fields.
import { LENGTHS, MODELS, PRESETS, SETTINGS as TABLE } from './pkg/tables.js';

/** The words that name a section's settings in a message ("FlowAE epochs must be …"): a model's
 * label (the library's), none for the autoencoder's. */
const SECTION_WORDS = { ...Object.fromEntries(MODELS.map((m) => [m.name, m.label])), autoencoder: '', map: 'Map', plane: 'The 2-D lab\'s' };

/** Every setting the page shows, in the table's order. */
export const SETTINGS = TABLE.filter((s) => s.onPage);

const formOf = (section) => document.querySelector(`form[data-section="${section}"]`);
const fieldOf = (setting) => formOf(setting.section)?.elements[setting.name];

/** The text a field shows for `value`. */
const shown = (value) => String(value);

/** Fills each `form[data-section]` with its section's fields, at their defaults. */
export function buildForms() {
  for (const setting of SETTINGS) {
    const form = formOf(setting.section);
    if (!form) continue;
    const label = document.createElement('label');
    label.title = setting.help;
    label.append(`${setting.label} `);
    let field;
    if (setting.choices.length > 0) {
      field = document.createElement('select');
      for (const [value, words] of setting.choices) {
        const isDefault = value === shown(setting.default);
        field.append(new Option(words, value, isDefault, isDefault));
      }
    } else {
      field = document.createElement('input');
      field.type = 'number';
      field.min = shown(setting.min);
      field.max = shown(setting.max);
      field.step = setting.kind === 'whole' ? '1' : 'any';
      field.defaultValue = shown(setting.default);
    }
    field.name = setting.name;
    label.append(field);
    // The help line in sight, not only as a tooltip (none on a touch screen): "Penalty weight
    // λ" means little without "gradient penalty weight (WGAN-GP only)".
    if (setting.help.toLowerCase() !== setting.label.toLowerCase()) {
      const help = document.createElement('small');
      help.className = 'help';
      help.id = `${setting.section}-${setting.name}-help`;
      help.textContent = setting.help;
      field.setAttribute('aria-describedby', help.id);
      label.append(help);
    }
    form.append(label);
  }
}

/** Fills `select` with the presets, the default chosen. */
export function buildPresets(select) {
  for (const preset of PRESETS) {
    const isDefault = preset.default;
    select.append(new Option(preset.label, preset.name, isDefault, isDefault));
  }
}

/** Fills `select` with the run lengths (src/length.rs), the one `which` marks ('page' or
 * 'table') chosen. */
export function buildLengths(select, which) {
  for (const length of LENGTHS) select.append(new Option(length.label, length.name, length[which], length[which]));
}

/** The sentence that says what `name` is and how it differs from the other preset. */
export const presetExplained = (name) => PRESETS.find((p) => p.name === name)?.explained ?? '';

/** The run length the page opens with (src/length.rs's PAGE). */
export const PAGE_LENGTH = LENGTHS.find((l) => l.page).name;

/** The preset and the run length whose values the forms' defaults are now. */
const current = { preset: PRESETS.find((p) => p.default).name, length: PAGE_LENGTH };

/** A setting's value under a preset and a run length (the library's, through tables.js). */
const valueUnder = (setting, preset, length) => setting.defaults[preset]?.[length];

/**
 * Makes `preset` and `length` (either left as it is when not given) the forms' defaults: each
 * setting whose value differs between the old and the new takes the new value, which also
 * becomes its default (so a link carries only what differs from them). Settings whose value
 * does not change keep what the visitor set.
 */
export function applyDefaults({ preset = current.preset, length = current.length }) {
  for (const setting of SETTINGS) {
    const before = valueUnder(setting, current.preset, current.length);
    const after = valueUnder(setting, preset, length);
    if (after === undefined || shown(before) === shown(after)) continue;
    const el = fieldOf(setting);
    if (!el) continue;
    const value = shown(after);
    if (el.tagName === 'SELECT') for (const option of el.options) option.defaultSelected = option.value === value;
    else el.defaultValue = value;
    el.value = value;
  }
  Object.assign(current, { preset, length });
}

/** The settings of `section` a run length decides (the digits, the epochs): those whose value
 * differs between the lengths under the forms' preset. */
const governed = (section) => SETTINGS.filter((s) => s.section === section
  && new Set(LENGTHS.map((l) => shown(valueUnder(s, current.preset, l.name)))).size > 1);

/** `config` with what `length` decides for each of `sections`, in order, under the forms'
 * preset: what Compare all trains, whatever length the forms are at. A baseline's sections are
 * the autoencoder's then its own (the autoencoder's digits, its own epochs); everything else in
 * `config` stays as it is. */
export function atLength(config, length, sections) {
  const at = structuredClone(config);
  for (const section of sections) {
    for (const setting of governed(section)) place(at, setting.path, valueUnder(setting, current.preset, length));
  }
  return at;
}

/** A field's value when the page opens without a link. */
export function defaultOf(el) {
  return el.tagName === 'SELECT'
    ? ([...el.options].find((o) => o.defaultSelected) ?? el.options[0])?.value
    : el.defaultValue;
}

/** The name of a setting in a message: its label, after its section's name but for the autoencoder's. */
function nameOf(setting) {
  const words = SECTION_WORDS[setting.section];
  return words ? `${words} ${setting.label[0].toLowerCase()}${setting.label.slice(1)}` : setting.label;
}

/**
 * Reads a number field against the setting's bounds; marks it invalid and adds a sentence to
 * `problems` when it is empty, not a number, not whole where it must be, or out of range.
 */
function checkNumber(el, setting, problems) {
  const text = el.value.trim();
  const value = Number(text);
  const whole = setting.kind === 'whole';
  const bad = text === '' || !Number.isFinite(value) || (whole && !Number.isInteger(value)) ||
    value < setting.min || value > setting.max;
  el.setAttribute('aria-invalid', bad ? 'true' : 'false');
  if (bad) {
    problems.push(`${nameOf(setting)} must be ${whole ? 'a whole number' : 'a number'} from ${setting.min} to ${setting.max}${text === '' ? '' : `, not "${text}"`}.`);
  }
  return value;
}

/** Sets `value` at the dot-separated `path` of `object`. */
function place(object, path, value) {
  const parts = path.split('.');
  let at = object;
  for (const part of parts.slice(0, -1)) at = at[part] ??= {};
  at[parts.at(-1)] = value;
}

/**
 * Reads and checks one section's form: the config the library takes (each value at its path),
 * and a sentence per bad field (each also marked invalid).
 */
export function readSection(section) {
  const config = {};
  const problems = [];
  for (const setting of SETTINGS.filter((s) => s.section === section)) {
    const el = fieldOf(setting);
    if (!el) continue;
    let value;
    if (setting.kind === 'choice') value = el.value;
    else if (el.tagName === 'SELECT') value = Number(el.value);
    else value = checkNumber(el, setting, problems);
    place(config, setting.path, value);
  }
  return { config, problems };
}

/** Every setting a link can carry, as [key, field]: `epochs`, `flow.learning_rate`, … */
export function linkFields() {
  return SETTINGS.map((s) => [s.key, fieldOf(s)]).filter(([, el]) => el);
}
