// node_async throws from an awaited chain of async functions in an ES
// module, so frames carry "async" and file:// URLs.
async function fetchUser(id) {
  await null;
  throw new RangeError(`user ${id} out of range`);
}

async function handler(ids) {
  for (const id of ids) {
    await fetchUser(id);
  }
}

async function main() {
  await handler([7]);
}

main().catch((err) => {
  console.error(err.stack);
  process.exitCode = 1;
});
