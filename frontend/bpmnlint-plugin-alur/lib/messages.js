"use strict";
// What the alur/* rules say, in Bahasa Indonesia (the default) and English: the same
// sentences the server gives for the same rule (webapp/modeler/problems.py), so that the
// problems list reads alike before and after a deploy is tried.

const { localNameOf, readProperties } = require("./model");
const { pyStrip, FUNCTION_NAMES } = require("./expressions");

const LOCALES = ["id", "en"];
const STEP_IN_NAME = /^\s*\d+[a-z]?[.)]\s+/;
const LONG = 80;

const NOUNS = {
  userTask: ["Tugas “{name}”", "Task “{name}”"],
  manualTask: ["Tugas “{name}”", "Task “{name}”"],
  scriptTask: ["Tugas “{name}”", "Task “{name}”"],
  task: ["Tugas “{name}”", "Task “{name}”"],
  lane: ["Lajur “{name}”", "Lane “{name}”"],
  sequenceFlow: ["Alur “{name}”", "Flow “{name}”"],
  callActivity: ["Pemanggilan proses “{name}”", "Call activity “{name}”"],
  subProcess: ["Subproses “{name}”", "Subprocess “{name}”"],
  process: ["Proses “{name}”", "Process “{name}”"],
  participant: ["Kolam “{name}”", "Pool “{name}”"],
  definitions: ["Diagram “{name}”", "Diagram “{name}”"],
};
const NOUN_BY_SUFFIX = [
  ["Gateway", ["Gerbang “{name}”", "Gateway “{name}”"]],
  ["Event", ["Peristiwa “{name}”", "Event “{name}”"]],
  ["Task", ["Tugas “{name}”", "Task “{name}”"]],
];
const ELEMENT = ["Elemen “{name}”", "Element “{name}”"];
const STEP = ["Langkah {step} “{name}”", "Step {step} “{name}”"];
const NO_ELEMENT = ["Diagram", "The diagram"];

const TEMPLATES = {
  "user-task-form/missing": [
    "{element} belum memiliki formulir: pilih formulirnya (form_key) di panel properti.",
    "{element} has no form: choose its form (form_key) in the properties panel."],
  "user-task-form/unknown": [
    "{element} memakai formulir “{form}” yang tidak ada: pilih formulir lain atau buat formulir itu.",
    "{element} uses the form “{form}”, which does not exist: choose another form or create it."],
  "user-task-lane/no_lane": [
    "{element} tidak berada di lajur mana pun: pindahkan ke lajur orang yang mengerjakannya.",
    "{element} is not in a lane: move it into the lane of the people who do it."],
  "user-task-lane/no_role": [
    "{element} berada di lajur “{lane}” yang belum memiliki peran: tetapkan peran lajur itu.",
    "{element} is in the lane “{lane}”, which has no role: give the lane a role."],
  "lane-role/no_name": [
    "{element} belum bernama: beri nama lajur itu.",
    "{element} has no name: name the lane."],
  "lane-role/no_role": [
    "{element} belum memiliki peran: pilih peran orang yang bekerja di lajur itu.",
    "{element} has no role: choose the role of the people who work in it."],
  "lane-role/unknown_role": [
    "{element} memiliki peran “{role}” yang tidak dikenal: pilih salah satu peran yang tersedia.",
    "{element} has the role “{role}”, which is not known: choose one of the roles offered."],
  "lane-role/conflict": [
    "{element}: lajur-lajur dengan nama ini memiliki peran berbeda ({roles}): samakan perannya "
      + "atau ganti nama salah satunya.",
    "{element}: lanes with this name have different roles ({roles}): give them the same role "
      + "or rename one."],
  "no-script/script_task": [
    "{element} adalah tugas skrip: skrip tidak diizinkan; gunakan tugas pengguna.",
    "{element} is a script task: scripts are not allowed; use a user task instead."],
  "no-script/extension": [
    "{element} memuat skrip ({script}): skrip tidak diizinkan; hapus skrip itu.",
    "{element} carries a script ({script}): scripts are not allowed; remove it."],
  "gateway-conditions/bare_flows": [
    "{element}: beri setiap alur keluar sebuah kondisi, atau jadikan salah satunya alur bawaan "
      + "(saat ini tanpa kondisi: {flow_names}).",
    "{element}: give every outgoing flow a condition, or make one of them the default flow "
      + "(without a condition now: {flow_names})."],
  "expression-grammar/refused": [
    "{element}: ungkapan “{expression}” tidak dapat dipakai di sini ({reason}).",
    "{element}: the expression “{expression}” cannot be used here ({reason})."],
  "sop-step-unique/duplicate": [
    "{element} memakai nomor langkah {step}, sama dengan {other_names}: beri setiap langkah "
      + "nomornya sendiri.",
    "{element} has step number {step}, as does {other_names}: give each step its own number."],
  "sop-step-present/missing": [
    "{element} belum memiliki nomor langkah SOP (sop_step): isi nomornya.",
    "{element} has no SOP step number (sop_step): fill it in."],
  "waktu-positive/missing": [
    "{element} belum memiliki waktu (waktu_hari_kerja): isi jumlah hari kerja, paling sedikit 1.",
    "{element} has no time (waktu_hari_kerja): fill in the number of working days, 1 or more."],
  "waktu-positive/invalid": [
    "{element}: waktu (waktu_hari_kerja) harus bilangan bulat hari kerja, paling sedikit 1, "
      + "bukan “{value}”.",
    "{element}: the time (waktu_hari_kerja) must be a whole number of working days, 1 or "
      + "more, not “{value}”."],
};

