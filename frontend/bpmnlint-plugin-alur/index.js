// bpmnlint plugin "alur": the rules the server also runs at deploy (engine/bpmn). Each rule
// lives in rules/<name>.js (CommonJS, as bpmnlint expects).
module.exports = {
  configs: {
    recommended: {
      rules: {},
    },
  },
};
