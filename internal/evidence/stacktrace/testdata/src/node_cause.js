// node_cause throws an uncaught Error with a cause, which Node prints
// with util.inspect as a "[cause]:" block.
function connect() {
  throw new Error("ECONNREFUSED 127.0.0.1:5432");
}

function start() {
  try {
    connect();
  } catch (err) {
    throw new Error("database unavailable", { cause: err });
  }
}

start();
