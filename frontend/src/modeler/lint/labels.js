// What the problems list shows for each rule, in Bahasa Indonesia (and English), and
// bpmnlint's own English messages said in Indonesian. Our alur/* rules already report in
// the configured language; bpmnlint's rules report in English and are translated here.

/** rule name -> [Indonesian, English]: a short label of what the rule asks for. */
export const RULE_LABELS = {
  "alur/user-task-form": ["Tugas pengguna memiliki formulir", "User task has a form"],
  "alur/user-task-lane": ["Tugas pengguna berada di lajur yang berperan", "User task sits in a lane with a role"],
  "alur/lane-role": ["Lajur bernama dan memiliki peran yang dikenal", "Lane has a name and a known role"],
  "alur/no-script": ["Tanpa skrip", "No scripts"],
  "alur/gateway-conditions": ["Gerbang keputusan memiliki kondisi atau alur bawaan", "Decision gateway has conditions or a default flow"],
  "alur/expression-grammar": ["Ungkapan dapat dibaca mesin", "Expression can be read by the engine"],
  "alur/sop-step-unique": ["Nomor langkah SOP tidak ganda", "SOP step numbers are unique"],
  "alur/sop-step-present": ["Tugas pengguna memiliki nomor langkah SOP", "User task has an SOP step number"],
  "alur/waktu-positive": ["Waktu berupa bilangan bulat hari kerja (1 atau lebih)", "Time is a whole number of working days (1 or more)"],
  "ad-hoc-sub-process": ["Subproses ad hoc tanpa peristiwa mulai/selesai", "Ad hoc subprocess without start/end events"],
  "conditional-flows": ["Alur bersyarat lengkap", "Conditional flows are complete"],
  "end-event-required": ["Proses memiliki peristiwa selesai", "Process has an end event"],
  "event-based-gateway": ["Gerbang berbasis peristiwa dipakai dengan benar", "Event-based gateway is used correctly"],
  "event-sub-process-typed-start-event": ["Subproses peristiwa dimulai oleh peristiwa bertipe", "Event subprocess starts with a typed event"],
  "fake-join": ["Penggabungan alur memakai gerbang", "Flows join at a gateway"],
  global: ["Elemen global dipakai dan bernama unik", "Global elements are used and uniquely named"],
  "label-required": ["Elemen memiliki nama", "Element has a name"],
  "link-event": ["Peristiwa tautan berpasangan", "Link events are paired"],
  "no-bpmndi": ["Elemen tergambar di diagram", "Element is drawn in the diagram"],
  "no-complex-gateway": ["Tanpa gerbang kompleks", "No complex gateway"],
  "no-disconnected": ["Elemen tersambung", "Element is connected"],
  "no-duplicate-sequence-flows": ["Tanpa alur ganda", "No duplicate flows"],
  "no-gateway-join-fork": ["Gerbang tidak sekaligus menggabung dan memecah", "Gateway does not join and fork at once"],
  "no-implicit-split": ["Percabangan memakai gerbang", "Splits use a gateway"],
  "no-implicit-end": ["Akhir proses memakai peristiwa selesai", "Ends use an end event"],
  "no-implicit-start": ["Awal proses memakai peristiwa mulai", "Starts use a start event"],
  "no-inclusive-gateway": ["Gerbang inklusif sebaiknya dihindari", "Inclusive gateways are best avoided"],
  "no-overlapping-elements": ["Elemen tidak bertumpuk", "Elements do not overlap"],
  "single-blank-start-event": ["Satu peristiwa mulai kosong", "One blank start event"],
  "single-event-definition": ["Satu definisi per peristiwa", "One definition per event"],
  "start-event-required": ["Proses memiliki peristiwa mulai", "Process has a start event"],
  "sub-process-blank-start-event": ["Subproses dimulai oleh peristiwa mulai kosong", "Subprocess starts with a blank start event"],
  "superfluous-gateway": ["Tanpa gerbang berlebihan", "No superfluous gateway"],
  "superfluous-label": ["Tanpa label alur berlebihan", "No superfluous flow label"],
  "superfluous-termination": ["Tanpa penghentian berlebihan", "No superfluous termination"],
};

const KINDS = { Process: "Proses", "Sub process": "Subproses" };

