// node_typeerror reads a property of undefined inside a constructor
// called from a method with an alias, uncaught, so Node prints the source
// excerpt first and the trace has "new", "[as alias]" and
// "Object.<anonymous>" frames.
class Loader {
  constructor(cfg) {
    this.port = cfg.server.port;
  }
}

const api = {
  build(cfg) {
    return new Loader(cfg);
  },
};
api.make = api.build;

api.make({});
