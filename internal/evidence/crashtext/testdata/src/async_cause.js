// Rejects an awaited promise with an Error carrying { cause }, so Node
// prints the throw site, "at async" frames and a [cause] block.
async function query(sql) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  throw new Error(`connection reset while running ${sql}`);
}

async function loadUser(id) {
  try {
    return await query(`select * from users where id = ${id}`);
  } catch (err) {
    throw new Error(`cannot load user ${id}`, { cause: err });
  }
}

async function handle(req) {
  return await loadUser(req.user);
}

handle({ user: 7 });