/** bpmnlint's messages (English) -> Indonesian; `$1` is what the pattern captured. */
const MESSAGES_ID = [
  [/^A <Start Event> is not allowed in <Ad Hoc Sub Process>$/, "Peristiwa mulai tidak diizinkan di dalam subproses ad hoc"],
  [/^An <End Event> is not allowed in <Ad Hoc Sub Process>$/, "Peristiwa selesai tidak diizinkan di dalam subproses ad hoc"],
  [/^Conditional event is missing a condition$/, "Peristiwa bersyarat belum memiliki kondisi"],
  [/^Sequence flow is missing condition$/, "Alur ini belum memiliki kondisi, padahal alur lain dari elemen yang sama bersyarat: beri kondisi atau jadikan alur bawaan"],
  [/^(Process|Sub process) is missing end event$/, (kind) => `${KINDS[kind]} belum memiliki peristiwa selesai`],
  [/^(Process|Sub process) is missing start event$/, (kind) => `${KINDS[kind]} belum memiliki peristiwa mulai`],
  [/^(Process|Sub process) has multiple blank start events$/, (kind) => `${KINDS[kind]} memiliki lebih dari satu peristiwa mulai kosong`],
  [/^A <Sequence Flow> outgoing from an <Event-based Gateway> must not be conditional$/, "Alur yang keluar dari gerbang berbasis peristiwa tidak boleh bersyarat"],
  [/^An <Event-based Gateway> must have at least 2 outgoing <Sequence Flows>$/, "Gerbang berbasis peristiwa harus memiliki paling sedikit 2 alur keluar"],
  [/^Start event is missing event definition$/, "Peristiwa mulai belum memiliki definisi peristiwa"],
  [/^Incoming flows do not join$/, "Alur-alur masuk tidak digabungkan: gabungkan dengan gerbang lebih dulu"],
  [/^Element is missing name$/, "Elemen belum bernama"],
  [/^Element is unused$/, "Elemen tidak dipakai"],
  [/^Element name is not unique$/, "Nama elemen tidak unik"],
  [/^Element type <(.+)> is discouraged$/, (type) => `Jenis elemen ${type} sebaiknya tidak dipakai`],
  [/^Element is missing label\/name$/, "Elemen belum memiliki nama"],
  [/^Duplicate link catch event with link name <(.*)> in scope$/, (name) => `Ada lebih dari satu peristiwa tangkap tautan bernama “${name}” di cakupan ini`],
  [/^Link (catch|throw) event with link name <(.*)> missing in scope$/, (kind, name) => `Peristiwa ${kind === "catch" ? "tangkap" : "lempar"} tautan bernama “${name}” tidak ada di cakupan ini`],
  [/^Link event is missing link name$/, "Peristiwa tautan belum memiliki nama tautan"],
  [/^Element is missing bpmndi$/, "Elemen tidak tergambar di diagram (bpmndi)"],
  [/^Element is not connected$/, "Elemen tidak tersambung ke alur"],
  [/^SequenceFlow is a duplicate$/, "Alur ini ganda"],
  [/^Duplicate outgoing sequence flows$/, "Ada alur keluar yang ganda"],
  [/^Duplicate incoming sequence flows$/, "Ada alur masuk yang ganda"],
  [/^Gateway forks and joins$/, "Gerbang ini sekaligus menggabungkan dan memecah alur"],
  [/^Element is an implicit end$/, "Elemen ini menjadi akhir tersirat: sambungkan ke peristiwa selesai"],
  [/^Flow splits implicitly$/, "Alur bercabang tanpa gerbang: gunakan gerbang"],
  [/^Element is an implicit start$/, "Elemen ini menjadi awal tersirat: sambungkan dari peristiwa mulai"],
  [/^Element is outside of parent boundary$/, "Elemen berada di luar batas induknya"],
  [/^Element overlaps with other element$/, "Elemen menumpuk dengan elemen lain"],
  [/^Event has multiple event definitions$/, "Peristiwa memiliki lebih dari satu definisi peristiwa"],
  [/^Start event must be blank$/, "Peristiwa mulai harus kosong (tanpa definisi peristiwa)"],
  [/^Gateway is superfluous\. It only has one source and target\.$/, "Gerbang ini berlebihan: hanya memiliki satu sumber dan satu tujuan"],
  [/^Sequence flow has superfluous label$/, "Alur memiliki label yang berlebihan"],
  [/^Termination is superfluous\.$/, "Peristiwa penghentian ini berlebihan"],
];

function localeIndex(locale) {
  return locale === "en" ? 1 : 0;
}

/** The label of a rule ("alur/no-script", "label-required") in `locale` ("id" or "en"). */
export function ruleLabel(rule, locale = "id") {
  const labels = RULE_LABELS[rule];
  return labels ? labels[localeIndex(locale)] : rule;
}

/** A bpmnlint (English) message in `locale`; unknown messages are returned unchanged. */
export function translateMessage(message, locale = "id") {
  if (localeIndex(locale) === 1 || typeof message !== "string") return message;
  for (const [pattern, replacement] of MESSAGES_ID) {
    const found = pattern.exec(message);
    if (found) return typeof replacement === "function" ? replacement(...found.slice(1)) : replacement;
  }
  return message;
}
