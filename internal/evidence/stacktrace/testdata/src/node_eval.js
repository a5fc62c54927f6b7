// node_eval fails inside code run by eval and by a Function
// constructor, so frames carry the eval origin.
function run(src) {
  return eval(src);
}

try {
  run("(function inner() { null.x; })()");
} catch (err) {
  console.error(err.stack);
}

try {
  new Function("a", "return a.b.c")({});
} catch (err) {
  console.error(err.stack);
}
