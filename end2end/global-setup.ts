// Waits until the app answers: the server may still be starting when the tests do.
export default async function globalSetup(): Promise<void> {
  const base = process.env.ICATTLE_URL ?? 'http://127.0.0.1:3000';
  const deadline = Date.now() + 180_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/health`);
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`iCattle did not answer at ${base}/health within 180 s (${last})`);
}
