// A Node.js dialer's client of `callwindow serve` (Node 18+: fetch is built in).
//
//   CALLWINDOW_URL=http://127.0.0.1:8787 node client.mjs +33612345678 [INSTANT]
//
// Acquires the call (check + record a pending attempt, atomically, so racing
// dialers never exceed a limit), "dials", then reports how the call ended.
// Anything but a clear answer from the server means: do not dial (fail closed).
const base = process.env.CALLWINDOW_URL ?? "http://127.0.0.1:8787";
const headers = { "Content-Type": "application/json" };
if (process.env.CALLWINDOW_TOKEN) headers.Authorization = `Bearer ${process.env.CALLWINDOW_TOKEN}`;

async function post(path, body) {
  const response = await fetch(base + path, {
    method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(5000),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}: ${answer.message}`);
  return answer;
}

const [phone, at] = process.argv.slice(2);
const consumer = { id: phone, phone, consent: true };
try {
  const decision = await post("/v1/acquire", { consumer, at });
  if (!decision.allowed) {
    const codes = decision.reasons.map((reason) => reason.code).join(",");
    console.log(`refused ${codes} next=${decision.next_allowed_at ?? "never"}`);
    process.exit(1);
  }
  console.log(`allowed attempt=${decision.attempt_id}`);
  // ... dial, then say how it ended:
  await post("/v1/outcome", { attempt_id: decision.attempt_id, outcome: "no_answer" });
  console.log("outcome no_answer recorded");
} catch (error) {
  console.log(`not dialled: ${error.message}`);
  process.exit(2);
}