// Why an expression is refused (expressions.js codes), said as the server says it.
const REASONS = {
  not_text: ["ungkapan harus berupa teks", "expression must be text"],
  empty: ["ungkapan kosong", "expression is empty"],
  too_long: ["ungkapan lebih panjang dari {max} karakter",
    "expression is longer than {max} characters"],
  too_many_parts: ["ungkapan memiliki lebih dari {max} bagian",
    "expression has more than {max} parts"],
  syntax: ["susunannya tidak dapat dibaca di kolom {column}: {detail}; yang dibaca di sini "
      + "adalah ungkapan mirip Python yang dibatasi atas data proses, mis. keputusan == \"setuju\"",
    "syntax error: {detail} (column {column}); expressions here are restricted Python-like "
      + "expressions over the process data, e.g. keputusan == \"setuju\""],
  foreign_language: ["ini tampaknya {language}, yang tidak dibaca di sini; yang dibaca adalah "
      + "ungkapan mirip Python yang dibatasi atas data proses, mis. keputusan == \"setuju\"",
    "this looks like {language}, which is not read here: expressions here are restricted "
      + "Python-like expressions over the process data, e.g. keputusan == \"setuju\""],
  forbidden: ["{what} tidak diizinkan", "{what} is not allowed"],
  operator: ["operator '{operator}' tidak diizinkan", "operator '{operator}' is not allowed"],
  node_not_allowed: ["'{kind}' tidak diizinkan dalam ungkapan",
    "'{kind}' is not allowed in expressions"],
  underscore_name: ["nama yang diawali '_' tidak diizinkan",
    "names starting with '_' are not allowed"],
  dunder_name: ["nama yang memuat '__' tidak diizinkan", "names containing '__' are not allowed"],
  literal_type: ["nilai bertipe {type} tidak diizinkan", "literals of type {type} are not allowed"],
  call_not_by_name: ["hanya fungsi dari daftar yang diizinkan yang boleh dipanggil, dengan namanya",
    "only functions from the allowlist may be called, by name"],
  call_not_allowed: ["fungsi '{name}' tidak boleh dipanggil (yang boleh: {functions})",
    "function call '{name}' is not allowed (allowed: {functions})"],
  kwargs_unpacking: ["pembongkaran argumen kata kunci (**) tidak diizinkan",
    "keyword argument unpacking (**) is not allowed"],
  keyword_not_allowed: ["argumen kata kunci '{name}' tidak diizinkan",
    "keyword argument '{name}' is not allowed"],
  dict_unpacking: ["pembongkaran dict (**) tidak diizinkan", "dict unpacking (**) is not allowed"],
  slice_step: ["langkah irisan (a[::n]) tidak diizinkan", "slice steps are not allowed"],
};
const FORBIDDEN_WHAT = {
  attribute: ["akses atribut (titik)", "attribute access"],
  lambda: ["lambda", "lambda"],
  fstring: ["f-string", "f-strings"],
  walrus: ["ungkapan penugasan (:=)", "assignment expressions (:=)"],
  starred: ["argumen berbintang (*)", "starred arguments (*)"],
  comprehension: ["comprehension (for ... in ...)", "comprehensions"],
};
const LANGUAGES = {
  feel: ["ungkapan FEEL (Camunda 8/Zeebe: '=...')", "a FEEL expression (Camunda 8/Zeebe: '=...')"],
  juel: ["ungkapan JUEL/EL (Camunda 7, Activiti, Flowable: '${...}')",
    "a JUEL/EL expression (Camunda 7, Activiti, Flowable: '${...}')"],
};
// Python's syntax error details, the usual ones in Indonesian; others stay as Python says.
const SYNTAX_DETAILS = [
  [/^invalid syntax$/, "susunan tidak sah"],
  [/^unterminated (triple-quoted )?string literal$/, "teks tidak ditutup dengan tanda kutip"],
  [/^'(.)' was never closed$/, "kurung '$1' tidak pernah ditutup"],
  [/^unmatched '(.)'$/, "kurung '$1' tidak berpasangan"],
  [/^closing parenthesis '(.)' does not match opening parenthesis '(.)'$/,
    "kurung tutup '$1' tidak cocok dengan kurung buka '$2'"],
  [/^invalid character '(.+)' \((U\+[0-9A-F]+)\)$/, "karakter '$1' ($2) tidak sah"],
  [/^invalid non-printable character (U\+[0-9A-F]+)$/, "karakter tak tercetak $1 tidak sah"],
  [/^unexpected indent$/, "indentasi tidak terduga"],
  [/^too many nested parentheses$/, "terlalu banyak kurung bersarang"],
  [/^invalid (decimal|hexadecimal|octal|binary|imaginary) literal$/, "penulisan angka tidak sah"],
  [/^leading zeros in decimal integer literals are not permitted/, "angka tidak boleh diawali nol"],
];

function pick(pair, locale) {
  return pair[LOCALES.indexOf(locale) > 0 ? 1 : 0];
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
}

/** A param as the sentence shows it: lists joined, a long expression or value cut short
 * (a reason is a sentence of ours and is shown whole). */
function shown(value, key) {
  if (Array.isArray(value)) return value.map(String).join(", ");
  const text = value === null || value === undefined ? "" : String(value);
  return text.length <= LONG || key === "reason" ? text : `${text.slice(0, LONG - 1)}…`;
}

/** The element as a reader finds it: "Langkah 6 “Menyetujui …”", "Lajur “Kepala UKPBJ”". */
function elementLabel(element, locale) {
  if (!element || !element.id) return pick(NO_ELEMENT, locale);
  const kind = localNameOf(element);
  const name = pyStrip(element.name || "");
  const step = kind === "userTask" ? pyStrip(readProperties(element).sop_step || "") : "";
  if (step) return fill(pick(STEP, locale), { step, name: name.replace(STEP_IN_NAME, "") || element.id });
  let noun = NOUNS[kind];
  if (!noun) noun = (NOUN_BY_SUFFIX.find(([suffix]) => kind.endsWith(suffix)) || [null, ELEMENT])[1];
  return fill(pick(noun, locale), { name: name || element.id });
}

/** The sentence for `rule/case` (rule without "alur/") about `element`. */
function ruleMessage(key, element, params, locale) {
  const values = {};
  for (const [name, value] of Object.entries(params)) values[name] = shown(value, name);
  values.element = elementLabel(element, locale);
  return fill(pick(TEMPLATES[key], locale), values);
}

/** Why an expression is refused, from an expressions.js problem {code, params}. */
function expressionReason(found, locale) {
  const params = { ...found.params };
  if (found.code === "forbidden") params.what = pick(FORBIDDEN_WHAT[params.what], locale);
  if (found.code === "foreign_language") params.language = pick(LANGUAGES[params.language], locale);
  if (found.code === "call_not_allowed") {
    params.functions = [...FUNCTION_NAMES].join(", ");
  }
  if (found.code === "syntax" && pick(LOCALES, locale) === "id") {
    const known = SYNTAX_DETAILS.find(([pattern]) => pattern.test(params.detail));
    if (known) params.detail = params.detail.replace(known[0], known[1]);
  }
  return fill(pick(REASONS[found.code], locale), params);
}

module.exports = { elementLabel, ruleMessage, expressionReason, TEMPLATES, REASONS, LOCALES };
